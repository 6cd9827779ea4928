#!/usr/bin/env bash
# Writes the seed corpora fuzz/corpus/<target>/ from the project's own files only: examples/,
# fixtures/, the fenced examples in rules/*.md, fuzz/seeds/ and the saved regressions. Never from
# ../shared/corpus (third-party files stay out of the project). Existing corpus files are kept:
# the fuzzer's findings accumulate; seeds are named by content hash, so reruns add nothing twice.
set -euo pipefail
cd "$(dirname "$0")"
root=..

add() { # add TARGET FILE-OR-STDIN
  local dir="corpus/$1" tmp
  mkdir -p "$dir"
  tmp=$(mktemp)
  if [ "$#" -ge 2 ]; then cat "$2" >"$tmp"; else cat >"$tmp"; fi
  if [ -s "$tmp" ]; then mv "$tmp" "$dir/seed-$(sha1sum "$tmp" | cut -c1-16)"; else rm -f "$tmp"; fi
}

texts() { # the text inputs: examples, fixtures, seeds (one path per line)
  find "$root/examples" "$root/fixtures" seeds/text -type f 2>/dev/null | sort
}

# Fenced blocks of the rule docs, one file each.
docs=$(mktemp -d)
trap 'rm -rf "$docs"' EXIT
for md in "$root"/rules/*.md; do
  [ -e "$md" ] || continue
  awk -v out="$docs/$(basename "$md" .md)" '
    /^```(dockerfile|yaml)/ { n++; f = out "-" n; inblock = 1; next }
    /^```/ { inblock = 0; next }
    inblock { print > f }' "$md"
done

while read -r f; do
  case "$f" in
    *Dockerfile*|*dockerfile*|*Containerfile*) add dockerfile "$f"; sel='\x00' ;;
    *compose*) add compose "$f"; add yaml "$f"; sel='\x01' ;;
    *) add kubernetes "$f"; add yaml "$f"; sel='\x02' ;;
  esac
  { printf "$sel"; cat "$f"; } | add lint_source
done < <(texts; find "$docs" -type f | sort)

# Value parsers: hand-written seeds, then the values written in our own inputs.
for t in quantity duration bytes image_ref platform; do
  while IFS= read -r v; do printf '%s' "$v" | add "$t"; done <"seeds/$t.txt"
done
values() { # values of the YAML keys given, from our inputs
  texts | xargs grep -hoE "^[[:space:]-]*($1):[[:space:]]*[^#{}]+" 2>/dev/null |
    sed -E 's/^[^:]*:[[:space:]]*//; s/^"(.*)"$/\1/; s/[[:space:]]+$//' | sort -u
}
while IFS= read -r v; do printf '%s' "$v" | add quantity; done < <(values 'memory|cpu|ephemeral-storage|storage')
while IFS= read -r v; do printf '%s' "$v" | add bytes; done < <(values 'mem_limit|memory|shm_size|memswap_limit|size')
while IFS= read -r v; do printf '%s' "$v" | add duration; done < <(values 'interval|timeout|start_period|stop_grace_period')
while IFS= read -r v; do printf '%s' "$v" | add image_ref; done < <(values 'image'; texts | xargs grep -hoE '^FROM( --[^ ]+)* [^ ]+' 2>/dev/null | awk '{print $NF}' | sort -u)
while IFS= read -r v; do printf '%s' "$v" | add platform; done < <(values 'platform')

# Saved regressions are seeds too.
for d in regressions/*/; do
  [ -d "$d" ] || continue
  t=$(basename "$d")
  for f in "$d"*; do [ -f "$f" ] && add "$t" "$f"; done
done

for d in corpus/*/; do echo "$(basename "$d"): $(find "$d" -type f | wc -l) files"; done
