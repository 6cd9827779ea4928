//! What a rule reports.

use crate::source::Span;
use serde::Serialize;
use std::fmt;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding in one file.
///
/// `rule`, `severity`, `span`, `message` and `help` are what every output format shows. The other
/// fields are optional and only read by the formats and tools that need them (SARIF, baselines,
/// the language server, `--fix`); JSON v1 does not print them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule's kebab-case name (`parse-error` for the built-in parse finding).
    pub rule: &'static str,
    pub severity: Severity,
    pub span: Span,
    /// Starts lowercase, no trailing period, names the problem and the value found.
    pub message: String,
    /// How to fix it. Most rules' help is a constant, borrowed rather than copied into every
    /// finding (a run over a large tree holds hundreds of thousands).
    pub help: Option<std::borrow::Cow<'static, str>>,
    /// Other places the finding refers to (the first occurrence of a duplicate key…).
    pub labels: Vec<Label>,
    /// A machine-applicable fix.
    pub fix: Option<Fix>,
    /// Where the finding sits in the model, independent of line numbers:
    /// `Deployment/plant/historian › containers[db]`. Stable across edits elsewhere in the file,
    /// so fingerprints and baselines key on it (with the rule and the file path).
    pub logical_path: Option<String>,
    /// Set on a finding that is reported once per run, at its first occurrence (in path order):
    /// every later finding with the same rule and key is dropped ([`OncePerRun`]). Today only
    /// `single-arch-image`'s "platforms unknown" note, keyed by the image reference. Such a
    /// finding says what edgelint does not know, not what is wrong in the file: it never makes
    /// the exit code 1 ([`Diagnostic::fails_at`]).
    pub once_per_run: Option<String>,
}

/// Drops the findings already reported once in this run (see [`Diagnostic::once_per_run`]).
/// Files must be passed in the order the run reports them.
#[derive(Default)]
pub struct OncePerRun {
    seen: std::collections::HashSet<(&'static str, String)>,
}

impl OncePerRun {
    /// Keeps the first finding of each (rule, key) and drops the later ones.
    pub fn filter(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|d| match &d.once_per_run {
            Some(key) => self.seen.insert((d.rule, key.clone())),
            None => true,
        });
    }
}

/// A secondary place a finding refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    /// Starts lowercase, no trailing period: `first defined here`.
    pub message: String,
}

/// A fix: edits of the file as byte ranges (converted to UTF-16 positions by the language
/// server, applied by `--fix`). Edits do not overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Starts lowercase, no trailing period: `add a memory limit`.
    pub message: String,
    pub edits: Vec<Edit>,
}

/// Replace the bytes of `span` with `replacement` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            span,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            fix: None,
            logical_path: None,
            once_per_run: None,
        }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// What every output format shows: two findings equal in this are the same finding (reached
    /// twice, e.g. through a YAML alias), whatever their logical path.
    pub fn shown(&self) -> (Span, &'static str, &str, Severity, Option<&str>) {
        (self.span, self.rule, &self.message, self.severity, self.help.as_deref())
    }

    /// Whether this finding makes the run fail at `threshold`: at or above it, and not a
    /// once-per-run note about edgelint's own knowledge.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.severity >= threshold && self.once_per_run.is_none()
    }

    pub fn with_help(mut self, help: impl Into<std::borrow::Cow<'static, str>>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// Name of the built-in finding for input that cannot be parsed.
pub const PARSE_ERROR: &str = "parse-error";

/// Name of the built-in finding for a file over `--max-file-size`, which is not read.
pub const FILE_TOO_LARGE: &str = "file-too-large";

/// The findings made by edgelint itself rather than by a rule. `--select` never drops them
/// (an input that was not linted is always worth saying); `--ignore` does.
pub const BUILT_IN_RULES: [&str; 2] = [PARSE_ERROR, FILE_TOO_LARGE];

/// Base of the documentation links in output: the rule's name is appended. The one setting
/// for where the docs site lives: every renderer, `edgelint rules --format json` and `explain`
/// link through [`doc_url`], and `docs/generate.py` lays the site out to match
/// (`<base><rule>` is `rules/<rule>/index.html` in the site) and checks every rule's link.
/// A build for a site elsewhere sets `EDGELINT_DOC_BASE_URL` (ending in `/rules/`) at compile
/// time.
pub const DOC_BASE_URL: &str = match option_env!("EDGELINT_DOC_BASE_URL") {
    Some(url) => url,
    None => "https://edgelint.dev/rules/",
};

/// The documentation link of a rule.
pub fn doc_url(rule: &str) -> String {
    DocUrl(rule).to_string()
}

/// A rule's documentation link, written where it is displayed without being built first.
pub struct DocUrl<'a>(pub &'a str);

impl std::fmt::Display for DocUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{DOC_BASE_URL}{}", self.0)
    }
}

/// Another page of the docs site (the configuration schema's `$id`): `path` under the site's
/// root, which is [`DOC_BASE_URL`] without its `rules/`.
pub fn site_url(path: &str) -> String {
    let root = DOC_BASE_URL.strip_suffix("rules/").unwrap_or(DOC_BASE_URL);
    format!("{root}{path}")
}

/// Everything found in one file: its source (for positions and code frames), what kind of file
/// it was read as, and the findings, sorted by span then rule.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub source: crate::source::SourceFile,
    pub kind: Option<crate::document::FileKind>,
    pub diagnostics: Vec<Diagnostic>,
    /// Image references (after ARG substitution) that `single-arch-image` had to check but whose
    /// platforms no source knows: sorted, each once.
    pub unknown_platforms: Vec<String>,
}
