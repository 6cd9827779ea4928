//! `mutable-image-tag`: an image reference whose content can change under the same name:
//! `latest` or no tag, a floating tag, or (with `strict-pinning`) any tag without a digest.
//!
//! How a reference pins its content and when it is pulled are facts of
//! [`crate::semantic::pull`], shared with `pull-policy-always`.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::ContainerView;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::pull::{self, EffectivePull, Pinning, PullPolicy};
use crate::source::Span;
use crate::syntax::dockerfile::Dockerfile;
use crate::values::image_ref::{has_variable, ImageRef};

declare_rule! {
    /// A reference that can resolve to different content over time.
    MutableImageTag {
        name: "mutable-image-tag",
        summary: "image without a fixed tag or digest: every pull may bring different content",
        severity: Error,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [
            "hadolint:DL3006",
            "hadolint:DL3007",
            "kube-linter:latest-tag",
            "kube-score:container-image-tag",
            "polaris:tagNotSpecified",
            "checkov:CKV_K8S_14",
        ],
        options: [
            boolean(
                "strict-pinning",
                false,
                "also report any reference without a digest, at info"
            ),
        ],
    }
}

impl Rule for MutableImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn stage(&self, file: &Dockerfile, index: usize, cx: &mut Ctx) {
        // the base image (not `FROM <earlier stage>`; an unresolved variable is not guessed)
        // and the `COPY --from=<image>` images
        for image in pull::stage_images(file, index) {
            let at = Written { text: image.written, resolved: image.resolved, span: image.span };
            check(cx, at, &Pull::Build);
        }
    }

    fn service(&self, file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        // with `build:`, `image:` names what the build produces
        if service.build.is_some() {
            return;
        }
        let Some(image) = &service.image else { return };
        let effective = pull::compose(file, service);
        if effective.policy == PullPolicy::Build {
            return;
        }
        let at = Written { text: &image.value, resolved: &image.value, span: image.span };
        check(cx, at, &Pull::Compose(effective));
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        // Compose services are checked in `service`, which sees the file's `pull_policy`
        let Some((image, effective)) = pull::pulled_kubernetes(container) else { return };
        let at = Written { text: &image.value, resolved: &image.value, span: image.span };
        check(cx, at, &Pull::Kubernetes(effective));
    }
}

/// A reference as written, with ARG defaults substituted (Dockerfile) and its place.
#[derive(Clone, Copy)]
struct Written<'a> {
    text: &'a str,
    resolved: &'a str,
    span: Span,
}

impl Written<'_> {
    /// `` `ubuntu` ``, or `` `$BASE` (= `ubuntu`) `` when ARG defaults were substituted.
    fn shown(&self) -> String {
        if self.text == self.resolved {
            format!("`{}`", self.text)
        } else {
            format!("`{}` (= `{}`)", self.text, self.resolved)
        }
    }
}

/// Who pulls the image, and when.
enum Pull {
    /// `docker build`: a base image or `COPY --from` image, pulled when the builder has no copy
    /// (or on every `--pull`).
    Build,
    Compose(EffectivePull),
    Kubernetes(EffectivePull),
}

fn check(cx: &mut Ctx, at: Written<'_>, pull: &Pull) {
    if has_variable(at.resolved) {
        return;
    }
    let Ok(image) = ImageRef::parse(at.resolved) else { return };
    let shown = at.shown();
    match pull::pinning(&image) {
        Pinning::Digest => {}
        Pinning::Latest => report_latest(cx, at, &image, &shown, pull),
        Pinning::Floating(kind) => {
            let tag = image.tag.as_deref().unwrap_or_default();
            let kind_text = kind.describe();
            // the official images follow the version-line convention (their library lists
            // `7.2` as a shared tag of `7.2.5`); other publishers may push a two-part version
            // once (`ntopng:4.2`), so the shape is only a likelihood there
            let official = image.official_name().is_some();
            let to = match kind {
                pull::Floating::Major => "to every new minor and patch release",
                pull::Floating::Minor => "to every new patch release",
                pull::Floating::Channel => "",
            };
            let message = match kind {
                pull::Floating::Channel => format!(
                    "{shown} uses {kind_text} `{tag}`, which is moved by the publisher to new \
                     releases"
                ),
                _ if official => format!("{shown} uses {kind_text} `{tag}`, which moves {to}"),
                _ => format!(
                    "{shown} uses `{tag}`, which looks like {kind_text}: such tags usually move {to}"
                ),
            };
            cx.report(tag_span(cx, at), message).severity(Severity::Info).help(format!(
                "pin a full version, ideally with its digest (`{}:<version>@sha256:…`), so every \
                 device runs the same image",
                image.familiar_name()
            ));
        }
        Pinning::Tag => {
            if cx.option_bool("strict-pinning") {
                cx.report(tag_span(cx, at), format!("{shown} is not pinned by digest"))
                    .severity(Severity::Info)
                    .help(format!(
                        "append the multi-arch index digest: `{}@sha256:…`; a tag can be \
                         re-pushed",
                        at.resolved
                    ));
            }
        }
    }
}

