#!/usr/bin/env bash
# Runs one fuzz target (or `all`, one after another) for SECONDS each with cargo-fuzz/libFuzzer.
#
#   fuzz/run.sh TARGET|all [SECONDS=600]
#
# Needs `cargo install cargo-fuzz`. libFuzzer needs nightly compiler flags; on a stable toolchain
# RUSTC_BOOTSTRAP=1 unlocks them. No sanitizer (`-s none`): edgelint has no `unsafe` code, so
# AddressSanitizer would only slow the search; `--debug-assertions` keeps integer-overflow checks,
# which `cargo test` has too. One process, one thread. A crash lands in
# fuzz/artifacts/TARGET/; minimise it (`cargo fuzz tmin TARGET FILE`), copy it to
# fuzz/regressions/TARGET/, where `cargo test --test fuzz_regressions` replays it, and fix it.
# Each run's statistics are appended to fuzz/runs.log.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
target=${1:?usage: fuzz/run.sh TARGET|all [SECONDS]}
seconds=${2:-600}
targets=(dockerfile yaml compose kubernetes quantity duration bytes image_ref platform lint_source)
if [ "$target" = all ]; then
  for t in "${targets[@]}"; do "$0" "$t" "$seconds"; done
  exit 0
fi
case "$target" in
  quantity|duration|bytes|image_ref|platform) max_len=512 ;;
  *) max_len=65536 ;;
esac
[ -d "corpus/$target" ] || ./seed.sh >/dev/null
mkdir -p logs
log="logs/$target.log"
cargo fuzz build -s none --debug-assertions -O "$target" >/dev/null
status=0
cargo fuzz run -s none --debug-assertions -O "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 >"$log" 2>&1 || status=$?
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo '?')
speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo '?')
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo '?')
crashes=$(find "artifacts/$target" -type f 2>/dev/null | wc -l)
line="$(date -u +%FT%TZ) $target ${seconds}s runs=$runs exec/s=$speed cov=$cov artifacts=$crashes exit=$status"
echo "$line" | tee -a runs.log
exit "$status"
