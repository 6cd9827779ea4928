//! Logic shared by several rules (and by the formats of one rule). Facts about values (image
//! references, quantities, durations, platforms) live in `crate::document`; what is here is rule
//! knowledge.

pub mod stateful;
