//! Output formats: `human` (miette code frames), `concise` (one line per finding) and `json`
//! (versioned schema, see [`json`] and `docs/json-format.md`); for CI (`docs/formats.md`):
//! `sarif`, `github`, `gitlab`, `checkstyle` and `junit`, one file each, sharing [`ci`].
//!
//! All formats print reports in the order given (the caller sorts by path, line, column, rule)
//! and use 1-based lines and 1-based columns counted in Unicode characters. Spans are clamped
//! to the text and widened to character boundaries first, so a rule's off-by-one cannot make a
//! renderer panic. Output goes through one buffered writer; an I/O error (a closed pipe) is
//! returned to the caller, never printed or turned into a panic.

mod checkstyle;
pub(crate) mod ci;
mod concise;
mod github;
mod gitlab;
mod human;
pub mod json;
mod junit;
pub mod sarif;

use crate::diagnostic::{FileReport, Severity};
use crate::source::{Position, SourceFile, Span};
use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

/// An output format.
///
/// The command line's `--format` values are this enum's variants (kebab-case names), so a new
/// format is one module here, one variant and one arm in [`render`].
// The variants' descriptions are plain comments: doc comments would become clap's help for
// each value and change `--help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    // Code frames with the span underlined, help, rule name and doc link; then a summary.
    Human,
    // `path:line:col: severity[rule] message`, one line per finding.
    Concise,
    // One JSON object per run (schema version 1).
    Json,
    // SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    // GitHub Actions workflow commands (annotations).
    Github,
    // GitLab Code Quality report.
    Gitlab,
    // Checkstyle XML.
    Checkstyle,
    // JUnit XML.
    Junit,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub fn all() -> &'static [Format] {
        <Format as clap::ValueEnum>::value_variants()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Checkstyle => "checkstyle",
            Format::Junit => "junit",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::all().iter().copied().find(|f| f.as_str() == s)
    }
}

/// Presentation switches shared by the formats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours (human and concise; ignored by json).
    pub color: bool,
    /// Append a count of findings per rule.
    pub statistics: bool,
    /// The scanned root (the current directory) the CI formats make paths relative to; `None`
    /// keeps paths as given (see [`ci::report_path`]).
    pub root: Option<std::path::PathBuf>,
    /// What happened to every file of the run (the reports hold only files with findings):
    /// the JSON summary and `--statistics` count it. `None` outside a command-line run.
    pub run: Option<RunStats>,
    /// Wrap `human` messages and help to this many columns (the terminal's width); `None`
    /// (pipes, files): no wrapping, so the output does not depend on where it goes.
    pub width: Option<usize>,
}

/// The files of a run: linted, or skipped and why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Files (and standard input) read and linted, parse errors included.
    pub checked: usize,
    /// Not a Dockerfile, Compose or Kubernetes file (walked YAML, or named with a note).
    pub skipped_unrecognised: usize,
    /// Helm chart templates.
    pub skipped_helm_template: usize,
    /// Over `--max-file-size`: not read (a `file-too-large` finding unless it is ignored).
    pub skipped_too_large: usize,
}

impl RunStats {
    /// The stats of the given reports when no run counted them: each report is a file checked.
    fn of(reports: &[FileReport], opts: &RenderOptions) -> RunStats {
        opts.run.unwrap_or(RunStats { checked: reports.len(), ..RunStats::default() })
    }

    /// What a run that linted no file says: why, from the files it skipped.
    pub fn nothing_linted(&self) -> String {
        let skipped: Vec<String> = self
            .skipped()
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, _, why)| {
                format!("{n} file{} skipped ({why})", if *n == 1 { "" } else { "s" })
            })
            .collect();
        if skipped.is_empty() {
            "no file was linted: no Dockerfile, Compose file or Kubernetes manifest was found"
                .to_string()
        } else {
            format!("no file was linted: {}", skipped.join(", "))
        }
    }

    /// `(count, reason)` of each kind of skipped file, for JSON keys and `--statistics` lines.
    fn skipped(&self) -> [(usize, &'static str, &'static str); 3] {
        [
            (
                self.skipped_unrecognised,
                "unrecognised",
                "not a Dockerfile, Compose file or Kubernetes manifest",
            ),
            (self.skipped_helm_template, "helm_template", "Helm chart template"),
            (self.skipped_too_large, "too_large", "over --max-file-size, not read"),
        ]
    }
}

