//! `registry-not-local`: with `registries.local` configured, an image pulled from a registry
//! that is not one of them needs the uplink (documented in `rules/registry-not-local.md`).
//!
//! Off until the configuration names local registries: without that list every registry is
//! as good as any other. The pulled references are those `mutable-image-tag` checks (FROM and
//! `COPY --from` images, Compose services without `build`, Kubernetes containers), with the
//! pull facts of [`crate::semantic::pull`]; a reference that is never pulled (`pull_policy:
//! never`/`build`, `imagePullPolicy: Never`) is not reported.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::ContainerView;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::pull::{self, PullPolicy};
use crate::settings::Settings;
use crate::source::Span;
use crate::syntax::dockerfile::Dockerfile;
use crate::values::image_ref::{has_variable, ImageRef};

declare_rule! {
    /// An image pulled from a registry that is not local.
    RegistryNotLocal {
        name: "registry-not-local",
        summary: "an image is pulled from a registry that is not one of the configured local registries",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
        options: [
            boolean(
                "airgap",
                false,
                "the site has no uplink: report at error instead of warning"
            ),
        ],
    }
}

impl Rule for RegistryNotLocal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn stage(&self, file: &Dockerfile, index: usize, cx: &mut Ctx) {
        if cx.settings().registries_local.is_empty() {
            return;
        }
        for image in pull::stage_images(file, index) {
            check(cx, image.resolved, image.span);
        }
    }

    fn service(&self, file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        if cx.settings().registries_local.is_empty() || service.build.is_some() {
            return;
        }
        let Some(image) = &service.image else { return };
        if matches!(pull::compose(file, service).policy, PullPolicy::Never | PullPolicy::Build) {
            return;
        }
        check(cx, &image.value, image.span);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        if cx.settings().registries_local.is_empty() {
            return;
        }
        // Compose services are checked in `service`, which sees the file's `pull_policy`
        let Some((image, effective)) = pull::pulled_kubernetes(container) else { return };
        if effective.policy == PullPolicy::Never {
            return;
        }
        check(cx, &image.value, image.span);
    }
}

fn check(cx: &mut Ctx, reference: &str, span: Span) {
    if has_variable(reference) {
        return;
    }
    let Ok(image) = ImageRef::parse(reference) else { return };
    if is_local(cx.settings(), &image.registry) {
        return;
    }
    let airgap = cx.option_bool("airgap");
    let listed = &cx.settings().registries_local;
    let local = listed.join("`, `");
    let first = listed.first().cloned().unwrap_or_default();
    let report = cx
        .report(
            span,
            format!(
                "`{reference}` is pulled from `{}`, which is not a local registry (`{local}`): \
                 a pull needs the uplink",
                image.registry
            ),
        )
        .help(format!(
            "push the image to the site registry and refer to it there (`{}/{}`), or mirror \
             `{}` through it",
            first, image.repository, image.registry
        ));
    if airgap {
        report.severity(Severity::Error);
    }
}

/// Whether `registry` (`host` or `host:port`, as normalised by the reference parser) is local:
/// listed in `registries.local` (a listed `host` without a port matches every port of that
/// host), or a loopback address (`localhost`, `127.0.0.1`, `[::1]`: a registry on the node
/// itself, such as MicroK8s' `localhost:32000`), or a registry inside the cluster (a host
/// ending in `.svc` or `.cluster.local`: a Kubernetes service).
pub fn is_local(settings: &Settings, registry: &str) -> bool {
    let host = host_of(registry);
    if ["localhost", "127.0.0.1", "[::1]"].iter().any(|l| host.eq_ignore_ascii_case(l)) {
        return true;
    }
    let lower = host.to_ascii_lowercase();
    if lower.ends_with(".svc") || lower.ends_with(".cluster.local") {
        return true;
    }
    settings.is_local_registry(registry)
        || settings
            .registries_local
            .iter()
            .any(|l| !l.contains(':') && l.eq_ignore_ascii_case(host))
}

/// The host of `host[:port]` (`[::1]:5000` → `[::1]`).
fn host_of(registry: &str) -> &str {
    if let Some(end) = registry.find(']') {
        return &registry[..=end];
    }
    registry.split(':').next().unwrap_or(registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        let settings = Settings {
            registries_local: vec!["registry.plant.local".into(), "mirror.lan:5000".into()],
            ..Settings::default()
        };
        for yes in ["registry.plant.local", "registry.plant.local:5000", "mirror.lan:5000"] {
            assert!(is_local(&settings, yes), "{yes}");
        }
        for yes in [
            "localhost:32000",
            "127.0.0.1:5000",
            "[::1]:5000",
            "LOCALHOST",
            "image-registry.openshift-image-registry.svc:5000",
            "registry.kube-system.svc.cluster.local",
        ] {
            assert!(is_local(&settings, yes), "{yes}");
        }
        for no in ["docker.io", "mirror.lan", "mirror.lan:5001", "ghcr.io", "plant.local"] {
            assert!(!is_local(&settings, no), "{no}");
        }
    }
}
