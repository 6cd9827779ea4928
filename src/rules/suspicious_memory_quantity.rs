//! `suspicious-memory-quantity`: memory and storage values that parse to something other than
//! what was meant (documented in `rules/suspicious-memory-quantity.md`).
//!
//! Kubernetes (container and pod-level requests and limits, LimitRange items, emptyDir
//! `sizeLimit`, PersistentVolumeClaim and `volumeClaimTemplates` storage):
//! - an invalid quantity (`1K`, `512MB`) → error, except a memory *limit*, which
//!   `missing-memory-limit` already reports;
//! - the suffix `m` (milli: `512m` is 0.512 bytes) → error;
//! - a value below 1 MiB (a bare `512` is bytes) → error;
//! - a memory limit above the configured device's memory → warning;
//! - a decimal `M` or `G` on memory → info.
//!
//! Compose (`mem_limit`, `mem_reservation`, `deploy.resources.{limits,reservations}.memory`):
//! - an invalid value → error, except the limits, which `missing-memory-limit` already reports;
//! - a value below 4 MiB (a bare `512` is bytes) → warning;
//! - a limit above the configured device's memory → warning.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::{ContainerRole, ContainerView, Pod};
use crate::model::kubernetes::{Manifests, Object};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::source::{Span, Spanned};
use crate::syntax::yaml::NodeRef;
use crate::values::bytes::parse_compose_bytes;
use crate::values::interpolate::substitute;
use crate::values::quantity::{parse_quantity, Quantity, QuantityFormat};

declare_rule! {
    /// A memory value whose unit makes it something else than what was meant.
    SuspiciousMemoryQuantity {
        name: "suspicious-memory-quantity",
        summary: "a memory or storage value is tiny, invalid or in a unit that changes its meaning",
        severity: Error,
        formats: [Compose, Kubernetes],
        equivalents: [],
    }
}

const MIB: i128 = 1 << 20;

/// What a Kubernetes value is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// A container or pod-level memory limit: `missing-memory-limit` reports it when invalid,
    /// negative or zero; compared with the device.
    Limit,
    /// Any other memory value (a request, a LimitRange item, a Memory emptyDir's `sizeLimit`).
    Memory,
    /// A disk size (PVC storage): decimal units are fine.
    Storage,
    /// An emptyDir's `sizeLimit`: a small value with a suffix (`1Ki` for marker files) is
    /// deliberate, only a bare number below 1Mi is suspicious.
    SizeLimit { memory: bool },
}

impl Field {
    /// Memory is sized in powers of two; disk in either.
    fn is_memory(self) -> bool {
        match self {
            Field::Limit | Field::Memory => true,
            Field::Storage => false,
            Field::SizeLimit { memory } => memory,
        }
    }
}

impl Rule for SuspiciousMemoryQuantity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn object(&self, stream: &Manifests, object: &Object, cx: &mut Ctx) {
        let Some(node) = stream.node(object.doc, object.node) else { return };
        let name = object_name(object);
        let spec = node.get("spec").map(|e| e.value);
        match object.kind.value.as_str() {
            "LimitRange" => {
                let items = spec.and_then(|s| s.get("limits")).map(|e| e.value.items());
                for item in items.unwrap_or_default() {
                    for field in ["default", "defaultRequest", "max", "min"] {
                        for (resource, kind) in
                            [("memory", Field::Memory), ("storage", Field::Storage)]
                        {
                            if let Some(v) = scalar(item, &[field, resource]) {
                                let what = format!("`{field}.{resource}` of {name}");
                                check_k8s(cx, &what, &v, kind);
                            }
                        }
                    }
                }
            }
            "PersistentVolumeClaim" => check_claim(cx, &name, node),
            "StatefulSet" => {
                let templates = spec.and_then(|s| s.get("volumeClaimTemplates"));
                for claim in templates.map(|e| e.value.items()).unwrap_or_default() {
                    let claim_name = scalar(claim, &["metadata", "name"]);
                    let what = match claim_name {
                        Some(n) => format!("volumeClaimTemplate `{}` of {name}", n.value),
                        None => format!("volumeClaimTemplate of {name}"),
                    };
                    check_claim(cx, &what, claim);
                }
            }
            _ => {}
        }
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        if let Some(r) = &pod.template.resources {
            if let Some(v) = r.limit("memory") {
                check_k8s(cx, "pod-level memory limit", v, Field::Limit);
            }
            if let Some(v) = r.request("memory") {
                check_k8s(cx, "pod-level memory request", v, Field::Memory);
            }
        }
        for volume in &pod.template.volumes {
            if volume.source.as_ref().is_none_or(|s| s.value != "emptyDir") {
                continue;
            }
            let Some(node) = volume.source_node.and_then(|id| stream.node(pod.object.doc, id))
            else {
                continue;
            };
            let Some(v) = scalar(node, &["sizeLimit"]) else { continue };
            let memory = volume.medium.as_ref().is_some_and(|m| m.value == "Memory");
            let name = volume.name.as_ref().map_or("", |n| n.value.as_str());
            let what = format!("sizeLimit of emptyDir `{name}`");
            check_k8s(cx, &what, &v, Field::SizeLimit { memory });
        }
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        match container {
            ContainerView::Kubernetes { container, .. } => {
                if container.role == ContainerRole::Ephemeral {
                    return;
                }
                let Some(r) = &container.resources else { return };
                let who = container.describe();
                if let Some(v) = r.limit("memory") {
                    check_k8s(cx, &format!("memory limit of {who}"), v, Field::Limit);
                }
                if let Some(v) = r.request("memory") {
                    check_k8s(cx, &format!("memory request of {who}"), v, Field::Memory);
                }
            }
            ContainerView::Compose { service, .. } => {
                let r = &service.resources;
                let name = &service.name.value;
                for (field, value, limit) in [
                    ("mem_limit", &r.mem_limit, true),
                    ("deploy.resources.limits.memory", &r.limits_memory, true),
                    ("mem_reservation", &r.mem_reservation, false),
                    ("deploy.resources.reservations.memory", &r.reservations_memory, false),
                ] {
                    if let Some(v) = value {
                        check_compose(cx, name, field, v, limit);
                    }
                }
            }
        }
    }
}

