//! Rules: the [`Rule`] trait, rule metadata, the reporting context and the registry.
//!
//! A rule is one file in this folder, named like the rule with `_` for `-`, with its doc in
//! `rules/<name>.md` and its fixtures in `fixtures/<name>/`. It declares its metadata once with
//! [`declare_rule!`] and implements the hooks of [`Rule`] for the entities it checks (a
//! Dockerfile stage or instruction, a Compose service, a Kubernetes object or pod template, a
//! container of either format…); the engine ([`crate::engine`]) walks each document once and
//! calls them. Reporting goes through [`Ctx`], which stamps the rule's name, default severity
//! and the entity's logical path, and gives the document's facts ([`Ctx::semantic`]).
//!
//! Adding a rule: one file here, one `pub mod` line and one line in [`all`].
//!
//! A rule that can be tuned declares its options in `declare_rule!` (`options: [...]`, see
//! [`option`]); the configuration file is validated against these declarations, and the rule
//! reads the effective values through [`Ctx::option_int`] and its siblings, which return the
//! configured value or the declared default.

pub mod aggressive_probe_timing;
pub mod arch_detection_incomplete;
pub mod arch_specific_command;
pub mod cronjob_missed_schedules;
pub mod device_capacity_exceeded;
pub mod duplicate_stage_name;
pub mod ephemeral_storage_for_data;
pub mod groups;
pub mod healthy_dependency_without_healthcheck;
pub mod heavy_final_stage;
pub mod host_network_dns;
pub mod ineffective_compose_field;
pub mod invalid_probe_spec;
pub mod invalid_suppression;
pub mod memory_overcommit;
pub mod missing_arch_selector;
pub mod missing_cpu_limit;
pub mod missing_cpu_request;
pub mod missing_memory_limit;
pub mod missing_restart_policy;
pub mod mutable_image_tag;
pub mod pdb_blocks_drain;
pub mod platform_pinned;
pub mod privileged_container;
pub mod pull_policy_always;
pub mod pvc_binding_mismatch;
pub mod registry_not_local;
pub mod remote_liveness_dependency;
pub mod runs_as_root;
pub mod runtime_socket_mount;
pub mod rwo_volume_rollout;
pub mod shared;
pub mod short_shutdown_grace;
pub mod short_startup_budget;
pub mod short_unreachable_toleration;
pub mod single_arch_image;
pub mod suspicious_memory_quantity;
pub mod target_arch_arg_undeclared;
pub mod unbounded_container_logs;
pub mod unbounded_emptydir;
pub mod unknown_rule;
pub mod unpinned_hostpath;
pub mod unresolved_named_port;
pub mod unused_suppression;
pub mod volume_permission_mismatch;

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::FileKind;
use crate::engine::RunFile;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::{ContainerView, Pod};
use crate::model::kubernetes::{Manifests, Object};
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::source::{SourceFile, Span};
use crate::syntax::dockerfile::{Dockerfile, Instruction};

/// What is known about a rule, written once.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case name of the hazard: the id in output, config, suppressions, docs, fixtures.
    pub name: &'static str,
    /// One line, starts lowercase, no trailing period.
    pub summary: &'static str,
    pub severity: Severity,
    pub formats: &'static [FileKind],
    /// The same check in other tools, as `tool:id`.
    pub equivalents: &'static [&'static str],
    /// `rules/<name>.md`, embedded.
    pub doc: &'static str,
    /// The options the rule reads (documented under `## Options` in its doc).
    pub options: &'static [option::RuleOption],
}

impl RuleMeta {
    /// The declared option named `name`.
    pub fn option(&self, name: &str) -> Option<&'static option::RuleOption> {
        self.options.iter().find(|o| o.name == name)
    }
}

