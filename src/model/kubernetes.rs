//! The Kubernetes view: objects from multi-document streams and `kind: List`, and every pod
//! template in them (at the kind's PodSpec path, see `POD_TEMPLATE_PATHS`), with containers, volumes, probes, resources,
//! tolerations, node selection and security context, all with spans.
//!
//! Known kinds use their exact PodSpec path. Any other kind (CRDs such as Argo Rollouts, OpenYurt
//! YurtAppSet, Akri Configuration, KubeEdge EdgeApplication) is searched structurally for a
//! mapping with a `containers` list of mappings; those templates are marked `inferred`.
//! CustomResourceDefinitions are not searched (their schemas describe pods, they are not pods).

pub mod disruption;
pub mod service;
pub mod storage;

use crate::source::{Span, Spanned};
use crate::syntax::text::Text;
use crate::syntax::yaml::{NodeId, NodeRef, YamlStream};

/// A parsed Kubernetes stream.
#[derive(Debug)]
pub struct Manifests {
    pub yaml: YamlStream,
    pub objects: Vec<Object>,
    /// The pods each object runs and an index of their labels, read on first use
    /// ([`Manifests::pod_index`]).
    pods: std::sync::OnceLock<disruption::PodIndex>,
}

/// One object (a document, or an item of a `kind: List`).
#[derive(Debug)]
pub struct Object {
    /// Its position in [`Manifests::objects`].
    pub index: usize,
    /// Index of the YAML document holding it.
    pub doc: usize,
    pub node: NodeId,
    pub span: Span,
    pub api_version: Option<Spanned<String>>,
    pub kind: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    /// `metadata.annotations`, as written.
    pub annotations: Vec<(Spanned<String>, Spanned<String>)>,
    pub pod_templates: Vec<PodTemplate>,
    /// `spec.volumeClaimTemplates` of a StatefulSet: the names of the claims (the volumes each
    /// replica gets), with the span of each entry.
    pub volume_claim_templates: Vec<VolumeClaimTemplate>,
    /// The CronJob fields beside the pod template (`kind: CronJob` only).
    pub cron_job: Option<CronJobSpec>,
}

/// What a CronJob says about when and how its jobs start, as written.
#[derive(Debug, Default)]
pub struct CronJobSpec {
    /// The `spec` key.
    pub spec_key: Span,
    pub schedule: Option<Spanned<String>>,
    pub time_zone: Option<Spanned<Scalar>>,
    pub starting_deadline_seconds: Option<Spanned<Scalar>>,
    pub concurrency_policy: Option<Spanned<String>>,
    pub suspend: Option<Spanned<Scalar>>,
    /// `spec.jobTemplate.spec.activeDeadlineSeconds`.
    pub active_deadline_seconds: Option<Spanned<Scalar>>,
}

/// One entry of a StatefulSet's `spec.volumeClaimTemplates`.
#[derive(Debug)]
pub struct VolumeClaimTemplate {
    pub span: Span,
    /// `metadata.name`: the volume name the containers mount.
    pub name: Option<Spanned<String>>,
}

impl Object {
    /// Whether two objects can be in the same namespace: namespaces as written; an object
    /// without one takes its namespace when applied (`-n`, kustomize), so it can be the same
    /// as any.
    pub fn same_namespace(&self, other: &Object) -> bool {
        match (&self.namespace, &other.namespace) {
            (Some(x), Some(y)) => x.value == y.value,
            _ => true,
        }
    }

    /// The name as written, `(unnamed)` without one (for messages).
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or("(unnamed)", |n| n.value.as_str())
    }

    /// `Deployment/plant/historian` (kind, namespace when written, name when written): the
    /// object's part of a logical path.
    pub fn logical_name(&self) -> String {
        let mut out = self.kind.value.clone();
        for part in [&self.namespace, &self.name].into_iter().flatten() {
            out.push('/');
            out.push_str(&part.value);
        }
        out
    }
}

