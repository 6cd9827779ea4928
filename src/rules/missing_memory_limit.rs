//! `missing-memory-limit`: containers and services without a memory limit. The logic is shared
//! with `missing-cpu-limit` in [`crate::rules::shared::limits`].

use crate::declare_rule;
use crate::model::container::{ContainerView, Pod};
use crate::model::kubernetes::Manifests;
use crate::rules::shared::limits;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// A container or service that can use all of the device's memory.
    MissingMemoryLimit {
        name: "missing-memory-limit",
        summary: "a container or service has no memory limit, so it can exhaust the device's memory",
        severity: Error,
        formats: [Compose, Kubernetes],
        equivalents: ["kube-score:container-resources", "kube-linter:unset-memory-requirements"],
    }
}

impl Rule for MissingMemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, _stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        limits::check_pod(&limits::MEMORY, pod, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        limits::check_container(&limits::MEMORY, container, cx);
    }
}
