#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright's own browser download
# does not work offline). Install it when missing and we may; otherwise say how.
set -euo pipefail
browser="${JACOBIATOR_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$browser" ]]; then exit 0; fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
  exit 0
fi
cat >&2 <<MSG
error: no Chromium at $browser, and it cannot be installed here (not root, or no apt-get).
Install Debian's chromium package (sudo apt-get install chromium), or point
JACOBIATOR_CHROMIUM at a Chromium or Chrome binary, then run make test again.
MSG
exit 1
