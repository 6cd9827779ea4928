//! The check behind `missing-memory-limit` and `missing-cpu-limit`: one logic over two
//! resources (edge-semantics §3, §4, §6, §11).
//!
//! Kubernetes: every app, sidecar and regular init container needs a limit, unless the pod has a
//! pod-level limit or a LimitRange in the same stream and namespace supplies a default (then the
//! finding is info). A ResourceQuota on `limits.<resource>` without such a LimitRange means the
//! pod is rejected at admission. Ephemeral containers cannot have resources and are skipped.
//!
//! Compose: a service needs the service-level field (`mem_limit`, `cpus`) or
//! `deploy.resources.limits.*`. `0` (and a negative memory) means unlimited; an interpolation is
//! judged by its default (`${MEM:-0}`), and one without a default is not guessed. Reservations are
//! not limits.
//!
//! A limit that is written but zero, negative or unparseable is reported on its value: it is not
//! a working limit.

use crate::diagnostic::Severity;
use crate::document::bytes::{parse_compose_bytes, parse_compose_cpus};
use crate::document::compose::{ComposeFile, Service};
use crate::document::dockerfile::substitute;
use crate::document::kubernetes::{Container, ContainerRole, Manifests, Object, PodTemplate};
use crate::document::quantity::{parse_quantity, QuantityError};
use crate::document::Document;
use crate::rules::Ctx;
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

/// How a Compose value is parsed (edge-semantics §3.2, §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeValue {
    /// A byte value; `0` and negative values mean unlimited.
    Bytes,
    /// A number of CPUs; `0` means unlimited.
    Cpus,
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

/// Run the check on a document.
pub fn check(kind: &LimitKind, doc: &Document, cx: &mut Ctx) {
    match doc {
        Document::Kubernetes(m) => check_kubernetes(kind, m, cx),
        Document::Compose(c) => check_compose(kind, c, cx),
        Document::Dockerfile(_) => {}
    }
}

/// What a written limit amounts to.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// A working limit.
    Bounded,
    /// Present but means no limit (`0`, `-1`, or an interpolation defaulting to them); the
    /// string is the effective value when it differs from the text.
    Unlimited(Option<String>),
    /// Not a valid value: why.
    Invalid(String),
    /// Depends on something not in the file (`${MEM}` without default, a template): not guessed.
    Unknown,
}

/// A Kubernetes limit value (§3.1). Zero means no limit (the kubelet sets no cgroup limit).
fn judge_quantity(value: &str) -> Verdict {
    if value.contains('$') || value.contains("{{") {
        return Verdict::Unknown;
    }
    match parse_quantity(value) {
        Ok(q) if q.is_negative() => {
            Verdict::Invalid("a limit cannot be negative; the API server rejects it".to_string())
        }
        Ok(q) if q.is_zero() => Verdict::Unlimited(None),
        Ok(_) => Verdict::Bounded,
        // the API server trims surrounding whitespace when decoding
        Err(QuantityError::Whitespace) => match parse_quantity(value.trim()) {
            Ok(_) => judge_quantity(value.trim()),
            Err(e) => Verdict::Invalid(e.to_string()),
        },
        Err(e) => Verdict::Invalid(e.to_string()),
    }
}

/// A Compose limit value (§3.2, §3.3, §11), with interpolation judged by its default.
fn judge_compose(value: &str, how: ComposeValue) -> Verdict {
    let (text, interpolated) = if value.contains('$') {
        match substitute(value, |_| None) {
            Some(s) if !s.trim().is_empty() => (s, true),
            _ => return Verdict::Unknown,
        }
    } else {
        (value.to_string(), false)
    };
    let parsed = match how {
        ComposeValue::Bytes => parse_compose_bytes(&text),
        ComposeValue::Cpus => parse_compose_cpus(&text),
    };
    match parsed {
        Ok(n) if n <= 0 => Verdict::Unlimited(interpolated.then_some(text)),
        Ok(_) => Verdict::Bounded,
        // a default we cannot read is left to the variable's real value
        Err(_) if interpolated => Verdict::Unknown,
        Err(e) => Verdict::Invalid(e),
    }
}

// -------------------------------------------------------------------------------------------
// Kubernetes

/// A LimitRange `type: Container` item that supplies a default limit.
struct RangeDefault<'a> {
    object: &'a Object,
    value: String,
    /// The default comes from `max` (the API defaults `default` to `max`).
    from_max: bool,
}

/// A ResourceQuota constraining `limits.<resource>`.
struct Quota<'a> {
    object: &'a Object,
}

/// A manifest without namespace goes to whatever namespace it is applied in, so it matches any
/// namespace; two written namespaces must be equal.
fn same_namespace(a: &Object, b: &Object) -> bool {
    match (&a.namespace, &b.namespace) {
        (Some(x), Some(y)) => x.value == y.value,
        _ => true,
    }
}

