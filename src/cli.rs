//! The command line: arguments, the lint run with per-file settings from the configuration
//! ([`crate::config`]), and the other commands (`rules`, `explain`, `inspect`, `config`). `run`
//! returns the exit code; `main` only calls it.

use crate::config::{self, Overrides};
use crate::diagnostic::{
    Diagnostic, FileReport, OncePerRun, Severity, FILE_TOO_LARGE, PARSE_ERROR,
};
use crate::discover::{self, DiscoverOptions, Origin};
use crate::document::{Document, FileKind};
use crate::render::{self, Format, RenderOptions};
use crate::semantic::compose_builds::{self, BuiltDockerfile};
use crate::settings::Settings;
use crate::source::Span;
use crate::suggest::closest;
use crate::values::platform::Platform;
use crate::{rules, NotLinted};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Largest file edgelint reads by default (8 MiB, `--max-file-size`); larger ones are reported
/// as `file-too-large` findings, never read whole.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// How much of an over-size file is read to decide what it is (a walked YAML file that is not
/// Compose or Kubernetes is skipped silently, as when it is small).
pub const CLASSIFY_PREFIX: u64 = 64 * 1024;

/// `edgelint --version`: the version and the date of the built-in image table.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("{} (image table {})", env!("CARGO_PKG_VERSION"), crate::archdb::table_date())
});

#[derive(Parser, Debug)]
#[command(
    name = "edgelint",
    version = VERSION.as_str(),
    about = "Lints Dockerfiles, Compose files and Kubernetes manifests for what breaks on edge devices",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Print a rule's metadata and documentation.
    Explain { rule: String },
    /// Print what the parser understood of a file (stages, services, objects, containers,
    /// images, each with line:col) as JSON. `-` reads standard input.
    Inspect {
        file: PathBuf,
        /// Read the file as this kind instead of detecting it.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
    },
    /// About the configuration file. (`edgelint --show-settings PATH` prints the settings that
    /// apply to a file.)
    Config {
        /// Print the JSON Schema (draft 2020-12) of `.edgelint.yaml`.
        #[arg(long, required = true)]
        schema: bool,
    },
    /// Image platforms from the registries: `images lock` writes `edgelint.lock`, `images
    /// check` reports drift (the only commands that use the network).
    Images(crate::images_cmd::ImagesArgs),
    /// Print a shell completion script: `edgelint completions bash > /etc/bash_completion.d/edgelint`.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff): `edgelint man > edgelint.1`.
    Man,
    /// Write a commented `.edgelint.yaml` in the current directory with the fleet's platforms
    /// (from `--platform`, asked on a terminal, else linux/amd64 and linux/arm64).
    Init {
        /// A platform the fleet runs (repeatable or comma-separated).
        #[arg(long = "platform", value_delimiter = ',')]
        platforms: Vec<String>,
        /// Overwrite an existing `.edgelint.yaml`.
        #[arg(long)]
        force: bool,
    },
    /// Run the Language Server over standard input and output (docs/editors.md): diagnostics
    /// as you type, a quick fix that writes a suppression comment, the rule's doc on hover.
    Server {
        /// Use this configuration file for every document instead of looking for
        /// `.edgelint.yaml` from each document's directory.
        #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
        config: Option<PathBuf>,
        /// Read no configuration file.
        #[arg(long)]
        isolated: bool,
        /// Accepted for clients that pass it; standard input and output are the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    Dockerfile,
    Compose,
    Kubernetes,
}

impl From<KindArg> for FileKind {
    fn from(k: KindArg) -> FileKind {
        match k {
            KindArg::Dockerfile => FileKind::Dockerfile,
            KindArg::Compose => FileKind::Compose,
            KindArg::Kubernetes => FileKind::Kubernetes,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ThresholdArg {
    Error,
    Warning,
    Info,
    None,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Files and directories to lint; `-` reads standard input. Default: `.`
    pub paths: Vec<PathBuf>,

    /// Output format. Default: human on a terminal, concise otherwise.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report in `--format` to FILE; standard output then gets the findings as
    /// without `--format` (human on a terminal, concise otherwise) and a summary line.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print the number of findings per rule after the findings.
    #[arg(long)]
    pub statistics: bool,

    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,

    /// Run only these rules (comma-separated or repeated). `parse-error` and `file-too-large`
    /// are still reported (a file that cannot be read is never a silent pass); `--ignore`
    /// them to hide them.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the exit code 1. Default: `failure-threshold` in the
    /// configuration, else info.
    #[arg(long, value_enum)]
    pub failure_threshold: Option<ThresholdArg>,

    /// Exit 0 even when there are findings (usage and I/O errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// A target platform the deployment must run on (repeatable). Default:
    /// linux/amd64, linux/arm64, linux/arm/v7.
    #[arg(long = "platform", value_delimiter = ',')]
    pub platforms: Vec<String>,

    /// Read every input as this kind instead of detecting it.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// Name for standard input, used for detection, configuration and output; given without
    /// paths, standard input is read.
    #[arg(long)]
    pub stdin_filename: Option<String>,

    /// Skip paths matching this glob (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,

    /// Apply --exclude to files named on the command line too.
    #[arg(long)]
    pub force_exclude: bool,

    /// Skip files named on the command line that are not a Dockerfile, Compose or Kubernetes
    /// file silently, as when walking (for pre-commit, which names every YAML file).
    #[arg(long)]
    pub skip_unrecognised: bool,

    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,

    /// Use this configuration file for every input instead of looking for `.edgelint.yaml`.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Read no configuration file.
    #[arg(long)]
    pub isolated: bool,

    /// Print the settings that apply to PATH (configuration files, rules, options) as JSON,
    /// and lint nothing.
    #[arg(long)]
    pub show_settings: bool,

    /// Files (and standard input) larger than this are not read but reported as
    /// `file-too-large`. Bytes, or with a binary suffix: `512K`, `8M`, `1G` (also `MiB`, `MB`).
    #[arg(long, value_name = "SIZE", default_value = "8M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Report only the findings the baseline FILE does not hold (see `--write-baseline`);
    /// overrides `baseline:` in the configuration.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["write_baseline", "add_ignore"])]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in the baseline FILE (by rule, path and place in the file,
    /// not line) and report nothing.
    #[arg(long, value_name = "FILE", conflicts_with = "add_ignore")]
    pub write_baseline: Option<PathBuf>,

    /// Write `# edgelint: ignore[rule] -- REASON` comments at every current finding, leaving
    /// untouched any file that would not parse the same after the edit.
    #[arg(
        long,
        value_name = "REASON",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub add_ignore: Option<String>,
}

/// A size for `--max-file-size`: a whole number of bytes, optionally followed by `K`, `M` or
/// `G` (case-insensitive, optionally with `i` and/or `B`), all powers of 1024. At least 1.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, suffix) = t.split_at(digits_end);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write bytes or e.g. `512K`, `8M`, `1G`"))?;
    let shift = match suffix.trim_start().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "ki" | "kib" => 10,
        "m" | "mb" | "mi" | "mib" => 20,
        "g" | "gb" | "gi" | "gib" => 30,
        _ => return Err(format!("`{s}` has an unknown unit; use K, M or G (powers of 1024)")),
    };
    let bytes = number.checked_mul(1u64 << shift).ok_or_else(|| format!("`{s}` is too large"))?;
    if bytes == 0 {
        return Err("the size limit must be at least 1 byte".to_string());
    }
    Ok(bytes)
}

/// `1536` → `1.5 KiB`; under 1 KiB, `N bytes`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" });
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let shown = format!("{value:.1}");
    let shown = shown.strip_suffix(".0").unwrap_or(&shown);
    format!("{shown} {}", UNITS[unit])
}

