#!/usr/bin/env bash
# `edgelint images lock|check` against real OCI registries on loopback (tests/registry_e2e.rs).
#
# Installs Debian's docker-registry (the CNCF distribution registry), skopeo, apache2-utils
# (htpasswd) and openssl when missing, starts three registries on 127.0.0.1 with temporary
# configuration and storage (one open, one behind htpasswd, one with token auth whose token
# service is played by the test with a key and certificate made here), runs the test with their
# addresses in the environment, and stops them on exit whatever happens. Needs root to install packages (CI runs
# as root); elsewhere, with the tools missing, it says so and skips (with CI=true it fails).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== registry end-to-end ($(date -u +%T))"
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
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

# start NAME PORT [htpasswd-file | token:TOKEN-PORT]
start() {
  local name=$1 port=$2 auth=${3:-}
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
    if [[ "$auth" == token:* ]]; then
      echo "auth:"
      echo "  token:"
      echo "    realm: http://127.0.0.1:${auth#token:}/token"
      echo "    service: edgelint-e2e"
      echo "    issuer: edgelint-e2e-issuer"
      echo "    rootcertbundle: $work/token/cert.pem"
    elif [[ -n "$auth" ]]; then
      echo "auth:"
      echo "  htpasswd: {realm: edgelint-e2e, path: $auth}"
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
# Token auth: the test serves the token endpoint on token_port, signing with this key.
mkdir -p "$work/token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=edgelint-e2e-token -keyout "$work/token/key.pem" -out "$work/token/cert.pem" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$work/token/key.pem" -outform DER -out "$work/token/key.p8"
openssl x509 -in "$work/token/cert.pem" -outform DER -out "$work/token/cert.der"
token_port=$(pick_port)
token_registry_port=$(pick_port)
while [[ "$token_registry_port" == "$token_port" ]]; do token_registry_port=$(pick_port); done
start token "$token_registry_port" "token:$token_port"

export EDGELINT_E2E_REGISTRY="127.0.0.1:$open_port"
export EDGELINT_E2E_AUTH_REGISTRY="127.0.0.1:$auth_port"
export EDGELINT_E2E_AUTH_USER="$user"
export EDGELINT_E2E_AUTH_PASSWORD="$password"
export EDGELINT_E2E_TOKEN_REGISTRY="127.0.0.1:$token_registry_port"
export EDGELINT_E2E_TOKEN_PORT="$token_port"
export EDGELINT_E2E_TOKEN_KEY="$work/token/key.p8"
export EDGELINT_E2E_TOKEN_CERT="$work/token/cert.der"
# Loopback only: no proxy may see these requests.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy

status=0
cargo test --locked --test registry_e2e -- --nocapture --test-threads=1 || status=$?
if ((status)); then
  for name in open auth token; do
    echo "--- $name registry log" >&2
    tail -n 40 "$work/$name/log" >&2 || true
  done
fi
exit "$status"
