//! `runtime-socket-mount`: the container runtime's socket (Docker, containerd, K3s's
//! containerd, CRI-O, Podman), or a directory holding it, mounted into a container: root on the
//! node through the runtime's API.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{MountType, Service};
use crate::model::container::{ContainerRole, ContainerView, Pod};
use crate::model::kubernetes::Manifests;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::security::{host_path, runtime_socket, RuntimeSocket};
use crate::source::Spanned;

declare_rule! {
    /// The runtime's API handed to a container.
    RuntimeSocketMount {
        name: "runtime-socket-mount",
        summary: "the container runtime's socket is mounted into a container, which makes it root on the node",
        severity: Error,
        formats: [Compose, Kubernetes],
        equivalents: ["kube-linter:docker-sock", "checkov:CKV_K8S_27"],
    }
}

/// The annotation that accepts a runtime socket mount with a reason.
pub const ALLOW_ANNOTATION: &str = "edgelint.io/allow-runtime-socket";

const HELP: &str = "avoid it: update images through the orchestrator (a Deployment rollout, K3s's \
     system-upgrade-controller) rather than watchtower-style agents; if a container really needs \
     the runtime's API, put a socket proxy with an allowlist in front of it";

impl Rule for RuntimeSocketMount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let t = pod.template;
        let allowed = pod
            .object
            .annotations
            .iter()
            .chain(&t.annotations)
            .any(|(k, _)| k.value == ALLOW_ANNOTATION);
        if allowed {
            return;
        }
        for volume in &t.volumes {
            let Some(name) = &volume.name else { continue };
            let Some(path) = host_path(stream, pod.object, volume) else { continue };
            let Some(found) = runtime_socket(&path.value) else { continue };
            let user = t.containers.iter().find(|c| {
                c.role != ContainerRole::Ephemeral
                    && c.volume_mounts
                        .iter()
                        .any(|m| m.name.as_ref().is_some_and(|n| n.value == name.value))
            });
            let Some(user) = user else { continue };
            let image = user.image.as_ref().map(|i| i.value.as_str());
            report(cx, &path, found, &user.describe(), image);
        }
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        if let ContainerView::Compose { service, .. } = container {
            check_service(service, cx);
        }
    }
}

fn check_service(service: &Service, cx: &mut Ctx) {
    let who = format!("service `{}`", service.name.value);
    let image = service.image.as_ref().map(|i| i.value.as_str());
    for mount in &service.volumes {
        if mount.kind != MountType::Bind {
            continue;
        }
        let Some(source) = &mount.source else { continue };
        let Some(found) = runtime_socket(&source.value) else { continue };
        report(cx, source, found, &who, image);
    }
}

/// Socket proxies are the recommended way to give a container a filtered view of the API: they
/// need the socket themselves.
fn is_socket_proxy(image: Option<&str>) -> bool {
    image.is_some_and(|i| i.to_ascii_lowercase().contains("socket-proxy"))
}

fn report(
    cx: &mut Ctx,
    path: &Spanned<String>,
    found: RuntimeSocket,
    who: &str,
    image: Option<&str>,
) {
    let p = &path.value;
    let (message, severity) = match found {
        RuntimeSocket::Socket(_) if is_socket_proxy(image) => (
            format!(
                "{who} mounts the runtime socket `{p}`: a socket proxy, keep its allowlist short"
            ),
            Severity::Info,
        ),
        RuntimeSocket::Socket(_) => (
            format!(
                "{who} mounts the runtime socket `{p}`: root on the node through the runtime's \
                 API, even mounted read-only"
            ),
            Severity::Error,
        ),
        RuntimeSocket::Directory(socket) => (
            format!(
                "{who} mounts `{p}`, the directory of the runtime socket `{socket}`: root on the \
                 node through the runtime's API"
            ),
            Severity::Warning,
        ),
    };
    cx.report(path.span, message).severity(severity).help(HELP);
}
