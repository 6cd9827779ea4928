//! `edgelint images lock` and `edgelint images check`: the only commands that use the network
//! (docs/registry.md). `lock` asks the registries which platforms every image the linted
//! files use is published for and writes `edgelint.lock`; `check` compares the lockfile with
//! the registries now and reports drift as findings of `image-drift`, located at the
//! lockfile's lines, in any output format.

use crate::cli::{ColorArg, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::config;
use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::discover::{self, DiscoverOptions, Origin};
use crate::document::image_ref::ImageRef;
use crate::document::platform::Platform;
use crate::document::FileKind;
use crate::lockfile::{self, Entry, Lockfile};
use crate::registry::client::{Client, Options};
use crate::registry::credentials::{self, DockerConfig};
use crate::registry::{self, ErrorKind, ResolveError, Resolved};
use crate::render::{self, Format, RenderOptions};
use crate::source::{SourceFile, Span};
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name `images check` findings carry.
pub const IMAGE_DRIFT: &str = "image-drift";

#[derive(clap::Args, Debug)]
pub struct ImagesArgs {
    #[command(subcommand)]
    pub command: ImagesCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ImagesCommand {
    /// Ask the registries which platforms every image used in PATHS is published for, and
    /// write `edgelint.lock` (uses the network; lint runs then read the lockfile offline).
    Lock {
        /// Files and directories whose images to lock. Default: `.`
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
        /// Skip paths matching this glob (repeatable).
        #[arg(long)]
        exclude: Vec<String>,
    },
    /// Compare `edgelint.lock` with the registries now and report drift: a tag that lost or
    /// gained a platform, a digest that moved, a tag that is gone.
    Check {
        #[command(flatten)]
        common: Common,
        /// Output format. Default: human on a terminal, concise otherwise.
        #[arg(long, value_enum)]
        format: Option<Format>,
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorArg,
    },
}

#[derive(clap::Args, Debug)]
pub struct Common {
    /// The lockfile. Default: the nearest `edgelint.lock` up from the current directory (to
    /// the repository root), else one at the repository root.
    #[arg(long, value_name = "PATH")]
    pub lockfile: Option<PathBuf>,
    /// A registry host (`host:port`) to speak plain HTTP to, besides loopback ones
    /// (repeatable).
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// Exit 1 when an image could not be resolved (lock) or anything drifted (check).
    #[arg(long)]
    pub strict: bool,
    /// Seconds per request before it is retried.
    #[arg(long, value_name = "SECONDS", default_value = "30")]
    pub timeout: u64,
    /// Requests in flight at once (at most 8).
    #[arg(long, default_value = "4")]
    pub jobs: usize,
}

pub fn run(args: ImagesArgs) -> i32 {
    match args.command {
        ImagesCommand::Lock { paths, common, exclude } => lock(&paths, &common, &exclude),
        ImagesCommand::Check { common, format, color } => check(&common, format, color),
    }
}

fn say(msg: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{msg}");
}

fn error(msg: &str) -> i32 {
    say(format_args!("edgelint: {msg}"));
    EXIT_ERROR
}

fn client(common: &Common) -> Result<Client, String> {
    let docker = DockerConfig::load(credentials::default_path().as_deref())?;
    let options = Options {
        insecure: common.insecure_registry.clone(),
        timeout: Duration::from_secs(common.timeout.max(1)),
        ..Options::default()
    };
    Ok(Client::new(options, docker))
}

fn lockfile_path(common: &Common, cwd: &Path) -> PathBuf {
    match &common.lockfile {
        Some(p) => cwd.join(p),
        None => lockfile::default_path(cwd),
    }
}

fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).to_string_lossy().into_owned()
}

