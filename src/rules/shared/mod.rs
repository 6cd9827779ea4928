//! Logic shared by several rules.

pub mod probe;
pub mod targets;
