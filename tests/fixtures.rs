//! One snapshot per fixture file, with only the fixture's rule enabled. Before snapshotting,
//! the findings are checked against the fixture's own markers: `valid*` files give no finding,
//! `invalid*` files give findings of the rule exactly on the lines marked `# expect: rule`
//! (or `# expect-next: rule`), so `cargo insta accept` can never bless a regression.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use edgelint::source::SourceFile;

#[test]
fn fixtures() {
    let root = common::root().join("fixtures");
    let mut checked = 0;
    let mut failures = Vec::new();
    for rule in edgelint::rules::all() {
        let name = rule.meta().name;
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("fixtures/{name}: {e}"))
            .map(|e| e.expect("dir entry").path())
            .collect();
        files.sort();
        for path in files {
            let Some(kind) = common::fixture_kind(&path) else { continue };
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let settings = common::fixture_settings(&text, name);
            // `# fixture: path=arm64/Dockerfile` lints the file as if it were at that path.
            let shown = match fixture_path(&text) {
                Some(p) => format!("fixtures/{name}/{p}"),
                None => format!("fixtures/{name}/{file_name}"),
            };
            let report = edgelint::lint_as(SourceFile::new(&shown, text.clone()), kind, &settings);
            let mut lines: Vec<usize> = report
                .diagnostics
                .iter()
                .map(|d| report.source.position(d.span.start).line)
                .collect();
            lines.dedup();
            for d in &report.diagnostics {
                // A capitalised prose word is a style error; an instruction keyword or an
                // acronym (`HEALTHCHECK`, `CMD`) may start a message.
                let word = d.message.split_whitespace().next().unwrap_or("");
                let prose_capital = word.chars().next().is_some_and(char::is_uppercase)
                    && word.chars().any(char::is_lowercase);
                if prose_capital || d.message.ends_with('.') {
                    failures.push(format!(
                        "{shown}: message style (lowercase start, no trailing period): {:?}",
                        d.message
                    ));
                }
            }
            let rules_seen: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
            let expected = common::expected_lines(&text, name);
            if file_name.starts_with("valid") {
                if !report.diagnostics.is_empty() {
                    failures.push(format!(
                        "{shown}: expected no finding, got {rules_seen:?} on lines {lines:?}"
                    ));
                }
            } else if file_name.starts_with("invalid") {
                if expected.is_empty() {
                    failures.push(format!("{shown}: has no `# expect: {name}` marker"));
                }
                if rules_seen.iter().any(|r| *r != name) {
                    failures.push(format!("{shown}: unexpected rules {rules_seen:?}"));
                }
                if lines != expected {
                    failures.push(format!(
                        "{shown}: findings on lines {lines:?}, expected {expected:?}"
                    ));
                }
            } else {
                failures.push(format!("{shown}: fixture names start with valid or invalid"));
            }
            let rendered = common::render_human(std::slice::from_ref(&report));
            let numbered: String =
                text.lines().enumerate().map(|(i, l)| format!("{:>3} | {l}\n", i + 1)).collect();
            insta::with_settings!({snapshot_path => "../fixtures/snapshots", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(
                    format!("{name}__{file_name}"),
                    format!("{numbered}\n----- output -----\n{rendered}")
                );
            });
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "fixture failures:\n{}", failures.join("\n"));
    eprintln!("checked {checked} fixture files");
}

/// The path a fixture asks to be linted at: `# fixture: path=arm64/Dockerfile`.
fn fixture_path(text: &str) -> Option<&str> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("# fixture:"))
        .flat_map(str::split_whitespace)
        .find_map(|s| s.strip_prefix("path="))
}