/// Resolves with a progress bar on a terminal, silently otherwise.
fn resolve(
    client: &Client,
    refs: &[(ImageRef, Option<Resolved>)],
    jobs: usize,
) -> Vec<Result<Resolved, ResolveError>> {
    let bar = if io::stderr().is_terminal() && !refs.is_empty() {
        let bar = indicatif::ProgressBar::new(refs.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
        {
            bar.set_style(style);
        }
        Some(bar)
    } else {
        None
    };
    let done = |image: &ImageRef| {
        if let Some(bar) = &bar {
            bar.set_message(image.to_string());
            bar.inc(1);
        }
    };
    let results = registry::resolve_all(client, refs, jobs, &done);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    results
}

/// The references the files under `paths` pull, normalised, each once.
fn collect(
    paths: &[PathBuf],
    exclude: &[String],
    cwd: &Path,
) -> Result<BTreeMap<String, ImageRef>, i32> {
    let discovery = discover::discover(
        paths,
        &DiscoverOptions { excludes: exclude.to_vec(), force_exclude: false, threads: 0 },
    );
    let mut failed = false;
    for e in &discovery.errors {
        say(format_args!("{e}"));
        failed = true;
    }
    let mut resolver = config::Resolver::new(
        config::Mode::Discover,
        cwd.to_path_buf(),
        config::Overrides::default(),
    );
    let mut refs = BTreeMap::new();
    for c in &discovery.candidates {
        let abs = resolver.absolute(&c.path);
        if c.origin == Origin::Walked && resolver.for_path(Some(&c.path)).excludes(&abs) {
            continue;
        }
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&c.path)
            .and_then(|f| f.take(crate::cli::DEFAULT_MAX_FILE_SIZE).read_to_end(&mut bytes));
        if let Err(e) = read {
            say(format_args!(
                "edgelint: cannot read {}: {}",
                discover::shown(&c.path),
                discover::io_message(&e)
            ));
            failed = true;
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let kind = match crate::classify::classify(&c.path, &text) {
            crate::classify::Classification::Dockerfile => FileKind::Dockerfile,
            crate::classify::Classification::Compose => FileKind::Compose,
            crate::classify::Classification::Kubernetes => FileKind::Kubernetes,
            _ => continue,
        };
        let source = SourceFile::new(c.path.to_string_lossy().into_owned(), text);
        let (doc, _) = crate::parse(&source, kind);
        for r in lockfile::collect_references(&doc) {
            // Invalid references are the lint's business (other rules say so).
            if let Ok(image) = ImageRef::parse(&r.value) {
                refs.insert(lockfile::reference_key(&image), image);
            }
        }
    }
    for e in resolver.errors() {
        say(format_args!("edgelint: {e}"));
        failed = true;
    }
    if failed {
        return Err(EXIT_ERROR);
    }
    Ok(refs)
}

fn lock(paths: &[PathBuf], common: &Common, exclude: &[String]) -> i32 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return error(&format!("cannot read the current directory: {e}")),
    };
    let path = lockfile_path(common, &cwd);
    let shown_path = shown(&path, &cwd);
    let old = if path.exists() {
        match Lockfile::load(&path) {
            Ok(l) => l,
            Err(errors) => {
                for e in errors {
                    say(format_args!(
                        "edgelint: {shown_path}:{}:{}: {}",
                        e.line, e.column, e.message
                    ));
                }
                return EXIT_ERROR;
            }
        }
    } else {
        Lockfile::default()
    };
    let paths = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let refs = match collect(&paths, exclude, &cwd) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let client = match client(common) {
        Ok(c) => c,
        Err(e) => return error(&e),
    };
    let list: Vec<(ImageRef, Option<Resolved>)> =
        refs.iter().map(|(key, image)| (image.clone(), old.get(key).map(locked))).collect();
    let results = resolve(&client, &list, common.jobs);
    let today = lockfile::today();
    let mut entries = Vec::new();
    let (mut added, mut changed, mut unresolved) = (0, 0, 0);
    for ((key, image), result) in refs.iter().zip(results) {
        let previous = old.get(key);
        match result {
            Ok(r) => {
                let same = previous.is_some_and(|p| {
                    p.digest == r.digest
                        && lockfile::platform_list(&p.platforms)
                            == lockfile::platform_list(&r.platforms)
                });
                match previous {
                    None => added += 1,
                    Some(_) if !same => changed += 1,
                    Some(_) => {}
                }
                let date = match previous {
                    Some(p) if same => p.date.clone(),
                    _ => today.clone(),
                };
                entries.push(Entry {
                    reference: key.clone(),
                    image: image.clone(),
                    digest: r.digest,
                    platforms: r.platforms,
                    date,
                    span: Span::default(),
                });
            }
            Err(e) => {
                unresolved += 1;
                let kept = match previous {
                    Some(p) => {
                        entries.push(p.clone());
                        "; its locked entry is kept"
                    }
                    None => "",
                };
                say(format_args!("edgelint: cannot resolve {key}: {e}{kept}"));
            }
        }
    }
    let removed = old.entries.iter().filter(|e| !refs.contains_key(&e.reference)).count();
    let new = Lockfile::from_entries(entries);
    let text = new.to_text();
    let unchanged = std::fs::read_to_string(&path).is_ok_and(|t| t == text);
    if !unchanged {
        if let Err(e) = write_atomically(&path, &text) {
            return error(&format!("cannot write {shown_path}: {e}"));
        }
    }
    let n = new.entries.len();
    let mut summary = format!(
        "edgelint: {shown_path}: {n} image{} locked ({added} added, {changed} changed, {removed} removed)",
        if n == 1 { "" } else { "s" }
    );
    if unresolved > 0 {
        summary.push_str(&format!("; {unresolved} could not be resolved"));
    }
    say(format_args!("{summary}"));
    if unresolved > 0 && common.strict {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Writes through a temporary file in the same directory and a rename, so a reader never sees
/// half a lockfile.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.tmp{}", lockfile::FILE_NAME, std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn check(common: &Common, format: Option<Format>, color: ColorArg) -> i32 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return error(&format!("cannot read the current directory: {e}")),
    };
    let path = lockfile_path(common, &cwd);
    let shown_path = shown(&path, &cwd);
    if !path.is_file() {
        return error(&format!("{shown_path}: no lockfile; run `edgelint images lock` first"));
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return error(&format!("cannot read {shown_path}: {e}")),
    };
    let lock = match Lockfile::parse(&text) {
        Ok(l) => l,
        Err(errors) => {
            for e in errors {
                say(format_args!("edgelint: {shown_path}:{}:{}: {}", e.line, e.column, e.message));
            }
            return EXIT_ERROR;
        }
    };
    let client = match client(common) {
        Ok(c) => c,
        Err(e) => return error(&e),
    };
    let list: Vec<(ImageRef, Option<Resolved>)> =
        lock.entries.iter().map(|e| (e.image.clone(), Some(locked(e)))).collect();
    let results = resolve(&client, &list, common.jobs);
    let mut diagnostics = Vec::new();
    for (entry, result) in lock.entries.iter().zip(results) {
        diagnostics.extend(drift(entry, &result));
    }
    crate::sort_diagnostics(&mut diagnostics);
    let found = !diagnostics.is_empty();
    let report = FileReport {
        source: SourceFile::new(shown_path, text),
        kind: None,
        diagnostics,
        unknown_platforms: Vec::new(),
    };
    let stdout = io::stdout();
    let is_tty = stdout.is_terminal();
    let format = match format {
        Some(format) => format,
        None if is_tty => Format::Human,
        None => Format::Concise,
    };
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => is_tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let root = std::env::current_dir().ok();
    let opts = RenderOptions { color, statistics: false, root, run: None, width: None };
    let mut out = io::BufWriter::new(stdout.lock());
    let written = render::render(format, &[report], &opts, &mut out).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return error(&format!("cannot write output: {e}"));
        }
    }
    if found && common.strict {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// What an entry says, as a resolution.
fn locked(e: &Entry) -> Resolved {
    Resolved { digest: e.digest.clone(), platforms: e.platforms.clone() }
}

fn names(platforms: &[Platform]) -> String {
    if platforms.is_empty() {
        "nothing".to_string()
    } else {
        platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// What changed for one lockfile entry: findings at its line.
pub fn drift(entry: &Entry, now: &Result<Resolved, ResolveError>) -> Vec<Diagnostic> {
    let span = Span::new(entry.span.start, entry.span.start + entry.reference.len());
    let reference = &entry.reference;
    let now = match now {
        Ok(r) => r,
        Err(e) if e.kind == ErrorKind::NotFound => {
            return vec![Diagnostic::new(IMAGE_DRIFT, Severity::Error, span, format!("`{reference}` is gone: {e}"))
                .with_help("the tag or digest was deleted or renamed; pick another and run `edgelint images lock`")];
        }
        Err(e) => {
            return vec![Diagnostic::new(
                IMAGE_DRIFT,
                Severity::Warning,
                span,
                format!("`{reference}` could not be checked: {e}"),
            )
            .with_help("the lockfile entry is unchanged; check the registry address, network and credentials")];
        }
    };
    let old: Vec<Platform> = entry.platforms.clone();
    let lost: Vec<Platform> = old.iter().filter(|p| !now.platforms.contains(p)).cloned().collect();
    let gained: Vec<Platform> =
        now.platforms.iter().filter(|p| !old.contains(p)).cloned().collect();
    let moved = now.digest != entry.digest;
    let moved_text = if moved {
        format!("; it now points at {} (locked: {})", short(&now.digest), short(&entry.digest))
    } else {
        String::new()
    };
    let mut out = Vec::new();
    if !lost.is_empty() {
        out.push(
            Diagnostic::new(
                IMAGE_DRIFT,
                Severity::Error,
                span,
                format!(
                    "`{reference}` lost {}: it is now published for {}{moved_text}",
                    names(&lost),
                    names(&now.platforms)
                ),
            )
            .with_help(format!(
                "lint runs still assume the locked platforms; run `edgelint images lock` and lint again, or pin the locked digest (`{}@{}`)",
                entry.image.name(),
                entry.digest
            )),
        );
    } else if !gained.is_empty() {
        out.push(
            Diagnostic::new(
                IMAGE_DRIFT,
                Severity::Info,
                span,
                format!(
                    "`{reference}` gained {}: it is now published for {}{moved_text}",
                    names(&gained),
                    names(&now.platforms)
                ),
            )
            .with_help("run `edgelint images lock` to record it"),
        );
    } else if moved {
        out.push(
            Diagnostic::new(
                IMAGE_DRIFT,
                Severity::Info,
                span,
                format!(
                    "`{reference}` moved: it now points at {} (locked: {}), same platforms",
                    now.digest, entry.digest
                ),
            )
            .with_help("run `edgelint images lock` to record the new digest"),
        );
    }
    out
}

/// `sha256:0123456789ab` (12 hex digits, as docker shows image IDs).
fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(list: &[&str]) -> Vec<Platform> {
        list.iter().map(|s| Platform::parse(s).unwrap()).collect()
    }

    fn entry() -> Entry {
        let text = format!(
            "# edgelint.lock format 1\ndocker.io/library/app:1\tsha256:{}\tlinux/amd64,linux/arm64\t2026-12-01\n",
            "a".repeat(64)
        );
        Lockfile::parse(&text).unwrap().entries[0].clone()
    }

    fn now(digest: char, platforms: &[&str]) -> Result<Resolved, ResolveError> {
        Ok(Resolved {
            digest: format!("sha256:{}", digest.to_string().repeat(64)),
            platforms: p(platforms),
        })
    }

    #[test]
    fn drift_cases() {
        let e = entry();
        assert!(drift(&e, &now('a', &["linux/amd64", "linux/arm64"])).is_empty());
        let d = drift(&e, &now('b', &["linux/amd64"]));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].message.contains("lost linux/arm64"), "{}", d[0].message);
        assert!(d[0].message.contains("now points at sha256:bbbbbbbbbbbb"), "{}", d[0].message);
        // The span is the reference on line 2.
        assert_eq!(d[0].span.end - d[0].span.start, "docker.io/library/app:1".len());
        let d = drift(&e, &now('b', &["linux/amd64", "linux/arm/v7", "linux/arm64"]));
        assert_eq!(
            (d[0].severity, d[0].message.contains("gained linux/arm/v7")),
            (Severity::Info, true)
        );
        let d = drift(&e, &now('b', &["linux/amd64", "linux/arm64"]));
        assert!(d[0].message.contains("moved"), "{}", d[0].message);
        let gone = Err(ResolveError::new(ErrorKind::NotFound, "tag `1` not found"));
        assert_eq!(drift(&e, &gone)[0].severity, Severity::Error);
        let down = Err(ResolveError::new(ErrorKind::Network, "cannot connect"));
        assert_eq!(drift(&e, &down)[0].severity, Severity::Warning);
    }
}
