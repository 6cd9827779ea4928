//! Adopting edgelint on a repository with findings: baselines (`--write-baseline`,
//! `--baseline`, `baseline:`), `--add-ignore` and `edgelint init`, through the real binary.

#![allow(clippy::unwrap_used)]

mod common;

use common::{run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::repo("adopt-tests", name, files)
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

/// The JSON report of a run.
fn json(args: &[&str], cwd: &Path) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let o = run(&all, cwd);
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)))
}

/// (rule, line) of every diagnostic of a JSON report.
fn findings(v: &Value) -> Vec<(String, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap().to_string(), d["start"]["line"].as_u64().unwrap()))
        .collect()
}

/// Seven findings: two on the pod template (short-unreachable-toleration, line 7), four on the
/// container (line 9), one on its image (line 10).
const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:latest
";

/// Four findings on `web` (line 2), one on its image (line 3) and one in the block scalar
/// (line 5); four on `db` (line 7), two on its image (line 8) and one on the socket (line 10).
const COMPOSE: &str = "\
services:
  web:
    image: nginx:latest
    command: |
      sh -c \"wget https://example.com/x86_64/tool
      exec tool\"
  db:
    image: postgres:16
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
";

/// runs-as-root and mutable-image-tag on FROM (line 1); arch-specific-command on the second
/// line of a `\`-continued RUN (line 3).
const DOCKERFILE: &str = "\
FROM alpine:3.19
RUN apk add --no-cache curl && \\
    curl -fsSL https://example.com/tool-linux-amd64 -o /usr/local/bin/tool
