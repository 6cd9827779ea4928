# Sourced by the end-to-end scripts, after they set `name`: a temporary directory `work`
# (removed on exit), the checkout's `root`, one cargo target directory shared by every release
# build of the scripts (EDGELINT_E2E_TARGET, default target/e2e-release), timing and failure.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${EDGELINT_E2E_TARGET:-$root/target/e2e-release}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
start=$SECONDS
lap() { echo "$name: $* ($((SECONDS - start)) s)"; }
fail() { echo "$name: FAILED: $*" >&2; exit 1; }
