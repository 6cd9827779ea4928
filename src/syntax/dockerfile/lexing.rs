//! Bytes: the crate's character classes and small scanners over a line.

use super::*;

/// Bytes parse-dockerfile treats as blanks inside a line (space, tab, CR, VT, FF).
pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

pub(super) fn line_end(t: &[u8], i: usize) -> usize {
    match t.get(i..).and_then(|r| r.iter().position(|&b| b == b'\n')) {
        Some(p) => i + p,
        None => t.len(),
    }
}

pub(super) fn skip_line(t: &[u8], i: usize) -> usize {
    let e = line_end(t, i);
    if e < t.len() {
        e + 1
    } else {
        e
    }
}

pub(super) fn line_start(t: &[u8], pos: usize) -> usize {
    let pos = pos.min(t.len());
    t.get(..pos).and_then(|r| r.iter().rposition(|&b| b == b'\n')).map_or(0, |p| p + 1)
}

/// `end` moved back over blanks and newlines, not before `start`.
pub(super) fn trim_back(t: &[u8], start: usize, mut end: usize) -> usize {
    end = end.min(t.len());
    while end > start && t.get(end - 1).is_some_and(|&b| is_ws(b) || b == b'\n') {
        end -= 1;
    }
    end
}

/// Overwrites `buf[start..end]` with spaces, newlines kept (so line numbers hold), widened to
/// whole characters so the result stays UTF-8.
pub(super) fn blank(buf: &mut [u8], start: usize, end: usize) {
    let mut start = start.min(buf.len());
    let mut end = end.min(buf.len());
    while start > 0 && buf.get(start).is_some_and(|&b| b & 0xC0 == 0x80) {
        start -= 1;
    }
    while end < buf.len() && buf.get(end).is_some_and(|&b| b & 0xC0 == 0x80) {
        end += 1;
    }
    for b in buf.iter_mut().take(end).skip(start) {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

pub(super) fn bytes_to_string(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// If a line continuation starts at `i` (the escape, optional blanks, a newline), the offset
/// after it and after the comment and blank lines that follow (the crate's
/// `consume_line_continuation`).
pub(super) fn continuation_at(t: &[u8], i: usize, esc: u8) -> Option<usize> {
    if t.get(i) != Some(&esc) {
        return None;
    }
    let mut j = i + 1;
    match t.get(j) {
        Some(b'\n') => j += 1,
        Some(b'\r') if t.get(j + 1) == Some(&b'\n') => j += 2,
        Some(b' ' | b'\t') => {
            while t.get(j).is_some_and(|&b| is_ws(b)) {
                j += 1;
            }
            if t.get(j) != Some(&b'\n') {
                return None;
            }
            j += 1;
        }
        _ => return None,
    }
    Some(skip_continued_blank_lines(t, j))
}

/// After a continuation, skips empty, blank and comment lines (the crate's `followup`).
pub(super) fn skip_continued_blank_lines(t: &[u8], mut j: usize) -> usize {
    loop {
        let Some(&b) = t.get(j) else { return j };
        if is_ws(b) {
            let mut k = j + 1;
            while t.get(k).is_some_and(|&c| is_ws(c)) {
                k += 1;
            }
            match t.get(k) {
                Some(b'#') => j = skip_line(t, k + 1),
                Some(b'\n') => j = k + 1,
                _ => return j,
            }
        } else if b == b'\n' {
            j += 1;
        } else if b == b'#' {
            j = skip_line(t, j + 1);
        } else {
            return j;
        }
    }
}

/// Skips blanks, newlines, comment lines and stray continuations between instructions (the
/// crate's `consume_comments_and_whitespaces`).
pub(super) fn skip_blank(t: &[u8], mut i: usize, esc: u8) -> usize {
    loop {
        let Some(&b) = t.get(i) else { return i };
        if is_ws(b) || b == b'\n' {
            i += 1;
        } else if b == b'#' {
            i = skip_line(t, i + 1);
        } else if let Some(j) = continuation_at(t, i, esc) {
            i = j;
        } else {
            return i;
        }
    }
}

/// The `\n` ending the logical line that starts at `i` (or the text's end).
pub(super) fn logical_line_end(t: &[u8], mut i: usize, esc: u8) -> usize {
    while let Some(&b) = t.get(i) {
        if b == b'\n' {
            return i;
        }
        match continuation_at(t, i, esc) {
            Some(j) => i = j,
            None => i += 1,
        }
    }
    t.len()
}

/// A logical line with continuations removed, and the source offset of each byte.
pub(super) struct Joined {
    pub(super) bytes: Vec<u8>,
    /// `map[k]` is the source offset of `bytes[k]`; one extra entry for the end.
    pub(super) map: Vec<usize>,
}

impl Joined {
    /// The source range of `bytes[a..b]`.
    pub(super) fn range(&self, a: usize, b: usize) -> Range<usize> {
        let end_entry = self.map.last().copied().unwrap_or(0);
        let start = self.map.get(a).copied().unwrap_or(end_entry);
        if b > a {
            let end = self.map.get(b - 1).map_or(end_entry, |&e| e + 1);
            start..end
        } else {
            start..start
        }
    }
}

pub(super) fn join(t: &[u8], start: usize, end: usize, esc: u8) -> Joined {
    let end = end.min(t.len());
    let mut bytes = Vec::with_capacity(end.saturating_sub(start));
    let mut map = Vec::with_capacity(end.saturating_sub(start) + 1);
    let mut i = start;
    while i < end {
        if let Some(j) = continuation_at(t, i, esc) {
            i = j;
            continue;
        }
        if let Some(&b) = t.get(i) {
            bytes.push(b);
            map.push(i);
        }
        i += 1;
    }
    map.push(end.max(start));
    Joined { bytes, map }
}

pub(super) fn join_str(t: &str, r: Range<usize>, esc: u8) -> String {
    bytes_to_string(join(t.as_bytes(), r.start, r.end, esc).bytes)
}
