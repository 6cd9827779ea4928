//! When an image is pulled, and how firmly a reference pins its content.
//!
//! **Kubernetes** (`imagePullPolicy`, defaulted once at object creation by `SetDefaults_Container`
//! over the kubelet's `ParseImageName`): a written `Always`, `IfNotPresent` or `Never` wins
//! (an empty string counts as unset); otherwise the tag decides: `latest`, or no tag and no
//! digest, defaults to `Always` (a digest next to `:latest` does not change that, the tag is
//! still `latest`), anything else to `IfNotPresent`.
//!
//! **Compose** (`pull_policy`): `always`, `never`, `missing` (alias `if_not_present`), `build`,
//! `daily`, `weekly`, `every_<duration>`. Unset means `missing`. The Compose specification adds
//! that "the `latest` tag is always pulled even when the `missing` pull policy is used", but
//! `docker compose` does not do that: with `missing` (or no policy) it pulls only when the image
//! is not in the local store, whatever its tag (`pullRequiredImages` in `pkg/compose/pull.go`).
//! We follow what `docker compose` does. An interpolated value is judged by its default
//! (`${PULL:-always}`); one without a default is [`PullPolicy::Unknown`].
//!
//! **Pinning** ([`pinning`]): a digest pins, whatever the tag; `latest` or no tag does not;
//! a floating tag (major-only `^\d+$`, minor-only `^\d+\.\d+$`, or a channel name such as
//! `stable`, `lts`, `alpine`) moves on its own; any other tag is taken as fixed. The patterns
//! match the whole tag: `3-alpine` and `3.19-alpine` are not floating here.

use crate::model::compose::{ComposeFile, Service};
use crate::model::container::{ContainerRole, ContainerView};
use crate::model::kubernetes::Container;
use crate::source::Spanned;
use crate::syntax::dockerfile::{Args, Dockerfile};
use crate::values::image_ref::{has_variable, ImageRef};
use crate::values::interpolate::substitute;

/// What happens to the image when the container starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PullPolicy {
    /// The registry is contacted on every start (k8s `Always`, Compose `always`).
    Always,
    /// Pulled only when the node has no copy (k8s `IfNotPresent`, Compose `missing`).
    IfNotPresent,
    /// Never pulled: the image must be preloaded.
    Never,
    /// Compose `build`: built, never pulled.
    Build,
    /// Compose `daily`, `weekly`, `every_<duration>`: pulled again when the local copy is
    /// older than the period (the value as written after interpolation).
    Periodic(String),
    /// A value that cannot be read: an unknown word, or a variable without a default.
    Unknown,
}

/// The effective pull policy of a container or service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectivePull {
    pub policy: PullPolicy,
    /// The field as written; `None` when the policy is the default.
    pub written: Option<Spanned<String>>,
}

impl EffectivePull {
    pub fn is_explicit(&self) -> bool {
        self.written.is_some()
    }
}

/// The effective `imagePullPolicy` of a Kubernetes container. `None` when it is defaulted from
/// an image that cannot be read (absent, a variable or template, invalid).
pub fn kubernetes(container: &Container) -> Option<EffectivePull> {
    kubernetes_policy(
        container.image.as_ref().map(|i| i.value.as_str()),
        container.image_pull_policy.as_ref(),
    )
}

/// A Kubernetes container whose image is pulled, with its effective policy: not an ephemeral
/// container (debugging only; the catalogue leaves them out), with an `image` whose policy is
/// known. `None` for Compose services, whose policy needs the file ([`compose`]).
pub fn pulled_kubernetes<'a>(
    view: &ContainerView<'a>,
) -> Option<(&'a Spanned<String>, EffectivePull)> {
    let container = view.kubernetes()?;
    if container.role == ContainerRole::Ephemeral {
        return None;
    }
    Some((container.image.as_ref()?, kubernetes(container)?))
}

