#!/usr/bin/env bash
# The crate as crates.io would get it: `cargo package --list` ships the sources, what they embed,
# the licences and the README, and no tests, fixtures or fuzzing data; `cargo publish --dry-run`
# then builds the packaged tarball on its own (no --allow-dirty: CI runs on a clean clone).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
list="$(cargo package --list --locked)"
for need in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE src/main.rs data/archdb.tsv \
  data/archdb-extra.tsv $(cd rules && ls ./*.md | sed 's|^\./|rules/|'); do
  grep -qxF "$need" <<<"$list" || { echo "publish-check: the package lacks $need" >&2; exit 1; }
done
if grep -E '^(tests|fixtures|fuzz|examples|\.ci)/|\.snap$' <<<"$list"; then
  echo "publish-check: the package ships the files above, which it does not need" >&2
  exit 1
fi
echo "publish-check: $(wc -l <<<"$list") files in the package"
cargo publish --dry-run --locked
echo "publish-check: ok in $((SECONDS - start)) s"
