//! Collecting the suppressions each format writes: Dockerfile comments, YAML comments, the Kubernetes annotation and the Compose extension.

use super::*;
use crate::semantic::file_platforms;
use crate::values::platform::Platform;

/// Every suppression written in a document, and the unreadable ones.
pub fn collect(doc: &Document, source: &SourceFile) -> Collected {
    let mut out = Collected::default();
    match doc {
        Document::Dockerfile(d) => dockerfile(d, source, &mut out),
        Document::Compose(c) => {
            yaml_comments(&c.yaml, source, &mut out);
            compose(&c.yaml, source, &mut out);
        }
        Document::Kubernetes(m) => {
            yaml_comments(&m.yaml, source, &mut out);
            kubernetes(m, source, &mut out);
        }
    }
    out
}

pub(super) fn push_directive(
    out: &mut Collected,
    comment: Span,
    text: &str,
    covered: impl FnOnce() -> Option<Vec<Span>>,
    file_range: impl FnOnce() -> Span,
) {
    match parse_directive(text, comment.start + 1) {
        None => {}
        Some(Err(message)) => {
            out.problems.push(Problem { span: comment, message, help: GRAMMAR_HELP.to_string() });
        }
        Some(Ok(d)) => {
            let (form, mut ranges) = if d.file {
                (Form::FileComment, vec![file_range()])
            } else {
                (Form::Comment, covered().unwrap_or_default())
            };
            ranges.push(comment);
            out.suppressions.push(Suppression {
                form,
                at: comment,
                ranges,
                names: d.names,
                reason: d.reason,
            });
        }
    }
}

pub(super) fn dockerfile(
    d: &crate::syntax::dockerfile::Dockerfile,
    source: &SourceFile,
    out: &mut Collected,
) {
    use crate::syntax::dockerfile::Args;
    let text = &source.text;
    // `edgelint` without the colon too: a near miss is reported (see `parse_directive`).
    if !super::may_hold_directives(text) {
        return;
    }
    let mut bodies: Vec<Span> = Vec::new();
    for i in &d.instructions {
        bodies.extend(i.heredocs.iter().map(|h| h.body.span));
        if let Args::Onbuild(inner) = &i.args {
            bodies.extend(inner.heredocs.iter().map(|h| h.body.span));
        }
    }
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let lead = content.len() - content.trim_start().len();
        if !content[lead..].starts_with('#') {
            continue;
        }
        let hash = start + lead;
        if bodies.iter().any(|b| b.contains(hash)) {
            continue;
        }
        let comment = Span::new(hash, start + content.len());
        let covered = || {
            // Inside a multi-line instruction (a comment between continuation lines): that
            // instruction; otherwise the next one.
            let within = d.instructions.iter().find(|i| i.span.contains(hash));
            let next = || d.instructions.iter().find(|i| i.span.start >= comment.end);
            within.or_else(next).map(|i| vec![i.span])
        };
        push_directive(out, comment, &content[lead + 1..], covered, || Span::new(0, text.len()));
    }
}

/// The key whose block mapping a comment opens: the comment sits between the key and the
/// first entry of its mapping value (`db:` then `# edgelint: ignore[…]` then `image: …`).
/// Findings on that key are covered too, as the comment's placement reads.
pub(super) fn opened_block_key(doc: &YamlDocument, comment: Span) -> Option<Span> {
    doc.nodes().iter().find_map(|node| {
        let NodeKind::Mapping(entries) = &node.kind else { return None };
        entries.iter().find_map(|&(k, v)| {
            let key = doc.node(k).span;
            let NodeKind::Mapping(inner) = &doc.node(v).kind else { return None };
            let &(first, _) = inner.first()?;
            (key.end <= comment.start && comment.end <= doc.node(first).span.start).then_some(key)
        })
    })
}

/// Where the entries and list items of a YAML document are: `(start, end)` of each mapping
/// entry (key through value) and each sequence item. The root node is none of these.
pub fn yaml_extents(doc: &YamlDocument) -> Vec<Span> {
    let mut out = Vec::new();
    for node in doc.nodes() {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                for &(k, v) in entries {
                    let key = doc.node(k).span;
                    let value = doc.node(v).span;
                    out.push(Span::new(key.start, key.end.max(value.end)));
                }
            }
            NodeKind::Sequence(items) => out.extend(items.iter().map(|&i| doc.node(i).span)),
            _ => {}
        }
    }
    out
}

