//! `--add-ignore[=REASON]`: write a suppression comment at every current finding, like ruff's
//! `--add-noqa`, so that a repository can adopt edgelint and fix its findings over time.
//!
//! Each comment is an own-line `# edgelint: ignore[rule-a, rule-b] -- REASON`, put where the
//! suppression engine ([`crate::suppress`]) reads it:
//!
//! - Dockerfile: on the line before the instruction the finding is in (never between the
//!   continuation lines of a `\`-continued instruction, nor in a heredoc), at its indentation;
//! - YAML (Compose, Kubernetes): on the line before the innermost entry or list item holding
//!   the finding that starts its line (only indentation and `- ` before it), at its
//!   indentation; so never inside a block scalar, and the comment covers that entry or item.
//!
//! Findings at one place share one comment. The edited text is then parsed and linted again in
//! memory with the file's settings; the file is written only if it parses to the same structure
//! (the same instructions; the same YAML data in every document) and no finding is left.
//! Otherwise it is left untouched, and said so. Files with a `parse-error` (or over the size
//! limit) are never edited. A second run finds nothing to add.

use crate::diagnostic::{FileReport, FILE_TOO_LARGE, PARSE_ERROR};
use crate::document::Document;
use crate::render::clamp_span;
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::syntax::yaml::YamlStream;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::Arc;

/// Comments to insert: line start offset → (indentation, rule names).
type Plan = BTreeMap<usize, (String, BTreeSet<&'static str>)>;

/// What `--add-ignore` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files left untouched because the comments would not work (findings remain).
    pub untouched: usize,
    /// Files that could not be read or written.
    pub failed: usize,
}

