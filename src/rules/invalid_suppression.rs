//! `invalid-suppression`: reported by the suppression pass ([`crate::suppress`]), which reads the
//! suppressions of every format in one place; it has no hook.

use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// See `rules/invalid-suppression.md`.
    InvalidSuppression {
        name: "invalid-suppression",
        summary: "an `edgelint:` comment or annotation that cannot be read, or lacks a required reason",
        severity: Error,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
