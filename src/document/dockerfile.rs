//! TODO
#[derive(Debug, Default)]
pub struct Dockerfile {}
