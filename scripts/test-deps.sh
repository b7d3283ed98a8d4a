#!/usr/bin/env bash
# Debian packages the tests need: Chromium (driven by Playwright), a Java runtime
# (for the Nu HTML Checker) and Node.js with npm (to install vnu-jar and axe-core)
# for the browser tests, and the PostgreSQL server, of which the database tests
# start a throwaway cluster. Installed only when missing. Where they cannot be
# installed, those tests skip with a loud reason (and fail on CI, where they must run).
set -uo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$sudo" ] && ! sudo -n true 2>/dev/null; }; then
  echo "briefing: WARNING: cannot install ${missing[*]}; the tests that need them will be skipped" >&2
  exit 0
fi
echo "briefing: installing Debian packages for the tests: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "briefing: WARNING: installing ${missing[*]} failed; the tests that need them will be skipped" >&2
exit 0
