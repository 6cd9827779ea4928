//! The rule engine: the [`Rule`] trait, rule metadata, the reporting context and the registry.
//!
//! A rule is one file in this folder, named like the rule with `_` for `-`, with its doc in
//! `rules/<name>.md` and its fixtures in `fixtures/<name>/`. It declares its metadata once with
//! [`declare_rule!`] and implements [`Rule::check`]; reporting goes through [`Ctx`], which stamps
//! the rule's name and default severity.

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{Document, FileKind};
use crate::settings::Settings;
use crate::source::{SourceFile, Span};

pub mod arch_specific_command;
pub mod shared;

/// What is known about a rule, written once.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case name of the hazard: the id in output, config, suppressions, docs, fixtures.
    pub name: &'static str,
    /// One line, starts lowercase, no trailing period.
    pub summary: &'static str,
    pub severity: Severity,
    pub formats: &'static [FileKind],
    /// The same check in other tools, as `tool:id`.
    pub equivalents: &'static [&'static str],
    /// `rules/<name>.md`, embedded.
    pub doc: &'static str,
}

/// One check. `check` only says what is wrong; the engine does the rest.
pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, doc: &Document, cx: &mut Ctx);
}

/// Declares a rule's type and its metadata, embedding its doc (a rule without a doc does not
/// compile).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[$attr:meta])*
        $ty:ident {
            name: $name:literal,
            summary: $summary:literal,
            severity: $sev:ident,
            formats: [$($fmt:ident),* $(,)?],
            equivalents: [$($eq:literal),* $(,)?] $(,)?
        }
    ) => {
        $(#[$attr])*
        pub struct $ty;

        impl $ty {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                name: $name,
                summary: $summary,
                severity: $crate::diagnostic::Severity::$sev,
                formats: &[$($crate::document::FileKind::$fmt),*],
                equivalents: &[$($eq),*],
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $name, ".md")),
            };
        }
    };
}

/// The reporting context handed to a rule: it stamps the rule's identity on every finding.
pub struct Ctx<'a> {
    meta: &'static RuleMeta,
    source: &'a SourceFile,
    settings: &'a Settings,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        meta: &'static RuleMeta,
        source: &'a SourceFile,
        settings: &'a Settings,
        out: &'a mut Vec<Diagnostic>,
    ) -> Ctx<'a> {
        Ctx { meta, source, settings, out }
    }

    pub fn source(&self) -> &SourceFile {
        self.source
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// Report a finding at the rule's default severity. The returned builder adds help or
    /// states one of the escalations/downgrades the rule's doc describes.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        self.out.push(Diagnostic::new(self.meta.name, self.meta.severity, span, message));
        Report { diag: self.out.last_mut().expect("just pushed") }
    }
}

/// A finding being reported.
pub struct Report<'a> {
    diag: &'a mut Diagnostic,
}

impl Report<'_> {
    pub fn help(self, help: impl Into<String>) -> Self {
        self.diag.help = Some(help.into());
        self
    }

    /// A level the rule's doc defines for this case (escalation or downgrade).
    pub fn severity(self, severity: Severity) -> Self {
        self.diag.severity = severity;
        self
    }
}

/// Every rule, in name order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[&arch_specific_command::ArchSpecificCommand]
}

/// Look a rule up by name.
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().name == name)
}
