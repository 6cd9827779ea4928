//! The `human` format: a miette code frame per finding (rule name and doc link as the header,
//! the message, the span underlined with a line of context around it, the help), then the
//! optional per-rule statistics and a summary line.
//!
//! miette's own `SourceCode` for strings rescans the text from the start for every diagnostic
//! (5,000 findings took 1.1 s); [`IndexedSource`] answers `read_span` from the file's
//! [`LineIndex`](crate::source::LineIndex) by binary search instead. Links are printed as plain
//! text (`rule (url)`), never as OSC 8 hyperlinks, so output is the same on every terminal.
//!
//! What is shown is made safe for a terminal without moving any byte offset: control
//! characters in the source are shown as spaces and a lone `\r` as a line break (miette only
//! knows `\n` and `\r\n`; edgelint's line index also counts `\r`). Very long spans are shown
//! by their start only (at most [`MAX_LABEL_LINES`] lines and [`MAX_LABEL_BYTES`] bytes), and
//! very long lines (minified JSON) are cut to a window around the span, so one finding can
//! never print megabytes.

use super::{
    ansi, clamp_span, terminal_safe, write_statistics, Counts, PositionCursor, RenderOptions,
};
use crate::diagnostic::{doc_url, Diagnostic, FileReport, Severity};
use crate::source::{SourceFile, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use rayon::prelude::*;
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

/// A span covering more lines than this is underlined on its first line only.
pub const MAX_LABEL_LINES: usize = 10;
/// A span longer than this is underlined over its first bytes only.
pub const MAX_LABEL_BYTES: usize = 1024;
/// A code frame longer than this is cut to the span's own lines, with [`LONG_LINE_WINDOW`]
/// bytes either side.
const MAX_SNIPPET_BYTES: usize = 8 * 1024;
const LONG_LINE_WINDOW: usize = 160;

/// Findings rendered per parallel task.
const CHUNK: usize = 128;
/// Tasks rendered before their text is written out (bounds the memory held).
const BATCH: usize = 64;

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    let theme =
        if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    // No wrapping unless on a terminal (`opts.width`): miette would wrap at a fixed 200
    // columns, and its Unicode line breaker is the largest cost per frame.
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    let handler = match opts.width {
        Some(width) => handler.with_width(width).with_wrap_lines(true),
        None => handler.with_wrap_lines(false),
    };
    // Frames are rendered in parallel, in chunks of consecutive findings of one file, and
    // written in the original order: the output does not depend on the thread count.
    let mut tasks = Vec::new();
    for report in reports.iter().filter(|r| !r.diagnostics.is_empty()) {
        let source = IndexedSource::new(&report.source);
        for chunk in report.diagnostics.chunks(CHUNK) {
            tasks.push((source.clone(), chunk));
        }
    }
    let mut first = true;
    for batch in tasks.chunks(BATCH) {
        let render = |(source, chunk): &(IndexedSource<'_>, &[Diagnostic])| {
            render_chunk(&handler, source, chunk)
        };
        // One chunk (one file with a few findings) does not start the thread pool.
        let texts: Vec<String> = if batch.len() > 1 {
            batch.par_iter().map(render).collect()
        } else {
            batch.iter().map(render).collect()
        };
        for text in texts {
            if !first {
                w.write_all(b"\n")?;
            }
            first = false;
            w.write_all(text.as_bytes())?;
        }
    }
    let counts = Counts::of(reports);
    let statistics = opts.statistics
        && (counts.total() > 0 || super::unknown_platforms(reports) > 0 || opts.run.is_some());
    if statistics {
        if counts.total() > 0 {
            writeln!(w)?;
        }
        write_statistics(reports, opts, w)?;
    }
    if counts.total() > 0 || statistics {
        writeln!(w)?;
    }
    // A run that linted nothing says so: a mistyped directory must not read as "no findings".
    let mut summary = match opts.run {
        Some(run) if run.checked == 0 && counts.total() == 0 => run.nothing_linted(),
        _ => counts.summary_line(),
    };
    if let Some(b) = &opts.baseline {
        summary = format!("{summary}; {}", b.line());
    }
    if opts.color {
        writeln!(w, "{}{summary}{}", ansi::BOLD, ansi::RESET)?;
    } else {
        writeln!(w, "{summary}")?;
    }
    if counts.total() > 0 {
        // The links above need the docs site; this works offline.
        writeln!(w, "{OFFLINE_DOCS_HINT}")?;
    }
    Ok(())
}

