//! What a pod keeps on its node: the `hostPath` volumes it writes, whether a host path is the
//! node's own (system files, devices, runtime sockets, logs) or data the workload keeps there,
//! and whether the pod is pinned to one node. One definition for `unpinned-hostpath`,
//! `volume-permission-mismatch` and `short-shutdown-grace`.

use crate::model::kubernetes::{Container, ContainerRole, Manifests, Object, PodTemplate, Volume};
use crate::semantic::security::{host_path, is_node_owning_path, runtime_socket};
use crate::semantic::stateful;
use crate::source::{Span, Spanned};
use crate::values::image_ref::has_variable;

/// A `hostPath` volume of a pod template that a container mounts writable.
#[derive(Debug)]
pub struct WritableHostPath<'a> {
    pub volume: &'a Volume,
    /// `hostPath.path`, as written.
    pub path: Spanned<String>,
    /// `hostPath.type`, as written (absent: no check before mounting).
    pub kind: Option<Spanned<String>>,
    /// The containers (app, sidecar, init) that mount it without `readOnly: true`, in order.
    pub writers: Vec<&'a Container>,
}

/// The `hostPath` volumes of `pod` that an app, sidecar or init container mounts without
/// `readOnly: true` (ephemeral containers are for debugging and are not counted).
pub fn writable_host_paths<'a>(
    stream: &Manifests,
    object: &Object,
    pod: &'a PodTemplate,
) -> Vec<WritableHostPath<'a>> {
    let mut out = Vec::new();
    for volume in &pod.volumes {
        let Some(name) = &volume.name else { continue };
        let Some(path) = host_path(stream, object, volume) else { continue };
        let writers: Vec<&Container> = pod
            .containers
            .iter()
            .filter(|c| c.role != ContainerRole::Ephemeral)
            .filter(|c| {
                c.volume_mounts
                    .iter()
                    .any(|m| !m.read_only && m.name.as_ref().is_some_and(|n| n.value == name.value))
            })
            .collect();
        if writers.is_empty() {
            continue;
        }
        let kind = volume
            .source_node
            .and_then(|id| stream.node(object.doc, id))
            .and_then(|n| n.get("type"))
            .and_then(|e| e.value.as_str().map(|s| Spanned::new(s.to_string(), e.value.span())));
        out.push(WritableHostPath { volume, path, kind, writers });
    }
    out
}

/// Host directories that belong to the node and exist on every node: kernel interfaces,
/// devices, system configuration, libraries and binaries, the runtime's and the kubelet's
/// state, logs, CNI plugins. What a pod reads or writes there is the node's, not data that
/// should follow the pod. Each entry covers the path and everything below it.
const NODE_SYSTEM_PATHS: &[&str] = &[
    "/sys",
    "/proc",
    "/dev",
    "/etc",
    "/boot",
    "/lib",
    "/lib32",
    "/lib64",
    "/usr",
    "/bin",
    "/sbin",
    "/var/log",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/cni",
    "/var/lib/calico",
    "/var/lib/rancher",
    "/var/lib/dbus",
    "/var/lib/k0s",
    "/var/lib/edged",
    "/var/lib/kubeedge",
    "/opt/cni",
    "/run",
    "/var/run",
];

/// Whether a host path is the node's own (see [`NODE_SYSTEM_PATHS`]), scratch space (`/tmp`,
/// `/var/cache`…), a runtime socket, one of the paths that own the node
/// (`privileged-container`'s), or cannot be read (relative, templated): everything that is not
/// data a workload keeps on the node.
pub fn is_node_path(path: &str) -> bool {
    let trimmed = path.trim();
    if !trimmed.starts_with('/') || has_variable(trimmed) || trimmed.contains("{{") {
        return true;
    }
    let p = stateful::normalize(trimmed);
    p == "/"
        || is_node_owning_path(&p)
        || runtime_socket(&p).is_some()
        || stateful::is_scratch_path(&p)
        || NODE_SYSTEM_PATHS.iter().any(|s| stateful::covers(s, &p))
}

