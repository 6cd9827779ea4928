//! Finds the files to lint from the paths given on the command line.
//!
//! - A **file** named explicitly is always a candidate, whatever its name (pre-commit passes
//!   files one by one), unless `force_exclude` is set and an exclusion matches it.
//! - A **directory** is walked in parallel with `ignore::WalkBuilder`, which honours
//!   `.gitignore`, `.ignore` and the global git excludes even outside a git repository
//!   (`require_git(false)`), as ripgrep and ruff do. Hidden files and directories are walked
//!   (`.github/`, `.gitlab-ci.yml`, `.devcontainer/Dockerfile` are real inputs) but `.git` never
//!   is, and directories named `node_modules` or `vendor` are skipped ([`SKIPPED_DIRS`]: other
//!   people's code). Only regular files whose *name* could be a Dockerfile or YAML
//!   ([`crate::classify::by_name`]) become candidates; content is classified later.
//! - **Symbolic links are not followed** while walking (a link to a directory could loop or
//!   leave the tree, and a linked file is linted where it really lives). FIFOs, sockets and
//!   devices are never opened: only regular files become candidates, and an explicit path that
//!   is none of file, directory or link to one is an error ("not a regular file"). An explicit
//!   symbolic link is followed (the user named it).
//! - **Exclusions** (`--exclude`, globset syntax; `*` does not cross `/`, `**` does; a leading
//!   `./` and a trailing `/` are ignored) match a walked entry if they match its path relative
//!   to the walked root, its path as shown in output, or its file name; a matching directory is
//!   not descended into. So `fixtures` skips every directory called `fixtures`, `deploy/*.yaml`
//!   matches relative to the root, and `*.tmpl.yaml` matches a name anywhere. For an explicit
//!   file under `force_exclude`, the path as given, each of its ancestors and each component
//!   name are tested, together with [`SKIPPED_DIRS`] and `.git` as ancestor names.
//!
//! Problems (a path that does not exist, a directory that cannot be read, an invalid pattern)
//! become one-line messages in [`Discovery::errors`]; the run goes on with the rest.

use crate::classify::by_name;
pub(crate) use crate::source::io_message;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Directory names skipped by default when walking (and under `force_exclude`).
pub const SKIPPED_DIRS: &[&str] = &["node_modules", "vendor"];

/// How to find files.
#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    /// Glob patterns of paths not to lint (see the module documentation).
    pub excludes: Vec<String>,
    /// Apply the exclusions to explicitly named files too (for pre-commit).
    pub force_exclude: bool,
    /// Walker threads; 0 picks a number from the available cores.
    pub threads: usize,
}

/// How a candidate was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// Named on the command line.
    Explicit,
    /// Found by walking a directory.
    Walked,
}

/// A file to read and classify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The path as given or found, with any leading `./` removed; used in output.
    pub path: PathBuf,
    pub origin: Origin,
}

/// The outcome of [`discover`].
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// Sorted by path, one entry per path (an explicit mention wins over a walked one).
    pub candidates: Vec<Candidate>,
    /// One-line messages for stderr, e.g. `edgelint: no such file or directory: foo`.
    pub errors: Vec<String>,
}

/// Finds the candidates among `paths` (files and directories). See the module documentation.
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Discovery {
    let mut errors = Vec::new();
    let excludes = Excludes::new(&opts.excludes, &mut errors);
    let mut candidates = Vec::new();
    for given in paths {
        match std::fs::metadata(given) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                errors.push(format!("edgelint: no such file or directory: {}", shown(given)));
            }
            Err(err) => {
                errors.push(format!(
                    "edgelint: cannot access {}: {}",
                    shown(given),
                    io_message(&err)
                ));
            }
            Ok(meta) if meta.is_dir() => {
                walk(given, &excludes, opts.threads, &mut candidates, &mut errors);
            }
            Ok(meta) if meta.is_file() => {
                let path = without_leading_cur_dir(given);
                if !(opts.force_exclude && excludes.matches_explicit(&path)) {
                    candidates.push(Candidate { path, origin: Origin::Explicit });
                }
            }
            Ok(_) => errors.push(format!("edgelint: not a regular file: {}", shown(given))),
        }
    }
    candidates.sort_by(|a, b| a.path.cmp(&b.path).then(a.origin.cmp(&b.origin)));
    candidates.dedup_by(|later, earlier| later.path == earlier.path);
    Discovery { candidates, errors }
}

