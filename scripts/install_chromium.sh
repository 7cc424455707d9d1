#!/usr/bin/env bash
# Install what tests/view/test_browser.py and scripts/screenshot.py need, idempotently:
# Debian's chromium (/usr/bin/chromium) and a CJK font for readable screenshots.
# The browser comes from apt only: never run `playwright install`, which downloads one.
# The Python side is the `playwright` package (in the dev extra).
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || packages+=(fonts-wqy-microhei)

if [ "${#packages[@]}" -eq 0 ]; then
    echo "chromium and a CJK font are already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${packages[*]}; run as root (or: sudo apt-get install -y ${packages[*]})" >&2
    echo "tests/view/test_browser.py is skipped until /usr/bin/chromium exists" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}"
echo "installed: ${packages[*]}"
