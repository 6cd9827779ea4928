//! `unused-suppression`: reported by the suppression pass ([`crate::suppress`]): it has no hook, since it needs the
//! findings of every other rule.

use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// See `rules/unused-suppression.md`.
    UnusedSuppression {
        name: "unused-suppression",
        summary: "a suppression that matches no finding",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