/// An image a Dockerfile stage pulls: its base image or a `COPY --from=<image>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageImage<'a> {
    /// As written.
    pub written: &'a str,
    /// With global `ARG` defaults substituted (the same as `written` for `COPY --from`).
    pub resolved: &'a str,
    pub span: crate::source::Span,
}

/// The images stage `stage` pulls: its `FROM` image (not `FROM <earlier stage>`, not
/// `scratch`, not when a variable stays unresolved) and its `COPY --from=<image>` images.
pub fn stage_images(file: &Dockerfile, stage: usize) -> Vec<StageImage<'_>> {
    let mut out = Vec::new();
    if let Some(s) = file.stages.get(stage).filter(|s| s.base_stage.is_none()) {
        if let Some(resolved) = s.resolved_image.as_deref() {
            if !resolved.eq_ignore_ascii_case("scratch") {
                out.push(StageImage { written: &s.image.value, resolved, span: s.image.span });
            }
        }
    }
    for from in copied_images(file, stage) {
        out.push(StageImage { written: &from.value, resolved: &from.value, span: from.span });
    }
    out
}

/// The images a Dockerfile stage copies from (`COPY --from=<image>`), as written: not a stage
/// (by name or index), not the stage itself.
pub fn copied_images(file: &Dockerfile, stage: usize) -> Vec<&Spanned<String>> {
    let Some(range) = file.stages.get(stage).map(|s| s.instructions.clone()) else {
        return Vec::new();
    };
    range
        .filter(|&i| file.copy_from_stage(i).is_none())
        .filter_map(|i| file.instructions.get(i))
        .filter(|ins| matches!(ins.args, Args::Copy { .. }))
        .filter_map(|ins| ins.flag("from")?.value.as_ref())
        .filter(|from| {
            from.value.parse::<usize>().is_err() && file.stage_by_name(&from.value).is_none()
        })
        .collect()
}

fn kubernetes_policy(
    image: Option<&str>,
    written: Option<&Spanned<String>>,
) -> Option<EffectivePull> {
    if let Some(w) = written.filter(|w| !w.value.is_empty()) {
        let policy = match w.value.as_str() {
            "Always" => PullPolicy::Always,
            "IfNotPresent" => PullPolicy::IfNotPresent,
            "Never" => PullPolicy::Never,
            _ => PullPolicy::Unknown,
        };
        return Some(EffectivePull { policy, written: Some(w.clone()) });
    }
    let image = image.filter(|i| !has_variable(i))?;
    let image = ImageRef::parse(image).ok()?;
    let policy =
        if image.is_latest_or_untagged() { PullPolicy::Always } else { PullPolicy::IfNotPresent };
    Some(EffectivePull { policy, written: None })
}

/// The effective `pull_policy` of a Compose service (same-file `extends` followed).
pub fn compose(file: &ComposeFile, service: &Service) -> EffectivePull {
    match compose_written(file, service) {
        Some(written) => {
            EffectivePull { policy: compose_word(&written.value), written: Some(written) }
        }
        None => EffectivePull { policy: PullPolicy::IfNotPresent, written: None },
    }
}

fn compose_written(file: &ComposeFile, service: &Service) -> Option<Spanned<String>> {
    let services = file
        .yaml
        .documents
        .iter()
        .filter_map(|d| d.root()?.get("services"))
        .find(|e| e.value.is_mapping())?
        .value;
    let mut name = service.name.value.clone();
    // `extends` chains are short; the bound stops a cycle.
    for _ in 0..8 {
        let node = services.get(&name)?.value;
        if let Some(e) = node.get("pull_policy") {
            let value = e.value.as_str()?;
            return Some(Spanned::new(value.to_string(), e.value.span()));
        }
        let extends = node.get("extends")?.value;
        name = match extends.as_str() {
            Some(base) => base.to_string(),
            // another file's service: not seen
            None if extends.get("file").is_some() => return None,
            None => extends.get("service")?.value.as_str()?.to_string(),
        };
    }
    None
}

