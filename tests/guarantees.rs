//! Guarantees of the real binary, each tested over the examples and the shared corpus (when
//! present):
//!
//! - it never writes to the files it lints (size, mtime and a content hash of every file, and
//!   the list of entries, are the same after a run);
//! - its output is byte-identical from run to run and whatever the thread count, in every
//!   format;
//! - it touches no network: run under `strace` over the examples, it makes no network system
//!   call at all (not even a socket), and run in a network namespace without interfaces
//!   (`unshare --net`), its output is unchanged.
//!   Both need tools and privileges that may be missing; the dependency-level guarantee (no
//!   networking crate can enter the build) is `tests/dependencies.rs`.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

fn edgelint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_edgelint"));
    c.stdin(Stdio::null());
    c
}

/// The inputs: the examples and, when present, the corpus.
fn inputs() -> Vec<PathBuf> {
    let mut paths = vec![common::root().join("examples")];
    paths.extend(common::corpus());
    paths
}

/// The examples alone, for the slower traced runs.
fn examples() -> Vec<PathBuf> {
    vec![common::root().join("examples")]
}

fn run(args: &[&str], paths: &[PathBuf]) -> Output {
    edgelint().args(args).args(paths).output().expect("run edgelint")
}

/// FNV-1a 64 of the bytes.
fn fnv(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Every entry under `root` (links not followed): path → (kind, size, mtime, content hash).
fn snapshot(root: &Path, out: &mut BTreeMap<PathBuf, (String, u64, Option<SystemTime>, u64)>) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let kind = if meta.is_dir() {
                stack.push(path.clone());
                "dir"
            } else if meta.is_file() {
                "file"
            } else {
                "other"
            };
            let hash = if meta.is_file() { fnv(&std::fs::read(&path).expect("read")) } else { 0 };
            out.insert(path, (kind.to_string(), meta.len(), meta.modified().ok(), hash));
        }
    }
}

#[test]
fn never_writes_to_what_it_lints() {
    let paths = inputs();
    let mut before = BTreeMap::new();
    for p in &paths {
        snapshot(p, &mut before);
    }
    assert!(before.len() >= 3);
    // Every file is read the same way whatever the format.
    let o = run(&["--format", "json", "--statistics"], &paths);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
    let o = edgelint()
        .arg("inspect")
        .arg(common::root().join("examples/kubernetes.yaml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let mut after = BTreeMap::new();
    for p in &paths {
        snapshot(p, &mut after);
    }
    let changed: Vec<_> = before
        .iter()
        .filter(|(path, v)| after.get(*path) != Some(v))
        .map(|(path, _)| path)
        .chain(after.keys().filter(|p| !before.contains_key(*p)))
        .collect();
    assert!(changed.is_empty(), "changed or created by a run: {changed:#?}");
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let paths = inputs();
    for format in ["concise", "json", "human"] {
        let args = ["--format", format, "--statistics", "--color", "always"];
        let default = run(&args, &paths);
        let single = run(&[&args[..], &["--threads", "1"]].concat(), &paths);
        assert!(!default.stdout.is_empty(), "{format}: no output to compare");
        assert!(
            default.stdout == single.stdout,
            "{format}: output differs between the default and --threads 1"
        );
        assert_eq!(default.stderr, single.stderr, "{format}: stderr differs");
        assert_eq!(default.status.code(), single.status.code());
        if format == "json" {
            let again = run(&args, &paths);
            assert!(default.stdout == again.stdout, "json: output differs between two runs");
            let v: serde_json::Value = serde_json::from_slice(&default.stdout).expect("JSON");
            assert!(v["summary"]["files"].is_u64());
        }
    }
}

/// Runs a command and returns its output, or `None` if it could not run at all.
fn try_run(cmd: &mut Command) -> Option<Output> {
    cmd.stdin(Stdio::null()).output().ok()
}

#[cfg(target_os = "linux")]
#[test]
fn no_network_system_calls() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-network");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("strace.log");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=%network", "-e", "signal=none", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_edgelint"))
        .args(["--format", "json"])
        .args(examples());
    let Some(o) = try_run(&mut cmd) else {
        eprintln!("strace not available; skipped");
        return;
    };
    let traced = std::fs::read_to_string(&log).unwrap_or_default();
    if !matches!(o.status.code(), Some(0 | 1)) || !log.exists() {
        // No ptrace here (a container without CAP_SYS_PTRACE): nothing to assert.
        eprintln!("strace cannot trace here: {}; skipped", String::from_utf8_lossy(&o.stderr));
        return;
    }
    let calls: Vec<&str> = traced.lines().filter(|l| !l.contains("+++ exited")).collect();
    assert!(calls.is_empty(), "network system calls:\n{}", calls.join("\n"));
    // Same output as without strace: the traced run really linted.
    let plain = run(&["--format", "json"], &examples());
    assert!(o.stdout == plain.stdout, "traced output differs");
}

#[cfg(target_os = "linux")]
#[test]
fn same_output_without_any_network() {
    let mut cmd = Command::new("unshare");
    cmd.args(["--net", "--"])
        .arg(env!("CARGO_BIN_EXE_edgelint"))
        .args(["--format", "concise"])
        .args(examples());
    let Some(o) = try_run(&mut cmd) else {
        eprintln!("unshare not available; skipped");
        return;
    };
    if !matches!(o.status.code(), Some(0 | 1)) {
        // Not allowed to make a namespace (not root, no user namespaces).
        eprintln!("unshare --net not permitted: {}; skipped", String::from_utf8_lossy(&o.stderr));
        return;
    }
    let plain = run(&["--format", "concise"], &examples());
    assert!(o.stdout == plain.stdout, "output differs without a network");
    assert_eq!(o.status.code(), plain.status.code());
}
