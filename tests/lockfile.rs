//! `edgelint.lock` in lint runs, through the real binary (offline; the registry side is
//! `tests/registry_e2e.rs`): found like the configuration file (nearest up to the repository
//! root, not with `--isolated`), read before the configuration's `images:`, a malformed one is
//! an error with its location, and `images check` without one says how to make it.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use common::{run, stderr, stdout};
use std::path::PathBuf;

fn repo(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lockfile-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn lock(lines: &[(&str, &str)]) -> String {
    let digest = format!("sha256:{}", "a".repeat(64));
    let mut s = "# edgelint.lock format 1\n".to_string();
    for (reference, platforms) in lines {
        s.push_str(&format!("{reference}\t{digest}\t{platforms}\t2026-12-04\n"));
    }
    s
}

const APP: &str = "registry.example.com/team/app";

fn lint(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--format", "concise", "--select", "single-arch-image"];
    args.extend_from_slice(extra);
    run(&args, dir)
}

#[test]
fn nearest_lockfile_wins_and_precedes_the_configuration() {
    let dir = repo(
        "nearest",
        &[
            ("Dockerfile", format!("FROM {APP}:1\n")),
            ("sub/Dockerfile", format!("FROM {APP}:1\n")),
            ("other/Dockerfile", format!("FROM {APP}:2\n")),
            ("edgelint.lock", lock(&[(&format!("{APP}:1"), "linux/amd64")])),
            (
                "sub/edgelint.lock",
                lock(&[(&format!("{APP}:1"), "linux/amd64,linux/arm/v7,linux/arm64")]),
            ),
            (".edgelint.yaml", format!("images:\n  {APP}: [linux/amd64, linux/arm64]\n")),
        ],
    );
    let o = lint(&dir, &["."]);
    let out = stdout(&o);
    // The root lockfile: amd64 only, ahead of the configuration's two platforms.
    assert!(out.contains(&format!("Dockerfile:1:6: error[single-arch-image] `{APP}:1` is published for linux/amd64; not for linux/arm64, linux/arm/v7")), "{out}");
    // sub/ has its own lockfile: every platform, no finding.
    assert!(!out.contains("sub/Dockerfile"), "{out}");
    // Tag 2 is not locked: the configuration answers.
    assert!(out.contains(&format!("other/Dockerfile:1:6: error[single-arch-image] `{APP}:2` is published for linux/amd64, linux/arm64; not for linux/arm/v7")), "{out}");
    // --isolated reads neither the configuration nor the lockfile: nothing is known, so the
    // image is only noted, once per run, at its first use.
    let o = lint(&dir, &["--isolated", "."]);
    assert_eq!(
        stdout(&o),
        format!("Dockerfile:1:6: info[single-arch-image] platforms unknown for `{APP}:1`: run `edgelint images lock`\nother/Dockerfile:1:6: info[single-arch-image] platforms unknown for `{APP}:2`: run `edgelint images lock`\n"),
        "{}",
        stderr(&o)
    );
    // --show-settings names the lockfile that applies.
    let o = run(&["--show-settings", "sub/Dockerfile"], &dir);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["lockfile"], "sub/edgelint.lock");
}

#[test]
fn lockfiles_outside_the_repository_are_not_read() {
    let outer = repo("outer", &[("edgelint.lock", lock(&[(&format!("{APP}:1"), "linux/amd64")]))]);
    let inner = outer.join("inner");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    std::fs::write(inner.join("Dockerfile"), format!("FROM {APP}:1\n")).unwrap();
    let o = lint(&inner, &["."]);
    assert_eq!(
        stdout(&o),
        format!("Dockerfile:1:6: info[single-arch-image] platforms unknown for `{APP}:1`: run `edgelint images lock`\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_malformed_lockfile_stops_the_run_with_its_location() {
    let dir = repo(
        "malformed",
        &[
            ("Dockerfile", format!("FROM {APP}:1\n")),
            (
                "edgelint.lock",
                format!(
                    "# edgelint.lock format 1\n{APP}:1\tsha256:nope\tlinux/amd64\t2026-12-04\n"
                ),
            ),
        ],
    );
    let o = lint(&dir, &["."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let column = APP.len() + 4;
    assert!(
        err.contains(&format!("edgelint.lock:2:{column}: `sha256:nope` is not a digest")),
        "{err}"
    );
    // images check: the same error; without a lockfile, how to make one.
    let o = run(&["images", "check"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a digest"), "{}", stderr(&o));
    std::fs::remove_file(dir.join("edgelint.lock")).unwrap();
    let o = run(&["images", "check"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("edgelint.lock: no lockfile; run `edgelint images lock` first"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn lock_without_images_writes_an_empty_lockfile_offline() {
    let dir =
        repo("empty", &[("compose.yaml", "services:\n  a:\n    image: ${IMAGE}\n".to_string())]);
    let o = run(&["images", "lock"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("edgelint.lock: 0 images locked"), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("edgelint.lock")).unwrap();
    assert!(text.starts_with("# edgelint.lock format 1\n"), "{text}");
    assert!(text.lines().all(|l| l.starts_with('#')), "{text}");
}
