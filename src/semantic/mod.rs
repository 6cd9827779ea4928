//! The semantic layer: one definition per fact, computed once per document and read by every
//! rule through [`crate::rules::Ctx::semantic`].
//!
//! | fact | where |
//! |---|---|
//! | effective target platforms of a stage, pod template or service | [`targets`], [`Semantic::targets`], [`Semantic::pod_targets`], [`Semantic::container_targets`], [`Semantic::stage_platform`] |
//! | effective probe timing with the API server's defaults; Docker healthcheck defaults | [`probe`] |
//! | platforms an image is published for | [`published`], [`Semantic::published`] |
//! | effective limits: what a value amounts to, LimitRange defaults, ResourceQuotas | [`limits`], [`Semantic::namespace_limits`] |
//! | whether an image keeps data, and where | [`stateful`] |
//! | whether a Kubernetes object is partial (a Kustomize patch, a fragment) | [`partial`], [`Semantic::is_partial`] |
//! | whether an image starts slowly, and its start-up budget | [`startup`] |
//! | whether a label selector selects a pod's labels | [`selector`] |
//! | which Dockerfiles a Compose file builds, for which platforms (cross-file) | [`compose_builds`] |
//! | grace periods (pod, Compose) and whether a pod or service keeps data | [`shutdown`] |
//! | the hostPath volumes a pod writes, node paths against data, node pins | [`host_paths`] |
//! | architecture `case`s in shell text and what each command prints per platform | [`arch_detection`] |
//! | which relative Compose bind-mount sources do not exist next to the file | [`bind_sources`], [`Semantic::bind_source_missing`] |
//!
//! The configured targets come from [`Settings::platforms`], which the configuration resolves
//! per file (top level, then `per-path`, then `--platform`), so "the targets of this file" has
//! one answer too. A file can narrow them itself ([`file_platforms`]): a Compose file's
//! top-level `x-edgelint: {platforms: […]}`, a Kubernetes object's or pod template's
//! `edgelint.io/platforms` annotation.

pub mod arch_detection;
pub mod bind_sources;
pub mod build;
pub mod compose_builds;
pub mod file_platforms;
pub mod host_paths;
pub mod limits;
pub mod partial;
pub mod probe;
pub mod published;
pub mod pull;
pub mod reach;
pub mod security;
pub mod selector;
pub mod shutdown;
pub mod startup;
pub mod stateful;
pub mod targets;
pub mod tolerations;

use crate::document::Document;
use crate::model::container::{ContainerView, Pod};
use crate::settings::Settings;
use crate::values::image_ref;
use crate::values::platform::Platform;

pub use targets::{StagePin, StagePlatform};

/// The facts of one document.
#[derive(Debug)]
pub struct Semantic<'a> {
    settings: &'a Settings,
    /// The configured targets of this file, normalised.
    targets: Vec<Platform>,
    /// Kubernetes: targets per object, per pod template.
    pods: Vec<Vec<Vec<Platform>>>,
    /// Compose: targets per service.
    services: Vec<Vec<Platform>>,
    /// Dockerfile: what each stage is built for, against the configured targets.
    stages: Vec<StagePlatform>,
    /// Dockerfile: what each stage's `FROM --platform` says.
    stage_pins: Vec<StagePin>,
    /// Dockerfile: the targets after the final stage's base image (see
    /// [`Semantic::effective_targets`]).
    effective: Vec<Platform>,
    namespace_limits: limits::NamespaceLimits<'a>,
    /// Kubernetes: whether each object is partial ([`partial`]).
    partial: Vec<bool>,
    /// Compose: the spans of the bind mounts whose relative source does not exist
    /// ([`bind_sources`]), sorted.
    missing_binds: Vec<crate::source::Span>,
}

