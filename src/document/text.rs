//! Text values that rules search inside (commands, arguments, environment values), with a
//! mapping from a byte range of the value back to the source.

use crate::document::yaml::NodeRef;
use crate::source::Span;

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

    /// A YAML scalar as text; `None` for anything but a scalar (null included).
    pub fn from_yaml(node: NodeRef<'_>) -> Option<Text> {
        let value = node.as_str()?;
        let raw_start = node.value_span(0..value.len()).map(|s| s.start);
        Some(Text { value: value.to_string(), span: node.span(), raw_start })
    }
}
