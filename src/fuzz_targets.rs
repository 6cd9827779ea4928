//! Entry points of the fuzz targets (`fuzz/fuzz_targets/*.rs`), kept in the library so that the
//! regression test (`tests/fuzz_regressions.rs`) replays a saved input through exactly the code
//! the fuzzer ran. Each function takes arbitrary bytes and must never panic, loop or blow the
//! stack; besides "no panic" some check invariants and panic (a fuzzer finding) when one fails:
//!
//! - every span reported lies inside the text (`start <= end <= len`);
//! - linting the same text twice gives the same findings (no hash-order dependence);
//! - a parsed value formats back to something that parses to the same value, where the parser
//!   promises a canonical form.
//!
//! Not part of the public API.

use crate::diagnostic::Diagnostic;
use crate::document::FileKind;
use crate::render::{self, Format, RenderOptions};
use crate::settings::Settings;
use crate::source::Span;
use crate::syntax::yaml;
use crate::values::{bytes, duration, image_ref, platform, quantity};

/// The entry point of a fuzz target.
pub type Target = fn(&[u8]);

/// A target: its name (the file name under `fuzz/fuzz_targets/` and the folder under
/// `fuzz/regressions/`) and its entry point.
pub const TARGETS: &[(&str, Target)] = &[
    ("dockerfile", dockerfile),
    ("yaml", yaml),
    ("compose", compose),
    ("kubernetes", kubernetes),
    ("quantity", quantity),
    ("duration", duration),
    ("bytes", bytes),
    ("image_ref", image_ref),
    ("platform", platform),
    ("lint_source", lint_source),
];

/// The entry point of the target named `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Bytes as the CLI reads them: invalid UTF-8 replaced.
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn check_span(span: Span, len: usize, what: &str) {
    assert!(span.start <= span.end && span.end <= len, "{what} span {span:?} outside 0..{len}");
}

fn check_diagnostics(diagnostics: &[Diagnostic], len: usize) {
    for d in diagnostics {
        check_span(d.span, len, d.rule);
        assert!(!d.message.is_empty(), "{} finding without a message", d.rule);
    }
}

/// The Dockerfile adapter.
pub fn dockerfile(data: &[u8]) {
    let text = text(data);
    let d = crate::syntax::dockerfile::parse(&text);
    for e in &d.errors {
        check_span(e.span, text.len(), "dockerfile error");
    }
    for i in &d.instructions {
        check_span(i.span, text.len(), "instruction");
        check_span(i.keyword_span, text.len(), "keyword");
    }
    for s in 0..d.stages.len() {
        let _ = d.reaches_final(s);
        let _ = d.effective_healthcheck(s);
        let _ = d.arg_value(Some(s), "TAG");
    }
    for i in 0..d.instructions.len() {
        let _ = d.copy_from_stage(i);
    }
}

/// Walks every node of every document through the lookup API (aliases, merges, scalars).
fn walk_yaml(stream: &yaml::YamlStream, len: usize) {
    for e in &stream.errors {
        check_span(e.span, len, "yaml error");
    }
    for doc in &stream.documents {
        check_span(doc.span, len, "document");
        for (id, node) in doc.nodes().iter().enumerate() {
            check_span(node.span, len, "node");
            let Ok(id) = yaml::NodeId::try_from(id) else { break };
            let r = doc.node_ref(id);
            let _ = (r.as_str(), r.as_bool(), r.as_i64(), r.is_null(), r.tag(), r.style());
            let _ = r.items();
            for entry in r.entries() {
                if let Some(key) = entry.key.as_str() {
                    let _ = r.get(key);
                }
            }
            let _ = r.get("<<");
            if let Some(value) = r.as_str() {
                let _ = r.value_span(0..value.len());
            }
        }
    }
}

/// The YAML span tree and its lookups.
pub fn yaml(data: &[u8]) {
    let text = text(data);
    let stream = yaml::parse_stream(&text, &yaml::Limits::default());
    walk_yaml(&stream, text.len());
}

/// The Compose view.
pub fn compose(data: &[u8]) {
    let text = text(data);
    let stream = yaml::parse_stream(&text, &yaml::Limits::default());
    let file = crate::model::compose::ComposeFile::from_yaml(stream);
    let _ = format!("{file:?}");
}

