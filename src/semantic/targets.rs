//! Which target platforms an object must run on: the configured targets
//! ([`crate::settings::Settings::platforms`]), narrowed per object as the rule catalogue's
//! "Target platforms" convention says: a Kubernetes pod template by its `kubernetes.io/arch`
//! node selection, a Compose service by `platform:`, a Dockerfile stage by `FROM --platform`.
//!
//! Narrowing only ever removes targets, and only on evidence: a value the file does not
//! determine (a variable, a template, an unparseable platform) keeps the targets.

use crate::model::compose::Service;
use crate::model::kubernetes::{NodeSelectorRequirement, NodeSelectorTerm, PodTemplate};
use crate::source::{Span, Spanned};
use crate::syntax::dockerfile::{Dockerfile, PLATFORM_ARGS};
use crate::values::image_ref::has_variable;
use crate::values::interpolate::substitute;
use crate::values::platform::{name_arch, Platform};

/// The `kubernetes.io/arch` node labels (the beta one is deprecated but still set).
const ARCH_LABELS: [&str; 2] = ["kubernetes.io/arch", "beta.kubernetes.io/arch"];
/// The `kubernetes.io/os` node labels (`linux`, `windows`).
const OS_LABELS: [&str; 2] = ["kubernetes.io/os", "beta.kubernetes.io/os"];

/// Whether a node with `kubernetes.io/arch: <label>` is a `target` host. Labels carry no
/// variant, so `arm` matches `linux/arm/v7` and `linux/arm/v6` targets alike. A value that is not
/// a Go GOARCH (`x86_64`, `aarch64`) is on no node and matches nothing.
fn k8s_arch_matches(label: &str, target: &Platform) -> bool {
    Platform::from_k8s_arch(label).is_some_and(|p| p.os == target.os && p.arch == target.arch)
}

/// The targets a pod template can be scheduled on: `targets` filtered by the `nodeSelector`
/// arch and OS labels (all must hold) and the required node affinity (see
/// [`affinity_allows`]). An empty result means the pod lands on no target at all
/// (`platform-pinned` reports that). A templated value (`{{ .Values.arch }}`) narrows nothing.
pub fn pod_targets(targets: &[Platform], pod: &PodTemplate) -> Vec<Platform> {
    let selected = |labels: &[&str; 2]| -> Vec<&Spanned<String>> {
        pod.node_selector
            .iter()
            .filter(|(k, _)| labels.contains(&k.value.as_str()))
            .map(|(_, v)| v)
            .collect()
    };
    let selectors = selected(&ARCH_LABELS);
    let os_selectors = selected(&OS_LABELS);
    targets
        .iter()
        .map(Platform::normalize)
        .filter(|t| {
            selectors.iter().all(|v| has_variable(&v.value) || k8s_arch_matches(&v.value, t))
        })
        .filter(|t| os_selectors.iter().all(|v| has_variable(&v.value) || v.value == t.os))
        .filter(|t| affinity_allows(&pod.required_node_affinity, t))
        .collect()
}

/// Where a pod template selects nodes by platform: its `nodeSelector` entries on the arch
/// labels (`kubernetes.io/arch`, `beta.kubernetes.io/arch`) and the required node affinity
/// expressions on them (`arch`), and its `nodeSelector` entries on the OS labels (`os`). Spans
/// of the `key: value` entries and of the expressions, in source order. `arch` empty means the
/// template does not choose its nodes' architecture at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformSelectors {
    pub arch: Vec<Span>,
    pub os: Vec<Span>,
}

/// The platform selectors of `pod` (see [`PlatformSelectors`]).
pub fn platform_selectors(pod: &PodTemplate) -> PlatformSelectors {
    let entries = |labels: &[&str; 2]| -> Vec<Span> {
        pod.node_selector
            .iter()
            .filter(|(k, _)| labels.contains(&k.value.as_str()))
            .map(|(k, v)| Span::new(k.span.start, v.span.end.max(k.span.end)))
            .collect()
    };
    let mut arch = entries(&ARCH_LABELS);
    arch.extend(
        pod.required_node_affinity
            .iter()
            .flat_map(|t| &t.expressions)
            .filter(|e| e.key.as_ref().is_some_and(|k| ARCH_LABELS.contains(&k.value.as_str())))
            .map(|e| e.span),
    );
    arch.sort_by_key(|s| s.start);
    PlatformSelectors { arch, os: entries(&OS_LABELS) }
}

