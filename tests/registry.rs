//! The rule registry's invariants: every rule has a doc with the required sections, fixtures
//! for every format it declares, a source file named after it, a kebab-case name that names
//! the hazard; `rules/README.md` is the generated index; each doc example lints as it says.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use edgelint::document::FileKind;
use edgelint::source::SourceFile;
use std::collections::BTreeSet;

const REQUIRED_SECTIONS: &[&str] =
    &["## What it does", "## Why is this bad?", "## Example", "## References"];

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[test]
fn names_follow_the_convention() {
    let mut seen = BTreeSet::new();
    for rule in edgelint::rules::all() {
        let m = rule.meta();
        assert!(is_kebab(m.name), "{}: names are kebab-case", m.name);
        for prefix in ["no-", "avoid-", "use-", "prefer-"] {
            assert!(
                !m.name.starts_with(prefix),
                "{}: names name the hazard, not the advice",
                m.name
            );
        }
        assert!(seen.insert(m.name), "{}: registered twice", m.name);
        let first = m.summary.chars().next().expect("summary");
        assert!(first.is_lowercase(), "{}: summary starts lowercase", m.name);
        assert!(!m.summary.ends_with('.'), "{}: summary has no trailing period", m.name);
        assert!(!m.formats.is_empty(), "{}: declares its formats", m.name);
    }
    let names: Vec<&str> = edgelint::rules::all().iter().map(|r| r.meta().name).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "rules::all() is in name order");
}

#[test]
fn every_rule_has_a_doc_with_the_required_sections() {
    // The built-in findings (`parse-error`, `file-too-large`) too: `explain` prints them.
    for m in edgelint::rules::all_meta() {
        assert!(
            m.doc.starts_with(&format!("# {}\n", m.name)),
            "rules/{}.md starts with `# {}`",
            m.name,
            m.name
        );
        for section in REQUIRED_SECTIONS {
            assert!(m.doc.lines().any(|l| l == *section), "rules/{}.md lacks `{section}`", m.name);
        }
    }
}

#[test]
fn every_rule_file_is_registered_and_every_doc_has_a_rule() {
    let mut registered: BTreeSet<String> =
        edgelint::rules::all().iter().map(|r| r.meta().name.to_string()).collect();
    let src: BTreeSet<String> = std::fs::read_dir(common::root().join("src/rules"))
        .expect("src/rules")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".rs")?;
            (stem != "mod").then(|| stem.replace('_', "-"))
        })
        .collect();
    assert_eq!(src, registered, "src/rules/<name>.rs files and the registry differ");
    // Built-in findings have a doc but no rule file.
    registered.extend(edgelint::diagnostic::BUILT_IN_RULES.map(String::from));
    let docs: BTreeSet<String> = std::fs::read_dir(common::root().join("rules"))
        .expect("rules/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".md")?;
            (stem != "README").then(|| stem.to_string())
        })
        .collect();
    assert_eq!(docs, registered, "rules/<name>.md docs and the registry differ");
}

#[test]
fn every_rule_has_valid_and_invalid_fixtures_per_format() {
    for rule in edgelint::rules::all() {
        let m = rule.meta();
        let dir = common::root().join("fixtures").join(m.name);
        let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("fixtures/{} is missing", m.name))
            .map(|e| e.expect("entry").path())
            .collect();
        for kind in m.formats {
            for prefix in ["valid", "invalid"] {
                let found = files.iter().any(|p| {
                    common::fixture_kind(p) == Some(*kind)
                        && p.file_name().unwrap().to_string_lossy().starts_with(prefix)
                });
                assert!(found, "fixtures/{} has no {prefix} fixture for {kind}", m.name);
            }
        }
    }
}

/// The generated index of the rules.
fn index() -> String {
    let mut s = String::from(
        "# Rules\n\n<!-- Generated from the rule registry; `UPDATE_RULES_INDEX=1 cargo test --test registry` rewrites it. -->\n\n| rule | severity | formats | summary |\n|---|---|---|---|\n",
    );
    for m in edgelint::rules::all_meta() {
        let formats: Vec<&str> = m.formats.iter().map(|f| f.as_str()).collect();
        s.push_str(&format!(
            "| [`{0}`]({0}.md) | {1} | {2} | {3} |\n",
            m.name,
            m.severity,
            formats.join(", "),
            m.summary
        ));
    }
    s
}