/// The last line of output with findings: where a rule's documentation is without network.
pub const OFFLINE_DOCS_HINT: &str = "a rule's documentation, offline: `edgelint explain <rule>`";

/// Frames for consecutive findings of one file, separated by blank lines.
fn render_chunk(
    handler: &GraphicalReportHandler,
    source: &IndexedSource<'_>,
    chunk: &[Diagnostic],
) -> String {
    let file = source.file;
    let mut out = String::new();
    let mut buf = String::new();
    let mut cursor = PositionCursor::new(file);
    for (i, d) in chunk.iter().enumerate() {
        let span = display_span(clamp_span(d.span, &file.text), file);
        let column = cursor.position(span.start).column.saturating_sub(1);
        let mut frame = Frame::new(d, source, span, column);
        // Secondary places (a first definition, the other uses of one cause) in the same frame.
        frame.labels = d
            .labels
            .iter()
            .map(|l| {
                let span = display_span(clamp_span(l.span, &file.text), file);
                (SourceSpan::new(span.start.into(), span.len()), terminal_safe(&l.message, true))
            })
            .collect();
        if i > 0 {
            out.push('\n');
        }
        buf.clear();
        if handler.render_report(&mut buf, &frame).is_ok() {
            out.push_str(&buf);
        } else {
            // Only reachable if read_span failed; fall back to a plain line.
            let pos = file.position(span.start);
            let (name, message) = (&source.name, &frame.message);
            out.push_str(&format!(
                "{name}:{}:{}: {}[{}] {message}\n",
                pos.line, pos.column, d.severity, d.rule
            ));
        }
    }
    out
}

/// The span miette underlines: long spans shortened to their start, and an empty span at the
/// very end of a file that ends with a line break moved onto that line break (miette shows no
/// line after the last line break, so the caret would have nowhere to go). The frame's header
/// then gives the end of the last line, e.g. `4:17` where concise output says `5:1`.
fn display_span(span: Span, file: &SourceFile) -> Span {
    let text = &file.text;
    let bytes = text.as_bytes();
    if span.is_empty() && span.start == text.len() {
        let back = match (bytes.len().checked_sub(2).and_then(|i| bytes.get(i)), bytes.last()) {
            (Some(b'\r'), Some(b'\n')) => 2,
            (_, Some(b'\n' | b'\r')) => 1,
            _ => 0,
        };
        return Span::empty(span.start - back);
    }
    let first_line = file.index.line_of(span.start);
    let mut end = span.end;
    if !span.is_empty() {
        let last_line = file.index.line_of(span.end - 1);
        if last_line.saturating_sub(first_line) >= MAX_LABEL_LINES {
            end = line_content_end(file, first_line).max(span.start);
        }
    }
    if end - span.start > MAX_LABEL_BYTES {
        end = ceil_char(text, span.start + MAX_LABEL_BYTES);
    }
    Span::new(span.start, end)
}

/// Byte offset of the end of a 0-based line, without its line break.
fn line_content_end(file: &SourceFile, line: usize) -> usize {
    let text = file.text.as_bytes();
    let start = file.index.line_start(line).min(text.len());
    let mut end = file.index.line_start(line + 1).min(text.len());
    if end > start && text.get(end - 1) == Some(&b'\n') {
        end -= 1;
    }
    if end > start && text.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    end
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A file as miette sees it: the display text (same byte length as the real text) and the
/// line index of the real text. Cheap to clone (shared by the file's parallel tasks).
#[derive(Clone)]
struct IndexedSource<'a> {
    file: &'a SourceFile,
    display: Arc<Cow<'a, str>>,
    /// The path, safe for a terminal.
    name: Arc<str>,
}

