//! `edgelint.lock`: the platforms and digest of every image a repository uses, as a registry
//! said when `edgelint images lock` ran. Lint runs read it (never the network) as the most
//! specific knowledge of an image's platforms, ahead of the configuration's `images:` and the
//! built-in table ([`crate::rules::shared::published`]).
//!
//! **Format** (version 1): UTF-8 text, a header comment naming the format, then one line per
//! reference, sorted by reference, fields separated by one tab:
//!
//! ```text
//! # edgelint.lock format 1
//! # reference→digest→platforms→resolved
//! docker.io/library/alpine:3.22→sha256:…→linux/386,linux/amd64,linux/arm/v6,linux/arm/v7,linux/arm64→2026-12-04
//! ```
//!
//! (`→` is a tab.)
//!
//! - `reference`: normalised (`docker.io/library/alpine:3.22`); an untagged reference is
//!   written with `:latest`; a pinned one with its digest (`name@sha256:…` or
//!   `name:tag@sha256:…`).
//! - `digest`: what the reference pointed at (an index, or a single manifest).
//! - `platforms`: canonical (`linux/arm/v7`, `linux/arm64`), comma-separated, sorted; the
//!   attestation entries of an index are not platforms and never appear.
//! - `resolved`: the UTC date the digest was first recorded (kept while it does not change,
//!   so relocking an unchanged image changes nothing).
//!
//! Other `#` lines and blank lines are ignored.
//!
//! **Lookups** ([`Lockfile::lookup`]): a reference with a digest is looked up by image name
//! and digest (any line of that name whose digest is that one: the digest decides what is
//! pulled, whatever the tag says); a reference without one by name and tag (`latest` when no
//! tag is written). Only the digest of what a reference points at is stored, not the
//! per-platform child digests of an index.
//!
//! **Discovery**: like the configuration file, the nearest `edgelint.lock` in the linted file's
//! directory or a parent, up to the repository root ([`Discovery`]).

use crate::document::dockerfile::Args;
use crate::document::image_ref::{has_variable, ImageRef};
use crate::document::platform::Platform;
use crate::document::Document;
use crate::source::{Span, Spanned};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const FILE_NAME: &str = "edgelint.lock";
pub const FORMAT_VERSION: u32 = 1;
const HEADER_PREFIX: &str = "# edgelint.lock format ";

/// Largest lockfile read.
pub const MAX_LOCKFILE_SIZE: u64 = 8 * 1024 * 1024;

/// One line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Normalised, as written in the file.
    pub reference: String,
    pub image: ImageRef,
    pub digest: String,
    /// Sorted by their text.
    pub platforms: Vec<Platform>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Where the line is in the file (empty for entries not read from a file).
    pub span: Span,
}

/// A problem in a lockfile, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Clone, Debug, Default)]
pub struct Lockfile {
    /// Sorted by reference.
    pub entries: Vec<Entry>,
    by_reference: HashMap<String, usize>,
    /// (name, digest) → entry.
    by_digest: HashMap<(String, String), usize>,
}

/// The key a reference is stored under: the normalised form, `:latest` added when it has
/// neither tag nor digest.
pub fn reference_key(image: &ImageRef) -> String {
    let mut image = image.clone();
    if image.tag.is_none() && image.digest.is_none() {
        image.tag = Some("latest".to_string());
    }
    image.to_string()
}

/// Platforms as the lockfile writes them: canonical text, sorted, deduplicated.
pub fn platform_list(platforms: &[Platform]) -> String {
    let mut names: Vec<String> = platforms.iter().map(|p| p.normalize().to_string()).collect();
    names.sort();
    names.dedup();
    names.join(",")
}