/// The compiled `--exclude` patterns.
#[derive(Clone, Debug)]
pub struct Excludes {
    set: Arc<GlobSet>,
}

impl Excludes {
    /// Compiles `patterns`; each invalid one adds a message to `errors` and is left out.
    pub fn new(patterns: &[String], errors: &mut Vec<String>) -> Excludes {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let trimmed = pattern.strip_prefix("./").unwrap_or(pattern);
            let trimmed = trimmed.trim_end_matches('/');
            if trimmed.is_empty() {
                continue;
            }
            match GlobBuilder::new(trimmed).literal_separator(true).build() {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(err) => errors.push(format!(
                    "edgelint: invalid --exclude pattern `{}`: {}",
                    shown(Path::new(pattern)),
                    err.kind()
                )),
            }
        }
        let set = builder.build().unwrap_or_else(|err| {
            errors.push(format!("edgelint: invalid --exclude patterns: {err}"));
            GlobSet::empty()
        });
        Excludes { set: Arc::new(set) }
    }

    /// Whether a walked entry is excluded: its path relative to the root, its shown path, or
    /// its name matches.
    fn matches_walked(&self, relative: &Path, shown: &Path, name: &OsStr) -> bool {
        !self.set.is_empty()
            && (self.set.is_match(relative) || self.set.is_match(shown) || self.set.is_match(name))
    }

    /// Whether an explicitly named file (or `--stdin-filename`) is excluded under
    /// `force_exclude`.
    pub fn matches_explicit(&self, path: &Path) -> bool {
        let count = path.components().count();
        let mut prefix = PathBuf::new();
        for (i, component) in path.components().enumerate() {
            prefix.push(component);
            if let Component::Normal(name) = component {
                let is_ancestor = i + 1 < count;
                if is_ancestor && is_skipped_dir_name(name) {
                    return true;
                }
                if self.set.is_match(name) {
                    return true;
                }
            }
            if self.set.is_match(&prefix) {
                return true;
            }
        }
        false
    }
}

fn is_skipped_dir_name(name: &OsStr) -> bool {
    name == ".git" || SKIPPED_DIRS.iter().any(|d| name == *d)
}

