//! `missing-arch-selector`: a Kubernetes workload whose images do not cover every target
//! platform and that does not choose its nodes' architecture, so its pods land on nodes they
//! cannot run on.
//!
//! The published platforms come from [`crate::semantic::Semantic::published`], the pod's
//! targets and arch selection from [`crate::semantic::targets`].

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::{ContainerRole, Pod};
use crate::model::kubernetes::Manifests;
use crate::rules::{Ctx, Rule};
use crate::semantic::targets::platform_selectors;
use crate::source::Span;
use crate::values::platform::{best_compat, Compat, Platform};

declare_rule! {
    /// See `rules/missing-arch-selector.md`.
    MissingArchSelector {
        name: "missing-arch-selector",
        summary: "a workload whose images miss a target platform has no `kubernetes.io/arch` node selection, so pods land on nodes they cannot run on",
        severity: Error,
        formats: [Kubernetes],
        equivalents: [],
    }
}

impl Rule for MissingArchSelector {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &Self::META
    }

    fn pod_template(&self, _stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        check(pod, cx);
    }
}

/// Kinds that put a pod on every (matching) node.
fn runs_everywhere(kind: &str) -> bool {
    matches!(kind, "DaemonSet" | "YurtAppDaemon")
}

/// An image that misses some of the pod's targets.
struct Gap {
    image: String,
    span: Span,
    published: Vec<Platform>,
    missing: Vec<Platform>,
}

fn list(platforms: &[Platform]) -> String {
    platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn check(pod: &Pod<'_>, cx: &mut Ctx) {
    let targets = cx.semantic().pod_targets(pod).to_vec();
    // A partial object (a kustomize patch): the node selection may come from its base.
    if targets.is_empty() || cx.semantic().is_partial(pod) {
        return;
    }
    let mut gaps = Vec::new();
    for c in &pod.template.containers {
        if c.role == ContainerRole::Ephemeral {
            continue;
        }
        let Some(image) = &c.image else { continue };
        let Some(published) = cx.semantic().published(&image.value) else { continue };
        let missing: Vec<Platform> = targets
            .iter()
            .filter(|t| best_compat(t, &published) == Compat::Incompatible)
            .cloned()
            .collect();
        if !missing.is_empty() {
            gaps.push(Gap { image: image.value.clone(), span: image.span, published, missing });
        }
    }
    let Some(first) = gaps.first() else { return };
    let kind = pod.object.kind.value.as_str();
    let selected = !platform_selectors(pod.template).arch.is_empty();
    if selected {
        arm_variant_info(pod, &gaps, cx);
        return;
    }
    let mut missing: Vec<Platform> = Vec::new();
    for g in &gaps {
        for m in &g.missing {
            if !missing.contains(m) {
                missing.push(m.clone());
            }
        }
    }
    let covered: Vec<&Platform> = targets.iter().filter(|t| !missing.contains(t)).collect();
    let labels: Vec<String> =
        covered.iter().map(|p| p.arch.clone()).fold(Vec::new(), |mut v, a| {
            if !v.contains(&a) {
                v.push(a);
            }
            v
        });
    let help = match labels.as_slice() {
        // No node of the fleet runs every image: no selector helps, and `single-arch-image`
        // reports the images.
        [] => return,
        [one] => format!(
            "add `nodeSelector: {{kubernetes.io/arch: {one}}}` so the pods go only to nodes \
             that can run them, or use multi-arch images"
        ),
        many => format!(
            "add a required node affinity `{{key: kubernetes.io/arch, operator: In, values: \
             [{}]}}` so the pods go only to nodes that can run them, or use multi-arch images",
            many.join(", ")
        ),
    };
    let consequence = if runs_everywhere(kind) {
        format!(
            "it puts a pod on every node, and those on {} crash-loop with `exec format error`",
            list(&missing)
        )
    } else {
        format!("pods scheduled on {} nodes crash-loop with `exec format error`", list(&missing))
    };
    let mut report = cx
        .report(
            first.span,
            format!(
                "`{}` is published for {}, and the {kind} has no `kubernetes.io/arch` node \
                 selection: {consequence}",
                first.image,
                list(&first.published),
            ),
        )
        .help(help);
    if !runs_everywhere(kind) {
        report = report.severity(Severity::Warning);
    }
    for g in gaps.iter().skip(1) {
        report = report.label(g.span, format!("`{}` lacks {} too", g.image, list(&g.missing)));
    }
}

/// The pod selects `kubernetes.io/arch: arm`, which holds on ARMv6 and ARMv7 nodes alike, and
/// an image lacks only the older 32-bit ARM variants of the fleet: info, since no label can
/// keep the pods off ARMv6 nodes.
fn arm_variant_info(pod: &Pod<'_>, gaps: &[Gap], cx: &mut Ctx) {
    for g in gaps {
        let only_arm_variants = g.missing.iter().all(|m| m.arch == "arm");
        let has_arm = g.published.iter().any(|p| p.arch == "arm");
        if !(only_arm_variants && has_arm) {
            continue;
        }
        cx.report(
            g.span,
            format!(
                "`{}` is published for {}, not for {}: the {}'s `kubernetes.io/arch: arm` \
                 selection cannot tell ARMv6 from ARMv7 nodes",
                g.image,
                list(&g.published),
                list(&g.missing),
                pod.object.kind.value
            ),
        )
        .severity(Severity::Info)
        .help(
            "label the ARMv6 nodes yourself (e.g. `example.com/arm-variant: v6`) and keep the \
             pods off them, or use an image with an arm/v6 build",
        );
    }
}
