//! What the CI formats (`sarif`, `github`, `gitlab`, `checkstyle`, `junit`) share, each in one
//! place: the path shown for a file ([`report_path`]), XML escaping ([`xml_escape`]), the
//! finding's fingerprint ([`fingerprints`]) and its region in either column unit ([`region`]).

use super::clamp_span;
use crate::diagnostic::{Diagnostic, FileReport, FILE_TOO_LARGE, PARSE_ERROR};
use crate::document::yaml::{self, NodeKind, NodeRef, YamlDocument};
use crate::document::FileKind;
use crate::source::{normalize_path, Position};
use std::borrow::Cow;
use std::path::{Component, Path};

/// A file's path as the CI formats show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReportPath {
    /// Relative to the scanned root (the current directory), `/`-separated, without `./`.
    /// Standard input is `-`, or its `--stdin-filename`.
    Relative(String),
    /// A file outside the root (an absolute path elsewhere, or `../x`), made absolute.
    Absolute(String),
}

impl ReportPath {
    /// The path as text: relative, or absolute.
    pub fn as_str(&self) -> &str {
        match self {
            ReportPath::Relative(p) | ReportPath::Absolute(p) => p,
        }
    }
}

/// The path of `path` (as given on the command line or found by the walk) relative to `root`.
///
/// - A relative path that stays inside the root is shown without `./` and with `/` separators.
/// - An absolute path under `root` is made relative to it.
/// - Anything else (an absolute path elsewhere, `../x`) is shown absolute (`..` resolved
///   lexically against `root`): CI systems cannot map it to a repository file anyway.
/// - Without a root (tests, library use), relative paths are only cleaned up and absolute ones
///   kept.
pub(crate) fn report_path(path: &str, root: Option<&Path>) -> ReportPath {
    let p = Path::new(path);
    let escapes = p.components().any(|c| c == Component::ParentDir);
    if !p.is_absolute() && !escapes {
        return ReportPath::Relative(slashed(p).unwrap_or_else(|| path.to_string()));
    }
    let Some(root) = root else {
        return match p.is_absolute() {
            true => ReportPath::Absolute(path.to_string()),
            false => ReportPath::Relative(slashed(p).unwrap_or_else(|| path.to_string())),
        };
    };
    let absolute = normalize_path(&root.join(p));
    match absolute.strip_prefix(normalize_path(root)) {
        Ok(rest) if rest.as_os_str().is_empty() => ReportPath::Relative(".".to_string()),
        Ok(rest) => ReportPath::Relative(slashed(rest).unwrap_or_else(|| path.to_string())),
        Err(_) => ReportPath::Absolute(absolute.to_string_lossy().replace('\\', "/")),
    }
}

