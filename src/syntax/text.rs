//! Text values that rules search inside (commands, arguments, environment values), with a
//! mapping from a byte range of the value back to the source.

use crate::source::Span;
use crate::syntax::yaml::NodeRef;

/// A string value with its span and, when the value is the source text byte for byte, where it
/// starts, so that a match inside it gets an exact span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    /// The whole value as written (quotes included).
    pub span: Span,
    /// Offset of `value[0]` in the source when `value` equals the source bytes from there.
    pub raw_start: Option<usize>,
}

impl Text {
    /// A value whose bytes are the source bytes starting at `start`.
    pub fn raw(value: impl Into<String>, start: usize) -> Text {
        let value = value.into();
        let span = Span::new(start, start + value.len());
        Text { value, span, raw_start: Some(start) }
    }

    /// The span of `value[range]`, or the whole value's span when the value does not map 1:1 to
    /// the source (escapes, folded lines).
    pub fn sub_span(&self, start: usize, end: usize) -> Span {
        match self.raw_start {
            Some(s) if start <= end && end <= self.value.len() => Span::new(s + start, s + end),
            _ => self.span,
        }
    }

    /// Like [`Text::sub_span`], but when the value does not map 1:1 to the source (a block
    /// scalar, a quoted string with escapes) it still finds `value[start..end]` in `source`
    /// (the whole file text) when that is unambiguous: the matched text must occur as often
    /// inside the value's source span as inside the value, and the occurrence with the same
    /// index is taken. Block scalars keep each line's bytes, so this gives the exact token
    /// there; otherwise it falls back to the whole value's span.
    pub fn locate(&self, source: &str, start: usize, end: usize) -> Span {
        if self.raw_start.is_some() {
            return self.sub_span(start, end);
        }
        let (Some(needle), Some(written)) =
            (self.value.get(start..end), source.get(self.span.start..self.span.end))
        else {
            return self.span;
        };
        if needle.is_empty() {
            return self.span;
        }
        let in_value: Vec<usize> = self.value.match_indices(needle).map(|(i, _)| i).collect();
        let in_source: Vec<usize> = written.match_indices(needle).map(|(i, _)| i).collect();
        match in_value.iter().position(|&i| i == start) {
            Some(k) if in_value.len() == in_source.len() => {
                let at = self.span.start + in_source[k];
                Span::new(at, at + needle.len())
            }
            _ => self.span,
        }
    }

    /// A YAML scalar as text; `None` for anything but a scalar (null included).
    pub fn from_yaml(node: NodeRef<'_>) -> Option<Text> {
        let value = node.as_str()?;
        let raw_start = node.value_span(0..value.len()).map(|s| s.start);
        Some(Text { value: value.to_string(), span: node.span(), raw_start })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_maps_raw_values_directly() {
        let t = Text::raw("curl x-amd64", 10);
        assert_eq!(t.locate("", 7, 12), Span::new(17, 22));
    }

    #[test]
    fn locate_finds_a_token_in_a_block_scalar() {
        let source = "cmd: |\n  a amd64\n  b amd64\n";
        let t = Text {
            value: "a amd64\nb amd64\n".into(),
            span: Span::new(5, source.len()),
            raw_start: None,
        };
        // The second `amd64` of the value is the second one in the source.
        assert_eq!(t.locate(source, 10, 15), Span::new(21, 26));
        assert_eq!(&source[21..26], "amd64");
        assert_eq!(t.locate(source, 2, 7), Span::new(11, 16));
    }

    #[test]
    fn locate_falls_back_when_ambiguous() {
        // An escape produced the needle: counts differ, so the whole value is returned.
        let source = "x: \"\\x61md64 amd64\"";
        let t =
            Text { value: "amd64 amd64".into(), span: Span::new(3, source.len()), raw_start: None };
        assert_eq!(t.locate(source, 6, 11), t.span);
    }
}
