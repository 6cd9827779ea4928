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
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let o = run(&["."], &dir);
    assert_eq!(o.status.code(), Some(0));
    // No note per walked file; only that the run linted nothing, and why.
    assert_eq!(
        stderr(&o),
        "edgelint: no file was linted: 1 file skipped (not a Dockerfile, Compose file or \
         Kubernetes manifest)\n"
    );
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
    let mut want: Vec<&str> = edgelint::rules::all().iter().map(|r| r.meta().name).collect();
    want.extend(["parse-error", "file-too-large"]);
    want.sort_unstable();
    assert_eq!(names, want);
    let built_in: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["built_in"] == true)
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(built_in, ["file-too-large", "parse-error"]);
    // every rule has a group (src/rules/groups.rs)
    for r in v.as_array().unwrap() {
        assert!(r["group"].is_string(), "{} has no group", r["name"]);
    }
    let single = v.as_array().unwrap().iter().find(|r| r["name"] == "single-arch-image").unwrap();
    assert_eq!(single["group"], "architecture");
    for name in want {
        let o = run(&["explain", name], &dir);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(stdout(&o).contains(&format!("# {name}")));
        // The test-harness lines of the examples are not shown.
        assert!(!stdout(&o).contains("# fixture:"), "{name}");
    }
    let o = run(&["rules"], &dir);
    assert!(stdout(&o).lines().any(|l| l.starts_with("parse-error ")), "{}", stdout(&o));
}

/// `explain` pages only on a terminal: in a pipe the text is printed even with a pager set.
#[test]
fn explain_in_a_pipe_is_not_paged() {
    let dir = temp_dir("explain-pipe");
    let o = edgelint()
        .args(["explain", "single-arch-image"])
        .current_dir(&dir)
        .env("PAGER", "echo paged")
        .env("LINES", "2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("single-arch-image: "), "{out}");
    assert!(out.contains("## Example"), "{out}");
    assert!(!out.contains("# fixture:") && !out.contains("paged\n"), "{out}");
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

/// Image references whose platforms no source knows: `--statistics` and the JSON summary count
/// them (distinct references over the run), and `single-arch-image` reports each once per run,
/// at info level and at its first use in path order; `report-unknown: false` turns that off.
#[test]
fn unknown_platforms_are_counted_and_reported_once_per_run() {
    let dir = temp_dir("unknown-platforms");
    // Unknown: a registry image (twice, in two files), a COPY --from image, an official
    // image's tag that neither the tables nor a version line know. Not unknown: a variable, a
    // digest, `scratch`, a stage, a known tag, a bake named context (`FROM deps`).
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
    std::fs::write(dir.join("z.Dockerfile"), "FROM deps\nCOPY a /a\n").unwrap();
    let args = ["--select", "single-arch-image", "--isolated"];
    let files = ["Dockerfile", "compose.yaml", "scratch.Dockerfile", "z.Dockerfile"];
    let o = run(&[&args[..], &["--format", "json"], &files[..]].concat(), &dir);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["summary"]["unknown_platforms"], 3, "{json}");
    assert_eq!(json["summary"]["diagnostics"], 3, "{json}");
    assert_eq!(json["summary"]["by_severity"]["info"], 3, "{json}");

    let o = run(&[&args[..], &["--format", "concise"], &files[..]].concat(), &dir);
    // `example.com/team/base:2` is in both files: reported in `Dockerfile` (first in path
    // order) only. Info findings do not fail the run.
    assert_eq!(
        stdout(&o),
        "Dockerfile:1:6: info[single-arch-image] platforms unknown for `example.com/team/base:2`: run `edgelint images lock`\n\
         Dockerfile:3:13: info[single-arch-image] platforms unknown for `ghcr.io/example/tools:1`: run `edgelint images lock`\n\
         compose.yaml:5:12: info[single-arch-image] platforms unknown for `python:2.7.18`: run `edgelint images lock`\n"
    );
    assert_eq!(o.status.code(), Some(0));
    let o = run(&[&args[..], &["--format", "concise", "--statistics"], &files[..]].concat(), &dir);
    assert!(
        stdout(&o).ends_with(
            "    3  image references with unknown platforms (not checked)\n    4  files checked\n    \
             2  files with findings\n"
        ),
        "{}",
        stdout(&o)
    );

    // Turned off: counted, not reported.
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "rules:\n  single-arch-image:\n    report-unknown: false\n",
    )
    .unwrap();
    let args = ["--select", "single-arch-image"];
    let o = run(&[&args[..], &["--format", "json"], &files[..]].concat(), &dir);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["summary"]["unknown_platforms"], 3, "{json}");
    assert_eq!(json["summary"]["diagnostics"], 0, "{json}");
    std::fs::remove_file(dir.join(".edgelint.yaml")).unwrap();

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