/// Walks one directory in parallel, appending candidates and error messages.
fn walk(
    root: &Path,
    excludes: &Excludes,
    threads: usize,
    candidates: &mut Vec<Candidate>,
    errors: &mut Vec<String>,
) {
    let found = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(root);
    builder.hidden(false).require_git(false).follow_links(false).threads(threads);
    let filter_root = root.to_path_buf();
    let filter_excludes = excludes.clone();
    builder.filter_entry(move |entry| {
        let name = entry.file_name();
        if name == ".git" {
            return false;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && SKIPPED_DIRS.iter().any(|d| name == *d) {
            return false;
        }
        let relative = entry.path().strip_prefix(&filter_root).unwrap_or(entry.path());
        let shown = without_leading_cur_dir(entry.path());
        !filter_excludes.matches_walked(relative, &shown, name)
    });
    builder.build_parallel().run(|| {
        Box::new(|result| {
            match result {
                Ok(entry) => {
                    let regular = entry.file_type().is_some_and(|t| t.is_file());
                    if regular && by_name(entry.path()).is_candidate() {
                        let path = without_leading_cur_dir(entry.path());
                        found.lock().unwrap_or_else(PoisonError::into_inner).push(path);
                    }
                }
                Err(err) => {
                    let mut messages = failed.lock().unwrap_or_else(PoisonError::into_inner);
                    walk_error(&err, None, None, &mut messages);
                }
            }
            WalkState::Continue
        })
    });
    let found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    candidates.extend(found.into_iter().map(|path| Candidate { path, origin: Origin::Walked }));
    let mut failed = failed.into_inner().unwrap_or_else(PoisonError::into_inner);
    failed.sort();
    failed.dedup();
    errors.extend(failed);
}

/// Flattens an `ignore::Error` into one-line messages.
fn walk_error(err: &ignore::Error, path: Option<&Path>, line: Option<u64>, out: &mut Vec<String>) {
    match err {
        ignore::Error::Partial(errs) => {
            for e in errs {
                walk_error(e, path, line, out);
            }
        }
        ignore::Error::WithLineNumber { line, err } => walk_error(err, path, Some(*line), out),
        ignore::Error::WithPath { path, err } => walk_error(err, Some(path), line, out),
        ignore::Error::WithDepth { err, .. } => walk_error(err, path, line, out),
        ignore::Error::Io(io_err) => out.push(match path {
            Some(p) => format!(
                "edgelint: cannot read {}: {}",
                shown(&without_leading_cur_dir(p)),
                io_message(io_err)
            ),
            None => format!("edgelint: {}", io_message(io_err)),
        }),
        other => {
            let at = match (path, line) {
                (Some(p), Some(l)) => format!("{}:{l}: ", shown(p)),
                (Some(p), None) => format!("{}: ", shown(p)),
                _ => String::new(),
            };
            out.push(format!("edgelint: {at}{}", one_line(&other.to_string())));
        }
    }
}

/// The path with leading `.` components removed (`./a/b` → `a/b`); `.` itself stays.
pub fn without_leading_cur_dir(path: &Path) -> PathBuf {
    let mut components = path.components().peekable();
    while components.next_if(|c| *c == Component::CurDir).is_some() {}
    let rest: PathBuf = components.collect();
    if rest.as_os_str().is_empty() {
        path.to_path_buf()
    } else {
        rest
    }
}

/// A path for a message: lossy UTF-8, control characters escaped (file names are untrusted).
pub(crate) fn shown(path: &Path) -> String {
    one_line(&path.to_string_lossy())
}

fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> =
                if c.is_control() { c.escape_default().collect() } else { vec![c] };
            escaped
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let dir =
                std::env::temp_dir().join(format!("edgelint-discover-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let path = self.0.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            path
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.0.join(rel)
        }

        /// The directory itself, as the list of paths to discover.
        fn root(&self) -> &[PathBuf] {
            std::slice::from_ref(&self.0)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn opts() -> DiscoverOptions {
        DiscoverOptions { excludes: Vec::new(), force_exclude: false, threads: 2 }
    }

    /// Candidates relative to the temp dir, with their origin.
    fn found(dir: &TempDir, paths: &[PathBuf], opts: &DiscoverOptions) -> Vec<(String, Origin)> {
        let d = discover(paths, opts);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        d.candidates
            .iter()
            .map(|c| {
                let rel = c.path.strip_prefix(&dir.0).unwrap();
                (rel.to_string_lossy().into_owned(), c.origin)
            })
            .collect()
    }

    fn walked(names: &[&str]) -> Vec<(String, Origin)> {
        names.iter().map(|n| (n.to_string(), Origin::Walked)).collect()
    }

    #[test]
    fn walks_by_name_and_sorts() {
        let dir = TempDir::new();
        for f in [
            "z/Dockerfile",
            "a/compose.yaml",
            "a/deploy.yml",
            "Dockerfile.dev",
            "Dockerfile.md",
            "README.md",
            "main.go",
            "b/x.Dockerfile",
        ] {
            dir.write(f, "x");
        }
        assert_eq!(
            found(&dir, dir.root(), &opts()),
            walked(&[
                "Dockerfile.dev",
                "a/compose.yaml",
                "a/deploy.yml",
                "b/x.Dockerfile",
                "z/Dockerfile"
            ])
        );
    }

    #[test]
    fn gitignore_and_ignore_files_honoured_without_git() {
        let dir = TempDir::new();
        dir.write(".gitignore", "ignored/\n*.gen.yaml\n");
        dir.write("sub/.ignore", "local.yaml\n");
        dir.write("ignored/Dockerfile", "x");
        dir.write("a.gen.yaml", "x");
        dir.write("keep.yaml", "x");
        dir.write("sub/local.yaml", "x");
        dir.write("sub/other.yaml", "x");
        assert_eq!(found(&dir, dir.root(), &opts()), walked(&["keep.yaml", "sub/other.yaml"]));
    }

    #[test]
    fn hidden_dirs_walked_but_not_git() {
        let dir = TempDir::new();
        dir.write(".github/workflows/ci.yml", "x");
        dir.write(".devcontainer/Dockerfile", "x");
        dir.write(".git/config.yaml", "x");
        dir.write("sub/.git/Dockerfile", "x");
        dir.write(".gitlab-ci.yml", "x");
        assert_eq!(
            found(&dir, dir.root(), &opts()),
            walked(&[".devcontainer/Dockerfile", ".github/workflows/ci.yml", ".gitlab-ci.yml"])
        );
    }

    #[test]
    fn node_modules_and_vendor_skipped() {
        let dir = TempDir::new();
        dir.write("node_modules/pkg/Dockerfile", "x");
        dir.write("web/node_modules/pkg/compose.yaml", "x");
        dir.write("vendor/github.com/x/Dockerfile", "x");
        dir.write("vendors/Dockerfile", "x");
        assert_eq!(found(&dir, dir.root(), &opts()), walked(&["vendors/Dockerfile"]));
    }

    #[test]
    fn excludes_match_name_relative_path_and_dirs() {
        let dir = TempDir::new();
        for f in [
            "fixtures/Dockerfile",
            "deep/fixtures/pod.yaml",
            "deploy/app.yaml",
            "deploy/sub/app.yaml",
            "x.tmpl.yaml",
            "deep/y.tmpl.yaml",
            "keep/Dockerfile",
        ] {
            dir.write(f, "x");
        }
        let opts = DiscoverOptions {
            excludes: vec!["fixtures/".into(), "./deploy/*.yaml".into(), "*.tmpl.yaml".into()],
            ..opts()
        };
        assert_eq!(
            found(&dir, dir.root(), &opts),
            walked(&["deploy/sub/app.yaml", "keep/Dockerfile"])
        );
    }

    #[test]
    fn explicit_files_always_candidates_unless_force_exclude() {
        let dir = TempDir::new();
        dir.write(".gitignore", "ignored/\n");
        let ignored = dir.write("ignored/Dockerfile", "x");
        let vendored = dir.write("vendor/x/compose.yaml", "x");
        let readme = dir.write("README.md", "x");
        let fixture = dir.write("fixtures/pod.yaml", "x");
        let paths = [ignored, vendored, readme, fixture];
        let mut o = DiscoverOptions { excludes: vec!["fixtures".into(), "*.md".into()], ..opts() };
        let explicit = |names: &[&str]| -> Vec<(String, Origin)> {
            names.iter().map(|n| (n.to_string(), Origin::Explicit)).collect()
        };
        assert_eq!(
            found(&dir, &paths, &o),
            explicit(&[
                "README.md",
                "fixtures/pod.yaml",
                "ignored/Dockerfile",
                "vendor/x/compose.yaml"
            ])
        );
        o.force_exclude = true;
        // Still linted: .gitignore does not apply to explicit files, even under force_exclude.
        assert_eq!(found(&dir, &paths, &o), explicit(&["ignored/Dockerfile"]));
    }

    #[test]
    fn explicit_and_walked_deduplicated_explicit_wins() {
        let dir = TempDir::new();
        let file = dir.write("a/Dockerfile", "x");
        dir.write("b/compose.yml", "x");
        let paths = [dir.0.clone(), file, dir.0.clone()];
        assert_eq!(
            found(&dir, &paths, &opts()),
            vec![
                ("a/Dockerfile".to_string(), Origin::Explicit),
                ("b/compose.yml".to_string(), Origin::Walked)
            ]
        );
    }

    #[test]
    fn nonexistent_path_is_an_error_and_the_run_continues() {
        let dir = TempDir::new();
        let file = dir.write("Dockerfile", "x");
        let missing = dir.path("missing.yaml");
        let d = discover(&[missing.clone(), file.clone()], &opts());
        assert_eq!(
            d.errors,
            vec![format!("edgelint: no such file or directory: {}", missing.display())]
        );
        assert_eq!(d.candidates, vec![Candidate { path: file, origin: Origin::Explicit }]);
    }

    #[test]
    fn invalid_exclude_pattern_is_an_error() {
        let dir = TempDir::new();
        dir.write("Dockerfile", "x");
        let o = DiscoverOptions { excludes: vec!["a[".into()], ..opts() };
        let d = discover(dir.root(), &o);
        assert_eq!(d.errors.len(), 1);
        assert!(
            d.errors[0].starts_with("edgelint: invalid --exclude pattern `a[`: "),
            "{:?}",
            d.errors
        );
        assert_eq!(d.candidates.len(), 1);
    }

    #[test]
    fn leading_cur_dir_removed() {
        assert_eq!(without_leading_cur_dir(Path::new("./a/b")), PathBuf::from("a/b"));
        assert_eq!(without_leading_cur_dir(Path::new("././a")), PathBuf::from("a"));
        assert_eq!(without_leading_cur_dir(Path::new(".")), PathBuf::from("."));
        assert_eq!(without_leading_cur_dir(Path::new("a/./b")), PathBuf::from("a/b"));
        assert_eq!(without_leading_cur_dir(Path::new("/x/y")), PathBuf::from("/x/y"));
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(shown(Path::new("a\nb\u{1b}[31m")), "a\\nb\\u{1b}[31m");
        let err = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(io_message(&err), "permission denied");
        assert_eq!(io_message(&io::Error::from_raw_os_error(2)), "no such file or directory");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_not_followed_when_walking() {
        let dir = TempDir::new();
        let outside = TempDir::new();
        outside.write("Dockerfile", "x");
        let real = dir.write("real/compose.yaml", "x");
        std::os::unix::fs::symlink(&outside.0, dir.path("linkdir")).unwrap();
        std::os::unix::fs::symlink(&real, dir.path("Dockerfile")).unwrap();
        assert_eq!(found(&dir, dir.root(), &opts()), walked(&["real/compose.yaml"]));
        // Named explicitly, a link to a file is followed.
        let d = discover(&[dir.path("Dockerfile")], &opts());
        assert_eq!(d.candidates.len(), 1);
        assert!(d.errors.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_never_opened() {
        let dir = TempDir::new();
        dir.write("compose.yaml", "x");
        let fifo = dir.path("Dockerfile");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable; skipped");
            return;
        }
        // Walking: the FIFO named Dockerfile is not a candidate (and the walk does not block).
        assert_eq!(found(&dir, dir.root(), &opts()), walked(&["compose.yaml"]));
        // Named explicitly: an error, not a candidate.
        let d = discover(std::slice::from_ref(&fifo), &opts());
        assert_eq!(d.errors, vec![format!("edgelint: not a regular file: {}", fifo.display())]);
        assert!(d.candidates.is_empty());
    }

    #[test]
    fn explicit_directory_named_dockerfile_is_walked() {
        let dir = TempDir::new();
        dir.write("Dockerfile/Dockerfile", "x");
        dir.write("Dockerfile/notes.txt", "x");
        assert_eq!(
            found(&dir, &[dir.path("Dockerfile")], &opts()),
            walked(&["Dockerfile/Dockerfile"])
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_directory_is_an_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new();
        dir.write("ok/Dockerfile", "x");
        let locked = dir.path("locked");
        fs::create_dir_all(&locked).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read_dir(&locked).is_ok() {
            // Running as root: permissions do not apply.
            fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
            eprintln!("running with read access to everything; skipped");
            return;
        }
        let d = discover(dir.root(), &opts());
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            d.errors,
            vec![format!("edgelint: cannot read {}: permission denied", locked.display())]
        );
        assert_eq!(d.candidates.len(), 1);
    }
}
