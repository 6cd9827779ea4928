//! `arch-specific-command`: commands, downloads, paths and compiler flags that work on one CPU
//! architecture only. The scanning is in [`crate::rules::shared::arch_scan`]; this file
//! gathers the texts of each instruction (all three formats), works out which platforms the
//! instruction must serve, and words the findings.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::document::FileKind;
use crate::model::container::ContainerView;
use crate::rules::shared::arch_scan::{self, Hazard, Hit, Known, Piece, Role, Syntax};
use crate::rules::{Ctx, Rule};
use crate::semantic::StagePin;
use crate::source::{Span, Spanned};
use crate::syntax::dockerfile::{Args, Dockerfile, Instruction, Stage};
use crate::syntax::text::Text;
use crate::values::platform::{compat, Compat, Platform};
use std::collections::HashMap;

declare_rule! {
    /// See `rules/arch-specific-command.md`.
    ArchSpecificCommand {
        name: "arch-specific-command",
        summary: "a download, path, compiler flag or command that works on one CPU architecture only",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for ArchSpecificCommand {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        check_dockerfile(file, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        check_container(container, cx);
    }
}

/// Where the texts of one instruction run, for the wording and the level.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A Dockerfile stage built for the targets (or for its declared platform).
    Target,
    /// A `FROM --platform=$BUILDPLATFORM` stage: it runs on the build machine.
    Builder,
    /// A container of a Compose service or a Kubernetes workload.
    Container(FileKind),
}

/// One instruction's texts, as the scanner reads them.
struct Group {
    texts: Vec<(Text, Syntax)>,
}

impl Group {
    fn new() -> Group {
        Group { texts: Vec::new() }
    }

    fn push(&mut self, text: Text, syntax: Syntax) {
        self.texts.push((text, syntax));
    }

    fn scan(&self, role: Role, known: &Known) -> Vec<Hit> {
        let pieces: Vec<Piece<'_>> = self
            .texts
            .iter()
            .map(|(t, syntax)| Piece { text: &t.value, syntax: *syntax })
            .collect();
        arch_scan::scan_with(&pieces, role, known)
    }
}

// -------------------------------------------------------------------------------------------
// Dockerfile

/// What a stage must serve.
struct StageInfo {
    /// Nothing to check: the stage's base image serves none of the targets (a Windows image,
    /// an amd64-only image with arm targets): other rules report the base image.
    skip: bool,
    builder: bool,
    targets: Vec<Platform>,
}

/// Whether a text runs or installs a full-system emulator (`qemu-system-x86_64`).
fn system_emulator(text: &str) -> bool {
    text.match_indices("qemu-system-").any(|(i, _)| {
        text[..i].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-')
    })
}

/// A variable an ENV or ARG sets to a constant architecture, and where (`KEY=value`).
#[derive(Clone)]
struct ArchVar {
    name: String,
    platform: Platform,
    span: Span,
}

/// Per name, the constant architecture a variable holds (`None`: set to something else).
type Scope = HashMap<String, Option<ArchVar>>;

/// The variables ENV and ARG instructions set to a constant architecture, followed through the
/// file in instruction order: ENV is inherited by `FROM <earlier stage>`, ARG is not (a global
/// ARG counts where the stage redeclares it, `ARG NAME`). Lookups cost the length of the
/// instruction's text, not the number of variables (a file may declare 100,000 ARGs).
struct ArchVars<'d> {
    df: &'d Dockerfile,
    /// The global ARG defaults, as written (a later declaration wins).
    globals: HashMap<&'d str, &'d str>,
    /// The ENV scope of each finished stage.
    finished: Vec<Scope>,
    env: Scope,
    args: Scope,
    stage: Option<usize>,
}

