//! The engine every front end uses (the command line, pre-commit, the language server):
//! parse a text, compute its facts once ([`Semantic`]), walk the document once calling the
//! hooks of the rules that run ([`run_rules`]), apply the suppressions written in the file and
//! the configured severities, and sort. After the per-file pass, [`cross_file`] runs the
//! cross-file hooks over all documents of the run.
//!
//! See `docs/architecture.md` for the layers and the data flow.

use crate::diagnostic::{Diagnostic, FileReport, OncePerRun, Severity, PARSE_ERROR};
use crate::document::{Document, FileKind};
use crate::model::compose::ComposeFile;
use crate::model::container::{service_path, ContainerView, Pod};
use crate::model::kubernetes::Manifests;
use crate::rules::{self, CrossFileCtx, Ctx, Rule};
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::suppress;
use crate::syntax::{dockerfile, yaml};

/// At most this many `parse-error` findings per file: the last one shown says how many more
/// there are (a file that is not of its kind at all would otherwise give one per line).
pub const MAX_PARSE_ERRORS: usize = 20;

/// Parse a text as the given kind. Returns the document and the parse errors as findings: at
/// most [`MAX_PARSE_ERRORS`], and for a binary text (one with a NUL character) a single one
/// at its first NUL, with an empty document.
pub fn parse(source: &SourceFile, kind: FileKind) -> (Document, Vec<Diagnostic>) {
    if let Some(at) = source.text.find('\0') {
        let (doc, _) = parse(&SourceFile::new(&source.path, String::new()), kind);
        let message = format!(
            "file is binary (a NUL byte at offset {at}), not a {}; it was not linted",
            match kind {
                FileKind::Dockerfile => "Dockerfile",
                FileKind::Compose => "Compose file",
                FileKind::Kubernetes => "Kubernetes manifest",
            }
        );
        let span = crate::source::Span::new(at, at + 1);
        return (doc, vec![Diagnostic::new(PARSE_ERROR, Severity::Error, span, message)]);
    }
    let (doc, mut errors) = parse_text(source, kind);
    if errors.len() > MAX_PARSE_ERRORS {
        sort_diagnostics(&mut errors);
        let more = errors.len() - MAX_PARSE_ERRORS;
        errors.truncate(MAX_PARSE_ERRORS);
        if let Some(last) = errors.last_mut() {
            last.message = format!(
                "{} ({more} more parse error{} after this one not shown)",
                last.message,
                if more == 1 { "" } else { "s" }
            );
        }
    }
    (doc, errors)
}

fn parse_text(source: &SourceFile, kind: FileKind) -> (Document, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let doc = match kind {
        FileKind::Dockerfile => {
            let d = dockerfile::parse(&source.text);
            for e in &d.errors {
                errors.push(Diagnostic::new(PARSE_ERROR, Severity::Error, e.span, &e.message));
            }
            Document::Dockerfile(d)
        }
        FileKind::Compose | FileKind::Kubernetes => {
            // Comments are read only for suppressions: a file that cannot hold one is parsed
            // without them.
            let comments = if suppress::may_hold_directives(&source.text) {
                yaml::Comments::Keep
            } else {
                yaml::Comments::Skip
            };
            let stream = yaml::parse_stream_with(&source.text, &yaml::Limits::default(), comments);
            for e in &stream.errors {
                // A duplicate key names its first definition in the message too: formats
                // without related locations (concise, GitHub annotations) show both places.
                let message = match e.related {
                    Some(first) => {
                        let at = source.position(first.start);
                        format!("{} (first defined at {}:{})", e.message, at.line, at.column)
                    }
                    None => e.message.clone(),
                };
                let mut d = Diagnostic::new(PARSE_ERROR, Severity::Error, e.span, message);
                if let Some(first) = e.related {
                    d = d.with_label(first, "first defined here");
                }
                errors.push(d);
            }
            if kind == FileKind::Compose {
                Document::Compose(ComposeFile::from_yaml(stream))
            } else {
                Document::Kubernetes(Manifests::from_yaml(stream))
            }
        }
    };
    (doc, errors)
}

/// Parse and lint a text as the given kind: run the enabled rules, apply the suppressions
/// written in the file ([`suppress`]), then the configured severities (a configured severity
/// replaces the severity of every finding of its rule).
pub fn lint_as(source: SourceFile, kind: FileKind, settings: &Settings) -> FileReport {
    lint_document(source, kind, settings).0
}