/// One check. A rule implements the hooks of the entities it looks at (every hook does nothing
/// by default) and only says what is wrong; the engine walks the document once, calls the hooks
/// of the rules that run, and does the rest (suppressions, severities, order).
///
/// The engine calls the hooks of a file's kind in this order: the whole file, then each entity
/// from the outside in. Every hook gets the document's facts through [`Ctx::semantic`].
///
/// ```ignore
/// impl Rule for MissingCpuLimit {
///     fn meta(&self) -> &'static RuleMeta { &Self::META }
///     fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
///         if container.role() == ContainerRole::Ephemeral { return; }
///         let targets = cx.semantic().container_targets(container);
///         // …
///     }
/// }
/// ```
#[allow(unused_variables)]
pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    /// A whole Dockerfile.
    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {}

    /// Stage `index` of a Dockerfile (`file.stages[index]`; its targets:
    /// `cx.semantic().stage_platform(index)`).
    fn stage(&self, file: &Dockerfile, index: usize, cx: &mut Ctx) {}

    /// One instruction of a Dockerfile, global `ARG`s included.
    fn instruction(&self, file: &Dockerfile, instruction: &Instruction, cx: &mut Ctx) {}

    /// A whole Compose file.
    fn compose(&self, file: &ComposeFile, cx: &mut Ctx) {}

    /// One Compose service (called before [`Rule::container`] of the same service).
    fn service(&self, file: &ComposeFile, service: &Service, cx: &mut Ctx) {}

    /// A whole Kubernetes stream.
    fn kubernetes(&self, stream: &Manifests, cx: &mut Ctx) {}

    /// One Kubernetes object (a document, or an item of a `kind: List`).
    fn object(&self, stream: &Manifests, object: &Object, cx: &mut Ctx) {}

    /// One pod template, with its object.
    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {}

    /// One container of either format: a Kubernetes container of any role (check
    /// [`ContainerView::role`]) or a Compose service (a regular container).
    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {}

    /// After every file of the run was linted: all their documents at once, for findings that
    /// need two files (a PVC and its PV, a Compose service and the Dockerfile its `build`
    /// names). It sees only the files of the same run (the files given on the command line or
    /// found under them), never other files of the repository.
    fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {}

    /// Whether the rule has a [`Rule::cross_file`] hook: front ends keep the documents of a run
    /// only when a rule that runs needs them.
    fn uses_cross_file(&self) -> bool {
        false
    }

    /// Whether [`Rule::cross_file`] reads documents of `kind`: the rule's own formats unless it
    /// says otherwise (front ends keep only the documents some cross-file rule reads).
    fn cross_file_reads(&self, kind: FileKind) -> bool {
        self.meta().formats.contains(&kind)
    }

    /// Whether [`Rule::cross_file`] may need `document` (of a kind it reads): front ends keep
    /// only the documents some cross-file rule that runs may need. Every one, unless the rule
    /// can tell from the document alone that it has nothing to report with it.
    fn cross_file_needs(&self, document: &crate::document::Document) -> bool {
        let _ = document;
        true
    }

    /// What `document` (of a kind it reads) can be in [`Rule::cross_file`]: a file a finding
    /// is reported in (the budget, the Service, the claim, the Deployment it is about), and a
    /// file holding what a finding in another file pairs with. Front ends run the phase over a
    /// bundle of several files only when one file can report and another pairs, and over a
    /// file alone only when it can report. Anything, unless the rule can tell from the
    /// document alone.
    fn cross_file_role(&self, document: &crate::document::Document) -> CrossFileRole {
        let _ = document;
        CrossFileRole::ANY
    }
}

/// What a document can be in a rule's cross-file phase ([`Rule::cross_file_role`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossFileRole {
    /// A finding can be reported in it.
    pub reports: bool,
    /// It holds what a finding in another file of its bundle can pair with.
    pub pairs: bool,
}

impl CrossFileRole {
    pub const ANY: CrossFileRole = CrossFileRole { reports: true, pairs: true };
}

/// Declares a rule's type and its metadata, embedding its doc (a rule without a doc does not
/// compile).
///
/// `options` is optional: a list of option declarations written with the constructors of
/// [`option`] (in scope inside the list), e.g.
///
/// ```ignore
/// options: [
///     integer("liveness-min-timeout-seconds", 2, "shortest liveness probe timeout").at_least(1.0),
///     strings("stateful-images", &[], "more images that keep data"),
/// ],
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[$attr:meta])*
        $ty:ident {
            name: $name:literal,
            summary: $summary:literal,
            severity: $sev:ident,
            formats: [$($fmt:ident),* $(,)?],
            equivalents: [$($eq:literal),* $(,)?]
            $(, options: [$($opt:expr),* $(,)?])? $(,)?
        }
    ) => {
        $(#[$attr])*
        pub struct $ty;

        impl $ty {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                name: $name,
                summary: $summary,
                severity: $crate::diagnostic::Severity::$sev,
                formats: &[$($crate::document::FileKind::$fmt),*],
                equivalents: &[$($eq),*],
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $name, ".md")),
                options: &[$($({
                    #[allow(unused_imports)]
                    use $crate::rules::option::*;
                    $opt
                }),*)?],
            };
        }
    };
}

