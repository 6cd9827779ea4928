//! Settings for one lint run (from the command line; the configuration file comes later).

use crate::document::platform::Platform;
use crate::document::FileKind;

#[derive(Clone, Debug, Default)]
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
