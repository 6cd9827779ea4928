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

/// Settings a fixture asks for in a `# fixture: platforms=a,b require-reason option.NAME=false`
/// line (`option.NAME=` sets a boolean option of the fixture's rule).
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
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
