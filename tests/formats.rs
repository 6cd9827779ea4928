//! The CI formats through the real binary: snapshots of each on `examples/` (in
//! `tests/snapshots/`), the GitLab report against its schema, SARIF's structure over every
//! fixture, `--output`, fingerprints that survive inserted lines, UTF-16 columns and escaping.
//! `.ci/formats-e2e.sh` adds the external validators (sarif-multitool, xmllint).

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use common::{run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fresh directory under the target dir, removed first if it exists.
fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn report(format: &str, paths: &[&str], cwd: &Path) -> String {
    let mut args = vec!["--format", format];
    args.extend(paths);
    let o = run(&args, cwd);
    assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
    stdout(&o)
}

fn json(format: &str, paths: &[&str], cwd: &Path) -> Value {
    serde_json::from_str(&report(format, paths, cwd)).expect("valid JSON")
}

/// The SARIF log with what depends on the machine or the release replaced, and each rule's
/// help (its whole documentation, checked elsewhere) shortened to its first line.
fn sarif_for_snapshot(mut v: Value) -> Value {
    let run = &mut v["runs"][0];
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[root]/".into();
    run["tool"]["driver"]["version"] = "[version]".into();
    run["tool"]["driver"]["semanticVersion"] = "[version]".into();
    for rule in run["tool"]["driver"]["rules"].as_array_mut().unwrap() {
        let first = rule["help"]["markdown"].as_str().unwrap().lines().next().unwrap().to_string();
        rule["help"] =
            serde_json::json!({"text": format!("{first} …"), "markdown": format!("{first} …")});
    }
    v
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn snapshots_on_the_examples() {
    let root = common::root();
    snapshot_settings().bind(|| {
        for format in ["github", "gitlab", "checkstyle", "junit"] {
            insta::assert_snapshot!(
                format!("examples.{format}"),
                report(format, &["examples/"], &root)
            );
        }
        let sarif = sarif_for_snapshot(json("sarif", &["examples/"], &root));
        insta::assert_snapshot!("examples.sarif", serde_json::to_string_pretty(&sarif).unwrap());
    });
}

#[test]
fn gitlab_report_matches_the_documented_format() {
    let schema_text = std::fs::read_to_string(
        common::root().join("tests/schemas/gitlab-codequality.schema.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://edgelint.dev/schema/gitlab-codequality.json";
    compiler.add_resource(url, schema).unwrap();
    let index = compiler.compile(url, &mut schemas).unwrap();

    let report = report("gitlab", &["examples/", "fixtures/"], &common::root());
    assert!(!report.starts_with('\u{feff}'), "GitLab rejects a byte order mark");
    let v: Value = serde_json::from_str(&report).unwrap();
    if let Err(e) = schemas.validate(&v, index) {
        panic!("{e}");
    }
    let issues = v.as_array().unwrap();
    assert!(issues.len() > 100, "{}", issues.len());
    let mut fingerprints: Vec<&str> =
        issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    fingerprints.sort_unstable();
    let before = fingerprints.len();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), before, "GitLab shows one finding per fingerprint");
    // The schema rejects what GitLab would misread.
    let bad = serde_json::json!([{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "error", "location": {"path": "a"}}]);
    assert!(schemas.validate(&bad, index).is_err());
}

#[test]
fn sarif_over_every_fixture_is_consistent() {
    let v = json("sarif", &["examples/", "fixtures/"], &common::root());
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let registry = common::stdout(&run_ok(&["rules", "--format", "json"]));
    let registry: Value = serde_json::from_str(&registry).unwrap();
    for r in registry.as_array().unwrap() {
        assert!(ids.contains(&r["name"].as_str().unwrap()), "{}", r["name"]);
    }
    assert!(ids.contains(&"parse-error") && ids.contains(&"file-too-large"));
    for rule in rules {
        let markdown = rule["help"]["markdown"].as_str().unwrap();
        assert!(
            !markdown.contains("# fixture:") && !markdown.contains("# expect"),
            "{}",
            rule["id"]
        );
        assert!(rule["shortDescription"]["text"].as_str().unwrap().ends_with('.'));
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    let mut fingerprints = Vec::new();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("examples/") || uri.starts_with("fixtures/"), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        let (sl, el) = (region["startLine"].as_u64().unwrap(), region["endLine"].as_u64().unwrap());
        let (sc, ec) =
            (region["startColumn"].as_u64().unwrap(), region["endColumn"].as_u64().unwrap());
        assert!(sl >= 1 && sc >= 1 && (el > sl || (el == sl && ec >= sc)), "{region}");
        fingerprints.push((
            uri.to_string(),
            r["partialFingerprints"]["edgelint/v1"].as_str().unwrap().to_string(),
        ));
    }
    let before = fingerprints.len();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), before, "fingerprints are unique");
}

