//! `single-arch-image`: an image that is not published for every target platform.
//!
//! One decision ([`verdict`]) for an image reference and a set of targets, shared by the three
//! formats; each format only says which references are pulled and for which targets
//! ([`crate::semantic::targets`]).

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::{ContainerRole, ContainerView};
use crate::rules::{Ctx, Rule};
use crate::semantic::published::{platforms_unknown, published};
use crate::semantic::targets::{stage_platform, stages_for_target, StagePlatform};
use crate::settings::Settings;
use crate::source::Span;
use crate::syntax::dockerfile::{Args, Dockerfile};
use crate::values::image_ref::{has_variable, ImageRef};
use crate::values::platform::{best_compat, compat, Compat, Platform};

declare_rule! {
    /// An image without a build for every target platform.
    SingleArchImage {
        name: "single-arch-image",
        summary: "image not published for every target platform: an x86-only image on ARM",
        severity: Error,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
        options: [
            boolean(
                "report-unknown",
                true,
                "report, once per run at info level, an image whose platforms no source knows"
            ),
        ],
    }
}

impl Rule for SingleArchImage {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        check_dockerfile(file, cx.semantic().targets(), cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        // Ephemeral containers are for debugging. With `build:`, a Compose `image:` names what
        // the build produces; the Dockerfile is linted on its own.
        if container.role() == ContainerRole::Ephemeral
            || container.service().is_some_and(|s| s.build.is_some())
        {
            return;
        }
        let targets = cx.semantic().container_targets(container);
        // A pod that lands on no target: `platform-pinned` reports it.
        if targets.is_empty() {
            return;
        }
        let Some(image) = container.image() else { return };
        check_image(cx, &image.value, None, image.span, targets);
    }
}

/// Every `FROM` of a stage that reaches the final image (not builder stages, not stages used
/// only through `COPY --from`), and every `COPY --from=<image>` in such a stage. The chain is
/// followed per target, so a per-architecture stage (`FROM build_${TARGETARCH}`) is checked
/// against its own target only.
fn check_dockerfile(df: &Dockerfile, targets: &[Platform], cx: &mut Ctx) {
    // (stage, resolved FROM) → the targets that pull it; stage → the targets that build it.
    let mut pulls: Vec<((usize, String), Vec<Platform>)> = Vec::new();
    let mut built: Vec<(usize, Vec<Platform>)> = Vec::new();
    for target in targets {
        let target = target.normalize();
        for reached in stages_for_target(df, &target) {
            push_target(&mut built, reached.stage, &target);
            if reached.from_stage {
                continue;
            }
            if let Some(image) = reached.resolved_image {
                push_target(&mut pulls, (reached.stage, image), &target);
            }
        }
    }
    for ((index, resolved), reaching) in pulls {
        let Some(stage) = df.stages.get(index) else { continue };
        let StagePlatform::Targets(stage_targets) = stage_platform(df, index, &reaching) else {
            continue;
        };
        if resolved.eq_ignore_ascii_case("scratch") {
            continue;
        }
        check_image(cx, &stage.image.value, Some(&resolved), stage.image.span, &stage_targets);
    }
    // BuildKit pulls a `COPY --from=<image>` for the target platform, whatever the stage's own
    // `--platform`; a builder stage's output is the builder's business.
    for (index, reaching) in built {
        let Some(stage) = df.stages.get(index) else { continue };
        if stage_platform(df, index, &reaching) == StagePlatform::Builder {
            continue;
        }
        for ins_index in stage.instructions.clone() {
            let Some(ins) = df.instructions.get(ins_index) else { continue };
            if !matches!(ins.args, Args::Copy { .. }) || df.copy_from_stage(ins_index).is_some() {
                continue;
            }
            let Some(from) = ins.flag("from").and_then(|f| f.value.as_ref()) else { continue };
            // `--from=7` with no such stage, or the stage itself: not an image.
            if from.value.parse::<usize>().is_ok() || df.stage_by_name(&from.value).is_some() {
                continue;
            }
            check_image(cx, &from.value, None, from.span, &reaching);
        }
    }
}

/// Adds `target` to the list kept for `key`, in first-seen order.
fn push_target<K: PartialEq>(map: &mut Vec<(K, Vec<Platform>)>, key: K, target: &Platform) {
    match map.iter_mut().find(|(k, _)| *k == key) {
        Some((_, list)) => {
            if !list.contains(target) {
                list.push(target.clone());
            }
        }
        None => map.push((key, vec![target.clone()])),
    }
}