/// Writes `reports` to `out` in `format`. Returns the first I/O error (e.g. a broken pipe).
pub fn render(
    format: Format,
    reports: &[FileReport],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(64 * 1024, out);
    match format {
        Format::Human => human::render(reports, opts, &mut w)?,
        Format::Concise => concise::render(reports, opts, &mut w)?,
        Format::Json => json::render(reports, opts, &mut w)?,
        Format::Sarif => sarif::render(reports, opts, &mut w)?,
        Format::Github => github::render(reports, opts, &mut w)?,
        Format::Gitlab => gitlab::render(reports, opts, &mut w)?,
        Format::Checkstyle => checkstyle::render(reports, opts, &mut w)?,
        Format::Junit => junit::render(reports, opts, &mut w)?,
    }
    w.flush()
}

/// Finding counts over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files with at least one finding.
    pub files: usize,
}

impl Counts {
    pub fn of(reports: &[FileReport]) -> Counts {
        let mut c = Counts::default();
        for report in reports {
            if !report.diagnostics.is_empty() {
                c.files += 1;
            }
            for d in &report.diagnostics {
                match d.severity {
                    Severity::Error => c.errors += 1,
                    Severity::Warning => c.warnings += 1,
                    Severity::Info => c.infos += 1,
                }
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// `3 errors, 2 warnings, 1 info in 2 files`, or `no findings`.
    pub fn summary_line(&self) -> String {
        if self.total() == 0 {
            return "no findings".to_string();
        }
        let parts: Vec<String> = [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.infos, "info", "info"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect();
        let files = if self.files == 1 { "file" } else { "files" };
        format!("{} in {} {files}", parts.join(", "), self.files)
    }
}

/// Findings per rule, most frequent first, then by name.
pub(crate) fn rule_statistics(reports: &[FileReport]) -> Vec<(&'static str, usize)> {
    let mut counts: std::collections::HashMap<&'static str, usize> = Default::default();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        *counts.entry(d.rule).or_default() += 1;
    }
    let mut stats: Vec<_> = counts.into_iter().collect();
    stats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    stats
}

/// Distinct image references (`name:tag` as written, after ARG substitution) over the run
/// whose platforms no source knows, so `single-arch-image` could not check them.
pub(crate) fn unknown_platforms(reports: &[FileReport]) -> usize {
    let all: std::collections::HashSet<&str> =
        reports.iter().flat_map(|r| &r.unknown_platforms).map(String::as_str).collect();
    all.len()
}

/// The `--statistics` line for [`unknown_platforms`] (not a rule: no finding is reported).
pub(crate) const UNKNOWN_PLATFORMS_LABEL: &str =
    "image references with unknown platforms (not checked)";

/// Writes `   12  rule-name` lines (counts right-aligned, at least five wide), then, if any, the
/// number of image references with unknown platforms; then, in a command-line run, the files
/// checked, with findings and skipped (one line per reason).
pub(crate) fn write_statistics(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    let stats = rule_statistics(reports);
    let unknown = unknown_platforms(reports);
    let mut files: Vec<(usize, String)> = Vec::new();
    if let Some(run) = opts.run {
        let plural = |n: usize| if n == 1 { "file" } else { "files" };
        let with_findings = Counts::of(reports).files;
        files.push((run.checked, format!("{} checked", plural(run.checked))));
        files.push((with_findings, format!("{} with findings", plural(with_findings))));
        for (n, _, why) in run.skipped() {
            if n > 0 {
                files.push((n, format!("{} skipped: {why}", plural(n))));
            }
        }
    }
    let widest = stats
        .first()
        .map_or(0, |(_, n)| *n)
        .max(unknown)
        .max(files.iter().map(|(n, _)| *n).max().unwrap_or(0));
    let width = widest.to_string().len().max(5);
    for (rule, count) in stats {
        writeln!(w, "{count:>width$}  {rule}")?;
    }
    if unknown > 0 {
        writeln!(w, "{unknown:>width$}  {UNKNOWN_PLATFORMS_LABEL}")?;
    }
    for (count, label) in files {
        writeln!(w, "{count:>width$}  {label}")?;
    }
    Ok(())
}

/// Clamps a span to the text and widens it to character boundaries (start down, end up), so
/// that slicing with it cannot panic. An empty or inverted span becomes empty at its start.
pub(crate) fn clamp_span(span: Span, text: &str) -> Span {
    let mut start = span.start.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    if span.end <= span.start {
        return Span::empty(start);
    }
    let mut end = span.end.clamp(start, text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

/// Line/column lookups for offsets that mostly increase along a line (findings are sorted), so
/// columns are counted incrementally instead of from the line start each time: rendering many
/// findings on one very long line (minified JSON) stays linear.
pub(crate) struct PositionCursor<'a> {
    file: &'a SourceFile,
    /// 0-based line, a character-boundary offset on it and that offset's 1-based column.
    last: Option<(usize, usize, usize)>,
}

impl<'a> PositionCursor<'a> {
    pub fn new(file: &'a SourceFile) -> PositionCursor<'a> {
        PositionCursor { file, last: None }
    }

    /// The position of a character-boundary `offset` (see [`clamp_span`]).
    pub fn position(&mut self, offset: usize) -> Position {
        let text = &self.file.text;
        let offset = offset.min(text.len());
        let line = self.file.index.line_of(offset);
        let (from, mut column) = match self.last {
            Some((l, o, c)) if l == line && o <= offset => (o, c),
            _ => (self.file.index.line_start(line).min(offset), 1),
        };
        column += text.get(from..offset).map_or(0, |s| s.chars().count());
        self.last = Some((line, offset, column));
        Position { line: line + 1, column }
    }
}

/// Text safe to print on a terminal: control characters other than tab (and newline when
/// `keep_newlines`) are escaped as `\u{1b}`; messages quote untrusted input.
pub(crate) fn terminal_safe(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\t' && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                _ => out.extend(c.escape_unicode()),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// ANSI styles, used only when colour is on.
pub(crate) mod ansi {
    pub const RESET: &str = "\x1b[0m";
    pub const BOLD: &str = "\x1b[1m";
    pub const RED: &str = "\x1b[1;31m";
    pub const YELLOW: &str = "\x1b[1;33m";
    pub const CYAN: &str = "\x1b[1;36m";

    pub fn severity(s: crate::diagnostic::Severity) -> &'static str {
        match s {
            crate::diagnostic::Severity::Error => RED,
            crate::diagnostic::Severity::Warning => YELLOW,
            crate::diagnostic::Severity::Info => CYAN,
        }
    }
}

/// Hand-made reports shared by the format tests: two files, a multi-byte character before a
/// span, a span across two lines, all three severities, help present and absent.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::diagnostic::{Diagnostic, FileReport, Severity};
    use crate::document::FileKind;
    use crate::source::{SourceFile, Span};

    pub const COMPOSE: &str = "services:\n  café:\n    image: nginx:latest\n    mem_limit: 4g\n";
    pub const DOCKERFILE: &str = "FROM alpine\nRUN apk add \\\n    curl\n";

    pub fn span_of(text: &str, needle: &str) -> Span {
        let start = text.find(needle).expect("needle in fixture");
        Span::new(start, start + needle.len())
    }

    /// Sorted as the caller sorts: by path (`Dockerfile` < `deploy/…`), then position.
    pub fn reports() -> Vec<FileReport> {
        let dockerfile = SourceFile::new("Dockerfile", DOCKERFILE);
        let compose = SourceFile::new("deploy/compose.yaml", COMPOSE);
        vec![
            FileReport {
                diagnostics: vec![
                    Diagnostic::new(
                        "mutable-image-tag",
                        Severity::Warning,
                        span_of(DOCKERFILE, "alpine"),
                        "image `alpine` has no tag (`latest`)",
                    )
                    .with_help("pin a version or a digest"),
                    // Across two lines: `apk add \` (line 2) to `curl` (line 3).
                    Diagnostic::new(
                        "apk-index-kept",
                        Severity::Error,
                        span_of(DOCKERFILE, "apk add \\\n    curl"),
                        "`apk add` without `--no-cache` keeps the package index",
                    )
                    .with_help("use `apk add --no-cache`"),
                ],
                source: dockerfile,
                kind: Some(FileKind::Dockerfile),
                unknown_platforms: vec!["example.com/app:1".to_string()],
            },
            FileReport {
                diagnostics: vec![
                    // The `:` after `café` on line 2: byte 17, but character column 7 (the é
                    // is two bytes). The span runs on to `image` on line 3.
                    Diagnostic::new(
                        "missing-memory-limit",
                        Severity::Error,
                        span_of(COMPOSE, ":\n    image"),
                        "service `café` has no memory limit",
                    ),
                    Diagnostic::new(
                        "mutable-image-tag",
                        Severity::Warning,
                        span_of(COMPOSE, "nginx:latest"),
                        "image `nginx:latest` uses a mutable tag",
                    )
                    .with_help("pin a version or a digest"),
                    Diagnostic::new(
                        "large-memory-limit",
                        Severity::Info,
                        span_of(COMPOSE, "4g"),
                        "memory limit 4g is more than a Raspberry Pi 3 has",
                    ),
                ],
                source: compose,
                kind: Some(FileKind::Compose),
                unknown_platforms: Vec::new(),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    #[test]
    fn clamp_span_never_panics_and_respects_characters() {
        let text = "aé";
        assert_eq!(clamp_span(Span::new(2, 2), text), Span::new(1, 1));
        assert_eq!(clamp_span(Span::new(1, 2), text), Span::new(1, 3));
        assert_eq!(clamp_span(Span::new(9, 99), text), Span::new(3, 3));
        assert_eq!(clamp_span(Span { start: 2, end: 0 }, text), Span::new(1, 1));
    }

    #[test]
    fn cursor_matches_source_positions() {
        let file = SourceFile::new("x", "héllo wörld\nab\r\ncd");
        let mut cursor = PositionCursor::new(&file);
        for offset in [0, 1, 3, 8, 13, 14, 15, 17, 18, 3, 0, file.text.len()] {
            if file.text.is_char_boundary(offset) {
                assert_eq!(cursor.position(offset), file.position(offset), "offset {offset}");
            }
        }
    }

    #[test]
    fn a_run_that_linted_nothing_says_why() {
        let none = RunStats::default();
        assert_eq!(
            none.nothing_linted(),
            "no file was linted: no Dockerfile, Compose file or Kubernetes manifest was found"
        );
        let some = RunStats { skipped_too_large: 1, skipped_helm_template: 2, ..none };
        assert_eq!(
            some.nothing_linted(),
            "no file was linted: 2 files skipped (Helm chart template), 1 file skipped (over \
             --max-file-size, not read)"
        );
    }

    #[test]
    fn summary_and_statistics() {
        let reports = test_support::reports();
        let counts = Counts::of(&reports);
        assert_eq!(counts, Counts { errors: 2, warnings: 2, infos: 1, files: 2 });
        assert_eq!(counts.summary_line(), "2 errors, 2 warnings, 1 info in 2 files");
        let single = Counts { errors: 1, warnings: 1, infos: 2, files: 1 };
        assert_eq!(single.summary_line(), "1 error, 1 warning, 2 info in 1 file");
        assert_eq!(Counts::default().summary_line(), "no findings");
        let one = Counts { errors: 0, warnings: 3, infos: 0, files: 1 };
        assert_eq!(one.summary_line(), "3 warnings in 1 file");
        assert_eq!(
            rule_statistics(&reports),
            vec![
                ("mutable-image-tag", 2),
                ("apk-index-kept", 1),
                ("large-memory-limit", 1),
                ("missing-memory-limit", 1)
            ]
        );
        let mut out = Vec::new();
        write_statistics(&reports, &RenderOptions::default(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "    2  mutable-image-tag\n    1  apk-index-kept\n    1  large-memory-limit\n    1  missing-memory-limit\n    1  image references with unknown platforms (not checked)\n"
        );
        // Distinct references over the run: the same one in two files counts once.
        let mut twice = reports.clone();
        twice[1].unknown_platforms = vec!["example.com/app:1".to_string(), "b:2".to_string()];
        assert_eq!(unknown_platforms(&twice), 2);
        assert_eq!(unknown_platforms(&[]), 0);
    }

    #[test]
    fn terminal_safe_escapes_controls() {
        assert_eq!(terminal_safe("a\tb", false), "a\tb");
        assert_eq!(terminal_safe("a\nb\u{1b}[2J", false), "a\\nb\\u{1b}[2J");
        assert_eq!(terminal_safe("a\nb\u{9b}", true), "a\nb\\u{9b}");
    }

    #[test]
    fn format_names_round_trip() {
        for &f in Format::all() {
            assert_eq!(Format::parse(f.as_str()), Some(f));
        }
        assert_eq!(Format::parse("xml"), None);
    }

    /// A writer that fails like a closed pipe.
    struct BrokenPipe;

    impl Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    #[test]
    fn broken_pipe_is_returned() {
        let reports = test_support::reports();
        for &f in Format::all() {
            let err = render(f, &reports, &RenderOptions::default(), &mut BrokenPipe).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{f:?}");
        }
    }

    #[test]
    fn hostile_spans_do_not_panic() {
        let text = "é\r\nx\ry\n";
        let spans = [
            (0, 0),
            (1, 1),
            (0, 99),
            (99, 99),
            (5, 2),
            (2, 3),
            (3, 4),
            (8, 8),
            (usize::MAX, usize::MAX),
        ];
        let reports = vec![FileReport {
            source: SourceFile::new("file\u{7}.yaml", text),
            kind: None,
            unknown_platforms: Vec::new(),
            diagnostics: spans
                .iter()
                .map(|&(s, e)| {
                    Diagnostic::new("r", Severity::Error, Span { start: s, end: e }, "msg\u{7}")
                })
                .collect(),
        }];
        for &f in Format::all() {
            for color in [false, true] {
                let opts =
                    RenderOptions { color, statistics: true, root: None, run: None, width: None };
                let mut out = Vec::new();
                render(f, &reports, &opts, &mut out).unwrap();
                let s = String::from_utf8(out).unwrap();
                assert!(!s.contains('\u{7}'), "{f:?}: {s}");
            }
        }
    }
}
