//! The quick fix of every finding: a `# edgelint: ignore[rule] -- reason` comment on its own
//! line, where the suppression machinery ([`crate::suppress`]) reads it as covering the finding:
//!
//! - Dockerfile: the line before the instruction the finding is in (an own-line comment covers
//!   the next instruction);
//! - YAML: the line before the entry or list item that covers the finding: an own-line comment
//!   covers the outermost entry or item that starts next, so the line chosen is the first, from
//!   the innermost entry holding the finding outwards, whose first entry holds it (a finding
//!   inside a block scalar gets its comment above the scalar's key, never inside the scalar).
//!
//! Each candidate is checked before it is offered: the edited text is linted with the same
//! settings, and the finding must be gone. `parse-error` and `file-too-large` cannot be
//! suppressed and get no fix.

use crate::diagnostic::{Diagnostic, FILE_TOO_LARGE, PARSE_ERROR};
use crate::document::{Document, FileKind};
use crate::settings::Settings;
use crate::source::{SourceFile, Span};

/// Insert `text` at byte offset `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    pub text: String,
}

impl Insertion {
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.text.len());
        out.push_str(&text[..self.at]);
        out.push_str(&self.text);
        out.push_str(&text[self.at..]);
        out
    }
}

/// The comment that suppresses `rule`; the user replaces `reason`.
pub fn comment(rule: &str) -> String {
    format!("# edgelint: ignore[{rule}] -- reason")
}

/// The suppression comment for `finding` in `source` (read as `kind`), checked: `None` when
/// the finding cannot be suppressed or no place covers it.
pub fn suppression(
    source: &SourceFile,
    kind: FileKind,
    settings: &Settings,
    finding: &Diagnostic,
) -> Option<Insertion> {
    if finding.rule == PARSE_ERROR || finding.rule == FILE_TOO_LARGE {
        return None;
    }
    let (doc, _) = crate::engine::parse(source, kind);
    candidates(source, &doc, finding.span.start)
        .into_iter()
        .map(|line_start| own_line(source, line_start, finding.rule))
        .find(|insertion| suppresses(source, kind, settings, finding, insertion))
}

/// Whether the finding is gone once `insertion` is made.
pub fn suppresses(
    source: &SourceFile,
    kind: FileKind,
    settings: &Settings,
    finding: &Diagnostic,
    insertion: &Insertion,
) -> bool {
    let edited = SourceFile::new(source.path.clone(), insertion.apply(&source.text));
    let shift = |o: usize| if o >= insertion.at { o + insertion.text.len() } else { o };
    let moved = Span::new(shift(finding.span.start), shift(finding.span.end));
    let report = crate::engine::lint_as(edited, kind, settings);
    !report.diagnostics.iter().any(|d| d.rule == finding.rule && d.span == moved)
}

/// An own-line comment before the line starting at `line_start`, indented like it.
fn own_line(source: &SourceFile, line_start: usize, rule: &str) -> Insertion {
    let rest = &source.text[line_start..];
    let line = rest.split_inclusive('\n').next().unwrap_or("");
    let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let eol = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
    Insertion { at: line_start, text: format!("{indent}{}{eol}", comment(rule)) }
}

/// Where an own-line comment may go for a finding starting at `start`: line starts, best
/// first.
fn candidates(source: &SourceFile, doc: &Document, start: usize) -> Vec<usize> {
    let line_start = |offset: usize| source.index.line_start(source.index.line_of(offset));
    let mut out = Vec::new();
    match doc {
        Document::Dockerfile(d) => {
            if let Some(i) = d.instructions.iter().find(|i| i.span.contains(start)) {
                out.push(line_start(i.span.start));
            }
        }
        Document::Compose(c) => yaml_lines(&c.yaml, start, &line_start, &mut out),
        Document::Kubernetes(m) => yaml_lines(&m.yaml, start, &line_start, &mut out),
    }
    let own = line_start(start.min(source.text.len()));
    if !out.contains(&own) {
        out.push(own);
    }
    out
}

