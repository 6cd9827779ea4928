//! Baselines: adopt edgelint on a repository with findings, and report only new ones.
//!
//! `edgelint --write-baseline FILE` records every current finding; `edgelint --baseline FILE`
//! (or `baseline:` in the configuration, relative to that file) then drops the findings the
//! baseline holds and reports the rest.
//!
//! **Format.** JSON, `{"version": 1, "entries": [...]}`, one entry per line, sorted by path,
//! rule and key, so a rewritten baseline diffs well in review. An entry is
//! `{"path", "rule", "key", "count"}`:
//!
//! - `path`: the file, `/`-separated, **relative to the baseline file's directory** (`../` when
//!   the file is outside it; standard input without `--stdin-filename` is `-`). A finding's
//!   path is made absolute against the current directory first, so the same baseline matches
//!   whether edgelint runs from the repository root or from a subdirectory.
//! - `key`: where the finding sits in the file's structure, the same place SARIF and GitLab
//!   fingerprints use ([`crate::render::ci::finding_places`]): the logical path
//!   (`Deployment/plant/historian › containers[db]`) and the YAML key chain, joined by ` | `;
//!   never a line number, so edits above a finding keep it baselined. A Dockerfile finding
//!   without a logical path is keyed by its text (whitespace collapsed); a `parse-error` by its
//!   message.
//! - `count`: how many findings share rule, path and key (two identical findings in one place);
//!   a baseline matches at most that many.
//!
//! **Parse errors** (and `file-too-large`) are baselined like other findings, never silently:
//! a run with a baseline says on standard error how many of the baselined findings are files
//! that were not linted at all.
//!
//! **Stale entries**: a baselined finding that no longer occurs (fixed, or moved to another
//! place) is counted in the summary as stale, for files linted in this run or that no longer
//! exist; it does not fail the run. `--write-baseline` again drops them.

use crate::diagnostic::{FileReport, FILE_TOO_LARGE, PARSE_ERROR};
use crate::render::ci::finding_places;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The version written in `"version"`.
pub const VERSION: u32 = 1;

/// Separator of the key's parts.
const KEY_SEPARATOR: &str = " | ";

/// One baseline entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub key: String,
    pub count: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

/// What applying the baselines did in one run, for the summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings dropped because a baseline holds them.
    pub baselined: usize,
    /// Of those, `parse-error` and `file-too-large` findings: files that were not linted.
    pub not_linted: usize,
    /// Baselined findings that no longer occur (in files linted in this run, or gone files).
    pub stale: usize,
}

impl Summary {
    /// `12 findings baselined`, and `; 3 stale baseline entries` when there are.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} finding{} baselined",
            self.baselined,
            if self.baselined == 1 { "" } else { "s" }
        );
        if self.stale > 0 {
            s.push_str(&format!(
                "; {} stale baseline entr{} (fixed or moved; rewrite it with --write-baseline)",
                self.stale,
                if self.stale == 1 { "y" } else { "ies" }
            ));
        }
        s
    }
}

/// `(path, rule, key)`.
type Key = (String, String, String);

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    /// The directory its paths are relative to.
    dir: PathBuf,
    /// Occurrences not matched yet.
    remaining: HashMap<Key, usize>,
}

impl Baseline {
    /// Reads a baseline file (`path` absolute).
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read baseline {}: {} (write one with `edgelint --write-baseline FILE`)",
                path.display(),
                crate::source::io_message(&e)
            )
        })?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an edgelint baseline: {e}", path.display()))?;
        if file.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (this edgelint reads version {VERSION})",
                path.display(),
                file.version
            ));
        }
        let mut remaining = HashMap::new();
        for e in file.entries {
            *remaining.entry((e.path, e.rule, e.key)).or_default() += e.count;
        }
        Ok(Baseline { dir: path.parent().map(Path::to_path_buf).unwrap_or_default(), remaining })
    }
}

/// The path of a report as a baseline stores it: relative to `dir`, `/`-separated; `-` for
/// standard input without a name.
fn stored_path(shown: &str, cwd: &Path, dir: &Path) -> String {
    if shown == "-" {
        return shown.to_string();
    }
    relative(&crate::source::normalize_path(&cwd.join(shown)), dir)
}

