//! edgelint: lints Dockerfiles, Compose files and Kubernetes manifests for the mistakes that make
//! containers fail on edge devices.

pub mod diagnostic;
pub mod document;
pub mod rules;
pub mod settings;
pub mod source;