/// A PodSpec and what the rules read of it.
#[derive(Debug)]
pub struct PodTemplate {
    /// Where the PodSpec sits in its object: `spec.template.spec`.
    pub path: String,
    pub node: NodeId,
    /// Span of the PodSpec mapping.
    pub span: Span,
    /// Span of the key the PodSpec is the value of (`spec` in `template.spec`), when it has one.
    pub key_span: Option<Span>,
    /// Found structurally in a kind edgelint does not know.
    pub inferred: bool,
    /// `metadata.annotations` of the pod template (for Pods: of the object).
    pub annotations: Vec<(Spanned<String>, Spanned<String>)>,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
    /// Pod-level `resources` (PodLevelResources).
    pub resources: Option<Resources>,
    pub tolerations: Vec<Toleration>,
    pub node_selector: Vec<(Spanned<String>, Spanned<String>)>,
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`:
    /// a node qualifies when it matches any term (OR), and matches a term when it meets every
    /// expression of the term (AND).
    pub required_node_affinity: Vec<NodeSelectorTerm>,
    pub restart_policy: Option<Spanned<String>>,
    pub host_network: Option<Spanned<String>>,
    /// `dnsPolicy` as written.
    pub dns_policy: Option<Spanned<String>>,
    pub termination_grace_period_seconds: Option<Spanned<String>>,
    pub security_context: Option<NodeId>,
    /// Pod-level security fields, typed.
    pub security: PodSecurity,
}

/// The pod-level fields about privileges and identity, as written.
#[derive(Debug, Default)]
pub struct PodSecurity {
    /// `securityContext` of the pod.
    pub context: Option<SecurityContext>,
    pub host_pid: Option<Spanned<Option<bool>>>,
    pub host_ipc: Option<Spanned<Option<bool>>>,
    pub host_network: Option<Spanned<Option<bool>>>,
    /// `os.name` (`linux`, `windows`).
    pub os_name: Option<Spanned<String>>,
}

/// A pod's or container's `securityContext`: the fields the security rules read, typed. A
/// boolean is `Some(b)` only for a plain YAML boolean (the API server rejects a quoted
/// `"true"`), an integer is [`Scalar::Int`] only when written as a plain integer.
#[derive(Debug, Default)]
pub struct SecurityContext {
    /// The `securityContext` key.
    pub key_span: Span,
    pub run_as_user: Option<Spanned<Scalar>>,
    pub run_as_non_root: Option<Spanned<Option<bool>>>,
    /// Container only.
    pub privileged: Option<Spanned<Option<bool>>>,
    /// Container only.
    pub allow_privilege_escalation: Option<Spanned<Option<bool>>>,
    /// Container only: `capabilities.add`.
    pub capabilities_add: Vec<Spanned<String>>,
    /// `windowsOptions` is written.
    pub windows_options: bool,
}

/// One `nodeSelectorTerms` entry: its `matchExpressions` (`matchFields` select nodes by name,
/// which says nothing about their architecture, and are not read).
#[derive(Debug, Default)]
pub struct NodeSelectorTerm {
    pub span: Span,
    pub expressions: Vec<NodeSelectorRequirement>,
}

/// `{key, operator, values}` of a node selector term.
#[derive(Debug)]
pub struct NodeSelectorRequirement {
    pub span: Span,
    pub key: Option<Spanned<String>>,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`.
    pub operator: Option<Spanned<String>>,
    pub values: Vec<Spanned<String>>,
}

/// A scalar as written, typed: `5` and `"5"` differ (an `int32` API field accepts only the
/// first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// `~`, `null` or nothing.
    Null,
    /// A plain YAML integer that fits an `i64` (`5`, `0x2`).
    Int(i64),
    /// Anything else: a quoted number, a fraction, a string, a boolean, a collection (empty
    /// text).
    Other(String),
}

impl Scalar {
    pub(crate) fn of(node: NodeRef<'_>) -> Scalar {
        if node.is_null() {
            Scalar::Null
        } else if let Some(n) = node.as_i64() {
            Scalar::Int(n)
        } else {
            Scalar::Other(node.as_str().unwrap_or_default().to_string())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRole {
    App,
    /// A regular init container.
    Init,
    /// An init container with `restartPolicy: Always`.
    Sidecar,
    Ephemeral,
}

impl ContainerRole {
    pub fn describe(self) -> &'static str {
        match self {
            ContainerRole::App => "container",
            ContainerRole::Init => "init container",
            ContainerRole::Sidecar => "sidecar container",
            ContainerRole::Ephemeral => "ephemeral container",
        }
    }
}

#[derive(Debug)]
pub struct Container {
    pub role: ContainerRole,
    pub node: NodeId,
    /// Span of the container's mapping.
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
    pub command: Vec<Text>,
    pub args: Vec<Text>,
    pub env: Vec<EnvVar>,
    pub resources: Option<Resources>,
    pub liveness_probe: Option<Probe>,
    pub readiness_probe: Option<Probe>,
    pub startup_probe: Option<Probe>,
    /// `ports`: the ports the container declares, as written.
    pub ports: ContainerPorts,
    pub volume_mounts: Vec<VolumeMount>,
    pub image_pull_policy: Option<Spanned<String>>,
    pub security_context: Option<NodeId>,
    /// The container's `securityContext`, typed.
    pub security: Option<SecurityContext>,
}

impl Container {
    /// Where a finding about the whole container points: its `name` value, else the mapping.
    pub fn anchor_span(&self) -> Span {
        self.name.as_ref().map(|n| n.span).unwrap_or(self.span)
    }

    /// The three probes, with their field names.
    pub fn probes(&self) -> [(&'static str, Option<&Probe>); 3] {
        [
            ("livenessProbe", self.liveness_probe.as_ref()),
            ("readinessProbe", self.readiness_probe.as_ref()),
            ("startupProbe", self.startup_probe.as_ref()),
        ]
    }

    /// `container "app"` / `init container "setup"` for messages.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(n) => format!("{} `{}`", self.role.describe(), n.value),
            None => self.role.describe().to_string(),
        }
    }
}

#[derive(Debug)]
pub struct EnvVar {
    pub name: Spanned<String>,
    /// `value:` (not `valueFrom`).
    pub value: Option<Text>,
}

/// A container's `ports`.
#[derive(Debug, Default)]
pub struct ContainerPorts {
    pub ports: Vec<ContainerPort>,
    /// Something edgelint cannot read exactly (a `ports` that is not a list, an entry that is
    /// not a mapping, a `name` or `protocol` that is not a plain string): which names the
    /// container declares is not known.
    pub unreadable: bool,
}

/// One entry of a container's `ports`.
#[derive(Debug)]
pub struct ContainerPort {
    pub span: Span,
    /// `name` (an `IANA_SVC_NAME`, unique in the pod), when written.
    pub name: Option<Spanned<String>>,
    /// `protocol`, `TCP` when absent (the API server's default).
    pub protocol: String,
}

impl ContainerPorts {
    /// Whether the container declares a port named `name`, for `protocol` when given; `None`
    /// when the ports cannot be read.
    pub fn declares(&self, name: &str, protocol: Option<&str>) -> Option<bool> {
        let found = self.ports.iter().any(|p| {
            p.name.as_ref().is_some_and(|n| n.value == name)
                && protocol.is_none_or(|proto| p.protocol == proto)
        });
        if found {
            Some(true)
        } else if self.unreadable {
            None
        } else {
            Some(false)
        }
    }
}

/// `resources` of a container or pod: each quantity as written.
#[derive(Debug, Default)]
pub struct Resources {
    pub key_span: Span,
    pub limits: Vec<(Spanned<String>, Spanned<String>)>,
    pub requests: Vec<(Spanned<String>, Spanned<String>)>,
}

impl Resources {
    pub fn limit(&self, name: &str) -> Option<&Spanned<String>> {
        self.limits.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }

