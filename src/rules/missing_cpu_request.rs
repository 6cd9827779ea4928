//! `missing-cpu-request`: a Kubernetes container that ends up with no CPU request, and a tiny
//! CPU limit on a probed container.
//!
//! The request is the effective one: `requests.cpu`, else `limits.cpu` (the API server copies a
//! limit without a request into the request), else the pod-level `spec.resources`, else a
//! LimitRange default request in the same namespace ([`crate::semantic::limits`]).

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::{ContainerRole, ContainerView};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::values::quantity::parse_quantity;

declare_rule! {
    /// A container the scheduler counts as needing no CPU.
    MissingCpuRequest {
        name: "missing-cpu-request",
        summary: "a container has no CPU request, or a CPU limit too small for its probes",
        severity: Info,
        formats: [Kubernetes],
        equivalents: [
            "kube-score:container-resources",
            "polaris:cpuRequestsMissing",
            "checkov:CKV_K8S_10",
            "kube-linter:unset-cpu-requirements",
        ],
    }
}

const REQUEST_HELP: &str = "add `resources: {requests: {cpu: 100m}}` sized at its steady use (a \
                            CPU limit alone also sets the request)";

/// Below this CFS quota (10 ms per 100 ms period) probe responses routinely miss a 1 s timeout.
const PROBED_MIN_MILLI: i128 = 100;

impl Rule for MissingCpuRequest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        let (Some(pod), Some(k8s)) = (container.pod(), container.kubernetes()) else { return };
        // ephemeral containers cannot have resources
        if k8s.role == ContainerRole::Ephemeral {
            return;
        }
        let resources = k8s.resources.as_ref();
        let limit = resources.and_then(|r| r.limit("cpu"));

        if let Some(limit) = limit {
            let probed = k8s.liveness_probe.is_some() || k8s.startup_probe.is_some();
            let milli = parse_quantity(limit.value.trim()).map(|q| q.milli());
            if let (true, Ok(milli @ 1..PROBED_MIN_MILLI)) = (probed, milli) {
                let shown = if limit.value.trim() == format!("{milli}m") {
                    format!("`{}`", limit.value)
                } else {
                    format!("`{}` (= {milli}m)", limit.value)
                };
                cx.report(
                    limit.span,
                    format!(
                        "{} has CPU limit {shown} and a liveness or startup probe; CFS throttling \
                         below 100m routinely pushes probe responses past their timeout",
                        k8s.describe(),
                    ),
                )
                .severity(Severity::Warning)
                .help(
                    "raise the limit to 200m or more for a probed, latency-sensitive container, \
                     or raise the probe's `timeoutSeconds`",
                );
            }
        }

        // a limit without a request is copied into the request
        let request = resources.and_then(|r| r.request("cpu"));
        if let Some(own) = request.or(limit) {
            if parse_quantity(own.value.trim()).is_ok_and(|q| q.is_zero()) {
                let what = match request {
                    Some(_) => format!("CPU request `{}`", own.value),
                    None => {
                        format!("CPU limit `{}` and no request, so its request is 0", own.value)
                    }
                };
                cx.report(
                    own.span,
                    format!(
                        "{} has {what}; the scheduler counts it as needing no CPU and it gets the \
                         smallest CPU share under contention",
                        k8s.describe(),
                    ),
                )
                .help(REQUEST_HELP);
            }
            return;
        }
        let pod_level = pod
            .template
            .resources
            .as_ref()
            .is_some_and(|r| r.request("cpu").or(r.limit("cpu")).is_some());
        let namespace = cx.semantic().namespace_limits().request_default_for("cpu", pod.object);
        // a partial object (a kustomize patch) is merged into one defined elsewhere, which may
        // have the request
        if pod_level || namespace.is_some() || cx.semantic().is_partial(&pod) {
            return;
        }
        cx.report(
            k8s.anchor_span(),
            format!(
                "{} has no CPU request, so the scheduler counts it as needing none and it gets \
                 the smallest CPU share under contention",
                k8s.describe()
            ),
        )
        .help(REQUEST_HELP);
    }
}