/// Whether a `target` node can meet the required node affinity: there is no term, or one term
/// (terms are ORed) all of whose expressions (ANDed) hold on such a node.
///
/// Only expressions on the arch labels with `In` and `NotIn` are judged; any other key, any
/// other operator (`Exists`, `Gt`…) and a templated value are taken to hold, since narrowing
/// needs evidence.
pub fn affinity_allows(terms: &[NodeSelectorTerm], target: &Platform) -> bool {
    terms.is_empty()
        || terms.iter().any(|term| term.expressions.iter().all(|e| expression_holds(e, target)))
}

fn expression_holds(e: &NodeSelectorRequirement, target: &Platform) -> bool {
    let Some(key) = &e.key else { return true };
    if !ARCH_LABELS.contains(&key.value.as_str()) || e.values.iter().any(|v| has_variable(&v.value))
    {
        return true;
    }
    let any_matches = || e.values.iter().any(|v| k8s_arch_matches(&v.value, target));
    match e.operator.as_ref().map(|o| o.value.as_str()) {
        Some("In") => any_matches(),
        Some("NotIn") => !any_matches(),
        _ => true,
    }
}

/// The targets a Compose service is pulled for: only its `platform:` when it sets a literal
/// one (that is what Compose pulls, whatever the host), else all of them.
pub fn service_targets(targets: &[Platform], service: &Service) -> Vec<Platform> {
    match service.platform.as_ref().map(|p| p.value.as_str()) {
        Some(p) if !has_variable(p) => match Platform::parse(p) {
            Ok(platform) => vec![platform],
            Err(_) => normalized(targets),
        },
        _ => normalized(targets),
    }
}

/// The platform a Dockerfile's path says it is built for: the architecture its file name
/// names (`Dockerfile.arm64`, `Dockerfile.aarch64`, `Dockerfile-armhf`, `arm64.Dockerfile`),
/// else the one the directory it sits in names (`…/arm64/Dockerfile`,
/// `docker/linux-aarch64/Dockerfile`). A name counts only through a known architecture name
/// ([`name_arch`]: `amd64`, `x86_64`, `x86`, `aarch64`, `arm64`, `arm64v8`, `armhf`, `armel`,
/// `armv5`–`armv8`, `arm32v5`–`arm32v7`, `arm32`, `arm`, `i386`–`i686`, `ppc64le`, `s390x`,
/// `riscv64`) bounded by `-`, `_`, `.` or the name's edges (`armbian`, `charm` and `x86info`
/// name none); a name with two different architectures names none, and so does any
/// directory above the file's own.
pub fn path_platform(path: &str) -> Option<Platform> {
    let mut parts = path.rsplit(['/', '\\']);
    let file = parts.next().filter(|n| !n.is_empty())?;
    name_arch(file).or_else(|| parts.next().and_then(name_arch))
}

/// The targets of a Dockerfile at `path`: the platform its path names ([`path_platform`]),
/// else the configured targets.
pub fn dockerfile_targets(path: &str, targets: &[Platform]) -> Vec<Platform> {
    match path_platform(path) {
        Some(p) => vec![p.normalize()],
        None => normalized(targets),
    }
}