fn compose_word(value: &str) -> PullPolicy {
    let value = if value.contains('$') {
        match substitute(value, |_| None) {
            Some(v) => v,
            None => return PullPolicy::Unknown,
        }
    } else {
        value.to_string()
    };
    match value.as_str() {
        "always" => PullPolicy::Always,
        "missing" | "if_not_present" => PullPolicy::IfNotPresent,
        "never" => PullPolicy::Never,
        "build" => PullPolicy::Build,
        "daily" | "weekly" => PullPolicy::Periodic(value),
        v if v.starts_with("every_") => PullPolicy::Periodic(value),
        _ => PullPolicy::Unknown,
    }
}

/// Why a tag floats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Floating {
    /// `3`: every minor and patch release of a major version.
    Major,
    /// `3.19`: every patch release of a minor version.
    Minor,
    /// `stable`, `lts`, `alpine`…: a channel the publisher moves.
    Channel,
}

impl Floating {
    pub fn describe(self) -> &'static str {
        match self {
            Floating::Major => "a major-version tag",
            Floating::Minor => "a minor-version tag",
            Floating::Channel => "a channel tag",
        }
    }
}

/// How firmly a reference pins the image content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pinning {
    /// `@sha256:…`, with or without a tag.
    Digest,
    /// `:latest`, or neither tag nor digest.
    Latest,
    /// A tag that moves by design.
    Floating(Floating),
    /// Any other tag: a specific release (tags can still be re-pushed).
    Tag,
}

impl Pinning {
    /// Neither a digest nor a fixed tag would change under a re-pull: `Digest` or `Tag`.
    pub fn is_immutable(self) -> bool {
        matches!(self, Pinning::Digest | Pinning::Tag)
    }
}

/// The channel tags the catalogue names; matched on the whole tag.
pub const CHANNEL_TAGS: &[&str] =
    &["stable", "edge", "main", "master", "dev", "nightly", "lts", "current", "alpine", "slim"];

/// Words that name a moving channel inside a compound tag (`latest-dev`, `stable-alpine`,
/// `latest_release`). `alpine`/`slim` alone are channels ([`CHANNEL_TAGS`]) but, as a part, name
/// a variant (`bookworm-slim` is left alone).
const CHANNEL_WORDS: &[&str] = &[
    "latest", "stable", "edge", "main", "master", "dev", "develop", "nightly", "lts", "current",
    "release", "snapshot", "canary", "unstable", "testing",
];

/// A tag made of words only (no part with a digit: `latest-dev`, not `1.2-dev` or
/// `main-3f2a1c9`), one of which is a channel word.
fn is_channel_compound(tag: &str) -> bool {
    let parts: Vec<&str> = tag.split(['-', '_', '.']).collect();
    parts.len() > 1
        && parts.iter().all(|p| !p.bytes().any(|b| b.is_ascii_digit()))
        && parts.iter().any(|p| CHANNEL_WORDS.contains(&p.to_ascii_lowercase().as_str()))
}

