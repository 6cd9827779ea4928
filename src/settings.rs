//! The effective settings for one file: defaults, then the configuration files that apply to it
//! (see [`crate::config`]), then the command line. [`crate::lint_source`] takes them as they are;
//! the command line computes them per file.

use crate::diagnostic::Severity;
use crate::document::FileKind;
use crate::rules::option::Owned;
use crate::values::image_ref::ImageRef;
use crate::values::platform::Platform;
use crate::values::quantity::Quantity;
use globset::GlobMatcher;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Target platforms the deployment must run on.
    pub platforms: Vec<Platform>,
    /// Whether `platforms` was given by the user (command line or configuration) rather than
    /// defaulted.
    pub platforms_configured: bool,
    /// Only these rules run (empty: all). From `--select`: it overrides `off` in configuration.
    pub select: Vec<String>,
    /// These rules do not run. From `--ignore`: it wins over everything.
    pub ignore: Vec<String>,
    /// Force the file kind instead of detecting it.
    pub kind: Option<FileKind>,
    /// Per rule, from the configuration: its level and its options.
    pub rules: BTreeMap<String, RuleSettings>,
    /// Lowest severity that makes the exit code 1; `None`: never.
    pub failure_threshold: Option<Severity>,
    /// A suppression without `-- reason` does not suppress (and is an `invalid-suppression`).
    pub require_reason: bool,
    /// Platforms of images the knowledge base cannot know (`images:`).
    pub images: ImagePlatforms,
    /// Registry hosts that count as local (`registries.local`).
    pub registries_local: Vec<String>,
    /// The target device (`device:`).
    pub device: Option<Device>,
    /// The nearest `edgelint.lock` (see [`crate::lockfile`]), the most specific knowledge of
    /// image platforms.
    pub lockfile: Option<std::sync::Arc<crate::lockfile::Lockfile>>,
    /// The baseline file (absolute) from `baseline:` or `--baseline`: findings it holds are
    /// not reported (see [`crate::baseline`]).
    pub baseline: Option<std::path::PathBuf>,
}

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" => Some(Level::Off),
            other => Severity::parse(other).map(Level::On),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
        }
    }
}

/// What the configuration says about one rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleSettings {
    /// `off` or a severity that replaces the severity of every finding of the rule (its own
    /// escalations and downgrades included); `None`: on, at the rule's own severities.
    pub level: Option<Level>,
    /// Configured options; an option not here has its declared default.
    pub options: BTreeMap<String, Owned>,
}

impl RuleSettings {
    /// Lays `other` over `self`: its level if it has one, its options one by one.
    pub fn merge(&mut self, other: &RuleSettings) {
        if other.level.is_some() {
            self.level = other.level;
        }
        for (k, v) in &other.options {
            self.options.insert(k.clone(), v.clone());
        }
    }
}

/// The device the workloads run on (`device:`), for rules that compare requests with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Device {
    pub cpu: Option<Quantity>,
    pub memory: Option<Quantity>,
    /// What the OS and the node agent keep for themselves (`reserved:`).
    pub reserved_cpu: Option<Quantity>,
    pub reserved_memory: Option<Quantity>,
}

/// One `images:` entry.
#[derive(Clone, Debug)]
pub struct ImageEntry {
    /// As written in the configuration.
    pub pattern: String,
    pub matcher: ImageMatcher,
    pub platforms: Vec<Platform>,
}

/// How an `images:` key matches an image.
#[derive(Clone, Debug)]
pub enum ImageMatcher {
    /// A name (normalised, `python` → `docker.io/library/python`), and a tag if one was written.
    Exact { name: String, tag: Option<String> },
    /// A glob over the normalised name and the familiar name (`*` does not cross `/`).
    Glob(GlobMatcher),
}

/// The `images:` table. Lookups try the most specific entry first: an exact name with its tag,
/// then an exact name, then globs, longest pattern first (ties: the entry written later, i.e.
/// the nearer configuration, wins).
#[derive(Clone, Debug, Default)]
pub struct ImagePlatforms {
    entries: Vec<ImageEntry>,
}

impl ImagePlatforms {
    /// Adds entries; for the same pattern, a later entry replaces an earlier one.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = ImageEntry>) {
        for e in entries {
            self.entries.retain(|old| old.pattern != e.pattern);
            self.entries.push(e);
        }
    }

    pub fn entries(&self) -> &[ImageEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The configured platforms of an image, if an entry matches it.
    pub fn lookup(&self, image: &ImageRef) -> Option<&[Platform]> {
        let name = image.name();
        let familiar = image.familiar_name();
        let mut best: Option<(u8, usize, usize)> = None; // (rank, pattern length, index)
        for (i, e) in self.entries.iter().enumerate() {
            let rank = match &e.matcher {
                ImageMatcher::Exact { name: n, tag: Some(t) } => {
                    (*n == name && image.tag.as_deref() == Some(t.as_str())).then_some(3)
                }
                ImageMatcher::Exact { name: n, tag: None } => (*n == name).then_some(2),
                ImageMatcher::Glob(g) => (g.is_match(&name) || g.is_match(&familiar)).then_some(1),
            };
            let Some(rank) = rank else { continue };
            let key = (rank, e.pattern.len(), i);
            if best.is_none_or(|b| key >= b) {
                best = Some(key);
            }
        }
        best.map(|(_, _, i)| self.entries[i].platforms.as_slice())
    }
}

