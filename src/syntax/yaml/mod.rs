//! YAML span tree built from granit-parser events.
//!
//! [`parse_stream`] reads a whole YAML stream into one [`YamlDocument`] per document: an arena
//! of [`Node`]s (scalars, sequences, mappings and aliases), each with the byte [`Span`] it was
//! written at, its tag and anchor as written, and every comment of the document. Syntax errors,
//! unknown anchors, duplicate keys and exceeded limits become [`YamlError`]s; a broken document
//! never hides the documents after it (granit-parser's per-document recovery).
//!
//! Aliases are stored as references, never expanded while building, so alias bombs cost nothing
//! until a lookup follows them; [`NodeRef`] lookups resolve aliases and `<<` merge keys within a
//! budget ([`Limits::max_alias_expansion`]). The tree is built without recursion and every
//! lookup is iterative, so deeply nested input cannot overflow the stack.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use granit_parser::{ErrorKind, Event, Marker, Options, Parser, ScanError, StructureStyle, Tag};

use crate::source::Span;

/// Index of a node in its document's arena.
pub type NodeId = u32;

/// Resource bounds for parsing and lookups. Input is untrusted: these keep time and memory
/// proportional to the input size whatever it contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest allowed nesting of collections (default 512).
    pub max_depth: usize,
    /// Most nodes in one document (default 1,000,000).
    pub max_nodes: usize,
    /// Most nodes visited when following aliases and merge keys in one lookup (default 10,000).
    pub max_alias_expansion: usize,
    /// Most nodes that aliases (and merge keys through them) may add to one document when it is
    /// expanded, as a YAML-to-JSON conversion would (default 1,000,000). Over it the document
    /// is an alias bomb ("billion laughs"): an error, and its aliases are not followed, so no
    /// view or rule can be made to do exponential work. Kubernetes' YAML decoder rejects such
    /// documents too ("excessive aliasing").
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 512,
            max_nodes: 1_000_000,
            max_alias_expansion: 10_000,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// Every document of a YAML stream, and every problem found while reading it.
#[derive(Clone, Debug, Default)]
pub struct YamlStream {
    pub documents: Vec<YamlDocument>,
    /// Syntax errors, unknown anchors, duplicate keys, invalid merges and exceeded limits, in the
    /// order found.
    pub errors: Vec<YamlError>,
}

/// A problem in the YAML text, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// The offending token, or an empty span where the parser stopped.
    pub span: Span,
    /// Lowercase start, no trailing period, e.g. "mapping values are not allowed here".
    pub message: String,
    /// The document it belongs to (its `index`), when it belongs to one.
    pub document_index: Option<usize>,
    /// A second place the error refers to: for a duplicate key, the first definition.
    pub related: Option<Span>,
}

/// One document of a stream: an arena of nodes and the comments written in it.
#[derive(Clone, Debug)]
pub struct YamlDocument {
    nodes: Vec<Node>,
    /// The top node; `None` when the document broke before its content started.
    pub root: Option<NodeId>,
    /// From the `---` marker (or the first content) to the end of the document.
    pub span: Span,
    /// 0-based position in the stream.
    pub index: usize,
    /// Comments, in source order. Comments between documents belong to the next document;
    /// comments after the last document belong to the last one.
    pub comments: Vec<Comment>,
    /// A syntax error or a limit cut this document short: the tree holds what was read before
    /// the error (open collections closed where the error was found).
    pub partial: bool,
    /// The aliases expand to more than [`Limits::max_alias_nodes`] nodes (an error says so):
    /// lookups treat every alias as a node without a target.
    pub alias_bomb: bool,
    max_alias_expansion: usize,
}