impl<'d> ArchVars<'d> {
    fn new(df: &'d Dockerfile) -> ArchVars<'d> {
        let globals = df
            .global_args
            .iter()
            .filter_map(|kv| Some((kv.key.value.as_str(), kv.value.as_ref()?.value.as_str())))
            .collect();
        ArchVars {
            df,
            globals,
            finished: vec![Scope::new(); df.stages.len()],
            env: Scope::new(),
            args: Scope::new(),
            stage: None,
        }
    }

    /// The constant-architecture variables `text` (an instruction of stage `stage`) expands.
    fn visible(&mut self, stage: Option<usize>, text: &str) -> Vec<ArchVar> {
        self.enter(stage);
        let mut names = arch_scan::var_names(text);
        names.sort_unstable();
        names.dedup();
        names.into_iter().filter_map(|n| self.lookup(n)).collect()
    }

    /// ENV shadows ARG of the same name; an ENV not set in this stage comes from the stages it
    /// is built `FROM`.
    fn lookup(&self, name: &str) -> Option<ArchVar> {
        if let Some(v) = self.env.get(name) {
            return v.clone();
        }
        let mut base = self.stage.and_then(|s| self.df.stages.get(s)).and_then(|s| s.base_stage);
        while let Some(b) = base {
            if let Some(v) = self.finished.get(b).and_then(|scope| scope.get(name)) {
                return v.clone();
            }
            base = self.df.stages.get(b).and_then(|s| s.base_stage);
        }
        self.args.get(name).cloned().flatten()
    }

    fn enter(&mut self, stage: Option<usize>) {
        if stage == self.stage {
            return;
        }
        if let Some(slot) = self.stage.and_then(|s| self.finished.get_mut(s)) {
            *slot = std::mem::take(&mut self.env);
        }
        self.env.clear();
        self.args.clear();
        self.stage = stage;
    }

    /// Takes in what an ENV or ARG instruction sets.
    fn update(&mut self, ins: &Instruction) {
        let (Args::Pairs(pairs), Some(_)) = (&ins.args, ins.stage) else { return };
        for kv in pairs {
            let name = kv.key.value.as_str();
            let value = match (&kv.value, ins.keyword.as_str()) {
                (Some(v), "ENV" | "ARG") => Some(v.value.as_str()),
                (None, "ARG") => self.globals.get(name).copied(),
                _ => continue,
            };
            let var = value
                .and_then(|v| arch_scan::constant_arch(name, v))
                .map(|platform| ArchVar { name: name.to_string(), platform, span: kv.span });
            let scope = if ins.keyword == "ENV" { &mut self.env } else { &mut self.args };
            scope.insert(name.to_string(), var);
        }
    }
}

fn check_dockerfile(df: &Dockerfile, cx: &mut Ctx) {
    let infos: Vec<StageInfo> =
        df.stages.iter().enumerate().map(|(i, s)| stage_info(df, i, s, cx)).collect();
    let escape = df.escape;
    let emulator = df
        .instructions
        .iter()
        .any(|i| cx.source().text.get(i.span.start..i.span.end).is_some_and(system_emulator));
    let mut vars = ArchVars::new(df);
    for ins in &df.instructions {
        let mut text =
            cx.source().text.get(ins.span.start..ins.span.end).unwrap_or_default().to_string();
        for h in &ins.heredocs {
            text.push('\n');
            text.push_str(&h.body.value);
        }
        let defined = vars.visible(ins.stage, &text);
        let defined = defined.as_slice();
        vars.update(ins);
        let Some(info) = ins.stage.and_then(|s| infos.get(s)) else { continue };
        if info.skip {
            continue;
        }
        let known = Known {
            arch_vars: defined.iter().map(|v| (v.name.clone(), v.platform.clone())).collect(),
            system_emulator: emulator,
        };
        let place = if info.builder { Place::Builder } else { Place::Target };
        match ins.keyword.as_str() {
            "RUN" => {
                let mut g = command_group(cx, ins, escape);
                for h in &ins.heredocs {
                    g.push(Text::raw(h.body.value.clone(), h.body.span.start), Syntax::Shell);
                }
                report_with(cx, &g, g.scan(Role::Build, &known), &info.targets, place, defined);
            }
            "CMD" | "ENTRYPOINT" => {
                let reaches = ins.stage.is_some_and(|s| df.reaches_final(s));
                if reaches {
                    let g = command_group(cx, ins, escape);
                    let hits = g.scan(Role::Command, &known);
                    report_with(cx, &g, hits, &info.targets, place, defined);
                }
            }
            "ENV" => {
                let Args::Pairs(pairs) = &ins.args else { continue };
                let mut g = Group::new();
                let mut vars = Vec::new();
                for kv in pairs {
                    let Some(v) = &kv.value else { continue };
                    g.push(spanned_text(&cx.source().text, v), Syntax::Plain);
                    vars.push(kv.key.value.as_str());
                }
                let values: Vec<String> = g.texts.iter().map(|(t, _)| t.value.clone()).collect();
                let env: Vec<(&str, &str)> =
                    vars.iter().zip(&values).map(|(k, v)| (*k, v.as_str())).collect();
                let hits = arch_scan::scan_env(&env, &known);
                report_with(cx, &g, hits, &info.targets, place, defined);
            }
            "ADD" | "COPY" => {
                let Args::Copy { sources, .. } = &ins.args else { continue };
                let (mut urls, mut files) = (Group::new(), Group::new());
                for s in sources.iter().filter(|s| !s.value.starts_with("<<")) {
                    let g = if s.value.contains("://") { &mut urls } else { &mut files };
                    g.push(spanned_text(&cx.source().text, s), Syntax::Plain);
                }
                let hits = urls.scan(Role::Download, &known);
                report_with(cx, &urls, hits, &info.targets, place, defined);
                let hits = files.scan(Role::Copy, &known);
                report_with(cx, &files, hits, &info.targets, place, defined);
            }
            _ => {}
        }
    }
}

/// The shell or exec form of RUN, CMD or ENTRYPOINT.
fn command_group(cx: &Ctx, ins: &Instruction, escape: char) -> Group {
    let mut g = Group::new();
    match &ins.args {
        Args::Shell(s) => {
            g.push(Text::raw(s.raw.clone(), s.span.start), Syntax::DockerfileShell { escape });
        }
        Args::Exec(items) => {
            for item in items {
                g.push(spanned_text(&cx.source().text, item), Syntax::Shell);
            }
        }
        _ => {}
    }
    g
}

/// A value with its source span as a [`Text`]: raw when the source (inside one pair of quotes)
/// is the value byte for byte.
fn spanned_text(source: &str, v: &Spanned<String>) -> Text {
    let written = source.get(v.span.start..v.span.end).unwrap_or_default();
    let inner = written
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| written.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')));
    let raw_start = if written == v.value {
        Some(v.span.start)
    } else if inner == Some(v.value.as_str()) {
        Some(v.span.start + 1)
    } else {
        None
    };
    Text { value: v.value.clone(), span: v.span, raw_start }
}

/// The targets of a stage: the platform it is pinned to (`FROM --platform=linux/arm64`) or
/// named for (`AS build-arm64`), else the file's effective targets (the platform its path
/// names, `Dockerfile.arm64` or `arm64/Dockerfile`; the platforms of an ARM-only final base
/// image; else the configured targets: [`crate::semantic::Semantic::effective_targets`]);
/// then only those its base image is published for.
fn stage_info(df: &Dockerfile, index: usize, stage: &Stage, cx: &Ctx) -> StageInfo {
    let semantic = cx.semantic();
    let pin = semantic.stage_pin(index);
    let builder = pin == Some(&StagePin::Builder);
    let pinned = match pin {
        Some(StagePin::Platform(p)) => Some(p.clone()),
        _ => None,
    };
    let named = stage.name.as_ref().and_then(|n| arch_scan::name_arch(&n.value));
    let mut targets = match pinned.or(named) {
        Some(p) => vec![p],
        None => semantic.effective_targets().to_vec(),
    };
    let mut skip = false;
    if let Some(base) = stage_base_platforms(cx, df, stage) {
        targets.retain(|t| best(t, &base) != Compat::Incompatible);
        skip = targets.is_empty();
    }
    StageInfo { skip, builder, targets }
}

fn best(host: &Platform, images: &[Platform]) -> Compat {
    crate::values::platform::best_compat(host, images)
}

/// The platforms the stage's base image is published for, when known (following
/// `FROM <earlier stage>` to the image).
fn stage_base_platforms(cx: &Ctx, df: &Dockerfile, stage: &Stage) -> Option<Vec<Platform>> {
    let mut cur = stage;
    for _ in 0..df.stages.len() {
        match cur.base_stage.and_then(|b| df.stages.get(b)) {
            Some(b) => cur = b,
            None => break,
        }
    }
    cx.semantic().published(cur.resolved_image.as_deref()?)
}

// -------------------------------------------------------------------------------------------
// Containers (Compose services and Kubernetes containers)

fn check_container(container: &ContainerView<'_>, cx: &mut Ctx) {
    let mut targets = cx.semantic().container_targets(container).to_vec();
    // Keep the targets the image is published for (when known); none left: nothing to check,
    // other rules report the image.
    if let Some(base) = container.image().and_then(|i| cx.semantic().published(&i.value)) {
        targets.retain(|t| best(t, &base) != Compat::Incompatible);
    }
    if targets.is_empty() {
        return;
    }
    let place = Place::Container(container.kind());
    let mut g = Group::new();
    let env: Vec<(&str, &Text)> = match container {
        ContainerView::Kubernetes { container: c, .. } => {
            for t in c.command.iter().chain(&c.args) {
                g.push(t.clone(), Syntax::Shell);
            }
            c.env.iter().filter_map(|e| Some((e.name.value.as_str(), e.value.as_ref()?))).collect()
        }
        ContainerView::Compose { service, .. } => {
            for cmd in [&service.entrypoint, &service.command].into_iter().flatten() {
                for t in cmd.texts() {
                    g.push(t.clone(), Syntax::Shell);
                }
            }
            service
                .environment
                .iter()
                .filter_map(|e| Some((e.name.value.as_str(), e.value.as_ref()?)))
                .collect()
        }
    };
    let known = Known {
        system_emulator: g.texts.iter().any(|(t, _)| system_emulator(&t.value)),
        ..Known::default()
    };
    report(cx, &g, g.scan(Role::Command, &known), &targets, place);
    env_group(cx, &env, &targets, place);
}

fn env_group(cx: &mut Ctx, env: &[(&str, &Text)], targets: &[Platform], place: Place) {
    let mut g = Group::new();
    for (_, v) in env {
        g.push((*v).clone(), Syntax::Plain);
    }
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.value.as_str())).collect();
    let hits = arch_scan::scan_env(&vars, &Known::default());
    report(cx, &g, hits, targets, place);
}

