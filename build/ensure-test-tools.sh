#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright's own browser download
# does not work offline), the print test reads PDFs with poppler-utils, and the
# Pyodide parity test (and the precompiled runtime) run Pyodide under Node.
# Install what is missing when we may; otherwise say how.
set -euo pipefail
browser="${JACOBIATOR_CHROMIUM:-/usr/bin/chromium}"
missing=()
[[ -x "$browser" ]] || missing+=(chromium fonts-liberation)
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v "${JACOBIATOR_NODE:-node}" >/dev/null || missing+=(nodejs)
((${#missing[@]})) || exit 0
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing for the tests: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
cat >&2 <<MSG
error: the tests need ${missing[*]}, and they cannot be installed here (not root, or no apt-get).
Install them (sudo apt-get install ${missing[*]}), or point JACOBIATOR_CHROMIUM at a
Chromium or Chrome binary, then run make test again.
MSG
exit 1