impl Lockfile {
    /// Builds a lockfile from entries (sorted here; a later duplicate replaces an earlier one).
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Lockfile {
        let mut map: std::collections::BTreeMap<String, Entry> = Default::default();
        for mut e in entries {
            let mut names: Vec<Platform> = e.platforms.iter().map(Platform::normalize).collect();
            names.sort_by_key(std::string::ToString::to_string);
            names.dedup();
            e.platforms = names;
            map.insert(e.reference.clone(), e);
        }
        let mut lock = Lockfile::default();
        for (_, e) in map {
            lock.push(e);
        }
        lock
    }

    fn push(&mut self, e: Entry) {
        let i = self.entries.len();
        self.by_reference.insert(e.reference.clone(), i);
        self.by_digest.entry((e.image.name(), e.digest.clone())).or_insert(i);
        self.entries.push(e);
    }

    /// The entry that describes what `image` pulls: by digest when it has one, else by tag.
    pub fn lookup(&self, image: &ImageRef) -> Option<&Entry> {
        let i = match &image.digest {
            Some(d) => *self.by_digest.get(&(image.name(), d.clone()))?,
            None => *self.by_reference.get(&reference_key(image))?,
        };
        self.entries.get(i)
    }

    /// The entry written for exactly this reference.
    pub fn get(&self, reference: &str) -> Option<&Entry> {
        self.by_reference.get(reference).and_then(|&i| self.entries.get(i))
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{HEADER_PREFIX}{FORMAT_VERSION}\n\
             # Platforms of the images this repository uses, written by `edgelint images lock`\n\
             # and read by every lint run (which never uses the network). Review and commit it;\n\
             # `edgelint images check` reports tags that changed since.\n\
             # reference\tdigest\tplatforms\tresolved\n"
        );
        for e in &self.entries {
            s.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                e.reference,
                e.digest,
                platform_list(&e.platforms),
                e.date
            ));
        }
        s
    }

    /// Parses a lockfile's text. Every problem is reported, with its line and column.
    pub fn parse(text: &str) -> Result<Lockfile, Vec<LockError>> {
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut offset = 0;
        let mut header = false;
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let line_no = i + 1;
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let err = |column: usize, message: String| LockError { line: line_no, column, message };
            if let Some(version) = line.strip_prefix(HEADER_PREFIX) {
                match version.trim().parse::<u32>() {
                    Ok(FORMAT_VERSION) => header = true,
                    Ok(v) if v > FORMAT_VERSION => errors.push(err(
                        1,
                        format!("lockfile format {v} is newer than this edgelint reads ({FORMAT_VERSION}); upgrade edgelint"),
                    )),
                    _ => errors.push(err(1, format!("unknown lockfile format `{}`", version.trim()))),
                }
                continue;
            }
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if !header {
                errors.push(err(
                    1,
                    format!("the first line must be `{HEADER_PREFIX}{FORMAT_VERSION}`"),
                ));
                header = true;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [reference, digest, platforms, date] = fields[..] else {
                errors.push(err(
                    1,
                    format!("expected 4 tab-separated fields (reference, digest, platforms, resolved), found {}", fields.len()),
                ));
                continue;
            };
            let col = |field: usize| {
                fields[..field].iter().map(|f| f.chars().count() + 1).sum::<usize>() + 1
            };
            let image = match ImageRef::parse(reference) {
                Ok(image) => image,
                Err(e) => {
                    errors.push(err(1, e));
                    continue;
                }
            };
            if reference_key(&image) != reference {
                errors.push(err(
                    1,
                    format!(
                        "reference `{reference}` is not normalised; write `{}`",
                        reference_key(&image)
                    ),
                ));
                continue;
            }
            if let Err(e) = crate::registry::media::check_digest(digest) {
                errors.push(err(col(1), e));
                continue;
            }
            let mut parsed = Vec::new();
            let mut bad = false;
            for p in platforms.split(',') {
                match Platform::parse(p.trim()) {
                    Ok(platform) => parsed.push(platform.normalize()),
                    Err(e) => {
                        errors.push(err(col(2), format!("platform `{p}`: {e}")));
                        bad = true;
                    }
                }
            }
            if bad {
                continue;
            }
            if !is_date(date) {
                errors.push(err(col(3), format!("`{date}` is not a date (YYYY-MM-DD)")));
                continue;
            }
            if let Some(first) = seen.insert(reference.to_string(), line_no) {
                errors.push(err(1, format!("`{reference}` is already locked on line {first}")));
                continue;
            }
            entries.push(Entry {
                reference: reference.to_string(),
                image,
                digest: digest.to_string(),
                platforms: parsed,
                date: date.to_string(),
                span: Span::new(start, start + line.len()),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Keep the file's spans; order as written is not required (sorted on write).
        let mut lock = Lockfile::default();
        let mut sorted = entries;
        sorted.sort_by(|a, b| a.reference.cmp(&b.reference));
        for e in sorted {
            let mut names = e.platforms.clone();
            names.sort_by_key(std::string::ToString::to_string);
            names.dedup();
            lock.push(Entry { platforms: names, ..e });
        }
        Ok(lock)
    }

    /// Reads and parses a lockfile.
    pub fn load(path: &Path) -> Result<Lockfile, Vec<LockError>> {
        let whole = |message: String| vec![LockError { line: 0, column: 0, message }];
        let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read: {e}")))?;
        if !meta.is_file() {
            return Err(whole("not a regular file".to_string()));
        }
        if meta.len() > MAX_LOCKFILE_SIZE {
            return Err(whole(format!("over the {MAX_LOCKFILE_SIZE}-byte limit for a lockfile")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| whole(format!("cannot read: {e}")))?;
        Lockfile::parse(&text)
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Today's UTC date, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date_of_unix_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn date_of_unix_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Finds the nearest `edgelint.lock` up from a directory, stopping at the repository root
/// (the nearest directory holding `.git`), like the configuration file; caches per directory
/// and loads each file once.
#[derive(Default)]
pub struct Discovery {
    nearest: HashMap<PathBuf, Option<PathBuf>>,
    loaded: HashMap<PathBuf, Result<Arc<Lockfile>, Vec<LockError>>>,
}

impl Discovery {
    /// The nearest lockfile of `dir` (absolute), if any.
    pub fn nearest(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut visited = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(cached) = self.nearest.get(d) {
                found = cached.clone();
                break;
            }
            visited.push(d.to_path_buf());
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                found = Some(candidate);
                break;
            }
            if d.join(".git").exists() {
                break;
            }
        }
        for d in visited {
            self.nearest.insert(d, found.clone());
        }
        found
    }

    /// The lockfile at `path`, read once.
    pub fn load(&mut self, path: &Path) -> Result<Arc<Lockfile>, Vec<LockError>> {
        self.loaded
            .entry(path.to_path_buf())
            .or_insert_with(|| Lockfile::load(path).map(Arc::new))
            .clone()
    }
}

/// Where `images lock` writes when not told: the nearest existing lockfile up from `cwd`
/// (to the repository root), else the repository root, else `cwd`.
pub fn default_path(cwd: &Path) -> PathBuf {
    if let Some(p) = Discovery::default().nearest(cwd) {
        return p;
    }
    let root = cwd.ancestors().find(|d| d.join(".git").exists()).unwrap_or(cwd);
    root.join(FILE_NAME)
}

/// Every image reference a document pulls, with where it is written: Dockerfile `FROM`s of
/// images (global ARG defaults substituted; not `scratch`, not earlier stages) and
/// `COPY --from=<image>`, Compose `image:` of services without `build:`, Kubernetes containers
/// of every role (app, init, sidecar, ephemeral). References whose value the file does not
/// determine (variables, templates) are left out. The value is the reference as pulled, the
/// span where it is written. In file order, duplicates kept.
pub fn collect_references(doc: &Document) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    let mut push = |value: &str, span: Span| {
        if !value.is_empty() && !has_variable(value) {
            out.push(Spanned::new(value.to_string(), span));
        }
    };
    match doc {
        Document::Dockerfile(df) => {
            for stage in &df.stages {
                if stage.base_stage.is_some() {
                    continue;
                }
                let Some(resolved) = &stage.resolved_image else { continue };
                if resolved.eq_ignore_ascii_case("scratch") {
                    continue;
                }
                push(resolved, stage.image.span);
            }
            for (i, ins) in df.instructions.iter().enumerate() {
                if !matches!(ins.args, Args::Copy { .. }) || df.copy_from_stage(i).is_some() {
                    continue;
                }
                let Some(from) = ins.flag("from").and_then(|f| f.value.as_ref()) else { continue };
                if from.value.parse::<usize>().is_ok() || df.stage_by_name(&from.value).is_some() {
                    continue;
                }
                push(&from.value, from.span);
            }
        }
        Document::Compose(compose) => {
            for service in &compose.services {
                if service.build.is_some() {
                    continue;
                }
                if let Some(image) = &service.image {
                    push(&image.value, image.span);
                }
            }
        }
        Document::Kubernetes(manifests) => {
            for object in &manifests.objects {
                for pod in &object.pod_templates {
                    for container in &pod.containers {
                        if let Some(image) = &container.image {
                            push(&image.value, image.span);
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FileKind;
    use crate::source::SourceFile;

    const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn entry(reference: &str, digest: &str, platforms: &[&str]) -> Entry {
        Entry {
            reference: reference.to_string(),
            image: ImageRef::parse(reference).unwrap(),
            digest: digest.to_string(),
            platforms: platforms.iter().map(|p| Platform::parse(p).unwrap()).collect(),
            date: "2026-12-04".to_string(),
            span: Span::default(),
        }
    }

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn write_sorts_and_parse_round_trips() {
        let lock = Lockfile::from_entries([
            entry(
                "ghcr.io/org/app:1",
                A,
                &["linux/arm64", "linux/amd64", "linux/arm/v7", "linux/arm64"],
            ),
            entry("docker.io/library/alpine:3.22", B, &["linux/arm64", "linux/arm/v6"]),
        ]);
        let text = lock.to_text();
        let data: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            data,
            [
                format!("docker.io/library/alpine:3.22\t{B}\tlinux/arm/v6,linux/arm64\t2026-12-04"),
                format!("ghcr.io/org/app:1\t{A}\tlinux/amd64,linux/arm/v7,linux/arm64\t2026-12-04"),
            ]
        );
        assert!(text.starts_with("# edgelint.lock format 1\n"));
        let back = Lockfile::parse(&text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.entries.len(), 2);
        // Spans point at the lines.
        let e = back.get("ghcr.io/org/app:1").unwrap();
        assert!(text[e.span.start..e.span.end].starts_with("ghcr.io/org/app:1\t"));
        // Written out of order by hand: still read, sorted on the next write.
        let swapped = format!("# edgelint.lock format 1\n{}\n{}\n", data[1], data[0]);
        assert_eq!(Lockfile::parse(&swapped).unwrap().to_text(), text);
    }

    #[test]
    fn lookups_by_tag_and_digest() {
        let lock = Lockfile::from_entries([
            entry("docker.io/library/python:3.12", A, &["linux/amd64"]),
            entry("docker.io/library/python:latest", B, &["linux/arm64"]),
            entry(&format!("ghcr.io/org/app@{B}"), B, &["linux/riscv64"]),
        ]);
        let plat = |s: &str| lock.lookup(&r(s)).map(|e| platform_list(&e.platforms));
        assert_eq!(plat("python:3.12").as_deref(), Some("linux/amd64"));
        assert_eq!(plat("docker.io/library/python:3.12").as_deref(), Some("linux/amd64"));
        assert_eq!(plat("python").as_deref(), Some("linux/arm64"));
        assert_eq!(plat("python:3.13"), None);
        // The digest decides, whatever the tag says.
        assert_eq!(plat(&format!("python:3.13@{A}")).as_deref(), Some("linux/amd64"));
        assert_eq!(plat(&format!("python@{B}")).as_deref(), Some("linux/arm64"));
        assert_eq!(plat(&format!("ghcr.io/org/app:9@{B}")).as_deref(), Some("linux/riscv64"));
        assert_eq!(plat(&format!("ghcr.io/org/other@{B}")), None);
        let c = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
        assert_eq!(plat(&format!("python:3.12@{c}")), None);
    }

    #[test]
    fn parse_errors_are_located() {
        let bad = |text: &str| Lockfile::parse(text).unwrap_err();
        let h = "# edgelint.lock format 1\n";
        let e = bad(&format!("{h}python:3\t{A}\tlinux/amd64\t2026-12-04\n"));
        assert!(e[0].message.contains("docker.io/library/python:3"), "{e:?}");
        let e =
            bad(&format!("{h}docker.io/library/python:3\tsha256:zz\tlinux/amd64\t2026-12-04\n"));
        assert_eq!((e[0].line, e[0].column), (2, 28));
        let e = bad(&format!("{h}docker.io/library/python:3\t{A}\tlinux/amd64\tyesterday\n"));
        assert!(e[0].message.contains("not a date"));
        let e = bad(&format!("{h}docker.io/library/python:3 {A}\n"));
        assert!(e[0].message.contains("4 tab-separated"));
        let line = format!("docker.io/library/python:3\t{A}\tlinux/amd64\t2026-12-04\n");
        let e = bad(&format!("{h}{line}{line}"));
        assert!(e[0].message.contains("already locked on line 2"), "{e:?}");
        let e = bad(&format!("# edgelint.lock format 2\n{line}"));
        assert!(e[0].message.contains("newer"), "{e:?}");
        let e = bad(&line);
        assert!(e[0].message.contains("first line"), "{e:?}");
        assert!(Lockfile::parse(h).unwrap().entries.is_empty());
        assert!(Lockfile::parse(&format!("{h}\n# note\n{line}")).is_ok());
    }

    #[test]
    fn dates() {
        assert_eq!(date_of_unix_days(0), "1970-01-01");
        assert_eq!(date_of_unix_days(20_791), "2026-12-04");
        assert_eq!(date_of_unix_days(11_016), "2000-02-29");
        assert!(is_date(&today()));
    }

    fn refs(kind: FileKind, text: &str) -> Vec<String> {
        let source = SourceFile::new("x", text.to_string());
        let (doc, _) = crate::parse(&source, kind);
        collect_references(&doc).into_iter().map(|s| s.value).collect()
    }

    #[test]
    fn references_of_each_format() {
        let df = "ARG BASE=alpine:3.22\nARG TAG\nFROM $BASE AS build\nCOPY --from=busybox:1.37 /bin/sh /sh\n\
                  FROM debian:${TAG} AS other\nFROM build\nCOPY --from=build /x /x\nCOPY --from=0 /y /y\n\
                  FROM scratch\nCOPY --from=ghcr.io/org/tool:2 /t /t\n";
        assert_eq!(
            refs(FileKind::Dockerfile, df),
            ["alpine:3.22", "busybox:1.37", "ghcr.io/org/tool:2"]
        );
        let compose = "services:\n  a:\n    image: redis:7\n  b:\n    build: .\n    image: me/b\n  c:\n    image: ${IMG}\n";
        assert_eq!(refs(FileKind::Compose, compose), ["redis:7"]);
        let k8s = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: i\n    image: busybox:1\n  containers:\n  - name: c\n    image: nginx:1.27\n  ephemeralContainers:\n  - name: e\n    image: debug:1\n";
        let mut got = refs(FileKind::Kubernetes, k8s);
        got.sort();
        assert_eq!(got, ["busybox:1", "debug:1", "nginx:1.27"]);
    }
}