    pub fn request(&self, name: &str) -> Option<&Spanned<String>> {
        self.requests.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }
}

/// A probe's fields as written, typed; [`crate::semantic::probe::probe_timing`] applies the
/// API server's defaults.
#[derive(Debug, Default)]
pub struct Probe {
    /// The `livenessProbe`/`readinessProbe`/`startupProbe` key.
    pub key_span: Span,
    pub span: Span,
    /// `exec`, `httpGet`, `tcpSocket` or `grpc`, the first found (not `null`).
    pub handler: Option<Spanned<String>>,
    /// Every handler written with a value other than `null`, in that order (the API server
    /// accepts exactly one), as the key.
    pub handlers: Vec<Spanned<String>>,
    /// `exec.command`.
    pub exec_command: Vec<Text>,
    /// `httpGet.host` (the pod IP when absent).
    pub http_host: Option<Spanned<String>>,
    /// `tcpSocket.host` (the pod IP when absent).
    pub tcp_host: Option<Spanned<String>>,
    /// `httpGet.port`, typed (an `IntOrString`: a number, or a port name in quotes or not).
    pub http_port: Option<Spanned<Scalar>>,
    /// `tcpSocket.port`, typed like [`Probe::http_port`].
    pub tcp_port: Option<Spanned<Scalar>>,
    /// `grpc.port`, typed (an `int32`: a named port does not decode).
    pub grpc_port: Option<Spanned<Scalar>>,
    /// The probe-level `terminationGracePeriodSeconds`, typed.
    pub termination_grace_period_seconds: Option<Spanned<Scalar>>,
    pub initial_delay_seconds: Option<Spanned<Scalar>>,
    pub period_seconds: Option<Spanned<Scalar>>,
    pub timeout_seconds: Option<Spanned<Scalar>>,
    pub success_threshold: Option<Spanned<Scalar>>,
    pub failure_threshold: Option<Spanned<Scalar>>,
}

#[derive(Debug)]
pub struct VolumeMount {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub mount_path: Option<Spanned<String>>,
    pub sub_path: Option<Spanned<String>>,
    pub read_only: bool,
}

#[derive(Debug)]
pub struct Volume {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    /// The volume source key: `emptyDir`, `persistentVolumeClaim`, `hostPath`, `configMap`…
    pub source: Option<Spanned<String>>,
    pub source_node: Option<NodeId>,
    /// `medium` of the source (`emptyDir: {medium: Memory}`).
    pub medium: Option<Spanned<String>>,
}

#[derive(Debug, Default)]
pub struct Toleration {
    pub span: Span,
    pub key: Option<Spanned<String>>,
    pub operator: Option<Spanned<String>>,
    pub value: Option<Spanned<String>>,
    pub effect: Option<Spanned<String>>,
    pub toleration_seconds: Option<Spanned<String>>,
}

const POD_TEMPLATE_PATHS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("PodTemplate", &["template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template", "spec"]),
];

/// Kinds that hold no pod template even though they may mention containers.
const NOT_WORKLOADS: &[&str] = &["CustomResourceDefinition", "List"];

/// How deep the structural search for pod templates in unknown kinds goes.
const MAX_SEARCH_DEPTH: usize = 12;

