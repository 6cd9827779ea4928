//! `arch-detection-incomplete`: an architecture `case` with no branch for a target and no
//! failing default, and `$(uname -m)` pasted into a download URL (documented in
//! `rules/arch-detection-incomplete.md`).
//!
//! The shell reading is [`crate::semantic::arch_detection`]; this file gathers the shell texts
//! of each format, works out the targets each text must serve (read-only use of the targets
//! semantic), and words the findings.

use crate::declare_rule;
use crate::model::container::ContainerView;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::arch_detection::{self, names, Form, Subject};
use crate::semantic::StagePlatform;
use crate::shell::{program_name, Syntax};
use crate::source::Span;
use crate::syntax::dockerfile::{Args, Dockerfile, Instruction};
use crate::syntax::text::Text;
use crate::values::platform::{best_compat, Compat, Platform};

declare_rule! {
    /// An architecture `case` that leaves a target out, or `uname -m` in a URL.
    ArchDetectionIncomplete {
        name: "arch-detection-incomplete",
        summary: "an architecture case has no branch for a target platform and no failing default, or pastes `uname -m` into a URL",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for ArchDetectionIncomplete {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        for (index, stage) in file.stages.iter().enumerate() {
            let (builder, mut targets) = match cx.semantic().stage_platform(index) {
                Some(StagePlatform::Builder) => (true, cx.semantic().targets().to_vec()),
                Some(StagePlatform::Targets(t)) => (false, t.clone()),
                None => continue,
            };
            if let Some(base) = base_platforms(cx, file, index) {
                targets.retain(|t| best_compat(t, &base) != Compat::Incompatible);
            }
            let reaches_final = file.reaches_final(index);
            let Some(instructions) = file.instructions.get(stage.instructions.clone()) else {
                continue;
            };
            for ins in instructions {
                let runs = ins.keyword == "RUN"
                    || (reaches_final && matches!(ins.keyword.as_str(), "CMD" | "ENTRYPOINT"));
                if !runs {
                    continue;
                }
                for piece in dockerfile_pieces(file, ins) {
                    check(cx, &piece, &targets, builder);
                }
            }
        }
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        let mut targets = cx.semantic().container_targets(container).to_vec();
        if let Some(base) = container.image().and_then(|i| cx.semantic().published(&i.value)) {
            targets.retain(|t| best_compat(t, &base) != Compat::Incompatible);
        }
        let texts: Vec<&Text> = match container {
            ContainerView::Kubernetes { container: c, .. } => {
                c.command.iter().chain(&c.args).collect()
            }
            ContainerView::Compose { service, .. } => [&service.entrypoint, &service.command]
                .into_iter()
                .flatten()
                .flat_map(|cmd| cmd.texts())
                .collect(),
        };
        for t in texts {
            let piece = Piece {
                text: t.value.clone(),
                syntax: Syntax::Shell,
                raw_start: t.raw_start,
                span: t.span,
            };
            check(cx, &piece, &targets, false);
        }
    }
}

/// One shell text and where it is.
struct Piece {
    text: String,
    syntax: Syntax,
    /// Offset of `text[0]` in the source when the text is the source bytes.
    raw_start: Option<usize>,
    /// The whole text as written.
    span: Span,
}

impl Piece {
    /// The source span of `text[start..end]`: exact for raw text; for a value the YAML or JSON
    /// reader changed (a block scalar, escapes), the one place that fragment is written inside
    /// the value, else the whole value.
    fn span_of(&self, source: &str, start: usize, end: usize) -> Span {
        if let Some(s) = self.raw_start {
            return Span::new(s + start, s + end);
        }
        let fragment = self.text.get(start..end).unwrap_or_default();
        let written = source.get(self.span.start..self.span.end).unwrap_or_default();
        match written.match_indices(fragment).collect::<Vec<_>>().as_slice() {
            [(at, _)] if !fragment.is_empty() => {
                let at = self.span.start + at;
                Span::new(at, at + fragment.len())
            }
            _ => self.span,
        }
    }
}

/// The shell texts of RUN, CMD or ENTRYPOINT: the shell form, an exec-form `sh -c` script, the
/// heredoc bodies.
fn dockerfile_pieces(file: &Dockerfile, ins: &Instruction) -> Vec<Piece> {
    let mut out = Vec::new();
    match &ins.args {
        Args::Shell(s) => out.push(Piece {
            text: s.raw.clone(),
            syntax: Syntax::DockerfileShell { escape: file.escape },
            raw_start: Some(s.span.start),
            span: s.span,
        }),
        Args::Exec(items) => {
            if let [shell, flag, script, ..] = items.as_slice() {
                if program_name(&shell.value).ends_with("sh") && flag.value == "-c" {
                    out.push(Piece {
                        text: script.value.clone(),
                        syntax: Syntax::Shell,
                        raw_start: None,
                        span: script.span,
                    });
                }
            }
        }
        _ => {}
    }
    for h in &ins.heredocs {
        out.push(Piece {
            text: h.body.value.clone(),
            syntax: Syntax::Shell,
            raw_start: Some(h.body.span.start),
            span: h.body.span,
        });
    }
    out
}

/// The platforms the stage's base image is published for, when known (through
/// `FROM <earlier stage>`).
fn base_platforms(cx: &Ctx, file: &Dockerfile, index: usize) -> Option<Vec<Platform>> {
    let mut cur = file.stages.get(index)?;
    for _ in 0..file.stages.len() {
        match cur.base_stage.and_then(|b| file.stages.get(b)) {
            Some(b) => cur = b,
            None => break,
        }
    }
    cx.semantic().published(cur.resolved_image.as_deref()?)
}

/// `builder`: the text runs on the build machine (`FROM --platform=$BUILDPLATFORM`), so what
/// the machine prints is the build machine's and is not judged against the targets.
fn check(cx: &mut Ctx, piece: &Piece, targets: &[Platform], builder: bool) {
    if targets.is_empty() {
        return;
    }
    let found = arch_detection::detect(&piece.text, piece.syntax);
    for case in &found.cases {
        if (builder && case.subject.is_machine()) || case.default_fails {
            continue;
        }
        // A default that does not fail is a deliberate generic path (build from source, no
        // extra flags) unless it assigns one architecture's name to every other machine. With
        // no default, one branch is something done on that architecture only; two or more
        // are a mapping that must cover the targets.
        let judged = match (&case.default_assumes, case.has_default) {
            (Some(_), _) => true,
            (None, true) => false,
            (None, false) => case.patterns.len() >= 2,
        };
        if !judged {
            continue;
        }
        let missing: Vec<(&Platform, Vec<String>)> = targets
            .iter()
            .map(|t| (t, names(case.subject, t)))
            .filter(|(_, n)| !n.is_empty() && !n.iter().any(|n| case.matches(n)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let what = case.subject.describe();
        let listed: Vec<String> =
            missing.iter().map(|(t, n)| format!("{t} (`{}`)", n.join("`/`"))).collect();
        let (form, fallback) = match case.form {
            Form::Case => ("`case`", "`*)` default"),
            Form::If => ("`if` chain", "`else`"),
        };
        let default = match &case.default_assumes {
            Some(arch) => format!("its {fallback} assumes `{arch}`"),
            None => format!("it has no {fallback}"),
        };
        cx.report(
            piece.span_of(&cx.source().text, case.start, case.end),
            format!(
                "this {form} on `{what}` has no branch for {} and {default}: the script goes on \
                 with a wrong or empty value there",
                listed.join(", ")
            ),
        )
        .help(format!(
            "add a branch for every target platform and end with `*) echo \"unsupported \
             architecture: ...\" >&2; exit 1 ;;` ({what} prints {})",
            example_names(case.subject)
        ));
    }
    if builder {
        return;
    }
    let arm = targets.iter().any(|t| t.arch == "arm64" || t.arch == "arm");
    if !arm {
        return;
    }
    for url in &found.uname_urls {
        cx.report(
            piece.span_of(&cx.source().text, url.start, url.end),
            "`uname -m` pasted into a URL prints `aarch64` or `armv7l` on ARM, where releases are \
             usually named `arm64`, `armv7` or `armhf`: the download fails on the ARM targets",
        )
        .help(
            "map the machine name to the vendor's naming in a `case` with a failing default \
             (`aarch64) ARCH=arm64 ;; armv7l) ARCH=armv7 ;;`), or use `$TARGETARCH` in a \
             Dockerfile",
        );
    }
}

/// The names `subject` prints on the common edge platforms, for the help.
fn example_names(subject: Subject) -> &'static str {
    match subject {
        Subject::Uname => "`x86_64`, `aarch64`, `armv7l`",
        Subject::Dpkg => "`amd64`, `arm64`, `armhf`",
        Subject::Apk => "`x86_64`, `aarch64`, `armv7`",
        Subject::TargetArch => "`amd64`, `arm64`, `arm`",
        Subject::TargetPlatform => "`linux/amd64`, `linux/arm64`, `linux/arm/v7`",
    }
}