fn run_ok(args: &[&str]) -> std::process::Output {
    let o = run(args, &common::root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: historian
  namespace: plant
spec:
  selector:
    matchLabels: {app: historian}
  template:
    metadata:
      labels: {app: historian}
    spec:
      containers:
        - name: db
          image: postgres:16.4
          resources:
            limits: {cpu: 500m}
        - name: exporter
          image: prometheuscommunity/postgres-exporter:v0.15.0
          resources:
            limits: {cpu: 100m}
      tolerations: [{operator: Exists, effect: NoExecute}]
";

#[test]
fn output_file_gets_the_report_and_the_terminal_the_findings() {
    let dir = temp_dir("formats-output");
    std::fs::write(dir.join("deploy.yaml"), DEPLOYMENT).unwrap();
    // Only the rule this test is about, so new rules do not change its counts.
    let select = ["--select", "missing-memory-limit"];
    let o = run(
        &[&select[..], &["--format", "sarif", "--output", "report.sarif", "deploy.yaml"]].concat(),
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "the exit code is unchanged: {}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("deploy.yaml:14:") && lines[0].contains("error[missing-memory-limit]"),
        "{out}"
    );
    assert_eq!(lines[2], "edgelint: 2 errors in 1 file; sarif report written to report.sarif");
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    // A file that cannot be written is an error (exit 2); the findings are still shown.
    let o = run(
        &[&select[..], &["--format", "junit", "--output", "no/such/dir/r.xml", "deploy.yaml"]]
            .concat(),
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write no/such/dir/r.xml"), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("deploy.yaml:14:"));
}

#[test]
fn fingerprints_survive_lines_inserted_above() {
    let dir = temp_dir("formats-fingerprints");
    std::fs::write(dir.join("deploy.yaml"), DEPLOYMENT).unwrap();
    let fingerprints = |format: &str| -> Vec<(String, u64)> {
        let v = json(format, &["--select", "missing-memory-limit", "deploy.yaml"], &dir);
        if format == "sarif" {
            v["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let fp = r["partialFingerprints"]["edgelint/v1"].as_str().unwrap().to_string();
                    (
                        fp,
                        r["locations"][0]["physicalLocation"]["region"]["startLine"]
                            .as_u64()
                            .unwrap(),
                    )
                })
                .collect()
        } else {
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let fp = i["fingerprint"].as_str().unwrap().to_string();
                    (fp, i["location"]["positions"]["begin"]["line"].as_u64().unwrap())
                })
                .collect()
        }
    };
    let before = (fingerprints("sarif"), fingerprints("gitlab"));
    let moved = DEPLOYMENT
        .replace("apiVersion:", "# deployed by the plant team\n\napiVersion:")
        .replace("  template:", "  replicas: 1\n  template:");
    std::fs::write(dir.join("deploy.yaml"), moved).unwrap();
    let after = (fingerprints("sarif"), fingerprints("gitlab"));
    for (b, a) in [(&before.0, &after.0), (&before.1, &after.1)] {
        assert_eq!(b.len(), 2);
        assert_eq!(
            b.iter().map(|x| &x.0).collect::<Vec<_>>(),
            a.iter().map(|x| &x.0).collect::<Vec<_>>()
        );
        assert_eq!(a[0].1, b[0].1 + 3, "the finding moved down three lines");
    }
    assert_eq!(before.0[0].0, before.1[0].0, "SARIF and GitLab share the fingerprint");
}