pub(super) fn yaml_comments(stream: &YamlStream, source: &SourceFile, out: &mut Collected) {
    for doc in &stream.documents {
        if !doc.comments.iter().any(|c| super::may_hold_directives(&c.text)) {
            continue;
        }
        let extents = yaml_extents(doc);
        for c in &doc.comments {
            let covered = || {
                let found = if c.trailing {
                    let line = source.index.line_of(c.span.start);
                    extents
                        .iter()
                        .filter(|e| e.start < c.span.start && source.index.line_of(e.start) == line)
                        .min_by_key(|e| (std::cmp::Reverse(e.len()), e.start))
                } else {
                    extents
                        .iter()
                        .filter(|e| e.start >= c.span.end)
                        .min_by_key(|e| (e.start, std::cmp::Reverse(e.len())))
                };
                let mut ranges: Vec<Span> = found.into_iter().copied().collect();
                if !c.trailing {
                    ranges.extend(opened_block_key(doc, c.span));
                }
                (!ranges.is_empty()).then_some(ranges)
            };
            push_directive(out, c.span, &c.text, covered, || doc.span);
        }
    }
}

/// The spans of the names in an annotation value `a, b -- reason`, mapped into the source when
/// the value is written verbatim (plain, or quoted without escapes), else the whole value.
pub(super) fn annotation(
    value: &Spanned<String>,
    source: &SourceFile,
) -> Result<(Vec<Spanned<String>>, Option<String>), String> {
    let written = source.text.get(value.span.start..value.span.end).unwrap_or("");
    let base = if written == value.value {
        Some(value.span.start)
    } else if written.len() == value.value.len() + 2
        && written.get(1..written.len() - 1) == Some(value.value.as_str())
    {
        Some(value.span.start + 1)
    } else {
        None
    };
    let (list, reason) = match value.value.split_once("--") {
        Some((l, r)) => (l, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (value.value.as_str(), None),
    };
    let names = split_names(list, |s, e| match base {
        Some(b) => Span::new(b + s, b + e),
        None => value.span,
    })
    .map_err(|()| format!("`{ANNOTATION}` has an empty rule name"))?;
    Ok((names, reason))
}

/// The mapping that holds `id` as a value (the pod template around a PodSpec).
pub(super) fn parent_mapping(doc: &YamlDocument, id: u32) -> Option<NodeRef<'_>> {
    doc.nodes().iter().enumerate().find_map(|(i, n)| match &n.kind {
        NodeKind::Mapping(entries) if entries.iter().any(|&(_, v)| v == id) => {
            Some(doc.node_ref(i as u32))
        }
        _ => None,
    })
}

/// `whole` minus `holes`, in order.
pub(super) fn subtract(whole: Span, holes: &[Span]) -> Vec<Span> {
    let mut holes: Vec<Span> = holes.to_vec();
    holes.sort();
    let mut out = Vec::new();
    let mut pos = whole.start;
    for h in holes {
        if h.start > pos {
            out.push(Span::new(pos, h.start.min(whole.end)));
        }
        pos = pos.max(h.end);
    }
    if pos < whole.end {
        out.push(Span::new(pos, whole.end));
    }
    out
}

pub(super) fn kubernetes(
    m: &crate::model::kubernetes::Manifests,
    source: &SourceFile,
    out: &mut Collected,
) {
    let find = |anns: &[(Spanned<String>, Spanned<String>)]| {
        anns.iter().find(|(k, _)| k.value == ANNOTATION).map(|(_, v)| v.clone())
    };
    for object in &m.objects {
        let templates = object.pod_templates.iter().map(|t| t.annotations.as_slice());
        for anns in std::iter::once(object.annotations.as_slice()).chain(templates) {
            let platforms = anns.iter().find(|(k, _)| k.value == file_platforms::ANNOTATION);
            if let Some((_, value)) = platforms {
                check_platforms(out, file_platforms::split(&value.value), value.span);
            }
        }
        let Some(doc) = m.yaml.documents.get(object.doc) else { continue };
        let mut template_ranges = Vec::new();
        if object.kind.value != "Pod" {
            for t in &object.pod_templates {
                let Some(value) = find(&t.annotations) else { continue };
                let range = parent_mapping(doc, t.node).map_or(t.span, NodeRef::span);
                template_ranges.push(range);
                push_annotation(out, &value, source, vec![range]);
            }
        }
        if let Some(value) = find(&object.annotations) {
            push_annotation(out, &value, source, subtract(object.span, &template_ranges));
        }
    }
}

pub(super) fn push_annotation(
    out: &mut Collected,
    value: &Spanned<String>,
    source: &SourceFile,
    ranges: Vec<Span>,
) {
    match annotation(value, source) {
        Ok((names, reason)) => out.suppressions.push(Suppression {
            form: Form::Annotation,
            at: value.span,
            ranges,
            names,
            reason,
        }),
        Err(message) => out.problems.push(Problem {
            span: value.span,
            message,
            help: format!("write `{ANNOTATION}: \"rule-a, rule-b -- reason\"`"),
        }),
    }
}

