//! `device-capacity-exceeded`: with a `device:` profile configured, the workloads that share one
//! device ask for more than it has (documented in `rules/device-capacity-exceeded.md`).
//!
//! - Compose: every service of the file runs on the device (services with `profiles` only when
//!   their profile is activated, so they are left out). Σ memory reservations above the
//!   allocatable memory → warning; Σ memory limits above it → info.
//! - Kubernetes: a DaemonSet puts one pod on every node, so the DaemonSets of a stream share
//!   each node; with the option `single-node`, every pod template of the stream does (one pod
//!   each: replicas are not counted, so the sum is a lower bound). Σ requests (a request left
//!   out defaults to the limit) of memory or CPU above allocatable → warning (pods stay
//!   Pending); Σ memory limits above it → info.
//!
//! Allocatable is `device.memory − device.reserved.memory` (`device.cpu − device.reserved.cpu`).
//! Values are read with the Compose byte parser and the Kubernetes quantity parser.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::ComposeFile;
use crate::model::kubernetes::{ContainerRole, Manifests};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::limits::{self, bounded_quantity, show_bytes, ComposeValue};
use crate::settings::Device;
use crate::source::{Span, Spanned};
use crate::values::quantity::Quantity;

declare_rule! {
    /// Workloads sharing a device ask for more than it has.
    DeviceCapacityExceeded {
        name: "device-capacity-exceeded",
        summary: "the workloads that share the configured device reserve or may use more memory or CPU than it has",
        severity: Warning,
        formats: [Compose, Kubernetes],
        equivalents: [],
        options: [
            boolean(
                "single-node",
                false,
                "every workload of a Kubernetes stream runs on one node (not only DaemonSets)"
            ),
        ],
    }
}

/// One workload's share of a resource, and where it is written.
struct Share {
    amount: i128,
    span: Span,
    who: String,
}

impl Rule for DeviceCapacityExceeded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn compose(&self, file: &ComposeFile, cx: &mut Ctx) {
        let Some(device) = cx.settings().device else { return };
        let Some(allocatable) = allocatable(device.memory, device.reserved_memory, &Memory) else {
            return;
        };
        let mut limits_sum = Vec::new();
        let mut reservations = Vec::new();
        for service in file.services.iter().filter(|s| s.profiles.is_empty()) {
            let r = &service.resources;
            let who = format!("service `{}`", service.name.value);
            if let Some(s) = compose_share(r.limits_memory.as_ref().or(r.mem_limit.as_ref()), &who)
            {
                limits_sum.push(s);
            }
            let reserved = r.reservations_memory.as_ref().or(r.mem_reservation.as_ref());
            if let Some(s) = compose_share(reserved, &who) {
                reservations.push(s);
            }
        }
        let d = describe_memory(device);
        report(
            cx,
            &reservations,
            allocatable,
            &Memory,
            "memory reservations",
            &d,
            Severity::Warning,
        );
        report(cx, &limits_sum, allocatable, &Memory, "memory limits", &d, Severity::Info);
    }

    fn kubernetes(&self, stream: &Manifests, cx: &mut Ctx) {
        let Some(device) = cx.settings().device else { return };
        let single_node = cx.option_bool("single-node");
        let mut memory_requests = Vec::new();
        let mut memory_limits = Vec::new();
        let mut cpu_requests = Vec::new();
        for object in &stream.objects {
            if !single_node && object.kind.value != "DaemonSet" {
                continue;
            }
            let name = object.name.as_ref().map_or("", |n| n.value.as_str());
            for template in &object.pod_templates {
                for c in &template.containers {
                    if !matches!(c.role, ContainerRole::App | ContainerRole::Sidecar) {
                        continue;
                    }
                    let Some(r) = &c.resources else { continue };
                    let container = c.name.as_ref().map_or("", |n| n.value.as_str());
                    let who = format!("{}/{name} › {container}", object.kind.value);
                    let request = |res: &str| r.request(res).or_else(|| r.limit(res));
                    push_quantity(&mut memory_requests, request("memory"), &who, 1000);
                    push_quantity(&mut memory_limits, r.limit("memory"), &who, 1000);
                    push_quantity(&mut cpu_requests, request("cpu"), &who, 1);
                }
            }
        }
        let scope = if single_node { "the workloads" } else { "the DaemonSets" };
        if let Some(alloc) = allocatable(device.memory, device.reserved_memory, &Memory) {
            let d = describe_memory(device);
            let what = format!("memory requests of {scope}");
            report(cx, &memory_requests, alloc, &Memory, &what, &d, Severity::Warning);
            let what = format!("memory limits of {scope}");
            report(cx, &memory_limits, alloc, &Memory, &what, &d, Severity::Info);
        }
        if let Some(alloc) = allocatable(device.cpu, device.reserved_cpu, &Cpu) {
            let d = describe(device.cpu, device.reserved_cpu, &Cpu);
            let what = format!("CPU requests of {scope}");
            report(cx, &cpu_requests, alloc, &Cpu, &what, &d, Severity::Warning);
        }
    }
}