/// [`lint_as`], also returning the document (for the cross-file phase).
pub fn lint_document(
    source: SourceFile,
    kind: FileKind,
    settings: &Settings,
) -> (FileReport, Document) {
    let (doc, mut diagnostics) = parse(&source, kind);
    let mut unknown_platforms = Vec::new();
    {
        let semantic = Semantic::for_path(&doc, settings, &source.path);
        let enabled: Vec<&dyn Rule> = rules::all()
            .iter()
            .copied()
            .filter(|r| r.meta().formats.contains(&kind) && settings.rule_enabled(r.meta().name))
            .collect();
        run_rules(&enabled, &doc, &semantic, &source, &mut diagnostics, &mut unknown_platforms);
        let ran: Vec<&str> = enabled.iter().map(|r| r.meta().name).collect();
        suppress::apply(&doc, &semantic, &source, &ran, &mut diagnostics);
    }
    finish(&mut diagnostics, settings);
    // Once per file here; the command line also keeps them once per run (`OncePerRun`).
    OncePerRun::default().filter(&mut diagnostics);
    unknown_platforms.sort_unstable();
    unknown_platforms.dedup();
    (FileReport { source, kind: Some(kind), diagnostics, unknown_platforms }, doc)
}

/// The last steps of every file: drop `parse-error` when it is turned off, apply the
/// configured severities, sort.
fn finish(diagnostics: &mut Vec<Diagnostic>, settings: &Settings) {
    if !settings.rule_enabled(PARSE_ERROR) {
        diagnostics.retain(|d| d.rule != PARSE_ERROR);
    }
    for d in diagnostics.iter_mut() {
        if let Some(severity) = settings.rule_severity(d.rule) {
            d.severity = severity;
        }
    }
    sort_diagnostics(diagnostics);
}

/// Sort by position then rule, and drop findings that show the same (a finding reached twice
/// through a YAML alias; the first one's logical path is kept).
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    diagnostics.dedup_by(|later, earlier| later.shown() == earlier.shown());
}

/// The one rule runner: walks `doc` once and calls every hook of `rules` on each entity.
/// Image references whose platforms no source knows are recorded in `unknown_platforms`.
pub fn run_rules(
    rules: &[&dyn Rule],
    doc: &Document,
    semantic: &Semantic<'_>,
    source: &SourceFile,
    out: &mut Vec<Diagnostic>,
    unknown_platforms: &mut Vec<String>,
) {
    // Calls `hook` of every rule with a context carrying the entity's logical path.
    let mut each = |path: Option<&str>, hook: &dyn Fn(&dyn Rule, &mut Ctx)| {
        for rule in rules {
            let mut cx = Ctx::new(rule.meta(), source, semantic, out)
                .with_logical_path(path)
                .recording_unknown_platforms(unknown_platforms);
            hook(*rule, &mut cx);
        }
    };
    match doc {
        Document::Dockerfile(file) => {
            each(None, &|r, cx| r.dockerfile(file, cx));
            for (index, stage) in file.stages.iter().enumerate() {
                let path = stage_path(stage.name.as_ref().map(|n| n.value.as_str()), index);
                each(Some(&path), &|r, cx| r.stage(file, index, cx));
            }
            for instruction in &file.instructions {
                let path = instruction.stage.map(|i| {
                    let name = file.stages.get(i).and_then(|s| s.name.as_ref());
                    stage_path(name.map(|n| n.value.as_str()), i)
                });
                each(path.as_deref(), &|r, cx| r.instruction(file, instruction, cx));
            }
        }
        Document::Compose(file) => {
            each(None, &|r, cx| r.compose(file, cx));
            for (index, service) in file.services.iter().enumerate() {
                let path = service_path(service);
                each(Some(&path), &|r, cx| r.service(file, service, cx));
                let container = ContainerView::Compose { service, index };
                each(Some(&path), &|r, cx| r.container(&container, cx));
            }
        }
        Document::Kubernetes(stream) => {
            each(None, &|r, cx| r.kubernetes(stream, cx));
            for (object_index, object) in stream.objects.iter().enumerate() {
                let path = object.logical_name();
                each(Some(&path), &|r, cx| r.object(stream, object, cx));
                for (template_index, template) in object.pod_templates.iter().enumerate() {
                    let pod = Pod { object, template, object_index, template_index };
                    let path = pod.logical_path();
                    each(Some(&path), &|r, cx| r.pod_template(stream, &pod, cx));
                    for container in &template.containers {
                        let container = ContainerView::Kubernetes { pod, container };
                        let path = container.logical_path();
                        each(Some(&path), &|r, cx| r.container(&container, cx));
                    }
                }
            }
        }
    }
}