CMD [\"tool\"]
";

#[test]
fn baseline_round_trip_reports_nothing_and_says_how_many() {
    let dir = repo("round-trip", &[("deploy/web.yaml", DEPLOYMENT), ("Dockerfile", DOCKERFILE)]);
    let before = json(&["--isolated"], &dir);
    assert_eq!(findings(&before).len(), 10, "{before}");

    let o = run(&["--isolated", "--write-baseline", "edgelint-baseline.json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "writing a baseline reports nothing");
    assert!(stderr(&o).contains("10 findings in 2 files"), "{}", stderr(&o));
    let text = read(&dir, "edgelint-baseline.json");
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["version"], 1);
    let entries = file["entries"].as_array().unwrap();
    // Sorted by path: `Dockerfile` before `deploy/web.yaml`; paths relative to the baseline.
    assert_eq!(entries[0]["path"], "Dockerfile");
    assert_eq!(entries.last().unwrap()["path"], "deploy/web.yaml");
    // The key is the place in the file, never a line number.
    let image = entries
        .iter()
        .find(|e| e["rule"] == "mutable-image-tag" && e["path"] == "deploy/web.yaml")
        .unwrap();
    assert_eq!(
        image["key"],
        "Deployment/web › containers[app] | Deployment/web › spec › template › spec › containers[app] › image"
    );
    // short-unreachable-toleration fires twice at one place (unreachable, not-ready): count 2.
    let toleration = entries.iter().find(|e| e["rule"] == "short-unreachable-toleration").unwrap();
    assert_eq!(toleration["count"], 2);
    assert_eq!(entries.iter().map(|e| e["count"].as_u64().unwrap()).sum::<u64>(), 10);
    // One entry per line, for review.
    assert_eq!(text.lines().count(), entries.len() + 5, "{text}");

    let o = run(&["--isolated", "--baseline", "edgelint-baseline.json", "--format", "human"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "no findings; 10 findings baselined\n");
    let v = json(&["--isolated", "--baseline", "edgelint-baseline.json"], &dir);
    assert_eq!(v["summary"]["diagnostics"], 0);
    assert_eq!(v["summary"]["baselined"], 10);
    assert_eq!(v["summary"]["stale_baseline_entries"], 0);
    // Concise prints no summary: the count goes to standard error.
    let o =
        run(&["--isolated", "--baseline", "edgelint-baseline.json", "--format", "concise"], &dir);
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("10 findings baselined"), "{}", stderr(&o));
    // Without a baseline the JSON summary has no baseline keys (schema unchanged).
    assert!(before["summary"].get("baselined").is_none());
}

#[test]
fn baseline_matches_from_a_subdirectory() {
    let dir = repo("subdir", &[("deploy/web.yaml", DEPLOYMENT)]);
    let o = run(&["--isolated", "--write-baseline", "baseline.json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&["--isolated", "--baseline", "../baseline.json", "."], &dir.join("deploy"));
    assert_eq!(findings(&v), vec![], "{v}");
    assert_eq!(v["summary"]["baselined"], 7);
    // And a baseline written from the subdirectory matches from the root.
    let o = run(&["--isolated", "--write-baseline", "../b2.json", "web.yaml"], &dir.join("deploy"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read(&dir, "b2.json").contains("\"path\":\"deploy/web.yaml\""));
    let v = json(&["--isolated", "--baseline", "b2.json"], &dir);
    assert_eq!(v["summary"]["baselined"], 7, "{v}");
}

#[test]
fn an_edit_above_keeps_findings_baselined_and_a_new_finding_is_reported() {
    let dir = repo("edits", &[("web.yaml", DEPLOYMENT)]);
    run(&["--isolated", "--write-baseline", "baseline.json"], &dir);
    // Lines added above every finding: labels, an annotation.
    let moved = DEPLOYMENT.replace(
        "  name: web\n",
        "  name: web\n  labels:\n    app: web\n    tier: front\n  annotations:\n    owner: ops\n",
    );
    std::fs::write(dir.join("web.yaml"), &moved).unwrap();
    let v = json(&["--isolated", "--baseline", "baseline.json"], &dir);
    assert_eq!(findings(&v), vec![], "{v}");
    assert_eq!(v["summary"]["baselined"], 7);

    // A second container: its findings are new (line 13 and its image line 14); the old ones
    // stay baselined.
    let added = format!("{moved}        - name: sidecar\n          image: busybox:1.36.1\n");
    std::fs::write(dir.join("web.yaml"), &added).unwrap();
    let o = run(&["--isolated", "--baseline", "baseline.json"], &dir);
    assert_eq!(o.status.code(), Some(1), "new findings fail the run");
    let v = json(&["--isolated", "--baseline", "baseline.json"], &dir);
    let found = findings(&v);
    assert_eq!(
        found,
        vec![
            ("missing-cpu-limit".to_string(), 16),
            ("missing-cpu-request".to_string(), 16),
            ("missing-memory-limit".to_string(), 16),
            ("runs-as-root".to_string(), 16),
        ],
        "{v}"
    );
    assert_eq!(v["summary"]["baselined"], 7);

    // Fixing a baselined finding leaves a stale entry, counted but not failing.
    let fixed = moved.replace("nginx:latest", "nginx:1.25.3");
    std::fs::write(dir.join("web.yaml"), fixed).unwrap();
    let o = run(&["--isolated", "--baseline", "baseline.json", "--format", "human"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).starts_with("no findings; 6 findings baselined; 1 stale baseline entry"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn baseline_key_in_the_configuration_is_relative_to_it() {
    let dir = repo(
        "config-key",
        &[
            (".edgelint.yaml", "baseline: ci/edgelint-baseline.json\n"),
            ("apps/web.yaml", DEPLOYMENT),
        ],
    );
    std::fs::create_dir_all(dir.join("ci")).unwrap();
    let o = run(&["--write-baseline", "ci/edgelint-baseline.json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Paths in the baseline are relative to its own directory.
    assert!(read(&dir, "ci/edgelint-baseline.json").contains("\"path\":\"../apps/web.yaml\""));
    // From a subdirectory, with no flag: the configuration's baseline applies.
    let v = json(&["."], &dir.join("apps"));
    assert_eq!(findings(&v), vec![], "{v}");
    assert_eq!(v["summary"]["baselined"], 7);
    let o = run(&["--show-settings", "web.yaml"], &dir.join("apps"));
    let settings: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        settings["baseline"].as_str().unwrap(),
        dir.join("ci/edgelint-baseline.json").to_str().unwrap()
    );
    // A missing baseline is an error, with the way to write one.
    std::fs::remove_file(dir.join("ci/edgelint-baseline.json")).unwrap();
    let o = run(&["."], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--write-baseline"), "{}", stderr(&o));
}

#[test]
fn parse_errors_are_baselined_but_said() {
    let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a, b\n";
    let dir = repo("parse-error", &[("cm.yaml", broken)]);
    let o = run(&["--isolated", "--write-baseline", "b.json"], &dir);
    assert!(stderr(&o).contains("1 of them are parse errors"), "{}", stderr(&o));
    let o = run(&["--isolated", "--baseline", "b.json"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("not linted at all"), "{}", stderr(&o));
}

#[test]
fn add_ignore_suppresses_every_finding_and_is_idempotent() {
    let dir = repo(
        "add-ignore",
        &[("Dockerfile", DOCKERFILE), ("compose.yaml", COMPOSE), ("k8s/web.yaml", DEPLOYMENT)],
    );
    let before = json(&["--isolated"], &dir);
    assert_eq!(findings(&before).len(), 26, "{before}");
    let o = run(&["--isolated", "--add-ignore=adopted in 2026-12"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("added 11 suppression comments in 3 files"), "{}", stderr(&o));

    // Dockerfile: before FROM, and before the continued RUN, never between its lines.
    assert_eq!(
        read(&dir, "Dockerfile"),
        "\
# edgelint: ignore[mutable-image-tag, runs-as-root] -- adopted in 2026-12
FROM alpine:3.19
# edgelint: ignore[arch-specific-command] -- adopted in 2026-12
RUN apk add --no-cache curl && \\
    curl -fsSL https://example.com/tool-linux-amd64 -o /usr/local/bin/tool
CMD [\"tool\"]
"
    );
    // Compose: the finding inside the block scalar gets its comment above `command:`.
    assert_eq!(
        read(&dir, "compose.yaml"),
        "\
services:
  # edgelint: ignore[missing-cpu-limit, missing-memory-limit, missing-restart-policy, runs-as-root, unbounded-container-logs] -- adopted in 2026-12
  web:
    # edgelint: ignore[mutable-image-tag] -- adopted in 2026-12
    image: nginx:latest
    # edgelint: ignore[arch-specific-command] -- adopted in 2026-12
    command: |
      sh -c \"wget https://example.com/x86_64/tool
      exec tool\"
  # edgelint: ignore[missing-cpu-limit, missing-memory-limit, missing-restart-policy, runs-as-root, short-shutdown-grace, unbounded-container-logs] -- adopted in 2026-12
  db:
    # edgelint: ignore[ephemeral-storage-for-data, mutable-image-tag] -- adopted in 2026-12
    image: postgres:16
    volumes:
      # edgelint: ignore[runtime-socket-mount] -- adopted in 2026-12
      - /var/run/docker.sock:/var/run/docker.sock
"
    );
    // Kubernetes: above the pod spec, the container item and the image.
    assert_eq!(
        read(&dir, "k8s/web.yaml"),
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    # edgelint: ignore[short-unreachable-toleration] -- adopted in 2026-12
    spec:
      containers:
        # edgelint: ignore[missing-cpu-limit, missing-cpu-request, missing-memory-limit, runs-as-root] -- adopted in 2026-12
        - name: app
          # edgelint: ignore[mutable-image-tag] -- adopted in 2026-12
          image: nginx:latest
"
    );
    // Then a lint run is clean (no finding, no unused suppression)...
    let o = run(&["--isolated", "--format", "concise"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
    // ...and a second --add-ignore adds nothing.
    let snapshot: Vec<String> =
        ["Dockerfile", "compose.yaml", "k8s/web.yaml"].iter().map(|p| read(&dir, p)).collect();
    let o = run(&["--isolated", "--add-ignore"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("added 0 suppression comments in 0 files"), "{}", stderr(&o));
    let again: Vec<String> =
        ["Dockerfile", "compose.yaml", "k8s/web.yaml"].iter().map(|p| read(&dir, p)).collect();
    assert_eq!(snapshot, again);
}

#[test]
fn add_ignore_leaves_alone_a_file_it_cannot_edit_safely() {
    // A manifest on one line (flow style) has no line to put a comment on; a file with a parse
    // error has no reliable comments. Both stay byte for byte; the others are edited.
    let one_line = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{\"name\": \"app\", \"image\": \"nginx:latest\"}]}}\n";
    let broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [a, b\n";
    let dir = repo(
        "add-ignore-untouched",
        &[("pod.yaml", one_line), ("broken.yaml", broken), ("Dockerfile", DOCKERFILE)],
    );
    let o = run(&["--isolated", "--add-ignore"], &dir);
    assert_eq!(o.status.code(), Some(1), "findings remain: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("pod.yaml: left untouched: no place for a comment"), "{err}");
    assert!(err.contains("broken.yaml: left untouched: it does not parse"), "{err}");
    assert!(
        err.contains("added 2 suppression comments in 1 file; left 2 files untouched"),
        "{err}"
    );
    assert_eq!(read(&dir, "pod.yaml"), one_line);
    assert_eq!(read(&dir, "broken.yaml"), broken);
    assert!(read(&dir, "Dockerfile").starts_with("# edgelint: ignore["));

    // `require-reason` without a reason: the comments would not suppress; nothing is written.
    let dir = repo(
        "add-ignore-reason",
        &[(".edgelint.yaml", "require-reason: true\n"), ("Dockerfile", DOCKERFILE)],
    );
    let o = run(&["--add-ignore"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`require-reason` is on"), "{}", stderr(&o));
    assert_eq!(read(&dir, "Dockerfile"), DOCKERFILE);

    // Standard input is never edited.
    let o = run(&["--add-ignore", "-"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not read standard input"), "{}", stderr(&o));
}

#[test]
fn init_writes_a_configuration_the_loader_reads() {
    let dir = repo("init-platform", &[("web.yaml", DEPLOYMENT)]);
    let o = run(&["init", "--platform", "linux/arm64", "--platform", "linux/amd64,arm64"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = read(&dir, ".edgelint.yaml");
    assert!(text.contains("\nplatforms: [linux/arm64, linux/amd64]\n"), "{text}");
    assert!(text.lines().filter(|l| l.starts_with('#')).count() > 40, "fully commented");
    // The configuration loader finds and reads it.
    let o = run(&["--show-settings", "web.yaml"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let settings: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(settings["config-files"], serde_json::json!([".edgelint.yaml"]));
    assert_eq!(settings["platforms"], serde_json::json!(["linux/arm64", "linux/amd64"]));
    assert_eq!(settings["platforms-configured"], true);
    assert_eq!(settings["failure-threshold"], "info", "the other keys keep their defaults");

    // An invalid platform is refused by the platform parser; nothing is written.
    let dir = repo("init-invalid", &[]);
    let o = run(&["init", "--platform", "linux"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid platform `linux`"), "{}", stderr(&o));
    assert!(!dir.join(".edgelint.yaml").exists());
}

#[test]
fn init_without_a_terminal_uses_the_offered_platforms_and_says_so() {
    let dir = repo("init-default", &[]);
    // `run` gives the binary no standard input (not a terminal).
    let o = run(&["init"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a terminal: using the platforms linux/amd64, linux/arm64"));
    assert!(read(&dir, ".edgelint.yaml").contains("\nplatforms: [linux/amd64, linux/arm64]\n"));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = repo("init-force", &[(".edgelint.yaml", "platforms: [linux/arm/v7]\n")]);
    let o = run(&["init", "--platform", "linux/arm64"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists; use `edgelint init --force`"), "{}", stderr(&o));
    assert_eq!(read(&dir, ".edgelint.yaml"), "platforms: [linux/arm/v7]\n");
    let o = run(&["init", "--platform", "linux/arm64", "--force"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read(&dir, ".edgelint.yaml").contains("\nplatforms: [linux/arm64]\n"));
    // The other name in the same directory: a directory holds one configuration file.
    let dir = repo("init-other-name", &[("edgelint.yaml", "platforms: [linux/arm64]\n")]);
    let o = run(&["init", "--force"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.join(".edgelint.yaml").exists());
}
