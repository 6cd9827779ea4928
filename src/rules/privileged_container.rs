//! `privileged-container`: containers and services that can take over their node: privileged
//! mode, the host's PID or IPC namespace, privilege escalation, capabilities that amount to
//! root on the node, writable mounts of the node's own state; host networking as advice.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::Service;
use crate::model::container::{ContainerRole, ContainerView, Pod};
use crate::model::kubernetes::{Container, Manifests, Object, PodTemplate};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::security::{
    compose_true, dangerous_capability, host_path, is_node_owning_path,
};
use crate::source::Spanned;

declare_rule! {
    /// A container that owns the device it runs on.
    PrivilegedContainer {
        name: "privileged-container",
        summary: "a container or service runs privileged or with host access that owns the node",
        severity: Error,
        formats: [Compose, Kubernetes],
        equivalents: [
            "kube-linter:privileged-container",
            "kube-linter:privilege-escalation-container",
            "kube-linter:host-pid",
            "kube-linter:host-ipc",
            "kube-score:container-security-context-privileged",
            "polaris:runAsPrivileged",
            "polaris:privilegeEscalationAllowed",
            "polaris:hostPIDSet",
            "polaris:hostIPCSet",
            "polaris:dangerousCapabilities",
            "checkov:CKV_K8S_16",
            "checkov:CKV_K8S_17",
            "checkov:CKV_K8S_18",
            "checkov:CKV_K8S_20",
        ],
    }
}

/// The annotation that accepts `privileged: true` with a reason.
pub const ALLOW_ANNOTATION: &str = "edgelint.io/allow-privileged";

const PRIVILEGED_HELP: &str = "map only the devices the container needs (a device plugin or \
     Akri in Kubernetes, `devices:` with `group_add` in Compose) and add only the capability it \
     uses; if privileged mode is really needed, say why in the annotation \
     `edgelint.io/allow-privileged: \"<reason>\"`";

const CAP_HELP: &str = "add only the capability the process needs (e.g. `NET_BIND_SERVICE`, \
     `SYS_TIME`), or map the device it uses";

impl Rule for PrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let t = pod.template;
        for (field, value) in [("hostPID", &t.security.host_pid), ("hostIPC", &t.security.host_ipc)]
        {
            if let Some(v) = value.as_ref().filter(|v| v.value == Some(true)) {
                let (ns, reach) = if field == "hostPID" {
                    ("process", "see, signal and trace every process of the device")
                } else {
                    ("IPC", "read and write the shared memory of every process of the device")
                };
                cx.report(
                    v.span,
                    format!("pod shares the node's {ns} namespace (`{field}: true`)"),
                )
                .severity(Severity::Warning)
                .help(format!("remove `{field}`: with it, a container can {reach}"));
            }
        }
        if let Some(v) = t.security.host_network.as_ref().filter(|v| v.value == Some(true)) {
            cx.report(v.span, "pod uses the node's network namespace (`hostNetwork: true`)")
                .severity(Severity::Info)
                .help(
                    "common for fieldbus and discovery protocols; if the pod only serves ports, \
                     use a Service or `hostPort` instead (see `host-network-dns`)",
                );
        }
        writable_host_paths(stream, pod, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        match container {
            ContainerView::Kubernetes { pod, container } => check_kubernetes(*pod, container, cx),
            ContainerView::Compose { service, .. } => check_service(service, cx),
        }
    }
}

fn allowed(object: &Object, template: &PodTemplate) -> bool {
    object.annotations.iter().chain(&template.annotations).any(|(k, _)| k.value == ALLOW_ANNOTATION)
}

fn check_kubernetes(pod: Pod<'_>, container: &Container, cx: &mut Ctx) {
    // ephemeral debug containers are added by hand (`kubectl debug --profile=sysadmin`)
    if container.role == ContainerRole::Ephemeral {
        return;
    }
    let Some(sc) = container.security.as_ref() else { return };
    let who = container.describe();
    if let Some(v) = sc.privileged.as_ref().filter(|v| v.value == Some(true)) {
        if !allowed(pod.object, pod.template) {
            cx.report(v.span, format!("{who} runs privileged: root on the node, every device"))
                .help(PRIVILEGED_HELP);
        }
    }
    if let Some(v) = sc.allow_privilege_escalation.as_ref().filter(|v| v.value == Some(true)) {
        cx.report(v.span, format!("{who} allows privilege escalation"))
            .severity(Severity::Warning)
            .help("set `allowPrivilegeEscalation: false`: setuid binaries can then not gain root");
    }
    for cap in &sc.capabilities_add {
        report_capability(cx, &who, cap);
    }
}

