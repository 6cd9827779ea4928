//! Which Dockerfiles a Compose file builds, and for which platforms: the cross-file link between
//! a Compose service's `build:` and the Dockerfile it names.
//!
//! A service with `build:` builds its image for the literal `build.platforms` list when it has
//! one (a multi-platform build), else for its `platform:` when it sets a literal one, else
//! for the Compose file's targets (its `x-edgelint.platforms`, else the configured ones), as
//! [`crate::semantic::targets::service_targets`] says for pulls. A run that lints both files
//! judges the Dockerfile for the union of the platforms the services of the run build it for
//! (the front end replaces its settings' `platforms` with them, see `cli.rs`): a Dockerfile
//! that an arm64-only service builds is checked for `linux/arm64`, whatever the configured
//! targets. A `Dockerfile.arm64` or `arm64/` path still wins
//! ([`crate::semantic::targets::dockerfile_targets`]).
//!
//! The path is resolved as Compose resolves it: `context` (default `.`) relative to the Compose
//! file's directory, `dockerfile` (default `Dockerfile`) relative to the context. A context that
//! is a URL (a Git repository, a tarball), a value with a variable, `dockerfile_inline` and
//! `context` given as an `additional_contexts` name are left alone: the Dockerfile keeps its
//! own targets.

use crate::document::Document;
use crate::semantic::build::dockerfile_path;
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::values::image_ref::has_variable;
use crate::values::platform::Platform;
use std::path::{Path, PathBuf};

/// A Dockerfile a Compose file builds: its path (absolute when `compose_path` is) and the
/// platforms the file's services build it for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltDockerfile {
    pub path: PathBuf,
    pub platforms: Vec<Platform>,
}

/// The Dockerfiles `doc` builds when it is the Compose file at `compose_path`, one entry per
/// path (services building the same Dockerfile merged). Empty for other documents.
pub fn built_dockerfiles(
    doc: &Document,
    settings: &Settings,
    compose_path: &Path,
) -> Vec<BuiltDockerfile> {
    let Document::Compose(file) = doc else { return Vec::new() };
    let semantic = Semantic::for_path(doc, settings, &compose_path.to_string_lossy());
    let mut out: Vec<BuiltDockerfile> = Vec::new();
    for (index, service) in file.services.iter().enumerate() {
        let Some(build) = &service.build else { continue };
        let Some(path) = dockerfile_path(&compose_path.to_string_lossy(), build) else {
            continue;
        };
        let listed = build_platforms(build);
        let platforms = listed.as_deref().unwrap_or(semantic.service_targets(index));
        if platforms.is_empty() {
            continue;
        }
        match out.iter_mut().find(|b| b.path == path) {
            Some(known) => merge(&mut known.platforms, platforms),
            None => out.push(BuiltDockerfile { path, platforms: platforms.to_vec() }),
        }
    }
    out
}

/// `build.platforms` when every item is a literal platform (a multi-platform build produces
/// exactly those); `None` when it is absent or says nothing certain.
fn build_platforms(build: &crate::model::compose::Build) -> Option<Vec<Platform>> {
    if build.platforms.is_empty() || build.platforms.iter().any(|p| has_variable(&p.value)) {
        return None;
    }
    build.platforms.iter().map(|p| Platform::parse(&p.value).ok().map(|p| p.normalize())).collect()
}

/// Adds the platforms of `more` that `into` lacks, keeping the order.
pub fn merge(into: &mut Vec<Platform>, more: &[Platform]) {
    for p in more {
        if !into.contains(p) {
            into.push(p.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FileKind;
    use crate::source::SourceFile;

    fn built(text: &str, settings: &Settings) -> Vec<(String, Vec<String>)> {
        let source = SourceFile::new("/repo/deploy/compose.yaml", text.to_string());
        let (doc, _) = crate::engine::parse(&source, FileKind::Compose);
        built_dockerfiles(&doc, settings, Path::new("/repo/deploy/compose.yaml"))
            .into_iter()
            .map(|b| {
                (
                    b.path.to_string_lossy().into_owned(),
                    b.platforms.iter().map(ToString::to_string).collect(),
                )
            })
            .collect()
    }

    fn settings(platforms: &[&str]) -> Settings {
        Settings {
            platforms: platforms.iter().map(|p| Platform::parse(p).unwrap()).collect(),
            ..Settings::default()
        }
    }

    #[test]
    fn context_and_dockerfile_resolve_as_compose_does() {
        let s = settings(&["linux/amd64"]);
        let text = "services:\n  a:\n    build: .\n  b:\n    build:\n      context: ../app\n      dockerfile: docker/Dockerfile.prod\n  c:\n    build:\n      dockerfile: Containerfile\n";
        assert_eq!(
            built(text, &s),
            vec![
                ("/repo/deploy/Dockerfile".to_string(), vec!["linux/amd64".to_string()]),
                ("/repo/app/docker/Dockerfile.prod".to_string(), vec!["linux/amd64".to_string()]),
                ("/repo/deploy/Containerfile".to_string(), vec!["linux/amd64".to_string()]),
            ]
        );
    }

    #[test]
    fn a_service_platform_replaces_the_targets_and_services_sharing_a_dockerfile_merge() {
        let s = settings(&["linux/amd64"]);
        let text = "services:\n  multi:\n    build:\n      context: ./multi\n      platforms: [linux/amd64, linux/arm/v7]\n    platform: linux/amd64\n  arm:\n    build: ./app\n    platform: linux/arm64\n  pi:\n    build: ./app\n    platform: linux/arm/v7\n  x86:\n    build: ./other\n    platform: linux/amd64\n";
        assert_eq!(
            built(text, &s),
            vec![
                (
                    "/repo/deploy/multi/Dockerfile".to_string(),
                    vec!["linux/amd64".to_string(), "linux/arm/v7".to_string()]
                ),
                (
                    "/repo/deploy/app/Dockerfile".to_string(),
                    vec!["linux/arm64".to_string(), "linux/arm/v7".to_string()]
                ),
                ("/repo/deploy/other/Dockerfile".to_string(), vec!["linux/amd64".to_string()]),
            ]
        );
    }

    #[test]
    fn the_compose_files_own_platforms_flow_into_its_builds() {
        let s = settings(&["linux/amd64"]);
        let text = "x-edgelint:\n  platforms: [linux/arm64]\nservices:\n  a:\n    build: .\n";
        assert_eq!(
            built(text, &s),
            vec![("/repo/deploy/Dockerfile".to_string(), vec!["linux/arm64".to_string()])]
        );
    }

    #[test]
    fn remote_and_variable_contexts_are_left_alone() {
        let s = settings(&["linux/amd64"]);
        let text = "services:\n  a:\n    build: https://github.com/x/y.git#main\n  b:\n    build: git@github.com:x/y.git\n  c:\n    build: ${CTX}\n  d:\n    build:\n      context: .\n      dockerfile: ${DF:-Dockerfile}\n  e:\n    image: nginx\n";
        assert_eq!(built(text, &s), vec![]);
    }

    #[test]
    fn other_documents_build_nothing() {
        let source = SourceFile::new("Dockerfile", "FROM alpine\n".to_string());
        let (doc, _) = crate::engine::parse(&source, FileKind::Dockerfile);
        assert!(built_dockerfiles(&doc, &Settings::default(), Path::new("Dockerfile")).is_empty());
    }
}
