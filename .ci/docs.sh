#!/usr/bin/env bash
# The rule reference site: generated from rules/*.md and the rule registry (docs/site.py),
# built with MkDocs from PyPI (`mkdocs build --strict`: a broken internal link or anchor fails),
# then every link of the built HTML is checked offline and the external ones are listed.
# Output: target/docs/site/. Uses the debug binary (`cargo build`; a no-op after `cargo test`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/target/docs"
start=$SECONDS
export PIP_DISABLE_PIP_VERSION_CHECK=1

cargo build -q --locked --bin edgelint
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/edgelint"

if [ ! -x "$out/venv/bin/mkdocs" ]; then
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q "mkdocs>=1.6,<2"
fi
python3 docs/site.py generate "$bin" "$out"
rm -rf "$out/site"
(cd "$out" && "$out/venv/bin/mkdocs" build --strict --quiet)
python3 docs/site.py check "$bin" "$out/site"
echo "docs: site in target/docs/site ($((SECONDS - start)) s)"
