#!/usr/bin/env bash
# `edgelint server`, end to end, with a real LSP client: pytest-lsp (PyPI, pinned in
# tests/lsp/requirements.txt) starts the debug binary and drives it over stdio
# (tests/lsp/test_server.py): diagnostics on open/change/save with exact UTF-16 and UTF-8 ranges,
# the project's configuration, the suppression quick fix, hover, files that are not linted,
# protocol edge cases, and the didChange → publishDiagnostics latency on a 500-line manifest
# (printed in pytest's summary, not asserted).
# The debug build is the one `cargo test` made (this step then only links), in target/debug.
set -euo pipefail
name=lsp-e2e
. "$(dirname "$0")/e2e-common.sh"
# The debug binary lives in the checkout's own target directory, not the release one shared by
# the other end-to-end scripts.
unset CARGO_TARGET_DIR

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q -r "$root/tests/lsp/requirements.txt"
lap "pytest-lsp $("$work/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pytest-lsp"))') installed"

(cd "$root" && cargo build --locked --quiet --bin edgelint)
export EDGELINT_BIN="$root/target/debug/edgelint"
lap "debug binary built"

cd "$root/tests/lsp"
export PYTHONDONTWRITEBYTECODE=1
# -p no:cacheprovider and no bytecode: write nothing into the checkout.
"$work/venv/bin/python" -m pytest -p no:cacheprovider -q -rf . \
  || fail "the language server end-to-end test failed"
lap "ok"