/// What the knowledge base says about an image on a set of targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every target runs one of its builds natively.
    Covered,
    /// Some targets run none of its builds.
    Missing { published: Vec<Platform>, via: Option<&'static str>, missing: Vec<Platform> },
    /// Every target runs a build, but some only as the 32-bit ARM fallback of an arm64 host:
    /// (target, the build it would run).
    Fallback {
        published: Vec<Platform>,
        via: Option<&'static str>,
        fallback: Vec<(Platform, Platform)>,
    },
}

/// The verdict for `reference` on `targets`, or `None` when it cannot be checked: variables,
/// an invalid reference, a digest without a tag, or an image or tag the knowledge base does not
/// know, nor its version line. `via` is the tag of the line that answered, if one did.
pub fn verdict(settings: &Settings, reference: &str, targets: &[Platform]) -> Option<Verdict> {
    if has_variable(reference) {
        return None;
    }
    let image = ImageRef::parse(reference).ok()?;
    let found = published(settings, &image)?;
    let (published, via) = (found.platforms, found.via);
    let mut missing = Vec::new();
    let mut fallback = Vec::new();
    for target in targets {
        match best_compat(target, &published) {
            Compat::Native => {}
            Compat::Fallback => {
                let used = published
                    .iter()
                    .filter(|p| compat(target, p) == Compat::Fallback)
                    .max_by_key(|p| p.variant.clone())
                    .cloned();
                if let Some(used) = used {
                    fallback.push((target.clone(), used));
                }
            }
            Compat::Incompatible => missing.push(target.clone()),
        }
    }
    Some(if !missing.is_empty() {
        Verdict::Missing { published, via, missing }
    } else if !fallback.is_empty() {
        Verdict::Fallback { published, via, fallback }
    } else {
        Verdict::Covered
    })
}

/// Check one image reference: `written` as in the file, `resolved` when ARG defaults were
/// substituted into it.
fn check_image(
    cx: &mut Ctx,
    written: &str,
    resolved: Option<&str>,
    span: Span,
    targets: &[Platform],
) {
    let reference = resolved.unwrap_or(written);
    let Some(verdict) = verdict(cx.settings(), reference, targets) else {
        if platforms_unknown(cx.settings(), reference) {
            cx.note_unknown_platforms(reference);
            if cx.option_bool("report-unknown") {
                report_unknown(cx, written, reference, span);
            }
        }
        return;
    };
    let shown = match resolved {
        Some(r) if r != written => format!("`{written}` (= `{r}`)"),
        _ => format!("`{written}`"),
    };
    match verdict {
        Verdict::Covered => {}
        Verdict::Missing { published, via, missing } => {
            let message = format!(
                "{shown} is published for {}{}; not for {}",
                list(&published),
                as_line(reference, via),
                list(&missing)
            );
            let help = help(reference, &published, &missing, targets);
            cx.report(span, message).help(help);
        }
        Verdict::Fallback { published, via, fallback } => {
            let runs: Vec<String> = fallback
                .iter()
                .map(|(target, used)| format!("{target} hosts would run its 32-bit {used} build"))
                .collect();
            let message = format!(
                "{shown} is published for {}{}; {}",
                list(&published),
                as_line(reference, via),
                runs.join(", ")
            );
            cx.report(span, message).severity(Severity::Warning).help(
                "that needs a CPU and kernel with 32-bit (AArch32) support, which many arm64 \
                     boards and 64-bit-only kernels lack; pick a tag with a linux/arm64 build",
            );
        }
    }
}

/// The blind spot, said once per run: an image that neither `edgelint.lock`, the configuration's
/// `images:` nor the built-in table knows, so nothing checks its platforms.
fn report_unknown(cx: &mut Ctx, written: &str, reference: &str, span: Span) {
    let shown = if reference == written {
        format!("`{written}`")
    } else {
        format!("`{written}` (= `{reference}`)")
    };
    cx.report(span, format!("platforms unknown for {shown}: run `edgelint images lock`"))
        .severity(Severity::Info)
        .once_per_run(reference)
        .help(
            "no source knows which platforms this image is published for, so it is not checked; \
             `edgelint images lock` asks its registry once and records them in `edgelint.lock` \
             (commit it; lint runs stay offline), or list them under `images:` in the \
             configuration; reported once per run, at the first use; turn off with \
             `rules: {single-arch-image: {report-unknown: false}}`",
        );
}

