//! Mutation test over the shared corpus (skipped when absent): every file, cut short at several
//! points and with bytes flipped by a fixed-seed generator, goes through `lint_source` with all
//! rules (as the CLI reads it: invalid UTF-8 replaced), then through every renderer. Zero
//! panics allowed; a failure names the file and the mutation, so it can be reproduced.
//!
//! Cost: 8 mutants per file, about 29,000 lints, on all cores; well under a minute in a debug
//! build on two cores.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use edgelint::render::{self, Format, RenderOptions};
use edgelint::settings::Settings;
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// xorshift64*: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    /// Seeded from the file's path (FNV-1a), so a file's mutants do not depend on the order.
    fn for_path(path: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in path.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that change the structure of YAML and Dockerfiles, besides random ones.
const INTERESTING: &[u8] = b":-[]{}&*!|>#'\"\\\n\r\t $<@%,?=\xff\x00";

/// The mutants of one file: (description, bytes).
fn mutants(path: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let len = bytes.len();
    for (num, den) in [(1, 4), (1, 2), (3, 4)] {
        let at = len * num / den;
        out.push((format!("truncated at {at}"), bytes[..at].to_vec()));
    }
    if len > 0 {
        out.push((format!("truncated at {}", len - 1), bytes[..len - 1].to_vec()));
    }
    let mut rng = Rng::for_path(path);
    for mutant in 0..4 {
        if len == 0 {
            break;
        }
        let mut m = bytes.to_vec();
        let flips = 1 + rng.below(8);
        let mut changes = Vec::new();
        for _ in 0..flips {
            let at = rng.below(len);
            let new = if rng.next() % 2 == 0 {
                INTERESTING[rng.below(INTERESTING.len())]
            } else {
                (rng.next() >> 56) as u8
            };
            m[at] = new;
            changes.push(format!("{at}={new:#04x}"));
        }
        out.push((format!("flip #{mutant}: {}", changes.join(" ")), m));
    }
    out
}

fn lint_and_render(path: &str, bytes: &[u8], settings: &Settings) {
    let text = String::from_utf8_lossy(bytes).into_owned();
    if let Ok(report) = edgelint::lint_source(path, text, settings) {
        let reports = [report];
        for &format in Format::all() {
            let mut sink = Vec::new();
            render::render(format, &reports, &RenderOptions::default(), &mut sink).expect("render");
        }
    }
}

#[test]
fn mutated_corpus_files_never_panic() {
    let Some(corpus) = common::corpus() else {
        eprintln!("../shared/corpus not present: skipped");
        return;
    };
    let files = common::corpus_files(&corpus);
    assert!(files.len() > 3000, "{} corpus files", files.len());
    let settings = Settings::default();
    let start = std::time::Instant::now();
    let results: Vec<(usize, Vec<String>)> = files
        .par_iter()
        .map(|(rel, abs)| {
            let bytes = std::fs::read(abs).expect("corpus file");
            let mut failures = Vec::new();
            let all = mutants(rel, &bytes);
            for (what, m) in &all {
                if catch_unwind(AssertUnwindSafe(|| lint_and_render(rel, m, &settings))).is_err() {
                    failures.push(format!("{rel}: {what}"));
                }
            }
            (all.len(), failures)
        })
        .collect();
    let count: usize = results.iter().map(|r| r.0).sum();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.1).collect();
    eprintln!("{count} mutants of {} files in {:?}", files.len(), start.elapsed());
    assert!(failures.is_empty(), "{} of {count} mutants panicked:\n{failures:#?}", failures.len());
}

#[test]
fn mutants_are_deterministic() {
    let a = mutants("x/Dockerfile", b"FROM alpine\nRUN echo hi\n");
    let b = mutants("x/Dockerfile", b"FROM alpine\nRUN echo hi\n");
    assert_eq!(a, b);
    assert_eq!(a.len(), 8);
    assert_eq!(a[0], ("truncated at 6".to_string(), b"FROM a".to_vec()));
    assert!(mutants("empty", b"").iter().all(|(_, m)| m.is_empty()));
}
