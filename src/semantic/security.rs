//! Who a container runs as and what it may do to its node: the effective user of a Kubernetes
//! container (pod `securityContext` overridden by the container's), of a Compose service and of
//! a Dockerfile's final image; images known to set a non-root `USER`; capabilities and host
//! paths that give the node away. One definition for `runs-as-root`, `privileged-container` and
//! the rules about volume ownership.

use crate::model::kubernetes::{Container, Manifests, Object, PodTemplate, Scalar, Volume};
use crate::source::{Span, Spanned};
use crate::syntax::dockerfile::{Args, Dockerfile, Instruction};
use crate::values::image_ref;

/// Who a Kubernetes container runs as, after the container's `securityContext` overrides the
/// pod's field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunAs {
    /// Effective `runAsUser > 0`, or effective `runAsNonRoot: true` without `runAsUser: 0`.
    NonRoot,
    /// Effective `runAsUser: 0` (the span of that value).
    Root(Span),
    /// `runAsNonRoot: true` with `runAsUser: 0`: the kubelet refuses to start the container
    /// (`CreateContainerConfigError`). Spans of `runAsUser` and of `runAsNonRoot`.
    Conflict { user: Span, non_root: Span },
    /// Nothing says non-root: the image's `USER` decides, root for most images. The span is an
    /// explicit `runAsNonRoot: false`, if that is what the effective value is.
    Unset { explicit_false: Option<Span> },
    /// A Windows pod or container: `runAsUser`/`runAsNonRoot` do not apply.
    Windows,
    /// `runAsUser` or `runAsNonRoot` written with a value that is not a plain integer or boolean
    /// (a template, a quoted value the API server rejects): not judged.
    Unknown,
}

/// Whether a pod template runs Windows containers: `os.name: windows`, a
/// `kubernetes.io/os: windows` node selector, or pod-level `windowsOptions`.
pub fn is_windows_pod(pod: &PodTemplate) -> bool {
    pod.security.os_name.as_ref().is_some_and(|o| o.value.eq_ignore_ascii_case("windows"))
        || pod
            .node_selector
            .iter()
            .any(|(k, v)| k.value == "kubernetes.io/os" && v.value.eq_ignore_ascii_case("windows"))
        || pod.security.context.as_ref().is_some_and(|c| c.windows_options)
}

/// The effective user of `container` in `pod`.
pub fn run_as(pod: &PodTemplate, container: &Container) -> RunAs {
    let own = container.security.as_ref();
    if is_windows_pod(pod) || own.is_some_and(|c| c.windows_options) {
        return RunAs::Windows;
    }
    let shared = pod.security.context.as_ref();
    let user =
        own.and_then(|c| c.run_as_user.as_ref()).or(shared.and_then(|c| c.run_as_user.as_ref()));
    let non_root = own
        .and_then(|c| c.run_as_non_root.as_ref())
        .or(shared.and_then(|c| c.run_as_non_root.as_ref()));
    let user = match user.map(|u| (&u.value, u.span)) {
        None | Some((Scalar::Null, _)) => None,
        Some((Scalar::Int(n), span)) if *n >= 0 => Some((*n, span)),
        Some(_) => return RunAs::Unknown,
    };
    let non_root = match non_root.map(|n| (n.value, n.span)) {
        None => None,
        Some((Some(b), span)) => Some((b, span)),
        Some((None, _)) => return RunAs::Unknown,
    };
    match (user, non_root) {
        (Some((0, user)), Some((true, non_root))) => RunAs::Conflict { user, non_root },
        (Some((0, span)), _) => RunAs::Root(span),
        (Some(_), _) | (None, Some((true, _))) => RunAs::NonRoot,
        (None, Some((false, span))) => RunAs::Unset { explicit_false: Some(span) },
        (None, None) => RunAs::Unset { explicit_false: None },
    }
}

/// Whether a `USER` value or a Compose `user:` names root: `root`, `0`, with any group
/// (`0:0`, `root:wheel`). `None` when a variable is left in it or it is empty.
pub fn user_is_root(user: &str) -> Option<bool> {
    let user = user.trim();
    if user.is_empty() || user.contains('$') || user.contains("{{") {
        return None;
    }
    let name = user.split_once(':').map_or(user, |(u, _)| u).trim();
    if name.is_empty() {
        return None;
    }
    Some(name == "root" || (name.bytes().all(|b| b.is_ascii_digit()) && name.parse() == Ok(0u64)))
}

