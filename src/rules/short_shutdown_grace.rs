//! `short-shutdown-grace`: a stateful pod or Compose service that is killed before it can
//! flush its data to flash storage (documented in `rules/short-shutdown-grace.md`). The grace
//! periods and what makes a workload stateful are [`crate::semantic::shutdown`]'s.

use crate::declare_rule;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::Pod;
use crate::model::kubernetes::{ContainerRole, Manifests};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::shutdown::{self, Grace};

declare_rule! {
    /// A stateful workload with too little time to stop cleanly.
    ShortShutdownGrace {
        name: "short-shutdown-grace",
        summary: "a stateful pod or service gets less time to stop than flash storage needs to flush, so a reboot or an update kills it mid-write",
        severity: Warning,
        formats: [Compose, Kubernetes],
        equivalents: [],
        options: [
            integer("min-grace-seconds", 30, "shortest grace period for a stateful pod or service, in seconds").at_least(1.0),
        ],
    }
}

/// The shortest probe-level `terminationGracePeriodSeconds` on a stateful pod.
const MIN_PROBE_GRACE_SECONDS: i64 = 10;

impl Rule for ShortShutdownGrace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let (object, t) = (pod.object, pod.template);
        let Some(why) = shutdown::pod_keeps_data(stream, object, t) else { return };
        let min = cx.option_int("min-grace-seconds");
        if let Grace::Written(n, span) = shutdown::pod_grace(t) {
            if n < min {
                cx.report(
                    span,
                    format!(
                        "`terminationGracePeriodSeconds: {n}` on {} `{}`, which keeps data ({why}): \
                         shorter than the {min}s flash storage needs to flush before SIGKILL",
                        object.kind.value,
                        object.display_name()
                    ),
                )
                .help("set `terminationGracePeriodSeconds: 60` (or remove it for the default 30) and make sure PID 1 forwards SIGTERM");
            }
        }
        // A liveness or startup probe's own grace period replaces the pod's when it fails.
        for c in t.containers.iter().filter(|c| c.role != ContainerRole::Ephemeral) {
            let Some(node) = stream.node(object.doc, c.node) else { continue };
            for key in ["livenessProbe", "startupProbe"] {
                let value = node
                    .get(key)
                    .and_then(|p| p.value.get("terminationGracePeriodSeconds"))
                    .map(|e| e.value);
                let Some(value) = value else { continue };
                let Some(n) = value.as_i64() else { continue };
                if n < MIN_PROBE_GRACE_SECONDS {
                    cx.report(
                        value.span(),
                        format!(
                            "the {key} of {} gives {n}s to stop after it fails, in a pod that \
                             keeps data ({why}): shorter than {MIN_PROBE_GRACE_SECONDS}s",
                            c.describe()
                        ),
                    )
                    .help("remove the probe's `terminationGracePeriodSeconds` (the pod's applies) or raise it to at least 10");
                }
            }
        }
    }

    fn service(&self, _file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        let Some(why) = shutdown::service_keeps_data(service) else { return };
        let min = cx.option_int("min-grace-seconds");
        let name = &service.name.value;
        let (n, span, what) = match shutdown::service_grace(service) {
            Grace::Default(n) => {
                (n, service.name.span, format!("no `stop_grace_period` (default {n}s)"))
            }
            Grace::Written(n, span) => (n, span, format!("`stop_grace_period` of {n}s")),
            Grace::Unknown => return,
        };
        if n < min {
            cx.report(
                span,
                format!(
                    "service `{name}` keeps data ({why}) and has {what}: shorter than the {min}s \
                     flash storage needs to flush before SIGKILL"
                ),
            )
            .help(
                "set `stop_grace_period: 60s` and make sure PID 1 forwards SIGTERM (`init: true`)",
            );
        }
    }
}