/// `a/./b` → `a/b` with `/` separators; `None` when nothing is left (`.`).
fn slashed(p: &Path) -> Option<String> {
    let parts: Vec<Cow<'_, str>> = p
        .components()
        .filter(|c| *c != Component::CurDir)
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Text for XML 1.0 element content and attribute values (single or double quoted): `&<>"'`
/// become entities; tab, newline and carriage return become character references (so that
/// attribute normalization keeps them); characters XML 1.0 forbids even as references (other C0
/// controls, U+FFFE, U+FFFF) and the C1 controls are written visibly as `\u{1b}`.
pub(crate) fn xml_escape(text: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{FFFE}' | '\u{FFFF}') || c.is_control()
    };
    if !text.chars().any(special) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if special(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The unit columns are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Columns {
    /// Unicode characters (scalar values), as in edgelint's other output.
    Chars,
    /// UTF-16 code units, as GitHub (SARIF `utf16CodeUnits`, annotations) counts.
    Utf16,
}

/// A finding's start and (exclusive) end, 1-based lines and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    pub start: Position,
    pub end: Position,
}

/// Where `d` is in `report`, with columns in `columns`. The span is clamped first (see
/// [`clamp_span`]), so a rule's bad span cannot make a CI format panic.
pub(crate) fn region(report: &FileReport, d: &Diagnostic, columns: Columns) -> Region {
    let span = clamp_span(d.span, &report.source.text);
    let at = |offset| match columns {
        Columns::Chars => report.source.position(offset),
        Columns::Utf16 => report.source.position_utf16(offset),
    };
    Region { start: at(span.start), end: at(span.end) }
}

/// The fingerprint of every finding of `report`, in order: 32 hex digits (FNV-1a, 128 bits) of
/// the rule, the file's path as shown (`path`, see [`report_path`]) and the finding's place in
/// the file's structure, **never its line or column**, so a finding keeps its fingerprint when
/// lines are inserted above it. Used by SARIF (`partialFingerprints`) and GitLab
/// (`fingerprint`) so that GitHub code scanning and GitLab track an alert across commits.
///
/// The place is:
///
/// - the engine's logical path of the finding ([`Diagnostic::logical_path`], e.g.
///   `Deployment/plant/historian › containers[db]`), when it has one; and
/// - in YAML (Compose, Kubernetes), the finer chain of mapping keys and sequence items from the
///   document root down to the node where the finding starts, sequence items named by their
///   `name` (or `metadata.name`) when they have one, e.g.
///   `Deployment/plant/historian › spec › template › spec › containers[db] › livenessProbe`:
///   it tells apart two findings of one rule under one logical path (a liveness and a startup
///   probe). A Kubernetes document is named `Kind/namespace/name`; other documents of a
///   multi-document stream by their index;
/// - when neither exists (a Dockerfile finding without a logical path, a YAML finding outside
///   every node such as a comment): the finding's text with whitespace collapsed;
/// - `parse-error`: the parser's message (digits kept); `file-too-large`: nothing more.
///
/// Two findings with the same key (the same rule at the same place) are told apart by their
/// order: the second gets `#2`.
pub(crate) fn fingerprints(report: &FileReport, path: &str) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    finding_places(report)
        .iter()
        .zip(&report.diagnostics)
        .map(|(place, d)| {
            let key = format!("{}\0{}\0{}", d.rule, path, place.join("\0"));
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let key = if *n > 1 { format!("{key}\0#{n}") } else { key };
            format!("{:032x}", fnv1a_128(key.as_bytes()))
        })
        .collect()
}

/// The place of every finding of `report` in the file's structure, in order, as the parts
/// [`fingerprints`] describes (the logical path, then the YAML key chain; or the collapsed
/// text; or the parse message): **never a line or column**. Fingerprints (SARIF, GitLab) and
/// baselines (`crate::baseline`) key on it with the rule and the path, so both follow a
/// finding across edits above it in the same way.
pub(crate) fn finding_places(report: &FileReport) -> Vec<Vec<String>> {
    let yaml_kind = matches!(report.kind, Some(FileKind::Compose | FileKind::Kubernetes));
    let needs_yaml = yaml_kind
        && report.diagnostics.iter().any(|d| d.rule != PARSE_ERROR && d.rule != FILE_TOO_LARGE);
    let stream =
        needs_yaml.then(|| yaml::parse_stream(&report.source.text, &yaml::Limits::default()));
    report
        .diagnostics
        .iter()
        .map(|d| match d.rule {
            PARSE_ERROR => vec![d.message.clone()],
            FILE_TOO_LARGE => Vec::new(),
            _ => {
                let span = clamp_span(d.span, &report.source.text);
                let tree = stream
                    .as_ref()
                    .map(|s| yaml_logical_path(&s.documents, span.start))
                    .unwrap_or_default();
                let parts: Vec<String> = d
                    .logical_path
                    .iter()
                    .cloned()
                    .chain(Some(tree).filter(|t| !t.is_empty()))
                    .collect();
                if !parts.is_empty() {
                    return parts;
                }
                let text = report.source.text.get(span.start..span.end).unwrap_or("");
                let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if collapsed.is_empty() {
                    vec![d.message.clone()]
                } else {
                    vec![collapsed]
                }
            }
        })
        .collect()
}

/// FNV-1a, 128 bits: fixed (no per-process seed), so fingerprints are stable across runs and
/// machines.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes.iter().fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME))
}

