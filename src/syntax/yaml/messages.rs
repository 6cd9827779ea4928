//! Parser errors in plain words, at the token they are about.

use super::*;

/// The first byte in `lower..upper` (comments skipped) that `is_indicator` accepts.
pub(super) fn find_indicator(
    text: &str,
    lower: usize,
    upper: usize,
    is_indicator: impl Fn(usize) -> bool,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let upper = upper.min(bytes.len());
    let mut i = lower;
    while i < upper {
        let byte = *bytes.get(i)?;
        let after_blank = i == 0 || matches!(bytes.get(i - 1), Some(b' ' | b'\t' | b'\r' | b'\n'));
        if byte == b'#' && after_blank {
            while i < upper && !matches!(bytes.get(i), Some(b'\n' | b'\r')) {
                i += 1;
            }
            continue;
        }
        if is_indicator(i) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// granit-parser's message in plain words: no "while parsing …," prefix, lowercase start.
pub(super) fn plain_message(kind: &ErrorKind) -> String {
    let message = match kind {
        ErrorKind::MappingValueNotAllowed => "mapping values are not allowed here".to_owned(),
        ErrorKind::UnexpectedCharacter { character } => {
            format!("unexpected character '{}'", character.escape_default())
        }
        ErrorKind::UnknownQuotedScalarEscape => "unknown escape sequence in a quoted string".into(),
        ErrorKind::MissingAnchorOrAliasName => "an anchor or alias needs a name".into(),
        ErrorKind::ZeroBlockScalarIndent => {
            "the indentation indicator of a block scalar cannot be 0".into()
        }
        ErrorKind::TabInBlockIndentation | ErrorKind::TabInIndentation => {
            "tabs are not allowed in indentation".into()
        }
        ErrorKind::UnclosedVerbatimTag => "a verbatim tag is missing its closing '>'".into(),
        ErrorKind::UndeclaredTagHandle => {
            "tag handle is not declared; add a `%TAG` directive or write a local tag like `!x`"
                .into()
        }
        ErrorKind::ExpectedBlockMappingKey => "expected a mapping key at this indentation".into(),
        ErrorKind::ExpectedBlockSequenceEntry => "expected a `-` sequence entry here".into(),
        ErrorKind::ExpectedNodeContent => "expected a value here".into(),
        ErrorKind::UnexpectedEofFlowSequence => "unexpected end of file inside `[ ]`".into(),
        ErrorKind::UnexpectedEofFlowMapping | ErrorKind::UnexpectedEofImplicitFlowMapping => {
            "unexpected end of file inside `{ }`".into()
        }
        ErrorKind::UnexpectedEof
        | ErrorKind::UnexpectedEofBlockSequence
        | ErrorKind::UnexpectedEofBlockMapping => "unexpected end of file".into(),
        other => {
            let text = other.to_string();
            let text = match text.strip_prefix("while ") {
                Some(rest) => rest.split_once(", ").map_or(text.as_str(), |(_, tail)| tail),
                None => text.as_str(),
            };
            text.trim_end_matches('.').to_owned()
        }
    };
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        // Keep acronyms (`YAML`, `BOM`, `EOF`) as they are.
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            let rest = message.get(first.len_utf8()..).unwrap_or("");
            first.to_lowercase().chain(rest.chars()).collect()
        }
        _ => message,
    }
}
