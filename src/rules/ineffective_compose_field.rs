//! `ineffective-compose-field`: Compose resource and `deploy` fields that plain `docker
//! compose` ignores, overrides or refuses (documented in `rules/ineffective-compose-field.md`).
//!
//! The runtime semantics are those of Docker Compose's `create.go` (edge-semantics §11): the
//! `deploy.resources.limits` values are applied after `mem_limit`/`cpus` and win; a CPU
//! reservation is a Swarm option; `placement`, `update_config`, `rollback_config`,
//! `endpoint_mode` and the restart policy's `delay`/`window` are not applied. Values are read
//! with [`crate::values::bytes`] through [`limits::compose_amount`].

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::limits::{self, show_bytes, ComposeValue};
use crate::source::Spanned;

declare_rule! {
    /// A Compose field that does not do what it says.
    IneffectiveComposeField {
        name: "ineffective-compose-field",
        summary: "a Compose resource or deploy field that docker compose ignores, overrides or refuses",
        severity: Error,
        formats: [Compose],
        equivalents: [],
    }
}

impl Rule for IneffectiveComposeField {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn service(&self, _file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        let r = &service.resources;

        // (a) two sources of one limit that disagree
        disagree(
            cx,
            bytes(&r.mem_limit),
            bytes(&r.limits_memory),
            "mem_limit",
            "memory",
            show_bytes,
        );
        disagree(cx, cpus(&r.cpus), cpus(&r.limits_cpus), "cpus", "cpus", show_cpus);

        // a memory reservation above the memory limit: the daemon refuses the container
        let limit = bytes(&r.limits_memory).or_else(|| bytes(&r.mem_limit)).filter(|(_, n)| *n > 0);
        let reservation = bytes(&r.reservations_memory)
            .or_else(|| bytes(&r.mem_reservation))
            .filter(|(_, n)| *n > 0);
        if let (Some((l, ln)), Some((res, rn))) = (limit, reservation) {
            if rn > ln {
                cx.report(
                    res.span,
                    format!(
                        "memory reservation `{}` ({}) is above the memory limit `{}` ({}): Docker \
                         refuses to create the container",
                        res.value,
                        show_bytes(rn),
                        l.value,
                        show_bytes(ln)
                    ),
                )
                .label(l.span, "the memory limit")
                .help("reserve at most the limit; the reservation is the soft floor under memory pressure");
            }
        }

        // more CPUs than the configured device has: the daemon refuses the container
        let device_cpus = cx
            .settings()
            .device
            .and_then(|d| d.cpu)
            .filter(|q| !q.is_zero())
            .and_then(|q| i64::try_from(q.milli().checked_mul(1_000_000)?).ok());
        let cpu_limit = cpus(&r.limits_cpus).or_else(|| cpus(&r.cpus)).filter(|(_, n)| *n > 0);
        if let (Some(device), Some((v, n))) = (device_cpus, cpu_limit) {
            if n > device {
                cx.report(
                    v.span,
                    format!(
                        "the CPU limit `{}` is more than the {} CPUs of the configured device: Docker \
                         refuses to start the container (\"range of CPUs is from 0.01 to {}\")",
                        v.value,
                        show_cpus(device),
                        show_cpus(device)
                    ),
                )
                .help("limit the service to at most the device's CPUs (`device.cpu`)");
            }
        }

        // (b) a CPU reservation: Swarm only
        if let Some(v) = &r.reservations_cpus {
            cx.report(
                v.span,
                "`deploy.resources.reservations.cpus` is a Swarm option: docker compose ignores it",
            )
            .severity(Severity::Info)
            .help("remove it, or set `cpu_shares` to weight the service under CPU contention");
        }

        // (c), (d) deploy keys only Swarm applies
        for (path, span) in &service.swarm_only {
            cx.report(*span, format!("`deploy.{path}` is applied by Swarm only: docker compose ignores it"))
                .severity(Severity::Info)
                .help("remove it, or keep it only if the file is also deployed with `docker stack deploy`");
        }
    }
}

/// A written byte value and the bytes it sets.
fn bytes(v: &Option<Spanned<String>>) -> Option<(&Spanned<String>, i64)> {
    let v = v.as_ref()?;
    Some((v, limits::compose_amount(&v.value, ComposeValue::Bytes)?))
}

/// A written CPU value and the nano-CPUs it sets.
fn cpus(v: &Option<Spanned<String>>) -> Option<(&Spanned<String>, i64)> {
    let v = v.as_ref()?;
    Some((v, limits::compose_amount(&v.value, ComposeValue::Cpus)?))
}

/// Reports the `deploy.resources.limits` value when it and the service-level field are both
/// set and differ.
fn disagree(
    cx: &mut Ctx,
    service_level: Option<(&Spanned<String>, i64)>,
    deploy: Option<(&Spanned<String>, i64)>,
    field: &str,
    deploy_key: &str,
    show: fn(i64) -> String,
) {
    let (Some((s, sn)), Some((d, dn))) = (service_level, deploy) else { return };
    if sn == dn {
        return;
    }
    // `1g` (1 GiB); a plain `1.5` needs no gloss
    let shown = |v: &Spanned<String>, n: i64| {
        let amount = show(n);
        if amount == v.value {
            format!("`{}`", v.value)
        } else {
            format!("`{}` ({amount})", v.value)
        }
    };
    cx.report(
        d.span,
        format!(
            "`{field}` {} and `deploy.resources.limits.{deploy_key}` {} disagree: docker \
             compose silently applies the `deploy` value",
            shown(s, sn),
            shown(d, dn)
        ),
    )
    .label(s.span, format!("overridden by `deploy.resources.limits.{deploy_key}`"))
    .help(format!("keep one source of truth: remove `{field}` and keep `deploy.resources.limits`"));
}

/// Nano-CPUs for a message: `1.5`, `2`.
fn show_cpus(nano: i64) -> String {
    if nano <= 0 {
        return "unlimited".to_string();
    }
    let whole = nano / 1_000_000_000;
    let frac = nano % 1_000_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_amounts() {
        assert_eq!(show_bytes(1000), "1000 bytes");
        assert_eq!(show_cpus(1_500_000_000), "1.5");
        assert_eq!(show_cpus(4_000_000_000), "4");
        assert_eq!(show_cpus(10_000_000), "0.01");
    }
}
