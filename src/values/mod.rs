//! Value parsers shared by the three formats: [`image_ref`] (image references), [`platform`]
//! (OCI platforms, normalisation, compatibility, architecture namings), [`quantity`]
//! (Kubernetes quantities), [`port_name`] (Kubernetes port names), [`bytes`] (Compose byte
//! values and CPUs), [`duration`] (Go durations) and [`interpolate`] (`${VAR:-default}`
//! substitution).

pub mod bytes;
pub mod duration;
pub mod image_ref;
pub mod interpolate;
pub mod platform;
pub mod port_name;
pub mod quantity;
