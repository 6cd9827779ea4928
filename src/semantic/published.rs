//! Which platforms an image is published for: the one lookup both architecture rules use, with
//! its sources most specific first:
//!
//! 0. `edgelint.lock` (what a registry said at `edgelint images lock`; [`crate::lockfile`]),
//!    by digest for a pinned reference, else by tag;
//! 1. the configuration's `images:` (private images the built-in table cannot know);
//! 2. a bashbrew architecture namespace on Docker Hub (`arm64v8/python` is arm64 only);
//! 3. the built-in tables generated from the official-images library (`crate::archdb`), with
//!    the version-line fallback (`mysql:5.7.44` answered as `mysql:5.7`).
//!
//! [`published`] says which source answered, or `None` when none did.

use crate::archdb::{self, Lookup};
use crate::settings::Settings;
use crate::values::image_ref::{self, ImageRef};
use crate::values::platform::Platform;

/// Which source knew an image's platforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Lockfile,
    Config,
    Namespace,
    BuiltIn,
}

/// What a source says about an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub platforms: Vec<Platform>,
    /// The tag of the version line that answered for a tag no source lists
    /// (`5.7` for `mysql:5.7.44`: [`archdb::line_candidates`]); `None` for the tag itself.
    pub via: Option<&'static str>,
    pub source: Source,
}

/// The platforms `image` is published for, or `None` when no source knows it (or the reference
/// is digest-only and not in the lockfile, so its tag cannot be looked up).
pub fn published_platforms(settings: &Settings, image: &ImageRef) -> Option<Vec<Platform>> {
    published(settings, image).map(|p| p.platforms)
}

/// What the sources say about `image`, most specific first; `None` when none knows it.
pub fn published(settings: &Settings, image: &ImageRef) -> Option<Published> {
    let exact = |platforms: Vec<Platform>, source| Published { platforms, via: None, source };
    if let Some(entry) = settings.lockfile.as_deref().and_then(|l| l.lookup(image)) {
        return Some(exact(entry.platforms.clone(), Source::Lockfile));
    }
    if let Some(configured) = settings.image_platforms(image) {
        return Some(exact(configured.to_vec(), Source::Config));
    }
    if image.registry == image_ref::DOCKER_HUB {
        if let Some(p) =
            image.repository.split_once('/').and_then(|(ns, _)| Platform::from_bashbrew(ns))
        {
            return Some(exact(vec![p], Source::Namespace));
        }
    }
    // a mirror of Docker Hub serves the same manifests
    match archdb::lookup(&image.hub_name(), image.effective_tag()?) {
        Lookup::Known { platforms, via } => Some(Published {
            platforms: platforms.iter().filter_map(|s| Platform::parse(s).ok()).collect(),
            via,
            source: Source::BuiltIn,
        }),
        Lookup::UnknownTag | Lookup::UnknownImage => None,
    }
}

/// Whether an image reference as written counts as one whose platforms no source knows:
/// a reference that can be looked up (no unresolved variable, a tag or no tag, not digest-only,
/// not `scratch`) for which [`published`] has no answer.
pub fn platforms_unknown(settings: &Settings, reference: &str) -> bool {
    if image_ref::has_variable(reference) || reference.eq_ignore_ascii_case("scratch") {
        return false;
    }
    let Ok(image) = ImageRef::parse(reference) else { return false };
    // `docker.io/library/<name>` holds only the official images: a name none of them has is a
    // named build context (`docker buildx bake`, `--build-context`) or a local image, which no
    // registry can answer for.
    if image.official_name().is_some() && !archdb::knows_image(&image.name()) {
        return false;
    }
    image.effective_tag().is_some() && published(settings, &image).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).expect("platform")
    }

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).expect("reference")
    }

    #[test]
    fn unknown_platforms() {
        let settings = Settings::default();
        assert!(platforms_unknown(&settings, "ghcr.io/example/tools:1"));
        assert!(platforms_unknown(&settings, "python:2.7.18"), "an official image, tag unknown");
        assert!(!platforms_unknown(&settings, "python:3.13"), "in the table");
        assert!(!platforms_unknown(&settings, "devcontainer"), "no such official image");
        assert!(!platforms_unknown(&settings, "library/devcontainer:1"));
        assert!(platforms_unknown(&settings, "team/devcontainer:1"), "a Hub namespace");
        assert!(!platforms_unknown(&settings, "ghcr.io/x/y:${TAG}"), "not resolved");
        assert!(!platforms_unknown(&settings, "scratch"));
    }

    #[test]
    fn sources_in_order() {
        let settings = Settings::default();
        assert_eq!(
            published_platforms(&settings, &r("arm64v8/ubuntu:22.04")),
            Some(vec![p("linux/arm64")])
        );
        let mysql = published_platforms(&settings, &r("mysql:8.4")).expect("in the table");
        assert!(mysql.contains(&p("linux/arm64")) && !mysql.contains(&p("linux/arm/v7")));
        assert_eq!(published_platforms(&settings, &r("registry.example.com/team/app:1")), None);
        let digest = format!("mysql@sha256:{}", "a".repeat(64));
        assert_eq!(published_platforms(&settings, &r(&digest)), None);
    }

    /// `edgelint.lock` > the configuration's `images:` > the built-in table.
    #[test]
    fn lockfile_comes_first() {
        use crate::lockfile::Lockfile;
        let a = format!("sha256:{}", "a".repeat(64));
        let text = format!(
            "# edgelint.lock format 1\n\
             docker.io/library/mysql:8.4\t{a}\tlinux/riscv64\t2026-12-04\n\
             registry.example.com/team/app:1\t{a}\tlinux/arm/v7\t2026-12-04\n"
        );
        let lock = Lockfile::parse(&text).expect("lockfile");
        let mut settings = Settings::default();
        let config = crate::config::parse::parse(
            "x.yaml",
            "images:\n  registry.example.com/team/app: [linux/amd64]\n  registry.example.com/team/other: [linux/amd64]\n  mysql:9.0: [linux/s390x]\n",
        )
        .expect("config");
        settings.images.extend(config.images);
        let known = |settings: &Settings, s: &str| match published(settings, &r(s)) {
            Some(Published { platforms, source, .. }) => {
                (platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(","), source)
            }
            None => ("unknown".to_string(), Source::BuiltIn),
        };
        // Without a lockfile: the configuration, then the table.
        assert_eq!(known(&settings, "registry.example.com/team/app:1").1, Source::Config);
        assert_eq!(known(&settings, "mysql:8.4").1, Source::BuiltIn);
        settings.lockfile = Some(std::sync::Arc::new(lock));
        assert_eq!(
            known(&settings, "registry.example.com/team/app:1"),
            ("linux/arm/v7".to_string(), Source::Lockfile)
        );
        assert_eq!(known(&settings, "mysql:8.4"), ("linux/riscv64".to_string(), Source::Lockfile));
        // Tag-specific: other tags fall through.
        assert_eq!(known(&settings, "registry.example.com/team/app:2").1, Source::Config);
        assert_eq!(known(&settings, "registry.example.com/team/other:1").1, Source::Config);
        assert_eq!(known(&settings, "mysql:9.0").1, Source::Config);
        // A pinned digest is looked up by digest.
        assert_eq!(known(&settings, &format!("mysql@{a}")).1, Source::Lockfile);
    }
}
