#!/usr/bin/env bash
# `edgelint images lock|check` against real OCI registries on loopback (tests/registry_e2e.rs).
#
# Installs Debian's docker-registry (the CNCF distribution registry), skopeo and apache2-utils
# (htpasswd) when missing, starts two registries on 127.0.0.1 with temporary configuration and
# storage (one open, one behind htpasswd), runs the test with their addresses in the
# environment, and stops them on exit whatever happens. Needs root to install packages (CI runs
# as root); elsewhere, with the tools missing, it says so and skips (with CI=true it fails).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== registry end-to-end ($(date -u +%T))"
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    if [[ "${CI:-}" == true ]]; then
      echo "registry-e2e: needs root to install ${missing[*]}" >&2
      exit 1
    fi
    echo "registry-e2e: ${missing[*]} missing and not root; skipped" >&2
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's own service (port 5000 on every address) from starting.
  policy_added=false
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=true
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if $policy_added; then rm -f /usr/sbin/policy-rc.d; fi
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    if port_free "$p"; then echo "$p"; return; fi
  done
}

# start NAME PORT [htpasswd-file]
start() {
  local name=$1 port=$2 htpasswd=${3:-}
  mkdir -p "$work/$name/storage"
  {
    echo "version: 0.1"
    echo "log: {level: warn, accesslog: {disabled: true}}"
    echo "storage:"
    echo "  filesystem: {rootdirectory: $work/$name/storage}"
    echo "  delete: {enabled: true}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    echo "  secret: edgelint-e2e-$RANDOM$RANDOM"
    if [[ -n "$htpasswd" ]]; then
      echo "auth:"
      echo "  htpasswd: {realm: edgelint-e2e, path: $htpasswd}"
    fi
  } >"$work/$name/config.yml"
  docker-registry serve "$work/$name/config.yml" >"$work/$name/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if ! port_free "$port"; then return 0; fi
    sleep 0.1
  done
  echo "registry-e2e: the $name registry did not start:" >&2
  cat "$work/$name/log" >&2
  return 1
}

user=edgelint
password="e2e-$RANDOM$RANDOM"
htpasswd -Bbn "$user" "$password" >"$work/htpasswd"
open_port=$(pick_port)
start open "$open_port"
auth_port=$(pick_port)
while [[ "$auth_port" == "$open_port" ]]; do auth_port=$(pick_port); done
start auth "$auth_port" "$work/htpasswd"

export EDGELINT_E2E_REGISTRY="127.0.0.1:$open_port"
export EDGELINT_E2E_AUTH_REGISTRY="127.0.0.1:$auth_port"
export EDGELINT_E2E_AUTH_USER="$user"
export EDGELINT_E2E_AUTH_PASSWORD="$password"
# Loopback only: no proxy may see these requests.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy

status=0
cargo test --locked --test registry_e2e -- --nocapture --test-threads=1 || status=$?
if ((status)); then
  for name in open auth; do
    echo "--- $name registry log" >&2
    tail -n 40 "$work/$name/log" >&2 || true
  done
fi
exit "$status"