/// The reporting context handed to a rule: it stamps the rule's identity and the entity's
/// logical path on every finding, and gives the document's facts.
pub struct Ctx<'a> {
    meta: &'static RuleMeta,
    source: &'a SourceFile,
    semantic: &'a Semantic<'a>,
    logical_path: Option<&'a str>,
    out: &'a mut Vec<Diagnostic>,
    /// Where [`Ctx::note_unknown_platforms`] records, if anywhere.
    unknown_platforms: Option<&'a mut Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        meta: &'static RuleMeta,
        source: &'a SourceFile,
        semantic: &'a Semantic<'a>,
        out: &'a mut Vec<Diagnostic>,
    ) -> Ctx<'a> {
        Ctx { meta, source, semantic, logical_path: None, out, unknown_platforms: None }
    }

    /// Records in `list` the image references the rule could not check because no source knows
    /// their platforms ([`FileReport::unknown_platforms`](crate::diagnostic::FileReport)).
    pub fn recording_unknown_platforms(mut self, list: &'a mut Vec<String>) -> Ctx<'a> {
        self.unknown_platforms = Some(list);
        self
    }

    /// An image reference whose platforms no source knows (not a finding: the blind spot that
    /// `--statistics` and the JSON summary count).
    pub fn note_unknown_platforms(&mut self, reference: &str) {
        if let Some(list) = self.unknown_platforms.as_deref_mut() {
            list.push(reference.to_string());
        }
    }

    /// Findings reported through this context get `path` as their logical path.
    pub fn with_logical_path(mut self, path: Option<&'a str>) -> Ctx<'a> {
        self.logical_path = path;
        self
    }

    pub fn source(&self) -> &'a SourceFile {
        self.source
    }

    pub fn settings(&self) -> &'a Settings {
        self.semantic.settings()
    }

    /// The facts of the document: targets, published platforms, limits… (see
    /// [`crate::semantic`]).
    pub fn semantic(&self) -> &'a Semantic<'a> {
        self.semantic
    }

    /// The rule's integer option `name`: the configured value, else the declared default.
    ///
    /// Panics if the rule did not declare an integer option of that name (a bug the fixture
    /// tests catch).
    pub fn option_int(&self, name: &str) -> i64 {
        match self.option(name) {
            option::Value::Integer(v) => v,
            other => self.wrong_kind(name, "integer", &other),
        }
    }

    /// The rule's number option `name` (an integer is read as a number).
    pub fn option_number(&self, name: &str) -> f64 {
        match self.option(name) {
            option::Value::Number(v) => v,
            option::Value::Integer(v) => v as f64,
            other => self.wrong_kind(name, "number", &other),
        }
    }

    /// The rule's boolean option `name`.
    pub fn option_bool(&self, name: &str) -> bool {
        match self.option(name) {
            option::Value::Bool(v) => v,
            other => self.wrong_kind(name, "boolean", &other),
        }
    }

    /// The rule's string option `name`.
    pub fn option_str(&self, name: &str) -> &str {
        match self.option(name) {
            option::Value::String(v) => v,
            other => self.wrong_kind(name, "string", &other),
        }
    }

    /// The rule's list-of-strings option `name`.
    pub fn option_strings(&self, name: &str) -> Vec<&str> {
        match self.option(name) {
            option::Value::Strings(v) => v,
            other => self.wrong_kind(name, "list of strings", &other),
        }
    }

    /// The rule's map option `name` (string keys, integer values), in the order written.
    pub fn option_int_map(&self, name: &str) -> Vec<(&str, i64)> {
        match self.option(name) {
            option::Value::IntegerMap(v) => v,
            other => self.wrong_kind(name, "map of integers", &other),
        }
    }

    fn option(&self, name: &str) -> option::Value<'_> {
        let Some(declared) = self.meta.option(name) else {
            panic!("rule `{}` reads option `{name}`, which it does not declare", self.meta.name)
        };
        match self.settings().rule_option(self.meta.name, name) {
            Some(configured) => configured.as_value(),
            None => declared.default.as_value(),
        }
    }

    fn wrong_kind(&self, name: &str, wanted: &str, found: &option::Value<'_>) -> ! {
        let a = |w: &str| if w.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        let found = found.kind().describe();
        panic!(
            "rule `{}` reads option `{name}` as {} {wanted}, but it is declared as {} {found}",
            self.meta.name,
            a(wanted),
            a(found),
        )
    }

    /// Report a finding at the rule's default severity. The returned builder adds help or
    /// states one of the escalations/downgrades the rule's doc describes.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        let mut diagnostic = Diagnostic::new(self.meta.name, self.meta.severity, span, message);
        diagnostic.logical_path = self.logical_path.map(str::to_string);
        push(self.out, diagnostic)
    }
}