/// Parse the arguments and run. Returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Some(Command::Rules { format }) => list_rules(format),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Inspect { file, kind }) => inspect(&file, kind.map(FileKind::from)),
        Some(Command::Config { .. }) => print_json(&crate::config::schema::json_schema()),
        Some(Command::Images(args)) => crate::images_cmd::run(args),
        Some(Command::Completions { shell }) => write_out(&crate::manual::completions(shell)),
        Some(Command::Man) => write_out(&crate::manual::man_page()),
        Some(Command::Init { platforms, force }) => crate::init_cmd::run(&platforms, force),
        Some(Command::Server { config, isolated, stdio: _ }) => server(config, isolated),
        None => lint(cli.lint),
    }
}

fn server(config_file: Option<PathBuf>, isolated: bool) -> i32 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return usage_error(&format!("cannot read the current directory: {e}")),
    };
    let mode = match (config_file, isolated) {
        (Some(p), _) => config::Mode::Explicit(p),
        (None, true) => config::Mode::Isolated,
        (None, false) => config::Mode::Discover,
    };
    crate::lsp::run(crate::lsp::Options { mode, cwd })
}

fn usage_error(msg: &str) -> i32 {
    say(format_args!("edgelint: {msg}"));
    EXIT_ERROR
}

/// One line on stderr. Unlike `eprintln!`, never panics: a closed stderr (`2>&-` is harmless,
/// but `2>&1 | head -1` gives a broken pipe) must not turn a lint run into a crash.
fn say(msg: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{msg}");
}

/// The rule names known to `--select`, `--ignore` and `explain`.
fn known_rule_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = rules::all().iter().map(|r| r.meta().name).collect();
    names.extend(crate::diagnostic::BUILT_IN_RULES);
    names
}

/// `unknown rule "x"`, with the closest known name when one is near.
pub fn unknown_rule_message(name: &str) -> String {
    let names = known_rule_names();
    match closest(name, &names) {
        Some(s) => format!("unknown rule `{name}`; did you mean `{s}`?"),
        None => format!("unknown rule `{name}`; `edgelint rules` lists them"),
    }
}

/// What the command line sets over the configuration.
fn overrides_from(args: &LintArgs) -> Result<Overrides, String> {
    let mut settings = Overrides::default();
    let known = known_rule_names();
    for (flag, names) in [("--select", &args.select), ("--ignore", &args.ignore)] {
        for n in names {
            if !known.contains(&n.as_str()) {
                return Err(format!("{} in {flag}", unknown_rule_message(n)));
            }
        }
    }
    settings.select = args.select.clone();
    settings.ignore = args.ignore.clone();
    if !args.platforms.is_empty() {
        let mut platforms = Vec::new();
        for p in &args.platforms {
            let parsed =
                Platform::parse_target(p).map_err(|e| format!("invalid --platform `{p}`: {e}"))?;
            if !platforms.contains(&parsed) {
                platforms.push(parsed);
            }
        }
        settings.platforms = Some(platforms);
    }
    settings.failure_threshold = args.failure_threshold.map(|t| match t {
        ThresholdArg::Error => Some(Severity::Error),
        ThresholdArg::Warning => Some(Severity::Warning),
        ThresholdArg::Info => Some(Severity::Info),
        ThresholdArg::None => None,
    });
    settings.kind = args.kind.map(FileKind::from);
    Ok(settings)
}

/// What a file keeps for the cross-file phase: its settings, and its document if it is a
/// Compose file. Kubernetes cross-file rules pair files of one directory only
/// ([`crate::engine::kubernetes_bundles`]), so [`cross_file`] parses those again from their
/// text one directory at a time: a kept stream's document is ~25 times its text, and keeping
/// them all made peak memory grow with the tree (1.2 GB for 10,000 files). A stream alone in
/// its directory is not kept: its phase runs with its per-file pass ([`Bundle::Alone`]).
/// Dockerfiles are
/// read only next to a Compose file that builds them, so they are parsed again only when a
/// Compose document was kept.
struct Kept {
    kind: FileKind,
    document: Option<Document>,
    settings: Settings,
    /// What the file can be in the phase of each cross-file rule that runs for it
    /// ([`rules::Rule::cross_file_role`]): a directory of Kubernetes streams where no file can
    /// receive a finding about another is not parsed again.
    roles: Vec<(&'static str, rules::CrossFileRole)>,
}

impl Kept {
    fn new(
        document: Document,
        settings: Settings,
        roles: Vec<(&'static str, rules::CrossFileRole)>,
    ) -> Kept {
        let kind = document.kind();
        let document = (kind == FileKind::Compose).then_some(document);
        Kept { kind, document, settings, roles }
    }
}

/// Whether a cross-file rule can report something in a bundle of files with these roles (see
/// [`Kept::roles`]): one file can receive a finding and another holds what it pairs with, or
/// the only file can receive one.
fn bundle_can_report(files: &[&[(&'static str, rules::CrossFileRole)]]) -> bool {
    if let [only] = files {
        return only.iter().any(|(_, role)| role.reports);
    }
    files.iter().enumerate().any(|(i, reporter)| {
        reporter.iter().filter(|(_, role)| role.reports).any(|(rule, _)| {
            files
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && other.iter().any(|(r, role)| r == rule && role.pairs))
        })
    })
}

/// One input's outcome.
enum Outcome {
    /// The findings, and the lowest severity that fails (from the file's settings); with the
    /// document and settings when a rule that runs has a cross-file hook.
    Report(FileReport, Option<Severity>, Option<Box<Kept>>),
    /// A message for stderr that makes the exit code 2.
    Error(String),
    /// A message for stderr that leaves the exit code alone.
    Note(String),
    HelmTemplate(String),
    /// Not linted, silently: of no known kind (walked), or over the size limit with
    /// `file-too-large` ignored.
    Skipped(Skip),
}

/// Why a file was skipped silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Skip {
    Unrecognised,
    TooLarge,
}

/// A report without findings kept only for its image references of unknown platforms: its
/// text is dropped.
fn without_text(report: FileReport) -> FileReport {
    let source = crate::source::SourceFile::new(&report.source.path, String::new());
    FileReport { source, ..report }
}

/// Reduces a file's outcome in the worker, before every file's outcome is collected: a report
/// without findings (and not kept for the cross-file phase) loses its text, and the findings
/// their spare capacity, so memory grows with the findings of a run, not with its files.
fn only_what_the_output_needs(outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Report(r, threshold, None) if r.diagnostics.is_empty() => {
            Outcome::Report(without_text(r), threshold, None)
        }
        Outcome::Report(mut r, threshold, kept) => {
            r.diagnostics.shrink_to_fit();
            Outcome::Report(r, threshold, kept)
        }
        other => other,
    }
}

fn lint(args: LintArgs) -> i32 {
    let overrides = match overrides_from(&args) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return usage_error(&format!("cannot read the current directory: {e}")),
    };
    let mode = match (&args.config, args.isolated) {
        (Some(p), _) => config::Mode::Explicit(p.clone()),
        (None, true) => config::Mode::Isolated,
        (None, false) => config::Mode::Discover,
    };
    let root = cwd.clone();
    let mut overrides = overrides;
    overrides.baseline =
        args.baseline.as_ref().map(|b| crate::source::normalize_path(&cwd.join(b)));
    let mut resolver = config::Resolver::new(mode, cwd, overrides);
    if args.show_settings {
        return show_settings(&args, &mut resolver);
    }
    if let Some(n) = args.threads {
        if n == 0 {
            return usage_error("--threads must be at least 1");
        }
        // Fails only if a pool was already built, which `run` never does.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }

    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut stdin_count = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return usage_error("`-` (standard input) can be given only once");
    }
    // `--stdin-filename` alone means standard input (as in ruff); with other paths it still
    // needs `-` to say where standard input goes.
    if args.stdin_filename.is_some() && stdin_count == 0 {
        if args.paths.is_empty() {
            paths = vec![PathBuf::from("-")];
            stdin_count = 1;
        } else {
            return usage_error("--stdin-filename with paths needs `-` among them");
        }
    }
    // An invalid `--exclude` stops the run before anything is linted, as an invalid `exclude`
    // in a configuration file does: linting everything would hide the mistake.
    let mut exclude_errors = Vec::new();
    let excludes = discover::Excludes::new(&args.exclude, &mut exclude_errors);
    if !exclude_errors.is_empty() {
        for e in &exclude_errors {
            say(format_args!("{e}"));
        }
        return EXIT_ERROR;
    }
    let file_paths: Vec<PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    if args.add_ignore.is_some() && stdin_count > 0 {
        return usage_error("--add-ignore edits files in place; it does not read standard input");
    }
    if args.add_ignore.as_deref().is_some_and(|r| r.contains(['\n', '\r'])) {
        return usage_error("the --add-ignore reason must be one line");
    }

