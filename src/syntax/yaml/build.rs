//! Building the span tree from granit-parser events: documents, collections, anchors and aliases, comments, merges and the bounds of [`Limits`].

use super::*;

/// Parses a whole YAML stream. Never fails: problems are in [`YamlStream::errors`].
pub fn parse_stream(text: &str, limits: &Limits) -> YamlStream {
    parse_stream_with(text, limits, Comments::Keep)
}

/// Whether [`parse_stream_with`] keeps the comments ([`YamlDocument::comments`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    Keep,
    /// Skipped like whitespace, and not kept: about a fifth less work on a commented file,
    /// for a caller that knows it reads none.
    Skip,
}

/// [`parse_stream`], keeping the comments or not. The tree, its spans and its errors are the
/// same either way.
pub fn parse_stream_with(text: &str, limits: &Limits, comments: Comments) -> YamlStream {
    let mut options = Options::default();
    options.set_emit_comments(comments == Comments::Keep);
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

pub(super) enum Flow {
    Continue,
    /// Abandon the current document (a limit was hit) and go on with the next one.
    Abandon,
    Stop,
}

pub(super) struct Frame {
    pub(super) id: NodeId,
    pub(super) block: bool,
    /// The end of the furthest child so far.
    pub(super) end: usize,
    pub(super) children: Children,
}

pub(super) enum Children {
    Seq(Vec<NodeId>),
    Map { entries: Vec<(NodeId, NodeId)>, key: Option<NodeId> },
}

/// A block scalar or block sequence whose start must be moved back to its indicator once its
/// anchor (which the parser reports after the node) is known.
pub(super) struct PendingFix {
    pub(super) id: NodeId,
    pub(super) lower: usize,
    pub(super) sequence: bool,
}

pub(super) struct DocBuilder {
    pub(super) index: usize,
    pub(super) start: usize,
    pub(super) nodes: Vec<Node>,
    pub(super) root: Option<NodeId>,
    pub(super) stack: Vec<Frame>,
    pub(super) anchors: HashMap<usize, NodeId>,
    pub(super) comments: Vec<Comment>,
}

pub(super) struct Builder<'t> {
    pub(super) text: &'t str,
    pub(super) limits: Limits,
    pub(super) documents: Vec<YamlDocument>,
    pub(super) errors: Vec<YamlError>,
    pub(super) doc: Option<DocBuilder>,
    pub(super) pending_comments: Vec<Comment>,
    /// End of the last event that marks how far the content has been read (used to find
    /// indicators the parser does not report).
    pub(super) last_end: usize,
    pub(super) fix: Option<PendingFix>,
}

impl<'t> Builder<'t> {
    pub(super) fn new(text: &'t str, limits: &Limits) -> Builder<'t> {
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
    pub(super) fn offset(&self, marker: &Marker) -> usize {
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

    pub(super) fn slice(&self, span: Span) -> Option<&'t str> {
        self.text.get(span.start..span.end)
    }

    pub(super) fn span(&self, span: &granit_parser::Span) -> Span {
        let start = self.offset(&span.start);
        Span::new(start, self.offset(&span.end).max(start))
    }

    pub(super) fn event(&mut self, event: Event<'_>, gspan: granit_parser::Span) -> Flow {
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
    pub(super) fn tag_text(
        &self,
        gspan: &granit_parser::Span,
        tag: Option<&Tag>,
    ) -> Option<String> {
        let tag = tag?;
        let written = gspan.tag_span().and_then(|t| self.slice(self.span(&t)));
        Some(written.map_or_else(|| tag.original(), str::to_owned))
    }

    pub(super) fn tag_end(&self, gspan: &granit_parser::Span) -> usize {
        gspan.tag_span().map_or(0, |t| self.span(&t).end)
    }

    pub(super) fn scalar(
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

    pub(super) fn start_collection(
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

    pub(super) fn end_collection(&mut self, span: Span) {
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

    pub(super) fn last_id(&self) -> Option<NodeId> {
        let len = self.doc.as_ref()?.nodes.len();
        NodeId::try_from(len.checked_sub(1)?).ok()
    }

    pub(super) fn add_leaf(&mut self, node: Node) -> Flow {
        self.add_node(node, 0)
    }

    /// Adds a node to the current document (opening one if needed) and attaches it to its
    /// parent.
    pub(super) fn add_node(&mut self, node: Node, anchor: usize) -> Flow {
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
    pub(super) fn apply_fix(&mut self) {
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

    pub(super) fn open_document(&mut self, start: usize) {
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
    pub(super) fn close_document(&mut self, end: Option<usize>) {
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
    pub(super) fn abandon_document(&mut self, at: usize) {
        self.last_end = self.last_end.max(at);
        if self.doc.is_none() {
            self.open_document(at);
        }
        self.close_document(None);
    }

    pub(super) fn syntax_error(&mut self, error: &ScanError) {
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

    pub(super) fn error(&mut self, span: Span, message: String, related: Option<Span>) {
        let document_index = self.doc.as_ref().map(|doc| doc.index);
        self.errors.push(YamlError { span, message, document_index, related });
    }

    /// The token starting at `at`: one indicator character, or a run up to whitespace or a
    /// flow indicator; empty at a line break or the end.
    pub(super) fn token_at(&self, at: usize) -> Span {
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
    pub(super) fn code_before(&self, offset: usize) -> bool {
        let line = self.text.get(..offset).unwrap_or("");
        let line = line.rsplit(['\n', '\r']).next().unwrap_or("");
        line.trim_start_matches('\u{feff}').chars().any(|c| c != ' ' && c != '\t')
    }

    pub(super) fn finish(mut self) -> YamlStream {
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
    pub(super) fn new(kind: NodeKind, span: Span, tag: Option<String>) -> Node {
        Node { kind, span, tag, anchor: None, verbatim: false }
    }
}
