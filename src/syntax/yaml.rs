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

/// Parses a whole YAML stream. Never fails: problems are in [`YamlStream::errors`].
pub fn parse_stream(text: &str, limits: &Limits) -> YamlStream {
    let mut options = Options::default();
    options.emit_anchor_events = true;
    // Unknown anchors become alias nodes without a target (and an error) instead of ending the
    // document.
    options.emit_unresolved_aliases = true;
    // The default (96) fails on real manifests with a long commented-out block. Comments are
    // bounded by the input size anyway.
    options.max_buffered_comment_events = usize::MAX;
    options.flow_nesting_limit = limits.max_depth;
    options.block_nesting_limit = limits.max_depth;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(text, limits);
    let mut last_error_at = None;
    loop {
        let recover = match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => match builder.event(event, span) {
                Flow::Continue => false,
                Flow::Stop => break,
                Flow::Abandon => true,
            },
            Some(Err(error)) => {
                let at = builder.offset(error.marker());
                builder.syntax_error(&error);
                // Recovery always moves forward; a second error at the same place would mean
                // it did not, so stop rather than loop.
                if last_error_at == Some(at) {
                    break;
                }
                last_error_at = Some(at);
                true
            }
        };
        if recover {
            if let Err(error) = parser.proceed_next_document() {
                builder.syntax_error(&error);
                break;
            }
        }
    }
    builder.finish()
}

enum Flow {
    Continue,
    /// Abandon the current document (a limit was hit) and go on with the next one.
    Abandon,
    Stop,
}

struct Frame {
    id: NodeId,
    block: bool,
    /// The end of the furthest child so far.
    end: usize,
    children: Children,
}

enum Children {
    Seq(Vec<NodeId>),
    Map { entries: Vec<(NodeId, NodeId)>, key: Option<NodeId> },
}

/// A block scalar or block sequence whose start must be moved back to its indicator once its
/// anchor (which the parser reports after the node) is known.
struct PendingFix {
    id: NodeId,
    lower: usize,
    sequence: bool,
}

struct DocBuilder {
    index: usize,
    start: usize,
    nodes: Vec<Node>,
    root: Option<NodeId>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    comments: Vec<Comment>,
}