    let discovery = if file_paths.is_empty() {
        discover::Discovery { candidates: Vec::new(), errors: Vec::new() }
    } else {
        discover::discover(
            &file_paths,
            &DiscoverOptions {
                excludes: args.exclude.clone(),
                force_exclude: args.force_exclude,
                threads: args.threads.unwrap_or(0),
            },
        )
    };
    let mut exit_error = !discovery.errors.is_empty();
    for e in &discovery.errors {
        say(format_args!("{e}"));
    }

    // Configuration is resolved for every input first (cached per directory), then the files
    // are linted in parallel, each with its own settings.
    let mut jobs = Vec::with_capacity(discovery.candidates.len());
    let mut absolute: Vec<PathBuf> = Vec::with_capacity(discovery.candidates.len());
    let mut linted = std::collections::HashSet::new();
    for c in &discovery.candidates {
        let abs = resolver.absolute(&c.path);
        let resolved = resolver.for_path(Some(&c.path));
        if resolved.excludes(&abs) && (c.origin == Origin::Walked || args.force_exclude) {
            continue;
        }
        linted.insert(abs.clone());
        jobs.push((c, resolved.settings_for(Some(&abs))));
        absolute.push(abs);
    }
    let stdin_settings = if stdin_count == 1 {
        let name = args.stdin_filename.as_deref().map(std::path::Path::new);
        let abs = name.map(|n| resolver.absolute(n));
        let resolved = resolver.for_path(name);
        // `--force-exclude` applies to the name editors give standard input, as to a named file.
        let excluded = args.force_exclude
            && name.is_some_and(|n| {
                excludes.matches_explicit(&discover::without_leading_cur_dir(n))
                    || abs.as_deref().is_some_and(|a| resolved.excludes(a))
            });
        if !excluded {
            linted.extend(abs.clone());
        }
        (!excluded).then(|| resolved.settings_for(abs.as_deref()))
    } else {
        None
    };
    let config_errors = resolver.errors();
    if !config_errors.is_empty() {
        for e in &config_errors {
            eprintln!("edgelint: {e}");
        }
        return EXIT_ERROR;
    }
    // Each report's settings, by its path as shown, for the baseline and `--add-ignore`.
    let mut settings_of: std::collections::HashMap<String, std::sync::Arc<Settings>> =
        jobs.iter().map(|(c, s)| (c.path.to_string_lossy().into_owned(), s.clone())).collect();
    if let Some(s) = &stdin_settings {
        settings_of.insert(args.stdin_filename.clone().unwrap_or_else(|| "-".into()), s.clone());
    }
    // Baselines are read before linting: one that cannot be read is an error, like a
    // configuration's. `--write-baseline` and `--add-ignore` act on every finding.
    let mut baselines = Baselines::default();
    if args.write_baseline.is_none() && args.add_ignore.is_none() {
        let mut errors = Vec::new();
        for s in settings_of.values() {
            if let Some(path) = &s.baseline {
                if let Err(e) = baselines.load(path) {
                    errors.push(e);
                }
            }
        }
        errors.sort();
        errors.dedup();
        if !errors.is_empty() {
            for e in &errors {
                say(format_args!("edgelint: {e}"));
            }
            return EXIT_ERROR;
        }
    }

