#!/usr/bin/env bash
# End-to-end check of the CI output formats (issue 10) with their consumers' own validators,
# on the reports edgelint writes for examples/ and fixtures/:
#
#   sarif       Microsoft's SARIF validator, `sarif-multitool validate` (npm
#               @microsoft/sarif-multitool: a self-contained .NET build for linux-x64, no runtime
#               to install), with the SARIF rules and GitHub's ingestion rules (`Sarif;Gh`).
#               Any error-level result fails; every result is counted and shown.
#   junit       xmllint --schema tests/schemas/junit-10.xsd (Jenkins' schema)
#   checkstyle  xmllint --dtdvalid tests/schemas/checkstyle.dtd
#   gitlab      the JSON Schema of GitLab's documented format (tests/formats.rs, with boon)
#
# Installs what it needs (libxml2-utils from Debian, the validator from npm into a temporary
# directory), so it runs on a fresh machine. Called from .ci/run; takes about a minute with the
# build already done.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo "== formats-e2e: $* ($(date -u +%T))"; }

MULTITOOL_VERSION=5.7.0

if ! command -v xmllint >/dev/null 2>&1; then
  step "apt-get install libxml2-utils"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "npm install @microsoft/sarif-multitool@$MULTITOOL_VERSION"
npm install --prefix "$tmp/npm" --no-audit --no-fund --loglevel=error \
  "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >/dev/null
multitool="$tmp/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
# The package's postinstall only does this chmod; npm may skip install scripts.
chmod u+x "$multitool"
# Without libicu, .NET needs invariant globalization; the validator does not need cultures.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
"$multitool" --version | head -1

step "cargo build"
cargo build --locked --quiet
edgelint=target/debug/edgelint

# Findings are expected (exit 1); anything else is a failure.
report() {
  local format=$1 file=$2
  local code=0
  "$edgelint" --format "$format" --output "$file" examples fixtures >/dev/null || code=$?
  if [ "$code" != 1 ]; then
    echo "edgelint --format $format exited $code, expected 1 (findings)" >&2
    exit 1
  fi
  echo "$format: $(wc -c <"$file") bytes"
}
step "reports from examples/ and fixtures/"
report sarif "$tmp/edgelint.sarif"
report junit "$tmp/junit.xml"
report checkstyle "$tmp/checkstyle.xml"
report gitlab "$tmp/gl-code-quality-report.json"

# Runs the validator on $1 and prints its results by rule and level; prints the number of
# error-level results last.
validate() {
  local log=$2
  "$multitool" validate "$1" --output "$log" --log ForceOverwrite \
    --level "Error;Warning;Note" --rule-kind "Sarif;Gh" >"$log.console" 2>&1 || true
  grep -v ': note SARIF' "$log.console" || true
  node -e '
    const log = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const results = log.runs.flatMap(r => r.results || []);
    const counts = {};
    for (const r of results) {
      const key = `${r.level || "warning"} ${r.ruleId}`;
      counts[key] = (counts[key] || 0) + 1;
    }
    for (const [k, n] of Object.entries(counts).sort()) console.log(`  ${n}\t${k}`);
    const errors = results.filter(r => (r.level || "warning") === "error").length;
    const notifications = log.runs.flatMap(r => (r.invocations || []).flatMap(i =>
      [...(i.toolExecutionNotifications || []), ...(i.toolConfigurationNotifications || [])]))
      .filter(n => n.level === "error");
    for (const n of notifications) console.log(`  tool error: ${n.message && n.message.text}`);
    console.log(errors + notifications.length);
  ' "$log"
}

step "sarif-multitool validate"
out=$(validate "$tmp/edgelint.sarif" "$tmp/validation.sarif")
echo "$out" | sed '$d'
errors=$(echo "$out" | tail -1)
echo "error-level results: $errors"
if [ "$errors" != 0 ]; then
  echo "sarif-multitool found errors in edgelint's SARIF" >&2
  exit 1
fi

# The validator must be able to fail: a log with a dangling ruleIndex and line 0 must give
# errors, or the check above proves nothing.
node -e '
  const fs = require("fs");
  const log = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const r = log.runs[0].results[0];
  r.ruleIndex = 9999;
  r.locations[0].physicalLocation.region.startLine = 0;
  fs.writeFileSync(process.argv[2], JSON.stringify(log));
' "$tmp/edgelint.sarif" "$tmp/broken.sarif"
broken=$(validate "$tmp/broken.sarif" "$tmp/broken-validation.sarif" | tail -1)
if [ "$broken" = 0 ]; then
  echo "sarif-multitool accepted a broken log: the validation is not working" >&2
  exit 1
fi
echo "control: a broken log gives $broken error-level results, as it should"

step "xmllint"
xmllint --noout --schema tests/schemas/junit-10.xsd "$tmp/junit.xml"
xmllint --noout --dtdvalid tests/schemas/checkstyle.dtd "$tmp/checkstyle.xml"
echo "$tmp/checkstyle.xml validates"

step "GitLab report against its JSON Schema (cargo test --test formats)"
cargo test --locked --quiet --test formats gitlab_report_matches_the_documented_format

step "done in $(($(date +%s) - start)) s"
