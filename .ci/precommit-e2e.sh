#!/usr/bin/env bash
# The pre-commit hook, end to end, with the real pre-commit from PyPI: a temporary git
# repository whose .pre-commit-config.yaml points at a fresh clone of this checkout (rev: its
# HEAD) uses both hooks: `edgelint` (language: rust: pre-commit runs `cargo install` of the
# clone) and `edgelint-py` (language: python: pre-commit runs `pip install` of it, which builds
# the wheel with maturin).
#   - a commit with a violating Kubernetes manifest fails, and the finding is shown;
#   - YAML that is neither Compose nor Kubernetes, staged with it, is not mentioned;
#   - the fixed manifest commits.
# The build shares cargo's target directory with .ci/install-e2e.sh (EDGELINT_E2E_TARGET).
set -euo pipefail
name=precommit-e2e
. "$(dirname "$0")/e2e-common.sh"

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
      # Only the rule this test is about: it checks the hook's plumbing (files passed, failure
      # and pass), and the rule set grows.
      - id: edgelint
        args: [--select, missing-memory-limit]
      - id: edgelint-py
        args: [--select, missing-memory-limit]
YAML
pre-commit install >/dev/null
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
[ "$(grep -c "^deploy.yaml:13:17: error\[missing-memory-limit\]" <<<"$out")" = 2 ] \
  || fail "the finding is not shown by both hooks"
[ "$(grep -c "^edgelint.*\.\.\.Failed$" <<<"$out")" = 2 ] || fail "the two hooks did not both fail"
! grep -q "values.yaml" <<<"$out" || fail "values.yaml (no known kind) was mentioned"
lap "the violating commit was refused"

sed -i 's/limits: {cpu: 500m}/limits: {cpu: 500m, memory: 128Mi}/' deploy.yaml
git add deploy.yaml
echo "precommit-e2e: git commit with the fix"
out="$(git commit -m "gateway deployment, with a memory limit" 2>&1)" \
  || { echo "$out"; fail "the fixed commit was refused"; }
echo "$out"
[ "$(grep -c "^edgelint.*\.\.\.Passed$" <<<"$out")" = 2 ] || fail "the two hooks did not both pass"
[ "$(git rev-list --count HEAD)" = 2 ] || fail "the fix was not committed"
lap "the fixed commit passed"
echo "precommit-e2e: ok in $((SECONDS - start)) s"