    let limit = args.max_file_size;
    // A Kubernetes stream alone in its directory among the run's inputs is a cross-file bundle
    // by itself: its cross-file phase runs with its per-file pass, on the document at hand,
    // instead of parsing it again after every file is linted (see [`cross_file`]).
    let stdin_path = stdin_settings
        .as_ref()
        .map(|_| PathBuf::from(args.stdin_filename.as_deref().unwrap_or("-")));
    let mut inputs_in_dir: std::collections::HashMap<Option<&std::path::Path>, usize> =
        std::collections::HashMap::new();
    for path in jobs.iter().map(|(c, _)| c.path.as_path()).chain(stdin_path.as_deref()) {
        *inputs_in_dir.entry(path.parent()).or_default() += 1;
    }
    let alone = |path: &std::path::Path| inputs_in_dir.get(&path.parent()) == Some(&1);
    // Two phases: the files that are not Dockerfiles by name first, then the Dockerfiles, each
    // with the platforms the run's Compose services build it for (see [`compose_builds`]).
    type Job<'a> = (&'a discover::Candidate, std::sync::Arc<Settings>);
    let lint_job = |jobs: &[Job<'_>], index: usize, built: Option<&mut Vec<BuiltDockerfile>>| {
        let (c, settings) = &jobs[index];
        // `--skip-unrecognised`: a named file that is none of the three kinds is skipped
        // as if it had been found by walking.
        let origin = if args.skip_unrecognised { Origin::Walked } else { c.origin };
        let built = built.map(|b| (absolute[index].as_path(), b));
        let bundle = if alone(&c.path) { Bundle::Alone } else { Bundle::Shared };
        only_what_the_output_needs(lint_file(&c.path, origin, settings, limit, built, bundle))
    };
    let is_dockerfile = |index: &usize| {
        let (c, settings) = &jobs[*index];
        settings.kind.is_none_or(|k| k == FileKind::Dockerfile)
            && crate::classify::by_name(&c.path) == crate::classify::NameClass::Dockerfile
    };
    let (dockerfiles, others): (Vec<usize>, Vec<usize>) = (0..jobs.len()).partition(is_dockerfile);
    let first: Vec<(usize, Outcome, Vec<BuiltDockerfile>)> = map_jobs(others, |index| {
        let mut built = Vec::new();
        let outcome = lint_job(&jobs, index, Some(&mut built));
        (index, outcome, built)
    });
    let mut built_for: std::collections::HashMap<&std::path::Path, Vec<Platform>> =
        std::collections::HashMap::new();
    for built in first.iter().flat_map(|(_, _, b)| b) {
        let platforms = built_for.entry(built.path.as_path()).or_default();
        compose_builds::merge(platforms, &built.platforms);
    }
    for &index in &dockerfiles {
        // The platforms the run's Compose services build it for, else, for a plain
        // `Dockerfile`, the configured ones without those of `Dockerfile.<arch>` files beside it.
        let platforms = built_for.get(absolute[index].as_path()).cloned().or_else(|| {
            let path = &jobs[index].0.path;
            let plain = path.file_name().is_some_and(|n| {
                let n = n.to_string_lossy().to_ascii_lowercase();
                n == "dockerfile" || n == "containerfile"
            });
            (plain && crate::semantic::targets::path_platform(&path.to_string_lossy()).is_none())
                .then(|| sibling_names(&absolute[index]))
                .and_then(|names| {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    crate::semantic::targets::without_sibling_platforms(
                        &jobs[index].1.platforms,
                        &names,
                    )
                })
        });
        if let Some(platforms) = platforms {
            let settings = &mut jobs[index].1;
            if settings.platforms != platforms {
                let mut changed = Settings::clone(settings);
                changed.platforms = platforms;
                changed.platforms_configured = true;
                *settings = std::sync::Arc::new(changed);
            }
        }
    }
    let second: Vec<(usize, Outcome)> =
        map_jobs(dockerfiles, |index| (index, lint_job(&jobs, index, None)));
    let mut slots: Vec<Option<Outcome>> = (0..jobs.len()).map(|_| None).collect();
    for (index, outcome) in first.into_iter().map(|(i, o, _)| (i, o)).chain(second) {
        slots[index] = Some(outcome);
    }
    let mut outcomes: Vec<Outcome> = slots.into_iter().flatten().collect();
    if let Some(settings) = stdin_settings {
        let bundle = match &stdin_path {
            Some(p) if alone(p) => Bundle::Alone,
            _ => Bundle::Shared,
        };
        outcomes.push(lint_stdin(
            args.stdin_filename.as_deref(),
            &settings,
            limit,
            args.skip_unrecognised,
            bundle,
        ));
    }

    let mut reports = Vec::new();
    let mut helm = Vec::new();
    let mut kept = Vec::new();
    let mut run_stats = render::RunStats::default();
    let mut noted = false;
    for o in &outcomes {
        match o {
            Outcome::Report(r, _, _) if r.diagnostics.iter().any(|d| d.rule == FILE_TOO_LARGE) => {
                run_stats.skipped_too_large += 1;
            }
            Outcome::Report(..) => run_stats.checked += 1,
            Outcome::Note(_) | Outcome::Skipped(Skip::Unrecognised) => {
                run_stats.skipped_unrecognised += 1;
            }
            Outcome::Skipped(Skip::TooLarge) => run_stats.skipped_too_large += 1,
            Outcome::HelmTemplate(_) => run_stats.skipped_helm_template += 1,
            Outcome::Error(_) => {}
        }
    }
    // Findings reported once per run (`single-arch-image`'s unknown platforms) stay at their
    // first file, in path order (the order of `outcomes`; standard input last).
    let mut once = OncePerRun::default();
    for mut o in outcomes {
        if let Outcome::Report(r, _, _) = &mut o {
            once.filter(&mut r.diagnostics);
        }
        match o {
            Outcome::Report(r, threshold, Some(document)) => kept.push((r, threshold, document)),
            // Only files with findings keep their text (memory stays flat on large trees); a
            // file without findings but with image references of unknown platforms keeps only
            // those, for the count.
            Outcome::Report(r, _, None) if r.diagnostics.is_empty() => {
                if !r.unknown_platforms.is_empty() {
                    reports.push((without_text(r), None));
                }
            }
            Outcome::Report(r, threshold, None) => reports.push((r, threshold)),
            Outcome::Error(m) => {
                say(format_args!("{m}"));
                exit_error = true;
            }
            Outcome::Note(m) => {
                say(format_args!("{m}"));
                noted = true;
            }
            Outcome::HelmTemplate(p) => helm.push(p),
            Outcome::Skipped(_) => {}
        }
    }
    if let Some(first) = helm.first() {
        say(format_args!(
            "edgelint: skipped {} Helm chart template file{} (e.g. {}); lint the rendered chart instead: `helm template … | edgelint -`",
            helm.len(),
            if helm.len() == 1 { "" } else { "s" },
            discover::shown(std::path::Path::new(first))
        ));
    }
    cross_file(&mut kept);
    for (r, threshold, _) in kept {
        if !r.diagnostics.is_empty() {
            reports.push((r, threshold));
        } else if !r.unknown_platforms.is_empty() {
            reports.push((without_text(r), None));
        }
    }
    if let Some(file) = &args.write_baseline {
        let all: Vec<FileReport> = reports.into_iter().map(|(r, _)| r).collect();
        return match write_baseline(file, &all, &root) {
            Ok(()) if exit_error => EXIT_ERROR,
            Ok(()) => EXIT_OK,
            Err(e) => {
                say(format_args!("edgelint: cannot write {}: {e}", file.display()));
                EXIT_ERROR
            }
        };
    }
    if let Some(reason) = &args.add_ignore {
        let all: Vec<FileReport> = reports.into_iter().map(|(r, _)| r).collect();
        let reason = Some(reason.trim()).filter(|r| !r.is_empty());
        let done = crate::add_ignore::run(&all, reason, |p| settings_of.get(p).cloned());
        return if exit_error || done.failed > 0 {
            EXIT_ERROR
        } else if done.untouched > 0 && !args.exit_zero {
            // Findings remain in the files left untouched.
            EXIT_FINDINGS
        } else {
            EXIT_OK
        };
    }
    let baseline_summary = (!baselines.loaded.is_empty())
        .then(|| baselines.apply(&mut reports, &settings_of, &linted, &root));
    let failed = reports.iter().any(|(r, threshold)| {
        threshold.is_some_and(|t| r.diagnostics.iter().any(|d| d.fails_at(t)))
    });
    let mut reports: Vec<FileReport> = reports.into_iter().map(|(r, _)| r).collect();
    reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    if let Some(note) = select_note(&args.select, &reports) {
        say(format_args!("{note}"));
    }

