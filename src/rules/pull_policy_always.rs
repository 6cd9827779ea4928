//! `pull-policy-always`: a pull policy written to contact the registry on every start.
//!
//! Generic linters (kube-score, Polaris, Checkov) demand `imagePullPolicy: Always`; on a flaky
//! uplink it turns every restart into a registry round trip, so edgelint warns about it. The
//! pull policy and the pinning of a reference are facts of [`crate::semantic::pull`], shared
//! with `mutable-image-tag`.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::ContainerView;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::pull::{self, PullPolicy};
use crate::values::image_ref::{has_variable, ImageRef};

declare_rule! {
    /// A pull policy that needs the registry on every start.
    PullPolicyAlways {
        name: "pull-policy-always",
        summary: "pull policy Always: every restart needs a registry round trip over the uplink",
        severity: Warning,
        formats: [Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for PullPolicyAlways {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn service(&self, file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        // a service without `image` is only built; Compose never pulls it
        let Some(image) = &service.image else { return };
        let effective = pull::compose(file, service);
        let Some(written) = &effective.written else { return };
        let help = "remove `pull_policy` (the default `missing` uses the local copy), or use \
                    `never` with preloaded images; roll out updates by changing the tag or digest";
        match &effective.policy {
            PullPolicy::Always => {
                cx.report(
                    written.span,
                    format!(
                        "`pull_policy: {}` pulls `{}` on every start, so each restart needs the \
                         registry",
                        written.value, image.value
                    ),
                )
                .help(help);
            }
            PullPolicy::Periodic(period) => {
                cx.report(
                    written.span,
                    format!(
                        "`pull_policy: {period}` pulls `{}` again on a start once the local copy \
                         is older than the period",
                        image.value
                    ),
                )
                .severity(Severity::Info)
                .help(help);
            }
            _ => {}
        }
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        // Compose services are checked in `service`, which sees the file's `pull_policy`
        let Some((image, effective)) = pull::pulled_kubernetes(container) else { return };
        let (PullPolicy::Always, Some(written)) = (&effective.policy, &effective.written) else {
            return;
        };
        // `latest`, no tag and floating tags are `mutable-image-tag`'s: there `Always` at least
        // fetches what the tag points to now
        if has_variable(&image.value) {
            return;
        }
        let Ok(reference) = ImageRef::parse(&image.value) else { return };
        if !pull::pinning(&reference).is_immutable() {
            return;
        }
        cx.report(
            written.span,
            format!(
                "imagePullPolicy Always on `{}`: every start contacts the registry over the \
                 uplink and fails while it is down",
                image.value
            ),
        )
        .help(
            "use `imagePullPolicy: IfNotPresent` (or `Never` with preloaded images); roll out \
             updates by changing the tag or digest",
        );
    }
}