fn range_defaults<'a>(kind: &LimitKind, m: &'a Manifests) -> Vec<RangeDefault<'a>> {
    let mut out = Vec::new();
    for object in m.objects.iter().filter(|o| o.kind.value == "LimitRange") {
        let Some(node) = m.node(object.doc, object.node) else { continue };
        let Some(limits) = node.get("spec").and_then(|s| s.value.get("limits")) else { continue };
        for item in limits.value.items() {
            if item.get("type").and_then(|t| t.value.as_str()) != Some("Container") {
                continue;
            }
            let from = |field: &str| {
                item.get(field)
                    .and_then(|d| d.value.get(kind.k8s))
                    .and_then(|v| v.value.as_str())
                    .filter(|v| judge_quantity(v) == Verdict::Bounded)
                    .map(str::to_string)
            };
            if let Some(value) = from("default") {
                out.push(RangeDefault { object, value, from_max: false });
            } else if let Some(value) = from("max") {
                out.push(RangeDefault { object, value, from_max: true });
            }
        }
    }
    out
}

fn quotas<'a>(kind: &LimitKind, m: &'a Manifests) -> Vec<Quota<'a>> {
    let key = format!("limits.{}", kind.k8s);
    m.objects
        .iter()
        .filter(|o| o.kind.value == "ResourceQuota")
        .filter(|o| {
            m.node(o.doc, o.node)
                .and_then(|n| n.get("spec"))
                .and_then(|s| s.value.get("hard"))
                .is_some_and(|h| h.value.get(&key).is_some())
        })
        .map(|object| Quota { object })
        .collect()
}

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

