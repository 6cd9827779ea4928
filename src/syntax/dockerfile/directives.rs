//! Parser directives (`# syntax=`, `# escape=`), read with BuildKit's rules.

use super::*;

pub(super) struct Directives {
    pub(super) escape: u8,
    pub(super) syntax: Option<(String, Range<usize>)>,
    pub(super) check: Option<(String, Range<usize>)>,
    /// Where the directives end (the start of the first other line).
    pub(super) end: usize,
}

/// Reads the directives with BuildKit's rules (`parser.DirectiveParser`) and edits the crate's
/// copy so that the crate reads the same ones (see the module docs).
pub(super) fn parse_directives(t: &[u8], buf: &mut [u8], ctx: &mut Ctx) -> Directives {
    let mut d = Directives { escape: b'\\', syntax: None, check: None, end: 0 };
    let mut escape_seen = false;
    let mut i = 0;
    while i < t.len() {
        let le = line_end(t, i);
        let line = t.get(i..le).unwrap_or_default();
        let lead = line.iter().take_while(|&&b| is_ws(b)).count();
        if line.get(lead) != Some(&b'#') {
            break;
        }
        let Some((key, value)) = directive(line, lead) else {
            // A plain comment ends the directives; blanked so the crate stops here too.
            blank(buf, i, le);
            break;
        };
        let value_text = String::from_utf8_lossy(line.get(value.clone()).unwrap_or_default());
        let value_range = i + value.start..i + value.end;
        let line_range = i + lead..trim_back(t, i, le);
        let seen = match key {
            "syntax" => d.syntax.is_some(),
            "check" => d.check.is_some(),
            _ => escape_seen,
        };
        if seen {
            ctx.error(line_range, format!("only one {key} parser directive can be used"));
            blank(buf, i, le);
            break;
        }
        match key {
            "syntax" => d.syntax = Some((value_text.into_owned(), value_range)),
            "check" => d.check = Some((value_text.into_owned(), value_range)),
            _ => {
                match value_text.as_ref() {
                    "\\" => d.escape = b'\\',
                    "`" => d.escape = b'`',
                    _ => {
                        ctx.error(
                            value_range,
                            format!("invalid escape character '{value_text}': use \\ or `"),
                        );
                        blank(buf, i, le);
                        break;
                    }
                }
                escape_seen = true;
            }
        }
        if lead > 0 {
            if let Some(seg) = buf.get_mut(i..le) {
                seg.rotate_left(lead);
            }
        }
        i = skip_line(t, i);
    }
    d.end = i;
    d
}

/// `#`, blanks, a known key, blanks, `=`, blanks, a value (up to a blank: the crate's reading).
/// Returns the lowercase key and the value's range in `line`.
pub(super) fn directive(line: &[u8], hash: usize) -> Option<(&'static str, Range<usize>)> {
    let mut k = hash + 1;
    while line.get(k).is_some_and(|&b| is_ws(b)) {
        k += 1;
    }
    let key_start = k;
    if !line.get(k).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while line.get(k).is_some_and(u8::is_ascii_alphanumeric) {
        k += 1;
    }
    let key = line.get(key_start..k)?;
    let key = ["syntax", "check", "escape"]
        .into_iter()
        .find(|w| key.eq_ignore_ascii_case(w.as_bytes()))?;
    while line.get(k).is_some_and(|&b| is_ws(b)) {
        k += 1;
    }
    if line.get(k) != Some(&b'=') {
        return None;
    }
    k += 1;
    while line.get(k).is_some_and(|&b| is_ws(b)) {
        k += 1;
    }
    let v = k;
    while line.get(k).is_some_and(|&b| !is_ws(b)) {
        k += 1;
    }
    (k > v).then_some((key, v..k))
}