/// Capacity − reserved in the unit's base; `None` without a capacity.
fn allocatable(
    capacity: Option<Quantity>,
    reserved: Option<Quantity>,
    unit: &dyn Unit,
) -> Option<i128> {
    let capacity = unit.of(capacity.filter(|q| !q.is_zero())?);
    Some(capacity - reserved.map_or(0, |r| unit.of(r)))
}

fn compose_share(value: Option<&Spanned<String>>, who: &str) -> Option<Share> {
    let v = value?;
    let bytes = limits::compose_amount(&v.value, ComposeValue::Bytes).filter(|n| *n > 0)?;
    Some(Share { amount: i128::from(bytes), span: v.span, who: who.to_string() })
}

/// A Kubernetes request or limit: its milli-units divided by `per` (1000 for bytes, 1 for
/// milli-CPUs).
fn push_quantity(out: &mut Vec<Share>, value: Option<&Spanned<String>>, who: &str, per: i128) {
    let Some(v) = value else { return };
    let Some(q) = bounded_quantity(&v.value) else { return };
    out.push(Share { amount: q.milli() / per, span: v.span, who: who.to_string() });
}

/// How amounts of a resource are shown.
trait Unit {
    /// `amount` in the unit's base (bytes, milli-CPUs).
    fn show(&self, amount: i128) -> String;
    /// A configured quantity in the unit's base.
    fn of(&self, q: Quantity) -> i128;
}

/// Memory, in bytes.
struct Memory;

impl Unit for Memory {
    fn show(&self, bytes: i128) -> String {
        show_bytes(i64::try_from(bytes).unwrap_or(i64::MAX))
    }

    fn of(&self, q: Quantity) -> i128 {
        q.milli() / 1000
    }
}

/// CPU, in milli-CPUs.
struct Cpu;

impl Unit for Cpu {
    fn show(&self, milli: i128) -> String {
        if milli % 1000 == 0 {
            format!("{} CPUs", milli / 1000)
        } else {
            format!("{milli}m CPU")
        }
    }

    fn of(&self, q: Quantity) -> i128 {
        q.milli()
    }
}

fn describe_memory(device: Device) -> String {
    describe(device.memory, device.reserved_memory, &Memory)
}

/// ` (4 GiB − 512 MiB reserved)`, or nothing when nothing is reserved.
fn describe(capacity: Option<Quantity>, reserved: Option<Quantity>, unit: &dyn Unit) -> String {
    let capacity = capacity.map_or(String::new(), |q| unit.show(unit.of(q)));
    match reserved.filter(|r| !r.is_zero()) {
        Some(r) => format!(" ({capacity} − {} reserved)", unit.show(unit.of(r))),
        None => String::new(),
    }
}

/// One finding when the shares add up to more than `allocatable`, at the largest share.
fn report(
    cx: &mut Ctx,
    shares: &[Share],
    allocatable: i128,
    unit: &dyn Unit,
    what: &str,
    device: &str,
    severity: Severity,
) {
    let total: i128 = shares.iter().map(|s| s.amount).sum();
    let Some(largest) = shares.iter().max_by_key(|s| s.amount) else { return };
    if total <= allocatable {
        return;
    }
    let consequence = match severity {
        Severity::Warning => "what does not fit is never scheduled or started",
        _ => "under load the device runs out and the kernel kills containers",
    };
    let mut r = cx
        .report(
            largest.span,
            format!(
                "the {what} add up to {} over {}, more than the device's allocatable {}\
                 {device}: {consequence}",
                unit.show(total),
                if shares.len() == 1 {
                    "1 container".to_string()
                } else {
                    format!("{} containers", shares.len())
                },
                unit.show(allocatable),
            ),
        )
        .severity(severity)
        .help(
            "trim the values, move workloads to another device, or choose a larger device class; \
             keep memory reserved for the OS and the node agent (`device.reserved`)",
        );
    for s in shares.iter().filter(|s| s.span != largest.span).take(8) {
        r = r.label(s.span, format!("{}: {}", s.who, unit.show(s.amount)));
    }
}
