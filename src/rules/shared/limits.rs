//! The check behind `missing-memory-limit` and `missing-cpu-limit`: one logic over two
//! resources, run on every container (a Compose service or a Kubernetes container) and on every
//! pod template (its pod-level limit).
//!
//! Kubernetes: every app, sidecar and regular init container needs a limit, unless the pod has a
//! pod-level limit or a LimitRange in the same stream and namespace supplies a default (then the
//! finding is info). A ResourceQuota on `limits.<resource>` without such a LimitRange means the
//! pod is rejected at admission. Ephemeral containers cannot have resources and are skipped.
//!
//! Compose: a service needs the service-level field (`mem_limit`, `cpus`) or
//! `deploy.resources.limits.*`. Reservations are not limits.
//!
//! A limit that is written but zero, negative or unparseable is reported on its value: it is not
//! a working limit. What a value amounts to is [`crate::semantic::limits`].

use crate::diagnostic::Severity;
use crate::model::compose::Service;
use crate::model::container::{ContainerRole, ContainerView, Pod};
use crate::model::kubernetes::{Container, Object, PodTemplate};
use crate::rules::Ctx;
pub use crate::semantic::limits::ComposeValue;
use crate::semantic::limits::{judge_compose, judge_quantity, Verdict};
use crate::source::Spanned;

/// Which resource a rule checks, with the words and fixes it uses.
pub struct LimitKind {
    /// The Kubernetes resource name: `memory`, `cpu`.
    pub k8s: &'static str,
    /// The word in messages: `memory`, `CPU`.
    pub noun: &'static str,
    /// The Compose service-level field: `mem_limit`, `cpus`.
    pub compose_field: &'static str,
    /// The key under `deploy.resources.limits`: `memory`, `cpus`.
    pub compose_deploy_key: &'static str,
    /// How Compose values are read.
    pub compose_value: ComposeValue,
    /// An example Kubernetes limit: `256Mi`, `500m`.
    pub k8s_example: &'static str,
    /// The deploy-form example value and the service-level one.
    pub compose_example: (&'static str, &'static str),
    /// Appended to every help: the Raspberry Pi memory cgroup for memory, the CFS caveat for
    /// CPU.
    pub help_note: &'static str,
}

pub const MEMORY: LimitKind = LimitKind {
    k8s: "memory",
    noun: "memory",
    compose_field: "mem_limit",
    compose_deploy_key: "memory",
    compose_value: ComposeValue::Bytes,
    k8s_example: "256Mi",
    compose_example: ("256M", "256m"),
    help_note: "size it at the peak working set plus about 20%; on Raspberry Pi OS also add \
                `cgroup_enable=memory cgroup_memory=1` to cmdline.txt, or the kernel ignores \
                memory limits",
};

pub const CPU: LimitKind = LimitKind {
    k8s: "cpu",
    noun: "CPU",
    compose_field: "cpus",
    compose_deploy_key: "cpus",
    compose_value: ComposeValue::Cpus,
    k8s_example: "500m",
    compose_example: ("\"1.0\"", "\"1.0\""),
    help_note: "keep probed, latency-sensitive containers at 0.2 CPU (200m) or more, since \
                CFS throttling under small limits stalls them",
};

/// Run the check on one container.
pub fn check_container(kind: &LimitKind, container: &ContainerView<'_>, cx: &mut Ctx) {
    match container {
        ContainerView::Kubernetes { pod, container } => check_kubernetes(kind, *pod, container, cx),
        ContainerView::Compose { service, .. } => check_service(kind, service, cx),
    }
}

/// Run the check on a pod template's pod-level limit (PodLevelResources).
pub fn check_pod(kind: &LimitKind, pod: &Pod<'_>, cx: &mut Ctx) {
    if let Some(limit) = pod.template.resources.as_ref().and_then(|r| r.limit(kind.k8s)) {
        let note = inferred_note(pod.object, pod.template);
        let what = format!("pod has pod-level {} limit", kind.noun);
        let pod_help = format!(
            "write a valid, non-zero pod-level limit under the pod's `spec`, e.g. `{}`; {}",
            k8s_block(kind),
            kind.help_note
        );
        report_bad_value(cx, &what, limit, &note, &pod_help);
    }
}

// -------------------------------------------------------------------------------------------
// Kubernetes

fn object_name(o: &Object) -> String {
    match &o.name {
        Some(n) => format!("{} `{}`", o.kind.value, n.value),
        None => o.kind.value.clone(),
    }
}

/// ` (pod template inferred at `spec.template.spec` of Rollout `x`)` for CRD-embedded pods.
fn inferred_note(object: &Object, template: &PodTemplate) -> String {
    if template.inferred {
        format!(" (pod template inferred at `{}` of {})", template.path, object_name(object))
    } else {
        String::new()
    }
}