const COMPOSE_CONFIG: &str = "name: app\nservices:\n  db:\n    image: postgres:16\nnetworks:\n  default:\n    name: app_default\n";

/// `docker compose config | edgelint -`: Compose is recognised by content on standard input,
/// and standard input of no known kind is an error, never a silent pass.
#[test]
fn stdin_compose_by_content_and_unrecognised_stdin_fails() {
    let dir = temp_dir("stdin-compose");
    let args = ["--isolated", "--select", "missing-memory-limit", "-"];
    let o = common::run_stdin(&args, &dir, COMPOSE_CONFIG);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "-:3:3: error[missing-memory-limit] service `db` has no memory limit\n");

    let o = common::run_stdin(&["--isolated", "-"], &dir, "replicas: 3\n");
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("standard input is not a Dockerfile, Compose or Kubernetes file"));
    // A GitLab CI file (a `services` list) is not Compose on standard input either.
    let o = common::run_stdin(&["--isolated", "-"], &dir, "services:\n  - docker:dind\n");
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    // Editors that send every YAML file skip the others with --skip-unrecognised.
    let args = ["--isolated", "--skip-unrecognised", "--stdin-filename", "values.yaml"];
    let o = common::run_stdin(&args, &dir, "replicas: 3\n");
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));
}

/// An invalid `--exclude` glob stops the run before linting, as an invalid configuration does.
#[test]
fn invalid_exclude_glob_lints_nothing() {
    let dir = temp_dir("bad-exclude");
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    let o = run(&["--isolated", "--exclude", "a[", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "", "nothing is linted");
    assert!(stderr(&o).contains("invalid --exclude pattern `a[`"), "{}", stderr(&o));
}

/// Editors pass `--stdin-filename` (alone: it implies `-`) with `--force-exclude`, which must
/// apply to that name as to a named file, from `--exclude` and from the configuration.
#[test]
fn stdin_filename_implies_stdin_and_honours_force_exclude() {
    let dir = temp_dir("stdin-force-exclude");
    std::fs::create_dir_all(dir.join("vendor-x")).unwrap();
    std::fs::write(dir.join(".edgelint.yaml"), "exclude: [\"gen/**\"]\n").unwrap();
    let o = common::run_stdin(&["--stdin-filename", "deploy.yaml"], &dir, BROKEN_K8S);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("deploy.yaml:5:"), "{}", stdout(&o));

    for args in [
        &["--stdin-filename", "vendor-x/deploy.yaml", "--exclude", "vendor-x", "--force-exclude"][..],
        &["--stdin-filename", "gen/deploy.yaml", "--force-exclude", "-"][..],
    ] {
        let o = common::run_stdin(args, &dir, BROKEN_K8S);
        assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()), "{args:?}");
    }
    // Without --force-exclude the named input is linted, as a named file is.
    let o = common::run_stdin(&["--stdin-filename", "gen/deploy.yaml"], &dir, BROKEN_K8S);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // With other paths, standard input must still be placed with `-`.
    let o = common::run_stdin(&["--stdin-filename", "x.yaml", "."], &dir, BROKEN_K8S);
    assert_eq!(o.status.code(), Some(2));
}