fn report_capability(cx: &mut Ctx, who: &str, cap: &Spanned<String>) {
    if let Some(name) = dangerous_capability(&cap.value) {
        let what = match name {
            "ALL" => "every capability",
            "SYS_ADMIN" => "`SYS_ADMIN` (mounts, namespaces: nearly root on the node)",
            "NET_ADMIN" => "`NET_ADMIN` (the node's interfaces, routes and firewall)",
            "SYS_MODULE" => "`SYS_MODULE` (loads kernel modules)",
            _ => "`SYS_RAWIO` (raw memory and I/O ports)",
        };
        cx.report(cap.span, format!("{who} adds {what}"))
            .severity(Severity::Warning)
            .help(CAP_HELP);
    }
}

/// hostPath volumes of the node's own state, mounted without `readOnly: true` by a container.
fn writable_host_paths(stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
    let t = pod.template;
    for volume in &t.volumes {
        if volume.source.as_ref().map(|s| s.value.as_str()) != Some("hostPath") {
            continue;
        }
        let Some(name) = &volume.name else { continue };
        let Some(path) = host_path(stream, pod.object, volume) else { continue };
        if !is_node_owning_path(&path.value) {
            continue;
        }
        let writer = t.containers.iter().find(|c| {
            c.role != ContainerRole::Ephemeral
                && c.volume_mounts.iter().any(|m| {
                    m.name.as_ref().is_some_and(|n| n.value == name.value)
                        && !m.read_only
                        && m.sub_path.is_none()
                })
        });
        if let Some(writer) = writer {
            cx.report(
                path.span,
                format!(
                    "hostPath `{}` is mounted writable by {}: it can rewrite the node",
                    path.value,
                    writer.describe()
                ),
            )
            .severity(Severity::Warning)
            .help("mount it with `readOnly: true`, or mount only the file or directory needed");
        }
    }
}

// -------------------------------------------------------------------------------------------
// Compose

fn check_service(service: &Service, cx: &mut Ctx) {
    let s = &service.security;
    let who = format!("service `{}`", service.name.value);
    if let Some(v) = s.privileged.as_ref().filter(|v| compose_true(&v.value)) {
        cx.report(v.span, format!("{who} runs privileged: root on the node, every device"))
            .help(PRIVILEGED_HELP);
    }
    for (field, value) in [("pid", &s.pid), ("ipc", &s.ipc)] {
        if let Some(v) = value.as_ref().filter(|v| v.value == "host") {
            let ns = if field == "pid" { "process" } else { "IPC" };
            cx.report(v.span, format!("{who} shares the node's {ns} namespace (`{field}: host`)"))
                .severity(Severity::Warning)
                .help(format!("remove `{field}: host`"));
        }
    }
    for cap in &s.cap_add {
        report_capability(cx, &who, cap);
    }
    for opt in &s.security_opt {
        let v = opt.value.replace(' ', "");
        let profile = ["seccomp", "apparmor"].into_iter().find(|p| {
            v.eq_ignore_ascii_case(&format!("{p}:unconfined"))
                || v.eq_ignore_ascii_case(&format!("{p}=unconfined"))
        });
        if let Some(profile) = profile {
            cx.report(opt.span, format!("{who} turns {profile} off (`{}`)", opt.value))
                .severity(Severity::Warning)
                .help("remove it, or write a profile that allows the one call the service needs");
        }
    }
    if let Some(v) = s.network_mode.as_ref().filter(|v| v.value == "host") {
        cx.report(
            v.span,
            format!("{who} uses the node's network namespace (`network_mode: host`)"),
        )
        .severity(Severity::Info)
        .help(
            "common for fieldbus and discovery protocols; if the service only serves ports, \
                 publish them with `ports:` instead",
        );
    }
}
