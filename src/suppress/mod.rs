//! Suppressions where the finding stands, applied in one place for every format.
//!
//! Each format contributes [`Suppression`]s: byte ranges, the rule names they cover, where they
//! are written and their reason.
//!
//! | form | covers |
//! |---|---|
//! | Dockerfile `# edgelint: ignore[a, b] -- reason` on its own line | the next instruction (a comment inside a multi-line instruction: that instruction) |
//! | `# edgelint: ignore-file[a]` anywhere | the whole Dockerfile; in YAML, the document it is in |
//! | YAML trailing `key: v  # edgelint: ignore[a]` | the outermost entry or list item that starts on that line, with everything under it |
//! | YAML `# edgelint: ignore[a]` on its own line | the next entry or list item (the outermost one starting there), with everything under it |
//! | Kubernetes `metadata.annotations["edgelint.io/ignore"]: "a, b -- reason"` | the object, except pod templates that carry the annotation themselves |
//! | the same annotation on a pod template (`spec.template.metadata`) | the pod template; it replaces the object's list there |
//! | Compose `x-edgelint: {ignore: [a, b], reason: …}` on a service | the service, its key included |
//! | the same at the top level | the document |
//!
//! A finding is suppressed when a suppression names its rule and the finding starts inside one
//! of the suppression's ranges, or the suppression's comment lies inside the finding's span. A
//! comment also covers itself, so `# edgelint: ignore[future-rule, unknown-rule]` silences the
//! `unknown-rule` finding on its own list.
//!
//! `parse-error` cannot be suppressed (a file that does not parse has no reliable comments;
//! `--ignore parse-error` drops it). The three hygiene rules are reported here:
//! `invalid-suppression` (an `edgelint:` comment or annotation that cannot be read, a name that
//! cannot be suppressed, or no reason under `require-reason`; such a suppression covers
//! nothing), `unknown-rule` (a name that is no rule) and `unused-suppression` (a name that
//! covered no finding). To know whether a suppression is used, the rules it names run even when
//! `--select` or the configuration leaves them out (their findings only mark the suppression
//! used); in a file with a `parse-error`, no suppression is reported unused.

use crate::diagnostic::{Diagnostic, PARSE_ERROR};
use crate::document::Document;
use crate::rules::{self, invalid_suppression, unknown_rule, unused_suppression, Rule};
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::source::{SourceFile, Span, Spanned};
use crate::suggest::closest;
use crate::syntax::yaml::{NodeKind, NodeRef, YamlDocument, YamlStream};

/// The annotation read on Kubernetes objects and pod templates.
pub const ANNOTATION: &str = "edgelint.io/ignore";
/// The Compose extension field read on services and at the top level.
pub const COMPOSE_KEY: &str = "x-edgelint";

/// How a suppression is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `# edgelint: ignore[…]`.
    Comment,
    /// `# edgelint: ignore-file[…]`.
    FileComment,
    /// `edgelint.io/ignore` on a Kubernetes object or pod template.
    Annotation,
    /// `x-edgelint: {ignore: […]}` in Compose.
    ComposeExtension,
}

/// One suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub form: Form,
    /// The comment, annotation value or `x-edgelint` value.
    pub at: Span,
    /// Where findings are covered.
    pub ranges: Vec<Span>,
    /// The rule names, each with its own span (inside `at` when it can be mapped exactly).
    pub names: Vec<Spanned<String>>,
    /// Text after `--` (or `reason:` in Compose), trimmed; `None` when absent or empty.
    pub reason: Option<String>,
}

/// An `edgelint:` comment or annotation that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// What a file says about suppressions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub suppressions: Vec<Suppression>,
    pub problems: Vec<Problem>,
}

const GRAMMAR_HELP: &str = "write `# edgelint: ignore[rule-a, rule-b] -- reason` (the next instruction or YAML key) or `# edgelint: ignore-file[rule-a] -- reason`";

/// A parsed `edgelint:` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub file: bool,
    pub names: Vec<Spanned<String>>,
    pub reason: Option<String>,
}

