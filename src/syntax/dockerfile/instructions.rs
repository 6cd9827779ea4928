//! Instructions and heredocs: the pre-scan that splits the text into logical lines and finds heredoc bodies.

use super::*;

/// One instruction's bytes, as the pre-scan sees them.
pub(super) struct Extent {
    pub(super) start: usize,
    /// End of the content (blanks trimmed), heredoc terminators included.
    pub(super) end: usize,
    /// Where the next instruction may start.
    pub(super) next: usize,
    pub(super) heredocs: Vec<RawHeredoc>,
}

pub(super) struct RawHeredoc {
    pub(super) name: String,
    pub(super) marker: Range<usize>,
    pub(super) body: Range<usize>,
    pub(super) expand: bool,
    pub(super) strip_tabs: bool,
}

pub(super) fn scan_extents(
    t: &[u8],
    buf: &mut [u8],
    from: usize,
    esc: u8,
    ctx: &mut Ctx,
) -> Vec<Extent> {
    let mut extents = Vec::new();
    let mut pos = skip_blank(t, from, esc);
    while pos < t.len() {
        let le = logical_line_end(t, pos, esc);
        let mut next = if le < t.len() { le + 1 } else { le };
        let mut end = trim_back(t, pos, le);
        let mut heredocs = Vec::new();
        if t.get(pos..le).is_some_and(|l| l.windows(2).any(|w| w == b"<<")) {
            let j = join(t, pos, le, esc);
            if let Some(line) = heredoc_line(&j) {
                for p in line.neutralize {
                    for q in [p.0, p.1] {
                        if let Some(b) = buf.get_mut(q) {
                            *b = b'_';
                        }
                    }
                }
                let bodies_start = next;
                for m in line.markers {
                    let (body, term, after) = read_heredoc_body(t, next, &m);
                    match term {
                        Some(term) => end = term.end,
                        None => {
                            end = trim_back(t, pos, t.len());
                            ctx.error(
                                m.marker.clone(),
                                format!("unterminated heredoc: no line '{}' ends it", m.name),
                            );
                        }
                    }
                    heredocs.push(RawHeredoc {
                        name: m.name,
                        marker: m.marker,
                        body,
                        expand: m.expand,
                        strip_tabs: m.strip_tabs,
                    });
                    next = after;
                }
                blank(buf, bodies_start, next);
            }
        }
        extents.push(Extent { start: pos, end, next, heredocs });
        pos = skip_blank(t, next, esc);
    }
    extents
}

/// Reads one heredoc body from `start`: returns the body range, the terminator line's range
/// (`None` if the text ends first) and where reading continues. A terminator is a line equal to
/// the delimiter once `\r`/`\n` are trimmed from its end and, for `<<-`, tabs from its start
/// (BuildKit's `parser.Parse`).
pub(super) fn read_heredoc_body(
    t: &[u8],
    start: usize,
    m: &Marker,
) -> (Range<usize>, Option<Range<usize>>, usize) {
    let mut cur = start;
    while cur < t.len() {
        let e = line_end(t, cur);
        let mut line = t.get(cur..e).unwrap_or_default();
        while let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        let line_content_end = cur + line.len();
        if m.strip_tabs {
            while let Some(l) = line.strip_prefix(b"\t") {
                line = l;
            }
        }
        if line == m.name.as_bytes() {
            let after = if e < t.len() { e + 1 } else { e };
            return (start..cur, Some(cur..line_content_end), after);
        }
        cur = if e < t.len() { e + 1 } else { e };
    }
    (start..t.len(), None, t.len())
}

pub(super) struct Marker {
    pub(super) name: String,
    pub(super) marker: Range<usize>,
    pub(super) expand: bool,
    pub(super) strip_tabs: bool,
}

pub(super) struct HeredocLine {
    /// Source offsets of the two `<` of every word starting with `<<`.
    pub(super) neutralize: Vec<(usize, usize)>,
    pub(super) markers: Vec<Marker>,
}

