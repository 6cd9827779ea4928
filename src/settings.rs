//! Settings for one lint run (from the command line; the configuration file comes later).

use crate::document::platform::Platform;
use crate::document::FileKind;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Target platforms the deployment must run on.
    pub platforms: Vec<Platform>,
    /// Whether `platforms` was given by the user rather than defaulted.
    pub platforms_configured: bool,
    /// Only these rules run (empty: all).
    pub select: Vec<String>,
    /// These rules do not run.
    pub ignore: Vec<String>,
    /// Force the file kind instead of detecting it.
    pub kind: Option<FileKind>,
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
        }
    }
}

impl Settings {
    /// Whether a rule runs under `--select`/`--ignore`. The built-in findings (`parse-error`,
    /// `file-too-large`) are never dropped by `--select` (a file that cannot be read is always
    /// worth saying), only by `--ignore`.
    pub fn rule_enabled(&self, name: &str) -> bool {
        let selected = self.select.is_empty()
            || crate::diagnostic::BUILT_IN_RULES.contains(&name)
            || self.select.iter().any(|s| s == name);
        selected && !self.ignore.iter().any(|s| s == name)
    }
}
