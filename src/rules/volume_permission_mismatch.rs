//! `volume-permission-mismatch`: a container that runs as a non-root user writes to a `hostPath`
//! directory, whose ownership the kubelet never changes (`fsGroup` does not apply to hostPath),
//! so the directory the runtime creates (root, 0755) is not writable (documented in
//! `rules/volume-permission-mismatch.md`).

use crate::declare_rule;
use crate::model::container::Pod;
use crate::model::kubernetes::{ContainerRole, Manifests};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::host_paths::{is_node_path, writable_host_paths};
use crate::semantic::security::{run_as, RunAs};

declare_rule! {
    /// A non-root container writing to a hostPath the kubelet does not chown.
    VolumePermissionMismatch {
        name: "volume-permission-mismatch",
        summary: "a non-root container writes to a hostPath directory, whose ownership fsGroup does not change",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
    }
}

const HELP: &str = "create the directory with the container's owner when the node is \
     provisioned, or add an init container that runs as root with only `CAP_CHOWN` and runs \
     `chown -R <uid>:<gid>` on it; `fsGroup` does not apply to hostPath";

impl Rule for VolumePermissionMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let t = pod.template;
        for host in writable_host_paths(stream, pod.object, t) {
            if is_node_path(&host.path.value) {
                continue;
            }
            // Sockets, devices and files are not directories the runtime creates.
            let kind = host.kind.as_ref().map(|k| k.value.as_str());
            if !matches!(kind, None | Some("") | Some("Directory") | Some("DirectoryOrCreate")) {
                continue;
            }
            let Some(volume) = host.volume.name.as_ref() else { continue };
            // An init container that fixes the ownership (the documented fix).
            let fixed = t.containers.iter().any(|c| {
                c.role == ContainerRole::Init
                    && c.volume_mounts
                        .iter()
                        .any(|m| m.name.as_ref().is_some_and(|n| n.value == volume.value))
                    && c.command
                        .iter()
                        .chain(&c.args)
                        .any(|a| a.value.contains("chown") || a.value.contains("chmod"))
            });
            if fixed {
                continue;
            }
            let Some(writer) = host.writers.iter().find(|c| run_as(t, c) == RunAs::NonRoot) else {
                continue;
            };
            cx.report(
                host.path.span,
                format!(
                    "hostPath `{}` is written by {}, which runs as a non-root user: the kubelet \
                     does not change a hostPath's owner (`fsGroup` does not apply), and a \
                     directory the runtime creates belongs to root",
                    host.path.value,
                    writer.describe()
                ),
            )
            .help(HELP);
        }
    }
}
