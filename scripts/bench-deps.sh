#!/usr/bin/env bash
# Debian packages `make bench` reads: WordNet's exception lists (wordnet-base) for the
# ROUGE-1.5.5-style columns (benchmarks/rouge155.py). Installed only when missing, and only
# where apt-get can be used; without them those columns stem with Porter alone, and say so.
set -euo pipefail

[ -f /usr/share/wordnet/verb.exc ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "briefing: WARNING: no apt-get; install wordnet-base for the ROUGE-1.5.5-style columns" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "briefing: installing Debian packages for the benchmarks: wordnet-base" >&2
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
       --no-install-recommends wordnet-base >/dev/null; }; then
  echo "briefing: WARNING: wordnet-base could not be installed; the ROUGE-1.5.5-style columns" \
       "will stem with Porter alone" >&2
fi