pub(super) fn compose(stream: &YamlStream, source: &SourceFile, out: &mut Collected) {
    let _ = source;
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        if !root.is_mapping() {
            continue;
        }
        if let Some(e) = root.get(COMPOSE_KEY) {
            push_extension(out, e.value, doc.span, true);
        }
        let Some(services) = root.get("services") else { continue };
        for s in services.value.entries() {
            if let Some(e) = s.value.get(COMPOSE_KEY) {
                let range = Span::new(s.key.span().start, s.value.span().end.max(s.key.span().end));
                push_extension(out, e.value, range, false);
            }
        }
    }
}

/// `x-edgelint` at the top level of a Compose file (`top`: it may also hold `platforms`, see
/// [`file_platforms`]) or on a service.
pub(super) fn push_extension(out: &mut Collected, value: NodeRef<'_>, range: Span, top: bool) {
    const HELP: &str = "write `x-edgelint: {ignore: [rule-a, rule-b], reason: \"why\"}`";
    let problem = |out: &mut Collected, span: Span, message: String| {
        out.problems.push(Problem { span, message, help: HELP.to_string() });
    };
    if !value.is_mapping() {
        return problem(out, value.span(), format!("`{COMPOSE_KEY}` must be a mapping"));
    }
    let mut names = Vec::new();
    let mut reason = None;
    let mut has_ignore = false;
    let mut has_platforms = false;
    for e in value.entries() {
        match e.key.as_str() {
            Some("platforms") if top => {
                has_platforms = true;
                let items: Option<Vec<&str>> = e.value.items().iter().map(|i| i.as_str()).collect();
                match items.filter(|_| e.value.is_sequence()) {
                    Some(items) => check_platforms(out, items, e.value.span()),
                    None => {
                        return problem(
                            out,
                            e.value.span(),
                            "`platforms` must be a list of platforms such as `linux/arm64`".into(),
                        )
                    }
                }
            }
            Some("ignore") => {
                has_ignore = true;
                if !e.value.is_sequence() {
                    return problem(
                        out,
                        e.value.span(),
                        "`ignore` must be a list of rule names".into(),
                    );
                }
                for item in e.value.items() {
                    match item.as_str() {
                        Some(n) if !n.trim().is_empty() => {
                            names.push(Spanned::new(n.trim().to_string(), item.span()));
                        }
                        _ => {
                            return problem(
                                out,
                                item.span(),
                                "`ignore` must be a list of rule names".into(),
                            )
                        }
                    }
                }
            }
            Some("reason") => match e.value.as_str() {
                Some(r) => reason = Some(r.trim().to_string()).filter(|r| !r.is_empty()),
                None => return problem(out, e.value.span(), "`reason` must be a string".into()),
            },
            Some("platforms") => {
                return problem(
                    out,
                    e.key.span(),
                    "`x-edgelint.platforms` is read at the top level of the file only; a service \
                     names its platform with `platform:`"
                        .into(),
                );
            }
            _ => {
                let key = e.key.as_str().unwrap_or("?");
                let known: &[&str] =
                    if top { &["ignore", "reason", "platforms"] } else { &["ignore", "reason"] };
                let hint = closest(key, known)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                return problem(
                    out,
                    e.key.span(),
                    format!("unknown key `{key}` in `{COMPOSE_KEY}`{hint}"),
                );
            }
        }
    }
    if !has_ignore {
        if !has_platforms {
            return problem(out, value.span(), format!("`{COMPOSE_KEY}` has no `ignore` list"));
        }
        return;
    }
    out.suppressions.push(Suppression {
        form: Form::ComposeExtension,
        at: value.span(),
        ranges: vec![range],
        names,
        reason,
    });
}

/// A platform list a file declares for itself (`x-edgelint.platforms`, the
/// `edgelint.io/platforms` annotation): a problem at `span` for an item that is not a platform
/// or an empty list.
fn check_platforms(out: &mut Collected, items: Vec<&str>, span: Span) {
    const HELP: &str = "list platforms such as `linux/arm64, linux/arm/v7`";
    if items.is_empty() {
        out.problems.push(Problem {
            span,
            message: "the platform list is empty".to_string(),
            help: HELP.to_string(),
        });
        return;
    }
    for item in items {
        if let Err(e) = Platform::parse(item.trim()) {
            out.problems.push(Problem {
                span,
                message: format!("`{item}` is not a platform: {e}"),
                help: HELP.to_string(),
            });
            return;
        }
    }
}
