//! Logic shared by several rules: facts about the platforms (defaults, effective values) that
//! more than one rule reads.

pub mod probe;
