//! `platform-pinned`: a build, service or workload pinned to one platform that leaves target
//! platforms out (`FROM --platform=linux/amd64`, Compose `platform:`, a `kubernetes.io/arch`
//! selector), and CPU emulators (qemu/binfmt images) run on the device.
//!
//! Which targets a stage, service or pod serves comes from [`crate::semantic::targets`]; this
//! file only compares that with the configured targets and words the findings.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::{ContainerRole, ContainerView, Pod};
use crate::model::kubernetes::Manifests;
use crate::rules::shared::arch_scan;
use crate::rules::{Ctx, Rule};
use crate::semantic::targets::{platform_selectors, stages_for_target};
use crate::semantic::StagePin;
use crate::source::Spanned;
use crate::syntax::dockerfile::Dockerfile;
use crate::values::image_ref::{has_variable, ImageRef};
use crate::values::platform::{compat, Compat, Platform};

declare_rule! {
    /// See `rules/platform-pinned.md`.
    PlatformPinned {
        name: "platform-pinned",
        summary: "a build, service or workload pinned to a platform that leaves target platforms out, or a CPU emulator run on the device",
        severity: Error,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: ["hadolint:DL3029", "buildkit:FromPlatformFlagConstDisallowed"],
    }
}

impl Rule for PlatformPinned {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        check_dockerfile(file, cx);
    }

    fn service(&self, _file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        check_service(service, cx);
    }

    fn pod_template(&self, _stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        check_pod(pod, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        check_emulator(container, cx);
    }
}