    let stdout = io::stdout();
    let is_tty = stdout.is_terminal();
    let terminal_format = if is_tty { Format::Human } else { Format::Concise };
    let format = match args.format {
        Some(format) => format,
        None => terminal_format,
    };
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => is_tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let opts = RenderOptions {
        color,
        statistics: args.statistics,
        root: Some(root),
        run: Some(run_stats),
        // Only on a terminal: pipes and files stay unwrapped (and snapshots stable).
        width: if is_tty { terminal_width() } else { None },
        baseline: baseline_summary,
    };
    // Nothing linted at all (a mistyped or empty directory): said on stderr, since a pipe
    // reading concise output would see an empty, passing run. The human summary says it too.
    if run_stats.checked == 0
        && run_stats.skipped_too_large == 0
        && !noted
        && helm.is_empty()
        && !exit_error
        && !args.skip_unrecognised
        && stdout_format_of(&args, format, terminal_format) != Format::Human
    {
        say(format_args!("edgelint: {}", run_stats.nothing_linted()));
    }
    // The human and JSON formats say what the baseline held; the others on standard error.
    if let Some(b) = &baseline_summary {
        if args.output.is_none() && !matches!(format, Format::Human | Format::Json) {
            say(format_args!("edgelint: {}", b.line()));
        }
    }
    // `--output FILE`: the report goes to the file (never coloured), and standard output gets
    // what it would show without `--format`, then one summary line. The exit code is the same.
    let stdout_format = match &args.output {
        Some(file) => {
            let file_opts = RenderOptions { color: false, width: None, ..opts.clone() };
            if let Err(e) = write_report(file, format, &reports, &file_opts) {
                say(format_args!("edgelint: cannot write {}: {e}", file.display()));
                exit_error = true;
            }
            terminal_format
        }
        None => format,
    };
    let mut out = io::BufWriter::new(stdout.lock());
    let mut written = render::render(stdout_format, &reports, &opts, &mut out);
    if let (Some(file), Ok(())) = (&args.output, &written) {
        let mut summary = render::Counts::of(&reports).summary_line();
        if let Some(b) = &baseline_summary {
            summary = format!("{summary}; {}", b.line());
        }
        written = writeln!(
            out,
            "edgelint: {summary}; {} report written to {}",
            format.as_str(),
            file.display()
        );
    }
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            say(format_args!("edgelint: cannot write output: {e}"));
            exit_error = true;
        }
    }

    if exit_error {
        return EXIT_ERROR;
    }
    if failed && !args.exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `f` over the job indices, in order: on the thread pool when there are several, on this
/// thread when there is one, so a one-file run (an editor's save, pre-commit with one file)
/// does not start the pool's threads.
fn map_jobs<T: Send>(indices: Vec<usize>, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    if indices.len() <= 1 {
        indices.into_iter().map(f).collect()
    } else {
        indices.into_par_iter().map(f).collect()
    }
}

/// With `--select`, built-in findings (`parse-error`, `file-too-large`) are still reported:
/// a note on stderr says so when the run shows one that `--select` did not name.
fn select_note(select: &[String], reports: &[FileReport]) -> Option<String> {
    if select.is_empty() {
        return None;
    }
    let mut shown: Vec<&str> = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| d.rule)
        .filter(|rule| {
            crate::diagnostic::BUILT_IN_RULES.contains(rule) && !select.iter().any(|s| s == rule)
        })
        .collect();
    shown.sort_unstable();
    shown.dedup();
    let first = shown.first()?;
    let names: Vec<String> = shown.iter().map(|r| format!("`{r}`")).collect();
    Some(format!(
        "edgelint: note: {} findings are reported whatever --select says; `--ignore {first}` hides them",
        names.join(" and ")
    ))
}

/// The terminal's width in columns: `COLUMNS` when set to a number, else the size of the
/// terminal on standard output.
fn terminal_width() -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
    columns
        .filter(|c| *c > 0)
        .or_else(|| terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0)))
}

/// The format standard output gets: `--format`, or with `--output FILE` the terminal's.
fn stdout_format_of(args: &LintArgs, format: Format, terminal_format: Format) -> Format {
    if args.output.is_some() {
        terminal_format
    } else {
        format
    }
}

/// The baselines of a run, each read once.
#[derive(Default)]
struct Baselines {
    loaded: Vec<crate::baseline::Baseline>,
    /// Absolute path → index in `loaded`.
    index: std::collections::HashMap<PathBuf, usize>,
}

impl Baselines {
    fn load(&mut self, path: &std::path::Path) -> Result<(), String> {
        if self.index.contains_key(path) {
            return Ok(());
        }
        self.loaded.push(crate::baseline::Baseline::load(path)?);
        self.index.insert(path.to_path_buf(), self.loaded.len() - 1);
        Ok(())
    }

    /// Drops the baselined findings from `reports` (and the reports left with nothing to
    /// show); says on stderr how many of them are files that were not linted.
    fn apply(
        &mut self,
        reports: &mut Vec<(FileReport, Option<Severity>)>,
        settings_of: &std::collections::HashMap<String, std::sync::Arc<Settings>>,
        linted: &std::collections::HashSet<PathBuf>,
        cwd: &std::path::Path,
    ) -> crate::baseline::Summary {
        let index = &self.index;
        let baseline_of = |path: &str| {
            let file = settings_of.get(path)?.baseline.as_ref()?;
            index.get(file).copied()
        };
        let summary = crate::baseline::apply(
            reports.iter_mut().map(|(r, _)| r),
            &mut self.loaded,
            baseline_of,
            linted,
            cwd,
        );
        reports.retain(|(r, _)| !r.diagnostics.is_empty() || !r.unknown_platforms.is_empty());
        if summary.not_linted > 0 {
            say(format_args!(
                "edgelint: warning: {} of the baselined findings are parse errors or files over the size limit: those files are not linted at all",
                summary.not_linted
            ));
        }
        summary
    }
}

/// `--write-baseline FILE`: every finding of the run, keyed relative to FILE's directory.
fn write_baseline(
    file: &std::path::Path,
    reports: &[FileReport],
    cwd: &std::path::Path,
) -> io::Result<()> {
    let abs = crate::source::normalize_path(&cwd.join(file));
    let dir = abs.parent().unwrap_or(std::path::Path::new("/"));
    let entries = crate::baseline::entries(reports, cwd, dir);
    std::fs::write(&abs, crate::baseline::to_text(&entries))?;
    let findings: usize = entries.iter().map(|e| e.count).sum();
    let files = reports.iter().filter(|r| !r.diagnostics.is_empty()).count();
    say(format_args!(
        "edgelint: wrote {} ({findings} finding{} in {files} file{}, {} entr{})",
        file.display(),
        if findings == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        entries.len(),
        if entries.len() == 1 { "y" } else { "ies" }
    ));
    let not_linted = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.rule == PARSE_ERROR || d.rule == FILE_TOO_LARGE)
        .count();
    if not_linted > 0 {
        say(format_args!(
            "edgelint: warning: {not_linted} of them are parse errors or files over the size limit: those files are not linted at all"
        ));
    }
    Ok(())
}

/// Writes the report for `--output FILE`.
fn write_report(
    file: &std::path::Path,
    format: Format,
    reports: &[FileReport],
    opts: &RenderOptions,
) -> io::Result<()> {
    let mut f = io::BufWriter::new(std::fs::File::create(file)?);
    render::render(format, reports, opts, &mut f)?;
    f.flush()
}

