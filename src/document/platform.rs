//! OCI platforms (`os/arch[/variant]`), their normalisation and host compatibility.
//! TODO(helper): implement per edge-semantics §13.

use std::fmt;

/// A normalised platform: `linux/arm/v7`, `linux/arm64`, `windows/amd64`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}