/// `Kind/namespace/name › spec › containers[db] › image` for the node where `offset` falls;
/// empty when it falls outside every node.
fn yaml_logical_path(documents: &[YamlDocument], offset: usize) -> String {
    let Some((index, doc)) = documents
        .iter()
        .enumerate()
        .find(|(_, d)| d.span.start <= offset && offset < d.span.end.max(d.span.start + 1))
    else {
        return String::new();
    };
    let Some(root) = doc.root() else { return String::new() };
    let mut segments: Vec<String> = Vec::new();
    let mut node = root;
    // Bounded by the tree's depth (the parser limits nesting); aliases are not followed.
    loop {
        match &node.node().kind {
            NodeKind::Mapping(entries) => {
                let found = entries.iter().find(|&&(k, v)| {
                    let (k, v) = (doc.node(k).span, doc.node(v).span);
                    k.start <= offset && offset < v.end.max(k.end)
                });
                let Some(&(k, v)) = found else { break };
                let key = doc.node_ref(k);
                segments.push(key.as_str().unwrap_or("?").to_string());
                if key.span().contains(offset) {
                    break;
                }
                node = doc.node_ref(v);
            }
            NodeKind::Sequence(items) => {
                let found = items.iter().enumerate().find(|(_, &id)| {
                    let s = doc.node(id).span;
                    s.start <= offset && offset < s.end
                });
                let Some((i, &id)) = found else { break };
                let item = doc.node_ref(id);
                let label = item_name(item).unwrap_or_else(|| i.to_string());
                match segments.last_mut() {
                    Some(last) => last.push_str(&format!("[{label}]")),
                    None => segments.push(format!("[{label}]")),
                }
                node = item;
            }
            NodeKind::Scalar { .. } | NodeKind::Alias { .. } => break,
        }
    }
    if segments.is_empty() {
        return String::new();
    }
    let document = object_name(root).or_else(|| (documents.len() > 1).then(|| format!("#{index}")));
    document.into_iter().chain(segments).collect::<Vec<_>>().join(" › ")
}

/// `Kind/namespace/name` (or `Kind/name`) of a Kubernetes object.
fn object_name(node: NodeRef<'_>) -> Option<String> {
    let kind = node.get("kind")?.value.as_str()?;
    let metadata = node.get("metadata")?.value;
    let name = metadata.get("name")?.value.as_str()?;
    Some(match metadata.get("namespace").and_then(|e| e.value.as_str()) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    })
}

