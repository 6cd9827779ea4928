//! The `github` format: GitHub Actions workflow commands, one line per finding, which the runner
//! turns into annotations on the pull request's changed files:
//!
//! ```text
//! ::error file=deploy/compose.yaml,line=3,endLine=3,col=12,endColumn=24,title=edgelint (mutable-image-tag)::image `nginx:latest` uses a mutable tag%0A%0Ahelp: pin a version or a digest
//! ```
//!
//! `error`, `warning` and `notice` (for info) follow the severity. Paths are relative to the
//! current directory (the workspace in a GitHub job). Columns are UTF-16 code units, as GitHub
//! counts them, and `endColumn` is exclusive; GitHub only draws columns within one line, so
//! `col`/`endColumn` are left out when a finding spans several lines. Escaping follows the
//! runner's rules: in the message `%`, `\r` and `\n` become `%25`, `%0D` and `%0A`; in property
//! values `:` and `,` also become `%3A` and `%2C`. Other control characters are written
//! visibly (`\u{1b}`) so that a message cannot inject a workflow command or an escape sequence.

use super::ci::{self, Columns};
use super::RenderOptions;
use crate::diagnostic::{FileReport, Severity};
use std::io::{self, Write};

/// Escapes workflow-command data (`property` also escapes `:` and `,`).
fn escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if c.is_control() && c != '\t' => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    for report in reports {
        let path = ci::report_path(&report.source.path, opts.root.as_deref());
        let file = escape(path.as_str(), true);
        for d in &report.diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let r = ci::region(report, d, Columns::Utf16);
            let (line, end_line) = (r.start.line, r.end.line);
            let columns = if line == end_line {
                format!(",col={},endColumn={}", r.start.column, r.end.column)
            } else {
                String::new()
            };
            let title = escape(&format!("edgelint ({})", d.rule), true);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\n\nhelp: ");
                message.push_str(help);
            }
            let message = escape(&message, false);
            writeln!(
                w,
                "::{command} file={file},line={line},endLine={end_line}{columns},title={title}::{message}"
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, FileReport, Severity};
    use crate::render::{render, test_support, Format, RenderOptions};
    use crate::source::{SourceFile, Span};

    fn github(reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        render(Format::Github, reports, &RenderOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_command_per_finding() {
        let out = github(&test_support::reports());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[0],
            "::warning file=Dockerfile,line=1,endLine=1,col=6,endColumn=12,title=edgelint (mutable-image-tag)::image `alpine` has no tag (`latest`)%0A%0Ahelp: pin a version or a digest"
        );
        // Across two lines: no columns.
        assert!(lines[1].starts_with(
            "::error file=Dockerfile,line=2,endLine=3,title=edgelint (apk-index-kept)::"
        ));
        assert!(lines[4].starts_with(
            "::notice file=deploy/compose.yaml,line=4,endLine=4,col=16,endColumn=18,"
        ));
    }

    #[test]
    fn data_and_properties_are_escaped() {
        let text = "😀 x: 1\n";
        let start = text.find('x').unwrap();
        let reports = vec![FileReport {
            source: SourceFile::new("a,b:c%.yaml", text),
            kind: None,
            diagnostics: vec![Diagnostic::new(
                "r",
                Severity::Error,
                Span::new(start, start + 1),
                "100% bad\r\nvalue: a,b ::error::x \u{1b}[31m",
            )],
            unknown_platforms: Vec::new(),
        }];
        assert_eq!(
            github(&reports),
            "::error file=a%2Cb%3Ac%25.yaml,line=1,endLine=1,col=4,endColumn=5,title=edgelint (r)::100%25 bad%0D%0Avalue: a,b ::error::x \\u{1b}[31m\n"
        );
    }
}
