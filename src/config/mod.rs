//! Configuration files: `.edgelint.yaml` (or `edgelint.yaml`, `.edgelint.yml`, `edgelint.yml`).
//!
//! **Discovery.** For each linted file, edgelint looks in the file's directory and then in each
//! parent directory, up to the repository root (the nearest ancestor holding `.git`, a
//! directory or a file) or else the filesystem root; the nearest configuration file wins. A
//! directory with both names is an error. Results are cached per directory, and each file is
//! read once. `--config PATH` uses that file for every input (its relative globs are relative
//! to the current directory, as ruff does); `--isolated` reads no configuration file. Standard
//! input uses the configuration of `--stdin-filename`'s directory, else of the current one.
//!
//! **Layers.** A configuration can build on another with `extends: ../.edgelint.yaml` (a path
//! relative to the file). The effective settings of a file are, in order: the defaults, then for
//! each configuration from the outermost `extends` to the nearest: its top-level settings, then
//! its `per-path` entries whose glob matches the file's path relative to that configuration's
//! directory (in the order written); then the command line. So the command line beats the
//! nearest configuration, which beats the configuration it extends, which beats the defaults.
//! Within that order `rules` merge per rule (a level replaces the level, options replace
//! options one by one), `exclude` globs add up (each relative to its own file), `images` add up
//! (the nearer entry for the same pattern wins), and every other key replaces.
//!
//! Every problem (unknown key, unknown rule, wrong type, invalid value, YAML syntax, a missing
//! `extends` target or a cycle) is a [`ConfigError`] with the file's `path:line:column`; the
//! command line prints them all and exits 2 before linting anything.

pub mod parse;
pub mod schema;

use crate::diagnostic::Severity;
use crate::settings::{Device, ImageEntry, Level, RuleSettings, Settings};
use crate::source::Spanned;
use crate::syntax::yaml::NodeRef;
use crate::values::platform::Platform;
use globset::{GlobMatcher, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The names a configuration file may have, in the order they are looked for.
/// `.yml` is accepted as everywhere else in YAML tooling (it was silently ignored).
pub const FILE_NAMES: [&str; 4] =
    [".edgelint.yaml", "edgelint.yaml", ".edgelint.yml", "edgelint.yml"];

/// Largest configuration file read.
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// A problem in a configuration file, at a position in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    /// The file as shown (relative to the current directory when under it).
    pub path: String,
    /// 1-based; 0 when the problem is the file as a whole (it cannot be read).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
        }
    }
}

/// A `per-path` entry.
#[derive(Clone, Debug)]
pub struct PerPath {
    pub pattern: String,
    pub matcher: GlobMatcher,
    pub rules: Vec<(String, RuleSettings)>,
    /// `platforms` for the matching files (replaces the top-level `platforms`).
    pub platforms: Option<Vec<Platform>>,
}

/// What one configuration file says, validated. `None`/empty: not set.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    /// `extends`: the path as written and where it is written (line, column).
    pub extends: Option<(String, usize, usize)>,
    pub platforms: Option<Vec<Platform>>,
    /// `Some(None)`: `none`.
    pub failure_threshold: Option<Option<Severity>>,
    pub require_reason: Option<bool>,
    pub exclude: Vec<Spanned<String>>,
    pub rules: Vec<(String, RuleSettings)>,
    pub per_path: Vec<PerPath>,
    pub images: Vec<ImageEntry>,
    pub registries_local: Option<Vec<String>>,
    pub device: Option<Device>,
    /// `baseline`: as written by the parser, made absolute (against the file's directory)
    /// when the file is loaded.
    pub baseline: Option<PathBuf>,
}

fn merge_rules(settings: &mut Settings, rules: &[(String, RuleSettings)]) {
    for (name, r) in rules {
        settings.rules.entry(name.clone()).or_default().merge(r);
    }
}