/// A `#` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From `#` to the end of the line (line break excluded).
    pub span: Span,
    /// The text after `#`, untrimmed.
    pub text: String,
    /// Code precedes the comment on the same line.
    pub trailing: bool,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Where the content is written, properties (tag, anchor) excluded. Quoted scalars include
    /// their quotes; block scalars run from the `|`/`>` indicator to the end of the last
    /// non-blank content line; block sequences start at their first `-`; an empty value
    /// (`key:`) is an empty span right after the colon.
    pub span: Span,
    /// The tag as written (`!!str`, `!Ref`, `!<tag:yaml.org,2002:str>`).
    pub tag: Option<String>,
    /// The anchor name, without `&`.
    pub anchor: Option<String>,
    /// For a scalar: its source text (inside the quotes, if quoted) equals its value, so byte
    /// ranges of the value map one to one onto the source (see [`NodeRef::value_span`]).
    pub verbatim: bool,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar; `value` is after escape processing and folding (an empty value for `key:`).
    Scalar {
        value: String,
        style: ScalarStyle,
    },
    Sequence(Vec<NodeId>),
    /// Entries as written, in document order (merge keys included).
    Mapping(Vec<(NodeId, NodeId)>),
    /// `*name`. `target` is `None` for an unknown anchor (also reported as a [`YamlError`]).
    Alias {
        target: Option<NodeId>,
    },
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// Returned by [`YamlDocument::node`] for an id that is not in the document.
static MISSING_NODE: Node = Node {
    kind: NodeKind::Scalar { value: String::new(), style: ScalarStyle::Plain },
    span: Span::empty(0),
    tag: None,
    anchor: None,
    verbatim: false,
};

impl YamlDocument {
    /// The node with this id. An id from another document gives an empty plain scalar.
    pub fn node(&self, id: NodeId) -> &Node {
        self.nodes.get(id as usize).unwrap_or(&MISSING_NODE)
    }

    /// All nodes, indexed by [`NodeId`] (pre-order: a collection before its children).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// A handle on a node for lookups.
    pub fn node_ref(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef { doc: self, id }
    }

    /// The top node, for lookups.
    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.root.map(|id| self.node_ref(id))
    }
}

/// A node together with its document, for lookups that follow aliases and merge keys.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    doc: &'a YamlDocument,
    id: NodeId,
}

/// A mapping entry. `key.span()` and `value.span()` are where they are written (for merged
/// entries: inside the merged mapping).
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub key: NodeRef<'a>,
    pub value: NodeRef<'a>,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeRef")
            .field("id", &self.id)
            .field("kind", &self.node().kind)
            .field("span", &self.span())
            .finish()
    }
}

impl<'a> NodeRef<'a> {
    pub fn id(self) -> NodeId {
        self.id
    }