fn push(out: &mut Vec<Diagnostic>, diagnostic: Diagnostic) -> Report<'_> {
    let index = out.len();
    out.push(diagnostic);
    Report { diag: &mut out[index] }
}

/// The reporting context of [`Rule::cross_file`]: a finding names the file it is in (an index
/// into the run's files).
pub struct CrossFileCtx<'a> {
    meta: &'static RuleMeta,
    out: &'a mut Vec<(usize, Diagnostic)>,
}

impl<'a> CrossFileCtx<'a> {
    pub fn new(meta: &'static RuleMeta, out: &'a mut Vec<(usize, Diagnostic)>) -> Self {
        CrossFileCtx { meta, out }
    }

    /// Report a finding in file `file` of the run.
    pub fn report(&mut self, file: usize, span: Span, message: impl Into<String>) -> Report<'_> {
        let index = self.out.len();
        self.out.push((file, Diagnostic::new(self.meta.name, self.meta.severity, span, message)));
        Report { diag: &mut self.out[index].1 }
    }
}

/// Rule options: declarations (in [`RuleMeta::options`]) and configured values.
pub mod option {
    /// What an option holds.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Kind {
        Bool,
        Integer,
        Number,
        String,
        Strings,
        IntegerMap,
    }

    impl Kind {
        /// For messages: `an integer`, `a list of strings`…
        pub fn describe(self) -> &'static str {
            match self {
                Kind::Bool => "boolean",
                Kind::Integer => "integer",
                Kind::Number => "number",
                Kind::String => "string",
                Kind::Strings => "list of strings",
                Kind::IntegerMap => "map of integers",
            }
        }
    }

    /// A declared default.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum DefaultValue {
        Bool(bool),
        Integer(i64),
        Number(f64),
        String(&'static str),
        Strings(&'static [&'static str]),
        IntegerMap(&'static [(&'static str, i64)]),
    }

    /// A configured value (read from a configuration file).
    #[derive(Clone, Debug, PartialEq)]
    pub enum Owned {
        Bool(bool),
        Integer(i64),
        Number(f64),
        String(String),
        Strings(Vec<String>),
        IntegerMap(Vec<(String, i64)>),
    }

    /// A borrowed view of a default or a configured value.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Value<'a> {
        Bool(bool),
        Integer(i64),
        Number(f64),
        String(&'a str),
        Strings(Vec<&'a str>),
        IntegerMap(Vec<(&'a str, i64)>),
    }

    impl DefaultValue {
        pub fn as_value(&self) -> Value<'static> {
            match *self {
                DefaultValue::Bool(v) => Value::Bool(v),
                DefaultValue::Integer(v) => Value::Integer(v),
                DefaultValue::Number(v) => Value::Number(v),
                DefaultValue::String(v) => Value::String(v),
                DefaultValue::Strings(v) => Value::Strings(v.to_vec()),
                DefaultValue::IntegerMap(v) => Value::IntegerMap(v.to_vec()),
            }
        }
    }

    impl Owned {
        pub fn as_value(&self) -> Value<'_> {
            match self {
                Owned::Bool(v) => Value::Bool(*v),
                Owned::Integer(v) => Value::Integer(*v),
                Owned::Number(v) => Value::Number(*v),
                Owned::String(v) => Value::String(v),
                Owned::Strings(v) => Value::Strings(v.iter().map(String::as_str).collect()),
                Owned::IntegerMap(v) => {
                    Value::IntegerMap(v.iter().map(|(k, n)| (k.as_str(), *n)).collect())
                }
            }
        }
    }

    impl Value<'_> {
        pub fn kind(&self) -> Kind {
            match self {
                Value::Bool(_) => Kind::Bool,
                Value::Integer(_) => Kind::Integer,
                Value::Number(_) => Kind::Number,
                Value::String(_) => Kind::String,
                Value::Strings(_) => Kind::Strings,
                Value::IntegerMap(_) => Kind::IntegerMap,
            }
        }

        /// As JSON, for `--show-settings` and the schema's `default`.
        pub fn to_json(&self) -> serde_json::Value {
            use serde_json::json;
            match self {
                Value::Bool(v) => json!(v),
                Value::Integer(v) => json!(v),
                Value::Number(v) => json!(v),
                Value::String(v) => json!(v),
                Value::Strings(v) => json!(v),
                Value::IntegerMap(v) => serde_json::Value::Object(
                    v.iter().map(|(k, n)| (k.to_string(), json!(n))).collect(),
                ),
            }
        }
    }

    /// One option a rule reads. Names are kebab-case, like every configuration key.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct RuleOption {
        pub name: &'static str,
        /// One line, lowercase start, no trailing period.
        pub help: &'static str,
        pub default: DefaultValue,
        /// Smallest accepted number (for integers, numbers and the values of integer maps).
        pub minimum: Option<f64>,
    }

    impl RuleOption {
        pub const fn kind(&self) -> Kind {
            match self.default {
                DefaultValue::Bool(_) => Kind::Bool,
                DefaultValue::Integer(_) => Kind::Integer,
                DefaultValue::Number(_) => Kind::Number,
                DefaultValue::String(_) => Kind::String,
                DefaultValue::Strings(_) => Kind::Strings,
                DefaultValue::IntegerMap(_) => Kind::IntegerMap,
            }
        }

        /// Values below `min` are configuration errors.
        pub const fn at_least(mut self, min: f64) -> RuleOption {
            self.minimum = Some(min);
            self
        }
    }

    const fn declare(name: &'static str, default: DefaultValue, help: &'static str) -> RuleOption {
        RuleOption { name, help, default, minimum: None }
    }

    /// `true`/`false`.
    pub const fn boolean(name: &'static str, default: bool, help: &'static str) -> RuleOption {
        declare(name, DefaultValue::Bool(default), help)
    }

    /// A whole number (`30`).
    pub const fn integer(name: &'static str, default: i64, help: &'static str) -> RuleOption {
        declare(name, DefaultValue::Integer(default), help)
    }

    /// A number (`2.0`, `2`).
    pub const fn number(name: &'static str, default: f64, help: &'static str) -> RuleOption {
        declare(name, DefaultValue::Number(default), help)
    }

    /// A string.
    pub const fn string(
        name: &'static str,
        default: &'static str,
        help: &'static str,
    ) -> RuleOption {
        declare(name, DefaultValue::String(default), help)
    }

    /// A list of strings (`[postgres, "*/mosquitto"]`).
    pub const fn strings(
        name: &'static str,
        default: &'static [&'static str],
        help: &'static str,
    ) -> RuleOption {
        declare(name, DefaultValue::Strings(default), help)
    }

    /// A map from strings to integers (`{"*jdk*": 120}`).
    pub const fn integer_map(
        name: &'static str,
        default: &'static [(&'static str, i64)],
        help: &'static str,
    ) -> RuleOption {
        declare(name, DefaultValue::IntegerMap(default), help)
    }
}