fn object_name(o: &Object) -> String {
    match &o.name {
        Some(n) => format!("{} `{}`", o.kind.value, n.value),
        None => o.kind.value.clone(),
    }
}

/// The scalar at `path` under `node`, as written.
fn scalar(node: NodeRef<'_>, path: &[&str]) -> Option<Spanned<String>> {
    let mut n = node;
    for key in path {
        n = n.get(key)?.value;
    }
    if n.is_null() || !n.is_scalar() {
        return None;
    }
    n.as_str().map(|s| Spanned::new(s.to_string(), n.span()))
}

/// `spec.resources.{requests,limits}.storage` of a claim (or a claim template).
fn check_claim(cx: &mut Ctx, what: &str, claim: NodeRef<'_>) {
    for field in ["requests", "limits"] {
        if let Some(v) = scalar(claim, &["spec", "resources", field, "storage"]) {
            let noun = if field == "requests" { "storage request" } else { "storage limit" };
            check_k8s(cx, &format!("{noun} of {what}"), &v, Field::Storage);
        }
    }
}

/// An exact number of bytes from milli-units: `0.512`, `512`.
fn bytes_text(milli: i128) -> String {
    let (int, frac) = (milli / 1000, (milli % 1000).abs());
    if frac == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:03}").trim_end_matches('0').to_string()
    }
}

fn device_memory(cx: &Ctx) -> Option<Quantity> {
    cx.settings().device.and_then(|d| d.memory).filter(|q| !q.is_zero())
}

fn report(cx: &mut Ctx, span: Span, severity: Severity, message: String, help: String) {
    cx.report(span, message).severity(severity).help(help);
}

fn check_k8s(cx: &mut Ctx, what: &str, value: &Spanned<String>, field: Field) {
    let raw = value.value.as_str();
    if raw.contains('$') || raw.contains("{{") {
        return;
    }
    let text = raw.trim();
    let unit = if field.is_memory() { "256Mi" } else { "10Gi" };
    let fix = format!("use a binary suffix, e.g. `{unit}`");
    let q = match parse_quantity(text) {
        Ok(q) => q,
        // the API server rejects the object; a limit's is reported by `missing-memory-limit`
        Err(e) if field != Field::Limit => {
            let message = format!("{what} is `{raw}`, which is not a valid quantity: {e}");
            return report(cx, value.span, Severity::Error, message, fix);
        }
        Err(_) => return,
    };
    if q.is_zero() || (q.is_negative() && field == Field::Limit) {
        return;
    }
    if q.is_negative() {
        let message = format!("{what} is `{raw}`, which is negative; the API server rejects it");
        return report(cx, value.span, Severity::Error, message, fix);
    }
    let bytes = bytes_text(q.milli());
    if text.ends_with('m') {
        let message = format!(
            "{what} is `{raw}`, which is {bytes} bytes: `m` is milli (a thousandth), not mega or mebi"
        );
        let mantissa = text.trim_end_matches('m');
        let help = format!("write `{mantissa}Mi` for mebibytes (`{mantissa}M` is megabytes)");
        return report(cx, value.span, Severity::Error, message, help);
    }
    let bare = text.bytes().all(|b| b.is_ascii_digit());
    let deliberate = matches!(field, Field::SizeLimit { .. }) && !bare;
    if q.milli() < MIB * 1000 && !deliberate {
        let why = if bare { "; a number without suffix is bytes" } else { "" };
        let message = format!("{what} is `{raw}`, which is {bytes} bytes, less than 1Mi{why}");
        let help = if bare { format!("write `{text}Mi` for mebibytes") } else { fix };
        return report(cx, value.span, Severity::Error, message, help);
    }
    if field == Field::Limit {
        if let Some(device) = device_memory(cx).filter(|d| q > *d) {
            let message = format!(
                "{what} is `{raw}`, which is more than the device's memory ({}); the limit never stops \
                 the container before the node runs out of memory",
                device.canonical()
            );
            let help = format!(
                "set the limit below {}, leaving room for the OS and the node agent",
                device.canonical()
            );
            return report(cx, value.span, Severity::Warning, message, help);
        }
    }
    if field.is_memory() && q.format() == QuantityFormat::DecimalSI {
        let less = match text.chars().last() {
            Some('M') => Some("4.6%"),
            Some('G') => Some("6.9%"),
            _ => None,
        };
        if let Some(less) = less {
            let mantissa = &text[..text.len() - 1];
            let suffix = &text[text.len() - 1..];
            let message = format!(
                "{what} is `{raw}`, which is {bytes} bytes: `{suffix}` is decimal, {less} less than \
                 `{mantissa}{suffix}i`"
            );
            let help = format!(
                "write `{mantissa}{suffix}i` if you meant binary units (memory is sized in \
                 powers of two)"
            );
            report(cx, value.span, Severity::Info, message, help);
        }
    }
}

