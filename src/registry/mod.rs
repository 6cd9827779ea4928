//! Registry knowledge of image platforms, for `edgelint images lock|check` only (lint runs
//! never open a socket; they read `edgelint.lock`, see [`crate::lockfile`]).
//!
//! - [`client`]: the OCI distribution API over ureq (rustls): manifests, config blobs, the
//!   anonymous and credentialed token flow, Basic auth, timeouts, retries with backoff.
//! - [`media`]: manifest media types (OCI index, Docker manifest list, single manifests,
//!   attestation manifests ignored).
//! - [`auth`]: `WWW-Authenticate` challenges.
//! - [`credentials`]: the Docker config file (`auths`, `credHelpers`, `credsStore`).
//!
//! [`resolve_all`] asks for many references at once: each distinct reference once per run,
//! with a bounded number of threads.

pub mod auth;
pub mod client;
pub mod credentials;
pub mod media;

use crate::document::image_ref::ImageRef;
use crate::document::platform::Platform;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// At most this many requests are in flight.
pub const MAX_CONCURRENCY: usize = 8;

/// What a registry says about a reference now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The digest of what the reference points at (an index, or a single manifest).
    pub digest: String,
    /// The image platforms, normalised, sorted, without attestations.
    pub platforms: Vec<Platform>,
}

/// Why a reference could not be resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The tag (or digest, or repository) does not exist.
    NotFound,
    /// Credentials are missing or refused.
    Unauthorized,
    /// The registry could not be reached (after retries).
    Network,
    /// The registry answered something edgelint cannot use.
    Registry,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveError {
    pub kind: ErrorKind,
    /// Plain words, lowercase first.
    pub message: String,
}

impl ResolveError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ResolveError {
        ResolveError { kind, message: message.into() }
    }
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Resolves every reference (callers pass each distinct reference once: the per-run cache),
/// with at most `threads` requests at a time, each with what was locked for it if anything
/// (see [`client::Client::resolve_with`]). `done` is called after each one (progress).
/// Results are in the order of `refs`.
pub fn resolve_all(
    client: &client::Client,
    refs: &[(ImageRef, Option<Resolved>)],
    threads: usize,
    done: &(dyn Fn(&ImageRef) + Sync),
) -> Vec<Result<Resolved, ResolveError>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Resolved, ResolveError>>>> =
        Mutex::new(vec![None; refs.len()]);
    let workers = threads.clamp(1, MAX_CONCURRENCY).min(refs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((image, known)) = refs.get(i) else { break };
                let r = client.resolve_with(image, known.as_ref());
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
                done(image);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(ResolveError::new(ErrorKind::Registry, "internal error"))))
        .collect()
}