fn check_kubernetes(kind: &LimitKind, m: &Manifests, cx: &mut Ctx) {
    let ranges = range_defaults(kind, m);
    let quotas = quotas(kind, m);
    let block = format!("resources: {{limits: {{{}: {}}}}}", kind.k8s, kind.k8s_example);
    let note_help = kind.help_note;
    let add_help = format!("add `{block}` to the container; {note_help}");
    let fix_help = format!("write a valid, non-zero limit, e.g. `{block}`; {note_help}");
    let pod_help = format!(
        "write a valid, non-zero pod-level limit under the pod's `spec`, e.g. `{block}`; {note_help}"
    );
    for object in &m.objects {
        for template in &object.pod_templates {
            let note = inferred_note(object, template);
            // a pod-level limit bounds every container (PodLevelResources, §4)
            let mut covered = false;
            if let Some(limit) = template.resources.as_ref().and_then(|r| r.limit(kind.k8s)) {
                covered = true;
                let what = format!("pod has pod-level {} limit", kind.noun);
                report_bad_value(cx, &what, limit, &note, &pod_help);
            }
            for container in &template.containers {
                // ephemeral containers cannot have resources
                if container.role == ContainerRole::Ephemeral {
                    continue;
                }
                if let Some(limit) = container.resources.as_ref().and_then(|r| r.limit(kind.k8s)) {
                    let what = format!("{} has {} limit", container.describe(), kind.noun);
                    report_bad_value(cx, &what, limit, &note, &fix_help);
                    continue;
                }
                // an entry without `image` is a patch (kustomize strategic merge, an operator's
                // container override) merged into a container defined elsewhere, which may
                // have the limit
                if covered || container.image.is_none() {
                    continue;
                }
                let help = Help { block: &block, add: &add_help };
                report_missing_k8s(kind, cx, object, container, &ranges, &quotas, &note, help);
            }
        }
    }
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
    ranges: &[RangeDefault<'_>],
    quotas: &[Quota<'_>],
    note: &str,
    help: Help<'_>,
) {
    let who = container.describe();
    let span = container.anchor_span();
    if let Some(range) = ranges.iter().find(|r| same_namespace(r.object, object)) {
        let from_max = if range.from_max { " (its `max`, copied into `default`)" } else { "" };
        cx.report(
            span,
            format!(
                "{who} has no {} limit{note}; relies on {} default {}{from_max}",
                kind.noun,
                object_name(range.object),
                range.value
            ),
        )
        .severity(Severity::Info)
        .help(format!(
            "the LimitRange applies only in its namespace and at admission; to be explicit, {}",
            help.add
        ));
    } else if let Some(quota) = quotas.iter().find(|q| same_namespace(q.object, object)) {
        cx.report(
            span,
            format!(
                "{who} has no {} limit{note}; pod will be rejected at admission: {} \
                 constrains `limits.{}` and no LimitRange supplies a default",
                kind.noun,
                object_name(quota.object),
                kind.k8s
            ),
        )
        .severity(Severity::Error)
        .help(format!(
            "add `{}` to the container, or a LimitRange with `default.{}` to the namespace; {}",
            help.block, kind.k8s, kind.help_note
        ));
    } else {
        cx.report(span, format!("{who} has no {} limit{note}", kind.noun)).help(help.add);
    }
}

/// Report a written limit that does not work. `what` is ``container `app` has memory limit``.
fn report_bad_value(cx: &mut Ctx, what: &str, limit: &Spanned<String>, note: &str, help: &str) {
    let value = &limit.value;
    match judge_quantity(value) {
        Verdict::Bounded | Verdict::Unknown => {}
        Verdict::Unlimited(_) => {
            cx.report(limit.span, format!("{what} `{value}`{note}, which means no limit"))
                .help(help);
        }
        // the API server rejects the object
        Verdict::Invalid(why) => {
            cx.report(limit.span, format!("{what} `{value}`{note}, which is not valid: {why}"))
                .severity(Severity::Error)
                .help(help);
        }
    }
}

// -------------------------------------------------------------------------------------------
// Compose

fn check_compose(kind: &LimitKind, c: &ComposeFile, cx: &mut Ctx) {
    let (deploy_example, field_example) = kind.compose_example;
    let block = format!(
        "deploy: {{resources: {{limits: {{{}: {deploy_example}}}}}}}",
        kind.compose_deploy_key
    );
    let alt = format!("{}: {field_example}", kind.compose_field);
    let help = format!("add `{block}` to the service (or `{alt}`); {}", kind.help_note);
    let fix_help =
        format!("write a valid, non-zero limit, e.g. `{block}` (or `{alt}`); {}", kind.help_note);
    for service in &c.services {
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
            continue;
        }
        let verdicts: Vec<(&str, &Spanned<String>, Verdict)> = fields
            .into_iter()
            .map(|(field, v)| (field, v, judge_compose(&v.value, kind.compose_value)))
            .collect();
        let bounded =
            verdicts.iter().any(|(_, _, v)| matches!(v, Verdict::Bounded | Verdict::Unknown));
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

    #[test]
    fn quantities() {
        assert_eq!(judge_quantity("256Mi"), Verdict::Bounded);
        assert_eq!(judge_quantity("0.5"), Verdict::Bounded);
        assert_eq!(judge_quantity("1m"), Verdict::Bounded);
        assert_eq!(judge_quantity("0"), Verdict::Unlimited(None));
        assert_eq!(judge_quantity("0Mi"), Verdict::Unlimited(None));
        assert!(matches!(judge_quantity("-1Gi"), Verdict::Invalid(_)));
        assert!(matches!(judge_quantity("1K"), Verdict::Invalid(w) if w.contains("`K`")));
        assert!(matches!(judge_quantity("512MB"), Verdict::Invalid(_)));
        assert_eq!(judge_quantity("${MEMORY_LIMIT}"), Verdict::Unknown);
        assert_eq!(judge_quantity("{{ .Values.memory }}"), Verdict::Unknown);
    }

    #[test]
    fn compose_bytes() {
        let b = ComposeValue::Bytes;
        assert_eq!(judge_compose("256m", b), Verdict::Bounded);
        assert_eq!(judge_compose("1", b), Verdict::Bounded);
        assert_eq!(judge_compose("0", b), Verdict::Unlimited(None));
        assert_eq!(judge_compose("-1", b), Verdict::Unlimited(None));
        assert_eq!(judge_compose("${MEM:-0}", b), Verdict::Unlimited(Some("0".into())));
        assert_eq!(judge_compose("${MEM:--1}", b), Verdict::Unlimited(Some("-1".into())));
        assert_eq!(judge_compose("${MEM:-512m}", b), Verdict::Bounded);
        assert_eq!(judge_compose("${MEM}", b), Verdict::Unknown);
        assert_eq!(judge_compose("$MEM", b), Verdict::Unknown);
        assert_eq!(judge_compose("${MEM:-}", b), Verdict::Unknown);
        assert!(matches!(judge_compose("12x", b), Verdict::Invalid(_)));
    }

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

    #[test]
    fn compose_cpus() {
        let c = ComposeValue::Cpus;
        assert_eq!(judge_compose("0.5", c), Verdict::Bounded);
        assert_eq!(judge_compose("0.000000001", c), Verdict::Bounded);
        assert_eq!(judge_compose("0", c), Verdict::Unlimited(None));
        assert_eq!(judge_compose("0.0", c), Verdict::Unlimited(None));
        assert_eq!(judge_compose("${CPUS:-0}", c), Verdict::Unlimited(Some("0".into())));
        assert!(matches!(judge_compose("-1", c), Verdict::Invalid(_)));
        assert!(matches!(judge_compose("one", c), Verdict::Invalid(_)));
    }
}