/// A finding being reported.
pub struct Report<'a> {
    diag: &'a mut Diagnostic,
}

impl Report<'_> {
    pub fn help(self, help: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.diag.help = Some(help.into());
        self
    }

    /// A level the rule's doc defines for this case (escalation or downgrade). A severity set
    /// in the configuration replaces it.
    pub fn severity(self, severity: Severity) -> Self {
        self.diag.severity = severity;
        self
    }

    /// A second place the finding refers to.
    pub fn label(self, span: Span, message: impl Into<String>) -> Self {
        self.diag.labels.push(crate::diagnostic::Label { span, message: message.into() });
        self
    }

    /// A machine-applicable fix.
    pub fn fix(self, fix: crate::diagnostic::Fix) -> Self {
        self.diag.fix = Some(fix);
        self
    }

    /// Reports this finding once per run, at its first occurrence: later findings of the rule
    /// with the same `key`, in this file or the files after it, are dropped.
    pub fn once_per_run(self, key: impl Into<String>) -> Self {
        self.diag.once_per_run = Some(key.into());
        self
    }

    /// Replaces the logical path the entity gave (for a finding about a part of it).
    pub fn logical_path(self, path: impl Into<String>) -> Self {
        self.diag.logical_path = Some(path.into());
        self
    }
}