/// Images whose own Dockerfile ends with a non-root `USER` (checked against their Dockerfiles):
/// matched on the familiar name (`grafana/grafana`, `docker.elastic.co/kibana/kibana`).
const NON_ROOT_IMAGES: &[&str] = &[
    "grafana/grafana",
    "grafana/grafana-oss",
    "grafana/grafana-enterprise",
    "grafana/loki",
    "prom/prometheus",
    "prom/alertmanager",
    "prom/node-exporter",
    "prom/pushgateway",
    "prom/blackbox-exporter",
    "quay.io/prometheus/prometheus",
    "quay.io/prometheus/alertmanager",
    "quay.io/prometheus/node-exporter",
    "nodered/node-red",
    "nginxinc/nginx-unprivileged",
    "docker.elastic.co/elasticsearch/elasticsearch",
    "docker.elastic.co/kibana/kibana",
    "docker.elastic.co/logstash/logstash",
    "docker.elastic.co/beats/filebeat",
    "docker.elastic.co/beats/metricbeat",
    "docker.elastic.co/beats/heartbeat",
    "docker.elastic.co/beats/auditbeat",
    "docker.elastic.co/beats/packetbeat",
    "docker.elastic.co/elastic-agent/elastic-agent",
    "docker.elastic.co/beats/elastic-agent",
    "jenkins/jenkins",
    "quay.io/keycloak/keycloak",
];

/// Whether `image` (a reference as written) is known to run as a non-root user by default: the
/// table above, every `bitnami/*` and `cgr.dev/chainguard/*` image, and tags that say so
/// (`nonroot`, `*-nonroot`, `*-rootless`, as distroless and Gitea publish them).
pub fn image_runs_as_non_root(image: &str) -> bool {
    let Ok(r) = image_ref::parse(image) else { return false };
    let name = r.familiar_name();
    let tag = r.tag.as_deref().unwrap_or("");
    NON_ROOT_IMAGES.contains(&name.as_str())
        || name.starts_with("bitnami/")
        || name.starts_with("docker.io/bitnami/")
        || name.starts_with("cgr.dev/chainguard/")
        || tag == "nonroot"
        || tag.ends_with("-nonroot")
        || tag.ends_with("-rootless")
        || tag == "rootless"
}

/// Whether `image` is a Windows image (`mcr.microsoft.com/windows/*`, Nano Server, Server
/// Core): Windows has no uid 0; its users are `ContainerAdministrator`/`ContainerUser`.
pub fn is_windows_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    lower.contains("mcr.microsoft.com/windows")
        || lower.contains("nanoserver")
        || lower.contains("servercore")
}

/// The `USER` a Dockerfile stage's image ends with.
#[derive(Clone, Copy, Debug)]
pub struct StageUser<'a> {
    /// The last `USER` of the stage or of the stages it is built `FROM`, nearest first.
    pub user: Option<&'a Instruction>,
    /// That instruction's index in [`Dockerfile::instructions`].
    pub index: Option<usize>,
    /// The stage whose `FROM` names an image (not an earlier stage): the `USER` of that image
    /// applies when no `USER` is written.
    pub base: usize,
}

/// The `USER` stage `stage` ends with, following `FROM <earlier stage>`.
pub fn stage_user(file: &Dockerfile, stage: usize) -> StageUser<'_> {
    let mut cur = stage;
    // base_stage always points to an earlier stage, so this walk ends.
    while let Some(s) = file.stages.get(cur) {
        let range = s.instructions.clone();
        let found = file
            .instructions
            .get(range.clone())
            .unwrap_or_default()
            .iter()
            .enumerate()
            .rev()
            .find(|(_, i)| i.keyword == "USER");
        if let Some((offset, ins)) = found {
            return StageUser { user: Some(ins), index: Some(range.start + offset), base: cur };
        }
        match s.base_stage {
            Some(b) => cur = b,
            None => break,
        }
    }
    StageUser { user: None, index: None, base: cur }
}

/// The value of a `USER` instruction with the stage's `ARG` defaults substituted; `None` when a
/// variable stays unknown.
pub fn user_value(file: &Dockerfile, index: usize) -> Option<String> {
    let ins = file.instructions.get(index)?;
    let Args::Other(text) = &ins.args else { return None };
    crate::values::interpolate::substitute(&text.value, |n| file.arg_at(index, n)?.value)
}

