//! Source text, byte spans and the per-file line index.
//!
//! Every parsed value keeps a byte [`Span`] into the original text. Line and column are computed
//! only when rendering, through [`LineIndex`] (a binary search over line starts), never by
//! rescanning the text.

/// A half-open byte range `start..end` into a file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// An empty span at `offset`.
    pub const fn empty(offset: usize) -> Span {
        Span { start: offset, end: offset }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// A sub-span, given a range relative to this span's start.
    pub fn sub(self, rel_start: usize, rel_end: usize) -> Span {
        Span { start: self.start + rel_start, end: self.start + rel_end }
    }

    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
}

/// A value with the span it was read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Whether any of the eight bytes of `word` is `byte` (exact: the borrow of the subtraction
/// only reaches past the first zero byte).
const fn has_byte(word: u64, byte: u8) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let x = word ^ (ONES * byte as u64);
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// Start offsets of every line. `\n`, `\r\n` and a lone `\r` all end a line.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            // Eight bytes at a time while none of them ends a line (most of a file).
            if let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
                let word = u64::from_le_bytes(word);
                if !has_byte(word, b'\n') && !has_byte(word, b'\r') {
                    i += 8;
                    continue;
                }
            }
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    line_starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        line_starts.shrink_to_fit();
        LineIndex { line_starts }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(usize::MAX)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Line and column of a byte offset. Offsets inside a multi-byte character or past the end
    /// are clamped.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let (line, before) = self.line_before(text, offset);
        Position { line: line + 1, column: before.chars().count() + 1 }
    }

    /// Line and column of a byte offset with the column counted in UTF-16 code units (1-based),
    /// as the Language Server Protocol counts them by default. Clamped like [`Self::position`].
    pub fn position_utf16(&self, text: &str, offset: usize) -> Position {
        let (line, before) = self.line_before(text, offset);
        Position { line: line + 1, column: before.encode_utf16().count() + 1 }
    }

    /// The 0-based line of `offset` and the text of that line before it (an offset inside a
    /// character or past the end is clamped).
    fn line_before<'t>(&self, text: &'t str, offset: usize) -> (usize, &'t str) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        (line, &text[start..end])
    }
}

/// One file's text with its path and line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as given or found (or the `--stdin-filename`), used in output.
    pub path: String,
    pub text: String,
    pub index: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let index = LineIndex::new(&text);
        SourceFile { path: path.into(), text, index }
    }

    /// Line and column (in Unicode scalar values) of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.index.position(&self.text, offset)
    }

    /// Line and column (in UTF-16 code units, for the language server) of a byte offset.
    pub fn position_utf16(&self, offset: usize) -> Position {
        self.index.position_utf16(&self.text, offset)
    }
}

/// `a/./b/../c` → `a/c`, lexically (symbolic links are not resolved; a leading `..` of a
/// relative path stays, one above `/` is dropped as the file system does).
pub fn normalize_path(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `io::Error` text without the ` (os error N)` suffix, starting lowercase.
pub fn io_message(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_are_found_across_word_boundaries() {
        // What the index must hold, byte by byte.
        fn naive(text: &str) -> Vec<usize> {
            let b = text.as_bytes();
            let mut starts = vec![0];
            for i in 0..b.len() {
                let ends = b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
                if ends {
                    starts.push(i + 1);
                }
            }
            starts
        }
        // Line endings at every position of an 8-byte word, next to bytes that differ from
        // `\n` (0x0A) and `\r` (0x0D) by one bit or one unit, and to multi-byte characters.
        let pieces = [
            "\n", "\r", "\r\n", "\u{b}", "\u{c}", "\u{e}", "\t", "\u{8a}", "\u{10d}", "é", "abc",
            "x",
        ];
        let mut text = String::new();
        for round in 0..400_usize {
            text.push_str(pieces[(round * 7 + round / 3) % pieces.len()]);
            if round % 5 == 0 {
                text.push_str("long line without any ending ");
            }
            for cut in [text.len(), text.len().saturating_sub(1), text.len().saturating_sub(9)] {
                if text.is_char_boundary(cut) {
                    assert_eq!(LineIndex::new(&text[..cut]).line_starts, naive(&text[..cut]));
                }
            }
        }
        assert!(naive(&text).len() > 100);
    }

    #[test]
    fn positions_count_characters_and_all_line_endings() {
        let text = "ab\r\ncé d\rx\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 4), Position { line: 2, column: 1 });
        // 'd' is after "cé " : c(1) é(2 bytes) space
        let d = text.find('d').unwrap();
        assert_eq!(idx.position(text, d), Position { line: 2, column: 4 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), Position { line: 3, column: 1 });
        assert_eq!(idx.position(text, text.len()), Position { line: 4, column: 1 });
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        // `é` is 2 bytes and 1 UTF-16 unit; `🚀` is 4 bytes and 2 UTF-16 units.
        let f = SourceFile::new("x", "a\né🚀b: 1\n");
        let b = f.text.find('b').unwrap();
        assert_eq!(f.position(b), Position { line: 2, column: 3 });
        assert_eq!(f.position_utf16(b), Position { line: 2, column: 4 });
        assert_eq!(f.position_utf16(0), Position { line: 1, column: 1 });
        // inside the rocket: clamped to its start
        let rocket = f.text.find('🚀').unwrap();
        assert_eq!(f.position_utf16(rocket + 1), Position { line: 2, column: 2 });
        assert_eq!(f.position_utf16(usize::MAX), Position { line: 3, column: 1 });
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 1), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 99), Position { line: 1, column: 2 });
    }
}
