//! Parse-only throughput: the ceiling the whole pipeline is held against.
//!
//! `cargo bench --bench parse [-- CORPUS]` reads every corpus file once into memory (timed: the
//! cost of just reading), then parses each YAML file into the span tree and each Dockerfile
//! with the adapter, several rounds, and prints the median MB/s of each as tab-separated
//! `name<TAB>value` lines for `bench/run.sh`. Not a test: nothing here asserts a time.

use edgelint::classify::{classify, Classification};
use edgelint::document::FileKind;
use edgelint::source::SourceFile;
use std::path::{Path, PathBuf};
use std::time::Instant;

const ROUNDS: usize = 7;

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let root = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from("../shared/corpus"), PathBuf::from);
    let paths = files(&root);
    let mut read_times = Vec::new();
    let mut texts = Vec::new();
    for round in 0..3 {
        let start = Instant::now();
        let mut loaded = Vec::with_capacity(paths.len());
        for p in &paths {
            if let Ok(bytes) = std::fs::read(p) {
                loaded.push((p.clone(), bytes));
            }
        }
        read_times.push(start.elapsed().as_secs_f64());
        if round == 0 {
            texts = loaded;
        }
    }
    let mut yaml = Vec::new();
    let mut docker = Vec::new();
    for (path, bytes) in &texts {
        let Ok(text) = std::str::from_utf8(bytes) else { continue };
        match classify(path, text) {
            Classification::Dockerfile => {
                docker.push(SourceFile::new(path.to_string_lossy(), text));
            }
            Classification::Compose | Classification::Kubernetes => {
                yaml.push(SourceFile::new(path.to_string_lossy(), text));
            }
            _ => {}
        }
    }
    let bytes = |v: &[SourceFile]| v.iter().map(|s| s.text.len()).sum::<usize>() as f64;
    let rate = |v: &[SourceFile], kind: FileKind| {
        let mut rates = Vec::new();
        for _ in 0..ROUNDS {
            let start = Instant::now();
            for s in v {
                std::hint::black_box(edgelint::parse(s, kind));
            }
            rates.push(bytes(v) / 1e6 / start.elapsed().as_secs_f64());
        }
        median(rates)
    };
    println!("files\t{}", texts.len());
    println!("read_all_ms\t{:.1}", median(read_times) * 1e3);
    println!("yaml_files\t{}", yaml.len());
    println!("yaml_mb\t{:.2}", bytes(&yaml) / 1e6);
    println!("yaml_mb_per_s\t{:.1}", rate(&yaml, FileKind::Kubernetes));
    println!("dockerfile_files\t{}", docker.len());
    println!("dockerfile_mb\t{:.2}", bytes(&docker) / 1e6);
    println!("dockerfile_mb_per_s\t{:.1}", rate(&docker, FileKind::Dockerfile));
}
