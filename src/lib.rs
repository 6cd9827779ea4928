//! edgelint: lints Dockerfiles, Compose files and Kubernetes manifests for the mistakes that make
//! containers fail on edge devices.
//!
//! The seam every front end uses is [`lint_source`] (classify, parse, run the rules, sort) or
//! [`lint_as`] when the kind is known; both are thin wrappers over [`engine`]. The layers
//! (syntax → model → semantic → rules → engine → render/cli) are drawn in
//! `docs/architecture.md`.

pub mod add_ignore;
pub mod archdb;
pub mod baseline;
pub mod classify;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod document;
pub mod engine;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod images_cmd;
pub mod init_cmd;
pub mod inspect;
pub mod lockfile;
pub mod lsp;
pub mod manual;
pub mod model;
pub mod registry;
pub mod render;
pub mod rules;
pub mod semantic;
pub mod settings;
pub mod shell;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod syntax;
pub mod values;

use classify::Classification;
use diagnostic::FileReport;
use document::FileKind;
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
    lint_source_document(path, text, settings).map(|(report, _)| report)
}

/// [`lint_source`], also returning the document, for the cross-file phase
/// ([`engine::cross_file`]).
pub fn lint_source_document(
    path: &str,
    text: impl Into<String>,
    settings: &Settings,
) -> Result<(FileReport, document::Document), NotLinted> {
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
    Ok(engine::lint_document(SourceFile::new(path, text), kind, settings))
}

pub use engine::{lint_as, parse, sort_diagnostics};
