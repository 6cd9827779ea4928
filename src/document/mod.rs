//! The parsed document handed to the rules: [`Document`] (one per file) and [`FileKind`].
//!
//! The layers below it live in their own modules: [`crate::syntax`] (the Dockerfile adapter,
//! the YAML span tree), [`crate::model`] (the Compose and Kubernetes views, the shared container
//! view) and [`crate::values`] (image references, platforms, quantities, bytes, durations,
//! interpolation). Their old paths under `document::` are kept as re-exports.

pub use crate::model::{compose, container, kubernetes};
pub use crate::syntax::{dockerfile, text, yaml};
pub use crate::values::{bytes, duration, image_ref, interpolate, platform, quantity};

use serde::Serialize;
use std::fmt;

/// The three kinds of file edgelint reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Dockerfile,
    Compose,
    Kubernetes,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [FileKind::Dockerfile, FileKind::Compose, FileKind::Kubernetes];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
            FileKind::Kubernetes => "kubernetes",
        }
    }

    pub fn parse(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed file, ready for the rules.
#[derive(Debug)]
pub enum Document {
    Dockerfile(dockerfile::Dockerfile),
    Compose(compose::ComposeFile),
    Kubernetes(kubernetes::Manifests),
}

impl Document {
    pub fn kind(&self) -> FileKind {
        match self {
            Document::Dockerfile(_) => FileKind::Dockerfile,
            Document::Compose(_) => FileKind::Compose,
            Document::Kubernetes(_) => FileKind::Kubernetes,
        }
    }
}