// -------------------------------------------------------------------------------------------
// Reporting

fn report(cx: &mut Ctx, g: &Group, hits: Vec<Hit>, targets: &[Platform], place: Place) {
    report_with(cx, g, hits, targets, place, &[]);
}

/// [`report`], with the ENV and ARG that set the architecture variables the hits expand
/// (labelled `set here`).
fn report_with(
    cx: &mut Ctx,
    g: &Group,
    hits: Vec<Hit>,
    targets: &[Platform],
    place: Place,
    defined: &[ArchVar],
) {
    for hit in hits {
        let Some((text, _)) = g.texts.get(hit.piece) else { continue };
        let source = &cx.source().text;
        let span = text.locate(source, hit.start, hit.end);
        // The other places of the same cause (the artifact unpacked, moved…): labels.
        let related: Vec<_> = hit
            .related
            .iter()
            .filter_map(|&(piece, start, end)| {
                g.texts.get(piece).map(|(other, _)| other.locate(source, start, end))
            })
            .collect();
        let definition = match &hit.hazard {
            Hazard::Artifact { via: Some(var), .. } => defined.iter().find(|d| d.name == *var),
            _ => None,
        };
        if let Some((severity, message, help)) = judge(&hit, targets, place) {
            let mut r = cx.report(span, message).severity(severity).help(help);
            if let Some(d) = definition {
                r = r.label(d.span, format!("`{}` set to {} here", d.name, d.platform));
            }
            for at in related {
                r = r.label(at, "same architecture again here");
            }
            let _ = r;
        }
    }
}