impl<'a> IndexedSource<'a> {
    fn new(file: &'a SourceFile) -> IndexedSource<'a> {
        IndexedSource {
            file,
            display: Arc::new(display_text(&file.text)),
            name: Arc::from(terminal_safe(&file.path, false)),
        }
    }

    /// Offset just after a 0-based line's line break (or the end of the text).
    fn line_end(&self, line: usize) -> usize {
        self.file.index.line_start(line.saturating_add(1)).min(self.display.len())
    }

    fn read<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
        column: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.display;
        let start = span.offset();
        let end = start.checked_add(span.len()).ok_or(MietteError::OutOfBounds)?;
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let index = &self.file.index;
        let first = index.line_of(start);
        let last = if end > start { index.line_of(end - 1) } else { first };
        let top = first.saturating_sub(before);
        let bottom = last.saturating_add(after).min(index.line_count().saturating_sub(1));
        let mut from = index.line_start(top).min(text.len());
        let mut to = self.line_end(bottom).max(from);
        let mut from_line = top;
        if to - from > MAX_SNIPPET_BYTES {
            let line_start = index.line_start(first).min(start);
            from = floor_char(text, start.saturating_sub(LONG_LINE_WINDOW).max(line_start));
            to = ceil_char(text, end.saturating_add(LONG_LINE_WINDOW).min(self.line_end(last)));
            from_line = first;
        }
        let data = text.as_bytes().get(from..to).ok_or(MietteError::OutOfBounds)?;
        let line_count =
            index.line_of(to.saturating_sub(1).max(from)).saturating_sub(from_line) + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data,
            SourceSpan::new(from.into(), to - from),
            from_line,
            column,
            line_count,
        )))
    }
}

/// The text with every byte offset and line break where it was, made printable: C0 controls
/// (but tab and line breaks) and DEL become a space, C1 controls two spaces, a lone `\r` `\n`.
fn display_text(text: &str) -> Cow<'_, str> {
    let needs_change = text.char_indices().any(|(i, c)| {
        (c.is_control() && c != '\t' && c != '\n' && c != '\r')
            || (c == '\r' && text.as_bytes().get(i + 1) != Some(&b'\n'))
    });
    if !needs_change {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => out.push('\r'),
            '\r' => out.push('\n'),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {
                for _ in 0..c.len_utf8() {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One finding's source: answers miette's reads for the frame, knowing the column of the span
/// start (computed incrementally by the caller) so long lines are not recounted per read.
struct FrameSource<'a> {
    file: &'a IndexedSource<'a>,
    start: usize,
    column: usize,
}

impl SourceCode for FrameSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let column = if span.offset() == self.start {
            self.column
        } else {
            let text = &self.file.file.text;
            let offset = floor_char(text, span.offset());
            let line_start = self.file.file.index.line_start(self.file.file.index.line_of(offset));
            text.get(line_start.min(offset)..offset).map_or(0, |s| s.chars().count())
        };
        self.file.read(span, context_lines_before, context_lines_after, column)
    }
}

/// One finding as a miette diagnostic.
struct Frame<'a> {
    message: Cow<'a, str>,
    help: Option<Cow<'a, str>>,
    rule: &'static str,
    url: String,
    severity: miette::Severity,
    span: SourceSpan,
    /// Secondary labels: span and message.
    labels: Vec<(SourceSpan, Cow<'a, str>)>,
    source: FrameSource<'a>,
}

impl<'a> Frame<'a> {
    fn new(d: &'a Diagnostic, file: &'a IndexedSource<'a>, span: Span, column: usize) -> Frame<'a> {
        Frame {
            message: terminal_safe(&d.message, true),
            help: d.help.as_deref().map(|h| terminal_safe(h, true)),
            rule: d.rule,
            url: doc_url(d.rule),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            span: SourceSpan::new(span.start.into(), span.len()),
            labels: Vec::new(),
            source: FrameSource { file, start: span.start, column },
        }
    }
}

impl fmt::Display for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame").field("rule", &self.rule).field("span", &self.span).finish()
    }
}

impl std::error::Error for Frame<'_> {}

