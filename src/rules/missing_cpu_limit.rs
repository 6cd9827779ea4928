//! `missing-cpu-limit`: containers and services without a CPU limit. The logic is shared with
//! `missing-memory-limit` in [`crate::rules::shared::limits`].

use crate::declare_rule;
use crate::model::container::{ContainerView, Pod};
use crate::model::kubernetes::Manifests;
use crate::rules::shared::limits;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// A container or service that can take every core of the device.
    MissingCpuLimit {
        name: "missing-cpu-limit",
        summary: "a container or service has no CPU limit, so it can starve the node's agents",
        severity: Warning,
        formats: [Compose, Kubernetes],
        equivalents: ["kube-score:container-resources", "kube-linter:unset-cpu-requirements"],
    }
}

impl Rule for MissingCpuLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, _stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        limits::check_pod(&limits::CPU, pod, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        limits::check_container(&limits::CPU, container, cx);
    }
}
