//! TODO
#[derive(Debug, Default)]
pub struct ComposeFile {}
