//! The `gitlab` format: a GitLab Code Quality report (`artifacts: reports: codequality:`), a
//! JSON array with one issue per finding.
//!
//! It follows GitLab's "Implement a custom tool" table (docs/ci/testing/code_quality.md):
//! `description`, `check_name`, `fingerprint`, `severity` (`info`, `minor`, `major`, `critical`
//! or `blocker`), `location.path` (relative) and `location.positions.begin.line` (or
//! `location.lines.begin`); GitLab ignores other Code Climate keys, and so the report also
//! carries `type: "issue"` and `categories` to stay a valid Code Climate issue. No byte order
//! mark (GitLab's parser rejects one).
//!
//! - `description`: the message, then the help; `check_name`: the rule.
//! - `severity`: error → `major`, warning → `minor`, info → `info` (`critical` and `blocker` are
//!   left for findings that block a release, which a linter cannot know).
//! - `fingerprint`: see [`super::ci::fingerprints`]; the same finding keeps it when lines move,
//!   so the merge request widget shows only new and fixed findings.
//! - `location.positions`: `begin` and `end` line and column (1-based, Unicode characters,
//!   end exclusive), as in the `json` format.

use super::ci::{self, Columns};
use super::RenderOptions;
use crate::diagnostic::{FileReport, Severity};
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::json;
use std::io::{self, Write};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &Issues { reports, opts }).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

/// The issues of the reports, each built as it is written (a large run has hundreds of
/// thousands: building them all first took gigabytes).
struct Issues<'a> {
    reports: &'a [FileReport],
    opts: &'a RenderOptions,
}

impl Serialize for Issues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let count = self.reports.iter().map(|r| r.diagnostics.len()).sum();
        let mut seq = serializer.serialize_seq(Some(count))?;
        for report in self.reports {
            let path = ci::report_path(&report.source.path, self.opts.root.as_deref());
            let fingerprints = ci::fingerprints(report, path.as_str());
            for (d, fingerprint) in report.diagnostics.iter().zip(fingerprints) {
                let r = ci::region(report, d, Columns::Chars);
                let description = match &d.help {
                    Some(help) => format!("{} (help: {help})", d.message),
                    None => d.message.clone(),
                };
                seq.serialize_element(&json!({
                    "type": "issue",
                    "description": description,
                    "check_name": d.rule,
                    "fingerprint": fingerprint,
                    "severity": severity(d.severity),
                    "categories": ["Bug Risk"],
                    "location": {
                        "path": path.as_str(),
                        "positions": {
                            "begin": {"line": r.start.line, "column": r.start.column},
                            "end": {"line": r.end.line, "column": r.end.column},
                        },
                    },
                }))?;
            }
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::render::{render, test_support, Format, RenderOptions};
    use serde_json::{json, Value};

    #[test]
    fn issues_with_severities_fingerprints_and_positions() {
        let mut out = Vec::new();
        render(Format::Gitlab, &test_support::reports(), &RenderOptions::default(), &mut out)
            .unwrap();
        assert!(!out.starts_with(b"\xEF\xBB\xBF"), "no byte order mark");
        let v: Value = serde_json::from_slice(&out).unwrap();
        let issues = v.as_array().unwrap();
        assert_eq!(issues.len(), 5);
        let severities: Vec<&str> =
            issues.iter().map(|i| i["severity"].as_str().unwrap()).collect();
        assert_eq!(severities, ["minor", "major", "major", "minor", "info"]);
        assert_eq!(issues[2]["check_name"], "missing-memory-limit");
        assert_eq!(issues[2]["description"], "service `café` has no memory limit");
        assert_eq!(
            issues[2]["location"],
            json!({"path": "deploy/compose.yaml", "positions": {"begin": {"line": 2, "column": 7}, "end": {"line": 3, "column": 10}}})
        );
        assert_eq!(
            issues[0]["description"],
            "image `alpine` has no tag (`latest`) (help: pin a version or a digest)"
        );
        let mut fingerprints: Vec<&str> =
            issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
        fingerprints.sort();
        fingerprints.dedup();
        assert_eq!(fingerprints.len(), 5, "unique");
    }
}
