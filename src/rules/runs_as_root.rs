//! `runs-as-root`: Dockerfiles whose final image runs as root, Kubernetes containers whose
//! effective security context does not say non-root, Compose services without a non-root
//! `user:`. Who a container runs as is [`crate::semantic::security`].

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::Service;
use crate::model::container::{ContainerRole, ContainerView, Pod};
use crate::model::kubernetes::Container;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::security::{
    image_runs_as_non_root, is_windows_image, run_as, stage_user, user_is_root, user_value, RunAs,
};
use crate::syntax::dockerfile::Dockerfile;

declare_rule! {
    /// A container whose process runs as uid 0.
    RunsAsRoot {
        name: "runs-as-root",
        summary: "a container, service or final image runs as root",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [
            "hadolint:DL3002",
            "kube-linter:run-as-non-root",
            "polaris:runAsRootAllowed",
            "checkov:CKV_K8S_23",
            "checkov:CKV_DOCKER_3",
            "checkov:CKV_DOCKER_8",
            "kube-score:container-security-context-user-group-id",
        ],
    }
}

const K8S_FIX: &str =
    "securityContext: {runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false}";

impl Rule for RunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn stage(&self, file: &Dockerfile, index: usize, cx: &mut Ctx) {
        if file.final_stage() != Some(index) {
            return;
        }
        check_final_stage(file, index, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        match container {
            ContainerView::Kubernetes { pod, container } => check_kubernetes(*pod, container, cx),
            ContainerView::Compose { service, .. } => check_service(service, cx),
        }
    }
}

// -------------------------------------------------------------------------------------------
// Dockerfile

fn check_final_stage(file: &Dockerfile, index: usize, cx: &mut Ctx) {
    let found = stage_user(file, index);
    let Some(stage) = file.stages.get(index) else { return };
    match (found.user, found.index) {
        (Some(user), Some(at)) => {
            let Some(value) = user_value(file, at) else { return };
            if user_is_root(&value) == Some(true) {
                let inherited = if found.base == index && stage_contains(file, index, at) {
                    String::new()
                } else {
                    " (inherited from an earlier stage)".to_string()
                };
                cx.report(
                    user.span,
                    format!(
                        "the final image runs as root: its last `USER` is `{value}`{inherited}"
                    ),
                )
                .help(
                    "end the final stage with a non-root user, e.g. `USER 10001` (create it with \
                     `adduser`/`useradd` in an earlier `RUN` if the image needs a name)",
                );
            }
        }
        _ => {
            let base = file.stages.get(found.base).unwrap_or(stage);
            let image = base.resolved_image.as_deref().unwrap_or(&base.image.value);
            if image_runs_as_non_root(image) || is_windows_image(image) {
                return;
            }
            let Some(from) = file.instructions.get(stage.from) else { return };
            let end = stage.name.as_ref().map_or(stage.image.span, |n| n.span);
            cx.report(
                from.keyword_span.cover(end),
                format!(
                    "the final image runs as root: no `USER` in the final stage, and `{image}` \
                     runs as root unless it sets a `USER` itself"
                ),
            )
            .help("add `USER 10001` (or another non-root user) at the end of the final stage");
        }
    }
}

fn stage_contains(file: &Dockerfile, stage: usize, at: usize) -> bool {
    file.stages.get(stage).is_some_and(|s| s.instructions.contains(&at))
}

// -------------------------------------------------------------------------------------------
// Kubernetes

fn check_kubernetes(pod: Pod<'_>, container: &Container, cx: &mut Ctx) {
    // ephemeral containers are debugging sessions
    if container.role == ContainerRole::Ephemeral {
        return;
    }
    // a partial object (a kustomize patch) is merged into one defined elsewhere, which may set
    // the security context: only what it sets is judged
    let partial = cx.semantic().is_partial(&pod);
    let who = container.describe();
    match run_as(pod.template, container) {
        RunAs::NonRoot | RunAs::Windows | RunAs::Unknown => {}
        RunAs::Root(span) => {
            cx.report(span, format!("{who} runs as root (`runAsUser: 0`)"))
                .help(format!("run as a non-root uid: `{K8S_FIX}`"));
        }
        RunAs::Conflict { user, non_root } => {
            cx.report(
                user,
                format!(
                    "{who} sets `runAsUser: 0` with `runAsNonRoot: true`: the kubelet refuses \
                     to start it"
                ),
            )
            .severity(Severity::Error)
            .label(non_root, "non-root required here")
            .help(format!("set a non-root uid: `{K8S_FIX}`"));
        }
        // what the base sets is unknown
        RunAs::Unset { .. } if partial => {}
        RunAs::Unset { explicit_false } => {
            let image = container.image.as_ref().map(|i| i.value.as_str()).unwrap_or("");
            if is_windows_image(image) {
                return;
            }
            let known = image_runs_as_non_root(image);
            let span = explicit_false.unwrap_or_else(|| container.anchor_span());
            let mut message = match explicit_false {
                Some(_) => {
                    format!("{who} may run as root: `runAsNonRoot: false` and no `runAsUser`")
                }
                None => format!(
                    "{who} may run as root: neither the pod nor the container sets \
                     `runAsNonRoot: true` or `runAsUser` above 0"
                ),
            };
            let report = if known {
                message.push_str(&format!("; `{image}` sets a non-root `USER` itself"));
                cx.report(span, message).severity(Severity::Info)
            } else {
                cx.report(span, message)
            };
            report.help(format!(
                "add `{K8S_FIX}` to the container (or `runAsNonRoot`/`runAsUser` to the pod's \
                 `securityContext`)"
            ));
        }
    }
}

// -------------------------------------------------------------------------------------------
// Compose

fn check_service(service: &Service, cx: &mut Ctx) {
    let name = &service.name.value;
    match &service.security.user {
        Some(user) => {
            if user_is_root(&resolve_compose(&user.value)) == Some(true) {
                cx.report(
                    user.span,
                    format!("service `{name}` runs as root (`user: {}`)", user.value),
                )
                .help("set a non-root user: `user: \"10001:10001\"`");
            }
        }
        None => {
            // built from a Dockerfile of the project: that Dockerfile's `USER` decides, and it is
            // linted on its own; without image and build it is an override fragment; `extends`
            // of another file may set `user:` there
            if service.build.is_some() || service.extends_other_file {
                return;
            }
            let Some(image) = &service.image else { return };
            if image_runs_as_non_root(&image.value) || is_windows_image(&image.value) {
                return;
            }
            cx.report(
                service.name.span,
                format!(
                    "service `{name}` may run as root: no `user:`, and `{}` runs as root unless \
                     it sets a `USER` itself",
                    image.value
                ),
            )
            .help("add `user: \"10001:10001\"` (a uid that owns the service's volumes)");
        }
    }
}

/// `${UID:-0}` → `0`: a Compose interpolation judged by its default; unknown stays as written.
fn resolve_compose(value: &str) -> String {
    crate::values::interpolate::substitute(value, |_| None).unwrap_or_else(|| value.to_string())
}
