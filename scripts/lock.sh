#!/usr/bin/env bash
# Regenerates the locked requirement files in requirements/ with uv (pinned below): every
# package pinned, with the sha256 of every wheel and sdist PyPI offers for that version,
# resolved for Python 3.11 on every platform (Linux x86_64 and aarch64 among them).
#   scripts/lock.sh VENV             keep every pin that pyproject.toml still allows
#   UPGRADE=1 scripts/lock.sh VENV   move every package to its newest allowed release
# `make lock` runs it. test.txt and bench.txt are held to runtime.txt's versions, and
# build.txt to theirs, so that installing one after another changes no version.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
venv=${1:-.venv}
test -x "$venv/bin/python" || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check -q "uv==$UV_VERSION"

compile() {  # NAME WHAT INSTALLED-BY UV-ARGUMENTS...
  local out=requirements/$1.txt what=$2 by=$3
  shift 3
  "$venv/bin/uv" pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --no-header ${UPGRADE:+--upgrade} "$@" -o "$out"
  { printf '# %s, locked with hashes by uv %s.\n' "$what" "$UV_VERSION"
    printf '# Do not edit: regenerate with `make lock` (`make lock UPGRADE=1` for newer\n'
    printf '# versions; the commands are in scripts/lock.sh). %s installs it with\n' "$by"
    printf '#   pip install --require-hashes -r %s\n' "$out"
    cat "$out"; } > "$out.new"
  mv "$out.new" "$out"
}

compile runtime 'The runtime dependencies of pyproject.toml' 'Every make target' \
  pyproject.toml
compile test 'Runtime plus the test extra of pyproject.toml' '`make test`' \
  pyproject.toml --extra test -c requirements/runtime.txt
compile bench 'Runtime plus the bench extra of pyproject.toml' '`make bench`' \
  pyproject.toml --extra bench -c requirements/runtime.txt
compile build 'pip and the build backend (requirements/build.in)' 'Every make target' \
  requirements/build.in -c requirements/test.txt -c requirements/bench.txt