/// Node labels that many nodes share: selecting on them does not keep a pod on one node.
const SHARED_NODE_LABELS: &[&str] = &[
    "kubernetes.io/arch",
    "kubernetes.io/os",
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "node.kubernetes.io/instance-type",
    "beta.kubernetes.io/instance-type",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
];

/// Whether a node label key may single out a node: `kubernetes.io/hostname`, and any label
/// edgelint does not know to be shared (a site or node-pool label may be unique).
fn may_pin(key: &str) -> bool {
    !SHARED_NODE_LABELS.contains(&key)
}

/// What keeps a pod on one node, if anything: `nodeName`, a `nodeSelector` key or a required
/// node affinity term that may single out a node (anything but the shared labels: arch, OS,
/// instance type, zone, region). A term without `matchExpressions` (it selects by
/// `matchFields`, i.e. by node name) pins. Returns the span of what pins.
pub fn node_pin(stream: &Manifests, object: &Object, pod: &PodTemplate) -> Option<Span> {
    let spec = stream.node(object.doc, pod.node)?;
    if let Some(e) = spec.get("nodeName") {
        if e.value.as_str().is_some_and(|s| !s.is_empty()) {
            return Some(e.key.span());
        }
    }
    if let Some((k, _)) = pod.node_selector.iter().find(|(k, _)| may_pin(&k.value)) {
        return Some(k.span);
    }
    pod.required_node_affinity
        .iter()
        .find(|term| {
            term.expressions.is_empty()
                || term
                    .expressions
                    .iter()
                    .any(|e| e.key.as_ref().is_some_and(|k| may_pin(&k.value)))
        })
        .map(|term| term.span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_doc_lists_every_node_path() {
        let doc = include_str!("../../rules/unpinned-hostpath.md");
        for path in NODE_SYSTEM_PATHS {
            let listed = doc.contains(&format!("`{path}`"))
                || (path.starts_with("/lib") && doc.contains("`/lib*`"));
            assert!(listed, "rules/unpinned-hostpath.md does not list {path}");
        }
    }
    use crate::syntax::yaml::{parse_stream, Limits};

    #[test]
    fn node_paths_and_data() {
        for p in [
            "/",
            "/etc",
            "/etc/localtime",
            "/sys/fs/cgroup",
            "/proc",
            "/dev/ttyUSB0",
            "/var/run/docker.sock",
            "/run/udev",
            "/lib/modules",
            "/usr/share/zoneinfo",
            "/var/log",
            "/var/log/pods",
            "/var/lib/kubelet/plugins",
            "/var/lib/docker/containers",
            "/opt/cni/bin",
            "/tmp",
            "/tmp/.X11-unix",
            "/var/cache/apt",
            "relative/dir",
            "${DATA}",
            "{{ .Values.path }}",
        ] {
            assert!(is_node_path(p), "{p}");
        }
        for p in
            ["/data", "/srv/historian", "/var/lib/mysql", "/mnt/usb/db", "/home/pi/app", "/opt/app"]
        {
            assert!(!is_node_path(p), "{p}");
        }
    }

    fn pin(spec: &str) -> bool {
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}  containers: [{{name: a}}]\n");
        let m = Manifests::from_yaml(parse_stream(&text, &Limits::default()));
        let o = &m.objects[0];
        node_pin(&m, o, &o.pod_templates[0]).is_some()
    }

    #[test]
    fn what_pins_a_pod() {
        assert!(pin("  nodeName: edge-1\n"));
        assert!(pin("  nodeSelector: {kubernetes.io/hostname: edge-1}\n"));
        assert!(pin("  nodeSelector: {site: plant-a}\n"));
        assert!(!pin("  nodeSelector: {kubernetes.io/arch: arm64}\n"));
        assert!(!pin(""));
        assert!(!pin("  nodeName: \"\"\n"));
        let affinity = |expr: &str| {
            format!("  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n          - {expr}\n")
        };
        assert!(pin(&affinity(
            "matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [a]}]"
        )));
        assert!(pin(&affinity("matchFields: [{key: metadata.name, operator: In, values: [a]}]")));
        assert!(!pin(&affinity(
            "matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [arm64]}]"
        )));
    }
}