/// `path` relative to `base` (both absolute, normalised), with `..` where it leaves `base`.
fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(p[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The keys of every finding of `report`, in order.
fn keys(report: &FileReport, cwd: &Path, dir: &Path) -> Vec<Key> {
    let path = stored_path(&report.source.path, cwd, dir);
    finding_places(report)
        .into_iter()
        .zip(&report.diagnostics)
        .map(|(place, d)| (path.clone(), d.rule.to_string(), place.join(KEY_SEPARATOR)))
        .collect()
}

/// The entries recording every finding of `reports`, for a baseline file in `dir`; sorted.
pub fn entries(reports: &[FileReport], cwd: &Path, dir: &Path) -> Vec<Entry> {
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for report in reports {
        for key in keys(report, cwd, dir) {
            *counts.entry(key).or_default() += 1;
        }
    }
    counts.into_iter().map(|((path, rule, key), count)| Entry { path, rule, key, count }).collect()
}

/// The baseline file's text: one entry per line, sorted.
pub fn to_text(entries: &[Entry]) -> String {
    let mut s = format!("{{\n  \"version\": {VERSION},\n  \"entries\": [");
    for (i, e) in entries.iter().enumerate() {
        s.push_str(if i == 0 { "\n    " } else { ",\n    " });
        s.push_str(&serde_json::to_string(e).unwrap_or_default());
    }
    s.push_str(if entries.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
    s
}

/// Drops from each report the findings its baseline holds. `baseline_of` gives the baseline
/// (an index into `baselines`) of a report, by its path as shown; `linted` holds the absolute
/// paths of every file linted in this run, for stale entries.
pub fn apply<'a>(
    reports: impl IntoIterator<Item = &'a mut FileReport>,
    baselines: &mut [Baseline],
    baseline_of: impl Fn(&str) -> Option<usize>,
    linted: &HashSet<PathBuf>,
    cwd: &Path,
) -> Summary {
    let mut summary = Summary::default();
    for report in reports {
        let Some(baseline) = baseline_of(&report.source.path).and_then(|i| baselines.get_mut(i))
        else {
            continue;
        };
        let keys = keys(report, cwd, &baseline.dir);
        let mut keep = keys.into_iter().map(|key| match baseline.remaining.get_mut(&key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        let before = report.diagnostics.len();
        report.diagnostics.retain(|d| {
            let kept = keep.next().unwrap_or(true);
            if !kept && (d.rule == PARSE_ERROR || d.rule == FILE_TOO_LARGE) {
                summary.not_linted += 1;
            }
            kept
        });
        summary.baselined += before - report.diagnostics.len();
    }
    for baseline in baselines.iter() {
        let linted_here: HashSet<String> =
            linted.iter().map(|p| relative(p, &baseline.dir)).collect();
        for ((path, _, _), n) in &baseline.remaining {
            let gone = path != "-" && !baseline.dir.join(path).exists();
            if *n > 0 && (gone || linted_here.contains(path)) {
                summary.stale += n;
            }
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_baseline_directory() {
        let cwd = Path::new("/repo/deploy");
        assert_eq!(stored_path("k8s/a.yaml", cwd, Path::new("/repo")), "deploy/k8s/a.yaml");
        assert_eq!(stored_path("./a.yaml", Path::new("/repo"), Path::new("/repo")), "a.yaml");
        assert_eq!(
            stored_path("../x/Dockerfile", cwd, Path::new("/repo/deploy")),
            "../x/Dockerfile"
        );
        assert_eq!(
            stored_path("/elsewhere/a.yaml", cwd, Path::new("/repo")),
            "../elsewhere/a.yaml"
        );
        assert_eq!(stored_path("-", cwd, Path::new("/repo")), "-");
    }

    /// Identical findings at one place are matched by count: a baseline holding one of them
    /// lets the second through; a baselined finding that is gone is stale.
    #[test]
    fn counts_limit_matches_and_gone_findings_are_stale() {
        use crate::diagnostic::{Diagnostic, Severity};
        use crate::source::{SourceFile, Span};
        let report = |text: &str, needles: &[&str]| FileReport {
            diagnostics: needles
                .iter()
                .map(|n| {
                    let at = text.find(n).unwrap();
                    Diagnostic::new("r", Severity::Warning, Span::new(at, at + n.len()), "m")
                })
                .collect(),
            source: SourceFile::new("Dockerfile", text),
            kind: Some(crate::document::FileKind::Dockerfile),
            unknown_platforms: Vec::new(),
        };
        let dir = Path::new("/repo");
        let old = report("RUN a amd64\nRUN b\n", &["amd64", "b"]);
        let written = entries(std::slice::from_ref(&old), dir, dir);
        assert_eq!(written.len(), 2);
        let remaining = written.into_iter().map(|e| ((e.path, e.rule, e.key), e.count)).collect();
        let mut baselines = vec![Baseline { dir: dir.to_path_buf(), remaining }];
        // `amd64` twice now, `b` fixed.
        let mut new = [report("RUN x amd64\nRUN y amd64\n", &["amd64", "y amd64"])];
        new[0].diagnostics[1].span.start += 2;
        let linted: HashSet<PathBuf> = [dir.join("Dockerfile")].into_iter().collect();
        let summary = apply(new.iter_mut(), &mut baselines, |_| Some(0), &linted, dir);
        assert_eq!(summary, Summary { baselined: 1, not_linted: 0, stale: 1 });
        assert_eq!(new[0].diagnostics.len(), 1, "the second `amd64` is new");
    }

    #[test]
    fn text_is_one_entry_per_line_and_reads_back() {
        let entries = vec![
            Entry { path: "a".into(), rule: "r".into(), key: "k | \"q\"".into(), count: 2 },
            Entry { path: "b".into(), rule: "r".into(), key: "k".into(), count: 1 },
        ];
        let text = to_text(&entries);
        assert_eq!(text.lines().count(), 7, "{text}");
        let file: File = serde_json::from_str(&text).unwrap();
        assert_eq!(file.entries, entries);
        let empty: File = serde_json::from_str(&to_text(&[])).unwrap();
        assert!(empty.entries.is_empty());
    }
}
