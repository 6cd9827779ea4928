//! `unbounded-emptydir`: emptyDir volumes that can grow until the node runs out of memory or
//! disk (documented in `rules/unbounded-emptydir.md`).
//!
//! One finding per emptyDir volume that a container mounts, on its `emptyDir` key:
//! - `medium: Memory` without `sizeLimit` → warning (tmpfs pages count against the memory limit
//!   of the container that writes them);
//! - `medium: Memory` whose `sizeLimit` is above the sum of the memory limits of the containers
//!   that mount it → info (the memory limits are the effective cap);
//! - disk emptyDir without `sizeLimit` when no container of the pod has an `ephemeral-storage`
//!   limit (written or a LimitRange default) → info.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::Pod;
use crate::model::kubernetes::{Container, ContainerRole, Manifests, Volume};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::limits::{bounded_quantity, judge_quantity, sum_bounded, Verdict};
use crate::source::Spanned;
use crate::values::quantity::{Quantity, QuantityFormat};

declare_rule! {
    /// An emptyDir without a size limit.
    UnboundedEmptydir {
        name: "unbounded-emptydir",
        summary: "an emptyDir has no sizeLimit, so it can fill the node's memory or disk",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
    }
}

impl Rule for UnboundedEmptydir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        for volume in &pod.template.volumes {
            check_volume(stream, pod, volume, cx);
        }
    }
}

/// The containers that mount `volume` (ephemeral containers are for debugging and skipped).
fn mounting<'a>(pod: &Pod<'a>, name: &str) -> Vec<&'a Container> {
    pod.template
        .containers
        .iter()
        .filter(|c| c.role != ContainerRole::Ephemeral)
        .filter(|c| {
            c.volume_mounts.iter().any(|m| m.name.as_ref().is_some_and(|n| n.value == name))
        })
        .collect()
}

/// `container `app``, `containers `app` and `sidecar``.
fn describe(containers: &[&Container]) -> String {
    let names: Vec<String> = containers
        .iter()
        .map(|c| c.name.as_ref().map_or_else(|| "?".to_string(), |n| format!("`{}`", n.value)))
        .collect();
    let noun = if names.len() == 1 { "container" } else { "containers" };
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    format!("{noun} {list}")
}

fn check_volume(stream: &Manifests, pod: &Pod<'_>, volume: &Volume, cx: &mut Ctx) {
    let (Some(source), Some(name)) = (&volume.source, &volume.name) else { return };
    if source.value != "emptyDir" {
        return;
    }
    // nothing writes into a volume no container mounts
    let containers = mounting(pod, &name.value);
    if containers.is_empty() {
        return;
    }
    let node = volume.source_node.and_then(|id| stream.node(pod.object.doc, id));
    let size_limit: Option<Spanned<String>> = node
        .and_then(|n| n.get("sizeLimit"))
        .filter(|e| !e.value.is_null())
        .and_then(|e| e.value.as_str().map(|s| Spanned::new(s.to_string(), e.value.span())));
    // `0` is no limit (the API treats a zero sizeLimit as unset); an invalid value is reported
    // by `suspicious-memory-quantity`, a templated one is not guessed
    let bounded = size_limit.as_ref().is_some_and(|s| {
        matches!(
            judge_quantity(&s.value),
            Verdict::Bounded | Verdict::Unknown | Verdict::Invalid(_)
        )
    });
    let medium = volume.medium.as_ref().map_or("", |m| m.value.as_str());
    let who = describe(&containers);
    let none = match &size_limit {
        Some(s) => format!("sizeLimit `{}` (no limit)", s.value),
        None => "no sizeLimit".to_string(),
    };
    let vol = &name.value;
    match medium {
        "Memory" if !bounded => {
            cx.report(
                source.span,
                format!(
                    "memory-backed emptyDir `{vol}` has {none}; files written to it count \
                     against the memory limit of {who} until the OOM killer ends them"
                ),
            )
            .help(
                "add `sizeLimit` to the emptyDir, e.g. `emptyDir: {medium: Memory, sizeLimit: \
                 32Mi}`, at most about a quarter of the memory limit of the containers that \
                 mount it",
            );
        }
        "Memory" => {
            let Some(limit) = size_limit.as_ref().and_then(|s| bounded_quantity(&s.value)) else {
                return;
            };
            let memory_limits = containers.iter().map(|c| {
                c.resources.as_ref().and_then(|r| r.limit("memory")).map(|v| v.value.as_str())
            });
            let Some(sum) = sum_bounded(memory_limits) else { return };
            if limit.milli() <= sum {
                return;
            }
            let cap = Quantity::from_milli(sum, QuantityFormat::BinarySI)
                .map_or_else(|| sum.to_string(), |q| q.canonical());
            let of = if containers.len() == 1 {
                format!("the memory limit of {who}")
            } else {
                format!("the memory limits of {who} together")
            };
            let limit_text = size_limit.as_ref().map_or("", |s| s.value.as_str());
            cx.report(
                source.span,
                format!(
                    "memory-backed emptyDir `{vol}` has sizeLimit {limit_text}, more than {of} \
                     ({cap}); the memory limit is the effective cap, and filling the volume \
                     means an OOM kill"
                ),
            )
            .severity(Severity::Info)
            .help(format!(
                "lower `sizeLimit` below {cap}, leaving room for the process itself (about a \
                 quarter of the memory limit is a good start)"
            ));
        }
        // a partial object (a kustomize patch): the containers' ephemeral-storage limits may
        // come from its base
        "" if !bounded && !cx.semantic().is_partial(pod) => {
            if has_ephemeral_storage_limit(pod, cx) {
                return;
            }
            cx.report(
                source.span,
                format!(
                    "emptyDir `{vol}` has {none} and no container of the pod has an \
                     `ephemeral-storage` limit; files written to it (by {who}) can fill the \
                     node's disk and get every pod of the node evicted (DiskPressure)"
                ),
            )
            .severity(Severity::Info)
            .help(
                "add `sizeLimit` to the emptyDir (e.g. `emptyDir: {sizeLimit: 500Mi}`), or \
                 `resources: {limits: {ephemeral-storage: 1Gi}}` to the containers",
            );
        }
        // a size limit, or another medium (`HugePages` is bounded by the hugepages limits)
        _ => {}
    }
}

/// Whether the pod's local storage is bounded: the kubelet evicts a pod whose emptyDirs, logs
/// and writable layers exceed the sum of its containers' `ephemeral-storage` limits, so one
/// working limit (written, or a LimitRange default in the namespace) bounds it.
fn has_ephemeral_storage_limit(pod: &Pod<'_>, cx: &Ctx) -> bool {
    const RESOURCE: &str = "ephemeral-storage";
    let written =
        pod.template.containers.iter().filter(|c| c.role != ContainerRole::Ephemeral).any(|c| {
            c.resources
                .as_ref()
                .and_then(|r| r.limit(RESOURCE))
                .is_some_and(|v| !matches!(judge_quantity(&v.value), Verdict::Unlimited(_)))
        });
    written || cx.semantic().namespace_limits().default_for(RESOURCE, pod.object).is_some()
}