struct Builder<'t> {
    text: &'t str,
    limits: Limits,
    documents: Vec<YamlDocument>,
    errors: Vec<YamlError>,
    doc: Option<DocBuilder>,
    pending_comments: Vec<Comment>,
    /// End of the last event that marks how far the content has been read (used to find
    /// indicators the parser does not report).
    last_end: usize,
    fix: Option<PendingFix>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, limits: &Limits) -> Builder<'t> {
        Builder {
            text,
            limits: *limits,
            documents: Vec::new(),
            errors: Vec::new(),
            doc: None,
            pending_comments: Vec::new(),
            last_end: 0,
            fix: None,
        }
    }

    /// Byte offset of a marker, clamped into the text.
    fn offset(&self, marker: &Marker) -> usize {
        let offset = match marker.byte_offset() {
            Some(offset) => offset,
            // `StrInput` always gives byte offsets; convert the character index otherwise.
            None => self
                .text
                .char_indices()
                .nth(marker.index())
                .map_or(self.text.len(), |(offset, _)| offset),
        };
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn slice(&self, span: Span) -> Option<&'t str> {
        self.text.get(span.start..span.end)
    }

    fn span(&self, span: &granit_parser::Span) -> Span {
        let start = self.offset(&span.start);
        Span::new(start, self.offset(&span.end).max(start))
    }

    fn event(&mut self, event: Event<'_>, gspan: granit_parser::Span) -> Flow {
        if !matches!(event, Event::Anchor(..)) {
            self.apply_fix();
        }
        let span = self.span(&gspan);
        match event {
            Event::StreamStart => Flow::Continue,
            Event::StreamEnd => Flow::Stop,
            Event::Comment(text, _) => {
                let comment = Comment {
                    span,
                    text: text.into_owned(),
                    trailing: self.code_before(span.start),
                };
                match &mut self.doc {
                    Some(doc) => doc.comments.push(comment),
                    None => self.pending_comments.push(comment),
                }
                Flow::Continue
            }
            Event::DocumentStart(explicit, _) => {
                self.close_document(None);
                if explicit {
                    self.last_end = self.last_end.max(span.end);
                }
                self.open_document(span.start);
                Flow::Continue
            }
            Event::DocumentEnd => {
                self.last_end = self.last_end.max(span.end);
                self.close_document(Some(span.end));
                Flow::Continue
            }
            Event::Anchor(id, name) => {
                if let Some(doc) = &mut self.doc {
                    if let Some(node) =
                        doc.anchors.get(&id).and_then(|&n| doc.nodes.get_mut(n as usize))
                    {
                        node.anchor = Some(name.into_owned());
                    }
                    if let Some(fix) = &mut self.fix {
                        if doc.anchors.get(&id) == Some(&fix.id) {
                            fix.lower = fix.lower.max(span.end);
                        }
                    }
                }
                Flow::Continue
            }
            Event::Alias(id) => {
                let target = self.doc.as_ref().and_then(|doc| doc.anchors.get(&id).copied());
                self.last_end = self.last_end.max(span.end);
                self.add_leaf(Node::new(NodeKind::Alias { target }, span, None))
            }
            Event::UnresolvedAlias(name) => {
                if self.doc.is_none() {
                    self.open_document(span.start);
                }
                self.error(span, format!("unknown anchor `{name}`"), None);
                self.last_end = self.last_end.max(span.end);
                self.add_leaf(Node::new(NodeKind::Alias { target: None }, span, None))
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = self.tag_text(&gspan, tag.as_deref());
                self.scalar(value.into_owned(), style, anchor, tag, span, &gspan)
            }
            Event::SequenceStart(style, anchor, tag) => {
                let tag = self.tag_text(&gspan, tag.as_deref());
                self.start_collection(true, style, anchor, tag, span, &gspan)
            }
            Event::MappingStart(style, anchor, tag) => {
                let tag = self.tag_text(&gspan, tag.as_deref());
                self.start_collection(false, style, anchor, tag, span, &gspan)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.end_collection(span);
                Flow::Continue
            }
            _ => Flow::Continue,
        }
    }

    /// The tag as written in the source, or the parser's spelling of it.
    fn tag_text(&self, gspan: &granit_parser::Span, tag: Option<&Tag>) -> Option<String> {
        let tag = tag?;
        let written = gspan.tag_span().and_then(|t| self.slice(self.span(&t)));
        Some(written.map_or_else(|| tag.original(), str::to_owned))
    }

    fn tag_end(&self, gspan: &granit_parser::Span) -> usize {
        gspan.tag_span().map_or(0, |t| self.span(&t).end)
    }

    fn scalar(
        &mut self,
        mut value: String,
        style: granit_parser::ScalarStyle,
        anchor: usize,
        tag: Option<String>,
        mut span: Span,
        gspan: &granit_parser::Span,
    ) -> Flow {
        let style = match style {
            granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
            granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
            granit_parser::ScalarStyle::Folded => ScalarStyle::Folded,
        };
        let mut verbatim = false;
        match style {
            ScalarStyle::Plain if span.is_empty() => {
                // The parser reports an empty node as `~` at the colon: make it an empty value
                // right after the colon.
                if value == "~" {
                    value.clear();
                }
                if self.text.as_bytes().get(span.start) == Some(&b':') {
                    span = Span::empty(span.start + 1);
                }
                verbatim = value.is_empty();
            }
            ScalarStyle::Plain => verbatim = self.slice(span) == Some(value.as_str()),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                verbatim = span.len() >= 2
                    && self.text.get(span.start + 1..span.end - 1) == Some(value.as_str());
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                // End at the last non-blank character of the content (the parser's span runs
                // on over trailing blank lines). The start moves to the indicator in
                // `apply_fix`.
                let content = self.slice(span).unwrap_or("");
                let trimmed = content.trim_end_matches([' ', '\t', '\r', '\n']);
                span.end = span.start + trimmed.len();
            }
        }
        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
        let lower = self.last_end.max(self.tag_end(gspan));
        self.last_end = self.last_end.max(span.end);
        let mut node = Node::new(NodeKind::Scalar { value, style }, span, tag);
        node.verbatim = verbatim;
        let flow = self.add_node(node, anchor);
        if block {
            if let Some(id) = self.last_id() {
                self.fix = Some(PendingFix { id, lower, sequence: false });
            }
        }
        flow
    }

    fn start_collection(
        &mut self,
        sequence: bool,
        style: StructureStyle,
        anchor: usize,
        tag: Option<String>,
        span: Span,
        gspan: &granit_parser::Span,
    ) -> Flow {
        let block = style == StructureStyle::Block;
        let depth = self.doc.as_ref().map_or(0, |doc| doc.stack.len());
        if depth >= self.limits.max_depth {
            self.error(
                self.token_at(span.start),
                format!("nesting is deeper than {} levels", self.limits.max_depth),
                None,
            );
            self.abandon_document(span.start);
            return Flow::Abandon;
        }
        // A block sequence that is a mapping key or value may be reported at its first item's
        // content: look for its `-` after the key (and the sequence's own tag and anchor).
        let parent_is_block_map = self
            .doc
            .as_ref()
            .and_then(|doc| doc.stack.last())
            .is_some_and(|frame| frame.block && matches!(frame.children, Children::Map { .. }));
        let lower = self.last_end.max(self.tag_end(gspan));
        if block {
            if !sequence {
                self.last_end = self.last_end.max(span.start);
            }
        } else {
            self.last_end = self.last_end.max(span.end);
        }
        let kind =
            if sequence { NodeKind::Sequence(Vec::new()) } else { NodeKind::Mapping(Vec::new()) };
        let node = Node::new(kind, Span::new(span.start, span.start), tag);
        let flow = self.add_node(node, anchor);
        if !matches!(flow, Flow::Continue) {
            return flow;
        }
        let Some(id) = self.last_id() else {
            return flow;
        };
        if sequence && block && parent_is_block_map {
            self.fix = Some(PendingFix { id, lower, sequence: true });
        }
        let children = if sequence {
            Children::Seq(Vec::new())
        } else {
            Children::Map { entries: Vec::new(), key: None }
        };
        if let Some(doc) = &mut self.doc {
            doc.stack.push(Frame { id, block, end: span.start, children });
        }
        flow
    }

    fn end_collection(&mut self, span: Span) {
        if !span.is_empty() {
            self.last_end = self.last_end.max(span.end);
        }
        let Some(doc) = &mut self.doc else {
            return;
        };
        let Some(frame) = doc.stack.pop() else {
            return;
        };
        let end = if frame.block { frame.end } else { frame.end.max(span.end) };
        let mut new_errors = Vec::new();
        let node_end = close_frame(doc, frame, end, &mut new_errors);
        if let Some(parent) = doc.stack.last_mut() {
            parent.end = parent.end.max(node_end);
        }
        let index = doc.index;
        for (span, message, related) in new_errors {
            self.errors.push(YamlError { span, message, document_index: Some(index), related });
        }
    }

    fn last_id(&self) -> Option<NodeId> {
        let len = self.doc.as_ref()?.nodes.len();
        NodeId::try_from(len.checked_sub(1)?).ok()
    }

    fn add_leaf(&mut self, node: Node) -> Flow {
        self.add_node(node, 0)
    }

    /// Adds a node to the current document (opening one if needed) and attaches it to its
    /// parent.
    fn add_node(&mut self, node: Node, anchor: usize) -> Flow {
        if self.doc.is_none() {
            self.open_document(node.span.start);
        }
        let max_nodes = self.limits.max_nodes;
        let count = self.doc.as_ref().map_or(0, |doc| doc.nodes.len());
        let id = match NodeId::try_from(count) {
            Ok(id) if count < max_nodes => id,
            _ => {
                let at = node.span.start;
                self.error(
                    Span::empty(at),
                    format!("document has more than {max_nodes} nodes"),
                    None,
                );
                self.abandon_document(at);
                return Flow::Abandon;
            }
        };
        let Some(doc) = &mut self.doc else {
            return Flow::Continue;
        };
        let end = node.span.end;
        doc.nodes.push(node);
        if anchor != 0 {
            doc.anchors.insert(anchor, id);
        }
        match doc.stack.last_mut() {
            None => {
                if doc.root.is_none() {
                    doc.root = Some(id);
                }
            }
            Some(frame) => {
                frame.end = frame.end.max(end);
                match &mut frame.children {
                    Children::Seq(items) => items.push(id),
                    Children::Map { entries, key } => match key.take() {
                        Some(k) => entries.push((k, id)),
                        None => *key = Some(id),
                    },
                }
            }
        }
        Flow::Continue
    }

    /// Moves a block scalar's or block sequence's start back to its indicator.
    fn apply_fix(&mut self) {
        let Some(fix) = self.fix.take() else {
            return;
        };
        let text = self.text;
        let Some(node) = self.doc.as_mut().and_then(|doc| doc.nodes.get_mut(fix.id as usize))
        else {
            return;
        };
        let start = node.span.start;
        if fix.sequence {
            let is_dash = |i: usize| {
                text.as_bytes().get(i) == Some(&b'-')
                    && matches!(
                        text.as_bytes().get(i + 1),
                        None | Some(b' ' | b'\t' | b'\r' | b'\n')
                    )
            };
            if let Some(dash) = find_indicator(text, fix.lower, start.saturating_add(1), is_dash) {
                node.span.start = dash;
            }
            return;
        }
        let is_header = |i: usize| matches!(text.as_bytes().get(i), Some(b'|' | b'>'));
        if let Some(indicator) = find_indicator(text, fix.lower, start, is_header) {
            // Empty content ends after the header (indicators and comment).
            let header = text.get(indicator..start).unwrap_or("");
            let header = header.trim_end_matches([' ', '\t', '\r', '\n']);
            let end = if node.span.is_empty() { indicator + header.len() } else { node.span.end };
            node.span = Span::new(indicator, end.max(indicator + 1));
        }
    }

    fn open_document(&mut self, start: usize) {
        let index = self.documents.len();
        self.doc = Some(DocBuilder {
            index,
            start,
            nodes: Vec::new(),
            root: None,
            stack: Vec::new(),
            anchors: HashMap::new(),
            comments: std::mem::take(&mut self.pending_comments),
        });
    }

    /// Finishes the current document. `end` is the document end marker's end, if reached.
    fn close_document(&mut self, end: Option<usize>) {
        self.apply_fix();
        let Some(mut doc) = self.doc.take() else {
            return;
        };
        let partial = !doc.stack.is_empty() || end.is_none();
        let mut new_errors = Vec::new();
        // Close collections left open by an error, innermost first.
        while let Some(frame) = doc.stack.pop() {
            let end = frame.end;
            let node_end = close_frame(&mut doc, frame, end, &mut new_errors);
            if let Some(parent) = doc.stack.last_mut() {
                parent.end = parent.end.max(node_end);
            }
        }
        let root_end = doc.root.and_then(|r| doc.nodes.get(r as usize)).map_or(0, |n| n.span.end);
        let end = end.unwrap_or(self.last_end).max(root_end).max(doc.start);
        for (span, message, related) in new_errors {
            self.errors.push(YamlError { span, message, document_index: Some(doc.index), related });
        }
        doc.comments.sort_by_key(|c| c.span.start);
        let alias_bomb = match alias_bomb(&doc.nodes, doc.root, self.limits.max_alias_nodes) {
            Some((span, message)) => {
                self.errors.push(YamlError {
                    span,
                    message,
                    document_index: Some(doc.index),
                    related: None,
                });
                true
            }
            None => false,
        };
        self.documents.push(YamlDocument {
            nodes: doc.nodes,
            root: doc.root,
            span: Span::new(doc.start, end),
            index: doc.index,
            comments: doc.comments,
            partial,
            alias_bomb,
            max_alias_expansion: self.limits.max_alias_expansion,
        });
    }

    /// Ends the current document early (error or limit), keeping what was read.
    fn abandon_document(&mut self, at: usize) {
        self.last_end = self.last_end.max(at);
        if self.doc.is_none() {
            self.open_document(at);
        }
        self.close_document(None);
    }

    fn syntax_error(&mut self, error: &ScanError) {
        let at = self.offset(error.marker());
        let message = match error.kind() {
            ErrorKind::RecursionLimitExceeded => {
                format!("nesting is deeper than {} levels", self.limits.max_depth)
            }
            kind => plain_message(kind),
        };
        if self.doc.is_none() {
            self.open_document(at);
        }
        let span = self.token_at(at);
        self.error(span, message, None);
        self.abandon_document(at);
    }

    fn error(&mut self, span: Span, message: String, related: Option<Span>) {
        let document_index = self.doc.as_ref().map(|doc| doc.index);
        self.errors.push(YamlError { span, message, document_index, related });
    }

    /// The token starting at `at`: one indicator character, or a run up to whitespace or a
    /// flow indicator; empty at a line break or the end.
    fn token_at(&self, at: usize) -> Span {
        let rest = self.text.get(at..).unwrap_or("");
        let mut chars = rest.char_indices();
        let Some((_, first)) = chars.next() else {
            return Span::empty(at);
        };
        if matches!(first, '\n' | '\r') {
            return Span::empty(at);
        }
        if ":,[]{}#|>-?'\"%".contains(first) || first.is_whitespace() {
            return Span::new(at, at + first.len_utf8());
        }
        let bytes = rest.as_bytes();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace()
                    || ",[]{}".contains(c)
                    || (c == ':'
                        && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')))
            })
            .map_or(rest.len(), |(i, _)| i);
        Span::new(at, at + len)
    }

    /// Whether anything but blanks (or a leading byte order mark) precedes `offset` on its line.
    fn code_before(&self, offset: usize) -> bool {
        let line = self.text.get(..offset).unwrap_or("");
        let line = line.rsplit(['\n', '\r']).next().unwrap_or("");
        line.trim_start_matches('\u{feff}').chars().any(|c| c != ' ' && c != '\t')
    }

    fn finish(mut self) -> YamlStream {
        self.close_document(None);
        if !self.pending_comments.is_empty() {
            let mut comments = std::mem::take(&mut self.pending_comments);
            match self.documents.last_mut() {
                Some(doc) => doc.comments.append(&mut comments),
                None => self.documents.push(YamlDocument {
                    nodes: Vec::new(),
                    root: None,
                    span: Span::new(0, self.text.len()),
                    index: 0,
                    comments,
                    partial: false,
                    alias_bomb: false,
                    max_alias_expansion: self.limits.max_alias_expansion,
                }),
            }
            if let Some(doc) = self.documents.last_mut() {
                doc.comments.sort_by_key(|c| c.span.start);
            }
        }
        YamlStream { documents: self.documents, errors: self.errors }
    }
}