/// A sequence item's name: its `name` (containers, volumes, ports) or its object name.
fn item_name(item: NodeRef<'_>) -> Option<String> {
    if !item.is_mapping() {
        return None;
    }
    if let Some(name) = item.get("name").and_then(|e| e.value.as_str()) {
        return Some(name.to_string());
    }
    object_name(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::source::{SourceFile, Span};

    #[test]
    fn paths_are_relative_to_the_root() {
        let root = Path::new("/work/repo");
        let rel = |p: &str| report_path(p, Some(root));
        assert_eq!(rel("deploy/compose.yaml"), ReportPath::Relative("deploy/compose.yaml".into()));
        assert_eq!(rel("./deploy/./x.yaml"), ReportPath::Relative("deploy/x.yaml".into()));
        assert_eq!(rel("/work/repo/a/Dockerfile"), ReportPath::Relative("a/Dockerfile".into()));
        assert_eq!(rel("/etc/x.yaml"), ReportPath::Absolute("/etc/x.yaml".into()));
        assert_eq!(rel("../other/x.yaml"), ReportPath::Absolute("/work/other/x.yaml".into()));
        assert_eq!(rel("a/../b.yaml"), ReportPath::Relative("b.yaml".into()));
        assert_eq!(rel("-"), ReportPath::Relative("-".into()));
        assert_eq!(report_path("/etc/x", None), ReportPath::Absolute("/etc/x".into()));
        assert_eq!(report_path("./x", None), ReportPath::Relative("x".into()));
    }

    #[test]
    fn xml_escaping_covers_markup_and_forbidden_characters() {
        assert_eq!(xml_escape("plain é 😀"), "plain é 😀");
        assert_eq!(
            xml_escape("a<b>&\"c\"'d'\te\nf\rg"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#9;e&#10;f&#13;g"
        );
        assert_eq!(xml_escape("x\u{0}y\u{1b}z\u{FFFF}\u{85}"), "x\\u{0}y\\u{1b}z\\u{ffff}\\u{85}");
    }

    fn report(
        path: &str,
        kind: FileKind,
        text: &str,
        needles: &[(&'static str, &str)],
    ) -> FileReport {
        let diagnostics = needles
            .iter()
            .map(|&(rule, needle)| {
                let start = text.find(needle).expect(needle);
                Diagnostic::new(
                    rule,
                    Severity::Warning,
                    Span::new(start, start + needle.len()),
                    "m 1",
                )
            })
            .collect();
        FileReport {
            source: SourceFile::new(path, text),
            kind: Some(kind),
            diagnostics,
            unknown_platforms: Vec::new(),
        }
    }

    const K8S: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: historian\n  namespace: plant\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n          image: postgres:16\n        - image: busybox\n";

    #[test]
    fn yaml_logical_paths() {
        let stream = yaml::parse_stream(K8S, &yaml::Limits::default());
        let at = |needle: &str| yaml_logical_path(&stream.documents, K8S.find(needle).unwrap());
        assert_eq!(
            at("postgres"),
            "Deployment/plant/historian › spec › template › spec › containers[db] › image"
        );
        assert_eq!(
            at("busybox"),
            "Deployment/plant/historian › spec › template › spec › containers[1] › image"
        );
        assert_eq!(at("template"), "Deployment/plant/historian › spec › template");
        let compose = "services:\n  café:\n    image: nginx\n";
        let stream = yaml::parse_stream(compose, &yaml::Limits::default());
        assert_eq!(
            yaml_logical_path(&stream.documents, compose.find("nginx").unwrap()),
            "services › café › image"
        );
    }

    #[test]
    fn fingerprints_survive_inserted_lines_and_tell_duplicates_apart() {
        let needles = [("r", "postgres:16"), ("r", "busybox"), ("s", "busybox")];
        let before = fingerprints(&report("k.yaml", FileKind::Kubernetes, K8S, &needles), "k.yaml");
        let moved = format!("# a comment\n\n{}", K8S.replace("kind:", "# more\nkind:"));
        let after =
            fingerprints(&report("k.yaml", FileKind::Kubernetes, &moved, &needles), "k.yaml");
        assert_eq!(before, after);
        assert_eq!(before.len(), 3);
        assert!(before.iter().all(|f| f.len() == 32 && f.bytes().all(|b| b.is_ascii_hexdigit())));
        assert_ne!(before[0], before[1]);
        assert_ne!(before[1], before[2], "the rule is part of the key");
        // The engine's logical path is part of the key.
        let mut with_path = report("k.yaml", FileKind::Kubernetes, K8S, &needles);
        with_path.diagnostics[0].logical_path =
            Some("Deployment/plant/historian › containers[db]".into());
        let fps = fingerprints(&with_path, "k.yaml");
        assert_ne!(fps[0], before[0]);
        assert_eq!(fps[1..], before[1..]);
        // Another path gives other fingerprints.
        let elsewhere =
            fingerprints(&report("x.yaml", FileKind::Kubernetes, K8S, &needles), "x.yaml");
        assert_ne!(before[0], elsewhere[0]);

        let dockerfile = "FROM alpine:3.20\nRUN make\nRUN make\n";
        let needles = [("r", "alpine:3.20"), ("r", "RUN make"), ("r", "RUN make\n")];
        let fps = |text: &str| {
            let mut rep = report("Dockerfile", FileKind::Dockerfile, text, &needles[..1]);
            let second = text.rfind("RUN make").unwrap();
            let first = text.find("RUN make").unwrap();
            for start in [first, second] {
                rep.diagnostics.push(Diagnostic::new(
                    "r",
                    Severity::Error,
                    Span::new(start, start + 8),
                    "m",
                ));
            }
            fingerprints(&rep, "Dockerfile")
        };
        let before = fps(dockerfile);
        let after = fps(&format!("# syntax=docker/dockerfile:1\n\n{dockerfile}"));
        assert_eq!(before, after);
        assert_ne!(before[1], before[2], "identical findings are numbered");
        // Fixed hash: the same input gives the same digits on every machine.
        assert_eq!(format!("{:032x}", fnv1a_128(b"")), "6c62272e07bb014262b821756295c58d");
        assert_eq!(format!("{:032x}", fnv1a_128(b"a")), "d228cb696f1a8caf78912b704e4a8964");
    }
}