/// For a RUN, COPY or ADD (possibly after ONBUILD) not in JSON form: the heredoc markers
/// BuildKit finds, and the `<<` the crate would try to read as heredocs.
pub(super) fn heredoc_line(j: &Joined) -> Option<HeredocLine> {
    let s = &j.bytes;
    let words = blank_words(s);
    let word = |k: usize| words.get(k).and_then(|w| s.get(w.clone())).unwrap_or_default();
    let mut k = 1;
    let mut kw = word(0);
    if kw.eq_ignore_ascii_case(b"ONBUILD") {
        kw = word(1);
        k = 2;
    }
    if !(kw.eq_ignore_ascii_case(b"RUN")
        || kw.eq_ignore_ascii_case(b"COPY")
        || kw.eq_ignore_ascii_case(b"ADD"))
    {
        return None;
    }
    let first_arg = k;
    while word(k).starts_with(b"--") {
        k += 1;
    }
    // BuildKit's parseMaybeJSON: the rest after the flags, if it is a JSON array of strings.
    let args_start = words.get(k).map_or(s.len(), |w| w.start);
    let rest = s.get(args_start..).unwrap_or_default();
    let rest = rest.get(..trim_back(rest, 0, rest.len())).unwrap_or_default();
    if rest.first() == Some(&b'[') && serde_json::from_slice::<Vec<String>>(rest).is_ok() {
        return None;
    }
    let neutralize = words
        .iter()
        .skip(first_arg)
        .filter(|w| s.get((*w).clone()).is_some_and(|w| w.starts_with(b"<<")))
        .map(|w| (j.range(w.start, w.start + 1).start, j.range(w.start + 1, w.start + 2).start))
        .collect();
    let markers = shell_words(s)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|w| {
            let (name, expand, strip_tabs) = heredoc_marker(s.get(w.clone())?)?;
            Some(Marker { name, marker: j.range(w.start, w.end), expand, strip_tabs })
        })
        .collect();
    Some(HeredocLine { neutralize, markers })
}

/// Words separated by the crate's blanks.
pub(super) fn blank_words(s: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        while s.get(i).is_some_and(|&b| is_ws(b) || b == b'\n') {
            i += 1;
        }
        let st = i;
        while s.get(i).is_some_and(|&b| !(is_ws(b) || b == b'\n')) {
            i += 1;
        }
        if i > st {
            out.push(st..i);
        }
    }
    out
}

/// Shell words as BuildKit's `heredocsFromLine` lexes them (quotes and escapes kept, `<<` glued
/// to the blanks after it). `None` on an unterminated quote: BuildKit then finds no heredoc.
pub(super) fn shell_words(s: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut out = Vec::new();
    let mut cur: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            if let Some(st) = cur.take() {
                out.push(st..i);
            }
            i += 1;
            continue;
        }
        if cur.is_none() {
            cur = Some(i);
        }
        match b {
            b'\'' => {
                let close = s.get(i + 1..)?.iter().position(|&c| c == b'\'')?;
                i = i + 1 + close + 1;
            }
            b'"' => {
                let mut k = i + 1;
                loop {
                    match s.get(k)? {
                        b'\\' => k += 2,
                        b'"' => break,
                        _ => k += 1,
                    }
                }
                i = k + 1;
            }
            b'\\' => i += 2,
            b'<' if s.get(i + 1) == Some(&b'<') => {
                i += 2;
                while matches!(s.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    if let Some(st) = cur {
        out.push(st..s.len().min(i));
    }
    Some(out)
}

/// BuildKit's `ParseHeredoc`: `^(\d*)<<(-?)\s*([^<]*)$`, the rest one shell word. Returns the
/// delimiter (quotes removed), whether the body expands (no quotes) and `<<-`.
pub(super) fn heredoc_marker(w: &[u8]) -> Option<(String, bool, bool)> {
    let mut k = w.iter().take_while(|b| b.is_ascii_digit()).count();
    if w.get(k..k + 2) != Some(b"<<") {
        return None;
    }
    k += 2;
    let strip_tabs = w.get(k) == Some(&b'-');
    if strip_tabs {
        k += 1;
    }
    while matches!(w.get(k), Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0c)) {
        k += 1;
    }
    let rest = w.get(k..)?;
    if rest.is_empty() || rest.contains(&b'<') {
        return None;
    }
    let mut name = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'\'' => {
                quoted = true;
                let close = rest.get(i + 1..)?.iter().position(|&c| c == b'\'')?;
                name.extend_from_slice(rest.get(i + 1..i + 1 + close)?);
                i = i + 1 + close + 1;
            }
            b'"' => {
                quoted = true;
                i += 1;
                loop {
                    match rest.get(i)? {
                        b'"' => break,
                        b'\\' if matches!(rest.get(i + 1), Some(b'"' | b'$' | b'\\')) => {
                            name.push(*rest.get(i + 1)?);
                            i += 2;
                        }
                        &c => {
                            name.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            b'\\' => {
                if let Some(&c) = rest.get(i + 1) {
                    name.push(c);
                }
                i += 2;
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return None,
            _ => {
                name.push(b);
                i += 1;
            }
        }
    }
    if name.is_empty() {
        return None;
    }
    Some((String::from_utf8(name).ok()?, !quoted, strip_tabs))
}
