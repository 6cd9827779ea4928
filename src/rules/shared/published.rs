//! Which platforms an image is published for: the one lookup both architecture rules use, with
//! its sources most specific first:
//!
//! 0. `edgelint.lock` (what a registry said at `edgelint images lock`; [`crate::lockfile`]),
//!    by digest for a pinned reference, else by tag;
//! 1. the configuration's `images:` (private images the built-in table cannot know);
//! 2. a bashbrew architecture namespace on Docker Hub (`arm64v8/python` is arm64 only);
//! 3. the built-in table generated from the official-images library (`crate::archdb`).
//!
//! [`lookup`] says which source answered, or [`Published::Unknown`] when none did.

use crate::archdb::{self, Lookup};
use crate::document::image_ref::{self, ImageRef};
use crate::document::platform::Platform;
use crate::settings::Settings;

/// Which source knew an image's platforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Lockfile,
    Config,
    Namespace,
    BuiltIn,
}

/// What edgelint knows about the platforms of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Published {
    Known {
        platforms: Vec<Platform>,
        source: Source,
    },
    /// No source knows it: not in `edgelint.lock`, the configuration's `images:` or the
    /// built-in table (or a digest-only reference not in the lockfile). `single-arch-image`
    /// can say so ("platforms unknown: run `edgelint images lock`").
    Unknown,
}

impl Published {
    pub fn platforms(self) -> Option<Vec<Platform>> {
        match self {
            Published::Known { platforms, .. } => Some(platforms),
            Published::Unknown => None,
        }
    }
}

/// The platforms `image` is published for, or `None` when no source knows it (or the reference
/// is digest-only and not in the lockfile, so its tag cannot be looked up).
pub fn published_platforms(settings: &Settings, image: &ImageRef) -> Option<Vec<Platform>> {
    lookup(settings, image).platforms()
}

/// What the sources say about `image`, most specific first.
pub fn lookup(settings: &Settings, image: &ImageRef) -> Published {
    let known = |platforms, source| Published::Known { platforms, source };
    if let Some(entry) = settings.lockfile.as_deref().and_then(|l| l.lookup(image)) {
        return known(entry.platforms.clone(), Source::Lockfile);
    }
    if let Some(configured) = settings.image_platforms(image) {
        return known(configured.to_vec(), Source::Config);
    }
    if image.registry == image_ref::DOCKER_HUB {
        if let Some(p) =
            image.repository.split_once('/').and_then(|(ns, _)| Platform::from_bashbrew(ns))
        {
            return known(vec![p], Source::Namespace);
        }
    }
    let Some(tag) = image.effective_tag() else { return Published::Unknown };
    match archdb::lookup(&image.name(), tag) {
        Lookup::Known(list) => {
            known(list.iter().filter_map(|s| Platform::parse(s).ok()).collect(), Source::BuiltIn)
        }
        Lookup::UnknownTag | Lookup::UnknownImage => Published::Unknown,
    }
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
        assert_eq!(lookup(&settings, &r("registry.example.com/team/app:1")), Published::Unknown);
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
        let known = |settings: &Settings, s: &str| match lookup(settings, &r(s)) {
            Published::Known { platforms, source } => {
                (platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(","), source)
            }
            Published::Unknown => ("unknown".to_string(), Source::BuiltIn),
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
