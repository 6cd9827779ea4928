//! How long a pod stays bound to a node that carries a `NoExecute` node-lifecycle taint
//! (`node.kubernetes.io/unreachable`, `node.kubernetes.io/not-ready`), computed from the
//! tolerations written in its PodSpec the way the cluster computes it:
//!
//! 1. The `DefaultTolerationSeconds` admission plugin
//!    (`plugin/pkg/admission/defaulttolerationseconds`) adds `{key, operator: Exists,
//!    effect: NoExecute, tolerationSeconds: 300}` unless a toleration already names the taint:
//!    its `key` is the taint's key or empty, and its `effect` is `NoExecute` or empty. The plugin
//!    looks at nothing else (not `operator`, not `value`).
//! 2. The taint-eviction controller (`pkg/controller/tainteviction`) then keeps the tolerations
//!    that tolerate the taint (`Toleration.ToleratesTaint`: effect empty or equal, key empty or
//!    equal, `Exists`, or `Equal`/empty operator with the taint's value, which is empty for these
//!    taints) and evicts after the smallest `tolerationSeconds` among them (`getMinTolerationTime`:
//!    a value ≤ 0 evicts at once, absent values do not count, none written means never). No
//!    tolerating toleration at all means immediate eviction.
//!
//! So a toleration the plugin counts but that does not tolerate the taint (`operator: Equal`
//! with a `value`) keeps the 300 s default out and leaves the pod with no toleration: it is
//! evicted as soon as the taint lands.

use crate::model::kubernetes::Toleration;

/// The taint a node gets when the node controller loses its heartbeat.
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// The taint a node gets when its kubelet reports `Ready=False`.
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
/// `--default-unreachable-toleration-seconds` / `--default-not-ready-toleration-seconds`.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// When a pod is evicted from a node with a `NoExecute` taint `key` (no value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Eviction {
    /// No toleration names the taint: the admission plugin adds the 300 s default.
    Default,
    /// The smallest `tolerationSeconds` of the tolerating tolerations (≤ 0: at once);
    /// `toleration` is its index in the PodSpec's list.
    After { seconds: i64, toleration: usize },
    /// Tolerating tolerations, none with seconds: never evicted. `toleration`: the first.
    Never { toleration: usize },
    /// A toleration names the taint, so no default is added, but none tolerates it
    /// (`toleration`: the first that names it): evicted at once.
    Immediately { toleration: usize },
    /// A `tolerationSeconds` that is not an integer: not judged.
    Unknown { toleration: usize },
}

impl Eviction {
    /// Seconds until eviction; `None` for never (or unknown).
    pub fn seconds(&self) -> Option<i64> {
        match self {
            Eviction::Default => Some(DEFAULT_TOLERATION_SECONDS),
            Eviction::After { seconds, .. } => Some(*seconds),
            Eviction::Immediately { .. } => Some(0),
            Eviction::Never { .. } | Eviction::Unknown { .. } => None,
        }
    }
}

fn text(field: &Option<crate::source::Spanned<String>>) -> &str {
    field.as_ref().map_or("", |s| s.value.as_str())
}

/// Whether the admission plugin counts `t` as a toleration of the `NoExecute` taint `key`.
pub fn names_taint(t: &Toleration, key: &str) -> bool {
    let k = text(&t.key);
    let effect = text(&t.effect);
    (k == key || k.is_empty()) && (effect == "NoExecute" || effect.is_empty())
}

/// Whether `t` tolerates the `NoExecute` taint `key` with an empty value
/// (`Toleration.ToleratesTaint`).
pub fn tolerates(t: &Toleration, key: &str) -> bool {
    let k = text(&t.key);
    let effect = text(&t.effect);
    if !effect.is_empty() && effect != "NoExecute" {
        return false;
    }
    if !k.is_empty() && k != key {
        return false;
    }
    match text(&t.operator) {
        "" | "Equal" => text(&t.value).is_empty(),
        "Exists" => true,
        _ => false,
    }
}