/// A mistyped `--platform` is a usage error with the canonical name, not a target that turns
/// every image into a `single-arch-image` error; `riscv64` (an official platform) is accepted.
#[test]
fn platforms_are_validated_with_the_canonical_name() {
    let dir = temp_dir("platform-names");
    std::fs::write(dir.join("compose.yaml"), "services:\n  db:\n    image: postgres:16\n").unwrap();
    for (given, want) in [("linux/armv7", "linux/arm/v7"), ("linux/arm65", "linux/arm64")] {
        let o = run(&["--isolated", "--platform", given, "compose.yaml"], &dir);
        assert_eq!(o.status.code(), Some(2), "{given}");
        assert_eq!(stdout(&o), "", "{given}: nothing is linted");
        assert!(
            stderr(&o).contains(&format!("invalid --platform `{given}`: ")),
            "{given}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(&format!("did you mean `{want}`?")), "{}", stderr(&o));
    }
    let args = ["--isolated", "--select", "single-arch-image", "--platform", "riscv64"];
    let o = run(&[&args[..], &["compose.yaml"]].concat(), &dir);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()), "{}", stderr(&o));
}

/// A binary file named `Dockerfile` gives one `parse-error` at its first NUL byte (not one per
/// garbage line, nor an extra UTF-8 one), and no file gives more than 20 parse errors.
#[test]
fn binary_files_and_parse_error_floods_are_bounded() {
    let dir = temp_dir("binary");
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    for i in 0..20_000u32 {
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n', (i % 250) as u8, b' ', b'R', b'U', b'N']);
    }
    std::fs::write(dir.join("Dockerfile"), &bytes).unwrap();
    let o = run(&["--isolated", "Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "Dockerfile:1:8: error[parse-error] file is binary (a NUL byte at offset 7), not a \
         Dockerfile; it was not linted\n"
    );

    let garbage: String = (0..100).map(|i| format!("FROMX a{i}\n")).collect();
    std::fs::write(dir.join("x.Dockerfile"), garbage).unwrap();
    let o = run(&["--isolated", "--select", "parse-error", "x.Dockerfile"], &dir);
    let out = stdout(&o);
    // "no FROM" and 100 unknown instructions: the first 20 are shown, the last says the rest.
    assert_eq!(out.lines().count(), 20, "{out}");
    assert!(out.lines().all(|l| l.contains("error[parse-error]")), "{out}");
    assert!(
        out.lines().last().unwrap().ends_with(
            "x.Dockerfile:19:1: error[parse-error] unknown instruction 'FROMX' (81 more parse \
             errors after this one not shown)"
        ),
        "{out}"
    );
}

/// `--exit-zero` says which errors still exit 2; `--select` says that built-in findings are
/// still reported, in its help and, when one is shown, in a note.
#[test]
fn exit_zero_and_select_say_what_they_do_not_cover() {
    let dir = temp_dir("select-note");
    let o = run(&["--help"], &dir);
    let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("(usage and I/O errors still exit 2)"), "{help}");
    assert!(help.contains("`parse-error` and `file-too-large` are still reported"), "{help}");

    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    let o = run(&["--isolated", "--select", "missing-memory-limit", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[parse-error]"), "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        "edgelint: note: `parse-error` findings are reported whatever --select says; \
         `--ignore parse-error` hides them\n"
    );
    let o = run(&["--isolated", "--select", "missing-memory-limit,parse-error", "bad.yaml"], &dir);
    assert_eq!(stderr(&o), "", "selected by name: no note");
    let o = run(
        &["--isolated", "--select", "missing-memory-limit", "--ignore", "parse-error", "bad.yaml"],
        &dir,
    );
    assert_eq!((o.status.code(), stdout(&o), stderr(&o)), (Some(0), String::new(), String::new()));
}

/// On a terminal (`script` gives one), a doc longer than `LINES` goes through `$PAGER`.
#[test]
fn explain_on_a_terminal_is_paged() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("no `script`: skipped");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_edgelint");
    let o = Command::new("script")
        .args(["-qc", &format!("{bin} explain single-arch-image"), "/dev/null"])
        .env("PAGER", "sed -n 1p")
        .env("LINES", "10")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = stdout(&o).replace('\r', "");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("single-arch-image: "), "{out}");
}

