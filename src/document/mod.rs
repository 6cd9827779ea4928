//! Parsed inputs. Every value keeps its byte span.
//!
//! Parsers: [`dockerfile`] (adapter over parse-dockerfile) and [`yaml`] (span tree over
//! granit-parser events). Views over the YAML tree: [`compose`] and [`kubernetes`]. Shared value
//! parsers used by all three formats: [`image_ref`], [`platform`], [`quantity`], [`bytes`],
//! [`duration`], [`interpolate`]. The container view shared by Compose and Kubernetes:
//! [`container`].

pub mod bytes;
pub mod compose;
pub mod container;
pub mod dockerfile;
pub mod duration;
pub mod image_ref;
pub mod interpolate;
pub mod kubernetes;
pub mod platform;
pub mod quantity;
pub mod text;
pub mod yaml;

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
