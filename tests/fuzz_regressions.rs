//! Replays every saved fuzzer input (`fuzz/regressions/<target>/*`) through the same entry point
//! the fuzz target runs (`edgelint::fuzz_targets`), so a crash found once stays fixed. Also checks
//! that the fuzz crate's targets and the library's list agree, since CI does not build the fuzz
//! crate (it needs cargo-fuzz).

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[test]
fn saved_fuzz_inputs_do_not_crash() {
    let root = common::root().join("fuzz/regressions");
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in std::fs::read_dir(&root).expect("fuzz/regressions") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let target = edgelint::fuzz_targets::target(&name)
            .unwrap_or_else(|| panic!("fuzz/regressions/{name}: no such fuzz target"));
        let mut files: Vec<_> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            count += 1;
            let start = std::time::Instant::now();
            if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failures.push(format!("{}: panicked", file.display()));
            }
            // A hang the fuzzer found must stay fast (libFuzzer's own limit is 10 s in release).
            if start.elapsed() > std::time::Duration::from_secs(20) {
                failures.push(format!("{}: took {:?}", file.display(), start.elapsed()));
            }
        }
    }
    assert!(failures.is_empty(), "{count} inputs replayed; failures:\n{}", failures.join("\n"));
}

#[test]
fn fuzz_crate_lists_every_target() {
    let root = common::root().join("fuzz");
    let library: BTreeSet<String> =
        edgelint::fuzz_targets::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    let files: BTreeSet<String> = std::fs::read_dir(root.join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, library, "fuzz/fuzz_targets/*.rs against edgelint::fuzz_targets::TARGETS");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let run = std::fs::read_to_string(root.join("run.sh")).unwrap();
    for name in &library {
        let body = std::fs::read_to_string(root.join(format!("fuzz_targets/{name}.rs"))).unwrap();
        assert!(
            body.contains(&format!("edgelint::fuzz_targets::{name}(data)")),
            "fuzz_targets/{name}.rs calls another entry point"
        );
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{name} missing in Cargo.toml");
        assert!(run.contains(name.as_str()), "{name} missing in fuzz/run.sh");
    }
}