/// The cross-file phase over the files whose documents were kept: its findings join their
/// files' reports.
fn cross_file(kept: &mut [(FileReport, Option<Severity>, Box<Kept>)]) {
    if kept.is_empty() {
        return;
    }
    // Compose files and Dockerfiles: one phase over all of them, the Dockerfiles parsed again
    // only when a Compose document was kept (a rule reads them only next to one: a test in
    // engine.rs says so).
    let mut found: Vec<(usize, Diagnostic)> = {
        let compose = kept.iter().any(|(_, _, k)| k.document.is_some());
        let dockerfiles: Vec<(usize, Document)> = kept
            .iter()
            .enumerate()
            .filter(|(_, (_, _, k))| compose && k.kind == FileKind::Dockerfile)
            .map(|(i, (r, _, k))| (i, crate::engine::parse(&r.source, k.kind).0))
            .collect();
        let mut parsed = dockerfiles.iter().peekable();
        let (indices, files): (Vec<usize>, Vec<crate::engine::RunFile<'_>>) = kept
            .iter()
            .enumerate()
            .filter_map(|(i, (r, _, k))| {
                let document = match k.document.as_ref() {
                    Some(d) => d,
                    None => parsed.next_if(|(at, _)| *at == i).map(|(_, d)| d)?,
                };
                Some((
                    i,
                    crate::engine::RunFile { source: &r.source, document, settings: &k.settings },
                ))
            })
            .unzip();
        let found = if files.is_empty() { Vec::new() } else { crate::engine::cross_file(&files) };
        found.into_iter().filter_map(|(i, d)| Some((*indices.get(i)?, d))).collect()
    };
    // Kubernetes streams: their documents parsed again, one directory at a time (in parallel),
    // each dropped when its directory is done. A rule that reads them reads no other kind
    // (a test in engine.rs says so), so the phases give the findings one phase over every
    // document would, each file's in the same order.
    let mut by_dir: std::collections::HashMap<Option<&std::path::Path>, usize> =
        std::collections::HashMap::new();
    let mut dirs: Vec<Vec<usize>> = Vec::new();
    for (i, (r, _, k)) in kept.iter().enumerate() {
        if k.kind != FileKind::Kubernetes {
            continue;
        }
        let dir = std::path::Path::new(&r.source.path).parent();
        let at = *by_dir.entry(dir).or_insert_with(|| {
            dirs.push(Vec::new());
            dirs.len() - 1
        });
        if let Some(files) = dirs.get_mut(at) {
            files.push(i);
        }
    }
    // A directory where no stream can receive a finding gives none: not parsed again. (A
    // stream alone in its directory had its phase with its per-file pass.)
    dirs.retain(|indices| {
        let roles: Vec<&[(&'static str, rules::CrossFileRole)]> =
            indices.iter().filter_map(|&i| kept.get(i)).map(|(_, _, k)| &k.roles[..]).collect();
        bundle_can_report(&roles)
    });
    let shared: &[(FileReport, Option<Severity>, Box<Kept>)] = kept;
    let per_dir = map_jobs((0..dirs.len()).collect(), |d| {
        let Some(indices) = dirs.get(d) else { return Vec::new() };
        let documents: Vec<Document> = indices
            .iter()
            .filter_map(|&i| shared.get(i))
            .map(|(r, _, k)| crate::engine::parse(&r.source, k.kind).0)
            .collect();
        let files: Vec<crate::engine::RunFile<'_>> = indices
            .iter()
            .filter_map(|&i| shared.get(i))
            .zip(&documents)
            .map(|((r, _, k), document)| crate::engine::RunFile {
                source: &r.source,
                document,
                settings: &k.settings,
            })
            .collect();
        let found = crate::engine::cross_file(&files);
        found.into_iter().filter_map(|(i, d)| Some((*indices.get(i)?, d))).collect::<Vec<_>>()
    });
    found.extend(per_dir.into_iter().flatten());
    for (index, d) in found {
        if let Some((report, _, _)) = kept.get_mut(index) {
            report.diagnostics.push(d);
        }
    }
    for (report, _, _) in kept.iter_mut() {
        crate::sort_diagnostics(&mut report.diagnostics);
    }
}

/// The names of the other entries of `path`'s directory (none when it cannot be read: the
/// Dockerfile then keeps its configured targets).
fn sibling_names(path: &std::path::Path) -> Vec<String> {
    let Some(dir) = path.parent() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| path.file_name().is_none_or(|own| own.to_string_lossy() != n.as_str()))
        .collect()
}

/// Text from bytes: invalid UTF-8 is replaced, and said as a `parse-error` by the caller.
fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(valid))
        }
    }
}

/// Whether the report is that of a binary file (see [`crate::engine::parse`]).
fn is_binary(report: &FileReport) -> bool {
    report.source.text.contains('\0')
}

/// Whether an input shares its directory with other inputs of the run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bundle {
    /// The only input of its directory: a Kubernetes stream's cross-file phase runs with its
    /// per-file pass.
    Alone,
    Shared,
}

/// `built` receives the Dockerfiles a Compose file at `absolute` builds (see
/// [`compose_builds`]), for the Dockerfile phase of the run.
fn lint_text(
    path: &str,
    bytes: Vec<u8>,
    origin: Origin,
    settings: &Settings,
    built: Option<(&std::path::Path, &mut Vec<BuiltDockerfile>)>,
    bundle: Bundle,
) -> Outcome {
    let (text, invalid_at) = decode(bytes);
    match crate::lint_source_document(path, text, settings) {
        Ok((mut report, document)) => {
            // A binary file already has its one `parse-error` (at its first NUL byte).
            if let Some(at) = invalid_at.filter(|_| !is_binary(&report)) {
                let span = crate::source::Span::new(at, at + '\u{FFFD}'.len_utf8());
                report.diagnostics.push(crate::diagnostic::Diagnostic::new(
                    PARSE_ERROR,
                    Severity::Error,
                    span,
                    "file is not valid UTF-8; invalid bytes were read as U+FFFD",
                ));
                crate::sort_diagnostics(&mut report.diagnostics);
            }
            if let Some((absolute, built)) = built {
                built.extend(compose_builds::built_dockerfiles(&document, settings, absolute));
            }
            // Only documents a cross-file rule that runs reads are kept (memory stays flat for
            // the other kinds on large trees).
            let kind = document.kind();
            let cross_file_rules = || {
                rules::all().iter().filter(|r| {
                    r.uses_cross_file()
                        && r.cross_file_reads(kind)
                        && settings.rule_enabled(r.meta().name)
                })
            };
            let uses_cross_file = cross_file_rules().any(|r| r.cross_file_needs(&document));
            let roles: Vec<(&'static str, rules::CrossFileRole)> = if uses_cross_file {
                cross_file_rules().map(|r| (r.meta().name, r.cross_file_role(&document))).collect()
            } else {
                Vec::new()
            };
            if !uses_cross_file {
                return Outcome::Report(report, settings.failure_threshold, None);
            }
            if bundle == Bundle::Alone && kind == FileKind::Kubernetes {
                // Its own bundle ([`crate::engine::kubernetes_bundles`]): the phase the run
                // would give it after the others, now.
                if bundle_can_report(&[&roles]) {
                    let file = crate::engine::RunFile {
                        source: &report.source,
                        document: &document,
                        settings,
                    };
                    let found = crate::engine::cross_file(std::slice::from_ref(&file));
                    report.diagnostics.extend(found.into_iter().map(|(_, d)| d));
                    crate::sort_diagnostics(&mut report.diagnostics);
                }
                return Outcome::Report(report, settings.failure_threshold, None);
            }
            let kept = Box::new(Kept::new(document, settings.clone(), roles));
            Outcome::Report(report, settings.failure_threshold, Some(kept))
        }
        Err(NotLinted::HelmTemplate) => Outcome::HelmTemplate(path.to_string()),
        Err(NotLinted::Unrecognised) => match origin {
            Origin::Explicit => Outcome::Note(format!(
                "edgelint: {}: not a Dockerfile, Compose or Kubernetes file; skipped (use --kind to force)",
                discover::shown(std::path::Path::new(path))
            )),
            Origin::Walked => Outcome::Skipped(Skip::Unrecognised),
        },
    }
}