/// Capabilities that give away the node (or its network): `ALL`, `SYS_ADMIN`, `NET_ADMIN`,
/// `SYS_MODULE`, `SYS_RAWIO`, in any case, with or without `CAP_`. Returns the canonical name.
pub fn dangerous_capability(cap: &str) -> Option<&'static str> {
    let upper = cap.trim().to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
    ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_MODULE", "SYS_RAWIO"].into_iter().find(|c| *c == name)
}

/// Host paths whose write access owns the node: `/`, `/etc`, `/proc/sys`, `/var/lib/rancher`
/// (K3s state and its server token), `/var/lib/kubelet`. Exact paths, trailing slashes ignored:
/// a subdirectory (a CSI driver's `/var/lib/kubelet/plugins`) is not one of them.
pub fn is_node_owning_path(path: &str) -> bool {
    let trimmed = path.trim();
    let p = trimmed.trim_end_matches('/');
    let p = if p.is_empty() && trimmed.starts_with('/') { "/" } else { p };
    matches!(p, "/" | "/etc" | "/proc/sys" | "/var/lib/rancher" | "/var/lib/kubelet")
}

/// The `path` of a `hostPath` volume.
pub fn host_path(stream: &Manifests, object: &Object, volume: &Volume) -> Option<Spanned<String>> {
    if volume.source.as_ref()?.value != "hostPath" {
        return None;
    }
    let node = stream.node(object.doc, volume.source_node?)?;
    let path = node.get("path")?.value;
    Some(Spanned::new(path.as_str()?.to_string(), path.span()))
}

/// What a host path gives of the node's container runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeSocket {
    /// The socket itself (`/var/run/docker.sock`): the canonical path.
    Socket(&'static str),
    /// A directory holding a runtime socket (`/var/run`, `/run/containerd`).
    Directory(&'static str),
}

/// The runtime sockets (Docker, containerd, K3s's containerd, CRI-O, Podman), under `/run`.
const RUNTIME_SOCKETS: &[&str] = &[
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/podman/podman.sock",
];

/// Whether a host path is a container runtime's socket or a directory holding one. `/var/run`
/// is a link to `/run` on current distributions, so both spellings match; trailing and
/// doubled slashes are ignored.
pub fn runtime_socket(path: &str) -> Option<RuntimeSocket> {
    let mut p = String::new();
    for part in path.trim().split('/').filter(|c| !c.is_empty() && *c != ".") {
        p.push('/');
        p.push_str(part);
    }
    // the root is `privileged-container`'s (a writable `/`)
    if !path.trim().starts_with('/') || p.is_empty() {
        return None;
    }
    let p = match p.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => p,
    };
    if let Some(s) = RUNTIME_SOCKETS.iter().find(|s| **s == p) {
        return Some(RuntimeSocket::Socket(s));
    }
    RUNTIME_SOCKETS
        .iter()
        .find(|s| s.strip_prefix(p.as_str()).is_some_and(|rest| rest.starts_with('/')))
        .map(|s| RuntimeSocket::Directory(s))
}

/// A Compose boolean given as a string or a YAML boolean: what compose-go accepts as true.
pub fn compose_true(value: &str) -> bool {
    matches!(value.trim(), "true" | "True" | "TRUE" | "1" | "t" | "T")
}

