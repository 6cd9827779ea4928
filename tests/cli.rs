//! Contract tests of the real binary: exit codes, formats, stdin, discovery notes.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn edgelint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_edgelint"))
}

use common::{run, stderr, stdout};

fn run_stdin(args: &[&str], input: &str) -> Output {
    common::run_stdin(args, &common::root(), input)
}

/// A fresh directory under the target dir, removed first if it exists.
fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const BROKEN_K8S: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a, b\n";
const CLEAN_K8S: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n";

#[test]
fn exit_0_without_findings() {
    let dir = temp_dir("exit0");
    std::fs::write(dir.join("cm.yaml"), CLEAN_K8S).unwrap();
    let o = run(&["cm.yaml"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn exit_1_with_findings_and_concise_lines() {
    let dir = temp_dir("exit1");
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    let o = run(&["bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let line = out.lines().next().expect("a finding");
    assert!(line.starts_with("bad.yaml:"), "{line}");
    assert!(line.contains(": error[parse-error] "), "{line}");
}

#[test]
fn threshold_and_exit_zero_change_the_exit_code() {
    let dir = temp_dir("threshold");
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    assert_eq!(run(&["--failure-threshold", "none", "bad.yaml"], &dir).status.code(), Some(0));
    assert_eq!(run(&["--exit-zero", "bad.yaml"], &dir).status.code(), Some(0));
    assert_eq!(run(&["--failure-threshold", "error", "bad.yaml"], &dir).status.code(), Some(1));
}

#[test]
fn exit_2_for_a_missing_path_and_other_files_still_linted() {
    let dir = temp_dir("exit2");
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    let o = run(&["nope.yaml", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nope.yaml"), "{err}");
    assert!(stdout(&o).contains("bad.yaml:"), "the other file is still reported");
}

#[test]
fn exit_2_for_usage_errors() {
    let dir = temp_dir("usage");
    let o = run(&["--select", "missing-memory-limt", "."], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule `missing-memory-limt`"), "{}", stderr(&o));
    let o = run(&["--format", "xml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["explain", "nope"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--platform", "linux/", "."], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn json_format_has_positions_and_offsets() {
    let dir = temp_dir("json");
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    let o = run(&["--format", "json", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["path"], "bad.yaml");
    assert_eq!(d["rule"], "parse-error");
    assert_eq!(d["severity"], "error");
    assert!(d["start"]["line"].as_u64().unwrap() >= 5);
    assert!(d["start"]["offset"].is_u64());
    assert!(d["end"]["column"].is_u64());
}

#[test]
fn stdin_with_a_filename() {
    let o = run_stdin(&["--stdin-filename", "deploy.yaml", "-"], BROKEN_K8S);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("deploy.yaml:"), "{}", stdout(&o));
    let o = run_stdin(&["-"], CLEAN_K8S);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn stdin_kind_override() {
    let o = run_stdin(&["--kind", "dockerfile", "-"], "FORM alpine\n");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("parse-error"), "{}", stdout(&o));
}

#[test]
fn unrecognised_yaml_named_explicitly_is_said_walked_is_silent() {
    let dir = temp_dir("unrecognised");
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    let o = run(&["values.yaml"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("not a Dockerfile, Compose or Kubernetes file"), "{}", stderr(&o));
    let o = run(&["."], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}

#[test]
fn helm_templates_are_skipped_with_a_note() {
    let dir = temp_dir("helm");
    std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
    std::fs::write(
        dir.join("chart/templates/deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    let o = run(&["."], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("helm template"), "{}", stderr(&o));
}

#[test]
fn rules_and_explain_list_the_registry() {
    let dir = temp_dir("rules");
    let o = run(&["rules", "--format", "json"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let names: Vec<&str> =
        v.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    let want: Vec<&str> = edgelint::rules::all().iter().map(|r| r.meta().name).collect();
    assert_eq!(names, want);
    // every rule has a group (src/rules/groups.rs)
    for r in v.as_array().unwrap() {
        assert!(r["group"].is_string(), "{} has no group", r["name"]);
    }
    let single = v.as_array().unwrap().iter().find(|r| r["name"] == "single-arch-image").unwrap();
    assert_eq!(single["group"], "architecture");
    for name in want {
        let o = run(&["explain", name], &dir);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains(&format!("# {name}")));
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = temp_dir("pipe");
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a{i}\n"));
    }
    std::fs::write(dir.join("many.yaml"), text).unwrap();
    let mut child = edgelint()
        .args(["many.yaml"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(o.status.code().is_some());
}

#[test]
fn output_is_the_same_with_one_thread() {
    let root = common::root().join("examples");
    let a = run(&["--threads", "1", "--format", "json", "."], &root);
    let b = run(&["--format", "json", "."], &root);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.status.code(), b.status.code());
}

/// The README's first command: `edgelint examples/` shows each of the core rules at least once.
#[test]
fn examples_show_every_core_rule() {
    let o = run(&["--format", "json", "examples"], &common::root());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let rules: std::collections::BTreeSet<&str> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap()).collect();
    for rule in [
        "missing-memory-limit",
        "missing-cpu-limit",
        "single-arch-image",
        "ephemeral-storage-for-data",
        "aggressive-probe-timing",
        "arch-specific-command",
    ] {
        assert!(rules.contains(rule), "examples/ shows no {rule}: {rules:?}");
    }
    assert!(!rules.contains("parse-error"));
}

/// Image references whose platforms no source knows give no finding, but `--statistics` and
/// the JSON summary count them: distinct references over the run.
#[test]
fn unknown_platforms_are_counted_not_reported() {
    let dir = temp_dir("unknown-platforms");
    // Counted: an unknown registry image (twice, in two files), a COPY --from image, an
    // official image's tag that neither the tables nor a version line know. Not counted: a
    // variable, a digest, `scratch`, a stage, a known tag.
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM example.com/team/base:2 AS base\nFROM base\n\
         COPY --from=ghcr.io/example/tools:1 /t /t\nCOPY --from=${TOOLS} /u /u\n",
    )
    .unwrap();
    let digest = format!("mysql@sha256:{}", "a".repeat(64));
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "services:\n  a:\n    image: example.com/team/base:2\n  b:\n    image: python:2.7.18\n  \
             c:\n    image: ${{IMAGE}}\n  d:\n    image: {digest}\n  e:\n    image: alpine:3.22\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("scratch.Dockerfile"), "FROM scratch\nCOPY a /a\n").unwrap();
    let args = ["--select", "single-arch-image", "--isolated"];
    let files = ["Dockerfile", "compose.yaml", "scratch.Dockerfile"];
    let o = run(&[&args[..], &["--format", "json"], &files[..]].concat(), &dir);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["summary"]["unknown_platforms"], 3, "{json}");
    assert_eq!(json["summary"]["diagnostics"], 0, "{json}");

    let o = run(&[&args[..], &["--format", "concise", "--statistics"], &files[..]].concat(), &dir);
    assert_eq!(stdout(&o), "    3  image references with unknown platforms (not checked)\n");
    let o = run(&[&args[..], &["--format", "concise"], &files[..]].concat(), &dir);
    assert_eq!(stdout(&o), "");
    // Without single-arch-image nothing is looked up, so nothing is counted.
    let o = run(
        &["--select", "missing-memory-limit", "--isolated", "--format", "json", "compose.yaml"],
        &dir,
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["summary"]["unknown_platforms"], 0, "{json}");
}

/// pre-commit names every file that matches the hook's pattern, YAML that is neither Compose nor
/// Kubernetes included: with `--skip-unrecognised` those pass silently, the others are linted.
#[test]
fn skip_unrecognised_silences_named_files_of_no_known_kind() {
    let dir = temp_dir("skip-unrecognised");
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    std::fs::write(dir.join(".gitlab-ci.yml"), "stages: [build]\n").unwrap();
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    std::fs::write(dir.join("cm.yaml"), CLEAN_K8S).unwrap();

    let o = run(&["--skip-unrecognised", "values.yaml", ".gitlab-ci.yml", "cm.yaml"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "");

    let o = run(&["--skip-unrecognised", "values.yaml", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert!(stdout(&o).starts_with("bad.yaml:"), "{}", stdout(&o));

    // An over-size file of no known kind is skipped too, not reported as `file-too-large`.
    std::fs::write(dir.join("big.yaml"), format!("replicas: 3\n{}", "# pad\n".repeat(200)))
        .unwrap();
    let o = run(&["--skip-unrecognised", "--max-file-size", "100", "big.yaml"], &dir);
    assert_eq!((o.status.code(), stdout(&o), stderr(&o)), (Some(0), String::new(), String::new()));
    let o = run(&["--max-file-size", "100", "big.yaml"], &dir);
    assert_eq!(o.status.code(), Some(1), "without the flag a named file is always reported");

    // Without the flag, the note is still there; a missing file is an error either way.
    let o = run(&["values.yaml"], &dir);
    assert!(stderr(&o).contains("not a Dockerfile, Compose or Kubernetes file"), "{}", stderr(&o));
    let o = run(&["--skip-unrecognised", "nope.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

/// The human format ends with the offline way to read a rule's documentation, only when there
/// is a finding to read about.
#[test]
fn human_output_names_the_offline_docs() {
    let dir = temp_dir("offline-docs");
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    std::fs::write(dir.join("cm.yaml"), CLEAN_K8S).unwrap();
    let o = run(&["--format", "human", "--color", "never", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let last: Vec<&str> = out.lines().rev().take(2).collect();
    assert_eq!(
        last,
        ["a rule's documentation, offline: `edgelint explain <rule>`", "1 error in 1 file"]
    );
    let o = run(&["--format", "human", "--color", "never", "cm.yaml"], &dir);
    assert_eq!(stdout(&o), "no findings\n");
    // And what it points at works without the network.
    let o = run(&["explain", "missing-memory-limit"], &dir);
    assert!(stdout(&o).contains("## Why is this bad?"), "{}", stdout(&o));
}

/// `--version` gives the version and the date in the built-in image table's header.
#[test]
fn version_shows_the_image_table_date() {
    let table = std::fs::read_to_string(common::root().join("data/archdb.tsv")).unwrap();
    let header = table.lines().find(|l| l.starts_with("# Generated by")).expect("header");
    let date = header.rsplit_once('(').unwrap().1.split_once(')').unwrap().0;
    assert_eq!(date.len(), 10, "{header}");
    let o = run(&["--version"], &common::root());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("edgelint {} (image table {date})\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(edgelint::archdb::table_date(), date);
}

#[test]
fn completions_for_each_shell() {
    let dir = temp_dir("completions");
    for (shell, marker) in [
        ("bash", "complete -F _edgelint"),
        ("zsh", "#compdef edgelint"),
        ("fish", "complete -c edgelint"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = run(&["completions", shell], &dir);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["skip-unrecognised", "max-file-size", "explain", "completions"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
        if shell == "bash" {
            let path = dir.join("edgelint.bash");
            std::fs::write(&path, &script).unwrap();
            if let Ok(check) = Command::new("bash").arg("-n").arg(&path).output() {
                assert!(check.status.success(), "bash -n: {}", stderr(&check));
            }
        }
    }
    let o = run(&["completions", "tcsh"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_page_documents_the_options_and_commands() {
    let o = run(&["man"], &common::root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH edgelint 1"), "{page}");
    for word in
        [".SH NAME", ".SH OPTIONS", "skip\\-unrecognised", "max\\-file\\-size", "completions"]
    {
        assert!(page.contains(word), "the man page has {word}");
    }
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
}
