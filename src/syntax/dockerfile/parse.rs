//! Parsing: driving parse-dockerfile over a same-length copy of the text, with recovery after errors.

use super::*;

/// Parses a Dockerfile. Never fails and never panics: errors are collected.
pub fn parse(text: &str) -> Dockerfile {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let orig = text.get(base..).unwrap_or("");
    let t = orig.as_bytes();
    let mut ctx = Ctx { base, errors: Vec::new() };
    let mut buf = t.to_vec();

    let dirs = parse_directives(t, &mut buf, &mut ctx);
    let esc = dirs.escape;
    let extents = scan_extents(t, &mut buf, dirs.end, esc, &mut ctx);

    let mut instructions: Vec<Instruction> = Vec::new();
    let mut resume = 0usize;
    // The extent of the last FROM read.
    let mut last_from: Option<usize> = None;
    let mut recoveries = 0usize;
    // The crate's copy as a string, checked once. Recovery edits it in place (ASCII over whole
    // characters, same length), and each run of the crate reads it from `window` on.
    let mut ct = String::from_utf8(buf).ok();
    let mut window = 0usize;
    while let Some(ct) = ct.as_mut() {
        let failure = {
            let conv = Conv { orig, ct, base, esc, extents: &extents, off: window };
            run_crate(&conv, resume, &mut instructions, &mut last_from, &mut ctx)
        };
        let Some((pos, message)) = failure else { break };
        let ext = find_extent(&extents, pos).and_then(|i| extents.get(i));
        let (bad, next) = match ext {
            Some(e) => (e.start..e.next, e.next),
            None => (line_start(t, pos)..skip_line(t, pos), skip_line(t, pos)),
        };
        let message = if message == "expected AS"
            && t.get(pos..pos + 2).is_some_and(|w| w.eq_ignore_ascii_case(b"AS"))
        {
            "expected a stage name after AS".to_string()
        } else {
            message
        };
        ctx.error(error_span(t, pos, bad.end, &message), message);
        recoveries += 1;
        if recoveries > MAX_RECOVERIES {
            ctx.error(
                next..next,
                format!("too many errors ({MAX_RECOVERIES}): the rest of the file was not read"),
            );
            break;
        }
        // A FROM that goes wrong after its image (`FROM img AS`, `FROM img extra`) is kept
        // without its tail, so the stage and what follows stay as they are.
        if let Some(e) = ext.filter(|e| is_from(t, e.start) && pos > e.start + 4) {
            let tail = pos..e.end;
            if ct
                .as_bytes()
                .get(tail.clone())
                .is_some_and(|b| b.iter().any(|&c| !is_ws(c) && c != b'\n'))
            {
                blank_str(ct, tail.start, tail.end);
                resume = e.start;
                let Some(w) = restart(ct, e.start, esc, false) else { break };
                window = w;
                continue;
            }
        }
        if next <= resume {
            break;
        }
        // Recover locally: the crate goes on from the next instruction, in the same state as
        // after the instructions before it (the escape character, and inside a stage if a FROM
        // was read), without reading anything before it again.
        let in_stage = last_from
            .and_then(|i| extents.get(i))
            .is_some_and(|k| k.start >= dirs.end && k.next <= bad.start);
        resume = next;
        let Some(w) = restart(ct, next, esc, in_stage) else { break };
        window = w;
    }

    let mut doc = Dockerfile {
        escape: char::from(esc),
        syntax: dirs.syntax.map(|(v, r)| Spanned::new(v, ctx.span(r))),
        check: dirs.check.map(|(v, r)| Spanned::new(v, ctx.span(r))),
        ..Dockerfile::default()
    };
    build_stages(&mut doc, instructions, &mut ctx);
    if doc.stages.is_empty() {
        // One error for one cause: without a stage, every instruction is "before the first
        // FROM"; a FROM that did not parse has its own error, which says more.
        ctx.errors.retain(|e| e.message != ONLY_ARG_BEFORE_FROM);
        if !ctx.errors.iter().any(|e| e.message.starts_with("the FROM instruction")) {
            ctx.errors.push(DockerfileError {
                span: Span::empty(base),
                message: "no FROM instruction: a Dockerfile needs at least one build stage".into(),
            });
        }
    }
    let mut errors = ctx.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    doc.errors = errors;
    doc
}

/// The crate's "expected FROM", said for people.
const ONLY_ARG_BEFORE_FROM: &str = "only ARG can come before the first FROM";

/// Error collection; spans are converted from BOM-less offsets here.
pub(super) struct Ctx {
    pub(super) base: usize,
    pub(super) errors: Vec<DockerfileError>,
}

impl Ctx {
    pub(super) fn span(&self, r: Range<usize>) -> Span {
        Span::new(r.start.saturating_add(self.base), r.end.saturating_add(self.base))
    }

    pub(super) fn error(&mut self, r: Range<usize>, message: impl Into<String>) {
        let span = self.span(r);
        self.errors.push(DockerfileError { span, message: message.into() });
    }
}