/// How `image` pins its content.
pub fn pinning(image: &ImageRef) -> Pinning {
    if image.digest.is_some() {
        return Pinning::Digest;
    }
    let Some(tag) = image.tag.as_deref().filter(|t| *t != "latest") else {
        return Pinning::Latest;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(tag) {
        Pinning::Floating(Floating::Major)
    } else if tag.split_once('.').is_some_and(|(a, b)| digits(a) && digits(b)) {
        Pinning::Floating(Floating::Minor)
    } else if CHANNEL_TAGS.contains(&tag) || is_channel_compound(tag) {
        Pinning::Floating(Floating::Channel)
    } else {
        Pinning::Tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn written(v: &str) -> Spanned<String> {
        Spanned::new(v.to_string(), Span::new(0, v.len()))
    }

    fn k8s(image: &str, policy: Option<&str>) -> Option<PullPolicy> {
        let w = policy.map(written);
        kubernetes_policy(Some(image), w.as_ref()).map(|e| e.policy)
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn kubernetes_defaulting_follows_the_tag() {
        assert_eq!(k8s("nginx", None), Some(PullPolicy::Always));
        assert_eq!(k8s("nginx:latest", None), Some(PullPolicy::Always));
        assert_eq!(k8s("ghcr.io/org/app:latest", None), Some(PullPolicy::Always));
        assert_eq!(k8s("nginx:1.25.3", None), Some(PullPolicy::IfNotPresent));
        assert_eq!(k8s("nginx:1", None), Some(PullPolicy::IfNotPresent));
        assert_eq!(k8s(&format!("nginx@{DIGEST}"), None), Some(PullPolicy::IfNotPresent));
        // the tag is still `latest` with a digest next to it
        assert_eq!(k8s(&format!("nginx:latest@{DIGEST}"), None), Some(PullPolicy::Always));
        // a port is not a tag
        assert_eq!(k8s("localhost:5000/app", None), Some(PullPolicy::Always));
        // `Latest` is another tag
        assert_eq!(k8s("nginx:Latest", None), Some(PullPolicy::IfNotPresent));
    }

    #[test]
    fn kubernetes_written_policy_wins_and_empty_is_unset() {
        assert_eq!(k8s("nginx", Some("IfNotPresent")), Some(PullPolicy::IfNotPresent));
        assert_eq!(k8s("nginx:1.25.3", Some("Always")), Some(PullPolicy::Always));
        assert_eq!(k8s("nginx:1.25.3", Some("Never")), Some(PullPolicy::Never));
        assert_eq!(k8s("nginx:1.25.3", Some("always")), Some(PullPolicy::Unknown));
        assert_eq!(k8s("nginx", Some("")), Some(PullPolicy::Always));
        let e = kubernetes_policy(Some("nginx"), Some(&written(""))).expect("defaulted");
        assert!(!e.is_explicit());
    }

    #[test]
    fn kubernetes_unreadable_image_has_no_default() {
        assert_eq!(k8s("$IMAGE", None), None);
        assert_eq!(k8s("{{ .Values.image }}", None), None);
        assert_eq!(k8s("Not/Valid//x", None), None);
        assert_eq!(kubernetes_policy(None, None), None);
        assert_eq!(k8s("$IMAGE", Some("Always")), Some(PullPolicy::Always));
    }

    #[test]
    fn compose_words() {
        assert_eq!(compose_word("always"), PullPolicy::Always);
        assert_eq!(compose_word("missing"), PullPolicy::IfNotPresent);
        assert_eq!(compose_word("if_not_present"), PullPolicy::IfNotPresent);
        assert_eq!(compose_word("never"), PullPolicy::Never);
        assert_eq!(compose_word("build"), PullPolicy::Build);
        assert_eq!(compose_word("daily"), PullPolicy::Periodic("daily".into()));
        assert_eq!(compose_word("every_12h"), PullPolicy::Periodic("every_12h".into()));
        assert_eq!(compose_word("${PULL:-always}"), PullPolicy::Always);
        assert_eq!(compose_word("${PULL}"), PullPolicy::Unknown);
        assert_eq!(compose_word("Always"), PullPolicy::Unknown);
    }

    fn service_policy(text: &str, name: &str) -> EffectivePull {
        let source = crate::source::SourceFile::new("c.yaml", text);
        let (doc, _) = crate::parse(&source, crate::document::FileKind::Compose);
        let crate::document::Document::Compose(file) = &doc else { panic!("compose") };
        let service = file.services.iter().find(|s| s.name.value == name).expect("service");
        compose(file, service)
    }

    #[test]
    fn compose_unset_is_missing_and_extends_is_followed() {
        let text = "services:\n  base: {image: a, pull_policy: always}\n  \
                    child: {extends: base}\n  long: {extends: {service: base}}\n  \
                    other: {extends: {file: x.yaml, service: s}}\n  plain: {image: b}\n";
        assert_eq!(service_policy(text, "base").policy, PullPolicy::Always);
        assert_eq!(service_policy(text, "child").policy, PullPolicy::Always);
        assert_eq!(service_policy(text, "long").policy, PullPolicy::Always);
        let other = service_policy(text, "other");
        assert_eq!((other.is_explicit(), other.policy), (false, PullPolicy::IfNotPresent));
        let plain = service_policy(text, "plain");
        assert_eq!((plain.is_explicit(), plain.policy), (false, PullPolicy::IfNotPresent));
    }

    #[test]
    fn copied_images_are_not_stages() {
        let text = "FROM alpine:3.20.1 AS a\nFROM busybox:1.36.1\nCOPY --from=a /x /x\n\
                    COPY --from=0 /y /y\nCOPY --from=nginx:1.27.0 /z /z\nCOPY --from=A /w /w\n";
        let source = crate::source::SourceFile::new("Dockerfile", text);
        let (doc, _) = crate::parse(&source, crate::document::FileKind::Dockerfile);
        let crate::document::Document::Dockerfile(df) = &doc else { panic!("dockerfile") };
        let found: Vec<&str> = copied_images(df, 1).iter().map(|s| s.value.as_str()).collect();
        assert_eq!(found, ["nginx:1.27.0"]);
        assert!(copied_images(df, 7).is_empty());
    }

    fn pin(s: &str) -> Pinning {
        pinning(&ImageRef::parse(s).expect("reference"))
    }

    #[test]
    fn pinning_by_digest_tag_and_pattern() {
        assert_eq!(pin("nginx"), Pinning::Latest);
        assert_eq!(pin("nginx:latest"), Pinning::Latest);
        assert_eq!(pin("localhost:5000/app"), Pinning::Latest);
        assert_eq!(pin(&format!("nginx@{DIGEST}")), Pinning::Digest);
        assert_eq!(pin(&format!("nginx:latest@{DIGEST}")), Pinning::Digest);
        assert_eq!(pin(&format!("nginx:1.2@{DIGEST}")), Pinning::Digest);
        assert_eq!(pin("python:3"), Pinning::Floating(Floating::Major));
        assert_eq!(pin("python:3.12"), Pinning::Floating(Floating::Minor));
        assert_eq!(pin("debian:stable"), Pinning::Floating(Floating::Channel));
        assert_eq!(pin("node:lts"), Pinning::Floating(Floating::Channel));
        // compound tags of words, one of them a channel
        assert_eq!(pin("app:latest-dev"), Pinning::Floating(Floating::Channel));
        assert_eq!(pin("app:latest_release"), Pinning::Floating(Floating::Channel));
        assert_eq!(pin("nginx:stable-alpine"), Pinning::Floating(Floating::Channel));
        assert_eq!(pin("app:Nightly-build"), Pinning::Floating(Floating::Channel));
        // a version, a commit or a variant word alone keeps the tag fixed
        assert_eq!(pin("app:1.2.3-dev"), Pinning::Tag);
        assert_eq!(pin("app:main-3f2a1c9"), Pinning::Tag);
        assert_eq!(pin("debian:bookworm-slim"), Pinning::Tag);
        assert_eq!(pin("app:devops-tools"), Pinning::Tag);
        assert_eq!(pin("python:3.12.4"), Pinning::Tag);
        assert_eq!(pin("python:3.12-slim"), Pinning::Tag);
        assert_eq!(pin("alpine:3.19-alpine"), Pinning::Tag);
        assert_eq!(pin("app:v1"), Pinning::Tag);
        assert_eq!(pin("app:1."), Pinning::Tag);
        assert_eq!(pin("app:Stable"), Pinning::Tag);
        assert!(Pinning::Tag.is_immutable() && Pinning::Digest.is_immutable());
        assert!(!Pinning::Latest.is_immutable());
    }
}
