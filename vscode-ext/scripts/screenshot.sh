#!/usr/bin/env bash
# Re-creates docs/images/preview.png: the engine renders docs/examples/quickstart.poml, the
# extension's preview page is written to a file, headless Chromium takes the picture.
# Run from the repository root after `npm --prefix vscode-ext run compile`.
set -euo pipefail
tmp=$(mktemp -d)
PYTHONPATH=. python vscode-ext/scripts/sample_preview.py docs/examples/quickstart.poml docs/examples/quickstart.context.json > "$tmp/response.json"
node vscode-ext/out/scripts/renderPreview.js "$tmp/response.json" "$tmp/preview.html" quickstart.poml
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=720,500 --screenshot=docs/images/preview.png "file://$tmp/preview.html" 2>/dev/null
rm -rf "$tmp"
