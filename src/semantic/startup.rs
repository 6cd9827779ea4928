//! How long an image needs to start: the slow-start images of the catalogue, shared by
//! `aggressive-probe-timing` (a healthcheck without `start_period` on such an image) and
//! `short-startup-budget` (a probe window shorter than the image's start-up budget).
//!
//! The catalogue's default start-up budget is 60 s; these images get 120 s: JVMs (`*jdk*`,
//! `*jre*`, `*temurin*`, `*corretto*`), .NET (`*dotnet*`, `*aspnet*`), Elasticsearch and
//! SonarQube. On an edge device their first start also pays for page-cache misses on slow flash
//! and the decompression of freshly pulled layers.

use std::sync::LazyLock;

use globset::{Glob, GlobMatcher};

use crate::values::image_ref::ImageRef;

/// The start-up budget of an image no glob names, in seconds.
pub const DEFAULT_STARTUP_BUDGET_SECS: u64 = 60;

/// The catalogue's slow-start images: glob over the reference as written, budget in seconds.
pub const SLOW_START_IMAGES: &[(&str, u64)] = &[
    ("*jdk*", 120),
    ("*jre*", 120),
    ("*temurin*", 120),
    ("*corretto*", 120),
    ("*dotnet*", 120),
    ("*aspnet*", 120),
    ("*elasticsearch*", 120),
    ("*sonarqube*", 120),
];

static MATCHERS: LazyLock<Vec<(GlobMatcher, &'static str, u64)>> = LazyLock::new(|| {
    SLOW_START_IMAGES
        .iter()
        .filter_map(|&(glob, secs)| Some((Glob::new(glob).ok()?.compile_matcher(), glob, secs)))
        .collect()
});

/// A slow-starting image: the glob that named it and its start-up budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlowStart {
    pub glob: &'static str,
    pub budget_secs: u64,
}

/// What the globs are matched against: the repository and tag without the registry
/// (`eclipse-temurin:21-jre`, `dotnet/aspnet:8.0`), lowercase.
fn matched_text(image: &ImageRef) -> String {
    let repository = image.repository.strip_prefix("library/").unwrap_or(&image.repository);
    let mut shown = repository.to_string();
    if let Some(tag) = &image.tag {
        shown.push(':');
        shown.push_str(tag);
    }
    shown.to_ascii_lowercase()
}

/// Whether `image` starts slowly, by the first glob that matches its repository and tag
/// without the registry (`eclipse-temurin:21-jre`, `dotnet/aspnet:8.0`), case-insensitively.
pub fn slow_start(image: &ImageRef) -> Option<SlowStart> {
    let shown = matched_text(image);
    MATCHERS
        .iter()
        .find(|(m, _, _)| m.is_match(&shown))
        .map(|&(_, glob, budget_secs)| SlowStart { glob, budget_secs })
}

/// An image's start-up budget in seconds: the first of `overrides` (configured globs, matched
/// like the built-in ones) that matches, else the built-in list ([`slow_start`]), else
/// `default_secs`. Also returns the glob that decided, if any.
pub fn startup_budget<'a>(
    image: Option<&ImageRef>,
    overrides: &[(&'a str, i64)],
    default_secs: u64,
) -> (u64, Option<std::borrow::Cow<'a, str>>) {
    let Some(image) = image else { return (default_secs, None) };
    let shown = matched_text(image);
    for &(glob, secs) in overrides {
        let matches = Glob::new(&glob.to_ascii_lowercase())
            .is_ok_and(|g| g.compile_matcher().is_match(&shown));
        if matches {
            return (u64::try_from(secs).unwrap_or(0), Some(std::borrow::Cow::Borrowed(glob)));
        }
    }
    match slow_start(image) {
        Some(slow) => (slow.budget_secs, Some(std::borrow::Cow::Borrowed(slow.glob))),
        None => (default_secs, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(reference: &str) -> Option<&'static str> {
        slow_start(&ImageRef::parse(reference).expect("reference")).map(|s| s.glob)
    }

    #[test]
    fn the_catalogue_globs() {
        assert_eq!(slow("eclipse-temurin:21-jre"), Some("*jre*"));
        assert_eq!(slow("eclipse-temurin:21"), Some("*temurin*"));
        assert_eq!(slow("openjdk:8"), Some("*jdk*"));
        assert_eq!(slow("amazoncorretto:21"), Some("*corretto*"));
        assert_eq!(slow("mcr.microsoft.com/dotnet/aspnet:8.0"), Some("*dotnet*"));
        assert_eq!(slow("mcr.microsoft.com/azure-sql/aspnet-x:1"), Some("*aspnet*"));
        assert_eq!(
            slow("docker.elastic.co/elasticsearch/elasticsearch:9.1.0"),
            Some("*elasticsearch*")
        );
        assert_eq!(slow("sonarqube:lts-community"), Some("*sonarqube*"));
        assert_eq!(
            slow("ghcr.io/org/billing:1-JRE"),
            Some("*jre*"),
            "tags are matched case-insensitively"
        );
    }

    #[test]
    fn overrides_come_first() {
        let image = ImageRef::parse("registry.local:5000/historian:2.1").expect("reference");
        assert_eq!(startup_budget(Some(&image), &[], 60), (60, None));
        let (secs, glob) = startup_budget(Some(&image), &[("*HISTORIAN*", 300)], 60);
        assert_eq!((secs, glob.as_deref()), (300, Some("*HISTORIAN*")));
        let jre = ImageRef::parse("eclipse-temurin:21-jre").expect("reference");
        assert_eq!(startup_budget(Some(&jre), &[], 60).0, 120);
        assert_eq!(startup_budget(Some(&jre), &[("*temurin*", 90)], 60).0, 90);
        assert_eq!(startup_budget(None, &[], 45), (45, None));
    }

    #[test]
    fn other_images_start_in_the_default_budget() {
        assert_eq!(slow("nginx:1.27"), None);
        assert_eq!(slow("postgres:17"), None);
        assert_eq!(slow("python:3.13-slim"), None);
        // The registry host is not part of what is matched.
        assert_eq!(slow("jre.example.com/app:1"), None);
    }
}
