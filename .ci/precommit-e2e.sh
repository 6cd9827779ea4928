#!/usr/bin/env bash
# The pre-commit hook, end to end, with the real pre-commit from PyPI: a temporary git
# repository whose .pre-commit-config.yaml points at a fresh clone of this checkout (rev: its
# HEAD) uses the `edgelint` hook (language: rust, so pre-commit runs `cargo install` of it).
#   - a commit with a violating Kubernetes manifest fails, and the finding is shown;
#   - YAML that is neither Compose nor Kubernetes, staged with it, is not mentioned;
#   - the fixed manifest commits.
# The build shares cargo's target directory with .ci/install-e2e.sh (EDGELINT_E2E_TARGET).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${EDGELINT_E2E_TARGET:-$root/target/e2e-release}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PRE_COMMIT_HOME="$work/pre-commit-cache"
start=$SECONDS
lap() { echo "precommit-e2e: $* ($((SECONDS - start)) s)"; }
fail() { echo "precommit-e2e: FAILED: $*" >&2; exit 1; }

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "pre-commit>=3,<5"
export PATH="$work/venv/bin:$PATH"
lap "pre-commit $(pre-commit --version | cut -d' ' -f2) installed"

git clone -q "$root" "$work/hooks"
rev="$(git -C "$work/hooks" rev-parse HEAD)"

mkdir "$work/project"
cd "$work/project"
git init -q
git config user.name "edgelint CI"
git config user.email "ci@edgelint.invalid"
git config commit.gpgsign false
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $work/hooks
    rev: $rev
    hooks:
      - id: edgelint
YAML
pre-commit install -q >/dev/null
git add .pre-commit-config.yaml
git commit -q --no-verify -m "pre-commit configuration"

# A Deployment without a memory limit, and YAML edgelint does not lint.
cat > deploy.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
spec:
  selector:
    matchLabels: {app: gateway}
  template:
    metadata:
      labels: {app: gateway}
    spec:
      containers:
        - name: gateway
          image: eclipse-mosquitto:2.0
          resources:
            limits: {cpu: 500m}
YAML
printf 'replicas: 3\nimage: {tag: "2.0"}\n' > values.yaml
git add deploy.yaml values.yaml

echo "precommit-e2e: git commit with a violating manifest (the hook installs on first use)"
set +e
out="$(git commit -m "gateway deployment" 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" != 0 ] || fail "the commit with a violating manifest succeeded"
grep -q "^deploy.yaml:13:17: error\[missing-memory-limit\]" <<<"$out" \
  || fail "the finding is not shown"
grep -q "^edgelint\.*Failed" <<<"$out" || fail "the hook did not fail"
! grep -q "values.yaml" <<<"$out" || fail "values.yaml (no known kind) was mentioned"
lap "the violating commit was refused"

sed -i 's/limits: {cpu: 500m}/limits: {cpu: 500m, memory: 128Mi}/' deploy.yaml
git add deploy.yaml
echo "precommit-e2e: git commit with the fix"
out="$(git commit -m "gateway deployment, with a memory limit" 2>&1)" \
  || { echo "$out"; fail "the fixed commit was refused"; }
echo "$out"
grep -q "^edgelint\.*Passed" <<<"$out" || fail "the hook did not pass"
[ "$(git rev-list --count HEAD)" = 2 ] || fail "the fix was not committed"
lap "the fixed commit passed"
echo "precommit-e2e: ok in $((SECONDS - start)) s"
