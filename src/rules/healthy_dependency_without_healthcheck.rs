//! `healthy-dependency-without-healthcheck`: `depends_on: {x: {condition: service_healthy}}`
//! where `x` has no healthcheck, so `docker compose up` fails ("dependency failed to start:
//! container x has no healthcheck configured").
//!
//! Per file: `x`'s healthcheck is disabled (error), or `x` runs an image and writes none
//! (warning: the image may have a `HEALTHCHECK`, which the file does not show). A service that
//! is built (`build:`) is judged in the cross-file phase, when its Dockerfile is among the files
//! of the run: no `HEALTHCHECK` in its final stage, or `HEALTHCHECK NONE`, is an error.

use std::path::Path;

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::document::{Document, FileKind};
use crate::engine::RunFile;
use crate::model::compose::{ComposeFile, Dependency, Service};
use crate::rules::{CrossFileCtx, Ctx, Rule, RuleMeta};
use crate::semantic::build::dockerfile_path;
use crate::source::normalize_path;
use crate::syntax::dockerfile::{Args, Dockerfile};

declare_rule! {
    /// `condition: service_healthy` on a service without a healthcheck.
    HealthyDependencyWithoutHealthcheck {
        name: "healthy-dependency-without-healthcheck",
        summary: "a service waits for another to be `service_healthy`, but that one has no healthcheck, so `docker compose up` fails",
        severity: Error,
        formats: [Compose],
        equivalents: [],
    }
}

impl Rule for HealthyDependencyWithoutHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn compose(&self, file: &ComposeFile, cx: &mut Ctx) {
        for (service, dep, target) in healthy_dependencies(file) {
            if target.extends_other_file && target.healthcheck.is_none() {
                continue; // its healthcheck may come from the other file
            }
            let at = dep.condition_span.unwrap_or(dep.name.span);
            match &target.healthcheck {
                Some(hc) if hc.disabled => {
                    cx.report(
                        at,
                        format!(
                            "service `{}` waits for `{}` to be healthy, but its healthcheck is \
                             disabled",
                            service.name.value, target.name.value
                        ),
                    )
                    .label(hc.key_span, "disabled here")
                    .help(help(&target.name.value));
                }
                Some(_) => {}
                None if target.build.is_some() => {} // the cross-file phase's
                None => {
                    let Some(image) = &target.image else { continue };
                    cx.report(
                        at,
                        format!(
                            "service `{}` waits for `{}` to be healthy, which has no \
                             `healthcheck`; unless image `{}` has a HEALTHCHECK, `docker compose \
                             up` fails",
                            service.name.value, target.name.value, image.value
                        ),
                    )
                    .severity(Severity::Warning)
                    .help(help(&target.name.value));
                }
            }
        }
    }

    fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {
        // The run's Dockerfiles by normalised path, made once when a dependency needs them.
        let mut dockerfiles = None;
        for (index, file) in files.iter().enumerate() {
            let Document::Compose(compose) = file.document else { continue };
            for (service, dep, target) in healthy_dependencies(compose) {
                if target.healthcheck.is_some() {
                    continue;
                }
                let Some(build) = &target.build else { continue };
                let Some(path) = dockerfile_path(&file.source.path, build) else { continue };
                let dockerfiles = dockerfiles.get_or_insert_with(|| dockerfiles_by_path(files));
                let Some(&(dockerfile, dockerfile_path)) = dockerfiles.get(&path) else {
                    continue;
                };
                if has_healthcheck(dockerfile) {
                    continue;
                }
                let at = dep.condition_span.unwrap_or(dep.name.span);
                cx.report(
                    index,
                    at,
                    format!(
                        "service `{}` waits for `{}` to be healthy, which has no `healthcheck` \
                         and whose Dockerfile `{dockerfile_path}` has no HEALTHCHECK: `docker \
                         compose up` fails",
                        service.name.value, target.name.value
                    ),
                )
                .help(help(&target.name.value))
                .logical_path(format!("services[{}]", service.name.value));
            }
        }
    }

    fn uses_cross_file(&self) -> bool {
        true
    }

    /// The Compose files and the Dockerfiles they build.
    fn cross_file_reads(&self, kind: FileKind) -> bool {
        matches!(kind, FileKind::Compose | FileKind::Dockerfile)
    }

    /// A Compose file only when a service waits for a healthy one that has no `healthcheck`
    /// and is built from a Dockerfile (most Compose files have none, and then need no
    /// Dockerfile either).
    fn cross_file_needs(&self, document: &Document) -> bool {
        match document {
            Document::Compose(compose) => healthy_dependencies(compose)
                .iter()
                .any(|(_, _, target)| target.healthcheck.is_none() && target.build.is_some()),
            _ => true,
        }
    }
}

fn help(target: &str) -> String {
    format!(
        "Compose stops with \"dependency failed to start: container {target} has no healthcheck \
         configured\"; add a `healthcheck` to `{target}` (e.g. `test: [\"CMD\", \"…\"]`), or wait \
         with `condition: service_started`"
    )
}

/// `(service, dependency, the service it names)` for every `condition: service_healthy`.
fn healthy_dependencies(file: &ComposeFile) -> Vec<(&Service, &Dependency, &Service)> {
    let mut out = Vec::new();
    for service in &file.services {
        for dep in &service.dependencies {
            if dep.condition.as_deref() != Some("service_healthy") {
                continue;
            }
            if let Some(target) = file.services.iter().find(|s| s.name.value == dep.name.value) {
                out.push((service, dep, target));
            }
        }
    }
    out
}

/// The Dockerfile of the run at `path`, with its path as the run names it.
fn dockerfiles_by_path<'a>(
    files: &'a [RunFile<'_>],
) -> std::collections::HashMap<std::path::PathBuf, (&'a Dockerfile, &'a str)> {
    let mut by_path = std::collections::HashMap::new();
    for f in files {
        if let Document::Dockerfile(d) = f.document {
            // The first file of a path answers, as a search in run order would.
            by_path
                .entry(normalize_path(Path::new(&f.source.path)))
                .or_insert((d, f.source.path.as_str()));
        }
    }
    by_path
}

/// Whether the image built from `d` has a healthcheck: the last `HEALTHCHECK` of the final
/// stage (or the stages it is built `FROM`) is a `CMD`.
fn has_healthcheck(d: &Dockerfile) -> bool {
    d.final_stage()
        .and_then(|s| d.effective_healthcheck(s))
        .is_some_and(|h| !matches!(h.args, Args::Healthcheck(None)))
}