/// `resources: {limits: {memory: 256Mi}}`
fn k8s_block(kind: &LimitKind) -> String {
    format!("resources: {{limits: {{{}: {}}}}}", kind.k8s, kind.k8s_example)
}

fn check_kubernetes(kind: &LimitKind, pod: Pod<'_>, container: &Container, cx: &mut Ctx) {
    // ephemeral containers cannot have resources
    if container.role == ContainerRole::Ephemeral {
        return;
    }
    let note = inferred_note(pod.object, pod.template);
    let block = k8s_block(kind);
    let note_help = kind.help_note;
    if let Some(limit) = container.resources.as_ref().and_then(|r| r.limit(kind.k8s)) {
        let what = format!("{} has {} limit", container.describe(), kind.noun);
        let fix_help = format!("write a valid, non-zero limit, e.g. `{block}`; {note_help}");
        report_bad_value(cx, &what, limit, &note, &fix_help);
        return;
    }
    // a pod-level limit bounds every container (PodLevelResources)
    let covered = pod.template.resources.as_ref().and_then(|r| r.limit(kind.k8s)).is_some();
    // a partial object (a kustomize patch, a container without `image`) is merged into one
    // defined elsewhere, which may have the limit
    if covered || cx.semantic().is_partial(&pod) {
        return;
    }
    let add_help = format!("add `{block}` to the container; {note_help}");
    let help = Help { block: &block, add: &add_help };
    report_missing_k8s(kind, cx, pod.object, container, &note, help);
}

/// The fixes offered for a missing Kubernetes limit.
#[derive(Clone, Copy)]
struct Help<'a> {
    /// `resources: {limits: {memory: 256Mi}}`
    block: &'a str,
    /// The whole help for a plain missing limit.
    add: &'a str,
}

#[allow(clippy::too_many_arguments)]
fn report_missing_k8s(
    kind: &LimitKind,
    cx: &mut Ctx,
    object: &Object,
    container: &Container,
    note: &str,
    help: Help<'_>,
) {
    let who = container.describe();
    let span = container.anchor_span();
    let limits = cx.semantic().namespace_limits();
    let range =
        limits.default_for(kind.k8s, object).map(|r| (r.object, r.value.clone(), r.from_max));
    let quota = limits.quota_for(kind.k8s, object).map(|q| q.object);
    if let Some((range_object, value, from_max)) = range {
        let from_max = if from_max { " (its `max`, copied into `default`)" } else { "" };
        cx.report(
            span,
            format!(
                "{who} has no {} limit{note}; relies on {} default {}{from_max}",
                kind.noun,
                object_name(range_object),
                value
            ),
        )
        .severity(Severity::Info)
        .help(format!(
            "the LimitRange applies only in its namespace and at admission; to be explicit, {}",
            help.add
        ));
    } else if let Some(quota) = quota {
        cx.report(
            span,
            format!(
                "{who} has no {} limit{note}; pod will be rejected at admission: {} \
                 constrains `limits.{}` and no LimitRange supplies a default",
                kind.noun,
                object_name(quota),
                kind.k8s
            ),
        )
        .severity(Severity::Error)
        .help(format!(
            "add `{}` to the container, or a LimitRange with `default.{}` to the namespace; {}",
            help.block, kind.k8s, kind.help_note
        ));
    } else {
        cx.report(span, format!("{who} has no {} limit{note}", kind.noun))
            .help(help.add.to_string());
    }
}

/// Report a written limit that does not work. `what` is ``container `app` has memory limit``.
fn report_bad_value(cx: &mut Ctx, what: &str, limit: &Spanned<String>, note: &str, help: &str) {
    let value = &limit.value;
    match judge_quantity(value) {
        Verdict::Bounded | Verdict::Unknown => {}
        Verdict::Unlimited(_) => {
            cx.report(limit.span, format!("{what} `{value}`{note}, which means no limit"))
                .help(help.to_string());
        }
        // the API server rejects the object
        Verdict::Invalid(why) => {
            cx.report(limit.span, format!("{what} `{value}`{note}, which is not valid: {why}"))
                .severity(Severity::Error)
                .help(help.to_string());
        }
    }
}

// -------------------------------------------------------------------------------------------
// Compose