fn lint_file(
    path: &std::path::Path,
    origin: Origin,
    settings: &Settings,
    limit: u64,
    built: Option<(&std::path::Path, &mut Vec<BuiltDockerfile>)>,
    bundle: Bundle,
) -> Outcome {
    let shown = path.to_string_lossy().into_owned();
    let cannot_read = |e: &io::Error| {
        Outcome::Error(format!(
            "edgelint: cannot read {}: {}",
            discover::shown(path),
            discover::io_message(e)
        ))
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return cannot_read(&e),
    };
    // Discovery only passes regular files (or explicit links to them), but the file may have
    // been replaced since: never read anything but a regular file (a FIFO would block).
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return cannot_read(&e),
    };
    if !meta.is_file() {
        return Outcome::Error(format!("edgelint: not a regular file: {}", discover::shown(path)));
    }
    let size = meta.len();
    let mut reader = file.take(limit.saturating_add(1));
    if size > limit {
        return over_limit(&shown, Some(size), reader, limit, origin, settings);
    }
    // `size` is a hint (files in /proc say 0); `take` is the bound.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = reader.read_to_end(&mut bytes) {
        return cannot_read(&e);
    }
    if bytes.len() as u64 > limit {
        // It grew since `metadata`.
        return over_limit(&shown, None, &bytes[..], limit, origin, settings);
    }
    lint_text(&shown, bytes, origin, settings, built, bundle)
}

/// Standard input, read up to `limit`. Input of no known kind is an error (exit 2): a pipe
/// such as `docker compose config | edgelint -` must not pass because nothing was linted.
/// `--skip-unrecognised` (editors that send every YAML file) skips it silently instead.
fn lint_stdin(
    name: Option<&str>,
    settings: &Settings,
    limit: u64,
    skip: bool,
    bundle: Bundle,
) -> Outcome {
    let mut bytes = Vec::new();
    if let Err(e) = io::stdin().lock().take(limit.saturating_add(1)).read_to_end(&mut bytes) {
        return Outcome::Error(format!(
            "edgelint: cannot read standard input: {}",
            discover::io_message(&e)
        ));
    }
    let path = name.unwrap_or("-");
    let origin = if skip { Origin::Walked } else { Origin::Explicit };
    let outcome = if bytes.len() as u64 > limit {
        over_limit(path, None, &bytes[..], limit, origin, settings)
    } else {
        lint_text(path, bytes, origin, settings, None, bundle)
    };
    match outcome {
        Outcome::Note(_) => Outcome::Error(format!(
            "edgelint: standard input{} is not a Dockerfile, Compose or Kubernetes file; \
             nothing was linted (use --kind to say what it is{})",
            name.map(|n| format!(" (`{n}`)")).unwrap_or_default(),
            if name.is_some() { "" } else { ", or --stdin-filename to name it" }
        )),
        other => other,
    }
}

/// An input over the size limit: a `file-too-large` finding at 1:1, without reading it whole.
/// Only its first [`CLASSIFY_PREFIX`] bytes are read, to tell a walked YAML file that is not
/// Compose or Kubernetes (skipped silently, as when small) from one that is; an explicitly named
/// file always gets the finding.
fn over_limit(
    path: &str,
    size: Option<u64>,
    rest: impl Read,
    limit: u64,
    origin: Origin,
    settings: &Settings,
) -> Outcome {
    let kind = match settings.kind {
        Some(kind) => Some(kind),
        None => {
            let mut prefix = Vec::new();
            // A read error here is not worth more than the finding itself.
            let _ = rest.take(CLASSIFY_PREFIX).read_to_end(&mut prefix);
            let text = String::from_utf8_lossy(&prefix);
            match crate::classify::classify(std::path::Path::new(path), &text) {
                crate::classify::Classification::Dockerfile => Some(FileKind::Dockerfile),
                crate::classify::Classification::Compose => Some(FileKind::Compose),
                crate::classify::Classification::Kubernetes => Some(FileKind::Kubernetes),
                crate::classify::Classification::HelmTemplate => {
                    return Outcome::HelmTemplate(path.to_string())
                }
                crate::classify::Classification::Unrecognised if origin == Origin::Walked => {
                    return Outcome::Skipped(Skip::Unrecognised)
                }
                crate::classify::Classification::Unrecognised => None,
            }
        }
    };
    if !settings.rule_enabled(FILE_TOO_LARGE) {
        return Outcome::Skipped(Skip::TooLarge);
    }
    let message = match size {
        Some(size) => format!(
            "file is {} ({size} bytes), over the {} size limit; it was not linted",
            human_size(size),
            human_size(limit)
        ),
        None => format!("input is over the {} size limit; it was not linted", human_size(limit)),
    };
    let diagnostic = Diagnostic::new(FILE_TOO_LARGE, Severity::Error, Span::empty(0), message)
        .with_help(format!(
            "raise the limit (`--max-file-size {}`) or exclude the file (`--exclude`)",
            suggest_limit(size.unwrap_or(limit))
        ));
    Outcome::Report(
        FileReport {
            source: crate::source::SourceFile::new(path, String::new()),
            kind,
            unknown_platforms: Vec::new(),
            diagnostics: vec![diagnostic],
        },
        settings.failure_threshold,
        None,
    )
}

/// A round limit above `size`, for the help text: the next power of two in MiB.
fn suggest_limit(size: u64) -> String {
    let mib = size.div_ceil(1024 * 1024).saturating_add(1).next_power_of_two();
    format!("{mib}M")
}

