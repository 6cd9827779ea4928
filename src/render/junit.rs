//! The `junit` format: JUnit XML, for CI systems that show test reports (GitLab's test report,
//! Jenkins, Azure Pipelines, CircleCI, Buildkite).
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <testsuites name="edgelint" tests="1" failures="1" errors="0">
//!   <testsuite name="deploy/compose.yaml" tests="1" failures="1" errors="0" skipped="0" file="deploy/compose.yaml">
//!     <testcase name="mutable-image-tag: image `nginx:latest` uses a mutable tag" classname="deploy/compose.yaml">
//!       <failure message="image `nginx:latest` uses a mutable tag" type="warning">deploy/compose.yaml:3:12: warning[mutable-image-tag] image `nginx:latest` uses a mutable tag
//! help: pin a version or a digest
//! docs: https://edgelint.dev/rules/mutable-image-tag</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! One `testsuite` per file with findings (edgelint keeps only those), so reports group findings
//! by file as the terminal output does; one failing `testcase` per finding, since GitLab and
//! Jenkins show one line (and one failure text) per test case, so several failures in one case
//! would hide all but the first. A run without findings is one passing `testcase` named
//! `edgelint` (CI shows "1 passed" rather than "no tests"); a `FileReport` without findings (from
//! library use) is one passing case too. A finding's test case is named by its rule and message, **without its line**: GitLab
//! compares test reports by name to tell new failures from fixed ones, and a name that changed
//! whenever a line was inserted above would show every finding below as fixed and new again.
//! Two findings with the same name get ` (2)`, ` (3)`. Every severity is a `failure` (JUnit has
//! no levels; the `type` attribute carries the severity). Valid against Jenkins' `junit-10.xsd`
//! (`tests/schemas/junit-10.xsd`), which puts the file on the suite (`file`), not on the case. No `time` or `timestamp`, so the report is byte-identical
//! from run to run.

use super::ci::{self, xml_escape, Columns};
use super::RenderOptions;
use crate::diagnostic::{doc_url, FileReport};
use std::collections::HashMap;
use std::io::{self, Write};

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    let cases = |r: &FileReport| r.diagnostics.len().max(1);
    let tests: usize = reports.iter().map(cases).sum::<usize>().max(1);
    let failures: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<testsuites name=\"edgelint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    )?;
    if reports.is_empty() {
        // A clean run is one passing test, not an empty report that CI shows as "no tests".
        writeln!(
            w,
            "  <testsuite name=\"edgelint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">"
        )?;
        writeln!(w, "    <testcase name=\"edgelint\" classname=\"edgelint\"/>")?;
        writeln!(w, "  </testsuite>")?;
    }
    for report in reports {
        let path = ci::report_path(&report.source.path, opts.root.as_deref());
        let path = xml_escape(path.as_str());
        writeln!(
            w,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" file=\"{path}\">",
            cases(report),
            report.diagnostics.len()
        )?;
        if report.diagnostics.is_empty() {
            writeln!(w, "    <testcase name=\"edgelint\" classname=\"{path}\"/>")?;
        }
        let mut names: HashMap<String, usize> = HashMap::new();
        for d in &report.diagnostics {
            let mut name = format!("{}: {}", d.rule, d.message);
            let n = names.entry(name.clone()).or_default();
            *n += 1;
            if *n > 1 {
                name.push_str(&format!(" ({n})"));
            }
            let start = ci::region(report, d, Columns::Chars).start;
            let mut body = format!(
                "{path}:{}:{}: {}[{}] {}",
                start.line,
                start.column,
                d.severity,
                d.rule,
                xml_escape(&d.message)
            );
            if let Some(help) = &d.help {
                body.push_str(&format!("&#10;help: {}", xml_escape(help)));
            }
            body.push_str(&format!("&#10;docs: {}", xml_escape(&doc_url(d.rule))));
            writeln!(w, "    <testcase name=\"{}\" classname=\"{path}\">", xml_escape(&name))?;
            writeln!(
                w,
                "      <failure message=\"{}\" type=\"{}\">{body}</failure>",
                xml_escape(&d.message),
                d.severity
            )?;
            writeln!(w, "    </testcase>")?;
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, FileReport, Severity};
    use crate::render::{render, test_support, Format, RenderOptions};
    use crate::source::{SourceFile, Span};

    fn junit(reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        render(Format::Junit, reports, &RenderOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_suite_per_file_and_a_case_per_finding() {
        let out = junit(&test_support::reports());
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"edgelint\" tests=\"5\" failures=\"5\" errors=\"0\">\n"));
        assert!(out.contains("  <testsuite name=\"deploy/compose.yaml\" tests=\"3\" failures=\"3\" errors=\"0\" skipped=\"0\" file=\"deploy/compose.yaml\">\n"));
        assert!(out.contains("    <testcase name=\"missing-memory-limit: service `café` has no memory limit\" classname=\"deploy/compose.yaml\">\n      <failure message=\"service `café` has no memory limit\" type=\"error\">deploy/compose.yaml:2:7: error[missing-memory-limit] service `café` has no memory limit&#10;docs: https://edgelint.dev/rules/missing-memory-limit</failure>\n"), "{out}");
        assert_eq!(out.matches("<failure ").count(), 5);
        assert!(out.ends_with("</testsuites>\n"));
    }

    #[test]
    fn clean_files_pass_and_duplicate_names_are_numbered() {
        let d = |start| Diagnostic::new("r", Severity::Info, Span::new(start, start + 1), "a<b");
        let reports = vec![
            FileReport {
                source: SourceFile::new("clean.yaml", ""),
                kind: None,
                diagnostics: vec![],
                unknown_platforms: Vec::new(),
            },
            FileReport {
                source: SourceFile::new("x.yaml", "a: 1\nb: 2\n"),
                kind: None,
                diagnostics: vec![d(0), d(5)],
                unknown_platforms: Vec::new(),
            },
        ];
        let out = junit(&reports);
        assert!(out.contains("tests=\"3\" failures=\"2\""), "{out}");
        assert!(out.contains("<testcase name=\"edgelint\" classname=\"clean.yaml\"/>"));
        assert!(out.contains("<testcase name=\"r: a&lt;b\" "));
        assert!(out.contains("<testcase name=\"r: a&lt;b (2)\" "));
        assert!(out.contains("type=\"info\">x.yaml:2:1: info[r] a&lt;b&#10;docs:"), "{out}");
        let empty = junit(&[]);
        assert!(empty
            .contains("<testsuites name=\"edgelint\" tests=\"1\" failures=\"0\" errors=\"0\">"));
        assert!(empty.contains("<testcase name=\"edgelint\" classname=\"edgelint\"/>"), "{empty}");
    }
}
