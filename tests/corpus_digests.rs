//! The corpus output, pinned per rule: `tests/corpus-digests.txt` holds one line per rule,
//! `rule<TAB>count<TAB>sha256` of that rule's findings on the shared corpus (the command line's
//! `--format json` output, each finding as one stable text line, sorted). A change to a rule
//! changes its line only; a new rule adds a line.
//!
//! Skipped (with a note) when `../shared/corpus` is absent. After an intended change,
//! regenerate with `EDGELINT_BLESS=1 cargo test --test corpus_digests` and review the diff.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

const DIGESTS: &str = "tests/corpus-digests.txt";

#[test]
fn corpus_output_per_rule_is_unchanged() {
    let Some(corpus) = common::corpus() else {
        eprintln!("../shared/corpus not present: corpus digests not checked");
        return;
    };
    let corpus = corpus.canonicalize().expect("corpus path");
    let parent = corpus.parent().expect("corpus parent");
    let name = corpus.file_name().and_then(|n| n.to_str()).expect("corpus name");
    let out = common::run(&["--format", "json", "--exit-zero", name], parent);
    assert!(out.status.success(), "edgelint failed: {}", common::stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");

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
        let _ = writeln!(actual, "{rule}\t{}\t{}", lines.len(), sha256_hex(&lines.join("\n")));
    }

    let path = common::root().join(DIGESTS);
    if std::env::var_os("EDGELINT_BLESS").is_some() {
        std::fs::write(&path, &actual).expect("write digests");
        eprintln!("wrote {DIGESTS}");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
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

/// SHA-256 (FIPS 180-4), hex. Small enough to keep here rather than add a dependency.
fn sha256_hex(text: &str) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut data = text.as_bytes().to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&bits.to_be_bytes());
    for block in data.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7].wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v[7] = v[6];
            v[6] = v[5];
            v[5] = v[4];
            v[4] = v[3].wrapping_add(t1);
            v[3] = v[2];
            v[2] = v[1];
            v[1] = v[0];
            v[0] = t1.wrapping_add(t2);
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[test]
fn sha256_matches_known_values() {
    assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(
        sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