/// The platforms `arch` cannot serve natively.
fn unserved(targets: &[Platform], arch: &Platform) -> Vec<String> {
    targets.iter().filter(|t| compat(t, arch) != Compat::Native).map(ToString::to_string).collect()
}

/// An architecture other than `arch`, for "e.g. an arm64 CI runner".
fn other_machine(arch: &Platform) -> &'static str {
    if arch.arch == "amd64" || arch.arch == "386" {
        "an arm64 CI runner or an Apple-silicon Mac"
    } else {
        "an amd64 CI runner"
    }
}

/// Whether the level, wording and fix of a hit, or `None` when every target is served.
fn judge(hit: &Hit, targets: &[Platform], place: Place) -> Option<(Severity, String, String)> {
    let arch = hit.arch.as_ref();
    let arch_name = arch.map(ToString::to_string).unwrap_or_default();
    let token = &hit.text;
    // An environment variable's hit is its value.
    let goarch =
        if token.starts_with("GOARCH") { token.clone() } else { format!("GOARCH={token}") };
    // Builder stages: tools that run on the build machine, whatever the targets.
    if place == Place::Builder {
        let what = match &hit.hazard {
            Hazard::Artifact { artifact, .. } => Some(format!("artifact `{artifact}`")),
            Hazard::AptSource { .. } => Some(format!("apt source `[arch={token}]`")),
            Hazard::Executable { program } => Some(format!("program `{program}`")),
            Hazard::LibraryPath => Some(format!("path `{token}`")),
            Hazard::ForeignApt => Some(format!("multiarch package architecture `{token}`")),
            Hazard::Gate { subject } => Some(format!("gate on `{subject}` = `{token}`")),
            _ => None,
        };
        if let (Some(what), Some(a)) = (what, arch) {
            return Some((
                Severity::Info,
                format!(
                    "hard-coded {arch_name} {what} in a `--platform=$BUILDPLATFORM` stage, which \
                     runs on the build machine; it breaks when that is {}",
                    other_machine(a)
                ),
                "pick the build machine's file with `$BUILDARCH` (declare `ARG BUILDARCH` in the \
                 stage), mapped to the vendor's naming in a `case` with a failing default"
                    .to_string(),
            ));
        }
    }
    let blocked = match (&hit.hazard, arch) {
        // A target is served when one of the listed architectures runs natively on it.
        (Hazard::AptSource { arches }, _) => targets
            .iter()
            .filter(|t| arches.iter().all(|a| compat(t, a) != Compat::Native))
            .map(ToString::to_string)
            .collect(),
        (_, Some(a)) => unserved(targets, a),
        (_, None) => Vec::new(),
    };
    if arch.is_some() && blocked.is_empty() {
        return None;
    }
    let on = blocked.join(", ");
    let derive_help = match place {
        Place::Target | Place::Builder => {
            "declare `ARG TARGETARCH` and map it to the vendor's naming in a `case` with a failing \
             default: `case \"$TARGETARCH\" in amd64) a=x86_64 ;; arm64) a=aarch64 ;; *) exit 1 ;; esac`"
        }
        Place::Container(FileKind::Kubernetes) => {
            "pick the file at run time (`case \"$(uname -m)\" in x86_64) … ;; aarch64) … ;; *) exit 1 ;; esac`), \
             build it into a multi-arch image, or pin the pod with a `kubernetes.io/arch` nodeSelector"
        }
        Place::Container(_) => {
            "pick the file at run time (`case \"$(uname -m)\" in x86_64) … ;; aarch64) … ;; *) exit 1 ;; esac`), \
             build it into a multi-arch image, or set the service's `platform:`"
        }
    };
    let out = match &hit.hazard {
        Hazard::Artifact { artifact, via: None } => (
            Severity::Warning,
            format!("hard-coded {arch_name} artifact `{artifact}` cannot serve {on}"),
            derive_help.to_string(),
        ),
        Hazard::Artifact { artifact, via: Some(var) } => (
            Severity::Warning,
            format!(
                "hard-coded {arch_name} artifact `{artifact}`: `{var}` is set to a constant \
                 architecture, so it cannot serve {on}"
            ),
            format!("set `{var}` from the target instead: {derive_help}"),
        ),
        Hazard::AptSource { .. } => (
            Severity::Warning,
            format!(
                "apt source limited to `arch={token}`: on {on} apt skips it and its packages \
                 are not found"
            ),
            "list every target architecture (`[arch=amd64,arm64,armhf]`) or use \
             `[arch=$(dpkg --print-architecture)]`, and check the vendor publishes them"
                .to_string(),
        ),
        Hazard::Executable { program } => (
            Severity::Warning,
            format!("runs `{program}`, a {arch_name} binary, on every platform; {on} fail with `exec format error`"),
            derive_help.to_string(),
        ),
        Hazard::LibraryPath => (
            Severity::Warning,
            format!("`{token}` exists only on {arch_name}; {on} use another multiarch path"),
            "use a path that exists on every architecture: the build's multiarch triplet \
             (`/usr/lib/$(gcc -dumpmachine)`, `$(dpkg-architecture -qDEB_HOST_MULTIARCH)`), or \
             `/usr/lib/jvm/default-java` for a JDK; avoid a hard-coded `LD_LIBRARY_PATH`"
                .to_string(),
        ),
        Hazard::NativeCpu => (
            Severity::Error,
            format!(
                "`{token}` compiles for the build machine's CPU; devices with another CPU stop with \
                 `Illegal instruction`"
            ),
            "compile for a portable baseline (`-march=x86-64-v2` only in an amd64 branch, \
             `-mcpu=cortex-a72` only for a known fleet), or leave the flag out"
                .to_string(),
        ),
        Hazard::IsaFlag => (
            Severity::Error,
            format!("`{token}` is an x86-only instruction-set flag; compilers for {on} reject it"),
            "set ISA flags only in an amd64 branch (`case \"$TARGETARCH\" in amd64) CFLAGS=\"$CFLAGS …\" ;; esac`), \
             or rely on runtime CPU dispatch"
                .to_string(),
        ),
        Hazard::Goarch { cgo_native } => {
            let go_help = "build for the target: `GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v}` \
                           (declare `ARG TARGETOS TARGETARCH TARGETVARIANT`), with `CGO_ENABLED=0` or a \
                           cross toolchain (tonistiigi/xx `xx-go`)";
            if *cgo_native {
                (
                    Severity::Error,
                    format!(
                        "`{goarch}` with `CGO_ENABLED=1` and no cross C compiler (`CC=`): cgo fails or \
                         links for the wrong CPU unless the builder is {arch_name}, and {on} cannot run the binary"
                    ),
                    go_help.to_string(),
                )
            } else {
                (
                    Severity::Warning,
                    format!("`{goarch}` builds {arch_name} binaries for every platform; {on} get `exec format error`"),
                    go_help.to_string(),
                )
            }
        }
        Hazard::ForeignApt => (
            Severity::Warning,
            format!("multiarch apt installs `{token}` ({arch_name}) packages, which {on} cannot run"),
            "install the native package (no `:arch` suffix), or add the foreign architecture only \
             in a branch on `dpkg --print-architecture`"
                .to_string(),
        ),
        Hazard::Gate { subject } => (
            Severity::Error,
            format!("fails unless `{subject}` is `{token}`, so it stops on {on}"),
            "support every target architecture (branch on it and fetch or build the right \
             file), or take the platforms it cannot support out of the target list"
                .to_string(),
        ),
        Hazard::Emulator => (
            Severity::Warning,
            format!(
                "`{token}` runs {arch_name} code under emulation on {on}: many times slower, and qemu \
                 is missing from minimal device OSes"
            ),
            "cross-compile the program for each target, or publish a native image for the device"
                .to_string(),
        ),
    };
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).expect("platform")
    }

    fn hit(hazard: Hazard, arch: Option<&str>) -> Hit {
        Hit {
            piece: 0,
            start: 0,
            end: 5,
            text: "amd64".into(),
            hazard,
            arch: arch.map(p),
            related: Vec::new(),
        }
    }

    #[test]
    fn an_artifact_that_serves_every_target_is_fine() {
        let h = hit(
            Hazard::Artifact { artifact: "t-amd64.tgz".into(), via: None },
            Some("linux/amd64"),
        );
        assert!(judge(&h, &[p("linux/amd64")], Place::Target).is_none());
        let (sev, msg, _) =
            judge(&h, &[p("linux/amd64"), p("linux/arm64")], Place::Target).expect("finding");
        assert_eq!(sev, Severity::Warning);
        assert!(msg.ends_with("cannot serve linux/arm64"), "{msg}");
    }

    #[test]
    fn a_32_bit_arm_artifact_does_not_serve_arm64() {
        // arm64 runs 32-bit ARM only with optional support (Compat::Fallback): not served.
        let h = hit(
            Hazard::Artifact { artifact: "go.linux-armv6l.tar.gz".into(), via: None },
            Some("linux/arm/v6"),
        );
        let (_, msg, _) =
            judge(&h, &[p("linux/arm64"), p("linux/arm/v7")], Place::Target).expect("finding");
        assert!(msg.ends_with("cannot serve linux/arm64"), "{msg}");
    }

    #[test]
    fn builder_stages_report_info_whatever_the_targets() {
        let h = hit(
            Hazard::Artifact { artifact: "t-amd64.tgz".into(), via: None },
            Some("linux/amd64"),
        );
        let (sev, _, help) = judge(&h, &[p("linux/amd64")], Place::Builder).expect("finding");
        assert_eq!(sev, Severity::Info);
        assert!(help.contains("BUILDARCH"));
        // What the builder produces for the target keeps its level.
        let h = hit(Hazard::Goarch { cgo_native: false }, Some("linux/amd64"));
        let (sev, _, _) = judge(&h, &[p("linux/arm64")], Place::Builder).expect("finding");
        assert_eq!(sev, Severity::Warning);
    }

    #[test]
    fn native_cpu_is_an_error_on_any_target() {
        let h = hit(Hazard::NativeCpu, None);
        let (sev, _, _) = judge(&h, &[p("linux/amd64")], Place::Target).expect("finding");
        assert_eq!(sev, Severity::Error);
    }

    #[test]
    fn cgo_without_cross_compiler_is_an_error() {
        let h = hit(Hazard::Goarch { cgo_native: true }, Some("linux/amd64"));
        let (sev, _, _) = judge(&h, &[p("linux/arm64")], Place::Target).expect("finding");
        assert_eq!(sev, Severity::Error);
    }

    #[test]
    fn image_namespaces_and_db() {
        let settings = crate::settings::Settings::default();
        let (doc, _) = crate::parse(
            &crate::source::SourceFile::new("Dockerfile", "FROM a\n"),
            FileKind::Dockerfile,
        );
        let semantic = crate::semantic::Semantic::new(&doc, &settings);
        let image_platforms = |image: &str| semantic.published(image);
        assert_eq!(image_platforms("arm64v8/ubuntu:22.04"), Some(vec![p("linux/arm64")]));
        let win = image_platforms("mcr.microsoft.com/windows/servercore:ltsc2022").expect("known");
        assert!(win.iter().all(|w| w.os == "windows"));
        assert_eq!(image_platforms("ghcr.io/x/y:${TAG}"), None);
    }

    /// The one finding of the rule in a Dockerfile (through the engine): its text, and its
    /// labels as (line, text, message).
    fn one_finding(text: &str) -> (String, Vec<(usize, String, String)>) {
        let settings = crate::settings::Settings {
            select: vec!["arch-specific-command".into()],
            ..Default::default()
        };
        let source = crate::source::SourceFile::new("Dockerfile", text);
        let report = crate::lint_as(source, FileKind::Dockerfile, &settings);
        let [d] = report.diagnostics.as_slice() else { panic!("{:?}", report.diagnostics) };
        let at = |s: crate::source::Span| text[s.start..s.end].to_string();
        let labels = d
            .labels
            .iter()
            .map(|l| (report.source.position(l.span.start).line, at(l.span), l.message.clone()))
            .collect();
        (at(d.span), labels)
    }

    #[test]
    fn one_finding_per_cause_with_the_other_places_as_labels() {
        let (found, labels) = one_finding("FROM debian:bookworm-slim\nRUN curl -fsSLO https://x/t_linux_amd64.tgz \\\n && tar xf t_linux_amd64.tgz \\\n && rm t_linux_amd64.tgz\n");
        assert_eq!(found, "amd64");
        let again = "same architecture again here".to_string();
        assert_eq!(labels, [(3, found.clone(), again.clone()), (4, found, again)]);
    }

    #[test]
    fn a_constant_architecture_variable_is_labelled_where_it_is_set() {
        let (found, labels) = one_finding("FROM debian:bookworm-slim\nENV XC_ARCH=\"amd64\"\nRUN curl -O https://x/c_linux_${XC_ARCH}.zip\n");
        assert_eq!(found, "${XC_ARCH}");
        let set = "`XC_ARCH` set to linux/amd64 here".to_string();
        assert_eq!(labels, [(2, "XC_ARCH=\"amd64\"".to_string(), set)]);
    }
}