impl miette::Diagnostic for Frame<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.url))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(None, self.span);
        let others = self
            .labels
            .iter()
            .map(|(span, message)| LabeledSpan::new_with_span(Some(message.to_string()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{render as render_any, test_support, Format};

    fn human(reports: &[FileReport], opts: RenderOptions) -> String {
        let mut out = Vec::new();
        render_any(Format::Human, reports, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn snapshot_without_color() {
        let out = human(
            &test_support::reports(),
            RenderOptions {
                color: false,
                statistics: true,
                root: None,
                run: None,
                width: None,
                baseline: None,
            },
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn headers_columns_and_summary() {
        let out = human(&test_support::reports(), RenderOptions::default());
        // Header positions are 1-based, the column in characters (é before the span).
        for header in [
            "[Dockerfile:1:6]",
            "[Dockerfile:2:5]",
            "[deploy/compose.yaml:2:7]",
            "[deploy/compose.yaml:3:12]",
            "[deploy/compose.yaml:4:16]",
        ] {
            assert!(out.contains(header), "{header} missing:\n{out}");
        }
        assert!(out.contains("mutable-image-tag (https://edgelint.dev/rules/mutable-image-tag)"));
        assert!(out.contains("help: use `apk add --no-cache`"));
        assert!(!out.contains("\u{1b}"), "no escape sequences without colour (no OSC 8 links)");
        assert!(
            out.ends_with(&format!(
                "\n2 errors, 2 warnings, 1 info in 2 files\n{OFFLINE_DOCS_HINT}\n"
            )),
            "{out}"
        );
        assert_eq!(human(&[], RenderOptions::default()), "no findings\n");
    }

    #[test]
    fn color_uses_ansi_but_no_hyperlinks() {
        let out = human(
            &test_support::reports(),
            RenderOptions {
                color: true,
                statistics: false,
                root: None,
                run: None,
                width: None,
                baseline: None,
            },
        );
        assert!(out.contains("\u{1b}["));
        assert!(!out.contains("\u{1b}]8;;"), "no OSC 8 hyperlinks");
    }

    #[test]
    fn end_of_file_span_is_shown_on_the_last_line() {
        let file = SourceFile::new("x.yaml", "a: [\n");
        assert_eq!(display_span(Span::empty(5), &file), Span::empty(4));
        let crlf = SourceFile::new("x.yaml", "a: [\r\n");
        assert_eq!(display_span(Span::empty(6), &crlf), Span::empty(4));
        let none = SourceFile::new("x.yaml", "a: [");
        assert_eq!(display_span(Span::empty(4), &none), Span::empty(4));
        let reports = vec![FileReport {
            source: file,
            kind: None,
            unknown_platforms: Vec::new(),
            diagnostics: vec![Diagnostic::new(
                "parse-error",
                Severity::Error,
                Span::empty(5),
                "unexpected end",
            )],
        }];
        let out = human(&reports, RenderOptions::default());
        assert!(out.contains("[x.yaml:1:5]"), "{out}");
        assert!(out.contains(" 1 │ a: [\n   ·     ▲\n"), "{out}");
    }

    #[test]
    fn long_spans_and_lines_are_cut() {
        let text: String = (0..30).map(|i| format!("line{i}\n")).collect();
        let file = SourceFile::new("x", text.clone());
        let span = display_span(Span::new(0, text.len()), &file);
        assert_eq!(span, Span::new(0, 5), "a 30-line span shows its first line");
        let long = "x".repeat(100_000) + "TARGET" + &"y".repeat(100_000);
        let at = long.find("TARGET").unwrap();
        let reports = vec![FileReport {
            source: SourceFile::new("min.json", long.clone()),
            kind: None,
            unknown_platforms: Vec::new(),
            diagnostics: vec![
                Diagnostic::new("r", Severity::Error, Span::new(at, at + 6), "m"),
                Diagnostic::new("r", Severity::Error, Span::new(0, long.len()), "whole"),
            ],
        }];
        let out = human(&reports, RenderOptions::default());
        // The 1,024-byte underline is 3,072 bytes of `─`; the rest is two short windows.
        assert!(out.len() < 6_000, "output is {} bytes", out.len());
        assert!(out.contains("[min.json:1:100001]"), "{out}");
        assert!(out.contains("TARGET"));
    }

    #[test]
    fn display_text_keeps_offsets() {
        let text = "a\u{1b}[2J\rb\r\nc\u{85}d\u{7f}";
        let shown = display_text(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown, "a [2J\nb\r\nc  d ");
        assert!(matches!(display_text("plain\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn many_findings_render_quickly() {
        // Not a benchmark: guards against quadratic behaviour (rescanning per finding).
        let text: String = (0..5_000).map(|i| format!("key{i}: value\n")).collect();
        let source = SourceFile::new("big.yaml", text.clone());
        let mut diagnostics = Vec::new();
        let mut offset = 0;
        for line in text.lines() {
            diagnostics.push(Diagnostic::new(
                "r",
                Severity::Warning,
                Span::new(offset, offset + 3),
                "m",
            ));
            offset += line.len() + 1;
        }
        let reports =
            vec![FileReport { source, kind: None, diagnostics, unknown_platforms: Vec::new() }];
        let out = human(&reports, RenderOptions::default());
        assert!(out.contains("[big.yaml:5000:1]"));
        assert!(out.ends_with(&format!("5000 warnings in 1 file\n{OFFLINE_DOCS_HINT}\n")));
    }
}