impl<'a> Semantic<'a> {
    /// Compute the facts of `doc` under `settings`, for a document whose path says nothing.
    pub fn new(doc: &'a Document, settings: &'a Settings) -> Semantic<'a> {
        Semantic::for_path(doc, settings, "")
    }

    /// Compute the facts of `doc`, read from `path`, under `settings`.
    pub fn for_path(doc: &'a Document, settings: &'a Settings, path: &str) -> Semantic<'a> {
        let configured = &settings.platforms;
        let mut semantic = Semantic {
            settings,
            targets: targets::normalized(configured),
            pods: Vec::new(),
            services: Vec::new(),
            stages: Vec::new(),
            stage_pins: Vec::new(),
            effective: Vec::new(),
            namespace_limits: limits::NamespaceLimits::default(),
            partial: Vec::new(),
            missing_binds: Vec::new(),
        };
        match doc {
            Document::Dockerfile(df) => {
                semantic.targets = targets::dockerfile_targets(path, configured);
                let file_targets = semantic.targets.clone();
                semantic.stages = (0..df.stages.len())
                    .map(|i| targets::stage_platform(df, i, &file_targets))
                    .collect();
                semantic.stage_pins =
                    (0..df.stages.len()).map(|i| targets::stage_pin(df, i)).collect();
                semantic.effective = match targets::path_platform(path) {
                    Some(_) => file_targets,
                    None => semantic
                        .final_base_platforms(df)
                        .filter(|p| targets::arm_only(p))
                        .map_or(file_targets, |p| targets::normalized(&p)),
                };
            }
            Document::Compose(c) => {
                // `x-edgelint: {platforms: […]}` replaces the configured targets for this file
                let written = file_platforms::compose(c);
                let configured = written.as_deref().unwrap_or(configured);
                semantic.targets = targets::normalized(configured);
                semantic.services =
                    c.services.iter().map(|s| targets::service_targets(configured, s)).collect();
                semantic.missing_binds = bind_sources::missing_bind_sources(c, path);
            }
            Document::Kubernetes(m) => {
                semantic.pods = m
                    .objects
                    .iter()
                    .map(|o| {
                        o.pod_templates
                            .iter()
                            .map(|t| {
                                // `edgelint.io/platforms` on the pod template or its object
                                // replaces the configured targets for that pod
                                let written = file_platforms::kubernetes(o, t);
                                targets::pod_targets(written.as_deref().unwrap_or(configured), t)
                            })
                            .collect()
                    })
                    .collect();
                semantic.namespace_limits = limits::NamespaceLimits::of(m);
                semantic.partial = partial::partial_objects(m, path);
            }
        }
        semantic
    }

    pub fn settings(&self) -> &'a Settings {
        self.settings
    }

    /// The configured target platforms of this file, normalised; for a Dockerfile whose path
    /// names an architecture (`Dockerfile.arm64`, `arm64/Dockerfile`), that platform
    /// ([`targets::path_platform`]).
    pub fn targets(&self) -> &[Platform] {
        &self.targets
    }

    /// A Dockerfile's targets once its final stage's base image is known: when that image is
    /// published only for ARM platforms (`arm64v8/ubuntu`, an `images:` entry), those
    /// platforms, since the image is made for them; else [`Semantic::targets`]. A path that
    /// names an architecture wins. Empty for other documents.
    pub fn effective_targets(&self) -> &[Platform] {
        &self.effective
    }

    /// The platforms the image the final stage is built on (through `FROM <earlier stage>`)
    /// is published for, when known.
    fn final_base_platforms(
        &self,
        df: &crate::syntax::dockerfile::Dockerfile,
    ) -> Option<Vec<Platform>> {
        let mut cur = df.stages.get(df.final_stage()?)?;
        for _ in 0..df.stages.len() {
            match cur.base_stage.and_then(|b| df.stages.get(b)) {
                Some(b) => cur = b,
                None => break,
            }
        }
        self.published(cur.resolved_image.as_deref()?)
    }

    /// Whether the object of `pod` is partial (a Kustomize patch or another fragment,
    /// [`partial`]): a field it does not set may be set elsewhere, so a rule judges only what
    /// it sets and claims no default.
    pub fn is_partial(&self, pod: &Pod<'_>) -> bool {
        self.partial.get(pod.object_index).copied().unwrap_or(false)
    }

    /// [`Semantic::is_partial`] for the pod of a Kubernetes container; a Compose service is
    /// never partial.
    pub fn container_is_partial(&self, container: &ContainerView<'_>) -> bool {
        container.pod().is_some_and(|p| self.is_partial(&p))
    }

    /// The targets a pod template can be scheduled on (see [`targets::pod_targets`]).
    pub fn pod_targets(&self, pod: &Pod<'_>) -> &[Platform] {
        self.pods
            .get(pod.object_index)
            .and_then(|o| o.get(pod.template_index))
            .map_or(&[], Vec::as_slice)
    }

    /// The targets a container must run on: its pod's, or its Compose service's `platform:`.
    pub fn container_targets(&self, container: &ContainerView<'_>) -> &[Platform] {
        match container {
            ContainerView::Kubernetes { pod, .. } => self.pod_targets(pod),
            ContainerView::Compose { index, .. } => {
                self.services.get(*index).map_or(&[], Vec::as_slice)
            }
        }
    }

    /// Whether `mount` is a Compose bind mount whose relative source does not exist next to the
    /// file ([`bind_sources`]); `false` when that cannot be known (no directory, an absolute
    /// source, a variable).
    pub fn bind_source_missing(&self, mount: &crate::model::compose::VolumeMount) -> bool {
        self.missing_binds
            .binary_search_by_key(&(mount.span.start, mount.span.end), |s| (s.start, s.end))
            .is_ok()
    }

    /// The targets Compose service `index` (in file order) is pulled and built for.
    pub fn service_targets(&self, index: usize) -> &[Platform] {
        self.services.get(index).map_or(&[], Vec::as_slice)
    }

    /// What Dockerfile stage `stage` is built for, against the configured targets.
    pub fn stage_platform(&self, stage: usize) -> Option<&StagePlatform> {
        self.stages.get(stage)
    }

    /// What Dockerfile stage `stage`'s `FROM --platform` says.
    pub fn stage_pin(&self, stage: usize) -> Option<&StagePin> {
        self.stage_pins.get(stage)
    }

    /// The platforms `image` (a reference as written) is published for, when known: the
    /// configuration's `images:`, a Docker Hub architecture namespace, the built-in table. A
    /// reference with a variable or that does not parse is unknown.
    pub fn published(&self, image: &str) -> Option<Vec<Platform>> {
        if image_ref::has_variable(image) {
            return None;
        }
        published::published_platforms(self.settings, &image_ref::parse(image).ok()?)
    }

    /// LimitRange defaults and ResourceQuotas of a Kubernetes stream (empty otherwise).
    pub fn namespace_limits(&self) -> &limits::NamespaceLimits<'a> {
        &self.namespace_limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FileKind;
    use crate::source::SourceFile;

    /// Platforms from their names, and back.
    fn platforms(names: &[&str]) -> Vec<Platform> {
        names.iter().map(|n| Platform::parse(n).expect("platform")).collect()
    }

    fn shown(ps: &[Platform]) -> String {
        ps.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn one_answer_per_container_and_stage() {
        let settings = Settings {
            platforms: platforms(&["linux/amd64", "linux/arm64/v8"]),
            ..Default::default()
        };
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - {key: kubernetes.io/arch, operator: In, values: [amd64, arm64, riscv64]}\n      containers: [{name: a, image: a}]\n";
        let (doc, _) = crate::parse(&SourceFile::new("x.yaml", text), FileKind::Kubernetes);
        let semantic = Semantic::new(&doc, &settings);
        assert_eq!(shown(semantic.targets()), "linux/amd64 linux/arm64");
        let Document::Kubernetes(m) = &doc else { panic!("kubernetes") };
        let object = &m.objects[0];
        let pod =
            Pod { object, template: &object.pod_templates[0], object_index: 0, template_index: 0 };
        let container = ContainerView::Kubernetes { pod, container: &pod.template.containers[0] };
        assert_eq!(shown(semantic.container_targets(&container)), "linux/amd64 linux/arm64");

        let (doc, _) = crate::parse(
            &SourceFile::new(
                "Dockerfile",
                "FROM --platform=$BUILDPLATFORM golang AS b\nFROM alpine\n",
            ),
            FileKind::Dockerfile,
        );
        let semantic = Semantic::new(&doc, &settings);
        assert_eq!(semantic.stage_platform(0), Some(&StagePlatform::Builder));
        assert_eq!(
            semantic.stage_platform(1),
            Some(&StagePlatform::Targets(platforms(&["linux/amd64", "linux/arm64"])))
        );
        assert_eq!(semantic.published("mysql:$TAG"), None);

        // A path or an ARM-only final base image narrows a Dockerfile's targets.
        let arm = "FROM golang:1.22 AS b\nFROM arm64v8/alpine:3.20\n";
        let (doc, _) = crate::parse(&SourceFile::new("Dockerfile", arm), FileKind::Dockerfile);
        let semantic = Semantic::for_path(&doc, &settings, "x/Dockerfile");
        assert_eq!(shown(semantic.targets()), "linux/amd64 linux/arm64");
        assert_eq!(shown(semantic.effective_targets()), "linux/arm64");
        let semantic = Semantic::for_path(&doc, &settings, "x/amd64/Dockerfile");
        assert_eq!(shown(semantic.targets()), "linux/amd64");
        assert_eq!(shown(semantic.effective_targets()), "linux/amd64");
        let multi = "FROM alpine:3.20\n";
        let (doc, _) = crate::parse(&SourceFile::new("Dockerfile", multi), FileKind::Dockerfile);
        let semantic = Semantic::for_path(&doc, &settings, "Dockerfile");
        assert_eq!(shown(semantic.effective_targets()), "linux/amd64 linux/arm64");
        assert!(semantic.published("mysql:8.4").is_some());
    }
}