/// Prepares the copy for a run of the crate from `start` (the first byte not yet read) and
/// returns where that run starts. The bytes just before `start`, already read, are overwritten
/// with what puts the crate in the state it had there: the `escape` directive when it is not
/// the default, then a `FROM` when inside a stage (only ARG may come before the first FROM).
/// Blanks between them keep a comment at `start` from being read as a parser directive. The
/// room is always there: the file's own directive and FROM came before `start`. `None` (never
/// seen) if it is not.
pub(super) fn restart(ct: &mut String, start: usize, esc: u8, in_stage: bool) -> Option<usize> {
    let directive = if esc == b'`' { "#escape=`\n" } else { "" };
    let from = if in_stage { "FROM a\n" } else { "" };
    let gap = usize::from(!in_stage && ct.as_bytes().get(start) == Some(&b'#'));
    if !ct.is_char_boundary(start) {
        return None;
    }
    let mut w = start.checked_sub(directive.len() + gap + from.len())?;
    while !ct.is_char_boundary(w) {
        w = w.checked_sub(1)?;
    }
    let blanks = start - w - directive.len() - from.len();
    let prefix = format!("{directive}{:blanks$}{from}", "");
    ct.replace_range(w..start, &prefix);
    Some(w)
}

/// [`blank`] on a string.
pub(super) fn blank_str(ct: &mut String, start: usize, end: usize) {
    let (mut start, mut end) = (start.min(ct.len()), end.min(ct.len()));
    while !ct.is_char_boundary(start) {
        start -= 1;
    }
    while !ct.is_char_boundary(end) {
        end += 1;
    }
    let blanked: String =
        ct.as_bytes()[start..end].iter().map(|&b| if b == b'\n' { '\n' } else { ' ' }).collect();
    ct.replace_range(start..end, &blanked);
}

/// Runs the crate over `conv.ct` from `conv.off`; pushes the instructions that start at or
/// after `resume`. Returns the offset (in `ct`) and message of the error that stopped it, if
/// any.
pub(super) fn run_crate(
    conv: &Conv<'_>,
    resume: usize,
    out: &mut Vec<Instruction>,
    last_from: &mut Option<usize>,
    ctx: &mut Ctx,
) -> Option<(usize, String)> {
    let text = conv.ct.get(conv.off..)?;
    let failed =
        |e: &pd::Error| Some((conv.off + error_offset(e, text.as_bytes())?, error_message(e)));
    let iter = match pd::parse_iter(text) {
        Ok(iter) => iter,
        Err(e) => return failed(&e),
    };
    for item in iter {
        match item {
            Ok(ins) => {
                let Some((kw, kw_span)) = keyword_of(&ins) else { continue };
                let start = conv.off + kw_span.start;
                if start < resume {
                    continue;
                }
                if kw == "FROM" {
                    *last_from = find_extent(conv.extents, start);
                }
                if let Some(i) = conv.instruction(&ins, None, ctx) {
                    out.push(i);
                }
            }
            // Line 0 is "no FROM at all", reported once by `parse`.
            Err(e) => return failed(&e),
        }
    }
    None
}

/// The crate reports a 1-based line (counting `\n`) and a 1-based byte column.
pub(super) fn error_offset(e: &pd::Error, t: &[u8]) -> Option<usize> {
    let line = e.line();
    if line == 0 {
        return None;
    }
    let mut start = 0usize;
    let mut n = 1usize;
    if line > 1 {
        let mut found = false;
        for (i, &b) in t.iter().enumerate() {
            if b == b'\n' {
                n += 1;
                if n == line {
                    start = i + 1;
                    found = true;
                    break;
                }
            }
        }
        if !found {
            return Some(t.len());
        }
    }
    Some(start.saturating_add(e.column().saturating_sub(1)).min(t.len()))
}

/// The crate's message, reworded where it starts in uppercase or says too little.
pub(super) fn error_message(e: &pd::Error) -> String {
    let msg = format!("{e:#}");
    match msg.as_str() {
        "expected FROM" => return ONLY_ARG_BEFORE_FROM.into(),
        "invalid JSON" => return "invalid JSON array".into(),
        _ => {}
    }
    if msg.contains(" instruction requires ") {
        return format!("the {msg}");
    }
    match msg.chars().next() {
        Some(c) if c.is_uppercase() => format!("invalid instruction: {msg}"),
        _ => msg,
    }
}

/// Whether the instruction at `i` is a FROM.
pub(super) fn is_from(t: &[u8], i: usize) -> bool {
    t.get(i..i + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"FROM"))
        && t.get(i + 4).is_none_or(|&b| is_ws(b) || b == b'\n')
}

/// The span an error points at: the word at `pos` for an unknown instruction, else the rest of
/// the line (within the instruction).
pub(super) fn error_span(t: &[u8], pos: usize, limit: usize, message: &str) -> Range<usize> {
    let line_end = trim_back(t, pos, line_end(t, pos).min(limit.max(pos)));
    if message.starts_with("unknown instruction") {
        let mut e = pos;
        while e < line_end && t.get(e).is_some_and(|&b| !is_ws(b)) {
            e += 1;
        }
        return pos..e;
    }
    pos..line_end.max(pos)
}

pub(super) fn find_extent(extents: &[Extent], pos: usize) -> Option<usize> {
    let i = extents.partition_point(|e| e.start <= pos).checked_sub(1)?;
    extents.get(i).filter(|e| pos < e.next.max(e.start + 1)).map(|_| i)
}