/// Edits every file of `reports` with findings. Prints what it did (stderr).
pub fn run(
    reports: &[FileReport],
    reason: Option<&str>,
    settings_of: impl Fn(&str) -> Option<Arc<Settings>>,
) -> Outcome {
    let mut comments = 0;
    let mut files = 0;
    let mut outcome = Outcome::default();
    for report in reports.iter().filter(|r| !r.diagnostics.is_empty()) {
        let path = &report.source.path;
        let result = settings_of(path)
            .ok_or_else(|| "no settings".to_string())
            .and_then(|settings| edit(report, reason, &settings));
        let written = result.map(|(text, n)| {
            let current = std::fs::read(path).map_err(|e| crate::source::io_message(&e))?;
            if current != report.source.text.as_bytes() {
                return Err("it changed while being linted".to_string());
            }
            std::fs::write(path, text)
                .map_err(|e| format!("cannot write it: {}", crate::source::io_message(&e)))?;
            Ok(n)
        });
        match written {
            Ok(Ok(n)) => {
                comments += n;
                files += 1;
            }
            Ok(Err(e)) => {
                outcome.failed += 1;
                say(&format!("edgelint: {path}: {e}"));
            }
            Err(e) => {
                outcome.untouched += 1;
                say(&format!("edgelint: {path}: left untouched: {e}"));
            }
        }
    }
    let untouched = outcome.untouched + outcome.failed;
    let mut line = format!(
        "edgelint: added {comments} suppression comment{} in {files} file{}",
        plural(comments),
        plural(files)
    );
    if untouched > 0 {
        line.push_str(&format!("; left {untouched} file{} untouched", plural(untouched)));
    }
    say(&line);
    outcome
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The edited text of one report's file and the number of comments, checked.
pub fn edit(
    report: &FileReport,
    reason: Option<&str>,
    settings: &Settings,
) -> Result<(String, usize), String> {
    if let Some(d) =
        report.diagnostics.iter().find(|d| d.rule == PARSE_ERROR || d.rule == FILE_TOO_LARGE)
    {
        return Err(match d.rule {
            PARSE_ERROR => "it does not parse (a parse error cannot be suppressed)".to_string(),
            _ => "it is over the size limit".to_string(),
        });
    }
    if settings.require_reason && reason.is_none() {
        return Err("`require-reason` is on: give one with `--add-ignore=REASON`".to_string());
    }
    let kind = report.kind.ok_or_else(|| "its kind is unknown".to_string())?;
    let source = &report.source;
    let (document, _) = crate::engine::parse(source, kind);
    let plan = plan(report, &document)?;
    let new_text = apply(&source.text, &plan, reason);
    let text = verify(report, &document, new_text, settings)?;
    Ok((text, plan.len()))
}

/// Parses and lints the edited text again: it must give the same structure as the original
/// (`document`) and no finding. Returns the text.
fn verify(
    report: &FileReport,
    document: &Document,
    new_text: String,
    settings: &Settings,
) -> Result<String, String> {
    let source = &report.source;
    let kind = document.kind();
    let mut settings = settings.clone();
    settings.kind = Some(kind);
    let (after, new_document) = crate::lint_source_document(&source.path, new_text, &settings)
        .map_err(|_| "the edited text is not recognised any more".to_string())?;
    if structure(document, source) != structure(&new_document, &after.source) {
        return Err("the edited text would not parse to the same structure".to_string());
    }
    if let Some(d) = after.diagnostics.first() {
        let at = after.source.position(d.span.start);
        return Err(format!(
            "a comment would not suppress `{}` (line {} after the edit)",
            d.rule, at.line
        ));
    }
    Ok(after.source.text)
}

/// Where each finding's comment goes.
fn plan(report: &FileReport, document: &Document) -> Result<Plan, String> {
    let source = &report.source;
    let mut plan = Plan::new();
    for d in &report.diagnostics {
        let offset = clamp_span(d.span, &source.text).start;
        let anchor = match document {
            Document::Dockerfile(df) => {
                let within = df.instructions.iter().find(|i| i.span.contains(offset));
                let next = || df.instructions.iter().find(|i| i.span.start >= offset);
                within.or_else(next).map(|i| i.span.start)
            }
            Document::Compose(c) => yaml_anchor(&c.yaml, source, offset),
            Document::Kubernetes(m) => yaml_anchor(&m.yaml, source, offset),
        };
        let Some(anchor) = anchor else {
            let line = source.position(offset).line;
            return Err(format!("no place for a comment for `{}` at line {line}", d.rule));
        };
        // After a byte order mark, which must stay first.
        let bom = if source.text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        let line_start = source.index.line_start(source.index.line_of(anchor)).max(bom);
        let prefix = &source.text[line_start..anchor];
        let indent: String = prefix.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        plan.entry(line_start).or_insert_with(|| (indent, BTreeSet::new())).1.insert(d.rule);
    }
    Ok(plan)
}

/// The start of the innermost entry or list item that holds `offset` and begins its line (only
/// indentation and `- ` markers before it).
fn yaml_anchor(stream: &YamlStream, source: &SourceFile, offset: usize) -> Option<usize> {
    let doc = stream
        .documents
        .iter()
        .find(|d| d.span.start <= offset && offset < d.span.end)
        .or_else(|| stream.documents.iter().rev().find(|d| d.span.start <= offset))?;
    crate::suppress::yaml_extents(doc)
        .into_iter()
        .filter(|e| e.start <= offset && (offset < e.end || e.start == offset))
        .filter(|e| {
            let line_start = source.index.line_start(source.index.line_of(e.start));
            source.text[line_start..e.start].split_whitespace().all(|t| t == "-")
        })
        .min_by_key(|e| (e.len(), std::cmp::Reverse(e.start)))
        .map(|e| e.start)
}

/// The text with the planned comments inserted, with the file's line ending.
fn apply(text: &str, plan: &Plan, reason: Option<&str>) -> String {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + plan.len() * 48);
    let mut at = 0;
    for (&line_start, (indent, rules)) in plan {
        out.push_str(&text[at..line_start]);
        let names: Vec<&str> = rules.iter().copied().collect();
        out.push_str(&format!("{indent}# edgelint: ignore[{}]", names.join(", ")));
        if let Some(r) = reason {
            out.push_str(&format!(" -- {r}"));
        }
        out.push_str(eol);
        at = line_start;
    }
    out.push_str(&text[at..]);
    out
}

