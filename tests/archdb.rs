//! Keeps `data/archdb.tsv` in sync with the official-images library it is generated from.
//!
//! When `../shared/data/official-images-library` exists next to the crate, the table is
//! regenerated and compared with the committed file; with `EDGELINT_REGENERATE_ARCHDB=1` the
//! file is rewritten instead. Without the library the test prints a note and passes.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn archdb_table_matches_the_official_images_library() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let library = crate_dir.join("../shared/data/official-images-library");
    let table_path = crate_dir.join("data/archdb.tsv");
    if !library.is_dir() {
        eprintln!("skipping archdb regeneration check: {} not found", library.display());
        return;
    }
    let generated = match edgelint::archdb::generate::generate(&library) {
        Ok(text) => text,
        Err(e) => panic!("generating from {}: {e}", library.display()),
    };
    if std::env::var_os("EDGELINT_REGENERATE_ARCHDB").is_some_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&table_path, &generated) {
            panic!("writing {}: {e}", table_path.display());
        }
        eprintln!("wrote {} ({} bytes)", table_path.display(), generated.len());
        return;
    }
    let committed = std::fs::read_to_string(&table_path).unwrap_or_default();
    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        let line =
            |text: &str| text.lines().nth(first_difference).unwrap_or("<end of file>").to_owned();
        panic!(
            "data/archdb.tsv is stale (first difference at line {}):\n  committed: {}\n  generated: {}\n\
             regenerate with EDGELINT_REGENERATE_ARCHDB=1 cargo test --test archdb",
            first_difference + 1,
            line(&committed),
            line(&generated),
        );
    }
}
