//! The syntax layer: text to trees with byte spans. [`dockerfile`] adapts parse-dockerfile
//! (stages, instructions, ARG scoping, heredocs, recovery); [`yaml`] builds a span tree over
//! granit-parser events (anchors, aliases, merge keys, comments, bounds); [`text`] is a scalar
//! with its span and raw position.

pub mod dockerfile;
pub mod text;
pub mod yaml;