impl Node {
    fn new(kind: NodeKind, span: Span, tag: Option<String>) -> Node {
        Node { kind, span, tag, anchor: None, verbatim: false }
    }
}

/// Whether a document's aliases expand it by more than `limit` nodes (a "billion laughs" bomb).
/// Returns the error: at the alias that expands to the most nodes (the first such), with the
/// sizes. Linear in the number of nodes: each node's expanded size is computed once, after its
/// children and its alias target (an iterative post-order walk, no recursion). An alias that
/// points into its own anchored node (a cycle) counts as one node.
fn alias_bomb(nodes: &[Node], root: Option<NodeId>, limit: usize) -> Option<(Span, String)> {
    if !nodes.iter().any(|n| matches!(n.kind, NodeKind::Alias { target: Some(_) })) {
        return None;
    }
    let root = root? as usize;
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let mut size = vec![1u64; nodes.len()];
    let children = |id: usize| -> Vec<usize> {
        match nodes.get(id).map(|n| &n.kind) {
            Some(NodeKind::Sequence(items)) => items.iter().map(|&i| i as usize).collect(),
            Some(NodeKind::Mapping(entries)) => {
                entries.iter().flat_map(|&(k, v)| [k as usize, v as usize]).collect()
            }
            Some(NodeKind::Alias { target: Some(t) }) => vec![*t as usize],
            _ => Vec::new(),
        }
    };
    let mut stack = vec![(root, false)];
    while let Some((id, finished)) = stack.pop() {
        if id >= nodes.len() {
            continue;
        }
        if finished {
            let total = match &nodes[id].kind {
                // An alias stands for its target's expansion.
                NodeKind::Alias { target: Some(t) } => match state.get(*t as usize) {
                    Some(&DONE) => size[*t as usize],
                    _ => 1,
                },
                _ => children(id).into_iter().fold(1u64, |acc, c| {
                    acc.saturating_add(if state.get(c) == Some(&DONE) { size[c] } else { 1 })
                }),
            };
            size[id] = total;
            state[id] = DONE;
            continue;
        }
        if state[id] != NEW {
            continue;
        }
        state[id] = OPEN;
        stack.push((id, true));
        for c in children(id).into_iter().rev() {
            if state.get(c) == Some(&NEW) {
                stack.push((c, false));
            }
        }
    }
    let extra = size[root].saturating_sub(nodes.len() as u64);
    if extra <= limit as u64 {
        return None;
    }
    let (worst, worst_size) = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, NodeKind::Alias { target: Some(_) }))
        .map(|(id, _)| (id, size[id]))
        .fold((0, 0), |best, cur| if cur.1 > best.1 { cur } else { best });
    let node = &nodes[worst];
    Some((
        node.span,
        format!(
            "alias bomb: aliases expand this document by more than {limit} nodes (this alias \
             alone to {worst_size}); its aliases are not followed"
        ),
    ))
}