/// How many nodes the structural search visits in one object at most. Aliases can make a small
/// text a huge tree (the YAML layer stops real bombs; this bounds what is left below its limit).
const MAX_SEARCH_NODES: usize = 100_000;

impl Manifests {
    pub fn from_yaml(yaml: YamlStream) -> Manifests {
        let mut objects = Vec::new();
        for (doc_index, doc) in yaml.documents.iter().enumerate() {
            let Some(root) = doc.root() else { continue };
            collect_object(doc_index, root, &mut objects, 0);
        }
        Manifests { yaml, objects, pods: std::sync::OnceLock::new() }
    }

    /// A node of the stream, for lookups beyond what the view extracts.
    pub fn node(&self, doc: usize, id: NodeId) -> Option<NodeRef<'_>> {
        self.yaml.documents.get(doc).map(|d| d.node_ref(id))
    }
}

fn spanned(node: NodeRef<'_>) -> Option<Spanned<String>> {
    node.as_str().map(|s| Spanned::new(s.to_string(), node.span()))
}

fn get_str(node: NodeRef<'_>, key: &str) -> Option<Spanned<String>> {
    node.get(key).and_then(|e| spanned(e.value))
}

fn get_bool(node: NodeRef<'_>, key: &str) -> Option<Spanned<Option<bool>>> {
    node.get(key).map(|e| Spanned::new(e.value.as_bool(), e.value.span()))
}

/// `securityContext` of a pod or container.
fn security_context(node: NodeRef<'_>) -> Option<SecurityContext> {
    let e = node.get("securityContext")?;
    let sc = e.value;
    Some(SecurityContext {
        key_span: e.key.span(),
        run_as_user: get_scalar(sc, "runAsUser"),
        run_as_non_root: get_bool(sc, "runAsNonRoot"),
        privileged: get_bool(sc, "privileged"),
        allow_privilege_escalation: get_bool(sc, "allowPrivilegeEscalation"),
        capabilities_add: path_get(sc, &["capabilities", "add"])
            .map(|a| a.items().into_iter().filter_map(spanned).collect())
            .unwrap_or_default(),
        windows_options: sc.get("windowsOptions").is_some_and(|w| w.value.is_mapping()),
    })
}

fn cron_job(object: NodeRef<'_>) -> Option<CronJobSpec> {
    let e = object.get("spec")?;
    let spec = e.value;
    if !spec.is_mapping() {
        return None;
    }
    Some(CronJobSpec {
        spec_key: e.key.span(),
        schedule: get_str(spec, "schedule"),
        time_zone: get_scalar(spec, "timeZone"),
        starting_deadline_seconds: get_scalar(spec, "startingDeadlineSeconds"),
        concurrency_policy: get_str(spec, "concurrencyPolicy"),
        suspend: get_scalar(spec, "suspend"),
        active_deadline_seconds: path_get(spec, &["jobTemplate", "spec"])
            .and_then(|j| get_scalar(j, "activeDeadlineSeconds")),
    })
}

fn get_scalar(node: NodeRef<'_>, key: &str) -> Option<Spanned<Scalar>> {
    node.get(key).map(|e| Spanned::new(Scalar::of(e.value), e.value.span()))
}

/// The span of the key at the end of `path` (`spec.template.spec`), if no step of the path is a
/// list item.
fn spec_key_span(object: NodeRef<'_>, path: &str) -> Option<Span> {
    if path.contains('[') {
        return None;
    }
    let steps: Vec<&str> = path.split('.').collect();
    let (last, parent) = steps.split_last()?;
    Some(path_get(object, parent)?.get(last)?.key.span())
}

fn path_get<'a>(node: NodeRef<'a>, path: &[&str]) -> Option<NodeRef<'a>> {
    let mut cur = node;
    for key in path {
        cur = cur.get(key)?.value;
    }
    Some(cur)
}

