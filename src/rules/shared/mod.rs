//! Logic shared by several rules.

pub mod arch_scan;
pub mod limits;
pub mod probe;
pub mod published;
pub mod stateful;
pub mod targets;