#[test]
fn rules_readme_is_the_generated_index() {
    let path = common::root().join("rules/README.md");
    let want = index();
    if std::env::var_os("UPDATE_RULES_INDEX").is_some() {
        std::fs::write(&path, &want).expect("write rules/README.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        have, want,
        "rules/README.md is stale: run UPDATE_RULES_INDEX=1 cargo test --test registry"
    );
}

/// Fenced examples under `## Example`: blocks before the line `Use instead:` must give a
/// finding of the rule, blocks after it must not. Tags: `dockerfile`, `yaml compose`,
/// `yaml k8s`.
#[test]
fn doc_examples_lint_as_documented() {
    // `file-too-large`'s example is a shell command: a file over the limit is not linted text.
    let metas = edgelint::rules::all_meta();
    for m in metas.iter().filter(|m| m.name != edgelint::diagnostic::FILE_TOO_LARGE) {
        let Some(example) = m.doc.split("\n## Example\n").nth(1) else { continue };
        let example = example.split("\n## ").next().unwrap_or("");
        let mut good = false;
        let mut bad_blocks = 0;
        let mut lines = example.lines();
        while let Some(line) = lines.next() {
            if line.trim() == "Use instead:" {
                good = true;
                continue;
            }
            let Some(tag) = line.strip_prefix("```") else { continue };
            let kind = match tag.trim() {
                "dockerfile" => Some(FileKind::Dockerfile),
                "yaml compose" => Some(FileKind::Compose),
                "yaml k8s" => Some(FileKind::Kubernetes),
                _ => None,
            };
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
            let Some(kind) = kind else { continue };
            let text = body.join("\n") + "\n";
            let settings = common::fixture_settings(&text, m.name);
            let report = edgelint::lint_as(SourceFile::new("example", text), kind, &settings);
            let n = report.diagnostics.iter().filter(|d| d.rule == m.name).count();
            if good {
                assert_eq!(
                    n, 0,
                    "rules/{}.md: the `Use instead` {kind} example gives {n} findings",
                    m.name
                );
            } else {
                bad_blocks += 1;
                assert!(n > 0, "rules/{}.md: the failing {kind} example gives no finding", m.name);
            }
            assert!(
                report.diagnostics.iter().all(|d| d.rule == m.name),
                "rules/{}.md: example gives other findings: {:?}",
                m.name,
                report.diagnostics
            );
        }
        assert!(
            bad_blocks > 0 && good,
            "rules/{}.md: ## Example needs a failing block and a `Use instead:` block",
            m.name
        );
    }
}

/// Declared options: kebab-case names (like every configuration key), unique, a one-line help,
/// a default that satisfies the minimum, and a mention in the doc's `## Options` section.
#[test]
fn rule_options_are_declared_and_documented() {
    use edgelint::rules::option::DefaultValue;
    for rule in edgelint::rules::all() {
        let m = rule.meta();
        let options_doc =
            m.doc.split("\n## Options\n").nth(1).map(|s| s.split("\n## ").next().unwrap_or(""));
        let mut seen = BTreeSet::new();
        for o in m.options {
            assert!(is_kebab(o.name), "{}: option `{}` is kebab-case", m.name, o.name);
            assert!(o.name != "severity", "{}: `severity` is not an option name", m.name);
            assert!(seen.insert(o.name), "{}: option `{}` declared twice", m.name, o.name);
            let first = o.help.chars().next().expect("help");
            assert!(
                first.is_lowercase() && !o.help.ends_with('.'),
                "{}.{}: help style",
                m.name,
                o.name
            );
            if let Some(min) = o.minimum {
                let ok = match o.default {
                    DefaultValue::Integer(v) => v as f64 >= min,
                    DefaultValue::Number(v) => v >= min,
                    DefaultValue::IntegerMap(v) => v.iter().all(|(_, n)| *n as f64 >= min),
                    _ => false,
                };
                assert!(
                    ok,
                    "{}.{}: the default is below the minimum (or not a number)",
                    m.name, o.name
                );
            }
            let documented = options_doc.is_some_and(|d| d.contains(&format!("`{}`", o.name)));
            assert!(documented, "rules/{}.md: `## Options` does not mention `{}`", m.name, o.name);
        }
    }
}
