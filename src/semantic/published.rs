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

/// The platforms `image` is published for, or `None` when no source knows it (or the reference
/// is digest-only, so its tag cannot be looked up).
pub fn published_platforms(settings: &Settings, image: &ImageRef) -> Option<Vec<Platform>> {
    if let Some(configured) = settings.image_platforms(image) {
        return Some(configured.to_vec());
    }
    if image.registry == image_ref::DOCKER_HUB {
        if let Some(p) =
            image.repository.split_once('/').and_then(|(ns, _)| Platform::from_bashbrew(ns))
        {
            return Some(vec![p]);
        }
    }
    match archdb::lookup(&image.name(), image.effective_tag()?) {
        Lookup::Known(list) => Some(list.iter().filter_map(|s| Platform::parse(s).ok()).collect()),
        Lookup::UnknownTag | Lookup::UnknownImage => None,
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
    }
}
