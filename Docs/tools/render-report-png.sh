#!/bin/sh
# Renders the quickstart's report.html to Docs/report.png (the picture in the README) with headless
# Chromium from Debian's packages. Not needed by the build or the tests.
#
#   make report-png                 # or: Docs/tools/render-report-png.sh [REPORT.html] [OUT.png]
#
# Needs: apt-get install -y chromium   (and a release build: make build)
set -eu
cd "$(dirname "$0")/../.."
REPORT=${1:-spikebar-out/quickstart/report.html}
OUT=${2:-Docs/report.png}
# Page height of the rendered window, CSS pixels (the quickstart report is about 7,300 px tall).
HEIGHT=${HEIGHT:-7300}
if [ "$REPORT" = spikebar-out/quickstart/report.html ]; then
  "$(swift build -c release --show-bin-path)/spikebar" run Scenarios/quickstart.yaml --quiet
fi
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 1; }
# 0.75 device-scale keeps the PNG under 500 KB while the chart labels stay legible.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=0.75 \
  --window-size=1000,"$HEIGHT" --screenshot="$(pwd)/$OUT" "file://$(pwd)/$REPORT" 2>/dev/null
ls -l "$OUT"
