//! Lint the shared corpus (when present): no panic, and every `parse-error` is on a file in the
//! reviewed list of really invalid files (tests/corpus-parse-errors.txt, with the reasons).

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

#[test]
fn corpus_lints_without_panics_and_only_known_parse_errors() {
    let Some(corpus) = common::corpus() else {
        eprintln!("../shared/corpus not present: skipped");
        return;
    };
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let settings = edgelint::settings::Settings::default();
    let mut with_parse_errors = BTreeSet::new();
    let mut files = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [repo, _, path, _, _] = cols[..] else { continue };
        let rel = format!("{}/{}", repo.replace('/', "__"), path);
        let bytes = std::fs::read(corpus.join(&rel)).expect("corpus file");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        files += 1;
        if let Ok(report) = edgelint::lint_source(&rel, text, &settings) {
            if report.diagnostics.iter().any(|d| d.rule == "parse-error") {
                with_parse_errors.insert(rel);
            }
        }
    }
    let expected: BTreeSet<String> =
        std::fs::read_to_string(common::root().join("tests/corpus-parse-errors.txt"))
            .expect("tests/corpus-parse-errors.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split('\t').next().unwrap().trim().to_string())
            .collect();
    assert!(files > 3000, "read {files} corpus files");
    let unexpected: Vec<_> = with_parse_errors.difference(&expected).collect();
    let gone: Vec<_> = expected.difference(&with_parse_errors).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "new parse errors: {unexpected:#?}\nno longer failing: {gone:#?}"
    );
}