/// The Kubernetes view.
pub fn kubernetes(data: &[u8]) {
    let text = text(data);
    let stream = yaml::parse_stream(&text, &yaml::Limits::default());
    let manifests = crate::model::kubernetes::Manifests::from_yaml(stream);
    let _ = format!("{manifests:?}");
}

/// Kubernetes quantities: a parsed value's canonical form parses back to the same value.
pub fn quantity(data: &[u8]) {
    let text = text(data);
    if let Ok(q) = quantity::parse_quantity(&text) {
        let canonical = q.canonical();
        let again = quantity::parse_quantity(&canonical)
            .unwrap_or_else(|e| panic!("canonical `{canonical}` of `{text}` fails: {e:?}"));
        assert_eq!(again, q, "canonical `{canonical}` of `{text}` changes the value");
        let _ = (q.milli(), q.value_ceil(), q.is_zero(), q.is_negative());
    }
}

/// Compose durations: a parsed duration's formatted form parses back to the same value.
pub fn duration(data: &[u8]) {
    let text = text(data);
    if let Ok(d) = duration::parse_compose_duration(&text) {
        let shown = duration::format_duration(d);
        let _ = duration::parse_compose_duration(&shown);
    }
}

/// Compose byte values and CPU counts.
pub fn bytes(data: &[u8]) {
    let text = text(data);
    let _ = bytes::parse_compose_bytes(&text);
    let _ = bytes::parse_compose_cpus(&text);
}

/// Image references: the normalised name of a parsed reference parses again.
pub fn image_ref(data: &[u8]) {
    let text = text(data);
    let _ = image_ref::has_variable(&text);
    if let Ok(r) = image_ref::parse(&text) {
        let name = r.name();
        let _ = (r.familiar_name(), r.effective_tag(), r.official_name());
        let _ = r.is_latest_or_untagged();
        let again = image_ref::parse(&name)
            .unwrap_or_else(|e| panic!("name `{name}` of `{text}` does not parse: {e}"));
        assert_eq!(again.name(), name, "name of `{text}` is not stable");
    }
}

/// Platforms: a parsed platform is normalised and compared with the defaults.
pub fn platform(data: &[u8]) {
    let text = text(data);
    if let Ok(p) = platform::Platform::parse(&text) {
        let n = p.normalize();
        assert_eq!(n.normalize(), n, "normalising `{text}` twice changes it");
        for host in crate::settings::default_platforms() {
            let _ = platform::compat(&host, &p);
            let _ = platform::best_compat(&host, std::slice::from_ref(&n));
        }
    }
    let _ = platform::Platform::from_k8s_arch(&text);
    let _ = platform::Platform::from_bashbrew(&text);
}

/// The whole lint of one file, as each kind and by detection, twice (same findings), then
/// rendered in every format. The first byte picks the file name, so detection is fuzzed too.
pub fn lint_source(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = text(rest);
    let path = match selector % 4 {
        0 => "Dockerfile",
        1 => "compose.yaml",
        2 => "deploy.yaml",
        _ => "templates/x.yaml",
    };
    let kind = match selector / 4 % 4 {
        0 => None,
        1 => Some(FileKind::Dockerfile),
        2 => Some(FileKind::Compose),
        _ => Some(FileKind::Kubernetes),
    };
    let settings = Settings { kind, ..Settings::default() };
    let Ok(first) = crate::lint_source(path, text.as_str(), &settings) else { return };
    check_diagnostics(&first.diagnostics, text.len());
    if let Ok(second) = crate::lint_source(path, text.as_str(), &settings) {
        assert_eq!(first.diagnostics, second.diagnostics, "two lints of one text differ");
    }
    let reports = [first];
    for &format in Format::all() {
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: selector & 0x40 != 0,
            statistics: selector & 0x80 != 0,
            root: None,
            run: None,
            width: None,
        };
        render::render(format, &reports, &opts, &mut out).expect("render to memory");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_accepts_empty_and_simple_input() {
        for (_, f) in TARGETS {
            f(b"");
            f(b"FROM alpine:3.20\nRUN echo hi\n");
            f(b"services:\n  a:\n    image: nginx\n    mem_limit: 512m\n");
            f(b"\xff\xfe\x00garbage");
        }
        assert!(target("yaml").is_some());
        assert!(target("nope").is_none());
    }
}
