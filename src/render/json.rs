//! The `json` format, schema version 1 (also documented in `docs/json-format.md`).
//!
//! One compact JSON object per run, followed by a newline. Keys appear in the order below.
//!
//! ```text
//! {
//!   "version": 1,                     // schema version; bumped on incompatible changes
//!   "diagnostics": [                  // in output order: path, line, column, rule
//!     {
//!       "path": "deploy/compose.yaml",  // as given or found (or --stdin-filename)
//!       "kind": "compose",              // "dockerfile" | "compose" | "kubernetes" | null
//!       "rule": "mutable-image-tag",    // kebab-case rule name ("parse-error" for parse errors)
//!       "severity": "warning",          // "error" | "warning" | "info"
//!       "message": "image `nginx:latest` uses a mutable tag",
//!       "help": "pin a version or a digest",   // string or null
//!       "doc_url": "https://edgelint.dev/rules/mutable-image-tag",
//!       "start": {"line": 3, "column": 12, "offset": 30},
//!       "end":   {"line": 3, "column": 24, "offset": 42}
//!     }
//!   ],
//!   "summary": {
//!     "files": 2,                     // files with at least one diagnostic
//!     "diagnostics": 5,
//!     "by_severity": {"error": 2, "warning": 2, "info": 1},
//!     "unknown_platforms": 0,         // image references single-arch-image could not check
//!     "files_checked": 3,             // files read and linted
//!     "files_with_findings": 2,
//!     "files_skipped": {"unrecognised": 1, "helm_template": 0, "too_large": 0},
//!     "baselined": 12,                // only with a baseline: findings it held (not listed)
//!     "stale_baseline_entries": 0     // only with a baseline: its entries that no longer occur
//!   },
//!   "statistics": {"mutable-image-tag": 2, "missing-memory-limit": 1}   // only with --statistics
//! }
//! ```
//!
//! Positions: `line` and `column` are 1-based, the column counted in Unicode characters (not
//! bytes, not UTF-16 units); `offset` is the 0-based byte offset into the file. `end` is
//! exclusive (the position just after the last character of the span), so an empty span has
//! `start == end`. `\n`, `\r\n` and a lone `\r` all end a line. `statistics` maps rule names to
//! counts, most frequent first, then by name. Version 1 may gain new keys; consumers should
//! ignore keys they do not know.

use super::{clamp_span, rule_statistics, Counts, PositionCursor, RenderOptions};
use crate::diagnostic::{DocUrl, FileReport, Severity};
use crate::document::FileKind;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use std::io::{self, Write};

/// The schema version written in `"version"`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Diagnostics<'a>,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Statistics>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    kind: Option<FileKind>,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    #[serde(serialize_with = "as_str")]
    doc_url: DocUrl<'a>,
    start: Location,
    end: Location,
}

#[derive(Serialize)]
struct Location {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    diagnostics: usize,
    by_severity: BySeverity,
    unknown_platforms: usize,
    files_checked: usize,
    files_with_findings: usize,
    files_skipped: FilesSkipped,
    /// Only when a baseline is in use: findings it dropped, and its stale entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale_baseline_entries: Option<usize>,
}

#[derive(Serialize)]
struct FilesSkipped {
    unrecognised: usize,
    helm_template: usize,
    too_large: usize,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
}

/// Every finding of the reports, serialized one at a time as it is written (a run over a large
/// tree has hundreds of thousands: they are not gathered first).
struct Diagnostics<'a>(&'a [FileReport]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reports = self.0;
        let mut seq =
            serializer.serialize_seq(Some(reports.iter().map(|r| r.diagnostics.len()).sum()))?;
        for report in reports {
            let text = &report.source.text;
            let mut starts = PositionCursor::new(&report.source);
            let mut ends = PositionCursor::new(&report.source);
            for d in &report.diagnostics {
                let span = clamp_span(d.span, text);
                let (s, e) = (starts.position(span.start), ends.position(span.end));
                seq.serialize_element(&JsonDiagnostic {
                    path: &report.source.path,
                    kind: report.kind,
                    rule: d.rule,
                    severity: d.severity,
                    message: &d.message,
                    help: d.help.as_deref(),
                    doc_url: DocUrl(d.rule),
                    start: Location { line: s.line, column: s.column, offset: span.start },
                    end: Location { line: e.line, column: e.column, offset: span.end },
                })?;
            }
        }
        seq.end()
    }
}