/// Every rule, in name order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &aggressive_probe_timing::AggressiveProbeTiming,
        &arch_detection_incomplete::ArchDetectionIncomplete,
        &arch_specific_command::ArchSpecificCommand,
        &cronjob_missed_schedules::CronjobMissedSchedules,
        &device_capacity_exceeded::DeviceCapacityExceeded,
        &duplicate_stage_name::DuplicateStageName,
        &ephemeral_storage_for_data::EphemeralStorageForData,
        &healthy_dependency_without_healthcheck::HealthyDependencyWithoutHealthcheck,
        &heavy_final_stage::HeavyFinalStage,
        &host_network_dns::HostNetworkDns,
        &ineffective_compose_field::IneffectiveComposeField,
        &invalid_probe_spec::InvalidProbeSpec,
        &invalid_suppression::InvalidSuppression,
        &memory_overcommit::MemoryOvercommit,
        &missing_arch_selector::MissingArchSelector,
        &missing_cpu_limit::MissingCpuLimit,
        &missing_cpu_request::MissingCpuRequest,
        &missing_memory_limit::MissingMemoryLimit,
        &missing_restart_policy::MissingRestartPolicy,
        &mutable_image_tag::MutableImageTag,
        &pdb_blocks_drain::PdbBlocksDrain,
        &platform_pinned::PlatformPinned,
        &privileged_container::PrivilegedContainer,
        &pull_policy_always::PullPolicyAlways,
        &pvc_binding_mismatch::PvcBindingMismatch,
        &registry_not_local::RegistryNotLocal,
        &remote_liveness_dependency::RemoteLivenessDependency,
        &runs_as_root::RunsAsRoot,
        &runtime_socket_mount::RuntimeSocketMount,
        &rwo_volume_rollout::RwoVolumeRollout,
        &short_shutdown_grace::ShortShutdownGrace,
        &short_startup_budget::ShortStartupBudget,
        &short_unreachable_toleration::ShortUnreachableToleration,
        &single_arch_image::SingleArchImage,
        &suspicious_memory_quantity::SuspiciousMemoryQuantity,
        &target_arch_arg_undeclared::TargetArchArgUndeclared,
        &unbounded_container_logs::UnboundedContainerLogs,
        &unbounded_emptydir::UnboundedEmptydir,
        &unknown_rule::UnknownRule,
        &unpinned_hostpath::UnpinnedHostpath,
        &unresolved_named_port::UnresolvedNamedPort,
        &unused_suppression::UnusedSuppression,
        &volume_permission_mismatch::VolumePermissionMismatch,
    ]
}

/// Look a rule up by name.
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().name == name)
}

/// The built-in findings, which edgelint reports itself (no hooks, always on under `--select`):
/// documented, listed and explained like a rule.
pub const BUILT_IN: [RuleMeta; 2] = [
    RuleMeta {
        name: crate::diagnostic::FILE_TOO_LARGE,
        summary: "input over `--max-file-size`, which was not linted (built in)",
        severity: Severity::Error,
        formats: &FileKind::ALL,
        equivalents: &[],
        doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/file-too-large.md")),
        options: &[],
    },
    RuleMeta {
        name: crate::diagnostic::PARSE_ERROR,
        summary: "input that cannot be parsed as its kind (built in)",
        severity: Severity::Error,
        formats: &FileKind::ALL,
        equivalents: &[],
        doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/parse-error.md")),
        options: &[],
    },
];

