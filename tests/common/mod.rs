//! Helpers shared by the integration tests.
#![allow(dead_code)]

use edgelint::document::FileKind;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus: `$EDGELINT_CORPUS` if set, else `../shared/corpus` when this checkout
/// sits beside `shared/`.
pub fn corpus() -> Option<PathBuf> {
    let p = match std::env::var_os("EDGELINT_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => root().join("../shared/corpus"),
    };
    p.is_dir().then_some(p)
}

/// The corpus files named in its `MANIFEST.tsv`, as (path relative to the corpus, used for
/// detection and output; absolute path).
pub fn corpus_files(corpus: &Path) -> Vec<(String, PathBuf)> {
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [repo, _, path, _, _] = cols[..] else { return None };
            let rel = format!("{}/{}", repo.replace('/', "__"), path);
            let abs = corpus.join(&rel);
            Some((rel, abs))
        })
        .collect()
}

/// Fixture kind from its file name: `*.Dockerfile`, `*.compose.yaml`, `*.k8s.yaml`.
pub fn fixture_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".Dockerfile") {
        Some(FileKind::Dockerfile)
    } else if name.ends_with(".compose.yaml") || name.ends_with(".compose.yml") {
        Some(FileKind::Compose)
    } else if name.ends_with(".k8s.yaml") || name.ends_with(".k8s.yml") {
        Some(FileKind::Kubernetes)
    } else {
        None
    }
}

/// Lines (1-based) where a fixture expects a finding of `rule`: a trailing
/// `# expect: rule[, rule]` marks its own line; a comment line `# expect-next: rule[, rule]`
/// marks the next line that is not itself such a marker.
pub fn expected_lines(text: &str, rule: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut pending = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("# expect-next:") {
            if rest.split(',').any(|r| r.trim() == rule) {
                pending = true;
            }
            continue;
        }
        if pending {
            out.push(i + 1);
            pending = false;
        }
        if let Some(pos) = line.find("# expect:") {
            if line[pos + 9..].split(',').any(|r| r.trim() == rule) {
                out.push(i + 1);
            }
        }
    }
    out
}

/// Settings a fixture asks for in a `# fixture: platforms=a,b require-reason option.NAME=false
/// registries-local=host,host device-cpu=4 device-memory=4Gi enable=<boolean option>` line
/// (`option.NAME=` and `enable=` set a boolean option of the fixture's rule).
pub fn fixture_settings(text: &str, rule: &str) -> edgelint::settings::Settings {
    let mut settings =
        edgelint::settings::Settings { select: vec![rule.to_string()], ..Default::default() };
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix("# fixture:") else { continue };
        for setting in rest.split_whitespace() {
            if let Some(p) = setting.strip_prefix("platforms=") {
                settings.platforms = p
                    .split(',')
                    .map(|s| {
                        edgelint::document::platform::Platform::parse(s).expect("fixture platform")
                    })
                    .collect();
                settings.platforms_configured = true;
            } else if setting == "require-reason" {
                settings.require_reason = true;
            } else if let Some(hosts) = setting.strip_prefix("registries-local=") {
                settings.registries_local = hosts.split(',').map(str::to_string).collect();
            } else if let Some(cpu) = setting.strip_prefix("device-cpu=") {
                let cpu = edgelint::values::quantity::parse_quantity(cpu).expect("device cpu");
                settings.device.get_or_insert_with(Default::default).cpu = Some(cpu);
            } else if let Some(memory) = setting.strip_prefix("device-memory=") {
                let memory =
                    edgelint::values::quantity::parse_quantity(memory).expect("device memory");
                settings.device.get_or_insert_with(Default::default).memory = Some(memory);
            } else if let Some(name) = setting.strip_prefix("enable=") {
                // a boolean option of the fixture's rule, set to true
                let mut rule_settings = edgelint::settings::RuleSettings::default();
                rule_settings
                    .options
                    .insert(name.to_string(), edgelint::rules::option::Owned::Bool(true));
                settings.rules.insert(rule.to_string(), rule_settings);
            } else if setting.starts_with("path=") {
                // Read by tests/fixtures.rs: the path the fixture is linted at.
            } else if let Some((name, value)) =
                setting.strip_prefix("option.").and_then(|o| o.split_once('='))
            {
                let value: bool = value.parse().expect("fixture option: true or false");
                settings
                    .rules
                    .entry(rule.to_string())
                    .or_default()
                    .options
                    .insert(name.to_string(), edgelint::rules::option::Owned::Bool(value));
            } else {
                panic!("unknown fixture setting `{setting}`");
            }
        }
    }
    settings
}

/// Render reports as the human format without colour, for snapshots.
pub fn render_human(reports: &[edgelint::diagnostic::FileReport]) -> String {
    let mut out = Vec::new();
    edgelint::render::render(
        edgelint::render::Format::Human,
        reports,
        &edgelint::render::RenderOptions::default(),
        &mut out,
    )
    .expect("render");
    String::from_utf8(out).expect("utf-8")
}

/// A fresh repository (with `.git`) at `<target tmp>/<group>/<name>` holding `files`.
pub fn repo(group: &str, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(group).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("create the repository");
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("create its directory");
        std::fs::write(p, text).expect("write a file");
    }
    dir
}

/// Run the real binary in `cwd` with no standard input.
pub fn run(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_edgelint"))
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run edgelint")
}

/// Run the real binary in `cwd` with `input` on standard input.
pub fn run_stdin(args: &[&str], cwd: &Path, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_edgelint"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn edgelint");
    // A run that does not read its input (an excluded `--stdin-filename`) may exit first.
    match child.stdin.take().expect("stdin").write_all(input.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
        _ => {}
    }
    child.wait_with_output().expect("wait")
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// SHA-256 (FIPS 180-4), hex. Small enough to keep here rather than add a dependency.
pub fn sha256_hex(text: &str) -> String {
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
