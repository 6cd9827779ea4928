//! The `checkstyle` format: Checkstyle's XML report, read by Jenkins (Warnings NG), reviewdog,
//! Bitbucket and most code-review bots.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <checkstyle version="4.3">
//!   <file name="deploy/compose.yaml">
//!     <error line="3" column="12" severity="warning" message="image `nginx:latest` uses a mutable tag" source="edgelint.mutable-image-tag"/>
//!   </file>
//! </checkstyle>
//! ```
//!
//! Every file with findings is a `<file>` (edgelint keeps only those; a `FileReport` without
//! findings, from library use, is an empty `<file/>`). `severity` is `error`, `warning` or `info`; `source` is `edgelint.` and the
//! rule; lines and columns are 1-based, columns in Unicode characters as in the `concise`
//! format. Paths are relative to the current directory. `tests/schemas/checkstyle.dtd`
//! describes the structure.

use super::ci::{self, xml_escape, Columns};
use super::RenderOptions;
use crate::diagnostic::FileReport;
use std::io::{self, Write};

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(w, "<checkstyle version=\"4.3\">")?;
    for report in reports {
        let path = ci::report_path(&report.source.path, opts.root.as_deref());
        if report.diagnostics.is_empty() {
            writeln!(w, "  <file name=\"{}\"/>", xml_escape(path.as_str()))?;
            continue;
        }
        writeln!(w, "  <file name=\"{}\">", xml_escape(path.as_str()))?;
        for d in &report.diagnostics {
            let start = ci::region(report, d, Columns::Chars).start;
            writeln!(
                w,
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"edgelint.{}\"/>",
                start.line,
                start.column,
                d.severity,
                xml_escape(&d.message),
                xml_escape(d.rule)
            )?;
        }
        writeln!(w, "  </file>")?;
    }
    writeln!(w, "</checkstyle>")
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, FileReport, Severity};
    use crate::render::{render, test_support, Format, RenderOptions};
    use crate::source::{SourceFile, Span};

    fn checkstyle(reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        render(Format::Checkstyle, reports, &RenderOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn files_and_errors() {
        let out = checkstyle(&test_support::reports());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        assert_eq!(lines[1], "<checkstyle version=\"4.3\">");
        assert_eq!(lines[2], "  <file name=\"Dockerfile\">");
        assert_eq!(
            lines[3],
            "    <error line=\"1\" column=\"6\" severity=\"warning\" message=\"image `alpine` has no tag (`latest`)\" source=\"edgelint.mutable-image-tag\"/>"
        );
        assert!(out.contains("<error line=\"2\" column=\"7\" severity=\"error\" message=\"service `café` has no memory limit\" source=\"edgelint.missing-memory-limit\"/>"));
        assert!(out.contains("severity=\"info\""));
        assert_eq!(*lines.last().unwrap(), "</checkstyle>");
        assert_eq!(checkstyle(&[]), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n</checkstyle>\n");
    }

    #[test]
    fn markup_and_control_characters_are_escaped() {
        let reports = vec![
            FileReport {
                source: SourceFile::new("a&b<c>.yaml", "x: 1\n"),
                kind: None,
                diagnostics: vec![Diagnostic::new(
                    "r",
                    Severity::Error,
                    Span::new(0, 1),
                    "\"<&>'\n\u{1b}",
                )],
                unknown_platforms: Vec::new(),
            },
            FileReport {
                source: SourceFile::new("clean.yaml", ""),
                kind: None,
                diagnostics: vec![],
                unknown_platforms: Vec::new(),
            },
        ];
        let out = checkstyle(&reports);
        assert!(out.contains("<file name=\"a&amp;b&lt;c&gt;.yaml\">"), "{out}");
        assert!(out.contains("message=\"&quot;&lt;&amp;&gt;&apos;&#10;\\u{1b}\""), "{out}");
        assert!(out.contains("  <file name=\"clean.yaml\"/>\n"), "{out}");
    }
}