fn collect_object(doc: usize, node: NodeRef<'_>, out: &mut Vec<Object>, depth: usize) {
    if !node.is_mapping() || depth > 4 {
        return;
    }
    let Some(kind) = get_str(node, "kind") else { return };
    if kind.value == "List" || kind.value.ends_with("List") && node.get("items").is_some() {
        if let Some(items) = node.get("items") {
            for item in items.value.items() {
                collect_object(doc, item, out, depth + 1);
            }
        }
        return;
    }
    let metadata = node.get("metadata").map(|e| e.value);
    let mut pod_templates = Vec::new();
    if let Some((_, path)) = POD_TEMPLATE_PATHS.iter().find(|(k, _)| *k == kind.value) {
        if let Some(spec) = path_get(node, path) {
            let annotations = if kind.value == "Pod" {
                metadata.map(annotations).unwrap_or_default()
            } else {
                // the metadata beside the spec: `template.metadata`
                let parent = &path[..path.len() - 1];
                path_get(node, parent)
                    .and_then(|p| p.get("metadata"))
                    .map(|m| annotations(m.value))
                    .unwrap_or_default()
            };
            let mut template = pod_template(path.join("."), spec, annotations, false);
            template.key_span = spec_key_span(node, &template.path);
            pod_templates.push(template);
        }
    } else if !NOT_WORKLOADS.contains(&kind.value.as_str()) {
        let mut found = Vec::new();
        find_pod_specs(node, &mut Vec::new(), &mut found, 0, &mut { MAX_SEARCH_NODES });
        for (path, spec, meta) in found {
            let annotations = meta.map(annotations).unwrap_or_default();
            let mut template = pod_template(path, spec, annotations, true);
            template.key_span = spec_key_span(node, &template.path);
            pod_templates.push(template);
        }
    }
    let cron_job = if kind.value == "CronJob" { cron_job(node) } else { None };
    out.push(Object {
        index: out.len(),
        doc,
        node: node.id(),
        span: node.span(),
        api_version: get_str(node, "apiVersion"),
        kind,
        name: metadata.and_then(|m| get_str(m, "name")),
        namespace: metadata.and_then(|m| get_str(m, "namespace")),
        annotations: metadata.map(annotations).unwrap_or_default(),
        volume_claim_templates: volume_claim_templates(node),
        pod_templates,
        cron_job,
    });
}

fn volume_claim_templates(object: NodeRef<'_>) -> Vec<VolumeClaimTemplate> {
    let Some(list) = path_get(object, &["spec", "volumeClaimTemplates"]) else {
        return Vec::new();
    };
    list.items()
        .into_iter()
        .filter(|i| i.is_mapping())
        .map(|item| VolumeClaimTemplate {
            span: item.span(),
            name: item.get("metadata").and_then(|m| get_str(m.value, "name")),
        })
        .collect()
}

/// A mapping is a PodSpec when its `containers` is a non-empty list of mappings that have an
/// `image` or a `name`.
fn is_pod_spec(node: NodeRef<'_>) -> bool {
    let Some(c) = node.get("containers") else { return false };
    let items = c.value.items();
    !items.is_empty()
        && items.iter().all(|i| i.is_mapping())
        && items.iter().any(|i| i.get("image").is_some() || i.get("name").is_some())
}

type Found<'a> = Vec<(String, NodeRef<'a>, Option<NodeRef<'a>>)>;

fn find_pod_specs<'a>(
    node: NodeRef<'a>,
    path: &mut Vec<String>,
    found: &mut Found<'a>,
    depth: usize,
    budget: &mut usize,
) {
    if depth > MAX_SEARCH_DEPTH || found.len() > 64 || *budget == 0 {
        return;
    }
    *budget -= 1;
    if node.is_mapping() {
        if depth > 0 && is_pod_spec(node) {
            found.push((path.join("."), node, None));
            return;
        }
        let entries = node.entries();
        for e in &entries {
            let Some(key) = e.key.as_str() else { continue };
            if matches!(key, "metadata" | "status") {
                continue;
            }
            path.push(key.to_string());
            let before = found.len();
            find_pod_specs(e.value, path, found, depth + 1, budget);
            // a `template: {metadata, spec}` pair: the metadata belongs to the pod
            if key == "spec" && found.len() > before {
                if let Some(meta) = node.get("metadata") {
                    for f in &mut found[before..] {
                        if f.2.is_none() && f.0 == path.join(".") {
                            f.2 = Some(meta.value);
                        }
                    }
                }
            }
            path.pop();
        }
    } else if node.is_sequence() {
        for (i, item) in node.items().into_iter().enumerate() {
            let last = path.pop().unwrap_or_default();
            path.push(format!("{last}[{i}]"));
            find_pod_specs(item, path, found, depth + 1, budget);
            path.pop();
            path.push(last);
        }
    }
}

fn annotations(metadata: NodeRef<'_>) -> Vec<(Spanned<String>, Spanned<String>)> {
    pairs(metadata.get("annotations").map(|e| e.value))
}

fn pairs(node: Option<NodeRef<'_>>) -> Vec<(Spanned<String>, Spanned<String>)> {
    let Some(node) = node else { return Vec::new() };
    node.entries().into_iter().filter_map(|e| Some((spanned(e.key)?, spanned(e.value)?))).collect()
}