    pub fn doc(self) -> &'a YamlDocument {
        self.doc
    }

    /// The node as written (an alias node, not its target).
    pub fn node(self) -> &'a Node {
        self.doc.node(self.id)
    }

    /// Span of the node as written; for an alias, the `*name` use site.
    pub fn span(self) -> Span {
        self.node().span
    }

    /// The tag as written, after resolving aliases.
    pub fn tag(self) -> Option<&'a str> {
        self.resolve().node().tag.as_deref()
    }

    /// The scalar style, after resolving aliases; `None` for other nodes.
    pub fn style(self) -> Option<ScalarStyle> {
        match &self.resolve().node().kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    pub fn is_alias(self) -> bool {
        matches!(self.node().kind, NodeKind::Alias { .. })
    }

    /// Follows alias chains (bounded by `max_alias_expansion`). A non-alias, or an alias to an
    /// unknown anchor, returns itself.
    pub fn resolve(self) -> NodeRef<'a> {
        if self.doc.alias_bomb {
            return self;
        }
        let mut current = self;
        let mut steps = 0usize;
        while let NodeKind::Alias { target: Some(target) } = current.node().kind {
            if steps >= self.doc.max_alias_expansion.max(1) {
                break;
            }
            steps += 1;
            current = NodeRef { doc: self.doc, id: target };
        }
        current
    }

    /// The scalar value after resolving aliases; `None` for mappings, sequences and nulls.
    pub fn as_str(self) -> Option<&'a str> {
        let node = self.resolve().node();
        match &node.kind {
            NodeKind::Scalar { value, .. } if !is_null_scalar(node) => Some(value),
            _ => None,
        }
    }

    /// Plain `~`, `null`, `Null`, `NULL` or an empty plain scalar (`key:` with nothing), or a
    /// scalar tagged `!!null`; after resolving aliases.
    pub fn is_null(self) -> bool {
        is_null_scalar(self.resolve().node())
    }

    pub fn is_mapping(self) -> bool {
        matches!(self.resolve().node().kind, NodeKind::Mapping(_))
    }

    pub fn is_sequence(self) -> bool {
        matches!(self.resolve().node().kind, NodeKind::Sequence(_))
    }

    pub fn is_scalar(self) -> bool {
        matches!(self.resolve().node().kind, NodeKind::Scalar { .. })
    }

    /// Sequence items as written (aliases not resolved); empty for anything else.
    pub fn items(self) -> Vec<NodeRef<'a>> {
        match &self.resolve().node().kind {
            NodeKind::Sequence(items) => {
                items.iter().map(|&id| NodeRef { doc: self.doc, id }).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Looks up `key` in a mapping (after resolving aliases), honouring `<<` merge keys: own
    /// entries win over merged ones; among merged mappings the earlier wins, and a merged
    /// mapping's own merges come before the next source. A key written twice gives its last
    /// value (what Kubernetes' YAML-to-JSON conversion keeps; the duplicate is a [`YamlError`]).
    pub fn get(self, key: &str) -> Option<Entry<'a>> {
        let map = self.resolve();
        let NodeKind::Mapping(entries) = &map.node().kind else {
            return None;
        };
        if let Some(entry) = self.find_own(entries, key) {
            return Some(entry);
        }
        let mut budget = self.doc.max_alias_expansion;
        let mut stack = Vec::new();
        self.push_merge_sources(entries, &mut stack, &mut budget);
        if stack.is_empty() {
            return None;
        }
        let mut visited = HashSet::new();
        visited.insert(map.id);
        while let Some(source) = stack.pop() {
            if !visited.insert(source) {
                continue;
            }
            let NodeKind::Mapping(entries) = &self.doc.node(source).kind else {
                continue;
            };
            if !spend(&mut budget, entries.len()) {
                return None;
            }
            if let Some(entry) = self.find_own(entries, key) {
                return Some(entry);
            }
            self.push_merge_sources(entries, &mut stack, &mut budget);
        }
        None
    }

    /// Mapping entries (after resolving aliases): own entries as written (duplicates included,
    /// `<<` entries left out), then merged entries whose key is not already present, in
    /// precedence order (see [`NodeRef::get`]). Merges are followed within the lookup budget.
    pub fn entries(self) -> Vec<Entry<'a>> {
        let map = self.resolve();
        let NodeKind::Mapping(entries) = &map.node().kind else {
            return Vec::new();
        };
        let mut out: Vec<Entry<'a>> = entries
            .iter()
            .filter(|(k, _)| !is_merge_key(self.doc.node(*k)))
            .map(|&(k, v)| self.entry(k, v))
            .collect();
        let mut budget = self.doc.max_alias_expansion;
        let mut stack = Vec::new();
        self.push_merge_sources(entries, &mut stack, &mut budget);
        if stack.is_empty() {
            return out;
        }
        let mut seen: HashSet<&'a str> = out.iter().filter_map(|e| e.key.scalar_value()).collect();
        let mut visited = HashSet::new();
        visited.insert(map.id);
        let mut batch = Vec::new();
        while let Some(source) = stack.pop() {
            if !visited.insert(source) {
                continue;
            }
            let NodeKind::Mapping(entries) = &self.doc.node(source).kind else {
                continue;
            };
            if !spend(&mut budget, entries.len()) {
                break;
            }
            // Within one merged mapping the last occurrence of a key counts, as in `get`.
            batch.clear();
            for &(k, v) in entries.iter().rev() {
                if is_merge_key(self.doc.node(k)) {
                    continue;
                }
                let entry = self.entry(k, v);
                match entry.key.scalar_value() {
                    Some(name) if !seen.insert(name) => {}
                    _ => batch.push(entry),
                }
            }
            out.extend(batch.iter().rev());
            self.push_merge_sources(entries, &mut stack, &mut budget);
        }
        out
    }

    /// Maps a byte range of [`as_str`](Self::as_str) back to source bytes, when the scalar's
    /// source text equals its value (plain on one line, or quoted without escapes); `None`
    /// otherwise or when the range is not inside the value.
    pub fn value_span(self, range: Range<usize>) -> Option<Span> {
        let node = self.resolve().node();
        let NodeKind::Scalar { value, style } = &node.kind else {
            return None;
        };
        if !node.verbatim
            || range.start > range.end
            || range.end > value.len()
            || !value.is_char_boundary(range.start)
            || !value.is_char_boundary(range.end)
        {
            return None;
        }
        let content = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                node.span.start.checked_add(1)?
            }
            _ => node.span.start,
        };
        Some(Span::new(content.checked_add(range.start)?, content.checked_add(range.end)?))
    }

    /// `true`/`false` per the YAML 1.2 core schema (`true`, `True`, `TRUE`, …) on untagged
    /// plain scalars (or `!!bool`).
    pub fn as_bool(self) -> Option<bool> {
        let text = self.core_plain("bool")?;
        match text {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// An integer per the YAML 1.2 core schema (`[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`)
    /// on untagged plain scalars (or `!!int`); `None` if it does not fit an `i64`.
    pub fn as_i64(self) -> Option<i64> {
        let text = self.core_plain("int")?;
        if let Some(octal) = text.strip_prefix("0o") {
            return digits_in_radix(octal, 8);
        }
        if let Some(hex) = text.strip_prefix("0x") {
            return digits_in_radix(hex, 16);
        }
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    /// The value of a plain scalar that is untagged or carries the core tag `!!<core>`.
    fn core_plain(self, core: &str) -> Option<&'a str> {
        let node = self.resolve().node();
        match (&node.kind, &node.tag) {
            (NodeKind::Scalar { value, style: ScalarStyle::Plain }, None) => Some(value),
            (NodeKind::Scalar { value, .. }, Some(tag)) if core_suffix(tag) == Some(core) => {
                Some(value)
            }
            _ => None,
        }
    }

    /// The value of a scalar key (after resolving aliases), null or not, for key matching.
    fn scalar_value(self) -> Option<&'a str> {
        match &self.resolve().node().kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    fn entry(self, key: NodeId, value: NodeId) -> Entry<'a> {
        Entry {
            key: NodeRef { doc: self.doc, id: key },
            value: NodeRef { doc: self.doc, id: value },
        }
    }

    /// The last own entry named `key` (merge entries skipped).
    fn find_own(self, entries: &[(NodeId, NodeId)], key: &str) -> Option<Entry<'a>> {
        entries.iter().rev().find_map(|&(k, v)| {
            let node = self.doc.node(k);
            let entry = self.entry(k, v);
            (!is_merge_key(node) && entry.key.scalar_value() == Some(key)).then_some(entry)
        })
    }

    /// Pushes the mappings merged by `entries`' `<<` keys onto `stack`, so that the first
    /// source is popped first.
    fn push_merge_sources(
        self,
        entries: &[(NodeId, NodeId)],
        stack: &mut Vec<NodeId>,
        budget: &mut usize,
    ) {
        let mark = stack.len();
        for &(k, v) in entries {
            if !is_merge_key(self.doc.node(k)) {
                continue;
            }
            let value = NodeRef { doc: self.doc, id: v }.resolve();
            match &value.node().kind {
                NodeKind::Mapping(_) => stack.push(value.id),
                NodeKind::Sequence(items) => {
                    if !spend(budget, items.len()) {
                        break;
                    }
                    for &item in items {
                        let item = NodeRef { doc: self.doc, id: item }.resolve();
                        if item.is_mapping() {
                            stack.push(item.id);
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(pushed) = stack.get_mut(mark..) {
            pushed.reverse();
        }
    }
}

/// Takes `cost` (plus one for the visit) from the budget; `false` when it runs out.
fn spend(budget: &mut usize, cost: usize) -> bool {
    match budget.checked_sub(cost.saturating_add(1)) {
        Some(left) => {
            *budget = left;
            true
        }
        None => {
            *budget = 0;
            false
        }
    }
}

fn digits_in_radix(digits: &str, radix: u32) -> Option<i64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    i64::from_str_radix(digits, radix).ok()
}

/// The core-schema suffix of a tag written `!!x` or `!<tag:yaml.org,2002:x>`.
fn core_suffix(tag: &str) -> Option<&str> {
    if let Some(rest) = tag.strip_prefix("!<tag:yaml.org,2002:") {
        return rest.strip_suffix('>');
    }
    tag.strip_prefix("!!")
}

fn is_null_scalar(node: &Node) -> bool {
    let NodeKind::Scalar { value, style } = &node.kind else {
        return false;
    };
    match &node.tag {
        Some(tag) => core_suffix(tag) == Some("null"),
        None => {
            *style == ScalarStyle::Plain
                && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL")
        }
    }
}

/// A plain `<<` key (or one tagged `!!merge`).
fn is_merge_key(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar { value, style } if value == "<<" => match &node.tag {
            None => *style == ScalarStyle::Plain,
            Some(tag) => core_suffix(tag) == Some("merge"),
        },
        _ => false,
    }
}

mod build;
mod checks;
mod messages;
use build::*;
pub use build::{parse_stream, parse_stream_with, Comments};
use checks::*;
use messages::*;

#[cfg(test)]
mod tests;