/// The targets of a Dockerfile whose path names no architecture, when files beside it are
/// Dockerfiles that do (`Dockerfile` next to `Dockerfile.aarch64` and `Dockerfile.armhf`, as
/// linuxserver.io and others keep one file per architecture): `linux/amd64` when it is a
/// target the siblings do not take (the plain file is the amd64 one by that convention), else
/// the targets without the architectures the siblings take over. `None` when no sibling names
/// one, or when they would take every target (then the file says nothing certain). `siblings` are file names of the
/// same directory; only Dockerfile names count ([`crate::classify::by_name`]).
pub fn without_sibling_platforms(targets: &[Platform], siblings: &[&str]) -> Option<Vec<Platform>> {
    let taken: Vec<Platform> = siblings
        .iter()
        .filter(|n| {
            crate::classify::by_name(std::path::Path::new(n))
                == crate::classify::NameClass::Dockerfile
        })
        .filter_map(|n| name_arch(n))
        .collect();
    if taken.is_empty() {
        return None;
    }
    let kept: Vec<Platform> = normalized(targets)
        .into_iter()
        .filter(|t| !taken.iter().any(|p| p.os == t.os && p.arch == t.arch))
        .collect();
    if kept.len() == normalized(targets).len() {
        // The siblings take no target.
        return None;
    }
    // The convention of per-architecture Dockerfile sets: the siblings name the other
    // architectures and the plain file is the amd64 one (linuxserver.io keeps `Dockerfile` and
    // `Dockerfile.aarch64` and builds no arm/v7 image at all).
    if let Some(amd64) = kept.iter().find(|t| t.os == "linux" && t.arch == "amd64") {
        return Some(vec![amd64.clone()]);
    }
    (!kept.is_empty() && kept.len() < targets.len()).then_some(kept)
}

/// Whether every platform of `published` is an ARM one (`linux/arm64`, `linux/arm/v7`…): an
/// image published only for ARM is made for ARM devices, so a Dockerfile whose final stage is
/// built on it targets those platforms.
pub fn arm_only(published: &[Platform]) -> bool {
    !published.is_empty() && published.iter().all(|p| matches!(p.arch.as_str(), "arm" | "arm64"))
}

/// What a Dockerfile stage is built for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StagePlatform {
    /// `FROM --platform=$BUILDPLATFORM` (or `$BUILDOS/$BUILDARCH`…): the stage runs on the build
    /// machine, whatever the targets.
    Builder,
    /// The stage is built once per platform listed: the targets, or the single platform of a
    /// literal `--platform=linux/amd64` (also through a global ARG default).
    Targets(Vec<Platform>),
}

/// How a stage's `FROM --platform` reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StagePin {
    /// No `--platform`, `$TARGETPLATFORM`, or a value the file does not determine.
    None,
    /// `$BUILDPLATFORM` (or `$BUILDOS/$BUILDARCH`…).
    Builder,
    /// A literal platform (also through a global ARG default).
    Platform(Platform),
}

/// What `FROM --platform` of stage `stage` says.
pub fn stage_pin(df: &Dockerfile, stage: usize) -> StagePin {
    let Some(value) = df.stages.get(stage).and_then(|s| s.platform.as_ref()) else {
        return StagePin::None;
    };
    let value = value.value.as_str();
    if mentions(value, &["BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"]) {
        return StagePin::Builder;
    }
    // BuildKit always sets these, so a default written after them never applies.
    if mentions(value, &["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT"]) {
        return StagePin::None;
    }
    let resolved = substitute(value, |name| {
        if PLATFORM_ARGS.contains(&name) {
            None
        } else {
            df.arg_value(None, name).and_then(|b| b.value)
        }
    });
    match resolved.as_deref().map(Platform::parse) {
        Some(Ok(platform)) => StagePin::Platform(platform),
        _ => StagePin::None,
    }
}

/// The platforms stage `stage` of `df` is built for. No `--platform`, `$TARGETPLATFORM`, or a
/// value the file does not determine: the targets.
pub fn stage_platform(df: &Dockerfile, stage: usize, targets: &[Platform]) -> StagePlatform {
    match stage_pin(df, stage) {
        StagePin::None => StagePlatform::Targets(normalized(targets)),
        StagePin::Builder => StagePlatform::Builder,
        StagePin::Platform(p) => StagePlatform::Targets(vec![p]),
    }
}

/// A stage the image built for one target is made of: the final stage and the stages it is
/// built `FROM`, in that order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReachedStage {
    pub stage: usize,
    /// Its `FROM` after substituting the global ARG defaults and this target's automatic
    /// platform ARGs (`TARGETARCH`, …); `None` if a variable stays unresolved.
    pub resolved_image: Option<String>,
    /// Whether the `FROM` names an earlier stage rather than an image.
    pub from_stage: bool,
}