fn report_latest(cx: &mut Ctx, at: Written<'_>, image: &ImageRef, shown: &str, pull: &Pull) {
    let what = if image.tag.is_some() {
        format!("{shown} uses the `latest` tag")
    } else {
        format!("{shown} has no tag")
    };
    let name = image.familiar_name();
    let pin = format!("pin a version and its digest, e.g. `{name}:<version>@sha256:…` (the multi-arch index digest)");
    let (severity, why, help) = match pull {
        Pull::Build => (
            Severity::Warning,
            "each build may get a different base image".to_string(),
            format!("{pin}, so rebuilds are reproducible"),
        ),
        Pull::Kubernetes(e) => {
            let field =
                if e.is_explicit() { "imagePullPolicy is" } else { "imagePullPolicy defaults to" };
            match &e.policy {
                PullPolicy::Always => (
                    Severity::Error,
                    format!("{field} Always, so every start pulls over the uplink"),
                    format!(
                        "{pin}, and set `imagePullPolicy: IfNotPresent`; preload images (K3s \
                         `agent/images/`) or mirror them"
                    ),
                ),
                PullPolicy::Unknown => (
                    Severity::Warning,
                    unknown_policy("imagePullPolicy", e),
                    format!("{pin}; roll out updates by changing the tag or digest"),
                ),
                _ => (
                    Severity::Warning,
                    format!(
                        "with imagePullPolicy {}, each node runs the copy it already has, so \
                         nodes diverge",
                        e.written.as_ref().map_or("IfNotPresent", |w| w.value.as_str())
                    ),
                    format!("{pin}; roll out updates by changing the tag or digest"),
                ),
            }
        }
        Pull::Compose(e) => match &e.policy {
            PullPolicy::Always => (
                Severity::Error,
                "pull_policy always pulls it on every start over the uplink".to_string(),
                format!(
                    "{pin}, and drop `pull_policy: always` (the default `missing` uses the local \
                     copy)"
                ),
            ),
            PullPolicy::Unknown => (
                Severity::Warning,
                unknown_policy("pull_policy", e),
                format!("{pin}; roll out updates by changing the tag or digest"),
            ),
            PullPolicy::Periodic(period) => (
                Severity::Warning,
                format!("pull_policy {period} replaces it with whatever `latest` is by then"),
                format!("{pin}; roll out updates by changing the tag or digest"),
            ),
            _ => {
                let policy =
                    e.written.as_ref().map_or("missing (the default)", |w| w.value.as_str());
                (
                    Severity::Warning,
                    format!(
                        "with pull_policy {policy}, each device runs the copy it already has, \
                         so devices diverge"
                    ),
                    format!("{pin}; roll out updates by changing the tag or digest"),
                )
            }
        },
    };
    // on `latest` when it is written, else on the whole reference
    cx.report(tag_span(cx, at), format!("{what}; {why}")).severity(severity).help(help);
}

/// For a policy that cannot be read (a variable without default, a word the runtime rejects):
/// the content depends on when each device pulled.
fn unknown_policy(field: &str, e: &EffectivePull) -> String {
    let written = e.written.as_ref().map_or("", |w| w.value.as_str());
    format!("{field} `{written}` is not known here, and what each device runs depends on when it pulled")
}

/// The tag part of the reference (`:3.19` without the colon) when the text at `span` is the
/// reference as written; else the whole value.
fn tag_span(cx: &Ctx, at: Written<'_>) -> Span {
    let written = cx.source().text.get(at.span.start..at.span.end);
    if written != Some(at.resolved) {
        return at.span;
    }
    let before_digest = at.resolved.split('@').next().unwrap_or_default();
    let name_start = before_digest.rfind('/').map_or(0, |i| i + 1);
    match before_digest[name_start..].find(':') {
        Some(colon) => at.span.sub(name_start + colon + 1, before_digest.len()),
        None => at.span,
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::document::FileKind;
    use crate::rules::option::Owned;
    use crate::settings::{RuleSettings, Settings};
    use crate::source::SourceFile;

    fn findings(text: &str, kind: FileKind, strict: bool) -> Vec<(Severity, String)> {
        let mut settings =
            Settings { select: vec!["mutable-image-tag".into()], ..Default::default() };
        let mut rule = RuleSettings::default();
        rule.options.insert("strict-pinning".into(), Owned::Bool(strict));
        settings.rules.insert("mutable-image-tag".into(), rule);
        let report = crate::lint_as(SourceFile::new("x", text), kind, &settings);
        report.diagnostics.iter().map(|d| (d.severity, d.message.clone())).collect()
    }

    #[test]
    fn strict_pinning_reports_every_tag_without_a_digest() {
        let text = "FROM python:3.12.4-slim\nFROM nginx:1.27.0@sha256:\
                    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
        assert!(findings(text, FileKind::Dockerfile, false).is_empty());
        let strict = findings(text, FileKind::Dockerfile, true);
        assert_eq!(
            strict,
            [(Severity::Info, "`python:3.12.4-slim` is not pinned by digest".to_string())]
        );
        let compose = "services:\n  a: {image: \"redis:7.2.5\"}\n";
        assert_eq!(findings(compose, FileKind::Compose, true).len(), 1);
    }

    #[test]
    fn a_latest_finding_points_at_the_tag() {
        let text = "FROM nginx:latest\n";
        let source = SourceFile::new("x", text);
        let settings = Settings { select: vec!["mutable-image-tag".into()], ..Default::default() };
        let report = crate::lint_as(source, FileKind::Dockerfile, &settings);
        let span = report.diagnostics[0].span;
        assert_eq!(&text[span.start..span.end], "latest");
    }
}