/// ` (as `mysql:5.7`)` when the version line `via` answered for the tag of `reference`; empty
/// when the tag itself did.
fn as_line(reference: &str, via: Option<&str>) -> String {
    let Some(line) = via else { return String::new() };
    let name =
        ImageRef::parse(reference).map_or_else(|_| reference.to_string(), |r| r.familiar_name());
    format!(" (as `{name}:{line}`)")
}

fn list(platforms: &[Platform]) -> String {
    platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// The fix: known alternatives for the well-known gaps, else a multi-arch tag or a buildx build.
fn help(
    reference: &str,
    published: &[Platform],
    missing: &[Platform],
    targets: &[Platform],
) -> String {
    if published.iter().all(|p| p.os == "windows") && missing.iter().any(|p| p.os != "windows") {
        return "Windows images run only on Windows hosts; use a Linux image".to_string();
    }
    let arm32_missing = missing.iter().any(|p| p.arch == "arm");
    let official =
        ImageRef::parse(reference).ok().and_then(|r| r.official_name().map(str::to_string));
    let specific = match official.as_deref() {
        Some(name @ ("mysql" | "mariadb")) if arm32_missing => Some(format!(
            "{name} publishes no 32-bit ARM build: run a 64-bit OS on the device (linux/arm64 \
             is published) or use a community arm32 build"
        )),
        Some("mongo") if arm32_missing => Some(
            "mongo publishes no 32-bit ARM build, and its arm64 builds need ARMv8.2-A (a \
             Raspberry Pi 4 gets `Illegal instruction`): on a Pi stay on `mongo:4.4.18` with a \
             64-bit OS, or run another database"
                .to_string(),
        ),
        Some("node") if arm32_missing => Some(
            "Node.js 24 and later publish no 32-bit ARM build; for linux/arm/v7 use a Node.js 22 \
             bookworm or alpine tag such as `node:22-bookworm-slim`"
                .to_string(),
        ),
        _ => None,
    };
    let platforms = targets.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let generic = format!(
        "pick an image or tag published for every target, or build your own with `docker buildx \
         build --platform {platforms} --push`"
    );
    match specific {
        Some(s) => format!("{s}; otherwise {generic}"),
        None => generic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::default_platforms;

    fn p(s: &str) -> Platform {
        Platform::parse(s).expect("platform")
    }

    fn ps(list: &[&str]) -> Vec<Platform> {
        list.iter().map(|s| p(s)).collect()
    }

    fn missing(reference: &str, targets: &[&str]) -> Vec<String> {
        match verdict(&Settings::default(), reference, &ps(targets)) {
            Some(Verdict::Missing { missing, .. }) => {
                missing.iter().map(ToString::to_string).collect()
            }
            other => panic!("{reference}: expected missing targets, got {other:?}"),
        }
    }

    #[test]
    fn missing_targets_are_listed() {
        assert_eq!(missing("mysql:8.4", &["linux/arm/v7"]), ["linux/arm/v7"]);
        assert_eq!(
            missing("centos:6", &["linux/amd64", "linux/arm64", "linux/arm/v7"]),
            ["linux/arm64", "linux/arm/v7"]
        );
        assert_eq!(missing("node:24-slim", &["linux/arm64", "linux/arm/v7"]), ["linux/arm/v7"]);
        // The normalised name is what is looked up.
        assert_eq!(missing("docker.io/library/mysql:8.4", &["linux/arm/v7"]), ["linux/arm/v7"]);
        assert_eq!(
            missing("index.docker.io/library/mysql:8.4", &["linux/arm/v7"]),
            ["linux/arm/v7"]
        );
        // No tag is `latest`.
        assert_eq!(missing("mysql", &["linux/arm/v7"]), ["linux/arm/v7"]);
    }

    #[test]
    fn covered_targets() {
        let t = default_platforms();
        assert_eq!(
            verdict(&Settings::default(), "mysql:8.4", &ps(&["linux/amd64", "linux/arm64"])),
            Some(Verdict::Covered)
        );
        // arm32v6 satisfies an arm/v7 target (containerd's vector).
        assert_eq!(
            verdict(&Settings::default(), "eclipse-mosquitto:2", &t),
            Some(Verdict::Covered)
        );
        assert_eq!(verdict(&Settings::default(), "alpine:3.22", &t), Some(Verdict::Covered));
        assert_eq!(
            verdict(&Settings::default(), "node:22-bookworm-slim", &t),
            Some(Verdict::Covered)
        );
        // amd64 hosts run 386 images.
        assert_eq!(
            verdict(&Settings::default(), "centos:6", &ps(&["linux/amd64"])),
            Some(Verdict::Covered)
        );
    }

    #[test]
    fn arm64_through_the_32_bit_fallback_is_its_own_verdict() {
        let v = verdict(
            &Settings::default(),
            "nim:2.2.6",
            &ps(&["linux/amd64", "linux/arm64", "linux/arm/v7"]),
        );
        let Some(Verdict::Fallback { fallback, .. }) = v else { panic!("{v:?}") };
        assert_eq!(fallback, [(p("linux/arm64"), p("linux/arm/v7"))]);
        // A missing target wins over a fallback.
        let v = verdict(&Settings::default(), "nim:2.2.6", &ps(&["linux/arm64", "linux/riscv64"]));
        assert!(matches!(v, Some(Verdict::Missing { .. })), "{v:?}");
    }

    #[test]
    fn unchecked_references() {
        let t = default_platforms();
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        // Digest only: the digest decides, the knowledge base cannot say.
        assert_eq!(verdict(&Settings::default(), &format!("mysql@{digest}"), &t), None);
        // Tag and digest: the tag is looked up.
        assert!(matches!(
            verdict(&Settings::default(), &format!("mysql:8.4@{digest}"), &t),
            Some(Verdict::Missing { .. })
        ));
        assert_eq!(verdict(&Settings::default(), "mysql:${TAG}", &t), None);
        assert_eq!(verdict(&Settings::default(), "{{ .Values.image }}", &t), None);
        assert_eq!(verdict(&Settings::default(), "example.com/team/app:1.0", &t), None);
        // A tag of a known image that no table knows, nor any line of it.
        assert_eq!(verdict(&Settings::default(), "python:2.7.18", &t), None);
        assert_eq!(verdict(&Settings::default(), "Not A Reference", &t), None);
    }

    #[test]
    fn a_missing_tag_is_checked_against_its_version_line() {
        let t = default_platforms();
        // mysql:8.0.1: neither `8.0.1` nor `8.0` is listed; `8` (linux/amd64, linux/arm64) is.
        let v = verdict(&Settings::default(), "mysql:8.0.1", &t);
        let Some(Verdict::Missing { via, missing, .. }) = v else { panic!("{v:?}") };
        assert_eq!((via, missing), (Some("8"), ps(&["linux/arm/v7"])));
        // The tag itself: no `via`.
        let v = verdict(&Settings::default(), "mysql:8.4", &t);
        assert!(matches!(v, Some(Verdict::Missing { via: None, .. })), "{v:?}");
        assert_eq!(as_line("mysql:8.0.1", Some("8")), " (as `mysql:8`)");
        let digest = format!("docker.io/library/mysql:8.0.1@sha256:{}", "a".repeat(64));
        assert_eq!(as_line(&digest, Some("8")), " (as `mysql:8`)");
        assert_eq!(
            as_line("registry.example.com/a/b:1.2.3", Some("1.2")),
            " (as `registry.example.com/a/b:1.2`)"
        );
        assert_eq!(as_line("mysql:8.4", None), "");
    }

    #[test]
    fn windows_images_do_not_run_on_linux() {
        let v = verdict(&Settings::default(), "golang:nanoserver", &ps(&["linux/amd64"]));
        assert!(matches!(v, Some(Verdict::Missing { .. })), "{v:?}");
        assert_eq!(
            verdict(&Settings::default(), "golang:nanoserver", &ps(&["windows/amd64"])),
            Some(Verdict::Covered)
        );
        let help = help("golang:nanoserver", &ps(&["windows/amd64"]), &ps(&["linux/amd64"]), &[]);
        assert!(help.starts_with("Windows images run only on Windows hosts"), "{help}");
    }

    #[test]
    fn known_gaps_get_specific_help() {
        let t = default_platforms();
        let arm = ps(&["linux/arm/v7"]);
        let pub_ = ps(&["linux/amd64", "linux/arm64"]);
        assert!(help("mariadb:11", &pub_, &arm, &t).starts_with("mariadb publishes no 32-bit ARM"));
        assert!(help("mongo:8.0", &pub_, &arm, &t).contains("mongo:4.4.18"));
        assert!(help("node:24-slim", &pub_, &arm, &t).contains("node:22-bookworm-slim"));
        // Not for other missing targets, nor for non-official namesakes.
        let riscv = ps(&["linux/riscv64"]);
        assert!(help("mysql:8.4", &pub_, &riscv, &t).starts_with("pick an image"));
        assert!(help("bitnami/mysql:8.4", &pub_, &arm, &t).starts_with("pick an image"));
        assert!(help("mysql:8.4", &pub_, &riscv, &t).ends_with(
            "`docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 --push`"
        ));
    }
}