/// A Compose boolean given as a string or a YAML boolean: what compose-go accepts as false.
pub fn compose_false(value: &str) -> bool {
    matches!(value.trim(), "false" | "False" | "FALSE" | "0" | "f" | "F")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::{parse_stream, Limits};

    fn verdicts(spec: &str) -> Vec<RunAs> {
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}");
        let m = Manifests::from_yaml(parse_stream(&text, &Limits::default()));
        let pod = &m.objects[0].pod_templates[0];
        pod.containers.iter().map(|c| run_as(pod, c)).collect()
    }

    #[test]
    fn the_container_overrides_the_pod_field_by_field() {
        let v = verdicts(
            "  securityContext: {runAsNonRoot: true}\n  containers:\n\
             \x20   - {name: a, image: a}\n\
             \x20   - {name: b, image: b, securityContext: {runAsNonRoot: false}}\n\
             \x20   - {name: c, image: c, securityContext: {runAsUser: 0}}\n\
             \x20   - {name: d, image: d, securityContext: {runAsUser: 1000}}\n",
        );
        assert_eq!(v[0], RunAs::NonRoot);
        assert!(matches!(v[1], RunAs::Unset { explicit_false: Some(_) }));
        assert!(matches!(v[2], RunAs::Conflict { .. }));
        assert_eq!(v[3], RunAs::NonRoot);
    }

    #[test]
    fn pod_user_and_unset_and_windows() {
        let v = verdicts(
            "  securityContext: {runAsUser: 0}\n  containers:\n    - {name: a, image: a}\n\
             \x20   - {name: b, image: b, securityContext: {runAsUser: 10001}}\n",
        );
        assert!(matches!(v[0], RunAs::Root(_)));
        assert_eq!(v[1], RunAs::NonRoot);
        let v = verdicts("  containers:\n    - {name: a, image: a}\n");
        assert_eq!(v[0], RunAs::Unset { explicit_false: None });
        let v =
            verdicts("  nodeSelector: {kubernetes.io/os: windows}\n  containers: [{name: a}]\n");
        assert_eq!(v[0], RunAs::Windows);
        let v = verdicts("  containers: [{name: a, securityContext: {runAsUser: \"1000\"}}]\n");
        assert_eq!(v[0], RunAs::Unknown);
    }

    #[test]
    fn root_users() {
        for root in ["root", "0", "0:0", "root:root", " root "] {
            assert_eq!(user_is_root(root), Some(true), "{root}");
        }
        for other in ["app", "1000", "1000:0", "nobody:root", "00001"] {
            assert_eq!(user_is_root(other), Some(false), "{other}");
        }
        assert_eq!(user_is_root("00"), Some(true));
        assert_eq!(user_is_root("${UID}"), None);
        assert_eq!(user_is_root(""), None);
    }

    #[test]
    fn capabilities_paths_images() {
        assert_eq!(dangerous_capability("cap_sys_admin"), Some("SYS_ADMIN"));
        assert_eq!(dangerous_capability("ALL"), Some("ALL"));
        assert_eq!(dangerous_capability("NET_BIND_SERVICE"), None);
        assert!(is_node_owning_path("/"));
        assert!(is_node_owning_path("/etc/"));
        assert!(!is_node_owning_path("/var/lib/kubelet/plugins"));
        assert!(!is_node_owning_path("/etc/localtime"));
        assert!(image_runs_as_non_root("bitnami/postgresql:16"));
        assert!(image_runs_as_non_root("gcr.io/distroless/static:nonroot"));
        assert!(image_runs_as_non_root("grafana/grafana:11.2.0"));
        assert!(image_runs_as_non_root("docker.elastic.co/beats/filebeat:8.15.0"));
        assert!(!image_runs_as_non_root("docker.elastic.co/beats/filebeat-wolfi-unknown:8"));
        assert!(!image_runs_as_non_root("postgres:16"));
        assert!(!image_runs_as_non_root("${IMAGE}"));
        assert!(is_windows_image("mcr.microsoft.com/windows/servercore:ltsc2022"));
        assert!(is_windows_image("golang:1.23-nanoserver-ltsc2022"));
        assert!(!is_windows_image("golang:1.23-alpine"));
        let sock = |p| runtime_socket(p);
        assert_eq!(sock("/var/run/docker.sock"), Some(RuntimeSocket::Socket("/run/docker.sock")));
        assert_eq!(sock("//run/docker.sock/"), Some(RuntimeSocket::Socket("/run/docker.sock")));
        assert_eq!(
            sock("/var/run/k3s/containerd/containerd.sock"),
            Some(RuntimeSocket::Socket("/run/k3s/containerd/containerd.sock"))
        );
        assert_eq!(sock("/var/run"), Some(RuntimeSocket::Directory("/run/docker.sock")));
        assert!(matches!(sock("/run/containerd"), Some(RuntimeSocket::Directory(_))));
        assert_eq!(sock("/"), None, "the root is privileged-container's");
        assert_eq!(sock("/run/user/1000"), None);
        assert_eq!(sock("/var/run/docker.sock.bak"), None);
        assert_eq!(sock("./docker.sock"), None);
    }

    #[test]
    fn stage_user_follows_the_stage_chain() {
        let (doc, _) = crate::parse(
            &crate::source::SourceFile::new(
                "Dockerfile",
                "ARG U=app\nFROM alpine AS base\nUSER 1000\nFROM base AS mid\nRUN true\nFROM mid\nARG U\nUSER $U\n",
            ),
            crate::document::FileKind::Dockerfile,
        );
        let crate::document::Document::Dockerfile(df) = &doc else { panic!("dockerfile") };
        let u = stage_user(df, 1);
        assert_eq!(u.index, Some(2));
        assert_eq!(u.base, 0);
        let u = stage_user(df, 2);
        assert_eq!(user_value(df, u.index.unwrap()).as_deref(), Some("app"));
    }
}
