//! `unpinned-hostpath`: a workload keeps data in a `hostPath` directory but nothing keeps it on
//! that node, so a reschedule starts it on another node's empty directory (documented in
//! `rules/unpinned-hostpath.md`).

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::container::Pod;
use crate::model::kubernetes::Manifests;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::host_paths::{is_node_path, node_pin, writable_host_paths};

declare_rule! {
    /// Data in a hostPath directory of whichever node the pod lands on.
    UnpinnedHostpath {
        name: "unpinned-hostpath",
        summary: "a workload writes data to a hostPath but is not pinned to a node, so a reschedule finds an empty directory",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
    }
}

const PIN_HELP: &str = "pin the pod to the node that holds the data (`nodeSelector: \
     {kubernetes.io/hostname: <node>}` or `nodeName`), or use a PersistentVolumeClaim of the \
     `local-path` class, whose volume records its node";

impl Rule for UnpinnedHostpath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let kind = pod.object.kind.value.as_str();
        // A bare Pod is never rescheduled (and static pods live on their node's disk).
        if kind == "Pod" {
            return;
        }
        // A DaemonSet runs on every node it selects: each pod has its own node's directory.
        let moves = kind != "DaemonSet";
        let pinned = node_pin(stream, pod.object, pod.template).is_some();
        let workload = match &pod.object.name {
            Some(n) => format!("{kind} `{}`", n.value),
            None => kind.to_string(),
        };
        for host in writable_host_paths(stream, pod.object, pod.template) {
            if is_node_path(&host.path.value) {
                continue;
            }
            let path = &host.path.value;
            if moves && !pinned {
                cx.report(
                    host.path.span,
                    format!(
                        "hostPath `{path}` holds the data of {workload}, which is not pinned to \
                         a node: rescheduled elsewhere, it starts on that node's empty directory"
                    ),
                )
                .help(PIN_HELP);
                continue;
            }
            // A DaemonSet must create its directory on every new node: only a pinned
            // workload's data is expected to be there already.
            let kind = host.kind.as_ref().map(|k| k.value.as_str());
            if moves && matches!(kind, None | Some("") | Some("DirectoryOrCreate")) {
                let (span, what) = match &host.kind {
                    Some(k) => (k.span, format!("`type: {}`", k.value)),
                    None => (host.path.span, "no `type`".to_string()),
                };
                cx.report(
                    span,
                    format!(
                        "hostPath `{path}` has {what}: if the directory is missing or misspelt \
                         on the node, an empty one owned by root is created and the data is not \
                         found"
                    ),
                )
                .severity(Severity::Info)
                .help("set `type: Directory` for data that must already be there");
            }
        }
    }
}