/// `# edgelint ignore[…]` (no colon) is an `invalid-suppression`, not a silent no-op; an
/// unknown rule in a suppression suggests the closest name.
#[test]
fn near_miss_suppressions_and_misspelt_rules_are_reported_with_help() {
    let dir = temp_dir("near-miss");
    std::fs::write(
        dir.join("Dockerfile"),
        "# edgelint ignore[runs-as-root]\nFROM alpine:3.20.3\n# edgelint: ignore[runs-as-rot]\nRUN true\nUSER app\n",
    )
    .unwrap();
    let o = run(&["--isolated", "--format", "json", "Dockerfile"], &dir);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let found: Vec<(String, u64, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["start"]["line"].as_u64().unwrap(),
                d["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("invalid-suppression", 1));
    assert_eq!((found[1].0.as_str(), found[1].1), ("unknown-rule", 3));
    assert!(found[1].2.starts_with("did you mean `runs-as-root`?"), "{found:?}");
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("needs a colon"));
}

/// The adoption issue's Compose case: a suppression as the first line inside a service covers
/// the finding on the service's key; a misplaced one says where the finding is instead of
/// telling the user to delete it.
#[test]
fn a_suppression_opening_a_service_covers_its_key() {
    let dir = temp_dir("compose-block-suppression");
    let args = ["--isolated", "--select", "missing-memory-limit,unused-suppression"];
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  db:\n    # edgelint: ignore[missing-memory-limit] -- sized by the vendor\n    image: postgres:16\n",
    )
    .unwrap();
    let o = run(&[&args[..], &["compose.yaml"]].concat(), &dir);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()), "{}", stderr(&o));

    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  db:\n    image: postgres:16\n    # edgelint: ignore[missing-memory-limit]\n    restart: always\n",
    )
    .unwrap();
    let o = run(&[&args[..], &["--format", "json", "compose.yaml"]].concat(), &dir);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let unused = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unused-suppression")
        .expect("unused-suppression");
    let help = unused["help"].as_str().unwrap();
    assert!(
        help.starts_with("the `missing-memory-limit` finding is on line 2, which this comment does not cover: move the comment to the line above line 2"),
        "{help}"
    );
}

/// `docs/json-format.md`'s example is the real output of the command it shows (its rule exists,
/// its message is the rule's), and the summary counts the files checked and skipped.
#[test]
fn the_json_format_doc_example_is_real_output() {
    let doc = std::fs::read_to_string(common::root().join("docs/json-format.md")).unwrap();
    let block = |tag: &str| {
        let start = doc.find(&format!("```{tag}\n")).unwrap() + tag.len() + 4;
        doc[start..start + doc[start..].find("```").unwrap()].to_string()
    };
    let want: serde_json::Value = serde_json::from_str(&block("json")).unwrap();
    let dir = temp_dir("json-doc-example");
    std::fs::create_dir_all(dir.join("deploy")).unwrap();
    std::fs::write(dir.join("deploy/compose.yaml"), block("yaml")).unwrap();
    std::fs::write(dir.join("deploy/values.yaml"), "replicaCount: 2\n").unwrap();
    let command = "edgelint --select mutable-image-tag --statistics --format json deploy/";
    assert!(doc.contains(&format!("`{command}`")), "the doc shows the command");
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let o = run(&[&["--isolated"], &args[..]].concat(), &dir);
    let got: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(got, want);
}

/// `--statistics` counts files checked, with findings and skipped with the reason; a run that
/// linted nothing says so (human summary, or a note on stderr for the other formats).
#[test]
fn statistics_count_files_and_an_empty_run_says_nothing_was_linted() {
    let dir = temp_dir("file-statistics");
    std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("bad.yaml"), BROKEN_K8S).unwrap();
    std::fs::write(dir.join("cm.yaml"), CLEAN_K8S).unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    std::fs::write(dir.join("big.yaml"), format!("{CLEAN_K8S}{}", "# pad\n".repeat(100))).unwrap();
    std::fs::write(
        dir.join("chart/templates/d.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .x }}}\n",
    )
    .unwrap();
    let o = run(
        &["--isolated", "--statistics", "--max-file-size", "300", "--format", "concise", "."],
        &dir,
    );
    let out = stdout(&o);
    let tail: Vec<&str> = out.lines().skip_while(|l| !l.ends_with("files checked")).collect();
    assert_eq!(
        tail,
        [
            "    2  files checked",
            "    2  files with findings",
            "    1  file skipped: not a Dockerfile, Compose file or Kubernetes manifest",
            "    1  file skipped: Helm chart template",
            "    1  file skipped: over --max-file-size, not read",
        ],
        "{out}"
    );

    let o = run(&["--isolated", "empty"], &dir);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()));
    assert_eq!(
        stderr(&o),
        "edgelint: no file was linted: no Dockerfile, Compose file or Kubernetes manifest was found\n"
    );
    let o = run(&["--isolated", "--format", "human", "--color", "never", "empty"], &dir);
    assert_eq!(
        stdout(&o),
        "no file was linted: no Dockerfile, Compose file or Kubernetes manifest was found\n"
    );
    assert_eq!(stderr(&o), "");
    let o = run(&["--isolated", "--format", "json", "empty"], &dir);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["summary"]["files_checked"], 0);
}