fn pod_template(
    path: String,
    spec: NodeRef<'_>,
    annotations: Vec<(Spanned<String>, Spanned<String>)>,
    inferred: bool,
) -> PodTemplate {
    let mut containers = Vec::new();
    for (key, role) in [
        ("initContainers", ContainerRole::Init),
        ("containers", ContainerRole::App),
        ("ephemeralContainers", ContainerRole::Ephemeral),
    ] {
        if let Some(list) = spec.get(key) {
            for item in list.value.items() {
                if item.is_mapping() {
                    containers.push(container(item, role));
                }
            }
        }
    }
    let volumes = spec
        .get("volumes")
        .map(|v| v.value.items().into_iter().filter(|i| i.is_mapping()).map(volume).collect())
        .unwrap_or_default();
    let tolerations = spec
        .get("tolerations")
        .map(|v| v.value.items().into_iter().filter(|i| i.is_mapping()).map(toleration).collect())
        .unwrap_or_default();
    PodTemplate {
        path,
        node: spec.id(),
        span: spec.span(),
        key_span: None,
        inferred,
        annotations,
        containers,
        volumes,
        resources: spec.get("resources").map(|e| resources(e.key.span(), e.value)),
        tolerations,
        node_selector: pairs(spec.get("nodeSelector").map(|e| e.value)),
        required_node_affinity: node_affinity(spec),
        restart_policy: get_str(spec, "restartPolicy"),
        host_network: get_str(spec, "hostNetwork"),
        dns_policy: get_str(spec, "dnsPolicy"),
        termination_grace_period_seconds: get_str(spec, "terminationGracePeriodSeconds"),
        security_context: spec.get("securityContext").map(|e| e.value.id()),
        security: PodSecurity {
            context: security_context(spec),
            host_pid: get_bool(spec, "hostPID"),
            host_ipc: get_bool(spec, "hostIPC"),
            host_network: get_bool(spec, "hostNetwork"),
            os_name: spec.get("os").and_then(|o| get_str(o.value, "name")),
        },
    }
}

