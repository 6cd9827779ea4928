//! TODO
#[derive(Debug, Default)]
pub struct Manifests {}