/// Reads the text of a comment (after `#`, which sits at `at - 1`). `None`: not an edgelint
/// comment (e.g. `# hadolint ignore=DL3008`, `# TODO edgelint: …`); `Err`: an edgelint
/// comment that cannot be read.
pub fn parse_directive(text: &str, at: usize) -> Option<Result<Directive, String>> {
    let start = text.len() - text.trim_start().len();
    let Some(rest) = text[start..].strip_prefix("edgelint:") else {
        return near_miss(&text[start..]).map(Err);
    };
    let mut pos = start + "edgelint:".len();
    pos += rest.len() - rest.trim_start().len();
    let word_len = text[pos..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(text.len() - pos);
    let word = &text[pos..pos + word_len];
    let file = match word {
        "ignore" => false,
        "ignore-file" => true,
        "" => return Some(Err("`edgelint:` comment has no directive".to_string())),
        other => {
            let hint = closest(other, &["ignore", "ignore-file"])
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Some(Err(format!("unknown suppression directive `{other}`{hint}")));
        }
    };
    pos += word_len;
    let after = &text[pos..];
    pos += after.len() - after.trim_start().len();
    if !text[pos..].starts_with('[') {
        return Some(Err(format!("`{word}` needs a list of rules in brackets: `{word}[rule-a]`")));
    }
    let Some(close) = text[pos..].find(']') else {
        return Some(Err("the list of rules has no closing `]`".to_string()));
    };
    let inner_start = pos + 1;
    let inner = &text[inner_start..pos + close];
    let Ok(names) =
        split_names(inner, |s, e| Span::new(at + inner_start + s, at + inner_start + e))
    else {
        return Some(Err(format!("`{word}[…]` has an empty rule name")));
    };
    if names.is_empty() {
        return Some(Err(format!("`{word}[]` names no rule")));
    }
    let tail = text[pos + close + 1..].trim();
    let reason = if tail.is_empty() {
        None
    } else if let Some(r) = tail.strip_prefix("--") {
        Some(r.trim().to_string()).filter(|r| !r.is_empty())
    } else {
        return Some(Err(format!("expected `-- reason` after the list, found `{tail}`")));
    };
    Some(Ok(Directive { file, names, reason }))
}

/// Whether `text` (a whole file, or one comment) may hold a suppression comment: every
/// directive, and every near miss that is reported, names edgelint. A text without it needs
/// no comment read (the YAML parser then skips comments, [`crate::engine::parse`]).
pub fn may_hold_directives(text: &str) -> bool {
    text.contains("edgelint")
}

/// A comment that is meant as a suppression but lacks the `edgelint:` prefix's colon
/// (`# edgelint ignore[rule]`, `# edgelint-ignore[rule]`, `# edgelint = ignore-file[rule]`):
/// the message saying so. It would otherwise suppress nothing, silently. Prose
/// (`# edgelint ignores this`) has no `[` after the directive and is left alone.
fn near_miss(text: &str) -> Option<String> {
    let rest = text.strip_prefix("edgelint")?;
    let directive =
        rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '=' | '_'));
    if directive.len() == rest.len() {
        return None;
    }
    let word = ["ignore-file", "ignore"].into_iter().find(|w| directive.starts_with(w))?;
    if !directive[word.len()..].trim_start().starts_with('[') {
        return None;
    }
    Some(format!(
        "`edgelint` needs a colon before `{word}`: write `# edgelint: {word}[…]`; without it the comment suppresses nothing"
    ))
}

/// Comma-separated names with their spans (from byte offsets in `list`). `Err` on an empty
/// name between commas; an all-blank list gives no name.
fn split_names(
    list: &str,
    span: impl Fn(usize, usize) -> Span,
) -> Result<Vec<Spanned<String>>, ()> {
    if list.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if name.is_empty() {
            return Err(());
        }
        let s = offset + lead;
        out.push(Spanned::new(name.to_string(), span(s, s + name.len())));
        offset += part.len() + 1;
    }
    Ok(out)
}

mod collect;
mod resolve;
pub use collect::{collect, yaml_extents};
pub use resolve::{apply, apply_cross_file, resolve};
// The tests reach the private helpers of both.
#[cfg(test)]
use collect::*;
#[cfg(test)]
use resolve::*;

#[cfg(test)]
mod tests;