/// `stages[build]`, or `stages[0]` for a stage without a name.
fn stage_path(name: Option<&str>, index: usize) -> String {
    match name {
        Some(name) => format!("stages[{name}]"),
        None => format!("stages[{index}]"),
    }
}

/// One linted file of a run, for the cross-file phase.
pub struct RunFile<'a> {
    pub source: &'a SourceFile,
    pub document: &'a Document,
    pub settings: &'a Settings,
}

/// The Kubernetes streams of the run, with their index in `files`, grouped by directory: the
/// bundle a cross-file rule pairs objects in (a kustomize base, a chart's rendered output), not
/// every file of a monorepo. Bundles are in the order of their first file, each in run order.
///
/// Grouped once, so a rule looks at the files of one directory at a time: comparing every
/// Kubernetes file's directory with every other's made the cross-file phase quadratic (12 s of
/// a 10,000-file tree).
pub fn kubernetes_bundles<'a>(files: &'a [RunFile<'_>]) -> Vec<Vec<(usize, &'a Manifests)>> {
    let mut bundles: Vec<Vec<(usize, &'a Manifests)>> = Vec::new();
    let mut by_dir: std::collections::HashMap<Option<&std::path::Path>, usize> =
        std::collections::HashMap::new();
    for (i, f) in files.iter().enumerate() {
        let Document::Kubernetes(m) = f.document else { continue };
        let dir = std::path::Path::new(&f.source.path).parent();
        let at = *by_dir.entry(dir).or_insert_with(|| {
            bundles.push(Vec::new());
            bundles.len() - 1
        });
        if let Some(bundle) = bundles.get_mut(at) {
            bundle.push((i, m));
        }
    }
    bundles
}

/// The cross-file phase: runs [`Rule::cross_file`] of every rule that has one and runs for at
/// least one file, and returns its findings with the index of the file each is in. A finding
/// is kept when its rule runs for that file, with that file's configured severity.
///
/// A finding is suppressed by the suppressions written in the file it is reported in (where
/// the fix belongs), as in the per-file pass; a suppression of a rule that uses this phase is
/// never reported unused, since whether it is used depends on the other files of the run.
pub fn cross_file(files: &[RunFile<'_>]) -> Vec<(usize, Diagnostic)> {
    cross_file_with(rules::all(), files)
}

/// [`cross_file`] with the given rules.
pub fn cross_file_with(rules: &[&dyn Rule], files: &[RunFile<'_>]) -> Vec<(usize, Diagnostic)> {
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| r.uses_cross_file()) {
        let name = rule.meta().name;
        if !files.iter().any(|f| f.settings.rule_enabled(name)) {
            continue;
        }
        let mut found = Vec::new();
        rule.cross_file(files, &mut CrossFileCtx::new(rule.meta(), &mut found));
        for (index, mut d) in found {
            let Some(file) = files.get(index) else { continue };
            if !file.settings.rule_enabled(name) {
                continue;
            }
            let mut one = vec![d];
            suppress::apply_cross_file(file.document, file.source, file.settings, &mut one);
            let Some(kept) = one.pop() else { continue };
            d = kept;
            if let Some(severity) = file.settings.rule_severity(name) {
                d.severity = severity;
            }
            out.push((index, d));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_carry_their_logical_path() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: historian, namespace: plant}\nspec:\n  template:\n    spec:\n      containers: [{name: db, image: postgres:16}]\n";
        let report =
            lint_as(SourceFile::new("x.yaml", text), FileKind::Kubernetes, &Settings::default());
        let paths: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "missing-cpu-limit")
            .map(|d| d.logical_path.as_deref())
            .collect();
        assert_eq!(paths, [Some("Deployment/plant/historian › containers[db]")]);

        let compose = "services:\n  web: {image: nginx:1.27}\n";
        let report =
            lint_as(SourceFile::new("c.yaml", compose), FileKind::Compose, &Settings::default());
        assert!(report
            .diagnostics
            .iter()
            .all(|d| d.logical_path.as_deref() == Some("services[web]")));
    }

    crate::declare_rule! {
        /// A cross-file test rule: a Compose service whose image a Kubernetes file also runs
        /// (its doc is borrowed from a real rule).
        SameImage {
            name: "unknown-rule",
            summary: "a test rule",
            severity: Info,
            formats: [Compose, Kubernetes],
            equivalents: [],
        }
    }

    impl Rule for SameImage {
        fn meta(&self) -> &'static crate::rules::RuleMeta {
            &Self::META
        }

        fn uses_cross_file(&self) -> bool {
            true
        }

        fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {
            for (i, file) in files.iter().enumerate() {
                let Document::Compose(c) = file.document else { continue };
                for service in &c.services {
                    let Some(image) = &service.image else { continue };
                    let elsewhere = files.iter().any(|f| match f.document {
                        Document::Kubernetes(m) => m.objects.iter().any(|o| {
                            o.pod_templates
                                .iter()
                                .flat_map(|t| &t.containers)
                                .any(|k| k.image.as_ref().is_some_and(|x| x.value == image.value))
                        }),
                        _ => false,
                    });
                    if elsewhere {
                        cx.report(i, image.span, "also deployed to Kubernetes");
                    }
                }
            }
        }
    }

    #[test]
    fn the_cross_file_phase_sees_every_file_of_the_run() {
        let compose = SourceFile::new("c.yaml", "services:\n  web: {image: nginx:1.27}\n");
        let k8s = SourceFile::new(
            "k.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: nginx:1.27}]}\n",
        );
        let (c, _) = parse(&compose, FileKind::Compose);
        let (k, _) = parse(&k8s, FileKind::Kubernetes);
        let on = Settings::default();
        let mut off = Settings::default();
        off.rules.insert(
            "unknown-rule".into(),
            crate::settings::RuleSettings {
                level: Some(crate::settings::Level::Off),
                ..Default::default()
            },
        );
        let files = |settings: &Settings| -> Vec<(usize, String)> {
            let run = [
                RunFile { source: &k8s, document: &k, settings: &on },
                RunFile { source: &compose, document: &c, settings },
            ];
            cross_file_with(&[&SameImage], &run).into_iter().map(|(i, d)| (i, d.message)).collect()
        };
        assert_eq!(files(&on), [(1, "also deployed to Kubernetes".to_string())]);
        // Off for the file the finding is in: dropped.
        assert_eq!(files(&off), []);
    }

    #[test]
    fn cross_file_rules_that_read_kubernetes_read_no_other_kind() {
        // The command line runs the cross-file phase of Kubernetes streams per directory, apart
        // from the other kinds, and parses Dockerfiles for it only when a Compose file is
        // kept (cli::Kept): a rule reading both would miss pairs, and one reading Dockerfiles
        // must report on Compose files only.
        for rule in rules::all().iter().filter(|r| r.uses_cross_file()) {
            if rule.cross_file_reads(FileKind::Dockerfile) {
                assert_eq!(rule.meta().formats, [FileKind::Compose], "{}", rule.meta().name);
            }
            if rule.cross_file_reads(FileKind::Kubernetes) {
                assert!(
                    !rule.cross_file_reads(FileKind::Compose)
                        && !rule.cross_file_reads(FileKind::Dockerfile),
                    "{}",
                    rule.meta().name
                );
            }
        }
    }

    #[test]
    fn a_duplicate_key_labels_its_first_definition() {
        let text = "services:\n  web: {image: a}\n  web: {image: b}\n";
        let (_, errors) = parse(&SourceFile::new("c.yaml", text), FileKind::Compose);
        assert_eq!(errors[0].message, "duplicate key `web` (first defined at 2:3)");
        let label = &errors[0].labels[0];
        assert_eq!(label.message, "first defined here");
        assert_eq!(&text[label.span.start..label.span.end], "web");
        assert_eq!(label.span.start, text.find("web").unwrap());
    }

    #[test]
    fn the_same_finding_reached_twice_is_kept_once() {
        let a = Diagnostic::new("r", Severity::Warning, crate::source::Span::new(1, 2), "m");
        let mut b = a.clone();
        b.logical_path = Some("services[b]".into());
        let mut all = vec![a.clone(), b];
        sort_diagnostics(&mut all);
        assert_eq!(all, [a]);
    }
}
