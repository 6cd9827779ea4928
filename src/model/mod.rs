//! The model layer: views over the syntax trees with the fields the rules read, as written and
//! with spans. [`compose`] (services), [`kubernetes`] (objects, pod templates, containers) and
//! [`container`] (one container view over a Compose service or a Kubernetes container). The
//! effective values (defaults, targets, limits) are the semantic layer's ([`crate::semantic`]).

pub mod compose;
pub mod container;
pub mod kubernetes;