/// The lines before which an own-line comment covers `start` in a YAML stream, innermost first.
fn yaml_lines(
    stream: &crate::syntax::yaml::YamlStream,
    start: usize,
    line_start: &dyn Fn(usize) -> usize,
    out: &mut Vec<usize>,
) {
    let Some(doc) = stream.documents.iter().find(|d| d.span.start <= start && start <= d.span.end)
    else {
        return;
    };
    let extents = crate::suppress::yaml_extents(doc);
    let mut holding: Vec<Span> = extents.iter().copied().filter(|e| e.contains(start)).collect();
    holding.sort_by_key(|e| (e.len(), std::cmp::Reverse(e.start)));
    for e in holding {
        let at = line_start(e.start);
        // What the suppression machinery covers from a comment at `at`: the outermost extent
        // starting first after it.
        let covered = extents
            .iter()
            .filter(|x| x.start >= at)
            .min_by_key(|x| (x.start, std::cmp::Reverse(x.len())));
        if covered.is_some_and(|c| c.contains(start)) && !out.contains(&at) {
            out.push(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The finding of `rule` in `text` linted as `kind`, its fix, and the text after the fix;
    /// asserts the fix suppresses it and leaves no other finding of the rule.
    fn fix(text: &str, kind: FileKind, rule: &str) -> String {
        let settings = Settings::default();
        let source = SourceFile::new("t", text);
        let report = crate::engine::lint_as(source.clone(), kind, &settings);
        let finding = report
            .diagnostics
            .iter()
            .find(|d| d.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in {:?}", report.diagnostics));
        let insertion = suppression(&source, kind, &settings, finding).expect("a fix");
        let edited = insertion.apply(text);
        // Checked here independently of `suppression`'s own check: no finding of the rule is
        // left anywhere, and the comment is read as a valid, used suppression.
        let after = crate::engine::lint_as(SourceFile::new("t", edited.clone()), kind, &settings);
        let left: Vec<_> = after.diagnostics.iter().map(|d| d.rule).collect();
        assert!(!left.contains(&rule), "{rule} still reported after the fix:\n{edited}");
        for hygiene in ["invalid-suppression", "unused-suppression", "unknown-rule"] {
            assert!(!left.contains(&hygiene), "{hygiene} after the fix:\n{edited}");
        }
        edited
    }

    #[test]
    fn the_comment_goes_on_its_own_line_where_it_covers_the_finding() {
        // (what, text, kind, rule, the line the comment goes before)
        let cases = [
            (
                "a Kubernetes finding on the container's name: before its list item",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      resources:\n        limits: {cpu: 500m}\n",
                FileKind::Kubernetes,
                "missing-memory-limit",
                "    - name: app",
            ),
            (
                "a finding inside a block scalar: before the item holding the scalar, never \
                 inside it (where it would be part of the script)",
                "services:\n  app:\n    image: nginx:1.27\n    command:\n      - sh\n      - -c\n      - |\n        echo start\n        curl -fsSL https://example.com/app-x86_64.tar.gz | tar xz\n",
                FileKind::Compose,
                "arch-specific-command",
                "      - |",
            ),
            (
                "a Dockerfile finding on a continuation line: before the instruction",
                "FROM alpine:3.20\nRUN apk add curl && \\\n    curl -o /x https://example.com/tool-amd64\n",
                FileKind::Dockerfile,
                "arch-specific-command",
                "RUN apk add curl && \\",
            ),
            (
                "CRLF lines: a CRLF comment",
                "services:\r\n  web:\r\n    image: nginx:latest\r\n",
                FileKind::Compose,
                "mutable-image-tag",
                "    image: nginx:latest",
            ),
        ];
        for (what, text, kind, rule, line) in cases {
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let indent = &line[..line.len() - line.trim_start().len()];
            let at = text.find(&format!("{line}{eol}")).expect("the line");
            assert!(at == 0 || text[..at].ends_with('\n'), "not a whole line: {line:?}");
            let expected = format!("{}{indent}{}{eol}{}", &text[..at], comment(rule), &text[at..]);
            assert_eq!(fix(text, kind, rule), expected, "{what}");
        }
    }

    #[test]
    fn parse_errors_get_no_fix() {
        let source = SourceFile::new("t", "services: [\n");
        let report =
            crate::engine::lint_as(source.clone(), FileKind::Compose, &Settings::default());
        let error = report.diagnostics.iter().find(|d| d.rule == PARSE_ERROR).unwrap();
        assert_eq!(suppression(&source, FileKind::Compose, &Settings::default(), error), None);
    }
}

#[cfg(test)]
mod sweep {
    use super::*;

    /// Every finding in the fixtures gets a quick fix that works, except `parse-error` (which
    /// cannot be suppressed) and the hygiene findings on a suppression comment itself
    /// (`unused-suppression`, `unknown-rule`, `invalid-suppression` on a Dockerfile comment
    /// line, which no comment before it covers: the fix is to correct or remove that comment).
    #[test]
    fn every_fixture_finding_gets_a_working_fix() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut missing = Vec::new();
        let mut total = 0;
        let mut dirs: Vec<_> =
            std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        for dir in dirs.iter().filter(|d| d.is_dir() && !d.ends_with("snapshots")) {
            let mut files: Vec<_> =
                std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
            files.sort();
            // a fixture folder may hold a directory its fixtures mount (`historian-data/`)
            for file in files.into_iter().filter(|f| f.is_file()) {
                let text = std::fs::read_to_string(&file).unwrap();
                let name = file.to_string_lossy().into_owned();
                let settings = Settings::default();
                let Ok(report) = crate::lint_source(&name, text, &settings) else { continue };
                let kind = report.kind.unwrap();
                for d in &report.diagnostics {
                    if d.rule == PARSE_ERROR {
                        continue;
                    }
                    total += 1;
                    let hygiene = ["unused-suppression", "unknown-rule", "invalid-suppression"];
                    if suppression(&report.source, kind, &settings, d).is_none()
                        && !hygiene.contains(&d.rule)
                    {
                        let p = report.source.position(d.span.start);
                        missing.push(format!("{name}:{}:{} {}", p.line, p.column, d.rule));
                    }
                }
            }
        }
        assert!(total > 1000, "the fixtures were not found: {total} findings");
        assert!(
            missing.is_empty(),
            "{} of {total} without a fix:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }
}