#[test]
fn columns_with_non_ascii_text_before_a_finding() {
    let dir = temp_dir("formats-columns");
    // `é` is one UTF-16 unit, `😀` two: the image starts one UTF-16 unit later than its
    // character column.
    let compose =
        "services:\n  app: {labels: {x: \"é😀\"}, image: \"mysql:8.4\", mem_limit: 1g, cpus: 1, restart: always}\n";
    std::fs::write(dir.join("compose.yaml"), compose).unwrap();
    let concise = report(
        "concise",
        &[
            "--select",
            "single-arch-image,ephemeral-storage-for-data",
            "--platform",
            "linux/arm/v7",
            "compose.yaml",
        ],
        &dir,
    );
    // Two findings, both on the image.
    assert!(concise.lines().all(|l| l.starts_with("compose.yaml:2:35: ")), "{concise}");
    let char_column = concise.split(':').nth(2).unwrap().parse::<u64>().unwrap();
    let sarif = json(
        "sarif",
        &[
            "--select",
            "single-arch-image,ephemeral-storage-for-data",
            "--platform",
            "linux/arm/v7",
            "compose.yaml",
        ],
        &dir,
    );
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    let gitlab = json(
        "gitlab",
        &[
            "--select",
            "single-arch-image,ephemeral-storage-for-data",
            "--platform",
            "linux/arm/v7",
            "compose.yaml",
        ],
        &dir,
    );
    let begin = &gitlab[0]["location"]["positions"]["begin"];
    assert_eq!(begin["column"].as_u64().unwrap(), char_column, "GitLab counts characters");
    assert_eq!(
        region["startColumn"].as_u64().unwrap(),
        char_column + 1,
        "SARIF counts UTF-16 units"
    );
    let github = report(
        "github",
        &[
            "--select",
            "single-arch-image,ephemeral-storage-for-data",
            "--platform",
            "linux/arm/v7",
            "compose.yaml",
        ],
        &dir,
    );
    assert!(github.contains(&format!(",col={},", char_column + 1)), "{github}");
}

#[test]
fn user_text_is_escaped_in_every_format() {
    let dir = temp_dir("formats-escaping");
    let compose = "services:\n  app:\n    # edgelint: ignore[a%b<&>\"x\"] -- 100% sure\n    image: nginx:1.27\n    mem_limit: 1g\n    cpus: 1\n    restart: always\n";
    std::fs::write(dir.join("compose.yaml"), compose).unwrap();
    let github = report("github", &["--select", "unknown-rule", "compose.yaml"], &dir);
    assert!(github.starts_with("::error file=compose.yaml,line=3,endLine=3,"), "{github}");
    assert!(
        github.contains("::suppression names unknown rule `a%25b<&>\"x\"`%0A%0Ahelp: "),
        "{github}"
    );
    assert_eq!(github.lines().count(), 1);
    for format in ["checkstyle", "junit"] {
        let xml = report(format, &["--select", "unknown-rule", "compose.yaml"], &dir);
        assert!(xml.contains("`a%b&lt;&amp;&gt;&quot;x&quot;`"), "{format}: {xml}");
        assert!(!xml.contains("<&>"), "{format}");
    }
    let gitlab = json("gitlab", &["--select", "unknown-rule", "compose.yaml"], &dir);
    assert!(gitlab[0]["description"].as_str().unwrap().contains("`a%b<&>\"x\"`"));
}

#[test]
fn absolute_paths_under_the_current_directory_are_relative() {
    let root = common::root();
    let absolute = root.join("examples/compose.yaml");
    let sarif = json("sarif", &[absolute.to_str().unwrap()], &root);
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "examples/compose.yaml");
    let checkstyle = report("checkstyle", &[absolute.to_str().unwrap()], &root);
    assert!(checkstyle.contains("<file name=\"examples/compose.yaml\">"), "{checkstyle}");
    // Outside the current directory: an absolute file URI without a base.
    let elsewhere = root.join("examples");
    let sarif = json("sarif", &["../fixtures/missing-cpu-limit/invalid-list.k8s.yaml"], &elsewhere);
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("file:///")
            && uri.ends_with("/fixtures/missing-cpu-limit/invalid-list.k8s.yaml"),
        "{uri}"
    );
    assert!(location["artifactLocation"].get("uriBaseId").is_none());
}