fn check_compose(cx: &mut Ctx, service: &str, field: &str, value: &Spanned<String>, limit: bool) {
    let raw = value.value.as_str();
    let (text, interpolated) = if raw.contains('$') {
        match substitute(raw, |_| None) {
            Some(s) if !s.trim().is_empty() => (s, true),
            _ => return,
        }
    } else {
        (raw.to_string(), false)
    };
    let what = format!("service `{service}` sets `{field}: {raw}`");
    let n = match parse_compose_bytes(&text) {
        Ok(n) => n,
        // Compose refuses the file; a limit's is reported by `missing-memory-limit`
        Err(e) if !limit && !interpolated => {
            let why = e.split_once("`: ").map_or(e.as_str(), |(_, r)| r);
            let message = format!("{what}, which is not valid: {why}");
            let help = "write a byte value such as `256m` or `1g`".to_string();
            return report(cx, value.span, Severity::Error, message, help);
        }
        Err(_) => return,
    };
    if n <= 0 {
        return;
    }
    let n = i128::from(n);
    if n < 4 * MIB {
        let bare = text.trim().bytes().all(|b| b.is_ascii_digit());
        let why = if bare { "; a number without unit is bytes" } else { "" };
        let message = format!("{what}, which is {n} bytes, less than 4 MiB{why}");
        let help = if bare {
            format!("write `{}m` for mebibytes", text.trim())
        } else {
            "a container needs several MiB to start; size the value at the peak working set \
             plus about 20%"
                .to_string()
        };
        return report(cx, value.span, Severity::Warning, message, help);
    }
    if limit {
        if let Some(device) = device_memory(cx).filter(|d| n * 1000 > d.milli()) {
            let message = format!(
                "{what}, which is more than the device's memory ({}); the limit never stops \
                 the container before the device runs out of memory",
                device.canonical()
            );
            let help = format!(
                "set the limit below {}, leaving room for the OS and the Docker daemon",
                device.canonical()
            );
            report(cx, value.span, Severity::Warning, message, help);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FileKind;
    use crate::settings::{Device, Settings};

    fn lint(text: &str, kind: FileKind, device: Option<&str>) -> Vec<(Severity, String)> {
        let settings = Settings {
            select: vec!["suspicious-memory-quantity".into()],
            device: device.map(|m| Device {
                memory: Some(parse_quantity(m).expect("quantity")),
                ..Default::default()
            }),
            ..Default::default()
        };
        let source = crate::source::SourceFile::new("t.yaml", text.to_string());
        let report = crate::lint_as(source, kind, &settings);
        report.diagnostics.iter().map(|d| (d.severity, d.message.clone())).collect()
    }

    #[test]
    fn limits_above_the_device() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    \
                   - {name: a, image: a, resources: {limits: {memory: 8Gi}, requests: {memory: 8Gi}}}\n";
        assert!(lint(pod, FileKind::Kubernetes, None).is_empty());
        let found = lint(pod, FileKind::Kubernetes, Some("4Gi"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Warning);
        assert!(found[0].1.contains("more than the device's memory (4Gi)"), "{found:?}");
        assert!(lint(pod, FileKind::Kubernetes, Some("8Gi")).is_empty());
        let compose = "services:\n  a:\n    image: a\n    mem_limit: 6g\n    mem_reservation: 6g\n";
        let found = lint(compose, FileKind::Compose, Some("4Gi"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.starts_with("service `a` sets `mem_limit: 6g`"), "{found:?}");
        assert!(lint(compose, FileKind::Compose, Some("6Gi")).is_empty());
    }

    #[test]
    fn exact_bytes() {
        assert_eq!(bytes_text(512), "0.512");
        assert_eq!(bytes_text(500), "0.5");
        assert_eq!(bytes_text(512_000), "512");
        assert_eq!(bytes_text(1), "0.001");
    }
}
