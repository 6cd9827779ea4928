//! `unknown-rule`: reported by the suppression pass ([`crate::suppress`]), which reads the
//! suppressions of every format in one place; it has no hook.

use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// See `rules/unknown-rule.md`.
    UnknownRule {
        name: "unknown-rule",
        summary: "a suppression names a rule that does not exist",
        severity: Error,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for UnknownRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