fn list(platforms: &[Platform]) -> String {
    platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// The targets `pinned` serves only through the 32-bit ARM fallback of an arm64 host, and the
/// targets it does not serve at all.
fn split_unserved(targets: &[Platform], pinned: &Platform) -> (Vec<Platform>, Vec<Platform>) {
    let mut fallback = Vec::new();
    let mut excluded = Vec::new();
    for t in targets {
        match compat(t, pinned) {
            Compat::Native => {}
            Compat::Fallback => fallback.push(t.clone()),
            Compat::Incompatible => excluded.push(t.clone()),
        }
    }
    (fallback, excluded)
}

/// A literal `--platform` that names only an operating system (`--platform=linux`).
fn os_only(platform: Option<&Spanned<String>>) -> Option<&Spanned<String>> {
    let p = platform?;
    let value = p.value.trim();
    let names_os =
        ["linux", "windows", "darwin", "freebsd"].iter().any(|os| value.eq_ignore_ascii_case(os));
    names_os.then_some(p)
}

/// WebAssembly (`wasi/wasm`, `wasip1/wasm`): run by a Wasm runtime on any CPU, so a pin to it
/// leaves no CPU architecture out.
fn is_wasm(platform: &Platform) -> bool {
    platform.arch == "wasm"
}

// -------------------------------------------------------------------------------------------
// Dockerfile

/// `FROM --platform=<platform>` (a literal, or a global ARG default) on a stage. A stage the
/// image of some target is built from: error for a literal, warning through an ARG default
/// (a `--build-arg` can change it). Per-architecture stages picked with `FROM x_${TARGETARCH}`
/// are followed per target, so they only count for the targets that pick them. A stage that
/// does not reach the final image (a builder, a stage used through `COPY --from`): info,
/// unless its name or the file name says which architecture it is for.
fn check_dockerfile(df: &Dockerfile, cx: &mut Ctx) {
    let targets = cx.semantic().targets().to_vec();
    // Stage → the targets whose image is built from it.
    let mut reaching: Vec<Vec<Platform>> = vec![Vec::new(); df.stages.len()];
    for t in &targets {
        for r in stages_for_target(df, t) {
            if let Some(list) = reaching.get_mut(r.stage) {
                list.push(t.clone());
            }
        }
    }
    let file_arch = crate::semantic::targets::path_platform(&cx.source().path);
    for (index, stage) in df.stages.iter().enumerate() {
        if let Some(written) = os_only(stage.platform.as_ref()) {
            let os = written.value.trim().to_ascii_lowercase();
            if stage.name.as_ref().is_some_and(|n| n.value.to_ascii_lowercase().contains(&os)) {
                continue;
            }
            let reached = reaching.get(index).is_some_and(|r| !r.is_empty());
            let mut report = cx
                .report(
                    written.span,
                    format!(
                        "`--platform={}` names no architecture: BuildKit uses the build \
                         machine's, so the stage is built for that machine whatever the target",
                        written.value
                    ),
                )
                .help(
                    "drop `--platform`, or use `--platform=$BUILDPLATFORM` in a stage that \
                     cross-compiles",
                );
            if !reached {
                report = report.severity(Severity::Info);
            }
            let _ = report;
            continue;
        }
        let Some(StagePin::Platform(pinned)) = cx.semantic().stage_pin(index) else { continue };
        if is_wasm(pinned) {
            continue;
        }
        let Some(written) = &stage.platform else { continue };
        // A `Dockerfile.arm64` (or `arm64/Dockerfile`) pinned to arm64 is built for that
        // platform only.
        if file_arch.as_ref().is_some_and(|a| compat(a, pinned) == Compat::Native) {
            continue;
        }
        let literal = !written.value.contains('$');
        let shown = if literal {
            format!("`--platform={}`", written.value)
        } else {
            format!("`--platform={}` (= `{pinned}`)", written.value)
        };
        let stage_name = stage
            .name
            .as_ref()
            .map_or_else(|| format!("stage {index}"), |n| format!("stage `{}`", n.value));
        let reached = reaching.get(index).map_or(&[][..], Vec::as_slice);
        // A stage named for its platform (`AS build_amd64`, `AS fetch-arm64`) is a deliberate
        // per-architecture stage, as BuildKit's check also reads it.
        let named_for_it = stage.name.as_ref().is_some_and(|n| {
            let name = n.value.to_ascii_lowercase();
            name.contains(&pinned.os)
                || name.contains(&pinned.arch)
                || arch_scan::name_arch(&name).is_some_and(|a| compat(&a, pinned) == Compat::Native)
        });
        if named_for_it {
            continue;
        }
        if reached.is_empty() {
            let (fallback, excluded) = split_unserved(&targets, pinned);
            if fallback.is_empty() && excluded.is_empty() {
                continue;
            }
            cx.report(
                written.span,
                format!(
                    "{shown} pins {stage_name} to {pinned}: on a build machine of another \
                     architecture it runs under emulation (slow, and it fails where qemu is not \
                     installed), and what it compiles natively is for {pinned}"
                ),
            )
            .severity(Severity::Info)
            .help(
                "use `--platform=$BUILDPLATFORM` and cross-compile for `$TARGETOS/$TARGETARCH`; \
                 keep the pin only for a toolchain that exists for one platform",
            );
            continue;
        }
        let (fallback, excluded) = split_unserved(reached, pinned);
        let help = format!(
            "drop `--platform` and build for the targets with `docker buildx build --platform \
             {}`; keep `--platform=$BUILDPLATFORM` for stages that cross-compile",
            targets.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
        );
        if !excluded.is_empty() {
            let severity = if literal { Severity::Error } else { Severity::Warning };
            cx.report(
                written.span,
                format!(
                    "{shown} pins {stage_name} to {pinned}: the image built for {} is a {pinned} \
                     image and fails with `exec format error` there",
                    list(&excluded)
                ),
            )
            .severity(severity)
            .help(help);
        } else if !fallback.is_empty() {
            cx.report(
                written.span,
                format!(
                    "{shown} pins {stage_name} to {pinned}: {} hosts get a 32-bit image, which \
                     needs AArch32 support in the CPU and kernel",
                    list(&fallback)
                ),
            )
            .severity(Severity::Warning)
            .help(help);
        }
    }
}

// -------------------------------------------------------------------------------------------
// Compose

/// A literal `platform:` that some target cannot run: Compose pulls (or builds) that platform
/// on every host.
fn check_service(service: &Service, cx: &mut Ctx) {
    let Some(platform) = &service.platform else { return };
    if has_variable(&platform.value) {
        return;
    }
    let Ok(pinned) = Platform::parse(&platform.value) else { return };
    if is_wasm(&pinned) {
        return;
    }
    let targets = cx.semantic().targets().to_vec();
    let (fallback, excluded) = split_unserved(&targets, &pinned);
    let what = if service.build.is_some() {
        format!(
            "`platform: {}` makes Compose build service `{}` for {pinned} only",
            platform.value, service.name.value
        )
    } else {
        format!(
            "`platform: {}` makes every host pull the {pinned} image of service `{}`",
            platform.value, service.name.value
        )
    };
    let help = "remove `platform:` so each device pulls its own platform, or set it to the \
                device's platform in a per-device override file";
    if !excluded.is_empty() {
        cx.report(platform.span, format!("{what}: it does not run on target {}", list(&excluded)))
            .help(help);
    } else if !fallback.is_empty() {
        cx.report(
            platform.span,
            format!(
                "{what}: {} hosts run it only with AArch32 support in the CPU and kernel",
                list(&fallback)
            ),
        )
        .severity(Severity::Warning)
        .help(help);
    }
}

// -------------------------------------------------------------------------------------------
// Kubernetes

/// A node selection that leaves targets out: error when the pod lands on no target, warning
/// when it lands on some (a workload deliberately kept to one architecture of a mixed fleet).
fn check_pod(pod: &Pod<'_>, cx: &mut Ctx) {
    let targets = cx.semantic().targets().to_vec();
    if targets.is_empty() {
        return;
    }
    let allowed = cx.semantic().pod_targets(pod).to_vec();
    let excluded: Vec<Platform> =
        targets.iter().filter(|t| !allowed.contains(t)).cloned().collect();
    if excluded.is_empty() {
        return;
    }
    let selectors = platform_selectors(pod.template);
    let Some(&span) = selectors.arch.first().or(selectors.os.first()) else { return };
    let text = &cx.source().text;
    let shown = text.get(span.start..span.end).unwrap_or_default();
    let shown: String = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    let kind = &pod.object.kind.value;
    if allowed.is_empty() {
        cx.report(
            span,
            format!(
                "node selection `{shown}` matches no target platform ({}): the {kind}'s pods \
                 never run on the fleet",
                list(&targets)
            ),
        )
        .help(
            "select the nodes' architecture with a `kubernetes.io/arch` value the kubelet sets \
             (`amd64`, `arm64`, `arm`), or remove the selector",
        );
    } else {
        cx.report(
            span,
            format!(
                "node selection `{shown}` keeps the {kind} off target {} (it runs only on {})",
                list(&excluded),
                list(&allowed)
            ),
        )
        .severity(Severity::Warning)
        .help(
            "if the workload must run on every device, drop the selector and use a multi-arch \
             image; if the pin is deliberate, suppress this finding with a reason",
        );
    }
}

// -------------------------------------------------------------------------------------------
// Emulators

/// Images that install or run CPU emulators (qemu-user via binfmt_misc).
const EMULATOR_IMAGES: &[&str] = &[
    "docker.io/multiarch/qemu-user-static",
    "docker.io/tonistiigi/binfmt",
    "docker.io/docker/binfmt",
    "docker.io/linuxkit/binfmt",
];

fn check_emulator(container: &ContainerView<'_>, cx: &mut Ctx) {
    if container.role() == ContainerRole::Ephemeral {
        return;
    }
    let Some(image) = container.image() else { return };
    if has_variable(&image.value) {
        return;
    }
    let Ok(parsed) = ImageRef::parse(&image.value) else { return };
    if !EMULATOR_IMAGES.contains(&parsed.name().as_str()) {
        return;
    }
    cx.report(
        image.span,
        format!(
            "`{}` registers qemu CPU emulators on the device: emulated containers run many times \
             slower and need binfmt_misc, which minimal edge OSes lack",
            image.value
        ),
    )
    .severity(Severity::Warning)
    .help("use multi-arch images (or cross-compile with `--platform=$BUILDPLATFORM`) so every device runs native code");
}