impl Layer {
    /// Lays the top-level settings over `settings` (not `per-path`).
    fn apply(&self, settings: &mut Settings) {
        if let Some(p) = &self.platforms {
            settings.platforms = p.clone();
            settings.platforms_configured = true;
        }
        if let Some(t) = self.failure_threshold {
            settings.failure_threshold = t;
        }
        if let Some(r) = self.require_reason {
            settings.require_reason = r;
        }
        merge_rules(settings, &self.rules);
        settings.images.extend(self.images.iter().cloned());
        if let Some(l) = &self.registries_local {
            settings.registries_local = l.clone();
        }
        if self.device.is_some() {
            settings.device = self.device;
        }
        if let Some(b) = &self.baseline {
            settings.baseline = Some(b.clone());
        }
    }
}

/// One configuration file, read and validated.
#[derive(Debug)]
pub struct ConfigFile {
    /// Absolute, normalised.
    pub path: PathBuf,
    /// As shown in messages.
    pub shown: String,
    /// The directory its globs are relative to.
    pub base: PathBuf,
    pub layer: Layer,
    excludes: GlobSet,
}

impl ConfigFile {
    /// Whether `file` (absolute) is excluded by this file's `exclude`: a glob matches its path
    /// relative to [`ConfigFile::base`], one of that path's ancestors, or one of its components'
    /// names.
    fn excludes(&self, file: &Path) -> bool {
        if self.excludes.is_empty() {
            return false;
        }
        let Ok(rel) = file.strip_prefix(&self.base) else { return false };
        let mut prefix = PathBuf::new();
        for c in rel.components() {
            prefix.push(c);
            if self.excludes.is_match(&prefix) || self.excludes.is_match(c.as_os_str()) {
                return true;
            }
        }
        false
    }

    /// The `per-path` entries that match `file` (absolute): the glob matches its path relative
    /// to [`ConfigFile::base`], or, for a glob without `/`, its file name.
    fn per_path_matches<'a>(&'a self, file: &Path) -> impl Iterator<Item = &'a PerPath> + 'a {
        let rel = file.strip_prefix(&self.base).ok().map(Path::to_path_buf);
        self.layer.per_path.iter().filter(move |p| {
            rel.as_ref().is_some_and(|r| {
                p.matcher.is_match(r)
                    || (!p.pattern.contains('/')
                        && r.file_name().is_some_and(|n| p.matcher.is_match(n)))
            })
        })
    }
}

/// What the command line sets; it comes last.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub platforms: Option<Vec<Platform>>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// `Some(None)`: `--failure-threshold none`.
    pub failure_threshold: Option<Option<Severity>>,
    pub kind: Option<crate::document::FileKind>,
    /// `--baseline FILE`, absolute.
    pub baseline: Option<PathBuf>,
}

impl Overrides {
    pub fn apply(&self, settings: &mut Settings) {
        if let Some(p) = &self.platforms {
            settings.platforms = p.clone();
            settings.platforms_configured = true;
        }
        settings.select = self.select.clone();
        settings.ignore = self.ignore.clone();
        if let Some(t) = self.failure_threshold {
            settings.failure_threshold = t;
        }
        settings.kind = self.kind;
        if let Some(b) = &self.baseline {
            settings.baseline = Some(b.clone());
        }
    }
}

/// The configuration files that apply to a directory, outermost first, and the settings they
/// give before `per-path` entries.
#[derive(Debug)]
pub struct Resolved {
    pub chain: Vec<Arc<ConfigFile>>,
    /// The nearest `edgelint.lock`, if any, as shown (in `base` and every `settings_for`).
    pub lockfile: Option<(String, Arc<crate::lockfile::Lockfile>)>,
    base: Arc<Settings>,
    overrides: Overrides,
}

impl Resolved {
    /// The settings for a file (absolute path; `None` for standard input without a name).
    pub fn settings_for(&self, file: Option<&Path>) -> Arc<Settings> {
        let Some(file) = file else { return self.base.clone() };
        if !self.chain.iter().any(|c| c.per_path_matches(file).next().is_some()) {
            return self.base.clone();
        }
        let mut settings = Settings::default();
        for c in &self.chain {
            c.layer.apply(&mut settings);
            for p in c.per_path_matches(file) {
                merge_rules(&mut settings, &p.rules);
                if let Some(platforms) = &p.platforms {
                    settings.platforms = platforms.clone();
                    settings.platforms_configured = true;
                }
            }
        }
        self.overrides.apply(&mut settings);
        settings.lockfile = self.lockfile.as_ref().map(|(_, l)| l.clone());
        Arc::new(settings)
    }

