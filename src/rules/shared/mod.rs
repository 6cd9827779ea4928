//! Logic shared by several rules (or by the three formats of one rule).

pub mod arch_scan;