fn node_affinity(spec: NodeRef<'_>) -> Vec<NodeSelectorTerm> {
    let Some(terms) = path_get(
        spec,
        &[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ],
    ) else {
        return Vec::new();
    };
    terms
        .items()
        .into_iter()
        .map(|term| NodeSelectorTerm {
            span: term.span(),
            expressions: term
                .get("matchExpressions")
                .map(|e| e.value.items())
                .unwrap_or_default()
                .into_iter()
                .map(|expr| NodeSelectorRequirement {
                    span: expr.span(),
                    key: get_str(expr, "key"),
                    operator: get_str(expr, "operator"),
                    values: expr
                        .get("values")
                        .map(|v| v.value.items().into_iter().filter_map(spanned).collect())
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

fn container(node: NodeRef<'_>, role: ContainerRole) -> Container {
    let role = if role == ContainerRole::Init
        && node.get("restartPolicy").and_then(|e| e.value.as_str()) == Some("Always")
    {
        ContainerRole::Sidecar
    } else {
        role
    };
    let texts = |key: &str| -> Vec<Text> {
        node.get(key)
            .map(|e| e.value.items().into_iter().filter_map(Text::from_yaml).collect())
            .unwrap_or_default()
    };
    let env = node
        .get("env")
        .map(|e| {
            e.value
                .items()
                .into_iter()
                .filter_map(|item| {
                    Some(EnvVar {
                        name: get_str(item, "name")?,
                        value: item.get("value").and_then(|v| Text::from_yaml(v.value)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let volume_mounts = node
        .get("volumeMounts")
        .map(|e| {
            e.value
                .items()
                .into_iter()
                .filter(|i| i.is_mapping())
                .map(|m| VolumeMount {
                    span: m.span(),
                    name: get_str(m, "name"),
                    mount_path: get_str(m, "mountPath"),
                    sub_path: get_str(m, "subPath"),
                    read_only: m.get("readOnly").and_then(|r| r.value.as_bool()) == Some(true),
                })
                .collect()
        })
        .unwrap_or_default();
    let probe = |key: &str| node.get(key).map(|e| probe(e.key.span(), e.value));
    Container {
        role,
        node: node.id(),
        span: node.span(),
        name: get_str(node, "name"),
        image: get_str(node, "image"),
        command: texts("command"),
        args: texts("args"),
        env,
        resources: node.get("resources").map(|e| resources(e.key.span(), e.value)),
        liveness_probe: probe("livenessProbe"),
        readiness_probe: probe("readinessProbe"),
        startup_probe: probe("startupProbe"),
        ports: container_ports(node),
        volume_mounts,
        image_pull_policy: get_str(node, "imagePullPolicy"),
        security_context: node.get("securityContext").map(|e| e.value.id()),
        security: security_context(node),
    }
}

fn container_ports(node: NodeRef<'_>) -> ContainerPorts {
    let Some(e) = node.get("ports").filter(|e| !e.value.is_null()) else {
        return ContainerPorts::default();
    };
    let mut out = ContainerPorts { ports: Vec::new(), unreadable: !e.value.is_sequence() };
    for item in e.value.items() {
        if !item.is_mapping() {
            out.unreadable = true;
            continue;
        }
        let name = item.get("name").filter(|n| !n.value.is_null());
        let protocol = item.get("protocol").filter(|p| !p.value.is_null());
        let name = match name {
            None => None,
            Some(n) => match spanned(n.value) {
                Some(s) => Some(s),
                None => {
                    out.unreadable = true;
                    continue;
                }
            },
        };
        let protocol = match protocol {
            None => "TCP".to_string(),
            Some(p) => match p.value.as_str() {
                Some(s) => s.to_string(),
                None => {
                    out.unreadable = true;
                    continue;
                }
            },
        };
        out.ports.push(ContainerPort { span: item.span(), name, protocol });
    }
    out
}

fn resources(key_span: Span, node: NodeRef<'_>) -> Resources {
    Resources {
        key_span,
        limits: pairs(node.get("limits").map(|e| e.value)),
        requests: pairs(node.get("requests").map(|e| e.value)),
    }
}

pub(crate) fn probe(key_span: Span, node: NodeRef<'_>) -> Probe {
    let handlers: Vec<Spanned<String>> = ["exec", "httpGet", "tcpSocket", "grpc"]
        .iter()
        .filter_map(|h| node.get(h).filter(|e| !e.value.is_null()).map(|e| (h, e)))
        .map(|(h, e)| Spanned::new(h.to_string(), e.key.span()))
        .collect();
    let handler_field =
        |handler: &str, key: &str| node.get(handler).and_then(|e| get_str(e.value, key));
    Probe {
        key_span,
        span: node.span(),
        handler: handlers.first().cloned(),
        handlers,
        exec_command: path_get(node, &["exec", "command"])
            .map(|c| c.items().into_iter().filter_map(Text::from_yaml).collect())
            .unwrap_or_default(),
        http_host: handler_field("httpGet", "host"),
        tcp_host: handler_field("tcpSocket", "host"),
        http_port: node.get("httpGet").and_then(|e| get_scalar(e.value, "port")),
        tcp_port: node.get("tcpSocket").and_then(|e| get_scalar(e.value, "port")),
        grpc_port: node.get("grpc").and_then(|e| get_scalar(e.value, "port")),
        termination_grace_period_seconds: get_scalar(node, "terminationGracePeriodSeconds"),
        initial_delay_seconds: get_scalar(node, "initialDelaySeconds"),
        period_seconds: get_scalar(node, "periodSeconds"),
        timeout_seconds: get_scalar(node, "timeoutSeconds"),
        success_threshold: get_scalar(node, "successThreshold"),
        failure_threshold: get_scalar(node, "failureThreshold"),
    }
}

fn volume(node: NodeRef<'_>) -> Volume {
    let source = node.entries().into_iter().find(|e| e.key.as_str().is_some_and(|k| k != "name"));
    Volume {
        span: node.span(),
        name: get_str(node, "name"),
        source: source.and_then(|e| spanned(e.key)),
        source_node: source.map(|e| e.value.id()),
        medium: source.and_then(|e| get_str(e.value, "medium")),
    }
}

fn toleration(node: NodeRef<'_>) -> Toleration {
    Toleration {
        span: node.span(),
        key: get_str(node, "key"),
        operator: get_str(node, "operator"),
        value: get_str(node, "value"),
        effect: get_str(node, "effect"),
        toleration_seconds: get_str(node, "tolerationSeconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::{parse_stream, Limits};

    fn view(text: &str) -> Manifests {
        Manifests::from_yaml(parse_stream(text, &Limits::default()))
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    const STREAM: &str = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: \"0 3 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: setup
              image: busybox:1.36
            - name: proxy
              image: envoyproxy/envoy:v1.31
              restartPolicy: Always
              livenessProbe: {tcpSocket: {port: 9901}}
          containers:
            - name: backup
              image: restic/restic:0.17
              resources:
                limits: {memory: 128Mi}
          ephemeralContainers:
            - name: debug
              image: busybox
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: p
      annotations: {edgelint.io/ignore: missing-cpu-limit}
    spec:
      containers: [{name: c, image: nginx}]
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: cm}
";

    #[test]
    fn cronjob_roles_and_list_items() {
        let m = view(STREAM);
        assert_eq!(m.objects.len(), 3);
        let cron = &m.objects[0];
        assert_eq!(cron.kind.value, "CronJob");
        let t = &cron.pod_templates[0];
        assert_eq!(t.path, "spec.jobTemplate.spec.template.spec");
        assert!(!t.inferred);
        let roles: Vec<_> = t.containers.iter().map(|c| c.role).collect();
        assert_eq!(
            roles,
            [
                ContainerRole::Init,
                ContainerRole::Sidecar,
                ContainerRole::App,
                ContainerRole::Ephemeral
            ]
        );
        let backup = &t.containers[2];
        assert_eq!(at(STREAM, backup.anchor_span()), "backup");
        assert_eq!(at(STREAM, backup.image.as_ref().unwrap().span), "restic/restic:0.17");
        assert_eq!(backup.resources.as_ref().unwrap().limit("memory").unwrap().value, "128Mi");
        assert!(t.containers[1].liveness_probe.is_some());
        assert_eq!(
            at(STREAM, t.containers[1].liveness_probe.as_ref().unwrap().key_span),
            "livenessProbe"
        );

        let pod = &m.objects[1];
        assert_eq!(pod.kind.value, "Pod");
        assert_eq!(pod.doc, 1);
        assert_eq!(pod.pod_templates[0].path, "spec");
        assert_eq!(pod.pod_templates[0].annotations[0].0.value, "edgelint.io/ignore");
        assert_eq!(m.objects[2].kind.value, "ConfigMap");
        assert!(m.objects[2].pod_templates.is_empty());
    }

    const CRDS: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}
spec:
  template:
    metadata:
      annotations: {a: b}
    spec:
      containers: [{name: app, image: app:1}]
---
apiVersion: akri.sh/v0
kind: Configuration
metadata: {name: cam}
spec:
  brokerSpec:
    brokerPodSpec:
      containers:
        - name: broker
          image: ghcr.io/project-akri/akri/onvif-video-broker:latest
---
apiVersion: apps.kubeedge.io/v1alpha1
kind: EdgeApplication
metadata: {name: e}
spec:
  workloadTemplate:
    manifests:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          template:
            spec:
              containers: [{name: nginx, image: nginx:1.27}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: x}
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            containers: [{name: fake, image: not-a-pod}]
";

    #[test]
    fn crds_embedding_pod_templates_are_found_structurally() {
        let m = view(CRDS);
        assert_eq!(m.objects.len(), 4);
        let rollout = &m.objects[0].pod_templates[0];
        assert_eq!(rollout.path, "spec.template.spec");
        assert!(rollout.inferred);
        assert_eq!(rollout.annotations[0].0.value, "a");
        let akri = &m.objects[1].pod_templates[0];
        assert_eq!(akri.path, "spec.brokerSpec.brokerPodSpec");
        assert_eq!(akri.containers[0].name.as_ref().unwrap().value, "broker");
        let edge = &m.objects[2].pod_templates[0];
        assert_eq!(edge.path, "spec.workloadTemplate.manifests[0].spec.template.spec");
        assert_eq!(edge.containers[0].image.as_ref().unwrap().value, "nginx:1.27");
        assert!(m.objects[3].pod_templates.is_empty(), "CRD schemas are not pods");
    }

    #[test]
    fn volumes_tolerations_selectors_and_arch_affinity() {
        let text = "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec:
  template:
    spec:
      nodeSelector: {kubernetes.io/arch: arm64}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: kubernetes.io/arch, operator: In, values: [arm64, arm]}
      tolerations:
        - operator: Exists
      containers:
        - name: a
          image: a
          volumeMounts: [{name: data, mountPath: /data, readOnly: true}]
      volumes:
        - name: data
          emptyDir: {medium: Memory}
";
        let m = view(text);
        let t = &m.objects[0].pod_templates[0];
        assert_eq!(t.node_selector[0].1.value, "arm64");
        let expr = &t.required_node_affinity[0].expressions[0];
        assert_eq!(expr.key.as_ref().unwrap().value, "kubernetes.io/arch");
        assert_eq!(expr.operator.as_ref().unwrap().value, "In");
        let arch: Vec<_> = expr.values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(arch, ["arm64", "arm"]);
        assert_eq!(t.tolerations[0].operator.as_ref().unwrap().value, "Exists");
        assert_eq!(t.volumes[0].source.as_ref().unwrap().value, "emptyDir");
        let mount = &t.containers[0].volume_mounts[0];
        assert!(mount.read_only);
        assert_eq!(at(text, mount.mount_path.as_ref().unwrap().span), "/data");
    }

    #[test]
    fn broken_and_odd_documents_do_not_panic() {
        for text in
            ["", "---\n---\n", "kind: 3\n", "apiVersion: v1\nkind: Pod\nspec: []\n", "- a\n- b\n"]
        {
            let _ = view(text);
        }
    }

    #[test]
    fn container_ports_and_probe_ports() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    ports:\n    - {name: http, containerPort: 80}\n    - {name: dns, containerPort: 53, protocol: UDP}\n    - containerPort: 9000\n    readinessProbe: {httpGet: {port: http}}\n    livenessProbe: {tcpSocket: {port: \"8080\"}}\n  - name: b\n    ports: \"{{ .Values.ports }}\"\n";
        let m = view(text);
        let [a, b] = &m.objects[0].pod_templates[0].containers[..] else { panic!("2 containers") };
        assert_eq!(a.ports.declares("http", None), Some(true));
        assert_eq!(a.ports.declares("http", Some("TCP")), Some(true));
        assert_eq!(a.ports.declares("dns", Some("TCP")), Some(false));
        assert_eq!(a.ports.declares("dns", Some("UDP")), Some(true));
        assert_eq!(a.ports.declares("metrics", None), Some(false));
        assert_eq!(b.ports.declares("http", None), None, "unreadable ports");
        let probe_port = |p: &Option<Probe>, f: fn(&Probe) -> &Option<Spanned<Scalar>>| {
            p.as_ref().and_then(|p| f(p).as_ref()).map(|s| s.value.clone())
        };
        assert_eq!(
            probe_port(&a.readiness_probe, |p| &p.http_port),
            Some(Scalar::Other("http".into()))
        );
        assert_eq!(
            probe_port(&a.liveness_probe, |p| &p.tcp_port),
            Some(Scalar::Other("8080".into()))
        );
    }
}
