#!/usr/bin/env bash
# Refresh the query page's editor, CodeMirror 5, from the npm registry into
# graph/sparql/static/codemirror/ (shipped in the package: the page needs no network).
set -euo pipefail
VERSION="${1:-5.65.20}"
cd "$(dirname "$0")/.."
DEST=graph/sparql/static/codemirror
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "codemirror@$VERSION" >/dev/null && tar xzf codemirror-*.tgz)
PKG="$WORK/package"
cp "$PKG/lib/codemirror.js" "$PKG/lib/codemirror.css" "$PKG/LICENSE" "$DEST/"
cp "$PKG/mode/sparql/sparql.js" "$PKG/addon/edit/matchbrackets.js" "$DEST/"
cat > "$DEST/VERSION" <<END
codemirror $VERSION (npm registry, MIT; see LICENSE)
lib/codemirror.js, lib/codemirror.css, mode/sparql/sparql.js, addon/edit/matchbrackets.js
refresh with scripts/vendor_codemirror.sh
END
echo "CodeMirror $VERSION -> $DEST"
