//! edgelint: lints Dockerfiles, Compose files and Kubernetes manifests for the mistakes that make
//! containers fail on edge devices.
//!
//! The seam every front end uses is [`lint_source`] (classify, parse, run the rules, sort) or
//! [`lint_as`] when the kind is known.

pub mod archdb;
pub mod classify;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod document;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod inspect;
pub mod manual;
pub mod render;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;

use classify::Classification;
use diagnostic::{Diagnostic, FileReport, Severity, PARSE_ERROR};
use document::{compose::ComposeFile, dockerfile, kubernetes::Manifests, yaml, Document, FileKind};
use settings::Settings;
use source::SourceFile;

/// Why a text was not linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotLinted {
    /// YAML that is neither Compose nor Kubernetes, or a file that is not a Dockerfile.
    Unrecognised,
    /// A Helm chart template: lint the output of `helm template` instead.
    HelmTemplate,
}

/// Classify, parse and lint one text. `settings.kind` overrides detection.
pub fn lint_source(
    path: &str,
    text: impl Into<String>,
    settings: &Settings,
) -> Result<FileReport, NotLinted> {
    let text = text.into();
    let kind = match settings.kind {
        Some(k) => k,
        None => match classify::classify(std::path::Path::new(path), &text) {
            Classification::Dockerfile => FileKind::Dockerfile,
            Classification::Compose => FileKind::Compose,
            Classification::Kubernetes => FileKind::Kubernetes,
            Classification::HelmTemplate => return Err(NotLinted::HelmTemplate),
            Classification::Unrecognised => return Err(NotLinted::Unrecognised),
        },
    };
    Ok(lint_as(SourceFile::new(path, text), kind, settings))
}

/// Parse a text as the given kind. Returns the document and the parse errors as findings.
pub fn parse(source: &SourceFile, kind: FileKind) -> (Document, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let doc = match kind {
        FileKind::Dockerfile => {
            let d = dockerfile::parse(&source.text);
            for e in &d.errors {
                errors.push(Diagnostic::new(PARSE_ERROR, Severity::Error, e.span, &e.message));
            }
            Document::Dockerfile(d)
        }
        FileKind::Compose | FileKind::Kubernetes => {
            let stream = yaml::parse_stream(&source.text, &yaml::Limits::default());
            for e in &stream.errors {
                errors.push(Diagnostic::new(PARSE_ERROR, Severity::Error, e.span, &e.message));
            }
            if kind == FileKind::Compose {
                Document::Compose(ComposeFile::from_yaml(stream))
            } else {
                Document::Kubernetes(Manifests::from_yaml(stream))
            }
        }
    };
    (doc, errors)
}

/// Parse and lint a text as the given kind: run the enabled rules, apply the suppressions
/// written in the file ([`suppress`]), then the configured severities (a configured severity
/// replaces the severity of every finding of its rule).
pub fn lint_as(source: SourceFile, kind: FileKind, settings: &Settings) -> FileReport {
    let (doc, mut diagnostics) = parse(&source, kind);
    let mut ran = Vec::new();
    for rule in rules::all() {
        let meta = rule.meta();
        if !meta.formats.contains(&kind) || !settings.rule_enabled(meta.name) {
            continue;
        }
        let mut cx = rules::Ctx::new(meta, &source, settings, &mut diagnostics);
        rule.check(&doc, &mut cx);
        ran.push(meta.name);
    }
    suppress::apply(&doc, &source, settings, &ran, &mut diagnostics);
    if !settings.rule_enabled(PARSE_ERROR) {
        diagnostics.retain(|d| d.rule != PARSE_ERROR);
    }
    for d in &mut diagnostics {
        if let Some(severity) = settings.rule_severity(d.rule) {
            d.severity = severity;
        }
    }
    sort_diagnostics(&mut diagnostics);
    FileReport { source, kind: Some(kind), diagnostics }
}

/// Sort by position then rule, and drop exact duplicates (a finding reached twice through
/// a YAML alias).
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    diagnostics.dedup();
}