/// The chain of stages `docker buildx build --platform <target>` builds into the final image,
/// with each `FROM` resolved for that target. Unlike [`Dockerfile::reaches_final`] this follows
/// per-architecture stages selected by `FROM build_${TARGETARCH}`.
pub fn stages_for_target(df: &Dockerfile, target: &Platform) -> Vec<ReachedStage> {
    let target = target.normalize();
    let variant = target.variant.clone().unwrap_or_default();
    let platform_arg = |name: &str| -> Option<String> {
        match name {
            "TARGETPLATFORM" => Some(target.to_string()),
            "TARGETOS" => Some(target.os.clone()),
            "TARGETARCH" => Some(target.arch.clone()),
            "TARGETVARIANT" => Some(variant.clone()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let mut cur = df.final_stage();
    while let Some(index) = cur {
        let Some(stage) = df.stages.get(index) else { break };
        let resolved = substitute(&stage.image.value, |name| {
            if PLATFORM_ARGS.contains(&name) {
                platform_arg(name)
            } else {
                df.arg_value(None, name).and_then(|b| b.value)
            }
        });
        // Only earlier stages can be named, so the walk ends.
        let base = resolved.as_deref().and_then(|r| {
            df.stages
                .get(..index)?
                .iter()
                .position(|s| s.name.as_ref().is_some_and(|n| n.value.eq_ignore_ascii_case(r)))
        });
        out.push(ReachedStage {
            stage: index,
            resolved_image: resolved,
            from_stage: base.is_some(),
        });
        cur = base;
    }
    out
}

/// Whether `value` refers to one of the ARGs `args` (`$NAME` or `${NAME…}`).
fn mentions(value: &str, args: &[&str]) -> bool {
    args.iter().any(|arg| {
        value.match_indices(arg).any(|(i, _)| {
            let before = value.get(..i).unwrap_or_default();
            let after = value.get(i + arg.len()..).unwrap_or_default();
            let name_ends = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            name_ends && (before.ends_with('$') || before.ends_with("${"))
        })
    })
}

/// The targets, normalised (`linux/arm64/v8` → `linux/arm64`).
pub fn normalized(targets: &[Platform]) -> Vec<Platform> {
    targets.iter().map(Platform::normalize).collect()
}

#[cfg(test)]
mod sibling_tests {
    use super::*;

    fn ps(names: &[&str]) -> Vec<Platform> {
        names.iter().map(|n| Platform::parse(n).unwrap()).collect()
    }

    fn shown(p: Option<Vec<Platform>>) -> Option<Vec<String>> {
        p.map(|v| v.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn siblings_named_for_an_architecture_take_it_over() {
        let targets = ps(&["linux/amd64", "linux/arm64", "linux/arm/v7"]);
        assert_eq!(
            shown(without_sibling_platforms(
                &targets,
                &["Dockerfile.aarch64", "Dockerfile.armhf", "README.md"]
            )),
            Some(vec!["linux/amd64".to_string()])
        );
        // the plain file is the amd64 one, even when no sibling builds arm/v7
        assert_eq!(
            shown(without_sibling_platforms(&targets, &["Dockerfile.arm64"])),
            Some(vec!["linux/amd64".to_string()])
        );
        // a sibling for amd64: the plain file keeps the rest
        assert_eq!(
            shown(without_sibling_platforms(&targets, &["Dockerfile.amd64"])),
            Some(vec!["linux/arm64".to_string(), "linux/arm/v7".to_string()])
        );
    }

    #[test]
    fn other_files_and_a_full_takeover_change_nothing() {
        let targets = ps(&["linux/amd64", "linux/arm64"]);
        // not Dockerfiles, or no architecture in the name
        assert_eq!(
            without_sibling_platforms(&targets, &["build-arm64.sh", "Dockerfile.dev"]),
            None
        );
        // every target taken: nothing certain about the plain Dockerfile
        assert_eq!(
            without_sibling_platforms(&targets, &["Dockerfile.amd64", "Dockerfile.arm64"]),
            None
        );
        // a sibling for a platform that is not a target
        assert_eq!(without_sibling_platforms(&targets, &["Dockerfile.s390x"]), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{compose::ComposeFile, kubernetes::Manifests};
    use crate::settings::default_platforms;
    use crate::syntax::{dockerfile, yaml};

    fn p(s: &str) -> Platform {
        Platform::parse(s).expect("platform")
    }

    fn names(ps: &[Platform]) -> Vec<String> {
        ps.iter().map(ToString::to_string).collect()
    }

    fn pod(spec: &str) -> Vec<String> {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: x}}\nspec:\n  containers: [{{name: a, image: a}}]\n{spec}"
        );
        let m = Manifests::from_yaml(yaml::parse_stream(&text, &yaml::Limits::default()));
        let template = &m.objects[0].pod_templates[0];
        names(&pod_targets(&default_platforms(), template))
    }

    #[test]
    fn pod_narrowing() {
        assert_eq!(pod(""), ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
        assert_eq!(pod("  nodeSelector: {kubernetes.io/arch: amd64}\n"), ["linux/amd64"]);
        assert_eq!(pod("  nodeSelector: {beta.kubernetes.io/arch: arm}\n"), ["linux/arm/v7"]);
        assert_eq!(pod("  nodeSelector: {kubernetes.io/arch: riscv64}\n"), Vec::<String>::new());
        assert_eq!(pod("  nodeSelector: {kubernetes.io/arch: x86_64}\n"), Vec::<String>::new());
        assert_eq!(
            pod("  nodeSelector: {kubernetes.io/arch: '{{ .Values.arch }}'}\n"),
            ["linux/amd64", "linux/arm64", "linux/arm/v7"]
        );
        assert_eq!(
            pod("  nodeSelector: {kubernetes.io/os: linux}\n"),
            ["linux/amd64", "linux/arm64", "linux/arm/v7"]
        );
        assert_eq!(pod("  nodeSelector: {kubernetes.io/os: windows}\n"), Vec::<String>::new());
        let affinity = "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: kubernetes.io/arch, operator: In, values: [arm64]}\n        - matchExpressions:\n          - {key: kubernetes.io/arch, operator: In, values: [arm]}\n";
        assert_eq!(pod(affinity), ["linux/arm64", "linux/arm/v7"]);
        // nodeSelector and affinity must both hold.
        let both = format!("  nodeSelector: {{kubernetes.io/arch: arm64}}\n{affinity}");
        assert_eq!(pod(&both), ["linux/arm64"]);
    }

    fn selectors(spec: &str) -> (Vec<String>, Vec<String>) {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: x}}\nspec:\n  containers: [{{name: a, image: a}}]\n{spec}"
        );
        let m = Manifests::from_yaml(yaml::parse_stream(&text, &yaml::Limits::default()));
        let found = platform_selectors(&m.objects[0].pod_templates[0]);
        let shown =
            |spans: &[Span]| spans.iter().map(|s| text[s.start..s.end].to_string()).collect();
        (shown(&found.arch), shown(&found.os))
    }

    #[test]
    fn platform_selector_spans() {
        assert_eq!(selectors(""), (vec![], vec![]));
        assert_eq!(
            selectors("  nodeSelector:\n    kubernetes.io/os: linux\n    beta.kubernetes.io/arch: arm\n    node-role.kubernetes.io/edge: ''\n"),
            (vec!["beta.kubernetes.io/arch: arm".to_string()], vec!["kubernetes.io/os: linux".to_string()])
        );
        let affinity = "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: node-role.kubernetes.io/edge, operator: Exists}\n          - {key: kubernetes.io/arch, operator: In, values: [arm64]}\n";
        assert_eq!(
            selectors(affinity),
            (vec!["{key: kubernetes.io/arch, operator: In, values: [arm64]}".to_string()], vec![])
        );
    }

    #[test]
    fn affinity_terms_or_expressions_and_with_in_and_not_in() {
        let term = |exprs: &str| format!("        - matchExpressions:\n{exprs}");
        let expr = |op: &str, values: &str| {
            format!("          - {{key: kubernetes.io/arch, operator: {op}, values: [{values}]}}\n")
        };
        let affinity = |terms: &[String]| {
            format!(
                "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n{}",
                terms.concat()
            )
        };
        // NotIn removes.
        assert_eq!(
            pod(&affinity(&[term(&expr("NotIn", "amd64"))])),
            ["linux/arm64", "linux/arm/v7"]
        );
        // AND within a term.
        let and = term(&(expr("In", "amd64, arm64") + &expr("NotIn", "amd64")));
        assert_eq!(pod(&affinity(&[and])), ["linux/arm64"]);
        // OR of terms.
        let or = [term(&expr("In", "arm")), term(&expr("NotIn", "arm, arm64"))];
        assert_eq!(pod(&affinity(&or)), ["linux/amd64", "linux/arm/v7"]);
        // A term without an arch expression admits every target.
        let other = "          - {key: node-role.kubernetes.io/edge, operator: Exists}\n";
        assert_eq!(
            pod(&affinity(&[term(&expr("In", "arm64")), term(other)])),
            ["linux/amd64", "linux/arm64", "linux/arm/v7"]
        );
        // A templated value narrows nothing in its expression.
        let templated = term(&(expr("In", "'{{ .Values.arch }}'") + &expr("NotIn", "arm")));
        assert_eq!(pod(&affinity(&[templated])), ["linux/amd64", "linux/arm64"]);
    }

    #[test]
    fn riscv64_in_the_affinity_is_not_a_target() {
        // `--platform linux/amd64 --platform linux/arm64` and an affinity that also admits
        // riscv64 nodes: the pod's targets are the configured ones it can land on, never more.
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: a, image: a}]\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: kubernetes.io/arch, operator: In, values: [amd64, arm64, riscv64]}\n";
        let m = Manifests::from_yaml(yaml::parse_stream(text, &yaml::Limits::default()));
        let targets = [p("linux/amd64"), p("linux/arm64")];
        assert_eq!(
            names(&pod_targets(&targets, &m.objects[0].pod_templates[0])),
            ["linux/amd64", "linux/arm64"]
        );
    }

    #[test]
    fn arm_label_matches_every_32_bit_arm_target() {
        assert!(k8s_arch_matches("arm", &p("linux/arm/v6")));
        assert!(k8s_arch_matches("arm", &p("linux/arm/v7")));
        assert!(!k8s_arch_matches("arm", &p("linux/arm64")));
        assert!(k8s_arch_matches("amd64", &p("linux/amd64/v3")));
        assert!(!k8s_arch_matches("amd64", &p("windows/amd64")));
    }

    fn service(platform: &str) -> Vec<String> {
        let text = format!("services:\n  a:\n    image: x\n{platform}");
        let c = ComposeFile::from_yaml(yaml::parse_stream(&text, &yaml::Limits::default()));
        names(&service_targets(&default_platforms(), &c.services[0]))
    }

    #[test]
    fn service_narrowing() {
        assert_eq!(service(""), ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
        assert_eq!(service("    platform: linux/arm64\n"), ["linux/arm64"]);
        assert_eq!(service("    platform: linux/arm64/v8\n"), ["linux/arm64"]);
        assert_eq!(service("    platform: armhf\n"), ["linux/arm/v7"]);
        assert_eq!(
            service("    platform: ${PLATFORM:-linux/amd64}\n"),
            ["linux/amd64", "linux/arm64", "linux/arm/v7"]
        );
        assert_eq!(
            service("    platform: linux\n"),
            ["linux/amd64", "linux/arm64", "linux/arm/v7"]
        );
    }

    fn stage(text: &str, i: usize) -> StagePlatform {
        stage_platform(&dockerfile::parse(text), i, &default_platforms())
    }

    fn chain(text: &str, target: &str) -> Vec<(usize, Option<String>, bool)> {
        stages_for_target(&dockerfile::parse(text), &p(target))
            .into_iter()
            .map(|r| (r.stage, r.resolved_image, r.from_stage))
            .collect()
    }

    #[test]
    fn stage_chains_per_target() {
        let text = "ARG TAG=3.22\nFROM alpine:$TAG AS build_amd64\nFROM debian AS build_arm\n\
                    FROM busybox AS unused\nFROM build_${TARGETARCH} AS picked\nFROM picked\n";
        assert_eq!(
            chain(text, "linux/amd64"),
            [
                (4, Some("picked".into()), true),
                (3, Some("build_amd64".into()), true),
                (0, Some("alpine:3.22".into()), false)
            ]
        );
        assert_eq!(chain(text, "linux/arm/v7")[2], (1, Some("debian".into()), false));
        // No stage build_arm64: an image of that name.
        assert_eq!(chain(text, "linux/arm64")[1], (3, Some("build_arm64".into()), false));
        // Image tags per target, and variables the file does not set.
        assert_eq!(
            chain("FROM app:1-$TARGETOS-$TARGETARCH$TARGETVARIANT\n", "linux/arm/v7"),
            [(0, Some("app:1-linux-armv7".into()), false)]
        );
        assert_eq!(chain("FROM $BASE\n", "linux/amd64"), [(0, None, false)]);
        assert_eq!(chain("FROM $BUILDPLATFORM\n", "linux/amd64"), [(0, None, false)]);
        // A later stage's name is an image, as in BuildKit.
        assert_eq!(
            chain("FROM later AS y\nFROM alpine AS later\nFROM y\n", "linux/amd64"),
            [(2, Some("y".into()), true), (0, Some("later".into()), false)]
        );
    }

    #[test]
    fn stage_platforms() {
        let all = StagePlatform::Targets(default_platforms());
        assert_eq!(stage("FROM alpine\n", 0), all);
        assert_eq!(stage("FROM --platform=$BUILDPLATFORM alpine\n", 0), StagePlatform::Builder);
        assert_eq!(stage("FROM --platform=${BUILDPLATFORM} alpine\n", 0), StagePlatform::Builder);
        assert_eq!(
            stage("FROM --platform=$BUILDOS/$BUILDARCH alpine\n", 0),
            StagePlatform::Builder
        );
        assert_eq!(stage("FROM --platform=$TARGETPLATFORM alpine\n", 0), all);
        assert_eq!(stage("FROM --platform=${TARGETPLATFORM:-linux/amd64} alpine\n", 0), all);
        assert_eq!(
            stage("FROM --platform=linux/amd64 alpine\n", 0),
            StagePlatform::Targets(vec![p("linux/amd64")])
        );
        assert_eq!(
            stage("ARG PLAT=linux/arm/v6\nFROM --platform=$PLAT alpine\n", 0),
            StagePlatform::Targets(vec![p("linux/arm/v6")])
        );
        assert_eq!(stage("ARG PLAT\nFROM --platform=$PLAT alpine\n", 0), all);
        assert_eq!(stage("FROM --platform=bogus/// alpine\n", 0), all);
        // Another ARG whose name starts like an automatic one is an ordinary ARG.
        assert_eq!(
            stage("ARG BUILDPLATFORM_X=linux/arm64\nFROM --platform=$BUILDPLATFORM_X alpine\n", 0),
            StagePlatform::Targets(vec![p("linux/arm64")])
        );
    }

    #[test]
    fn a_path_narrows_by_its_file_name_then_its_directory() {
        // path, then the platform it names (`-` for none).
        let table = r"
            Dockerfile.arm64              linux/arm64
            docker/Dockerfile.aarch64     linux/arm64
            Dockerfile-armhf              linux/arm/v7
            Dockerfile.x86                linux/amd64
            cross-builder-armv7           linux/arm/v7
            build_x86_64                  linux/amd64
            Dockerfile.s390x              linux/s390x
            build/arm64/Dockerfile        linux/arm64
            images\arm32v7\Dockerfile   linux/arm/v7
            arm64v8/Dockerfile            linux/arm64
            arm64/Dockerfile.amd64        linux/amd64
            arm64/docker/Dockerfile       -
            armbian/Dockerfile            -
            charm/Dockerfile.x86info      -
            Dockerfile.amd64-arm64        -
            Dockerfile                    -
        ";
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (path, want) = line.split_once(' ').expect("two columns");
            let got = path_platform(path).map_or_else(|| "-".to_string(), |p| p.to_string());
            assert_eq!(got, want.trim(), "{path}");
        }
        let all = default_platforms();
        assert_eq!(names(&dockerfile_targets("x/Dockerfile", &all)).len(), 3);
        assert_eq!(names(&dockerfile_targets("x/Dockerfile.arm64", &all)), ["linux/arm64"]);
    }

    #[test]
    fn arm_only_images() {
        assert!(arm_only(&[p("linux/arm64")]));
        assert!(arm_only(&[p("linux/arm64"), p("linux/arm/v7")]));
        assert!(!arm_only(&[p("linux/arm64"), p("linux/amd64")]));
        assert!(!arm_only(&[]));
    }
}