/// Stores a finished collection's children and span; checks its keys. Returns its end.
fn close_frame(
    doc: &mut DocBuilder,
    frame: Frame,
    end: usize,
    errors: &mut Vec<(Span, String, Option<Span>)>,
) -> usize {
    let kind = match frame.children {
        Children::Seq(items) => NodeKind::Sequence(items),
        Children::Map { entries, .. } => {
            check_keys(&doc.nodes, &entries, errors);
            NodeKind::Mapping(entries)
        }
    };
    match doc.nodes.get_mut(frame.id as usize) {
        Some(node) => {
            node.span.end = end.max(node.span.start);
            node.kind = kind;
            node.span.end
        }
        None => end,
    }
}

/// Reports duplicate scalar keys (Kubernetes and Compose reject them) and merge keys whose
/// value is not a mapping or a list of mappings.
fn check_keys(
    nodes: &[Node],
    entries: &[(NodeId, NodeId)],
    errors: &mut Vec<(Span, String, Option<Span>)>,
) {
    let node = |id: NodeId| nodes.get(id as usize);
    // Aliases point at complete nodes or at open ancestors; one step is all YAML allows.
    let resolve = |id: NodeId| match node(id) {
        Some(Node { kind: NodeKind::Alias { target: Some(t) }, .. }) => node(*t),
        other => other,
    };
    let key_text = |id: NodeId| match resolve(id) {
        Some(Node { kind: NodeKind::Scalar { value, .. }, .. }) => Some(value.as_str()),
        _ => None,
    };
    // Most mappings are small: a linear search beats hashing them.
    let mut seen: Vec<(&str, Span)> = Vec::new();
    let mut first: HashMap<&str, Span> = HashMap::new();
    for &(k, v) in entries {
        let Some(key) = node(k) else { continue };
        if let Some(text) = key_text(k) {
            let earlier = if entries.len() <= 16 {
                seen.iter().find(|(t, _)| *t == text).map(|&(_, span)| span)
            } else {
                first.get(text).copied()
            };
            match earlier {
                Some(earlier) => {
                    errors.push((key.span, format!("duplicate key `{text}`"), Some(earlier)));
                }
                None if entries.len() <= 16 => seen.push((text, key.span)),
                None => {
                    first.insert(text, key.span);
                }
            }
        }
        if is_merge_key(key) {
            let is_map = |n: Option<&Node>| {
                matches!(
                    n,
                    Some(Node {
                        kind: NodeKind::Mapping(_) | NodeKind::Alias { target: None },
                        ..
                    })
                )
            };
            let ok = match resolve(v) {
                Some(Node { kind: NodeKind::Sequence(items), .. }) => {
                    items.iter().all(|&item| is_map(resolve(item)))
                }
                other => is_map(other),
            };
            if !ok {
                let span = node(v).map_or(key.span, |n| n.span);
                errors.push((
                    span,
                    "merge key `<<` needs a mapping or a list of mappings".to_owned(),
                    None,
                ));
            }
        }
    }
}

