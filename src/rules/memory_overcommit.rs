//! `memory-overcommit`: a container whose memory request is far below its limit (documented in
//! `rules/memory-overcommit.md`).
//!
//! Per Kubernetes container (app, sidecar, regular init), with a working limit and a working
//! request (a missing request defaults to the limit: no overcommit): limit / request above
//! `max-limit-to-request-ratio` (default 2) → warning. The catalogue's second trigger (a request
//! below 64Mi) is not implemented: on the corpus it only flagged small, well-sized containers
//! (`kube-rbac-proxy` at 20Mi/40Mi), which are not overcommitted.

use crate::declare_rule;
use crate::model::container::{ContainerRole, ContainerView};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::limits::bounded_quantity;

declare_rule! {
    /// A memory request far below the limit.
    MemoryOvercommit {
        name: "memory-overcommit",
        summary: "a container's memory request is far below its limit, so it is evicted first and lets the node overcommit",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
        options: [
            number(
                "max-limit-to-request-ratio",
                2.0,
                "largest memory limit / request ratio accepted"
            ).at_least(1.0),
        ],
    }
}

impl Rule for MemoryOvercommit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        let Some(c) = container.kubernetes() else { return };
        if c.role == ContainerRole::Ephemeral {
            return;
        }
        let Some(r) = &c.resources else { return };
        let (Some(limit_text), Some(request_text)) = (r.limit("memory"), r.request("memory"))
        else {
            return;
        };
        let (Some(limit), Some(request)) =
            (bounded_quantity(&limit_text.value), bounded_quantity(&request_text.value))
        else {
            return;
        };
        let (l, q) = (limit.milli(), request.milli());
        // the ratio in thousandths, so the comparison stays in integers
        let max = cx.option_number("max-limit-to-request-ratio");
        let max_milli = (max * 1000.0).round() as i128;
        let who = c.describe();
        let (lv, rv) = (&limit_text.value, &request_text.value);
        if l.saturating_mul(1000) > q.saturating_mul(max_milli) {
            // rounded up, so a ratio just above the maximum never shows as equal to it
            let tenths = (l.saturating_mul(10) + q - 1) / q.max(1);
            let ratio = format!("{}.{}", tenths / 10, tenths % 10);
            cx.report(
                request_text.span,
                format!(
                    "{who} requests `{rv}` of memory but may use up to `{lv}` ({ratio}× its \
                     request, more than {max}×); the kubelet evicts it first under memory \
                     pressure, and the node overcommits into OOM kills"
                ),
            )
            .help(format!(
                "raise `requests.memory` toward the limit (at most {max}× below it); for a \
                 site-critical pod set request = limit (Guaranteed QoS)"
            ));
        }
    }
}