/// What must not change when comments are added: the instructions' text (comments go between
/// instructions only), or each YAML document's data.
fn structure(document: &Document, source: &SourceFile) -> Vec<serde_json::Value> {
    let yaml = |stream: &YamlStream| -> Vec<serde_json::Value> {
        stream
            .documents
            .iter()
            .map(|d| d.root().map_or(serde_json::Value::Null, crate::config::yaml_to_json))
            .collect()
    };
    match document {
        Document::Dockerfile(d) => d
            .instructions
            .iter()
            .map(|i| serde_json::Value::from(source.text.get(i.span.start..i.span.end)))
            .collect(),
        Document::Compose(c) => yaml(&c.yaml),
        Document::Kubernetes(m) => yaml(&m.yaml),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FileKind;

    fn edited(path: &str, kind: FileKind, text: &str) -> Result<(String, usize), String> {
        let settings = Settings { kind: Some(kind), ..Settings::default() };
        let report = crate::lint_source(path, text, &settings).unwrap();
        assert!(!report.diagnostics.is_empty(), "the fixture has findings");
        edit(&report, Some("adopted"), &settings)
    }

    #[test]
    fn dockerfile_comment_goes_before_a_continued_instruction() {
        let text = "FROM alpine:3.19\nRUN apk add curl && \\\n    wget https://example.com/tool-linux-amd64\n";
        let (out, n) = edited("Dockerfile", FileKind::Dockerfile, text).unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "# edgelint: ignore[mutable-image-tag, runs-as-root] -- adopted\nFROM alpine:3.19\n# edgelint: ignore[arch-specific-command] -- adopted\nRUN apk add curl && \\\n    wget https://example.com/tool-linux-amd64\n"
        );
    }

    #[test]
    fn line_endings_and_a_byte_order_mark_are_kept() {
        let text = "\u{feff}services:\r\n  web:\r\n    image: nginx:latest\r\n";
        let (out, n) = edited("compose.yaml", FileKind::Compose, text).unwrap();
        assert_eq!(n, 2);
        assert!(
            out.starts_with("\u{feff}services:\r\n  # edgelint: ignore[missing-cpu-limit, "),
            "{out:?}"
        );
        assert!(out.ends_with("    # edgelint: ignore[mutable-image-tag] -- adopted\r\n    image: nginx:latest\r\n"), "{out:?}");
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    }

    /// The checks catch what a naive placement would break: a comment between continuation
    /// lines, a comment line inside a block scalar, a comment that covers nothing.
    #[test]
    fn verify_rejects_changed_structure_and_remaining_findings() {
        let check = |path: &str, kind: FileKind, text: &str, edited: &str| {
            let settings = Settings { kind: Some(kind), ..Settings::default() };
            let report = crate::lint_source(path, text, &settings).unwrap();
            let (document, _) = crate::engine::parse(&report.source, kind);
            verify(&report, &document, edited.to_string(), &settings)
        };
        let dockerfile = "FROM alpine:3.19\nRUN apk add curl && \\\n    wget https://example.com/tool-linux-amd64\n";
        let inside = dockerfile
            .replace("    wget", "    # edgelint: ignore[arch-specific-command]\n    wget");
        let err = check("Dockerfile", FileKind::Dockerfile, dockerfile, &inside).unwrap_err();
        assert!(err.contains("same structure"), "{err}");

        let compose = "services:\n  web:\n    image: nginx:1.25.3\n    command: |\n      wget https://example.com/tool-linux-amd64\n      run\n";
        let in_scalar = compose
            .replace("      run", "      # edgelint: ignore[arch-specific-command]\n      run");
        let err = check("compose.yaml", FileKind::Compose, compose, &in_scalar).unwrap_err();
        assert!(err.contains("same structure"), "{err}");

        let wrong_rule = compose
            .replace("    command:", "    # edgelint: ignore[mutable-image-tag]\n    command:");
        let err = check("compose.yaml", FileKind::Compose, compose, &wrong_rule).unwrap_err();
        assert!(err.contains("would not suppress"), "{err}");
    }
}
