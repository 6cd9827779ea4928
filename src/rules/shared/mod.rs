//! Logic shared by several rules.

pub mod limits;
