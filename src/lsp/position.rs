//! Byte offsets ↔ LSP positions in the negotiated encoding.
//!
//! Findings carry byte spans into the document's text; the protocol counts a position as a
//! 0-based line and a 0-based column in code units of the negotiated encoding: UTF-16 by default,
//! UTF-8 (bytes) when the client offers it. Lines end at `\n`, `\r\n` or a lone `\r`, as in
//! both [`LineIndex`] and the protocol.
//!
//! Every conversion clamps instead of failing: an offset inside a character or past the end, a
//! column past the end of its line (the protocol says: the line's end), a column inside a UTF-16
//! surrogate pair or a UTF-8 sequence (the character's start), a line past the end (the end of
//! the text).

use crate::source::LineIndex;

/// The position encoding agreed in `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Columns in bytes (`utf-8`).
    Utf8,
    /// Columns in UTF-16 code units (`utf-16`, the protocol's default).
    #[default]
    Utf16,
}

impl Encoding {
    /// The encoding to use given what the client offers (`general.positionEncodings`, in its
    /// order of preference): UTF-8 when offered, else UTF-16, which every client supports.
    pub fn negotiate<'a>(offered: impl IntoIterator<Item = &'a str>) -> Encoding {
        if offered.into_iter().any(|e| e == "utf-8") {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// A 0-based line and a 0-based column in code units, as the protocol counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LspPosition {
    pub line: u32,
    pub character: u32,
}

/// A text with its line index, to convert positions both ways.
pub struct Lines<'t> {
    text: &'t str,
    index: &'t LineIndex,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str, index: &'t LineIndex) -> Lines<'t> {
        Lines { text, index }
    }

    /// The byte range of 0-based `line` without its line ending.
    fn line_bounds(&self, line: usize) -> (usize, usize) {
        let start = self.index.line_start(line).min(self.text.len());
        let next = if line + 1 < self.index.line_count() {
            self.index.line_start(line + 1).min(self.text.len())
        } else {
            self.text.len()
        };
        let content = &self.text[start..next];
        let content = content.strip_suffix('\n').unwrap_or(content);
        let content = content.strip_suffix('\r').unwrap_or(content);
        (start, start + content.len())
    }

    /// The position of a byte offset (clamped to a character boundary and to the text).
    pub fn position(&self, offset: usize, encoding: Encoding) -> LspPosition {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(offset);
        let (start, _) = self.line_bounds(line);
        let character = self.text[start..offset].chars().map(|c| encoding.units(c)).sum();
        LspPosition { line: u32::try_from(line).unwrap_or(u32::MAX), character }
    }

    /// The byte offset of a position (clamped as the module says).
    pub fn offset(&self, position: LspPosition, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.index.line_count() {
            return self.text.len();
        }
        let (start, end) = self.line_bounds(line);
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            let next = units + encoding.units(c);
            if next > position.character {
                // The column is at this character or inside it: its start.
                return start + i;
            }
            units = next;
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> LspPosition {
        LspPosition { line, character }
    }

    /// Converts both ways on `text`.
    fn with(text: &str, f: impl FnOnce(&Lines<'_>)) {
        let index = LineIndex::new(text);
        f(&Lines::new(text, &index));
    }

    #[test]
    fn utf16_counts_a_surrogate_pair_as_two_units() {
        // `é` is 2 bytes and 1 UTF-16 unit; `🚀` is 4 bytes and 2 units (a surrogate pair).
        let text = "a: 1\n# é🚀\nimage: x\n";
        with(text, |l| {
            let x_after_rocket = text.find('🚀').unwrap() + 4;
            assert_eq!(l.position(x_after_rocket, Encoding::Utf16), pos(1, 5));
            assert_eq!(l.position(x_after_rocket, Encoding::Utf8), pos(1, 8));
            assert_eq!(l.offset(pos(1, 5), Encoding::Utf16), x_after_rocket);
            assert_eq!(l.offset(pos(1, 8), Encoding::Utf8), x_after_rocket);
            let rocket = text.find('🚀').unwrap();
            // Column 3 is the rocket's start; column 4 falls between the two units of its
            // surrogate pair and stands for the rocket's start too.
            assert_eq!(l.offset(pos(1, 3), Encoding::Utf16), rocket);
            assert_eq!(l.offset(pos(1, 4), Encoding::Utf16), rocket);
            // An offset inside the rocket: its start.
            assert_eq!(l.position(rocket + 2, Encoding::Utf16), pos(1, 3));
            assert_eq!(l.position(rocket + 2, Encoding::Utf8), pos(1, 4));
        });
    }

    #[test]
    fn multi_byte_characters_before_a_value() {
        // What the end-to-end test opens: a value after non-ASCII text on the same line.
        let text = "metadata: {name: café-ü}\nimage: nginx:latest\n";
        with(text, |l| {
            let name = text.find("café").unwrap();
            let end = name + "café-ü".len();
            assert_eq!(l.position(end, Encoding::Utf16), pos(0, 23));
            assert_eq!(l.position(end, Encoding::Utf8), pos(0, 25));
            assert_eq!(l.offset(pos(0, 23), Encoding::Utf16), end);
            // Inside `é` (UTF-8 column of its second byte): the character's start.
            let e = text.find('é').unwrap();
            assert_eq!(l.offset(pos(0, e as u32 + 1), Encoding::Utf8), e);
            assert_eq!(l.position(e + 1, Encoding::Utf8), pos(0, e as u32));
        });
    }

    #[test]
    fn positions_past_the_end_of_a_line_or_the_text_are_clamped() {
        let text = "ab\r\ncd\re\n";
        with(text, |l| {
            // Past the end of line 0: its end, before `\r\n`.
            assert_eq!(l.offset(pos(0, 99), Encoding::Utf16), 2);
            assert_eq!(l.offset(pos(1, 99), Encoding::Utf8), 6);
            assert_eq!(l.offset(pos(2, 0), Encoding::Utf8), 7);
            // The empty last line, then past the last line: the end of the text.
            assert_eq!(l.offset(pos(3, 0), Encoding::Utf16), text.len());
            assert_eq!(l.offset(pos(99, 5), Encoding::Utf16), text.len());
            assert_eq!(l.offset(pos(u32::MAX, u32::MAX), Encoding::Utf8), text.len());
            assert_eq!(l.position(usize::MAX, Encoding::Utf16), pos(3, 0));
            assert_eq!(l.position(4, Encoding::Utf16), pos(1, 0));
        });
        with("", |l| {
            assert_eq!(l.position(0, Encoding::Utf16), pos(0, 0));
            assert_eq!(l.offset(pos(0, 3), Encoding::Utf16), 0);
        });
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(["utf-16", "utf-8"]), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(["utf-32", "utf-16"]), Encoding::Utf16);
        assert_eq!(Encoding::negotiate([]), Encoding::Utf16);
    }
}