    /// Whether an `exclude` glob of one of the files excludes `file` (absolute).
    pub fn excludes(&self, file: &Path) -> bool {
        self.chain.iter().any(|c| c.excludes(file))
    }
}

/// Where configuration comes from.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Look for `.edgelint.yaml` up from each file.
    Discover,
    /// `--config PATH`.
    Explicit(PathBuf),
    /// `--isolated`.
    Isolated,
}

/// Finds, reads and caches configuration files. Not thread-safe: resolve every input first,
/// then lint in parallel.
pub struct Resolver {
    mode: Mode,
    cwd: PathBuf,
    overrides: Overrides,
    /// Directory → the nearest configuration file (absolute), if any.
    nearest: HashMap<PathBuf, Option<PathBuf>>,
    /// (Nearest configuration file, nearest lockfile) → their resolution.
    resolved: HashMap<(Option<PathBuf>, Option<PathBuf>), Arc<Resolved>>,
    /// `edgelint.lock` files, found like configuration files (not with `--isolated`).
    locks: crate::lockfile::Discovery,
    files: HashMap<PathBuf, Option<Arc<ConfigFile>>>,
    errors: Vec<ConfigError>,
}

impl Resolver {
    pub fn new(mode: Mode, cwd: PathBuf, overrides: Overrides) -> Resolver {
        Resolver {
            mode,
            cwd,
            overrides,
            nearest: HashMap::new(),
            resolved: HashMap::new(),
            locks: crate::lockfile::Discovery::default(),
            files: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// Every problem found so far, sorted, without duplicates.
    pub fn errors(&self) -> Vec<ConfigError> {
        let mut e = self.errors.clone();
        e.sort();
        e.dedup();
        e
    }

    /// The absolute, normalised form of a path (relative to the current directory).
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// The configuration for an input: a file path (need not exist), or `None` for standard
    /// input without a name.
    pub fn for_path(&mut self, path: Option<&Path>) -> Arc<Resolved> {
        let dir = match path {
            None => self.cwd.clone(),
            Some(p) => {
                let abs = self.absolute(p);
                if abs.is_dir() {
                    abs
                } else {
                    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
                }
            }
        };
        let nearest = match self.mode.clone() {
            Mode::Isolated => None,
            Mode::Explicit(p) => Some(self.absolute(&p)),
            Mode::Discover => self.nearest_config(&dir),
        };
        let lock_path = match self.mode {
            Mode::Isolated => None,
            _ => self.locks.nearest(&dir),
        };
        let key = (nearest.clone(), lock_path.clone());
        if let Some(r) = self.resolved.get(&key) {
            return r.clone();
        }
        let lockfile = lock_path.and_then(|p| match self.locks.load(&p) {
            Ok(l) => Some((self.shown(&p), l)),
            Err(errors) => {
                let shown = self.shown(&p);
                self.errors.extend(errors.into_iter().map(|e| ConfigError {
                    path: shown.clone(),
                    line: e.line,
                    column: e.column,
                    message: e.message,
                }));
                None
            }
        });
        let chain = match &nearest {
            None => Vec::new(),
            Some(p) => self.chain(p),
        };
        let mut base = Settings::default();
        for c in &chain {
            c.layer.apply(&mut base);
        }
        self.overrides.apply(&mut base);
        base.lockfile = lockfile.as_ref().map(|(_, l)| l.clone());
        let r = Arc::new(Resolved {
            chain,
            lockfile,
            base: Arc::new(base),
            overrides: self.overrides.clone(),
        });
        self.resolved.insert(key, r.clone());
        r
    }

    fn nearest_config(&mut self, start: &Path) -> Option<PathBuf> {
        let mut visited = Vec::new();
        let mut found = None;
        for dir in start.ancestors() {
            if let Some(cached) = self.nearest.get(dir) {
                found = cached.clone();
                break;
            }
            visited.push(dir.to_path_buf());
            let present: Vec<PathBuf> =
                FILE_NAMES.iter().map(|n| dir.join(n)).filter(|p| p.is_file()).collect();
            if present.len() > 1 {
                self.errors.push(ConfigError {
                    path: self.shown(dir),
                    line: 0,
                    column: 0,
                    message: format!(
                        "holds more than one configuration file ({}); keep one",
                        present
                            .iter()
                            .filter_map(|p| p.file_name())
                            .map(|n| format!("`{}`", n.to_string_lossy()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            if let Some(p) = present.into_iter().next() {
                found = Some(p);
                break;
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        for d in visited {
            self.nearest.insert(d, found.clone());
        }
        found
    }

    /// The file and what it extends, outermost first.
    fn chain(&mut self, nearest: &Path) -> Vec<Arc<ConfigFile>> {
        let mut chain = Vec::new();
        let mut next = Some((nearest.to_path_buf(), None::<(String, usize, usize)>));
        while let Some((path, from)) = next.take() {
            if chain.iter().any(|c: &Arc<ConfigFile>| c.path == path) || chain.len() >= 32 {
                if let Some((shown, line, column)) = from {
                    self.errors.push(ConfigError {
                        path: shown,
                        line,
                        column,
                        message: format!("`extends` makes a cycle through {}", self.shown(&path)),
                    });
                }
                break;
            }
            let Some(file) = self.load(&path, from) else { break };
            if let Some((target, line, column)) = &file.layer.extends {
                let target = normalize(&file.path.parent().unwrap_or(Path::new("/")).join(target));
                next = Some((target, Some((file.shown.clone(), *line, *column))));
            }
            chain.push(file);
        }
        chain.reverse();
        chain
    }

    /// Reads and validates one file (cached). `from`: the `extends` that names it.
    fn load(
        &mut self,
        path: &Path,
        from: Option<(String, usize, usize)>,
    ) -> Option<Arc<ConfigFile>> {
        if let Some(f) = self.files.get(path) {
            return f.clone();
        }
        let shown = self.shown(path);
        let at = |message: String| match &from {
            Some((p, line, column)) => {
                ConfigError { path: p.clone(), line: *line, column: *column, message }
            }
            None => ConfigError { path: shown.clone(), line: 0, column: 0, message },
        };
        let text = match std::fs::metadata(path) {
            Ok(m) if m.len() > MAX_CONFIG_SIZE => {
                Err(format!("over the {MAX_CONFIG_SIZE}-byte limit for a configuration file"))
            }
            Ok(m) if !m.is_file() => Err("not a regular file".to_string()),
            Ok(_) => std::fs::read_to_string(path).map_err(|e| crate::source::io_message(&e)),
            Err(e) => Err(crate::source::io_message(&e)),
        };
        let result = match text {
            Err(e) => {
                let message = match from {
                    Some(_) => format!("cannot read `extends` target {shown}: {e}"),
                    None => format!("cannot read: {e}"),
                };
                self.errors.push(at(message));
                None
            }
            Ok(text) => match parse::parse(&shown, &text) {
                Err(errors) => {
                    self.errors.extend(errors);
                    None
                }
                Ok(mut layer) => {
                    // `baseline:` is relative to the file itself, whatever `--config` says.
                    let dir = path.parent().unwrap_or(Path::new("/"));
                    layer.baseline = layer.baseline.map(|b| normalize(&dir.join(b)));
                    let base = match &self.mode {
                        Mode::Explicit(p) if self.absolute(p) == path => self.cwd.clone(),
                        _ => path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    };
                    let mut builder = GlobSetBuilder::new();
                    for g in &layer.exclude {
                        if let Ok(glob) = parse::path_glob(&g.value) {
                            builder.add(glob);
                        }
                    }
                    let excludes = builder.build().unwrap_or_else(|_| GlobSet::empty());
                    Some(Arc::new(ConfigFile {
                        path: path.to_path_buf(),
                        shown,
                        base,
                        layer,
                        excludes,
                    }))
                }
            },
        };
        self.files.insert(path.to_path_buf(), result.clone());
        result
    }

    /// A path for messages: relative to the current directory when under it.
    pub fn shown(&self, path: &Path) -> String {
        let p = path.strip_prefix(&self.cwd).unwrap_or(path);
        let s = p.to_string_lossy();
        if s.is_empty() {
            ".".to_string()
        } else {
            s.into_owned()
        }
    }
}

/// `a/./b/../c` → `a/c`, lexically (symbolic links are not resolved).
pub use crate::source::normalize_path as normalize;

/// The settings as JSON, for `--show-settings`: every rule with whether it runs, its effective
/// severity and every option's effective value.
pub fn settings_json(
    settings: &Settings,
    resolved: &Resolved,
    shown: &str,
    excluded: bool,
) -> serde_json::Value {
    use serde_json::json;
    let mut rules = serde_json::Map::new();
    for name in schema::rule_names() {
        let default_severity =
            crate::rules::find(name).map_or(Severity::Error, |r| r.meta().severity);
        let options = schema::rule_meta(name).unwrap_or(&[]);
        let opts: serde_json::Map<String, serde_json::Value> = options
            .iter()
            .map(|o| {
                let v = match settings.rule_option(name, o.name) {
                    Some(c) => c.as_value().to_json(),
                    None => o.default.as_value().to_json(),
                };
                (o.name.to_string(), v)
            })
            .collect();
        let level = settings.rules.get(name).and_then(|r| r.level);
        rules.insert(
            name.to_string(),
            json!({
                "enabled": settings.rule_enabled(name),
                "severity": settings.rule_severity(name).unwrap_or(default_severity),
                "configured-level": level.map(Level::as_str),
                "options": opts,
            }),
        );
    }
    let images: serde_json::Map<String, serde_json::Value> = settings
        .images
        .entries()
        .iter()
        .map(|e| {
            let ps: Vec<String> = e.platforms.iter().map(ToString::to_string).collect();
            (e.pattern.clone(), json!(ps))
        })
        .collect();
    let q = |q: Option<crate::values::quantity::Quantity>| q.map(|q| q.canonical());
    let device = settings.device.map(|d| {
        json!({
            "cpu": q(d.cpu),
            "memory": q(d.memory),
            "reserved": {"cpu": q(d.reserved_cpu), "memory": q(d.reserved_memory)},
        })
    });
    let platforms: Vec<String> = settings.platforms.iter().map(ToString::to_string).collect();
    let files: Vec<&str> = resolved.chain.iter().map(|c| c.shown.as_str()).collect();
    let threshold = settings.failure_threshold.map_or("none", Severity::as_str);
    let mut ordered = BTreeMap::new();
    ordered.insert("path", json!(shown));
    ordered.insert("config-files", json!(files));
    let lockfile = resolved.lockfile.as_ref().map(|(shown, _)| shown.as_str());
    ordered.insert("lockfile", json!(lockfile));
    ordered.insert("excluded", json!(excluded));
    ordered.insert("platforms", json!(platforms));
    ordered.insert("platforms-configured", json!(settings.platforms_configured));
    ordered.insert("failure-threshold", json!(threshold));
    ordered.insert("require-reason", json!(settings.require_reason));
    ordered.insert("select", json!(settings.select));
    ordered.insert("ignore", json!(settings.ignore));
    ordered.insert("rules", serde_json::Value::Object(rules));
    ordered.insert("images", serde_json::Value::Object(images));
    ordered.insert("registries", json!({"local": settings.registries_local}));
    ordered.insert("device", json!(device));
    ordered.insert("baseline", json!(settings.baseline.as_ref().map(|b| b.to_string_lossy())));
    json!(ordered)
}

/// A YAML node as JSON with the YAML 1.2 core schema (null, booleans, integers, floats,
/// strings), for validating a configuration against the JSON Schema.
pub fn yaml_to_json(node: NodeRef<'_>) -> serde_json::Value {
    use serde_json::Value;
    let node = node.resolve();
    if node.is_mapping() {
        let map = node
            .entries()
            .into_iter()
            .map(|e| (e.key.as_str().unwrap_or_default().to_string(), yaml_to_json(e.value)))
            .collect();
        return Value::Object(map);
    }
    if node.is_sequence() {
        return Value::Array(node.items().into_iter().map(yaml_to_json).collect());
    }
    if node.is_null() {
        return Value::Null;
    }
    if let Some(b) = node.as_bool() {
        return Value::Bool(b);
    }
    if let Some(i) = node.as_i64() {
        return Value::from(i);
    }
    if let Some(f) = parse::core_float(node).and_then(serde_json::Number::from_f64) {
        return Value::Number(f);
    }
    Value::String(node.as_str().unwrap_or_default().to_string())
}
