#!/usr/bin/env bash
# The README's install paths, end to end, from a fresh clone of this checkout (its HEAD):
#   1. maturin (from PyPI, in its own venv) builds the wheel: `maturin build --release --locked`;
#   2. the wheel is installed into a second fresh venv, and `edgelint --version` and the README's
#      first command (`edgelint examples/`) run from that venv's bin/;
#   3. the README's install commands "from a checkout" run as written, each in a fresh
#      environment: `pip install .` (a third venv) and `cargo install --locked --path .`.
# Every build shares one cargo target directory (EDGELINT_E2E_TARGET, default
# target/e2e-release in this checkout), so only the first compiles the dependencies.
set -euo pipefail
name=install-e2e
. "$(dirname "$0")/e2e-common.sh"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)"
[ -n "$version" ] || fail "no version in Cargo.toml"

git clone -q "$root" "$work/edgelint"
cd "$work/edgelint"

# The README must still say what is run below.
for cmd in 'pip install .' 'cargo install --locked --path .' 'pip install edgelint' \
  'cargo install --locked edgelint' 'docker run --rm -v "$PWD:/src" edgelint /src'; do
  grep -qF -- "$cmd" README.md || fail "README.md no longer says \`$cmd\`"
done

# Checks one installed edgelint: the version line and the README's first command.
check() {
  local bin="$1" out code
  out="$("$bin" --version)"
  case "$out" in
    "edgelint $version (image table "*")") ;;
    *) fail "$bin --version said: $out" ;;
  esac
  set +e
  out="$("$bin" examples/)"
  code=$?
  set -e
  [ "$code" = 1 ] || fail "$bin examples/ exited $code, not 1 (the examples have findings)"
  for rule in single-arch-image missing-memory-limit aggressive-probe-timing; do
    grep -q "examples/.*\[$rule\]" <<<"$out" || fail "$bin examples/ shows no $rule: $out"
  done
  echo "install-e2e: $bin: $("$bin" --version), $(wc -l <<<"$out") findings on examples/"
}

# 1. the wheel
python3 -m venv "$work/build-venv"
"$work/build-venv/bin/pip" install -q "maturin>=1.5,<2"
lap "maturin $("$work/build-venv/bin/maturin" --version | cut -d' ' -f2) installed"
"$work/build-venv/bin/maturin" build --release --locked --out "$work/wheels" 2>&1 | tail -3
wheel="$(ls "$work"/wheels/edgelint-"$version"-*.whl)"
lap "wheel built: $(basename "$wheel")"
# The wheel holds the binary and the licences, not the sources.
python3 - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
assert any(n.endswith(".data/scripts/edgelint") for n in names), names
assert not any(n.endswith(".rs") for n in names), names
PY

# 2. the wheel in a fresh venv
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel"
check "$work/venv/bin/edgelint"
lap "wheel installed and run"

# 3. the README's commands from a checkout, as written
python3 -m venv "$work/pip-venv"
(. "$work/pip-venv/bin/activate" && pip install -q . && check "$(command -v edgelint)")
lap "README: pip install ."
cargo install -q --locked --path . --root "$work/cargo-root"
check "$work/cargo-root/bin/edgelint"
lap "README: cargo install --locked --path ."
echo "install-e2e: ok in $((SECONDS - start)) s"