/// The platforms edge teams pass to `docker buildx build --platform` (rule catalogue,
/// "Target platforms").
pub fn default_platforms() -> Vec<Platform> {
    [("amd64", None), ("arm64", None), ("arm", Some("v7"))]
        .into_iter()
        .map(|(arch, variant)| Platform {
            os: "linux".to_string(),
            arch: arch.to_string(),
            variant: variant.map(str::to_string),
        })
        .collect()
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            platforms: default_platforms(),
            platforms_configured: false,
            select: Vec::new(),
            ignore: Vec::new(),
            kind: None,
            rules: BTreeMap::new(),
            failure_threshold: Some(Severity::Info),
            require_reason: false,
            images: ImagePlatforms::default(),
            registries_local: Vec::new(),
            device: None,
            lockfile: None,
            baseline: None,
        }
    }
}

impl Settings {
    /// Whether a rule runs. `--ignore` wins over everything; a non-empty `--select` decides
    /// alone (it turns on a rule the configuration turned `off`, since the command line comes
    /// first); otherwise the configuration's `off` turns a rule off. The built-in findings
    /// (`parse-error`, `file-too-large`) are never dropped by `--select` (a file that cannot be
    /// read is always worth saying).
    pub fn rule_enabled(&self, name: &str) -> bool {
        if self.ignore.iter().any(|s| s == name) {
            return false;
        }
        if !self.select.is_empty() {
            return crate::diagnostic::BUILT_IN_RULES.contains(&name)
                || self.select.iter().any(|s| s == name);
        }
        self.rules.get(name).and_then(|r| r.level) != Some(Level::Off)
    }

    /// The configured severity of a rule, which replaces the severity of all its findings.
    pub fn rule_severity(&self, name: &str) -> Option<Severity> {
        match self.rules.get(name).and_then(|r| r.level) {
            Some(Level::On(s)) => Some(s),
            _ => None,
        }
    }

    /// A configured option value (`None`: not configured, the declared default applies).
    pub fn rule_option(&self, rule: &str, option: &str) -> Option<&Owned> {
        self.rules.get(rule).and_then(|r| r.options.get(option))
    }

    /// The platforms `images:` gives for an image, if an entry matches it.
    pub fn image_platforms(&self, image: &ImageRef) -> Option<&[Platform]> {
        self.images.lookup(image)
    }

    /// Whether a registry host is listed in `registries.local` (compared case-insensitively).
    pub fn is_local_registry(&self, host: &str) -> bool {
        self.registries_local.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(pattern: &str, platforms: &[&str]) -> ImageEntry {
        let matcher = if pattern.contains(['*', '?', '[', '{']) {
            ImageMatcher::Glob(
                globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                    .unwrap()
                    .compile_matcher(),
            )
        } else {
            let r = ImageRef::parse(pattern).unwrap();
            ImageMatcher::Exact { name: r.name(), tag: r.tag }
        };
        ImageEntry {
            pattern: pattern.to_string(),
            matcher,
            platforms: platforms.iter().map(|p| Platform::parse(p).unwrap()).collect(),
        }
    }

    fn lookup(images: &ImagePlatforms, image: &str) -> Option<Vec<String>> {
        images
            .lookup(&ImageRef::parse(image).unwrap())
            .map(|ps| ps.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn image_lookup_most_specific_first() {
        let mut images = ImagePlatforms::default();
        images.extend([
            entry("registry.example.com/team/*", &["linux/amd64"]),
            entry("registry.example.com/team/app", &["linux/arm64"]),
            entry("registry.example.com/team/app:old", &["linux/arm/v7"]),
            entry("registry.example.com/**", &["linux/riscv64"]),
            entry("myorg/tool", &["linux/arm64", "linux/amd64"]),
        ]);
        assert_eq!(
            lookup(&images, "registry.example.com/team/app:1"),
            Some(vec!["linux/arm64".into()])
        );
        assert_eq!(
            lookup(&images, "registry.example.com/team/app:old"),
            Some(vec!["linux/arm/v7".into()])
        );
        assert_eq!(
            lookup(&images, "registry.example.com/team/db"),
            Some(vec!["linux/amd64".into()])
        );
        assert_eq!(
            lookup(&images, "registry.example.com/other/x/y"),
            Some(vec!["linux/riscv64".into()])
        );
        // Names are normalised: `myorg/tool` is `docker.io/myorg/tool`.
        assert_eq!(lookup(&images, "docker.io/myorg/tool:2").map(|v| v.len()), Some(2));
        assert_eq!(lookup(&images, "python:3"), None);
        // The familiar name matches globs too.
        let mut images = ImagePlatforms::default();
        images.extend([entry("python*", &["linux/amd64"])]);
        assert!(lookup(&images, "python:3").is_some());
        assert!(lookup(&images, "library/python:3").is_some());
    }

    #[test]
    fn later_entry_for_the_same_pattern_replaces() {
        let mut images = ImagePlatforms::default();
        images.extend([entry("a/b", &["linux/amd64"])]);
        images.extend([entry("a/b", &["linux/arm64"])]);
        assert_eq!(images.entries().len(), 1);
        assert_eq!(lookup(&images, "a/b"), Some(vec!["linux/arm64".into()]));
    }

    #[test]
    fn select_overrides_off_and_ignore_wins() {
        let mut s = Settings::default();
        s.rules.insert("x".into(), RuleSettings { level: Some(Level::Off), ..Default::default() });
        assert!(!s.rule_enabled("x"));
        assert!(s.rule_enabled("y"));
        s.select = vec!["x".into()];
        assert!(s.rule_enabled("x"));
        assert!(!s.rule_enabled("y"));
        assert!(s.rule_enabled(crate::diagnostic::PARSE_ERROR));
        s.ignore = vec!["x".into()];
        assert!(!s.rule_enabled("x"));
    }
}
