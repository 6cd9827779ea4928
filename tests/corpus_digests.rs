//! The corpus output, pinned per rule: `tests/corpus-digests.txt` holds one line per rule,
//! `rule<TAB>count<TAB>sha256` of that rule's findings on the shared corpus (the command line's
//! `--format json` output, each finding as one stable text line, sorted). A change to a rule
//! changes its line only; a new rule adds a line.
//!
//! A second guard pins the whole output byte for byte: `tests/corpus-output.sha256` is the
//! SHA-256 of the complete `--format json` output over the corpus. Optimisations must leave it
//! unchanged; a rule change changes it along with its rule's line above.
//!
//! Skipped (with a note) when `../shared/corpus` is absent. After an intended change,
//! regenerate both with `EDGELINT_BLESS=1 cargo test --test corpus_digests` and review the diff.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

const DIGESTS: &str = "tests/corpus-digests.txt";
const OUTPUT_DIGEST: &str = "tests/corpus-output.sha256";

/// With `EDGELINT_BLESS` set, writes `actual` to `file` and returns `None`; else the stored text.
fn blessed_or_stored(file: &str, actual: &str) -> Option<String> {
    let path = common::root().join(file);
    if std::env::var_os("EDGELINT_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write digests");
        eprintln!("wrote {file}");
        return None;
    }
    Some(std::fs::read_to_string(&path).unwrap_or_default())
}

/// The corpus's `--format json` output, run from the corpus's parent so paths are relative.
fn corpus_json() -> Option<Vec<u8>> {
    let corpus = common::corpus()?.canonicalize().expect("corpus path");
    let parent = corpus.parent().expect("corpus parent");
    let name = corpus.file_name().and_then(|n| n.to_str()).expect("corpus name");
    let out = common::run(&["--format", "json", "--exit-zero", name], parent);
    assert!(out.status.success(), "edgelint failed: {}", common::stderr(&out));
    Some(out.stdout)
}

#[test]
fn corpus_output_is_byte_identical() {
    let Some(out) = corpus_json() else {
        eprintln!("../shared/corpus not present: corpus output digest not checked");
        return;
    };
    let text = String::from_utf8(out).expect("UTF-8 output");
    let actual = format!("{}  {} bytes\n", common::sha256_hex(&text), text.len());
    let Some(expected) = blessed_or_stored(OUTPUT_DIGEST, &actual) else { return };
    assert_eq!(
        actual.trim(),
        expected.trim(),
        "the corpus's `--format json` output is no longer byte-identical to {OUTPUT_DIGEST}. \
         An optimisation must not change it; after an intended rule change, regenerate with \
         `EDGELINT_BLESS=1 cargo test --test corpus_digests` and review the per-rule diff."
    );
}

#[test]
fn corpus_output_per_rule_is_unchanged() {
    let Some(out) = corpus_json() else {
        eprintln!("../shared/corpus not present: corpus digests not checked");
        return;
    };
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON output");

    let mut per_rule: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in json["diagnostics"].as_array().expect("diagnostics") {
        let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
        let pos = |k: &str| format!("{}:{}", d[k]["line"], d[k]["column"]);
        let line = format!(
            "{}:{}-{}\t{}\t{}\t{}\t{}",
            s("path"),
            pos("start"),
            pos("end"),
            s("kind"),
            s("severity"),
            s("message"),
            s("help")
        );
        per_rule.entry(s("rule")).or_default().push(line);
    }
    let mut actual = String::new();
    for (rule, lines) in &mut per_rule {
        lines.sort();
        let _ =
            writeln!(actual, "{rule}\t{}\t{}", lines.len(), common::sha256_hex(&lines.join("\n")));
    }

    let Some(expected) = blessed_or_stored(DIGESTS, &actual) else { return };
    let parse = |text: &str| -> BTreeMap<String, String> {
        text.lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(rule, rest)| (rule.to_string(), rest.to_string()))
            .collect()
    };
    let (want, got) = (parse(&expected), parse(&actual));
    let mut changed = Vec::new();
    for rule in want.keys().chain(got.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (w, g) = (want.get(rule), got.get(rule));
        if w != g {
            changed.push(format!(
                "  {rule}: expected {}, got {}",
                w.map_or("nothing", String::as_str),
                g.map_or("nothing", String::as_str)
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "the corpus output changed for these rules (count\tsha256):\n{}\n\
         If the change is intended, regenerate {DIGESTS} with \
         `EDGELINT_BLESS=1 cargo test --test corpus_digests` and review the diff.",
        changed.join("\n")
    );
}

#[test]
fn sha256_matches_known_values() {
    assert_eq!(
        common::sha256_hex(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        common::sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
