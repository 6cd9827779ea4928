//! Configuration and suppression, through the real binary: discovery, `extends`, `--config`,
//! `--isolated`, precedence, `per-path`, every configuration error with its location, the
//! suppression forms, the hygiene rules, `require-reason`, and the JSON Schema.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{run, run_stdin, stderr, stdout};

/// A fresh repository (a directory with `.git`) under the target dir.
fn repo(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("config-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// `--show-settings PATH` as JSON.
fn settings(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--show-settings"];
    all.extend_from_slice(args);
    let o = run(&all, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// The content rules these tests do not exercise: they would fire on the small inputs below.
const OTHER_RULES: &str =
    "missing-memory-limit,missing-cpu-limit,ephemeral-storage-for-data,aggressive-probe-timing,arch-specific-command,\
     mutable-image-tag,pull-policy-always,missing-cpu-request,runs-as-root,privileged-container,cronjob-missed-schedules,\
     missing-restart-policy,short-unreachable-toleration,short-shutdown-grace,unbounded-container-logs,short-startup-budget,\
     remote-liveness-dependency,invalid-probe-spec,healthy-dependency-without-healthcheck,host-network-dns";

/// The concise findings as `line:col: severity[rule]`, per file.
fn findings(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .map(|l| {
            let (loc, rest) = l.split_once(": ").unwrap();
            let tag = rest.split_whitespace().next().unwrap();
            format!("{loc}: {tag}")
        })
        .collect()
}

/// A Dockerfile with one `unknown-rule` finding at 2:20.
const UNKNOWN_DF: &str =
    "FROM alpine:3.20.3\n# edgelint: ignore[no-such-rule] -- x\nRUN true\nUSER app\n";

#[test]
fn discovery_walks_up_to_the_repository_root() {
    let dir = repo(
        "discovery",
        &[
            (".edgelint.yaml", "platforms: [linux/arm64]\nfailure-threshold: warning\n"),
            ("a/b/deploy.yaml", ""),
        ],
    );
    let s = settings(&dir, &["a/b/deploy.yaml"]);
    assert_eq!(strings(&s["config-files"]), [".edgelint.yaml"]);
    assert_eq!(strings(&s["platforms"]), ["linux/arm64"]);
    assert_eq!(s["failure-threshold"], "warning");
    // From inside a subdirectory, with a relative path.
    let s = settings(&dir.join("a"), &["b/deploy.yaml"]);
    assert_eq!(strings(&s["platforms"]), ["linux/arm64"]);
    // `edgelint.yaml` is found too.
    let dir = repo("discovery-plain-name", &[("edgelint.yaml", "platforms: [arm64]\n")]);
    let s = settings(&dir, &["x.yaml"]);
    assert_eq!(strings(&s["config-files"]), ["edgelint.yaml"]);
    // And `.yml`, which was silently ignored; `--show-settings` names the file used.
    for name in [".edgelint.yml", "edgelint.yml"] {
        let dir = repo(&format!("discovery-{name}"), &[(name, "platforms: [linux/arm/v6]\n")]);
        let s = settings(&dir, &["x.yaml"]);
        assert_eq!(strings(&s["config-files"]), [name]);
        assert_eq!(strings(&s["platforms"]), ["linux/arm/v6"]);
    }
    let dir = repo(
        "discovery-yaml-and-yml",
        &[(".edgelint.yaml", ""), (".edgelint.yml", ""), ("Dockerfile", "FROM a\n")],
    );
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("(`.edgelint.yaml`, `.edgelint.yml`); keep one"), "{}", stderr(&o));
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let outer = repo("outer", &[(".edgelint.yaml", "not-a-key: 1\n")]);
    let inner = outer.join("inner");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    std::fs::write(inner.join("Dockerfile"), "FROM alpine:3.20.3\nUSER app\n").unwrap();
    let s = settings(&inner, &["Dockerfile"]);
    assert_eq!(strings(&s["config-files"]), Vec::<String>::new());
    assert_eq!(s["platforms-configured"], false);
    let o = run(&["Dockerfile"], &inner);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn both_names_in_one_directory_is_an_error() {
    let dir = repo(
        "both-names",
        &[(".edgelint.yaml", ""), ("edgelint.yaml", ""), ("Dockerfile", "FROM a\n")],
    );
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "holds more than one configuration file (`.edgelint.yaml`, `edgelint.yaml`); keep one"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nearest_wins_and_extends_builds_on_the_parent() {
    let dir = repo(
        "nested",
        &[
            (".edgelint.yaml", "platforms: [linux/arm64]\nfailure-threshold: warning\nrules:\n  unknown-rule: warning\n"),
            ("plain/.edgelint.yaml", "platforms: [linux/amd64]\n"),
            (
                "extending/.edgelint.yaml",
                "extends: ../.edgelint.yaml\nplatforms: [linux/amd64]\nrules:\n  unknown-rule: {severity: info}\n",
            ),
        ],
    );
    let s = settings(&dir, &["plain/x.yaml"]);
    assert_eq!(strings(&s["config-files"]), ["plain/.edgelint.yaml"]);
    assert_eq!(strings(&s["platforms"]), ["linux/amd64"]);
    // Not inherited without `extends`.
    assert_eq!(s["failure-threshold"], "info");
    assert_eq!(s["rules"]["unknown-rule"]["severity"], "error");
    let s = settings(&dir, &["extending/x.yaml"]);
    assert_eq!(strings(&s["config-files"]), [".edgelint.yaml", "extending/.edgelint.yaml"]);
    assert_eq!(strings(&s["platforms"]), ["linux/amd64"]);
    assert_eq!(s["failure-threshold"], "warning");
    // The nearer file's level beats the one it extends.
    assert_eq!(s["rules"]["unknown-rule"]["severity"], "info");
    let s = settings(&dir, &["x.yaml"]);
    assert_eq!(s["rules"]["unknown-rule"]["severity"], "warning");
}

#[test]
fn extends_errors_point_at_the_extends_value() {
    let dir = repo(
        "extends-errors",
        &[
            ("a/.edgelint.yaml", "# missing\nextends: ../nothing.yaml\n"),
            ("b/.edgelint.yaml", "extends: ../c/.edgelint.yaml\n"),
            ("c/.edgelint.yaml", "extends: ../b/.edgelint.yaml\n"),
        ],
    );
    let o = run(&["--show-settings", "a/x.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "edgelint: a/.edgelint.yaml:2:10: cannot read `extends` target nothing.yaml: no such file or directory\n"
    );
    let o = run(&["--show-settings", "b/x.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "edgelint: c/.edgelint.yaml:1:10: `extends` makes a cycle through b/.edgelint.yaml\n"
    );
}

#[test]
fn explicit_config_overrides_discovery_and_isolated_reads_none() {
    let dir = repo(
        "explicit",
        &[
            (".edgelint.yaml", "platforms: [linux/arm64]\n"),
            ("sub/.edgelint.yaml", "platforms: [linux/riscv64]\n"),
            (
                "ci/edgelint.yaml",
                "platforms: [linux/amd64]\nper-path:\n  \"sub/**\":\n    unknown-rule: off\n",
            ),
            ("broken/.edgelint.yaml", "plaforms: [x]\n"),
            ("broken/Dockerfile", UNKNOWN_DF),
        ],
    );
    let s = settings(&dir, &["--config", "ci/edgelint.yaml", "sub/x.yaml"]);
    assert_eq!(strings(&s["config-files"]), ["ci/edgelint.yaml"]);
    assert_eq!(strings(&s["platforms"]), ["linux/amd64"]);
    // With --config, its globs are relative to the current directory.
    assert_eq!(s["rules"]["unknown-rule"]["enabled"], false);
    let s = settings(&dir, &["--isolated", "sub/x.yaml"]);
    assert_eq!(strings(&s["config-files"]), Vec::<String>::new());
    assert_eq!(s["platforms-configured"], false);
    // A broken configuration is not read under --isolated.
    let o = run(&["--isolated", "broken/Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(findings(&o), ["broken/Dockerfile:2:20: error[unknown-rule]"]);
    let o = run(&["broken/Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let o = run(&["--isolated", "--config", "ci/edgelint.yaml", "."], &dir);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--config", "missing.yaml", "broken/Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "edgelint: missing.yaml: cannot read: no such file or directory\n");
}

#[test]
fn command_line_beats_configuration() {
    let dir = repo(
        "precedence",
        &[
            (".edgelint.yaml", "platforms: [linux/arm64]\nfailure-threshold: error\nrules:\n  unknown-rule: off\n  unused-suppression: error\n"),
            ("Dockerfile", UNKNOWN_DF),
        ],
    );
    let s =
        settings(&dir, &["--platform", "linux/amd64", "--failure-threshold", "none", "Dockerfile"]);
    assert_eq!(strings(&s["platforms"]), ["linux/amd64"]);
    assert_eq!(s["failure-threshold"], "none");
    // `off` in the configuration: nothing.
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    // --select turns it back on.
    let o = run(&["--select", "unknown-rule", "Dockerfile"], &dir);
    assert_eq!(findings(&o), ["Dockerfile:2:20: error[unknown-rule]"]);
    // --ignore wins over a configured severity.
    let o =
        run(&["--ignore", "unused-suppression", "--select", "unknown-rule", "Dockerfile"], &dir);
    assert_eq!(findings(&o), ["Dockerfile:2:20: error[unknown-rule]"]);
}

#[test]
fn severity_overrides_and_failure_threshold_from_configuration() {
    let dir = repo(
        "severity",
        &[
            (".edgelint.yaml", "failure-threshold: error\nrules:\n  unknown-rule: warning\n"),
            ("Dockerfile", UNKNOWN_DF),
        ],
    );
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(findings(&o), ["Dockerfile:2:20: warning[unknown-rule]"]);
    // A warning is under the configured threshold.
    assert_eq!(o.status.code(), Some(0));
    let o = run(&["--failure-threshold", "warning", "Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn per_path_settings_apply_to_matching_files_only() {
    let dir = repo(
        "per-path",
        &[
            (
                ".edgelint.yaml",
                "rules:\n  unknown-rule: warning\nper-path:\n  \"examples/**\":\n    unknown-rule: off\n  \"legacy/*\":\n    unknown-rule: {severity: info}\n",
            ),
            ("examples/a/Dockerfile", UNKNOWN_DF),
            ("legacy/Dockerfile", UNKNOWN_DF),
            ("legacy/deep/Dockerfile", UNKNOWN_DF),
            ("app/Dockerfile", UNKNOWN_DF),
        ],
    );
    let o = run(&["."], &dir);
    assert_eq!(
        findings(&o),
        [
            "app/Dockerfile:2:20: warning[unknown-rule]",
            "legacy/Dockerfile:2:20: info[unknown-rule]",
            // `*` does not cross `/`.
            "legacy/deep/Dockerfile:2:20: warning[unknown-rule]",
        ]
    );
    let s = settings(&dir, &["examples/a/Dockerfile"]);
    assert_eq!(s["rules"]["unknown-rule"]["enabled"], false);
    // A glob without `/` also matches the file name anywhere below.
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "per-path:\n  \"*.dev.Dockerfile\": {unknown-rule: off}\n",
    )
    .unwrap();
    let s = settings(&dir, &["deep/er/x.dev.Dockerfile"]);
    assert_eq!(s["rules"]["unknown-rule"]["enabled"], false);
    let s = settings(&dir, &["deep/er/x.Dockerfile"]);
    assert_eq!(s["rules"]["unknown-rule"]["enabled"], true);
    // A subdirectory's per-path globs are relative to that directory.
    std::fs::write(
        dir.join("app/.edgelint.yaml"),
        "extends: ../.edgelint.yaml\nper-path:\n  Dockerfile: {unknown-rule: off}\n",
    )
    .unwrap();
    let s = settings(&dir, &["app/Dockerfile"]);
    assert_eq!(s["rules"]["unknown-rule"]["enabled"], false);
}

#[test]
fn per_path_platforms_replace_the_top_level_ones_and_the_command_line_wins() {
    let dir = repo(
        "per-path-platforms",
        &[
            (
                ".edgelint.yaml",
                "platforms: [linux/amd64, linux/arm64]\nper-path:\n  \"gateway/**\":\n    platforms: [linux/arm/v7]\n    unknown-rule: off\n",
            ),
            ("gateway/Dockerfile", UNKNOWN_DF),
            ("cloud/Dockerfile", UNKNOWN_DF),
        ],
    );
    let s = settings(&dir, &["gateway/Dockerfile"]);
    assert_eq!(s["platforms"], serde_json::json!(["linux/arm/v7"]));
    assert_eq!(s["rules"]["unknown-rule"]["enabled"], false);
    let s = settings(&dir, &["cloud/Dockerfile"]);
    assert_eq!(s["platforms"], serde_json::json!(["linux/amd64", "linux/arm64"]));
    let s = settings(&dir, &["gateway/Dockerfile", "--platform", "linux/riscv64"]);
    assert_eq!(s["platforms"], serde_json::json!(["linux/riscv64"]));
    // An invalid platform is an error at its place.
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "per-path:\n  \"a/**\":\n    platforms: [linux/nope/x/y]\n",
    )
    .unwrap();
    let o = run(&["."], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn exclude_applies_to_walked_files_relative_to_the_configuration() {
    let dir = repo(
        "exclude",
        &[
            ("deploy/.edgelint.yaml", "exclude: [generated, \"*.tmp.Dockerfile\"]\n"),
            ("deploy/generated/Dockerfile", UNKNOWN_DF),
            ("deploy/x.tmp.Dockerfile", UNKNOWN_DF),
            ("deploy/Dockerfile", UNKNOWN_DF),
            ("generated/Dockerfile", UNKNOWN_DF),
        ],
    );
    let o = run(&["."], &dir);
    assert_eq!(
        findings(&o),
        [
            "deploy/Dockerfile:2:20: error[unknown-rule]",
            "generated/Dockerfile:2:20: error[unknown-rule]"
        ]
    );
    // Named files are linted, unless --force-exclude.
    let o = run(&["deploy/generated/Dockerfile"], &dir);
    assert_eq!(findings(&o).len(), 1);
    let o = run(&["--force-exclude", "deploy/generated/Dockerfile"], &dir);
    assert_eq!(stdout(&o), "");
    assert_eq!(o.status.code(), Some(0));
    let s = settings(&dir, &["deploy/generated/Dockerfile"]);
    assert_eq!(s["excluded"], true);
}

#[test]
fn stdin_uses_the_configuration_of_its_filename() {
    let dir = repo("stdin", &[("sub/.edgelint.yaml", "rules:\n  unknown-rule: info\n")]);
    let o = run_stdin(&["--stdin-filename", "sub/Dockerfile", "-"], &dir, UNKNOWN_DF);
    assert_eq!(findings(&o), ["sub/Dockerfile:2:20: info[unknown-rule]"]);
    let o = run_stdin(&["--kind", "dockerfile", "-"], &dir, UNKNOWN_DF);
    assert_eq!(findings(&o), ["-:2:20: error[unknown-rule]"]);
}

#[test]
fn configuration_errors_point_at_line_and_column() {
    let cases: &[(&str, &str)] = &[
        ("plaforms: [linux/arm64]\n", "1:1: unknown key `plaforms`; did you mean `platforms`?"),
        ("platforms: linux/arm64\n", "1:12: `platforms` must be a list"),
        ("platforms: []\n", "1:12: `platforms` needs at least one platform"),
        (
            "platforms:\n  - linux/arm64\n  - linux\n",
            "3:5: invalid platform `linux`: `linux` names only an operating system; add the architecture, e.g. `linux/arm64`",
        ),
        (
            "platforms: [linux/arm64, linux/arm65]\n",
            "1:26: invalid platform `linux/arm65`: `linux/arm65` is not a platform edgelint knows as a target; did you mean `linux/arm64`?",
        ),
        (
            "per-path:\n  \"edge/**\":\n    platforms: [linux/armv7]\n",
            "3:17: invalid platform `linux/armv7`: `linux/armv7` is not a platform edgelint knows as a target; did you mean `linux/arm/v7`?",
        ),
        (
            "failure-threshold: high\n",
            "1:20: invalid `failure-threshold` `high`; expected error, warning, info or none",
        ),
        ("require-reason: yes\n", "1:17: `require-reason` must be `true` or `false`"),
        ("rules:\n  unknwn-rule: off\n", "2:3: unknown rule `unknwn-rule`; did you mean `unknown-rule`?"),
        ("rules:\n  zzz: off\n", "2:3: unknown rule `zzz`; `edgelint rules` lists them"),
        (
            "rules:\n  unknown-rule: of\n",
            "2:17: invalid level `of` for `unknown-rule`; expected off, info, warning or error; did you mean `off`?",
        ),
        (
            "rules:\n  unknown-rule: {severty: info}\n",
            "2:18: unknown key `severty` for `unknown-rule`, which has no options; only `severity`; did you mean `severity`?",
        ),
        (
            "rules:\n  unknown-rule: [info]\n",
            "2:17: `unknown-rule` takes a level (off, info, warning, error) or a mapping with `severity` and options",
        ),
        ("rules: [unknown-rule]\n", "1:8: `rules` must be a mapping of rule names to settings"),
        ("exclude: [\"a[\"]\n", "1:11: invalid glob `a[`: unclosed character class; missing ']'"),
        ("per-path:\n  \"a/**\":\n    unknwn-rule: off\n", "3:5: unknown rule `unknwn-rule`; did you mean `unknown-rule`?"),
        ("images:\n  registry.example.com/app: linux/arm64\n", "2:29: the platforms of `registry.example.com/app` must be a list"),
        ("images:\n  \"Bad Name\": [linux/arm64]\n", "2:3: invalid image name `Bad Name`: "),
        ("registries:\n  locl: [a]\n", "2:3: unknown key `locl` in `registries`; did you mean `local`?"),
        ("registries:\n  local: a\n", "2:10: `registries.local` must be a list"),
        (
            "registries:\n  local: [\"https://registry.local\"]\n",
            "2:11: `https://registry.local` is not a registry host; write `host` or `host:port`, without a scheme or path",
        ),
        ("device:\n  memory: 4GB\n", "2:11: invalid quantity `4GB` for `device.memory`; expected e.g. `4`, `1500m`, `4Gi`"),
        ("device:\n  reserved: {memry: 1Gi}\n", "2:14: unknown key `memry` in `device.reserved`; did you mean `memory`?"),
        ("extends: [a]\n", "1:10: `extends` must be a string"),
        ("platforms: [linux/arm64\n", "1:12: unclosed bracket '['"),
        ("a: 1\n---\nb: 2\n", "2:1: a configuration file holds one YAML document"),
        ("- platforms\n", "1:1: the configuration must be a mapping"),
        ("rules:\n  unknown-rule: off\n  unknown-rule: info\n", "3:3: duplicate key `unknown-rule`"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let dir =
            repo(&format!("error-{i}"), &[(".edgelint.yaml", text), ("Dockerfile", "FROM a\n")]);
        let o = run(&["Dockerfile"], &dir);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{text}");
        let err = stderr(&o);
        let want = format!("edgelint: .edgelint.yaml:{want}");
        assert!(err.starts_with(&want), "{text}\nwant: {want}\ngot:  {err}");
        assert_eq!(err.lines().count(), 1, "{text}: {err}");
    }
}

#[test]
fn every_error_of_a_file_is_reported() {
    let dir = repo(
        "many-errors",
        &[(".edgelint.yaml", "plaforms: [x]\nrules:\n  nope: off\n"), ("Dockerfile", "FROM a\n")],
    );
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "edgelint: .edgelint.yaml:1:1: unknown key `plaforms`; did you mean `platforms`?\n\
         edgelint: .edgelint.yaml:3:3: unknown rule `nope`; `edgelint rules` lists them\n"
    );
}

const COMPOSE: &str = "services:
  web:
    image: nginx:1.27
    x-edgelint: {ignore: [unknown-rule], reason: names from edgelint 2 below}
    # edgelint: ignore[retired-rule] -- 1
    restart: always
  db:
    image: postgres:16
    # edgelint: ignore[retired-rule] -- 2
    restart: always
";

#[test]
fn compose_suppression_forms() {
    let dir = repo("compose", &[("compose.yaml", COMPOSE)]);
    let o = run(&["--ignore", OTHER_RULES, "compose.yaml"], &dir);
    // The service-level x-edgelint covers the web service only.
    assert_eq!(findings(&o), ["compose.yaml:9:24: error[unknown-rule]"]);
    // Top-level x-edgelint covers the document; the service's is then unused.
    let top = format!("x-edgelint: {{ignore: [unknown-rule], reason: all}}\n{COMPOSE}");
    std::fs::write(dir.join("compose.yaml"), top).unwrap();
    let o = run(&["--ignore", OTHER_RULES, "compose.yaml"], &dir);
    assert_eq!(findings(&o), Vec::<String>::new());
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    edgelint.io/ignore: \"unknown-rule -- object\"
spec:
  template:
    metadata:
      annotations:
        edgelint.io/ignore: \"invalid-suppression -- template\"
    spec:
      containers:
        # edgelint: ignore[retired-rule] -- in the template
        - name: app
          image: nginx
      # edgelint: ignor[x]
      restartPolicy: Always
";

#[test]
fn kubernetes_annotations_at_both_levels() {
    let dir = repo("k8s", &[("deploy.yaml", DEPLOYMENT)]);
    let o = run(&["--ignore", OTHER_RULES, "deploy.yaml"], &dir);
    // The template's annotation wins inside the template: the object's `unknown-rule` does not
    // reach the comment there, and is itself unused; the template's covers the bad comment.
    assert_eq!(
        findings(&o),
        ["deploy.yaml:6:26: warning[unused-suppression]", "deploy.yaml:14:28: error[unknown-rule]"]
    );
    // Without the template's annotation, the object's covers everything in it.
    let text = DEPLOYMENT.replace(
        "      annotations:\n        edgelint.io/ignore: \"invalid-suppression -- template\"\n",
        "      labels: {}\n",
    );
    std::fs::write(dir.join("deploy.yaml"), text).unwrap();
    let o = run(&["--ignore", OTHER_RULES, "deploy.yaml"], &dir);
    assert_eq!(findings(&o), ["deploy.yaml:16:7: error[invalid-suppression]"]);
}

#[test]
fn dockerfile_suppression_forms_and_hygiene() {
    let text = "# edgelint: ignore-file[invalid-suppression] -- old comments\n\
                FROM alpine:3.20.3\n\
                # edgelint: ignor[x]\n\
                # edgelint: ignore[unknown-rule] -- nothing unknown below\n\
                RUN true\n\
                # hadolint ignore=DL3018\n\
                # edgelint: ignore[retired-rule, unknown-rule] -- kept for edgelint 1.x\n\
                RUN apk add curl\n\
                USER app\n";
    let dir = repo("dockerfile", &[("Dockerfile", text)]);
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(findings(&o), ["Dockerfile:4:20: warning[unused-suppression]"]);
    let o = run(&["--format", "json", "Dockerfile"], &dir);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["message"], "suppression of `unknown-rule` matches no finding");
    assert_eq!(d["end"]["column"], 32);
}

#[test]
fn require_reason() {
    let dir = repo(
        "require-reason",
        &[
            (".edgelint.yaml", "require-reason: true\n"),
            (
                "Dockerfile",
                "FROM alpine:3.20.3\n# edgelint: ignore[no-such-rule, unknown-rule]\nRUN true\nUSER app\n",
            ),
        ],
    );
    // Without a reason the suppression covers nothing: its own unknown name is reported too.
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(
        findings(&o),
        ["Dockerfile:2:1: error[invalid-suppression]", "Dockerfile:2:20: error[unknown-rule]"]
    );
    std::fs::write(dir.join("Dockerfile"), "FROM alpine:3.20.3\n# edgelint: ignore[no-such-rule, unknown-rule] -- kept for 2.x\nRUN true\nUSER app\n").unwrap();
    let o = run(&["Dockerfile"], &dir);
    assert_eq!(findings(&o), Vec::<String>::new());
    assert_eq!(o.status.code(), Some(0));
}

/// The first `yaml` block of the README's Configuration section.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = readme.split("\n## Configuration\n").nth(1).expect("## Configuration");
    let block = section.split("```yaml\n").nth(1).expect("a yaml block");
    block.split("\n```").next().unwrap().to_string() + "\n"
}

fn to_json(text: &str) -> Value {
    let stream = edgelint::document::yaml::parse_stream(text, &Default::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    edgelint::config::yaml_to_json(stream.documents[0].root().unwrap())
}

#[test]
fn schema_validates_the_readme_example_and_rejects_bad_configurations() {
    let dir = repo("schema", &[]);
    let o = run(&["config", "--schema"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let schema: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    for rule in edgelint::rules::all() {
        assert!(schema["$defs"]["rules"]["properties"][rule.meta().name].is_object());
    }

    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("https://edgelint.dev/schema/edgelint.json", schema).unwrap();
    let index =
        compiler.compile("https://edgelint.dev/schema/edgelint.json", &mut schemas).unwrap();

    let example = readme_example();
    // edgelint itself accepts the README's example.
    edgelint::config::parse::parse("README.md", &example).expect("the README example is valid");
    let valid = to_json(&example);
    assert!(
        schemas.validate(&valid, index).is_ok(),
        "{:?}",
        schemas.validate(&valid, index).err().map(|e| e.to_string())
    );
    for bad in [
        "plaforms: [linux/arm64]\n",
        "platforms: linux/arm64\n",
        "failure-threshold: high\n",
        "rules:\n  unknown-rule: of\n",
        "rules:\n  unknwn-rule: off\n",
        "rules:\n  unknown-rule: {severity: info, extra: 1}\n",
        "registries: {locl: [a]}\n",
        "device: {memory: [4Gi]}\n",
        "require-reason: 1\n",
    ] {
        let v = to_json(bad);
        assert!(schemas.validate(&v, index).is_err(), "schema accepts {bad:?}");
        assert!(edgelint::config::parse::parse("x", bad).is_err(), "edgelint accepts {bad:?}");
    }
}

#[test]
fn config_without_schema_flag_is_a_usage_error() {
    let dir = repo("config-usage", &[]);
    let o = run(&["config"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn yaml_trailing_comments_and_ignore_file_per_document() {
    let text = "# edgelint: ignore-file[unknown-rule] -- first document only
apiVersion: v1
kind: ConfigMap
metadata:
  name: a  # edgelint: ignore[retired] -- covered by ignore-file
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b  # edgelint: ignore[retired-too, unknown-rule] -- covers itself
data:
  x: \"1\"  # edgelint: ignore[retired-three]
";
    let dir = repo("yaml-forms", &[("cm.yaml", text)]);
    let o = run(&["cm.yaml"], &dir);
    assert_eq!(findings(&o), ["cm.yaml:12:30: error[unknown-rule]"]);
    assert_eq!(o.status.code(), Some(1));
}

/// Every suppression form silences a real rule (`single-arch-image`: MySQL 8.4 has no 32-bit ARM
/// build), and each is reported unused where the image is fine.
#[test]
fn suppression_forms_silence_a_real_rule() {
    let cases: &[(&str, &str)] = &[
        ("Dockerfile", "# edgelint: ignore[single-arch-image] -- x86 gateway only\nFROM IMAGE\n"),
        ("Dockerfile", "FROM IMAGE\n# edgelint: ignore-file[single-arch-image] -- x86 gateway only\n"),
        ("compose.yaml", "services:\n  db:\n    image: IMAGE  # edgelint: ignore[single-arch-image] -- x86\n"),
        ("compose.yaml", "services:\n  db:\n    # edgelint: ignore[single-arch-image] -- x86\n    image: IMAGE\n"),
        ("compose.yaml", "services:\n  db:\n    image: IMAGE\n    x-edgelint: {ignore: [single-arch-image], reason: x86}\n"),
        ("compose.yaml", "x-edgelint: {ignore: [single-arch-image], reason: x86}\nservices:\n  db:\n    image: IMAGE\n"),
        (
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  annotations:\n    edgelint.io/ignore: single-arch-image -- x86\nspec:\n  containers:\n    - name: db\n      image: IMAGE\n",
        ),
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: db\nspec:\n  template:\n    metadata:\n      annotations:\n        edgelint.io/ignore: single-arch-image -- x86\n    spec:\n      containers:\n        # edgelint: ignore[single-arch-image] -- x86\n        - name: db\n          image: IMAGE\n",
        ),
    ];
    for (i, (name, text)) in cases.iter().enumerate() {
        let dir = repo(&format!("real-{i}"), &[(name, &text.replace("IMAGE", "mysql:8.4"))]);
        let o = run(&["--platform", "linux/arm/v7", "--ignore", OTHER_RULES, name], &dir);
        assert_eq!(findings(&o), Vec::<String>::new(), "{text}");
        assert_eq!(o.status.code(), Some(0), "{text}");
        let o = run(
            &["--platform", "linux/arm/v7", "--isolated", "--select", "single-arch-image", name],
            &dir,
        );
        assert_eq!(o.status.code(), Some(0), "--select keeps the suppression working: {text}");
        // Without the suppression the rule fires.
        let bare: String = text
            .lines()
            .map(|l| l.split("  # edgelint").next().unwrap_or(l))
            .filter(|l| !l.contains("edgelint"))
            .map(|l| l.to_string() + "\n")
            .collect();
        std::fs::write(dir.join(name), bare.replace("IMAGE", "mysql:8.4")).unwrap();
        let o = run(&["--platform", "linux/arm/v7", name], &dir);
        assert!(stdout(&o).contains("error[single-arch-image]"), "{bare}");
        // On an image that has the build, the suppression is unused.
        std::fs::write(dir.join(name), text.replace("IMAGE", "postgres:17")).unwrap();
        let o = run(&["--platform", "linux/arm/v7", "--ignore", OTHER_RULES, name], &dir);
        let f = findings(&o);
        assert_eq!(f.len(), text.matches("edgelint").count(), "{text}: {f:?}");
        assert!(f.iter().all(|f| f.ends_with("warning[unused-suppression]")), "{text}: {f:?}");
    }
}

/// A configured severity replaces the rule's own escalation.
#[test]
fn configured_severity_replaces_a_rules_escalation() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      livenessProbe:\n        httpGet: {path: /, port: 80}\n        periodSeconds: 1\n        failureThreshold: 3\n";
    let dir = repo("escalation", &[("pod.yaml", pod)]);
    let o = run(&["--select", "aggressive-probe-timing", "pod.yaml"], &dir);
    assert!(
        findings(&o).iter().any(|f| f.ends_with("error[aggressive-probe-timing]")),
        "{}",
        stdout(&o)
    );
    std::fs::write(dir.join(".edgelint.yaml"), "rules:\n  aggressive-probe-timing: info\n")
        .unwrap();
    let o = run(&["--select", "aggressive-probe-timing", "pod.yaml"], &dir);
    let f = findings(&o);
    assert!(
        !f.is_empty() && f.iter().all(|f| f.ends_with("info[aggressive-probe-timing]")),
        "{f:?}"
    );
}

/// A rule option from the config file changes a threshold (aggressive-probe-timing's window):
/// a 30 s liveness window passes by default and is flagged with `min-failure-window-seconds: 60`.
#[test]
fn rule_options_change_a_threshold() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      livenessProbe:\n        httpGet: {path: /, port: 80}\n        timeoutSeconds: 3\n        periodSeconds: 10\n        failureThreshold: 3\n";
    let dir = repo("options", &[("pod.yaml", pod)]);
    let o = run(&["--select", "aggressive-probe-timing", "pod.yaml"], &dir);
    assert_eq!(findings(&o), Vec::<String>::new());
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "rules:\n  aggressive-probe-timing:\n    min-failure-window-seconds: 60\n    min-timeout-seconds: 4\n",
    )
    .unwrap();
    let o = run(&["--select", "aggressive-probe-timing", "--format", "json", "pod.yaml"], &dir);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "aggressive-probe-timing");
    assert_eq!(
        d["message"],
        "liveness probe gives up after 30s (3 × 10s) with a 3s timeout; edge nodes need ≥ 60s and a timeout ≥ 4s"
    );
    // A wrong type is a located config error.
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "rules:\n  aggressive-probe-timing:\n    min-timeout-seconds: soon\n",
    )
    .unwrap();
    let o = run(&["pod.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("edgelint: .edgelint.yaml:3:26: "), "{}", stderr(&o));
}

/// `images:` tells single-arch-image the platforms of a private image the built-in table cannot
/// know; globs match, the most specific entry wins.
#[test]
fn configured_images_feed_single_arch_image() {
    let compose = "services:\n  app:\n    image: registry.example.com/team/app:1.4\n  other:\n    image: registry.example.com/team/tool:2\n";
    let dir = repo("images", &[("compose.yaml", compose)]);
    let o = run(&["--select", "single-arch-image", "compose.yaml"], &dir);
    assert_eq!(
        findings(&o),
        [
            "compose.yaml:3:12: info[single-arch-image]",
            "compose.yaml:5:12: info[single-arch-image]"
        ],
        "unknown images are only noted (platforms unknown)"
    );
    assert_eq!(o.status.code(), Some(0), "the note never fails the run");
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "images:\n  registry.example.com/team/*: [linux/amd64, linux/arm64, linux/arm/v7]\n  registry.example.com/team/app: [linux/amd64]\n",
    )
    .unwrap();
    let o = run(&["--select", "single-arch-image", "compose.yaml"], &dir);
    assert_eq!(findings(&o), ["compose.yaml:3:12: error[single-arch-image]"]);
    assert!(
        stdout(&o).contains("is published for linux/amd64; not for linux/arm64, linux/arm/v7"),
        "{}",
        stdout(&o)
    );
}

/// ephemeral-storage-for-data's options add data paths and stateful images.
#[test]
fn stateful_image_and_data_path_options() {
    let compose = "services:\n  historian:\n    image: registry.example.com/plant/historian:3\n    tmpfs: /srv/sensor-buffer/queue\n";
    let dir = repo("stateful", &[("compose.yaml", compose)]);
    let o = run(&["--select", "ephemeral-storage-for-data", "compose.yaml"], &dir);
    assert_eq!(findings(&o), Vec::<String>::new());
    std::fs::write(
        dir.join(".edgelint.yaml"),
        "rules:\n  ephemeral-storage-for-data:\n    data-paths: [/srv/sensor-buffer]\n    stateful-images: [\"registry.example.com/plant/historian=/var/lib/historian\"]\n",
    )
    .unwrap();
    let o = run(&["--select", "ephemeral-storage-for-data", "compose.yaml"], &dir);
    assert_eq!(
        findings(&o),
        [
            "compose.yaml:3:12: warning[ephemeral-storage-for-data]",
            "compose.yaml:4:12: warning[ephemeral-storage-for-data]"
        ],
        "{}",
        stdout(&o)
    );
}
