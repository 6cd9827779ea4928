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
    let rest = text[start..].strip_prefix("edgelint:")?;
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

fn push_directive(
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

fn dockerfile(d: &crate::syntax::dockerfile::Dockerfile, source: &SourceFile, out: &mut Collected) {
    use crate::syntax::dockerfile::Args;
    let text = &source.text;
    if !text.contains("edgelint:") {
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

/// Where the entries and list items of a YAML document are: `(start, end)` of each mapping
/// entry (key through value) and each sequence item. The root node is none of these.
fn yaml_extents(doc: &YamlDocument) -> Vec<Span> {
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

fn yaml_comments(stream: &YamlStream, source: &SourceFile, out: &mut Collected) {
    for doc in &stream.documents {
        if !doc.comments.iter().any(|c| c.text.contains("edgelint:")) {
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
                found.map(|e| vec![*e])
            };
            push_directive(out, c.span, &c.text, covered, || doc.span);
        }
    }
}

/// The spans of the names in an annotation value `a, b -- reason`, mapped into the source when
/// the value is written verbatim (plain, or quoted without escapes), else the whole value.
fn annotation(
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
fn parent_mapping(doc: &YamlDocument, id: u32) -> Option<NodeRef<'_>> {
    doc.nodes().iter().enumerate().find_map(|(i, n)| match &n.kind {
        NodeKind::Mapping(entries) if entries.iter().any(|&(_, v)| v == id) => {
            Some(doc.node_ref(i as u32))
        }
        _ => None,
    })
}

/// `whole` minus `holes`, in order.
fn subtract(whole: Span, holes: &[Span]) -> Vec<Span> {
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

fn kubernetes(m: &crate::model::kubernetes::Manifests, source: &SourceFile, out: &mut Collected) {
    let find = |anns: &[(Spanned<String>, Spanned<String>)]| {
        anns.iter().find(|(k, _)| k.value == ANNOTATION).map(|(_, v)| v.clone())
    };
    for object in &m.objects {
        let Some(doc) = m.yaml.documents.get(object.doc) else { continue };
        let mut template_ranges = Vec::new();
        if object.kind.value != "Pod" {
            for t in &object.pod_templates {
                let Some(value) = find(&t.annotations) else { continue };
                let range = parent_mapping(doc, t.node)
                    .map_or(t.span, super::document::yaml::NodeRef::span);
                template_ranges.push(range);
                push_annotation(out, &value, source, vec![range]);
            }
        }
        if let Some(value) = find(&object.annotations) {
            push_annotation(out, &value, source, subtract(object.span, &template_ranges));
        }
    }
}

fn push_annotation(
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

fn compose(stream: &YamlStream, source: &SourceFile, out: &mut Collected) {
    let _ = source;
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        if !root.is_mapping() {
            continue;
        }
        if let Some(e) = root.get(COMPOSE_KEY) {
            push_extension(out, e.value, doc.span);
        }
        let Some(services) = root.get("services") else { continue };
        for s in services.value.entries() {
            if let Some(e) = s.value.get(COMPOSE_KEY) {
                let range = Span::new(s.key.span().start, s.value.span().end.max(s.key.span().end));
                push_extension(out, e.value, range);
            }
        }
    }
}

fn push_extension(out: &mut Collected, value: NodeRef<'_>, range: Span) {
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
    for e in value.entries() {
        match e.key.as_str() {
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
            _ => {
                let key = e.key.as_str().unwrap_or("?");
                let hint = closest(key, &["ignore", "reason"])
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
        return problem(out, value.span(), format!("`{COMPOSE_KEY}` has no `ignore` list"));
    }
    out.suppressions.push(Suppression {
        form: Form::ComposeExtension,
        at: value.span(),
        ranges: vec![range],
        names,
        reason,
    });
}

const INVALID: rules::RuleMeta = invalid_suppression::InvalidSuppression::META;
const UNKNOWN: rules::RuleMeta = unknown_rule::UnknownRule::META;
const UNUSED: rules::RuleMeta = unused_suppression::UnusedSuppression::META;

/// Names the hygiene rules report under.
fn is_hygiene(name: &str) -> bool {
    [INVALID.name, UNKNOWN.name, UNUSED.name].contains(&name)
}

fn reason_help(form: Form) -> &'static str {
    match form {
        Form::Comment | Form::FileComment => {
            "add the reason after the list: `# edgelint: ignore[rule] -- why`"
        }
        Form::Annotation => "add the reason after the names: `edgelint.io/ignore: \"rule -- why\"`",
        Form::ComposeExtension => "add `reason: \"why\"` beside `ignore`",
    }
}

fn removal_help(form: Form, name: &str) -> String {
    match form {
        Form::Comment | Form::FileComment => {
            format!("remove `{name}` from the comment (or the comment if it names nothing else)")
        }
        Form::Annotation => format!("remove `{name}` from the `{ANNOTATION}` annotation"),
        Form::ComposeExtension => format!("remove `{name}` from `{COMPOSE_KEY}.ignore`"),
    }
}

/// One suppression's state during [`apply`].
struct State<'a> {
    s: &'a Suppression,
    /// Valid and allowed to suppress (a known rule, a reason when one is required).
    active: bool,
    /// Per name: whether it can suppress (a known rule other than `parse-error`), and whether
    /// it did.
    usable: Vec<bool>,
    used: Vec<bool>,
}

impl State<'_> {
    /// Whether this suppression covers `d`; marks the name used.
    fn covers(&mut self, d: &Diagnostic) -> bool {
        if !self.active {
            return false;
        }
        let inside = self.s.ranges.iter().any(|r| r.contains(d.span.start))
            || (d.span.start <= self.s.at.start && self.s.at.start < d.span.end);
        if !inside {
            return false;
        }
        let mut hit = false;
        for (i, n) in self.s.names.iter().enumerate() {
            if self.usable[i] && n.value == d.rule {
                self.used[i] = true;
                hit = true;
            }
        }
        hit
    }
}

fn suppressed(states: &mut [State<'_>], d: &Diagnostic) -> bool {
    let mut hit = false;
    for st in states.iter_mut() {
        // Every covering suppression is marked used, not only the first.
        hit |= st.covers(d);
    }
    hit
}

fn hygiene(meta: &rules::RuleMeta, span: Span, message: String, help: String) -> Diagnostic {
    Diagnostic::new(meta.name, meta.severity, span, message).with_help(help)
}

/// Applies the suppressions written in `doc` to `diagnostics` (the findings of the rules that
/// ran, `ran`, plus parse errors) and adds the hygiene findings. See the module documentation.
pub fn apply(
    doc: &Document,
    semantic: &Semantic<'_>,
    source: &SourceFile,
    ran: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let settings = semantic.settings();
    let collected = collect(doc, source);
    if collected.suppressions.is_empty() && collected.problems.is_empty() {
        return;
    }
    let kind = doc.kind();
    let known: Vec<&'static str> = rules::all().iter().map(|r| r.meta().name).collect();
    let shadow = |wanted: &[&str]| {
        let mut out = Vec::new();
        let shadowed: Vec<&dyn Rule> = rules::all()
            .iter()
            .copied()
            .filter(|r| wanted.contains(&r.meta().name) && r.meta().formats.contains(&kind))
            .collect();
        crate::engine::run_rules(&shadowed, doc, semantic, source, &mut out);
        out
    };
    resolve(&collected, &known, settings, ran, diagnostics, shadow);
}

/// The suppression pass over what [`collect`] found. `known`: the rule names; `shadow` runs the
/// named rules that did not run and returns their findings.
pub fn resolve(
    collected: &Collected,
    known: &[&'static str],
    settings: &Settings,
    ran: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
    shadow: impl FnOnce(&[&str]) -> Vec<Diagnostic>,
) {
    let parse_failed = diagnostics.iter().any(|d| d.rule == PARSE_ERROR);
    let mut findings: Vec<Diagnostic> = collected
        .problems
        .iter()
        .map(|p| hygiene(&INVALID, p.span, p.message.clone(), p.help.clone()))
        .collect();

    let mut states: Vec<State<'_>> = Vec::new();
    for s in &collected.suppressions {
        let mut usable = Vec::new();
        for n in &s.names {
            let ok = n.value != PARSE_ERROR && known.contains(&n.value.as_str());
            usable.push(ok);
            if n.value == PARSE_ERROR {
                findings.push(hygiene(
                    &INVALID,
                    n.span,
                    "`parse-error` cannot be suppressed".to_string(),
                    "fix the syntax error, or leave parse errors out with `--ignore parse-error`"
                        .to_string(),
                ));
            } else if !ok {
                let help = match closest(&n.value, known) {
                    Some(c) => format!("did you mean `{c}`? `edgelint rules` lists the rules"),
                    None => "`edgelint rules` lists the rules".to_string(),
                };
                findings.push(hygiene(
                    &UNKNOWN,
                    n.span,
                    format!("suppression names unknown rule `{}`", n.value),
                    help,
                ));
            }
        }
        let mut active = true;
        if settings.require_reason && s.reason.is_none() {
            active = false;
            findings.push(hygiene(
                &INVALID,
                s.at,
                "suppression has no reason, and `require-reason` is on".to_string(),
                reason_help(s.form).to_string(),
            ));
        }
        let used = vec![false; s.names.len()];
        states.push(State { s, active, usable, used });
    }

    // The rules a suppression names that did not run: run them, only to know whether the
    // suppression is used.
    let report_unused = !parse_failed && settings.rule_enabled(UNUSED.name);
    let shadowed = if report_unused {
        let mut wanted: Vec<&str> = states
            .iter()
            .filter(|st| st.active)
            .flat_map(|st| {
                st.s.names
                    .iter()
                    .zip(&st.usable)
                    .filter(|(_, u)| **u)
                    .map(|(n, _)| n.value.as_str())
            })
            .filter(|n| !ran.contains(n) && !is_hygiene(n))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            Vec::new()
        } else {
            shadow(&wanted)
        }
    } else {
        Vec::new()
    };

    diagnostics.retain(|d| d.rule == PARSE_ERROR || !suppressed(&mut states, d));
    for d in &shadowed {
        suppressed(&mut states, d);
    }
    findings.retain(|d| !suppressed(&mut states, d));

    if report_unused {
        let unused = |states: &[State<'_>], last: bool| -> Vec<Diagnostic> {
            let mut out = Vec::new();
            for st in states.iter().filter(|st| st.active) {
                for (i, n) in st.s.names.iter().enumerate() {
                    if st.usable[i] && !st.used[i] && (n.value == UNUSED.name) == last {
                        out.push(hygiene(
                            &UNUSED,
                            n.span,
                            format!("suppression of `{}` matches no finding", n.value),
                            removal_help(st.s.form, &n.value),
                        ));
                    }
                }
            }
            out
        };
        let mut first = unused(&states, false);
        first.retain(|d| !suppressed(&mut states, d));
        findings.extend(first);
        // Suppressions of `unused-suppression` itself are judged last and cannot be silenced.
        findings.extend(unused(&states, true));
    }

    findings.retain(|d| settings.rule_enabled(d.rule));
    diagnostics.extend(findings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FileKind;

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn names(d: &Directive) -> Vec<&str> {
        d.names.iter().map(|n| n.value.as_str()).collect()
    }

    #[test]
    fn directive_grammar() {
        let text = "# edgelint: ignore[rule-a,  rule-b] -- vendor image, fixed in 2.1";
        let d = parse_directive(&text[1..], 1).unwrap().unwrap();
        assert!(!d.file);
        assert_eq!(names(&d), ["rule-a", "rule-b"]);
        assert_eq!(at(text, d.names[1].span), "rule-b");
        assert_eq!(d.reason.as_deref(), Some("vendor image, fixed in 2.1"));
        let d = parse_directive("edgelint:ignore-file[x]", 1).unwrap().unwrap();
        assert!(d.file);
        assert_eq!(d.reason, None);
        let d = parse_directive(" edgelint: ignore [x] --   ", 1).unwrap().unwrap();
        assert_eq!(d.reason, None);
        // Not ours.
        assert!(parse_directive(" hadolint ignore=DL3008", 1).is_none());
        assert!(parse_directive(" TODO edgelint: ignore[x]", 1).is_none());
        assert!(parse_directive(" edgelint is great", 1).is_none());
        // Ours, unreadable.
        let err = |t: &str| parse_directive(t, 1).unwrap().unwrap_err();
        assert_eq!(
            err(" edgelint: ignor[x]"),
            "unknown suppression directive `ignor`; did you mean `ignore`?"
        );
        assert_eq!(err(" edgelint: disable[x]"), "unknown suppression directive `disable`");
        assert_eq!(err(" edgelint:"), "`edgelint:` comment has no directive");
        assert_eq!(
            err(" edgelint: ignore x"),
            "`ignore` needs a list of rules in brackets: `ignore[rule-a]`"
        );
        assert_eq!(
            err(" edgelint: ignore-file"),
            "`ignore-file` needs a list of rules in brackets: `ignore-file[rule-a]`"
        );
        assert_eq!(err(" edgelint: ignore[x"), "the list of rules has no closing `]`");
        assert_eq!(err(" edgelint: ignore[]"), "`ignore[]` names no rule");
        assert_eq!(err(" edgelint: ignore[a,,b]"), "`ignore[…]` has an empty rule name");
        assert_eq!(
            err(" edgelint: ignore[a] because"),
            "expected `-- reason` after the list, found `because`"
        );
    }

    fn lint(kind: FileKind, text: &str) -> (SourceFile, Collected) {
        let source = SourceFile::new("t", text);
        let (doc, _) = crate::parse(&source, kind);
        let c = collect(&doc, &source);
        (source, c)
    }

    /// The text each suppression covers (first range), by its first name.
    fn covered(kind: FileKind, text: &str) -> Vec<(String, Vec<String>)> {
        let (source, c) = lint(kind, text);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        c.suppressions
            .iter()
            .map(|s| {
                let ranges: Vec<String> = s
                    .ranges
                    .iter()
                    .filter(|r| **r != s.at)
                    .map(|r| at(&source.text, *r).to_string())
                    .collect();
                (s.names[0].value.clone(), ranges)
            })
            .collect()
    }

    #[test]
    fn dockerfile_scopes() {
        let text = "# syntax=docker/dockerfile:1\n# hadolint ignore=DL3008\n# edgelint: ignore[a] -- r\nFROM alpine\n\n  # edgelint: ignore[b]\n\nRUN apk add \\\n  # edgelint: ignore[c]\n  curl\nRUN cat <<EOF\n# edgelint: ignore[not-a-comment]\nEOF\n# edgelint: ignore-file[d]\n# edgelint: ignore[e]\n";
        let got = covered(FileKind::Dockerfile, text);
        assert_eq!(
            got,
            [
                ("a".to_string(), vec!["FROM alpine".to_string()]),
                (
                    "b".to_string(),
                    vec!["RUN apk add \\\n  # edgelint: ignore[c]\n  curl".to_string()]
                ),
                (
                    "c".to_string(),
                    vec!["RUN apk add \\\n  # edgelint: ignore[c]\n  curl".to_string()]
                ),
                ("d".to_string(), vec![text.to_string()]),
                // Nothing follows: covers nothing.
                ("e".to_string(), vec![]),
            ]
        );
    }

    #[test]
    fn yaml_scopes() {
        let text = "services:\n  web:  # edgelint: ignore[a]\n    image: x\n    # edgelint: ignore[b]\n    environment:\n      A: 1\n    command: [\"x\"]  # edgelint: ignore[c]\n  db:\n    image: y\n    volumes:\n      # edgelint: ignore[d]\n      - data:/var/lib\n      - name: v  # edgelint: ignore[e]\n        x: 1\n# edgelint: ignore-file[f]\n";
        let got = covered(FileKind::Compose, text);
        assert_eq!(
            got,
            [
                ("a".to_string(), vec!["web:  # edgelint: ignore[a]\n    image: x\n    # edgelint: ignore[b]\n    environment:\n      A: 1\n    command: [\"x\"]".to_string()]),
                ("b".to_string(), vec!["environment:\n      A: 1".to_string()]),
                ("c".to_string(), vec!["command: [\"x\"]".to_string()]),
                ("d".to_string(), vec!["data:/var/lib".to_string()]),
                ("e".to_string(), vec!["name: v  # edgelint: ignore[e]\n        x: 1".to_string()]),
                ("f".to_string(), vec![text.to_string()]),
            ]
        );
    }

    #[test]
    fn ignore_file_in_yaml_is_per_document() {
        let text = "a: 1\n---\n# edgelint: ignore-file[x]\nb: 2\n";
        let got = covered(FileKind::Kubernetes, text);
        assert_eq!(
            got,
            [("x".to_string(), vec!["---\n# edgelint: ignore-file[x]\nb: 2\n".to_string()])]
        );
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    edgelint.io/ignore: \"rule-x -- legacy\"\nspec:\n  template:\n    metadata:\n      annotations:\n        edgelint.io/ignore: rule-y\n    spec:\n      containers:\n        - name: app\n          image: nginx\n";

    #[test]
    fn annotations_object_and_template() {
        let (source, c) = lint(FileKind::Kubernetes, DEPLOY);
        assert!(c.problems.is_empty());
        assert_eq!(c.suppressions.len(), 2);
        let template = &c.suppressions[0];
        assert_eq!(template.names[0].value, "rule-y");
        assert_eq!(at(DEPLOY, template.names[0].span), "rule-y");
        assert!(at(DEPLOY, template.ranges[0]).starts_with("metadata:\n      annotations:"));
        assert!(at(DEPLOY, template.ranges[0]).ends_with("image: nginx"));
        let object = &c.suppressions[1];
        assert_eq!(at(DEPLOY, object.names[0].span), "rule-x");
        assert_eq!(object.reason.as_deref(), Some("legacy"));
        // The object's range has a hole where the annotated template is.
        assert_eq!(object.ranges.len(), 1);
        assert!(at(&source.text, object.ranges[0]).ends_with("spec:\n  template:\n    "));
    }

    #[test]
    fn compose_extension() {
        let text = "x-edgelint:\n  ignore: [a]\n  reason: all of it\nservices:\n  web:\n    image: x\n    x-edgelint: {ignore: [b, c]}\n  db:\n    image: y\n";
        let (source, c) = lint(FileKind::Compose, text);
        assert!(c.problems.is_empty());
        assert_eq!(c.suppressions.len(), 2);
        assert_eq!(c.suppressions[0].reason.as_deref(), Some("all of it"));
        assert_eq!(at(&source.text, c.suppressions[0].ranges[0]), text);
        assert_eq!(at(text, c.suppressions[1].names[1].span), "c");
        assert_eq!(
            at(text, c.suppressions[1].ranges[0]),
            "web:\n    image: x\n    x-edgelint: {ignore: [b, c]}"
        );
        let (_, c) = lint(
            FileKind::Compose,
            "services:\n  web:\n    image: x\n    x-edgelint: {ignroe: [b]}\n",
        );
        assert_eq!(
            c.problems[0].message,
            "unknown key `ignroe` in `x-edgelint`; did you mean `ignore`?"
        );
        let (_, c) = lint(FileKind::Compose, "x-edgelint: {ignore: b}\nservices: {}\n");
        assert_eq!(c.problems[0].message, "`ignore` must be a list of rule names");
    }

    #[test]
    fn subtract_ranges() {
        let s = |a, b| Span::new(a, b);
        assert_eq!(subtract(s(0, 10), &[s(2, 4), s(6, 7)]), [s(0, 2), s(4, 6), s(7, 10)]);
        assert_eq!(subtract(s(0, 10), &[s(0, 10)]), Vec::<Span>::new());
        assert_eq!(subtract(s(0, 10), &[]), [s(0, 10)]);
    }

    // The suppression pass on synthetic findings: rules `rule-x`, `rule-y`, `rule-z` (plus the
    // hygiene rules) are "known"; findings are placed at chosen text.

    const KNOWN: &[&str] = &["rule-x", "rule-y", "rule-z", INVALID.name, UNKNOWN.name, UNUSED.name];

    /// A finding of `rule` on the `nth` occurrence (0-based) of `needle`.
    fn finding(text: &str, rule: &'static str, needle: &str, nth: usize) -> Diagnostic {
        let start = text.match_indices(needle).nth(nth).expect("needle").0;
        Diagnostic::new(rule, Severity::Warning, Span::new(start, start + needle.len()), "x")
    }

    /// Runs the pass; `shadow` stands for the rules that did not run. Returns the remaining
    /// findings as `rule@line`.
    fn pass_with(
        kind: FileKind,
        text: &str,
        settings: &Settings,
        findings: Vec<Diagnostic>,
        ran: &[&str],
        shadow: Vec<Diagnostic>,
    ) -> Vec<String> {
        let (source, collected) = lint(kind, text);
        let mut diagnostics = findings;
        resolve(&collected, KNOWN, settings, ran, &mut diagnostics, |_| shadow);
        crate::sort_diagnostics(&mut diagnostics);
        diagnostics
            .iter()
            .map(|d| format!("{}@{}", d.rule, source.position(d.span.start).line))
            .collect()
    }

    fn pass(kind: FileKind, text: &str, findings: Vec<Diagnostic>) -> Vec<String> {
        let ran = ["rule-x", "rule-y", "rule-z"];
        pass_with(kind, text, &Settings::default(), findings, &ran, Vec::new())
    }

    use crate::diagnostic::Severity;

    #[test]
    fn dockerfile_comment_covers_the_next_instruction_only() {
        let text = "FROM a\n# edgelint: ignore[rule-x] -- r\nRUN one \\\n  two\nRUN three\n";
        let got = pass(
            FileKind::Dockerfile,
            text,
            vec![
                finding(text, "rule-x", "two", 0),
                finding(text, "rule-x", "three", 0),
                finding(text, "rule-y", "one", 0),
            ],
        );
        assert_eq!(got, ["rule-y@3", "rule-x@5"]);
        let text = "FROM a\nRUN one\n# edgelint: ignore-file[rule-x, rule-y]\n";
        let got = pass(
            FileKind::Dockerfile,
            text,
            vec![finding(text, "rule-x", "FROM", 0), finding(text, "rule-y", "one", 0)],
        );
        assert_eq!(got, Vec::<String>::new());
    }

    #[test]
    fn yaml_comment_forms_and_a_comment_inside_the_span() {
        let text = "services:\n  web:\n    image: x  # edgelint: ignore[rule-x]\n    # edgelint: ignore[rule-y]\n    deploy:\n      replicas: 1\n    restart: always\n  db:\n    image: y\n";
        let got = pass(
            FileKind::Compose,
            text,
            vec![
                finding(text, "rule-x", "image: x", 0),
                finding(text, "rule-x", "image: y", 0),
                finding(text, "rule-y", "1", 0),
                finding(text, "rule-y", "always", 0),
            ],
        );
        assert_eq!(got, ["rule-y@7", "rule-x@9"]);
        // A finding whose span holds the comment is covered, wherever it starts.
        let text = "services:\n  web:\n    image: x\n    # edgelint: ignore[rule-z]\n    restart: always\n  db:\n    image: y\n";
        let start = text.find("web").unwrap();
        let end = text.find("  db").unwrap();
        let whole = Diagnostic::new("rule-z", Severity::Warning, Span::new(start, end), "x");
        let got = pass(FileKind::Compose, text, vec![whole, finding(text, "rule-z", "db", 0)]);
        assert_eq!(got, ["rule-z@6"]);
    }

    const TEMPLATE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    edgelint.io/ignore: rule-x\nspec:\n  replicas: 1\n  template:\n    metadata:\n      annotations:\n        edgelint.io/ignore: rule-y\n    spec:\n      containers:\n        - name: app\n          image: nginx\n";

    #[test]
    fn the_pod_template_annotation_replaces_the_objects_list_under_it() {
        let t = TEMPLATE;
        let got = pass(
            FileKind::Kubernetes,
            t,
            vec![
                finding(t, "rule-x", "replicas", 0), // object level: object's list
                finding(t, "rule-y", "replicas", 0), // object level: the template's does not reach
                finding(t, "rule-x", "nginx", 0),    // in the template: the object's does not apply
                finding(t, "rule-y", "nginx", 0),    // in the template: the template's applies
            ],
        );
        assert_eq!(got, ["rule-y@8", "rule-x@16"]);
        // Without an annotation on the template, the object's list covers it too.
        let t = &TEMPLATE.replace(
            "      annotations:\n        edgelint.io/ignore: rule-y\n",
            "      labels: {}\n",
        );
        let got = pass(
            FileKind::Kubernetes,
            t,
            vec![finding(t, "rule-x", "nginx", 0), finding(t, "rule-y", "nginx", 0)],
        );
        assert_eq!(got, ["rule-y@15"]);
        // An empty annotation on the template clears the object's list there.
        let t = &TEMPLATE.replace("ignore: rule-y", "ignore: \"\"");
        let got = pass(FileKind::Kubernetes, t, vec![finding(t, "rule-x", "nginx", 0)]);
        assert_eq!(got, ["unused-suppression@6", "rule-x@16"]);
    }

    #[test]
    fn pod_annotations_cover_the_pod() {
        let t = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    edgelint.io/ignore: rule-x, rule-y\nspec:\n  containers:\n    - name: app\n      image: nginx\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q\nspec:\n  containers:\n    - name: app\n      image: nginx\n";
        let got = pass(
            FileKind::Kubernetes,
            t,
            vec![finding(t, "rule-x", "nginx", 0), finding(t, "rule-x", "nginx", 1)],
        );
        // rule-y covered nothing.
        assert_eq!(got, ["unused-suppression@6", "rule-x@19"]);
    }

    #[test]
    fn compose_extension_on_a_service_and_at_the_top() {
        let t = "x-edgelint: {ignore: [rule-x]}\nservices:\n  web:\n    image: a\n    x-edgelint: {ignore: [rule-y]}\n  db:\n    image: b\n";
        let got = pass(
            FileKind::Compose,
            t,
            vec![
                finding(t, "rule-x", "b", 0),
                finding(t, "rule-y", "web", 0),
                finding(t, "rule-y", "db", 0),
            ],
        );
        assert_eq!(got, ["rule-y@6"]);
    }

    #[test]
    fn unused_unknown_and_shadow_runs() {
        let t = "FROM a\n# edgelint: ignore[rule-x, rule-y, rule-q] -- r\nRUN b\n";
        // rule-x matches; rule-y does not; rule-q is no rule.
        let got = pass(FileKind::Dockerfile, t, vec![finding(t, "rule-x", "RUN", 0)]);
        assert_eq!(got, ["unused-suppression@2", "unknown-rule@2"]);
        // rule-y did not run (not selected): its would-be finding marks the suppression used.
        let got = pass_with(
            FileKind::Dockerfile,
            t,
            &Settings::default(),
            vec![finding(t, "rule-x", "RUN", 0)],
            &["rule-x"],
            vec![finding(t, "rule-y", "b", 0)],
        );
        assert_eq!(got, ["unknown-rule@2"]);
        // With unused-suppression off, nothing is said about use.
        let settings = Settings { ignore: vec![UNUSED.name.to_string()], ..Settings::default() };
        let got = pass_with(FileKind::Dockerfile, t, &settings, Vec::new(), &[], Vec::new());
        assert_eq!(got, ["unknown-rule@2"]);
    }

    #[test]
    fn parse_errors_are_never_suppressed_and_silence_unused() {
        let t = "FROM a\n# edgelint: ignore-file[parse-error, rule-y]\nRUN b\n";
        let err = Diagnostic::new(PARSE_ERROR, Severity::Error, Span::new(0, 1), "x");
        let got = pass(FileKind::Dockerfile, t, vec![err]);
        assert_eq!(got, ["parse-error@1", "invalid-suppression@2"]);
    }

    #[test]
    fn require_reason_makes_a_bare_suppression_inert() {
        let t =
            "FROM a\n# edgelint: ignore[rule-x]\nRUN b\n# edgelint: ignore[rule-x] -- why\nRUN c\n";
        let settings = Settings { require_reason: true, ..Settings::default() };
        let got = pass_with(
            FileKind::Dockerfile,
            t,
            &settings,
            vec![finding(t, "rule-x", "b", 0), finding(t, "rule-x", "c", 0)],
            &["rule-x"],
            Vec::new(),
        );
        assert_eq!(got, ["invalid-suppression@2", "rule-x@3"]);
    }

    #[test]
    fn hygiene_findings_can_be_suppressed_and_unused_suppression_is_judged_last() {
        // A comment covers itself: its unknown name is silenced by naming unknown-rule.
        let t = "FROM a\n# edgelint: ignore[rule-q, unknown-rule] -- 2.x\nRUN b\n";
        assert_eq!(pass(FileKind::Dockerfile, t, Vec::new()), Vec::<String>::new());
        // ignore[unused-suppression] keeps a suppression that matches nothing.
        let t = "FROM a\n# edgelint: ignore[rule-x, unused-suppression] -- arm only\nRUN b\n";
        assert_eq!(pass(FileKind::Dockerfile, t, Vec::new()), Vec::<String>::new());
        // But an ignore[unused-suppression] that silences nothing is reported.
        let t = "FROM a\n# edgelint: ignore[rule-x, unused-suppression] -- arm only\nRUN b\n";
        let got = pass(FileKind::Dockerfile, t, vec![finding(t, "rule-x", "b", 0)]);
        assert_eq!(got, ["unused-suppression@2"]);
    }

    #[test]
    fn configured_off_hygiene_rules_say_nothing() {
        let t = "FROM a\n# edgelint: ignor[x]\n# edgelint: ignore[rule-q]\nRUN b\n";
        let settings = Settings { select: vec!["rule-x".into()], ..Settings::default() };
        let got =
            pass_with(FileKind::Dockerfile, t, &settings, Vec::new(), &["rule-x"], Vec::new());
        assert_eq!(got, Vec::<String>::new());
        assert_eq!(
            pass(FileKind::Dockerfile, t, Vec::new()),
            ["invalid-suppression@2", "unknown-rule@3"]
        );
    }
}