/// A displayed value as a JSON string, written without building the string first.
fn as_str<S: Serializer>(value: &impl std::fmt::Display, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Rule → count, serialized as an object in the given order.
struct Statistics(Vec<(&'static str, usize)>);

impl Serialize for Statistics {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (rule, count) in &self.0 {
            map.serialize_entry(rule, count)?;
        }
        map.end()
    }
}

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    let diagnostics = Diagnostics(reports);
    let counts = Counts::of(reports);
    let run = super::RunStats::of(reports, opts);
    let output = Output {
        version: SCHEMA_VERSION,
        diagnostics,
        summary: Summary {
            files: counts.files,
            diagnostics: counts.total(),
            by_severity: BySeverity {
                error: counts.errors,
                warning: counts.warnings,
                info: counts.infos,
            },
            unknown_platforms: super::unknown_platforms(reports),
            files_checked: run.checked,
            files_with_findings: counts.files,
            files_skipped: FilesSkipped {
                unrecognised: run.skipped_unrecognised,
                helm_template: run.skipped_helm_template,
                too_large: run.skipped_too_large,
            },
            baselined: opts.baseline.map(|b| b.baselined),
            stale_baseline_entries: opts.baseline.map(|b| b.stale),
        },
        statistics: opts.statistics.then(|| Statistics(rule_statistics(reports))),
    };
    serde_json::to_writer(&mut *w, &output).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, FileReport, Severity};
    use crate::render::{render, test_support, Format, RenderOptions};
    use crate::source::{SourceFile, Span};
    use serde_json::{json, Value};

    fn json_of(reports: &[FileReport], statistics: bool) -> (String, Value) {
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: true,
            statistics,
            root: None,
            run: None,
            width: None,
            baseline: None,
        };
        render(Format::Json, reports, &opts, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let value = serde_json::from_str(&text).unwrap();
        (text, value)
    }

    #[test]
    fn fields_positions_and_offsets() {
        let (text, v) = json_of(&test_support::reports(), false);
        assert!(text.ends_with("}\n") && text.lines().count() == 1, "one compact line");
        assert!(text.starts_with("{\"version\":1,\"diagnostics\":[{\"path\":\"Dockerfile\",\"kind\":\"dockerfile\",\"rule\":"));
        assert_eq!(v["version"], 1);
        let d = v["diagnostics"].as_array().unwrap();
        assert_eq!(d.len(), 5);
        // Dockerfile `apk add \⏎    curl`: from "RUN " (byte 12 + 4 = 16) on line 2 to the
        // end of `curl` on line 3: line 2 is "RUN apk add \" (13 bytes + \n, starts at 12), line
        // 3 "    curl" starts at 26, `curl` ends at 34 → column 9.
        assert_eq!(d[1]["rule"], "apk-index-kept");
        assert_eq!(d[1]["start"], json!({"line": 2, "column": 5, "offset": 16}));
        assert_eq!(d[1]["end"], json!({"line": 3, "column": 9, "offset": 34}));
        assert_eq!(d[1]["help"], "use `apk add --no-cache`");
        assert_eq!(d[1]["doc_url"], "https://edgelint.dev/rules/apk-index-kept");
        // compose: the `:` after `café` is byte 17 but column 7; the span ends after `image` on
        // line 3 (line 3 starts at byte 19; "    image" → byte 28, column 10).
        let c = &d[2];
        assert_eq!(c["path"], "deploy/compose.yaml");
        assert_eq!(c["kind"], "compose");
        assert_eq!(c["severity"], "error");
        assert_eq!(c["message"], "service `café` has no memory limit");
        assert_eq!(c["help"], Value::Null);
        assert_eq!(c["start"], json!({"line": 2, "column": 7, "offset": 17}));
        assert_eq!(c["end"], json!({"line": 3, "column": 10, "offset": 28}));
        // A span on one line (`nginx:latest` after `    image: `).
        assert_eq!(d[3]["start"], json!({"line": 3, "column": 12, "offset": 30}));
        assert_eq!(d[3]["end"], json!({"line": 3, "column": 24, "offset": 42}));
        assert_eq!(d[4]["severity"], "info");
        assert_eq!(
            v["summary"],
            json!({
                "files": 2,
                "diagnostics": 5,
                "by_severity": {"error": 2, "warning": 2, "info": 1},
                "unknown_platforms": 1,
                // Without a run's counts, each report is a file checked.
                "files_checked": 2,
                "files_with_findings": 2,
                "files_skipped": {"unrecognised": 0, "helm_template": 0, "too_large": 0}
            })
        );
        assert!(v.get("statistics").is_none());
    }

    #[test]
    fn the_summary_counts_the_files_of_the_run() {
        let run = crate::render::RunStats {
            checked: 7,
            skipped_unrecognised: 3,
            skipped_helm_template: 2,
            skipped_too_large: 1,
        };
        let opts = RenderOptions { run: Some(run), ..RenderOptions::default() };
        let mut out = Vec::new();
        render(Format::Json, &test_support::reports(), &opts, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["summary"]["files"], 2, "kept: files with findings");
        assert_eq!(v["summary"]["files_checked"], 7);
        assert_eq!(v["summary"]["files_with_findings"], 2);
        assert_eq!(
            v["summary"]["files_skipped"],
            json!({"unrecognised": 3, "helm_template": 2, "too_large": 1})
        );
    }

    #[test]
    fn key_order_is_stable() {
        let (text, _) = json_of(&test_support::reports(), true);
        let keys = [
            "\"path\"",
            "\"kind\"",
            "\"rule\"",
            "\"severity\"",
            "\"message\"",
            "\"help\"",
            "\"doc_url\"",
            "\"start\"",
            "\"end\"",
        ];
        let first = text.find("{\"path\"").unwrap();
        let positions: Vec<usize> = keys.iter().map(|k| text[first..].find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        let top: Vec<usize> = ["\"version\"", "\"diagnostics\"", "\"summary\"", "\"statistics\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
        assert!(top.windows(2).all(|w| w[0] < w[1]));
        assert!(text.ends_with(
            ",\"statistics\":{\"mutable-image-tag\":2,\"apk-index-kept\":1,\"large-memory-limit\":1,\"missing-memory-limit\":1}}\n"
        ));
    }

    #[test]
    fn empty_run_and_unknown_kind() {
        let (text, _) = json_of(&[], false);
        assert_eq!(
            text,
            "{\"version\":1,\"diagnostics\":[],\"summary\":{\"files\":0,\"diagnostics\":0,\"by_severity\":{\"error\":0,\"warning\":0,\"info\":0},\"unknown_platforms\":0,\"files_checked\":0,\"files_with_findings\":0,\"files_skipped\":{\"unrecognised\":0,\"helm_template\":0,\"too_large\":0}}}\n"
        );
        let reports = vec![FileReport {
            source: SourceFile::new("-", "é"),
            kind: None,
            unknown_platforms: Vec::new(),
            diagnostics: vec![Diagnostic::new(
                "parse-error",
                Severity::Error,
                Span::new(1, 1),
                "bad",
            )],
        }];
        let (_, v) = json_of(&reports, false);
        assert_eq!(v["diagnostics"][0]["kind"], Value::Null);
        // An offset inside a character is moved to the character's start.
        assert_eq!(v["diagnostics"][0]["start"], json!({"line": 1, "column": 1, "offset": 0}));
        assert_eq!(v["diagnostics"][0]["end"], json!({"line": 1, "column": 1, "offset": 0}));
    }
}