/// A regular file's bytes, at most `limit` of them (for `inspect`). The error is a whole
/// message in the style of the lint run's (`no such file or directory: PATH`, `cannot read
/// PATH: …`, `not a regular file: PATH`).
fn read_bounded(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, String> {
    let shown = discover::shown(path);
    let cannot_read = |e: &io::Error| {
        if e.kind() == io::ErrorKind::NotFound {
            format!("no such file or directory: {shown}")
        } else {
            format!("cannot read {shown}: {}", discover::io_message(e))
        }
    };
    let file = std::fs::File::open(path).map_err(|e| cannot_read(&e))?;
    let meta = file.metadata().map_err(|e| cannot_read(&e))?;
    if !meta.is_file() {
        return Err(format!("not a regular file: {shown}"));
    }
    if meta.len() > limit {
        return Err(format!(
            "{shown}: {} is over the {} size limit",
            human_size(meta.len()),
            human_size(limit)
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(|e| cannot_read(&e))?;
    Ok(bytes)
}

/// `--show-settings PATH`: the effective settings for one path, as JSON.
fn show_settings(args: &LintArgs, resolver: &mut config::Resolver) -> i32 {
    let path = match args.paths.as_slice() {
        [p] if p.as_os_str() == "-" => args.stdin_filename.as_ref().map(PathBuf::from),
        [p] => Some(p.clone()),
        _ => return usage_error("--show-settings takes exactly one path"),
    };
    let abs = path.as_deref().map(|p| resolver.absolute(p));
    let resolved = resolver.for_path(path.as_deref());
    let errors = resolver.errors();
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("edgelint: {e}");
        }
        return EXIT_ERROR;
    }
    let settings = resolved.settings_for(abs.as_deref());
    let excluded = abs.as_deref().is_some_and(|a| resolved.excludes(a));
    let shown = path.map_or("-".to_string(), |p| p.to_string_lossy().into_owned());
    print_json(&config::settings_json(&settings, &resolved, &shown, excluded))
}

fn write_out(bytes: &[u8]) -> i32 {
    match io::stdout().lock().write_all(bytes) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => usage_error(&format!("cannot write output: {e}")),
    }
}

fn print_json(value: &serde_json::Value) -> i32 {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    match writeln!(io::stdout().lock(), "{text}") {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => usage_error(&format!("cannot write output: {e}")),
    }
}

fn list_rules(format: ListFormat) -> i32 {
    let mut out = io::stdout().lock();
    let metas = rules::all_meta();
    let result = match format {
        ListFormat::Table => {
            let mut s = String::new();
            for m in &metas {
                let formats: Vec<&str> = m.formats.iter().map(|f| f.as_str()).collect();
                let group = rules::groups::of(m.name).map_or("", rules::groups::Group::as_str);
                s.push_str(&format!(
                    "{:<28} {:<12} {:<8} {:<30} {}\n",
                    m.name,
                    group,
                    m.severity.as_str(),
                    formats.join(","),
                    m.summary
                ));
            }
            out.write_all(s.as_bytes())
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "name": m.name,
                        "group": rules::groups::of(m.name).map(rules::groups::Group::as_str),
                        "summary": m.summary,
                        "severity": m.severity,
                        "formats": m.formats,
                        "equivalents": m.equivalents,
                        "doc_url": crate::diagnostic::doc_url(m.name),
                        "built_in": crate::diagnostic::BUILT_IN_RULES.contains(&m.name),
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::Value::Array(list))
        }
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => usage_error(&format!("cannot write output: {e}")),
    }
}

/// A rule's documentation as `explain` prints it: without the test-harness lines of its
/// examples (`# fixture: platforms=…`, read by the registry test).
fn doc_for_reader(doc: &str) -> String {
    doc.lines()
        .filter(|l| !l.trim_start().starts_with("# fixture:"))
        .flat_map(|l| [l, "\n"])
        .collect()
}

fn explain(name: &str) -> i32 {
    let Some(m) = rules::find_meta(name) else {
        return usage_error(&unknown_rule_message(name));
    };
    let formats: Vec<&str> = m.formats.iter().map(|f| f.as_str()).collect();
    let mut s = format!(
        "{}: {}\nseverity: {}\nformats: {}\n",
        m.name,
        m.summary,
        m.severity,
        formats.join(", ")
    );
    if !m.equivalents.is_empty() {
        s.push_str(&format!("equivalents: {}\n", m.equivalents.join(", ")));
    }
    s.push_str(&format!("docs: {}\n\n", crate::diagnostic::doc_url(m.name)));
    s.push_str(&doc_for_reader(m.doc));
    if io::stdout().is_terminal() && page(&s) {
        return EXIT_OK;
    }
    match io::stdout().lock().write_all(s.as_bytes()) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => usage_error(&format!("cannot write output: {e}")),
    }
}

/// Shows `text` through `$PAGER` (default `less -R`) when it is longer than the terminal
/// (`LINES`, else 24 rows). Only called when standard output is a terminal. Returns whether
/// a pager showed it; `false` (print it directly) when it is short or no pager can be run.
fn page(text: &str) -> bool {
    let rows = std::env::var("LINES").ok().and_then(|l| l.parse::<usize>().ok()).unwrap_or(24);
    if text.lines().count() < rows {
        return false;
    }
    let pager = match std::env::var("PAGER") {
        Ok(p) if !p.trim().is_empty() => p,
        Ok(_) => return false,
        Err(_) if on_path("less") => "less -R".to_string(),
        Err(_) => return false,
    };
    let Ok(mut child) = std::process::Command::new("sh")
        .arg("-c")
        .arg(&pager)
        .stdin(std::process::Stdio::piped())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit early closes the pipe: not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    // 127: the shell found no such command, so nothing was shown.
    matches!(child.wait(), Ok(status) if status.code() != Some(127))
}

/// Whether an executable named `name` is in a directory of `PATH`.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

fn inspect(file: &std::path::Path, kind: Option<FileKind>) -> i32 {
    let stdin = file.as_os_str() == "-";
    let shown = file.to_string_lossy().into_owned();
    let read = if stdin {
        let mut bytes = Vec::new();
        match io::stdin().lock().take(DEFAULT_MAX_FILE_SIZE + 1).read_to_end(&mut bytes) {
            Ok(_) if bytes.len() as u64 > DEFAULT_MAX_FILE_SIZE => Err(format!(
                "standard input is over the {} size limit",
                human_size(DEFAULT_MAX_FILE_SIZE)
            )),
            Ok(_) => Ok(bytes),
            Err(e) => Err(format!("cannot read standard input: {}", discover::io_message(&e))),
        }
    } else {
        read_bounded(file, DEFAULT_MAX_FILE_SIZE)
    };
    let bytes = match read {
        Ok(b) => b,
        Err(e) => return usage_error(&e),
    };
    let (text, _) = decode(bytes);
    let kind = match kind {
        Some(k) => k,
        None => match crate::classify::classify(file, &text) {
            crate::classify::Classification::Dockerfile => FileKind::Dockerfile,
            crate::classify::Classification::Compose => FileKind::Compose,
            crate::classify::Classification::Kubernetes => FileKind::Kubernetes,
            _ => {
                return usage_error(&format!(
                    "{shown}: not a Dockerfile, Compose or Kubernetes file (use --kind to force)"
                ))
            }
        },
    };
    let source = crate::source::SourceFile::new(shown, text);
    let value = crate::inspect::inspect(&source, kind);
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    match writeln!(io::stdout().lock(), "{text}") {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => usage_error(&format!("cannot write output: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("8 mb"), Ok(8 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("100B"), Ok(100));
        for bad in ["", "0", "0M", "-1", "1.5M", "8X", "M", "99999999999999999999", "17179869184G"]
        {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(8 << 20), "8 MiB");
        assert_eq!(human_size(9_437_185), "9 MiB");
        assert_eq!(suggest_limit(9_000_000), "16M");
    }

    #[test]
    fn invalid_utf8_is_decoded_with_its_position() {
        let (text, at) = decode(b"FROM a\n\xe9\n".to_vec());
        assert_eq!(at, Some(7));
        assert!(text.contains('\u{FFFD}'));
    }
}
