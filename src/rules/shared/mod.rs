//! Logic shared by several rules (not facts: those are in [`crate::semantic`]).

pub mod arch_scan;
pub mod limits;