/// When a pod with `tolerations` is evicted from a node tainted `key:NoExecute`.
pub fn eviction(tolerations: &[Toleration], key: &str) -> Eviction {
    let Some(first_named) = tolerations.iter().position(|t| names_taint(t, key)) else {
        return Eviction::Default;
    };
    let mut min: Option<(i64, usize)> = None;
    let mut first_tolerating = None;
    for (i, t) in tolerations.iter().enumerate() {
        if !tolerates(t, key) {
            continue;
        }
        first_tolerating.get_or_insert(i);
        let Some(seconds) = &t.toleration_seconds else { continue };
        let Ok(seconds) = seconds.value.trim().parse::<i64>() else {
            return Eviction::Unknown { toleration: i };
        };
        if min.is_none_or(|(m, _)| seconds < m) {
            min = Some((seconds, i));
        }
    }
    match (min, first_tolerating) {
        (Some((seconds, toleration)), _) => Eviction::After { seconds, toleration },
        (None, Some(toleration)) => Eviction::Never { toleration },
        (None, None) => Eviction::Immediately { toleration: first_named },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Span, Spanned};

    fn s(v: &str) -> Option<Spanned<String>> {
        Some(Spanned::new(v.to_string(), Span { start: 0, end: 0 }))
    }

    fn t(key: &str, op: &str, value: &str, effect: &str, seconds: Option<&str>) -> Toleration {
        let opt = |v: &str| if v.is_empty() { None } else { s(v) };
        Toleration {
            span: Span { start: 0, end: 0 },
            key: opt(key),
            operator: opt(op),
            value: opt(value),
            effect: opt(effect),
            toleration_seconds: seconds.and_then(s),
        }
    }

    #[test]
    fn no_toleration_gets_the_default() {
        assert_eq!(eviction(&[], UNREACHABLE), Eviction::Default);
        let other = t("dedicated", "Exists", "", "NoSchedule", None);
        assert_eq!(eviction(&[other], UNREACHABLE), Eviction::Default);
        // a toleration of the other lifecycle taint does not count
        let nr = t(NOT_READY, "Exists", "", "NoExecute", Some("3600"));
        assert_eq!(eviction(std::slice::from_ref(&nr), UNREACHABLE), Eviction::Default);
        assert_eq!(eviction(&[nr], NOT_READY).seconds(), Some(3600));
    }

    #[test]
    fn other_effects_do_not_match() {
        let ns = t(UNREACHABLE, "Exists", "", "NoSchedule", None);
        assert_eq!(eviction(&[ns], UNREACHABLE), Eviction::Default);
    }

    #[test]
    fn exists_with_empty_key_tolerates_everything() {
        let all = t("", "Exists", "", "", None);
        assert_eq!(eviction(&[all], UNREACHABLE), Eviction::Never { toleration: 0 });
        let all_timed = t("", "Exists", "", "NoExecute", Some("600"));
        assert_eq!(eviction(&[all_timed], NOT_READY).seconds(), Some(600));
    }

    #[test]
    fn empty_effect_matches_no_execute() {
        let any = t(UNREACHABLE, "Exists", "", "", None);
        assert_eq!(eviction(&[any], UNREACHABLE), Eviction::Never { toleration: 0 });
    }

    #[test]
    fn equal_needs_the_empty_value() {
        let equal_empty = t(UNREACHABLE, "Equal", "", "NoExecute", Some("7200"));
        assert_eq!(eviction(&[equal_empty], UNREACHABLE).seconds(), Some(7200));
        let no_operator = t(UNREACHABLE, "", "", "NoExecute", None);
        assert_eq!(eviction(&[no_operator], UNREACHABLE), Eviction::Never { toleration: 0 });
        // named, so no default, but it does not tolerate the valueless taint
        let equal_value = t(UNREACHABLE, "Equal", "true", "NoExecute", Some("86400"));
        assert_eq!(eviction(&[equal_value], UNREACHABLE), Eviction::Immediately { toleration: 0 });
    }

    #[test]
    fn several_matches_take_the_minimum_and_absent_seconds_do_not_count() {
        let list = [
            t(UNREACHABLE, "Exists", "", "NoExecute", None),
            t(UNREACHABLE, "Exists", "", "NoExecute", Some("7200")),
            t("", "Exists", "", "", Some("600")),
        ];
        assert_eq!(eviction(&list, UNREACHABLE), Eviction::After { seconds: 600, toleration: 2 });
    }

    #[test]
    fn zero_and_negative_seconds() {
        let zero = t(UNREACHABLE, "Exists", "", "NoExecute", Some("0"));
        assert_eq!(eviction(&[zero], UNREACHABLE).seconds(), Some(0));
        let negative = t(UNREACHABLE, "Exists", "", "NoExecute", Some("-5"));
        assert_eq!(eviction(&[negative], UNREACHABLE).seconds(), Some(-5));
    }

    #[test]
    fn non_integer_seconds_are_unknown() {
        let odd = t(UNREACHABLE, "Exists", "", "NoExecute", Some("1h"));
        assert_eq!(eviction(&[odd], UNREACHABLE), Eviction::Unknown { toleration: 0 });
    }
}