/// `inspect -` reads standard input; a missing file is said the same way by `inspect` and the
/// lint run.
#[test]
fn inspect_reads_stdin_and_missing_files_read_alike() {
    let dir = temp_dir("inspect-stdin");
    let o =
        common::run_stdin(&["inspect", "-"], &dir, "services:\n  db:\n    image: postgres:16\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["kind"], "compose");
    assert_eq!(v["model"]["services"][0]["name"]["value"], "db", "{v}");
    let o = common::run_stdin(&["inspect", "--kind", "dockerfile", "-"], &dir, "FROM alpine\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let lint = run(&["--isolated", "nope.yaml"], &dir);
    let inspect = run(&["inspect", "nope.yaml"], &dir);
    assert_eq!(stderr(&lint), "edgelint: no such file or directory: nope.yaml\n");
    assert_eq!(stderr(&inspect), stderr(&lint));
    assert_eq!((lint.status.code(), inspect.status.code()), (Some(2), Some(2)));
}

/// Human output wraps its messages and help to the terminal's width (`COLUMNS` honoured) on a
/// terminal only (`script` gives one); in a pipe it is unchanged.
#[test]
fn human_output_wraps_to_the_terminal_width_only_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("no `script`: skipped");
        return;
    }
    let dir = temp_dir("terminal-width");
    std::fs::write(dir.join("compose.yaml"), "services:\n  db:\n    image: postgres:16\n").unwrap();
    let args = "--isolated --select missing-memory-limit --format human --color never compose.yaml";
    let bin = env!("CARGO_BIN_EXE_edgelint");
    let o = Command::new("script")
        .args(["-qc", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(&dir)
        .env("COLUMNS", "50")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let tty = stdout(&o).replace('\r', "");
    let help: Vec<&str> = tty
        .lines()
        .skip_while(|l| !l.starts_with("  help:"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(help.len() > 2, "the help is wrapped: {tty}");
    assert!(help.iter().all(|l| l.chars().count() <= 50), "{help:#?}");

    let piped = run(&args.split(' ').collect::<Vec<_>>(), &dir);
    let piped = stdout(&piped);
    let help_line = piped.lines().find(|l| l.starts_with("  help:")).unwrap();
    assert!(help_line.chars().count() > 50, "a pipe is not wrapped: {piped}");
    assert_eq!(
        help.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" "),
        help_line.trim(),
        "the same words"
    );
}

/// A file the `kustomization.yaml` next to it lists as a patch is partial: no finding claims a
/// default for a field it does not set; the same file outside a kustomization is judged whole.
#[test]
fn kustomization_patches_are_partial() {
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  \
                 selector: {matchLabels: {app: web}}\n  template:\n    spec:\n      \
                 containers:\n      - name: web\n        image: nginx:1.27.0\n        \
                 livenessProbe:\n          httpGet: {path: /, port: 80}\n          \
                 periodSeconds: 5\n";
    let args = ["--select", "aggressive-probe-timing,missing-memory-limit", "web.yaml"];
    let whole = temp_dir("kustomize-whole");
    std::fs::write(whole.join("web.yaml"), patch).unwrap();
    let out = stdout(&run(&args, &whole));
    assert!(out.contains("1s timeout (default)"), "{out}");
    assert!(out.contains("missing-memory-limit"), "{out}");

    let overlay = temp_dir("kustomize-overlay");
    std::fs::write(overlay.join("web.yaml"), patch).unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources: [../base]\npatches:\n- path: web.yaml\n",
    )
    .unwrap();
    let o = run(&args, &overlay);
    assert_eq!(stdout(&o), "", "{}", stderr(&o));
}
