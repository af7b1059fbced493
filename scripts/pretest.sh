#!/usr/bin/env bash
# Tests use two Debian packages as real parts: notmuch (the search oracle) and chromium
# (the web pages' end-to-end tests). Install what is missing when run as root (as CI is);
# otherwise stop with the exact command to run.
set -euo pipefail
missing=()
command -v notmuch >/dev/null 2>&1 || missing+=(notmuch)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "pretest: installing ${missing[*]} (Debian packages the tests use)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "pretest: the tests need Debian packages that are missing. Run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