/// The metadata of every rule and built-in finding, in name order (`edgelint rules`, the index).
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut metas: Vec<&'static RuleMeta> = all().iter().map(|r| r.meta()).collect();
    metas.extend(BUILT_IN.iter());
    metas.sort_by_key(|m| m.name);
    metas
}

/// The metadata of a rule or built-in finding by name (`edgelint explain`).
pub fn find_meta(name: &str) -> Option<&'static RuleMeta> {
    all_meta().into_iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::option::Owned;
    use super::*;
    use crate::settings::RuleSettings;

    crate::declare_rule! {
        /// A rule with one option of each kind (its doc is borrowed from a real rule).
        Tunable {
            name: "unknown-rule",
            summary: "a test rule",
            severity: Warning,
            formats: [Kubernetes],
            equivalents: [],
            options: [
                integer("timeout", 2, "shortest timeout").at_least(1.0),
                number("ratio", 2.0, "largest ratio"),
                boolean("strict", false, "be strict"),
                string("mode", "edge", "the mode"),
                strings("images", &["postgres"], "images that keep data"),
                integer_map("budgets", &[("*jdk*", 120)], "start-up budgets"),
            ],
        }
    }

    fn with_ctx(settings: &Settings, f: impl FnOnce(&Ctx<'_>)) {
        let source = SourceFile::new("x", "");
        let (doc, _) = crate::parse(&source, FileKind::Kubernetes);
        let semantic = Semantic::new(&doc, settings);
        let mut out = Vec::new();
        let cx = Ctx::new(&Tunable::META, &source, &semantic, &mut out);
        f(&cx);
    }

    #[test]
    fn options_are_declared_defaults_until_configured() {
        assert_eq!(Tunable::META.options.len(), 6);
        assert_eq!(Tunable::META.option("timeout").and_then(|o| o.minimum), Some(1.0));
        with_ctx(&Settings::default(), |cx| {
            assert_eq!(cx.option_int("timeout"), 2);
            assert_eq!(cx.option_number("ratio"), 2.0);
            assert!(!cx.option_bool("strict"));
            assert_eq!(cx.option_str("mode"), "edge");
            assert_eq!(cx.option_strings("images"), ["postgres"]);
            assert_eq!(cx.option_int_map("budgets"), [("*jdk*", 120)]);
        });
        let mut settings = Settings::default();
        let mut rule = RuleSettings::default();
        rule.options.insert("timeout".into(), Owned::Integer(5));
        rule.options.insert("ratio".into(), Owned::Integer(3));
        rule.options.insert("images".into(), Owned::Strings(vec!["mosquitto".into()]));
        settings.rules.insert("unknown-rule".into(), rule);
        with_ctx(&settings, |cx| {
            assert_eq!(cx.option_int("timeout"), 5);
            // An integer is read as a number.
            assert_eq!(cx.option_number("ratio"), 3.0);
            assert_eq!(cx.option_strings("images"), ["mosquitto"]);
            assert_eq!(cx.option_str("mode"), "edge");
        });
    }

    #[test]
    #[should_panic(expected = "reads option `nope`, which it does not declare")]
    fn an_undeclared_option_is_a_bug() {
        with_ctx(&Settings::default(), |cx| {
            cx.option_int("nope");
        });
    }

    #[test]
    #[should_panic(expected = "reads option `mode` as an integer, but it is declared as a string")]
    fn reading_an_option_as_another_kind_is_a_bug() {
        with_ctx(&Settings::default(), |cx| {
            cx.option_int("mode");
        });
    }

    #[test]
    fn configured_severity_replaces_every_finding_severity() {
        use crate::settings::Level;
        let mut settings = Settings::default();
        settings.rules.insert(
            "unknown-rule".into(),
            RuleSettings { level: Some(Level::On(Severity::Info)), ..Default::default() },
        );
        let text = "FROM a\nUSER app\n# edgelint: ignore[nope]\nRUN b\n";
        let report = crate::lint_as(SourceFile::new("x", text), FileKind::Dockerfile, &settings);
        // other rules may report `FROM a` (no tag): only this rule's findings are at stake
        let got: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "unknown-rule")
            .map(|d| (d.rule, d.severity))
            .collect();
        assert_eq!(got, [("unknown-rule", Severity::Info)]);
    }
}
