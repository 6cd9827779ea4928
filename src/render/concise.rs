//! The `concise` format: one line per finding, for pre-commit, editors' problem matchers and
//! `grep`:
//!
//! ```text
//! path:line:col: severity[rule] message
//! ```
//!
//! Line and column are 1-based; the column counts Unicode characters. Control characters in
//! the path and message (a newline in a quoted value, an escape sequence in a file name) are
//! escaped (`\n`, `\u{1b}`) so that every finding is exactly one line. No summary is printed:
//! only finding lines, then with `--statistics` the per-rule counts (lines starting with
//! spaces).

use super::{ansi, clamp_span, terminal_safe, write_statistics, PositionCursor, RenderOptions};
use crate::diagnostic::FileReport;
use std::io::{self, Write};

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    for report in reports {
        let path = terminal_safe(&report.source.path, false);
        let mut cursor = PositionCursor::new(&report.source);
        for d in &report.diagnostics {
            let span = clamp_span(d.span, &report.source.text);
            let pos = cursor.position(span.start);
            let message = terminal_safe(&d.message, false);
            let (line, column, severity, rule) = (pos.line, pos.column, d.severity, d.rule);
            if opts.color {
                let (bold, reset, sev) = (ansi::BOLD, ansi::RESET, ansi::severity(severity));
                writeln!(
                    w,
                    "{bold}{path}{reset}:{line}:{column}: {sev}{severity}{reset}[{bold}{rule}{reset}] {message}"
                )?;
            } else {
                writeln!(w, "{path}:{line}:{column}: {severity}[{rule}] {message}")?;
            }
        }
    }
    if opts.statistics {
        write_statistics(reports, opts, w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, FileReport, Severity};
    use crate::render::{render, test_support, Format, RenderOptions};
    use crate::source::{SourceFile, Span};

    fn concise(reports: &[FileReport], opts: RenderOptions) -> String {
        let mut out = Vec::new();
        render(Format::Concise, reports, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_line_per_finding_with_character_columns() {
        let out = concise(&test_support::reports(), RenderOptions::default());
        // Columns derived by hand from the fixtures in render::test_support:
        // Dockerfile "FROM alpine" → `alpine` at 1:6; "RUN apk add" → `apk` at 2:5.
        // compose: line 2 is "  café:" → the `:` is character 7 (byte 8 of the line);
        // line 3 "    image: nginx:latest" → `nginx` at 12; line 4 "    mem_limit: 4g" → 16.
        let expected = [
            "Dockerfile:1:6: warning[mutable-image-tag] image `alpine` has no tag (`latest`)",
            "Dockerfile:2:5: error[apk-index-kept] `apk add` without `--no-cache` keeps the package index",
            "deploy/compose.yaml:2:7: error[missing-memory-limit] service `café` has no memory limit",
            "deploy/compose.yaml:3:12: warning[mutable-image-tag] image `nginx:latest` uses a mutable tag",
            "deploy/compose.yaml:4:16: info[large-memory-limit] memory limit 4g is more than a Raspberry Pi 3 has",
        ];
        assert_eq!(out.lines().collect::<Vec<_>>(), expected);
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn statistics_follow_findings_and_no_summary() {
        let opts =
            RenderOptions { color: false, statistics: true, root: None, run: None, width: None };
        let out = concise(&test_support::reports(), opts);
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines.len(), 5 + 5);
        assert_eq!(
            lines[5..],
            [
                "    2  mutable-image-tag",
                "    1  apk-index-kept",
                "    1  large-memory-limit",
                "    1  missing-memory-limit",
                "    1  image references with unknown platforms (not checked)"
            ]
        );
        assert!(concise(&[], RenderOptions::default()).is_empty());
    }

    #[test]
    fn messages_stay_on_one_line_and_colour_is_optional() {
        let reports = vec![FileReport {
            source: SourceFile::new("a\nb.yaml", "x: 1\n"),
            kind: None,
            unknown_platforms: Vec::new(),
            diagnostics: vec![Diagnostic::new(
                "r",
                Severity::Error,
                Span::new(3, 4),
                "bad\nvalue \u{1b}[31m",
            )],
        }];
        let out = concise(&reports, RenderOptions::default());
        assert_eq!(out, "a\\nb.yaml:1:4: error[r] bad\\nvalue \\u{1b}[31m\n");
        let coloured = concise(
            &reports,
            RenderOptions { color: true, statistics: false, root: None, run: None, width: None },
        );
        assert_eq!(
            coloured,
            "\u{1b}[1ma\\nb.yaml\u{1b}[0m:1:4: \u{1b}[1;31merror\u{1b}[0m[\u{1b}[1mr\u{1b}[0m] bad\\nvalue \\u{1b}[31m\n"
        );
    }
}
