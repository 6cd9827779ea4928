//! Which platforms an image is published for: the one lookup both architecture rules use, with
//! its sources most specific first (a lockfile of resolved digests would slot in first).
//!
//! 1. the configuration's `images:` (private images the built-in table cannot know);
//! 2. a bashbrew architecture namespace on Docker Hub (`arm64v8/python` is arm64 only);
//! 3. the built-in table generated from the official-images library (`crate::archdb`).

use crate::archdb::{self, Lookup};
use crate::settings::Settings;
use crate::values::image_ref::{self, ImageRef};
use crate::values::platform::Platform;

/// What a source says about an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub platforms: Vec<Platform>,
    /// The tag of the version line that answered for a tag no source lists
    /// (`5.7` for `mysql:5.7.44`: [`archdb::line_candidates`]); `None` for the tag itself.
    pub via: Option<&'static str>,
}

/// The platforms `image` is published for, or `None` when no source knows it (or the reference
/// is digest-only, so its tag cannot be looked up).
pub fn published_platforms(settings: &Settings, image: &ImageRef) -> Option<Vec<Platform>> {
    published(settings, image).map(|p| p.platforms)
}

/// [`published_platforms`], saying whether a version line answered for the tag.
pub fn published(settings: &Settings, image: &ImageRef) -> Option<Published> {
    let exact = |platforms: Vec<Platform>| Published { platforms, via: None };
    if let Some(configured) = settings.image_platforms(image) {
        return Some(exact(configured.to_vec()));
    }
    if image.registry == image_ref::DOCKER_HUB {
        if let Some(p) =
            image.repository.split_once('/').and_then(|(ns, _)| Platform::from_bashbrew(ns))
        {
            return Some(exact(vec![p]));
        }
    }
    match archdb::lookup(&image.name(), image.effective_tag()?) {
        Lookup::Known { platforms, via } => Some(Published {
            platforms: platforms.iter().filter_map(|s| Platform::parse(s).ok()).collect(),
            via,
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
}