/// The first byte in `lower..upper` (comments skipped) that `is_indicator` accepts.
fn find_indicator(
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
fn plain_message(kind: &ErrorKind) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> YamlStream {
        parse_stream(text, &Limits::default())
    }

    /// The text a span covers.
    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn root(stream: &YamlStream) -> NodeRef<'_> {
        stream.documents[0].root().expect("a root node")
    }

    fn value<'a>(node: NodeRef<'a>, key: &str) -> NodeRef<'a> {
        node.get(key).unwrap_or_else(|| panic!("no key {key}")).value
    }

    #[test]
    fn spans_are_byte_exact_after_multibyte_text() {
        let text = "é€: \"ünï\"\nname: plain value\nq: 'x y'\nflow: [a, {b: c}]\nblock:\n  - 1\n  - two\nlit: |\n  line1\n  line2\n\nnext: 1\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s);
        let e = r.get("é€").unwrap();
        assert_eq!(at(text, e.key.span()), "é€");
        assert_eq!(e.key.span(), Span::new(0, 5));
        assert_eq!(at(text, e.value.span()), "\"ünï\"");
        assert_eq!(e.value.as_str(), Some("ünï"));
        let name = r.get("name").unwrap();
        assert_eq!(at(text, name.key.span()), "name");
        assert_eq!(at(text, name.value.span()), "plain value");
        assert_eq!(at(text, value(r, "q").span()), "'x y'");
        let flow = value(r, "flow");
        assert_eq!(at(text, flow.span()), "[a, {b: c}]");
        assert_eq!(at(text, flow.items()[1].span()), "{b: c}");
        assert_eq!(at(text, value(flow.items()[1], "b").span()), "c");
        let block = value(r, "block");
        assert_eq!(at(text, block.span()), "- 1\n  - two");
        assert_eq!(at(text, block.items()[1].span()), "two");
        let lit = value(r, "lit");
        assert_eq!(at(text, lit.span()), "|\n  line1\n  line2");
        assert_eq!(lit.as_str(), Some("line1\nline2\n"));
        assert_eq!(lit.style(), Some(ScalarStyle::Literal));
        // The root mapping ends with its last value.
        assert_eq!(r.span(), Span::new(0, text.len() - 1));
    }

    #[test]
    fn spans_with_crlf_line_endings() {
        let text = "a: 1\r\nb: >-\r\n  x\r\n  y\r\nc: [1,\r\n  2]\r\nd:\r\n  - k\r\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s);
        assert_eq!(value(r, "a").span(), Span::new(3, 4));
        let b = value(r, "b");
        assert_eq!(at(text, b.span()), ">-\r\n  x\r\n  y");
        assert_eq!(b.as_str(), Some("x y"));
        assert_eq!(at(text, value(r, "c").span()), "[1,\r\n  2]");
        assert_eq!(at(text, value(r, "d").span()), "- k");
        assert_eq!(value(r, "d").items()[0].as_str(), Some("k"));
    }

    #[test]
    fn spans_after_a_byte_order_mark() {
        let text = "\u{feff}# head\nkey: value\n";
        let s = parse(text);
        assert!(s.errors.is_empty());
        let e = root(&s).get("key").unwrap();
        // The BOM is 3 bytes, "# head\n" 7.
        assert_eq!(e.key.span(), Span::new(10, 13));
        assert_eq!(at(text, e.value.span()), "value");
        let c = &s.documents[0].comments[0];
        assert_eq!(c.span, Span::new(3, 9));
        assert!(!c.trailing);
    }

    #[test]
    fn block_scalar_spans_run_from_indicator_to_content_end() {
        let text = "a: |\nb: >+ # keep\n\nc: &x-|> |-\n  t\n\n\nd: !t |2\n    u\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s);
        // Empty content: the header alone.
        assert_eq!(at(text, value(r, "a").span()), "|");
        assert_eq!(value(r, "a").as_str(), Some(""));
        assert_eq!(at(text, value(r, "b").span()), ">+ # keep");
        // An anchor holding `|` and `>` is not taken for the indicator.
        let c = value(r, "c");
        assert_eq!(at(text, c.span()), "|-\n  t");
        assert_eq!(c.node().anchor.as_deref(), Some("x-|>"));
        assert_eq!(at(text, value(r, "d").span()), "|2\n    u");
        assert_eq!(value(r, "d").as_str(), Some("  u\n"));
        assert_eq!(value(r, "d").tag(), Some("!t"));
    }

    #[test]
    fn block_sequence_spans_start_at_the_first_dash() {
        let text = "k: &my-seq\n- a\n- b\nn:\n  # note - not a dash\n  - c\nm:\n- - x\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s);
        assert_eq!(at(text, value(r, "k").span()), "- a\n- b");
        assert_eq!(value(r, "k").node().anchor.as_deref(), Some("my-seq"));
        assert_eq!(at(text, value(r, "n").span()), "- c");
        let m = value(r, "m");
        assert_eq!(at(text, m.span()), "- - x");
        assert_eq!(at(text, m.items()[0].span()), "- x");
    }

    #[test]
    fn empty_values_are_null_right_after_the_colon() {
        let text = "a:\nb:   # c\nc: ~\nd: null\ne: \"\"\nf: !!str\n";
        let s = parse(text);
        assert!(s.errors.is_empty());
        let r = root(&s);
        let a = value(r, "a");
        assert_eq!(a.span(), Span::empty(2));
        assert!(a.is_null());
        assert_eq!(a.as_str(), None);
        assert_eq!(value(r, "b").span(), Span::empty(5));
        assert!(value(r, "b").is_null());
        assert!(value(r, "c").is_null());
        assert!(value(r, "d").is_null());
        assert!(!value(r, "e").is_null());
        assert_eq!(value(r, "e").as_str(), Some(""));
        // A tagged empty scalar is a string, not null.
        assert!(!value(r, "f").is_null());
        assert_eq!(value(r, "f").as_str(), Some(""));
    }

    #[test]
    fn anchors_aliases_and_tags() {
        let text = "base: &b !Ref name\nuse: *b\ns: !!str 42\nv: !<tag:yaml.org,2002:str> w\nbin: !!binary aGk=\nfoo: !Foo bar\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s);
        let base = value(r, "base");
        assert_eq!(base.node().anchor.as_deref(), Some("b"));
        assert_eq!(base.node().tag.as_deref(), Some("!Ref"));
        assert_eq!(at(text, base.span()), "name");
        let used = value(r, "use");
        assert!(used.is_alias());
        assert_eq!(at(text, used.span()), "*b");
        assert_eq!(used.resolve().id(), base.id());
        assert_eq!(used.as_str(), Some("name"));
        assert_eq!(used.tag(), Some("!Ref"));
        assert_eq!(value(r, "s").tag(), Some("!!str"));
        assert_eq!(value(r, "s").as_i64(), None);
        assert_eq!(value(r, "v").tag(), Some("!<tag:yaml.org,2002:str>"));
        assert_eq!(value(r, "bin").tag(), Some("!!binary"));
        assert_eq!(value(r, "foo").tag(), Some("!Foo"));
        assert_eq!(value(r, "foo").as_str(), Some("bar"));
    }

    #[test]
    fn unknown_anchor_is_an_alias_without_target_and_an_error() {
        let text = "a: *nope\nb: 1\n";
        let s = parse(text);
        let r = root(&s);
        let a = value(r, "a");
        assert_eq!(a.node().kind, NodeKind::Alias { target: None });
        assert_eq!(a.as_str(), None);
        assert_eq!(value(r, "b").as_i64(), Some(1));
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "unknown anchor `nope`");
        assert_eq!(s.errors[0].span, Span::new(3, 8));
        assert_eq!(s.errors[0].document_index, Some(0));
    }

    #[test]
    fn merge_keys_single_sequence_inline_and_nested() {
        let text = "\
a: &a {x: a1, y: a2}
b: &b {y: b2, z: b3}
c: &c
  <<: *a
  w: c4
one:
  <<: *a
  x: own
two:
  <<: [*a, *b]
inline:
  <<: {q: 1}
nested:
  <<: *c
";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s);
        let one = value(r, "one");
        // Own keys win, wherever they are written.
        assert_eq!(value(one, "x").as_str(), Some("own"));
        assert_eq!(at(text, value(one, "x").span()), "own");
        assert_eq!(value(one, "y").as_str(), Some("a2"));
        let keys: Vec<_> = one.entries().iter().map(|e| e.key.as_str().unwrap()).collect();
        assert_eq!(keys, ["x", "y"]);
        let two = value(r, "two");
        // The earlier mapping in the list wins.
        assert_eq!(value(two, "y").as_str(), Some("a2"));
        assert_eq!(value(two, "z").as_str(), Some("b3"));
        let keys: Vec<_> = two.entries().iter().map(|e| e.key.as_str().unwrap()).collect();
        assert_eq!(keys, ["x", "y", "z"]);
        // A merged entry's spans point into the mapping it comes from.
        assert_eq!(at(text, two.get("z").unwrap().value.span()), "b3");
        assert_eq!(two.get("z").unwrap().value.span().start, text.find("b3").unwrap());
        assert_eq!(value(value(r, "inline"), "q").as_i64(), Some(1));
        // Merges of merges.
        let nested = value(r, "nested");
        assert_eq!(value(nested, "w").as_str(), Some("c4"));
        assert_eq!(value(nested, "x").as_str(), Some("a1"));
        let keys: Vec<_> = nested.entries().iter().map(|e| e.key.as_str().unwrap()).collect();
        assert_eq!(keys, ["w", "x", "y"]);
        assert!(nested.get("<<").is_none());
    }

    #[test]
    fn invalid_merge_value_is_an_error() {
        let s = parse("a: &a 1\nb:\n  <<: *a\n");
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "merge key `<<` needs a mapping or a list of mappings");
        assert_eq!(s.errors[0].span, Span::new(17, 19));
    }

    #[test]
    fn self_referencing_merge_terminates() {
        let s = parse("a: &a\n  x: 1\n  <<: *a\n");
        let a = value(root(&s), "a");
        assert_eq!(value(a, "x").as_i64(), Some(1));
        assert!(a.get("y").is_none());
        assert_eq!(a.entries().len(), 1);
    }

    #[test]
    fn billion_laughs_is_stored_not_expanded() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let refs = vec![format!("*{}", pair[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
        }
        let start = std::time::Instant::now();
        // The default limits call it a bomb (see the next test); without that check the tree
        // still holds only what is written.
        let unchecked = Limits { max_alias_nodes: usize::MAX, ..Limits::default() };
        let s = parse_stream(&text, &unchecked);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let doc = &s.documents[0];
        // 9 keys, 9 sequences, 9 items each (lol strings or aliases), plus the root.
        assert_eq!(doc.nodes().len(), 1 + 9 * (1 + 1 + 9));
        let i = value(root(&s), "i");
        assert_eq!(i.items().len(), 9);
        assert_eq!(i.items()[0].resolve().items().len(), 9);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn merge_bomb_lookups_are_bounded() {
        let mut text = String::from("m0: &m0 {k: v}\n");
        for level in 1..30 {
            let refs = vec![format!("*m{}", level - 1); 9].join(", ");
            text.push_str(&format!("m{level}: &m{level} {{x{level}: {level}, <<: [{refs}]}}\n"));
        }
        // With the alias-bomb check off, lookups still stay within their budget.
        let unchecked = Limits { max_alias_nodes: usize::MAX, ..Limits::default() };
        let s = parse_stream(&text, &unchecked);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let top = value(root(&s), "m29");
        let start = std::time::Instant::now();
        assert_eq!(value(top, "k").as_str(), Some("v"));
        assert!(top.get("absent").is_none());
        // x29 own, x28..x1 merged, and k.
        assert_eq!(top.entries().len(), 30);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        // A small budget cuts a long merge chain short instead of walking it.
        let limits = Limits { max_alias_expansion: 40, ..unchecked };
        let s = parse_stream(&text, &limits);
        let top = value(root(&s), "m29");
        assert!(top.get("k").is_none());
        assert_eq!(value(top, "x28").as_i64(), Some(28));
    }

    #[test]
    fn billion_laughs_is_an_error_and_aliases_are_not_followed() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        text.push_str("---\nok: *nope\n");
        let s = in_small_stack(move || parse(&text));
        let bomb: Vec<_> =
            s.errors.iter().filter(|e| e.message.starts_with("alias bomb")).collect();
        assert_eq!(bomb.len(), 1, "{:?}", s.errors);
        assert_eq!(
            bomb[0].message,
            "alias bomb: aliases expand this document by more than 1000000 nodes (this alias \
             alone to 111111111); its aliases are not followed"
        );
        // The first `*h`, right after the `[` of the last line of the first document.
        let i_start = s.documents[0].root().unwrap().get("i").unwrap().value.span().start;
        assert_eq!(bomb[0].span, Span::new(i_start + 1, i_start + 3));
        assert_eq!(bomb[0].document_index, Some(0));
        let doc = &s.documents[0];
        assert!(doc.alias_bomb);
        let i = doc.root().unwrap().get("i").unwrap().value;
        assert_eq!(i.items().len(), 10);
        assert!(i.items()[0].is_alias() && !i.items()[0].is_sequence(), "not followed");
        // The next document is unaffected.
        assert!(!s.documents[1].alias_bomb);
        assert_eq!(s.errors.len(), 2, "{:?}", s.errors);
    }

    #[test]
    fn aliases_below_the_bomb_limit_are_followed() {
        // 13 nodes that expand to 29 (16 more), then 14 that expand to 34 (20 more).
        let limits = Limits { max_alias_nodes: 18, ..Limits::default() };
        let text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a, *a]\n";
        let s = parse_stream(text, &limits);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert!(s.documents[0].root().unwrap().get("b").unwrap().value.items()[0].is_sequence());
        let text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a, *a, *a]\n";
        let s = parse_stream(text, &limits);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert!(s.documents[0].alias_bomb);
    }

    fn in_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let thread = std::thread::Builder::new().stack_size(256 * 1024).spawn(f);
        thread.expect("spawn").join().expect("no stack overflow")
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for text in ["[".repeat(100_000), "- ".repeat(100_000) + "x\n", "{a: ".repeat(100_000)] {
            let s = in_small_stack(move || parse(&text));
            assert_eq!(s.errors[0].message, "nesting is deeper than 512 levels");
            assert_eq!(s.documents.len(), 1);
            assert!(s.documents[0].partial);
        }
        // Even without a depth limit, neither the parser nor the tree builder recurses.
        let s = in_small_stack(|| {
            let limits = Limits { max_depth: usize::MAX, ..Limits::default() };
            parse_stream(&("- ".repeat(100_000) + "x\n"), &limits)
        });
        assert!(s.errors.is_empty());
        assert_eq!(s.documents[0].nodes().len(), 100_001);
        let mut node = s.documents[0].root().unwrap();
        while let Some(&first) = node.items().first() {
            node = first;
        }
        assert_eq!(node.as_str(), Some("x"));
    }

    #[test]
    fn depth_limit_counts_block_and_flow_together() {
        let limits = Limits { max_depth: 3, ..Limits::default() };
        let s = parse_stream("a:\n  b: [[x]]\n---\nok: 1\n", &limits);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "nesting is deeper than 3 levels");
        // The fourth level is the second `[`.
        assert_eq!(s.errors[0].span, Span::new(9, 10));
        assert_eq!(s.documents.len(), 2);
        assert!(s.documents[0].partial);
        assert_eq!(value(s.documents[1].root().unwrap(), "ok").as_i64(), Some(1));
    }

    #[test]
    fn node_count_limit() {
        let limits = Limits { max_nodes: 10, ..Limits::default() };
        let s = parse_stream("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n---\n[1]\n", &limits);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "document has more than 10 nodes");
        // The 11th node is the `10`.
        assert_eq!(s.errors[0].span, Span::empty(28));
        assert_eq!(s.errors[0].document_index, Some(0));
        assert_eq!(s.documents.len(), 2);
        assert!(s.documents[0].partial);
        assert_eq!(s.documents[0].root().unwrap().items().len(), 9);
        assert_eq!(s.documents[1].root().unwrap().items().len(), 1);
    }

    #[test]
    fn duplicate_keys_are_reported_on_the_second_key() {
        let text = "spec:\n  a: 1\n  b: 2\n  a: 3\n";
        let s = parse(text);
        assert_eq!(s.errors.len(), 1);
        let e = &s.errors[0];
        assert_eq!(e.message, "duplicate key `a`");
        assert_eq!(e.span, Span::new(22, 23));
        assert_eq!(e.related, Some(Span::new(8, 9)));
        assert_eq!(e.document_index, Some(0));
        // The document is kept; the last value is the effective one.
        let spec = value(root(&s), "spec");
        assert_eq!(value(spec, "a").as_i64(), Some(3));
        assert_eq!(spec.entries().len(), 3);
        // Quoting does not make a different key; large mappings are checked too.
        let s = parse("\"a\": 1\na: 2\n");
        assert_eq!(s.errors[0].message, "duplicate key `a`");
        let big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect::<String>() + "k7: x\n";
        let s = parse(&big);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "duplicate key `k7`");
    }

    #[test]
    fn multi_document_streams_recover_after_errors() {
        let text = "a: 1\n---\nb: [1\n---\nc: 3\n...\n---\n";
        let s = parse(text);
        assert_eq!(s.documents.len(), 4);
        let indexes: Vec<_> = s.documents.iter().map(|d| d.index).collect();
        assert_eq!(indexes, [0, 1, 2, 3]);
        assert_eq!(s.errors.len(), 1);
        let e = &s.errors[0];
        assert_eq!(e.message, "unclosed bracket '['");
        assert_eq!(e.document_index, Some(1));
        assert_eq!(e.span, Span::new(12, 13));
        // The broken document keeps what came before the error.
        let broken = &s.documents[1];
        assert!(broken.partial);
        assert_eq!(value(broken.root().unwrap(), "b").items().len(), 0);
        assert_eq!(at(text, broken.root().unwrap().get("b").unwrap().key.span()), "b");
        assert_eq!(value(s.documents[2].root().unwrap(), "c").as_i64(), Some(3));
        assert!(!s.documents[2].partial);
        assert_eq!(at(text, s.documents[2].span), "---\nc: 3\n...");
        // `---` alone: a null root.
        assert!(s.documents[3].root().unwrap().is_null());
        assert_eq!(at(text, s.documents[0].span), "a: 1\n");
    }

    #[test]
    fn syntax_errors_in_plain_words_at_the_offending_token() {
        let s = parse("a: b: c\n---\nd: 1\n");
        assert_eq!(s.errors[0].message, "mapping values are not allowed here");
        assert_eq!(s.errors[0].span, Span::new(4, 5));
        assert_eq!(s.documents.len(), 2);
        assert_eq!(value(s.documents[1].root().unwrap(), "d").as_i64(), Some(1));
        let text = "metadata:\n  name: @STS_NAME@\n";
        let s = parse(text);
        assert_eq!(s.errors[0].message, "unexpected character '@'");
        assert_eq!(at(text, s.errors[0].span), "@STS_NAME@");
        let s = parse("a: \"open\n");
        assert_eq!(s.errors.len(), 1);
        let m = &s.errors[0].message;
        assert!(!m.starts_with("while") && m.starts_with(|c: char| c.is_lowercase()), "{m}");
        let s = parse("- a\nb: 1\n");
        assert_eq!(s.errors[0].message, "expected a `-` sequence entry here");
        assert_eq!(s.errors[0].span, Span::new(4, 5));
        // An anchored alias is invalid YAML.
        let s = parse("x: &a 1\ne: &y *a\n");
        assert_eq!(s.errors[0].message, "expected a mapping key at this indentation");
    }

    #[test]
    fn error_before_a_document_starts_gets_a_placeholder_document() {
        let s = parse("%YAML 1.2\n%YAML 1.2\n---\na: 1\n---\nb: 1\n");
        assert_eq!(s.errors[0].message, "duplicate version directive");
        assert_eq!(s.errors[0].document_index, Some(0));
        assert_eq!(s.documents.len(), 2);
        assert!(s.documents[0].root.is_none());
        assert_eq!(value(s.documents[1].root().unwrap(), "b").as_i64(), Some(1));
    }

    #[test]
    fn comments_with_trailing_flags() {
        let text = "# top\nkey: value # tr\n# above\nlist:\n  - a  #x\n  # inside\nmsg: \"not # a comment\"\nlit: |\n  # content\n#last\n";
        let s = parse(text);
        assert!(s.errors.is_empty());
        let got: Vec<_> = s.documents[0]
            .comments
            .iter()
            .map(|c| (at(text, c.span), c.text.as_str(), c.trailing))
            .collect();
        assert_eq!(
            got,
            [
                ("# top", " top", false),
                ("# tr", " tr", true),
                ("# above", " above", false),
                ("#x", "x", true),
                ("# inside", " inside", false),
                ("#last", "last", false),
            ]
        );
        let lit = value(root(&s), "lit");
        assert_eq!(lit.as_str(), Some("# content\n"));
    }

    #[test]
    fn comment_text_excludes_carriage_return() {
        let text = "a: 1 # x \r\n# y\r\n";
        let s = parse(text);
        let c = &s.documents[0].comments;
        assert_eq!(c[0].text, " x ");
        assert_eq!(at(text, c[0].span), "# x ");
        assert_eq!(c[1].text, " y");
    }

    #[test]
    fn long_comment_blocks_parse() {
        // Comments between a key and its value are buffered by the parser while it looks
        // ahead; its default limit (96) fails on this.
        let mut text = String::from("spec:\n");
        for i in 0..300 {
            text.push_str(&format!("#  replicas: {i}\n"));
        }
        text.push_str("  containers:\n  - name: a\n");
        for i in 0..300 {
            text.push_str(&format!("  # - name: old{i}\n"));
        }
        text.push_str("  - name: b\n");
        let s = parse(&text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.documents[0].comments.len(), 600);
        assert!(s.documents[0].comments.iter().all(|c| !c.trailing));
        let containers = value(value(root(&s), "spec"), "containers");
        assert_eq!(containers.items().len(), 2);
    }

    #[test]
    fn comments_between_documents_belong_to_the_next() {
        let text = "# zero\na: 1\n...\n# one\n---\nb: 2\n...\n# end\n";
        let s = parse(text);
        assert_eq!(s.documents.len(), 2);
        let texts = |i: usize| -> Vec<&str> {
            s.documents[i].comments.iter().map(|c| c.text.as_str()).collect()
        };
        assert_eq!(texts(0), [" zero"]);
        assert_eq!(texts(1), [" one", " end"]);
    }

    #[test]
    fn empty_and_comment_only_streams() {
        let s = parse("");
        assert!(s.documents.is_empty() && s.errors.is_empty());
        let s = parse("# just\n# comments\n");
        assert!(s.errors.is_empty());
        assert_eq!(s.documents.len(), 1);
        assert!(s.documents[0].root().is_none());
        assert_eq!(s.documents[0].comments.len(), 2);
        let s = parse("---\n");
        assert_eq!(s.documents.len(), 1);
        let r = s.documents[0].root().unwrap();
        assert!(r.is_null());
        assert!(r.get("x").is_none());
        assert!(r.items().is_empty());
        assert!(r.entries().is_empty());
        let s = parse("\n\n   \n");
        assert!(s.documents.is_empty() && s.errors.is_empty());
    }

    #[test]
    fn value_span_maps_value_bytes_to_source() {
        let text =
            "a: image:1.2\nb: \"ré:v\"\nc: \"x\\ty\"\nd: 'it''s'\ne: |\n  x\nf: one\n  two\n";
        let s = parse(text);
        let r = root(&s);
        let a = value(r, "a");
        assert_eq!(at(text, a.value_span(6..9).unwrap()), "1.2");
        let b = value(r, "b");
        assert_eq!(at(text, b.value_span(0..3).unwrap()), "ré");
        assert_eq!(b.value_span(0..99), None);
        assert_eq!(b.value_span(0..2), None); // inside `é`
        assert_eq!(value(r, "c").value_span(0..1), None);
        assert_eq!(value(r, "d").value_span(0..1), None);
        assert_eq!(value(r, "e").value_span(0..1), None);
        assert_eq!(value(r, "f").value_span(0..1), None);
    }

    #[test]
    fn core_schema_bools_and_ints() {
        let text = "t: true\nT: True\nf: FALSE\ny: yes\nq: \"true\"\ni: 42\np: +7\nn: -3\nh: 0x1F\no: 0o17\nu: 1_000\nbig: 99999999999999999999\nx: 0xZ\ns: !!int 5\n";
        let s = parse(text);
        let r = root(&s);
        assert_eq!(value(r, "t").as_bool(), Some(true));
        assert_eq!(value(r, "T").as_bool(), Some(true));
        assert_eq!(value(r, "f").as_bool(), Some(false));
        assert_eq!(value(r, "y").as_bool(), None);
        assert_eq!(value(r, "q").as_bool(), None);
        assert_eq!(value(r, "i").as_i64(), Some(42));
        assert_eq!(value(r, "p").as_i64(), Some(7));
        assert_eq!(value(r, "n").as_i64(), Some(-3));
        assert_eq!(value(r, "h").as_i64(), Some(31));
        assert_eq!(value(r, "o").as_i64(), Some(15));
        assert_eq!(value(r, "u").as_i64(), None);
        assert_eq!(value(r, "big").as_i64(), None);
        assert_eq!(value(r, "x").as_i64(), None);
        assert_eq!(value(r, "s").as_i64(), Some(5));
        assert_eq!(value(r, "i").as_bool(), None);
    }

    #[test]
    fn lookups_on_the_wrong_kind_are_empty() {
        let s = parse("a: [1, 2]\nb: &m {k: v}\nc: *m\n");
        let r = root(&s);
        let a = value(r, "a");
        assert!(a.is_sequence() && !a.is_mapping() && !a.is_scalar());
        assert!(a.get("k").is_none());
        assert_eq!(a.as_str(), None);
        let c = value(r, "c");
        assert!(c.is_mapping());
        assert_eq!(value(c, "k").as_str(), Some("v"));
        assert_eq!(c.entries().len(), 1);
        assert!(r.items().is_empty());
        let doc = &s.documents[0];
        assert_eq!(
            doc.node(9999).kind,
            NodeKind::Scalar { value: String::new(), style: ScalarStyle::Plain }
        );
    }
}