fn check_service(kind: &LimitKind, service: &Service, cx: &mut Ctx) {
    let (deploy_example, field_example) = kind.compose_example;
    let block = format!(
        "deploy: {{resources: {{limits: {{{}: {deploy_example}}}}}}}",
        kind.compose_deploy_key
    );
    let alt = format!("{}: {field_example}", kind.compose_field);
    let help = format!("add `{block}` to the service (or `{alt}`); {}", kind.help_note);
    let fix_help =
        format!("write a valid, non-zero limit, e.g. `{block}` (or `{alt}`); {}", kind.help_note);
    let fields = compose_limits(kind, service);
    if fields.is_empty() {
        // `extends` of another file, or an override fragment (no `image`, no `build`) that
        // patches a service of another Compose file: the limit may be there
        if !service.extends_other_file && is_runnable(service) {
            cx.report(
                service.name.span,
                format!("service `{}` has no {} limit", service.name.value, kind.noun),
            )
            .help(help.clone());
        }
        return;
    }
    let verdicts: Vec<(&str, &Spanned<String>, Verdict)> = fields
        .into_iter()
        .map(|(field, v)| (field, v, judge_compose(&v.value, kind.compose_value)))
        .collect();
    let bounded = verdicts.iter().any(|(_, _, v)| matches!(v, Verdict::Bounded | Verdict::Unknown));
    for (field, value, verdict) in verdicts {
        let name = &service.name.value;
        match verdict {
            // Compose refuses to load the file
            Verdict::Invalid(why) => {
                // the parsers' errors start with "invalid size `12x`: "
                let why = why.split_once("`: ").map_or(why.as_str(), |(_, r)| r);
                cx.report(
                    value.span,
                    format!(
                        "service `{name}` sets `{field}: {}`, which is not valid: {why}",
                        value.value
                    ),
                )
                .severity(Severity::Error)
                .help(fix_help.clone());
            }
            Verdict::Unlimited(effective) if !bounded => {
                let means = match effective {
                    Some(e) => format!("which defaults to `{e}`: no {} limit", kind.noun),
                    None => format!("which means no {} limit", kind.noun),
                };
                cx.report(
                    value.span,
                    format!("service `{name}` sets `{field}: {}`, {means}", value.value),
                )
                .help(fix_help.clone());
            }
            _ => {}
        }
    }
}

/// A service with an image or a build; without either it is an override fragment
/// (`docker compose -f compose.yaml -f override.yaml`), not a service on its own.
fn is_runnable(s: &Service) -> bool {
    s.image.is_some() || s.build.is_some()
}

/// The limit fields written on a service (after same-file `extends` and merge keys), with the
/// name to quote.
fn compose_limits<'s>(
    kind: &LimitKind,
    s: &'s Service,
) -> Vec<(&'static str, &'s Spanned<String>)> {
    let r = &s.resources;
    let (field, deploy) = match kind.compose_value {
        ComposeValue::Bytes => (&r.mem_limit, &r.limits_memory),
        ComposeValue::Cpus => (&r.cpus, &r.limits_cpus),
    };
    let deploy_name = match kind.compose_value {
        ComposeValue::Bytes => "deploy.resources.limits.memory",
        ComposeValue::Cpus => "deploy.resources.limits.cpus",
    };
    [(kind.compose_field, field.as_ref()), (deploy_name, deploy.as_ref())]
        .into_iter()
        .filter_map(|(n, v)| Some((n, v?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Findings of `missing-memory-limit` on a Kubernetes text: (line, severity, message).
    fn k8s(text: &str) -> Vec<(usize, Severity, String)> {
        let settings = crate::settings::Settings {
            select: vec!["missing-memory-limit".into()],
            ..Default::default()
        };
        let source = crate::source::SourceFile::new("t.yaml", text.to_string());
        let report = crate::lint_as(source, crate::document::FileKind::Kubernetes, &settings);
        report
            .diagnostics
            .iter()
            .map(|d| (report.source.position(d.span.start).line, d.severity, d.message.clone()))
            .collect()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: edge}\n\
                       spec:\n  containers:\n    - {name: app, image: app:1}\n";

    #[test]
    fn limit_range_wins_over_quota() {
        let text = format!(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q, namespace: edge}}\n\
             spec: {{hard: {{limits.memory: 1Gi}}}}\n---\n\
             apiVersion: v1\nkind: LimitRange\nmetadata: {{name: lr}}\n\
             spec: {{limits: [{{type: Container, default: {{memory: 128Mi}}, max: {{memory: 1Gi}}}}]}}\n\
             ---\n{POD}"
        );
        let found = k8s(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, Severity::Info);
        assert!(found[0].2.ends_with("relies on LimitRange `lr` default 128Mi"), "{found:?}");
    }

    #[test]
    fn namespaces_must_match_when_both_are_written() {
        let range = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: lab}\n\
                     spec: {limits: [{type: Container, default: {memory: 128Mi}}]}\n---\n";
        let found = k8s(&format!("{range}{POD}"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Severity::Error);
        assert_eq!(found[0].2, "container `app` has no memory limit");
    }

    #[test]
    fn a_limit_range_default_that_does_not_work_is_ignored() {
        let range = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\n\
                     spec: {limits: [{type: Container, default: {memory: \"0\"}}]}\n---\n";
        let found = k8s(&format!("{range}{POD}"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Severity::Error);
    }
}
