//! `short-unreachable-toleration`: pod templates evicted soon after their node loses its link
//! (`node.kubernetes.io/unreachable`) or turns NotReady (`node.kubernetes.io/not-ready`).
//!
//! The eviction time per taint is [`crate::semantic::tolerations::eviction`]: the
//! `DefaultTolerationSeconds` admission plugin's matching, then the taint-eviction controller's.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::Pod;
use crate::model::kubernetes::{Manifests, Toleration};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::tolerations::{
    eviction, Eviction, DEFAULT_TOLERATION_SECONDS, NOT_READY, UNREACHABLE,
};

declare_rule! {
    /// Pods evicted from an edge node after a short loss of link.
    ShortUnreachableToleration {
        name: "short-unreachable-toleration",
        summary: "pods are evicted soon after their node loses its link or turns NotReady",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
        options: [
            integer(
                "unreachable-min-seconds",
                3600,
                "shortest acceptable node.kubernetes.io/unreachable toleration, in seconds"
            )
            .at_least(1.0),
            integer(
                "not-ready-min-seconds",
                3600,
                "shortest node.kubernetes.io/not-ready toleration below which an info is given, in seconds"
            )
            .at_least(1.0),
        ],
    }
}

/// The annotation of workloads that should fail over to the cloud: only shortening below the
/// admission default is reported.
pub const FAILOVER_ANNOTATION: &str = "edgelint.io/failover";
/// OpenYurt node annotations under which the pod-binding controller rewrites the tolerations.
const AUTONOMY_ANNOTATIONS: &[&str] =
    &["node.openyurt.io/autonomy-duration", "node.beta.openyurt.io/autonomy"];

impl Rule for ShortUnreachableToleration {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let object = pod.object;
        // The DaemonSet controller adds NoExecute lifecycle tolerations without seconds.
        if object.kind.value == "DaemonSet" {
            return;
        }
        // A mirror pod (a static pod read back from the API): its node runs it regardless.
        if object.annotations.iter().any(|(k, _)| k.value == "kubernetes.io/config.mirror") {
            return;
        }
        // A partial object (a kustomize patch, a container without `image`) over a template
        // defined elsewhere, whose tolerations may come from the base.
        let partial = cx.semantic().is_partial(pod);
        let annotated = |key: &str| {
            pod.template
                .annotations
                .iter()
                .chain(&object.annotations)
                .any(|(k, v)| k.value == key && v.value.eq_ignore_ascii_case("true"))
        };
        let failover = annotated(FAILOVER_ANNOTATION);
        let autonomy = autonomy_nodes(stream);
        for taint in [UNREACHABLE, NOT_READY] {
            check(pod, taint, failover, autonomy, partial, cx);
        }
    }
}

/// Whether a Node of the stream has an OpenYurt autonomy annotation.
fn autonomy_nodes(stream: &Manifests) -> bool {
    stream.objects.iter().any(|o| {
        o.kind.value == "Node"
            && o.annotations.iter().any(|(k, v)| {
                AUTONOMY_ANNOTATIONS.contains(&k.value.as_str()) && v.value != "false"
            })
    })
}

fn check(pod: &Pod<'_>, taint: &str, failover: bool, autonomy: bool, partial: bool, cx: &mut Ctx) {
    let template = pod.template;
    let found = eviction(&template.tolerations, taint);
    // A partial object claims no admission default: its base may tolerate the taint.
    if partial && matches!(found, Eviction::Default) {
        return;
    }
    let Some(seconds) = found.seconds() else { return };
    let unreachable = taint == UNREACHABLE;
    let (option, when) = if unreachable {
        ("unreachable-min-seconds", "the node loses its link")
    } else {
        ("not-ready-min-seconds", "the node turns NotReady")
    };
    let minimum = cx.option_int(option);
    let severity = if seconds < DEFAULT_TOLERATION_SECONDS {
        Severity::Error
    } else if failover || seconds >= minimum {
        return;
    } else if unreachable {
        Severity::Warning
    } else {
        Severity::Info
    };
    let severity = if autonomy { Severity::Info } else { severity };
    let at = |i: usize| template.tolerations.get(i).map(|t| t.span);
    let (span, message) = match &found {
        Eviction::Default => (
            template.key_span.unwrap_or(pod.object.kind.span),
            format!(
                "pods are evicted {seconds}s after {when} (admission default: no toleration for {taint})"
            ),
        ),
        Eviction::After { toleration, .. } => {
            let t = &template.tolerations[*toleration];
            let written = t.toleration_seconds.as_ref().map_or("", |s| s.value.as_str());
            let of = toleration_of(t, taint);
            let timing = if seconds <= 0 {
                format!("as soon as {when}")
            } else {
                format!("{seconds}s after {when}")
            };
            (at(*toleration).unwrap_or(template.span), format!("pods are evicted {timing} (`tolerationSeconds: {written}` on {of})"))
        }
        Eviction::Immediately { toleration } => {
            let t = &template.tolerations[*toleration];
            let operator = t.operator.as_ref().map_or("Equal", |o| o.value.as_str());
            let value = t.value.as_ref().map_or("", |v| v.value.as_str());
            (
                at(*toleration).unwrap_or(template.span),
                format!(
                    "pods are evicted as soon as {when}: the toleration names {taint} (so the {DEFAULT_TOLERATION_SECONDS}s admission default is not added) but does not tolerate it (`operator: {operator}`, `value: {value}`; the taint has no value)"
                ),
            )
        }
        Eviction::Never { .. } | Eviction::Unknown { .. } => return,
    };
    let help = if seconds < DEFAULT_TOLERATION_SECONDS && failover {
        format!("a failover workload may keep a finite toleration, but not below the {DEFAULT_TOLERATION_SECONDS}s default")
    } else if autonomy {
        "on OpenYurt, the pod-binding controller rewrites these tolerations on autonomous nodes; check `node.openyurt.io/autonomy-duration`".to_string()
    } else {
        format!(
            "tolerate `{taint}:NoExecute` with `operator: Exists` and `tolerationSeconds` of at least {minimum} (e.g. 86400), or without `tolerationSeconds` for a pod pinned to its site; annotate `{FAILOVER_ANNOTATION}: \"true\"` if it should move to another node"
        )
    };
    cx.report(span, message).severity(severity).help(help);
}

/// How the message names a toleration.
fn toleration_of(t: &Toleration, taint: &str) -> String {
    if t.key.as_ref().is_none_or(|k| k.value.is_empty()) {
        "a toleration of every taint".to_string()
    } else {
        format!("the toleration of {taint}")
    }
}
