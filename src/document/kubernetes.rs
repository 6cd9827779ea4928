//! The Kubernetes view: objects from multi-document streams and `kind: List`, and every pod
//! template in them (edge-semantics §6), with containers, volumes, probes, resources,
//! tolerations, node selection and security context, all with spans.
//!
//! Known kinds use their exact PodSpec path. Any other kind (CRDs such as Argo Rollouts, OpenYurt
//! YurtAppSet, Akri Configuration, KubeEdge EdgeApplication) is searched structurally for a
//! mapping with a `containers` list of mappings; those templates are marked `inferred`.
//! CustomResourceDefinitions are not searched (their schemas describe pods, they are not pods).

use crate::document::text::Text;
use crate::document::yaml::{NodeId, NodeRef, YamlStream};
use crate::source::{Span, Spanned};

/// A parsed Kubernetes stream.
#[derive(Debug)]
pub struct Manifests {
    pub yaml: YamlStream,
    pub objects: Vec<Object>,
}

/// One object (a document, or an item of a `kind: List`).
#[derive(Debug)]
pub struct Object {
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
}

/// A PodSpec and what the rules read of it.
#[derive(Debug)]
pub struct PodTemplate {
    /// Where the PodSpec sits in its object: `spec.template.spec`.
    pub path: String,
    pub node: NodeId,
    /// Span of the PodSpec mapping.
    pub span: Span,
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
    /// Values of required node affinity terms on `kubernetes.io/arch` (and the beta label),
    /// one list per `nodeSelectorTerms` entry that constrains it (`In` only).
    pub required_arch_affinity: Vec<Vec<Spanned<String>>>,
    pub restart_policy: Option<Spanned<String>>,
    pub host_network: Option<Spanned<String>>,
    pub termination_grace_period_seconds: Option<Spanned<String>>,
    pub security_context: Option<NodeId>,
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
    pub volume_mounts: Vec<VolumeMount>,
    pub image_pull_policy: Option<Spanned<String>>,
    pub security_context: Option<NodeId>,
}

impl Container {
    /// Where a finding about the whole container points: its `name` value, else the mapping.
    pub fn anchor_span(&self) -> Span {
        self.name.as_ref().map(|n| n.span).unwrap_or(self.span)
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

/// A probe's fields as written; the rules apply the defaults (edge-semantics §1).
#[derive(Debug, Default)]
pub struct Probe {
    /// The `livenessProbe`/`readinessProbe`/`startupProbe` key.
    pub key_span: Span,
    pub span: Span,
    /// `exec`, `httpGet`, `tcpSocket` or `grpc`, the first found.
    pub handler: Option<Spanned<String>>,
    pub initial_delay_seconds: Option<Spanned<String>>,
    pub period_seconds: Option<Spanned<String>>,
    pub timeout_seconds: Option<Spanned<String>>,
    pub success_threshold: Option<Spanned<String>>,
    pub failure_threshold: Option<Spanned<String>>,
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

impl Manifests {
    pub fn from_yaml(yaml: YamlStream) -> Manifests {
        let mut objects = Vec::new();
        for (doc_index, doc) in yaml.documents.iter().enumerate() {
            let Some(root) = doc.root() else { continue };
            collect_object(doc_index, root, &mut objects, 0);
        }
        Manifests { yaml, objects }
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
            pod_templates.push(pod_template(path.join("."), spec, annotations, false));
        }
    } else if !NOT_WORKLOADS.contains(&kind.value.as_str()) {
        let mut found = Vec::new();
        find_pod_specs(node, &mut Vec::new(), &mut found, 0);
        for (path, spec, meta) in found {
            let annotations = meta.map(annotations).unwrap_or_default();
            pod_templates.push(pod_template(path, spec, annotations, true));
        }
    }
    out.push(Object {
        doc,
        node: node.id(),
        span: node.span(),
        api_version: get_str(node, "apiVersion"),
        kind,
        name: metadata.and_then(|m| get_str(m, "name")),
        namespace: metadata.and_then(|m| get_str(m, "namespace")),
        annotations: metadata.map(annotations).unwrap_or_default(),
        pod_templates,
    });
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
) {
    if depth > MAX_SEARCH_DEPTH || found.len() > 64 {
        return;
    }
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
            find_pod_specs(e.value, path, found, depth + 1);
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
            find_pod_specs(item, path, found, depth + 1);
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
        inferred,
        annotations,
        containers,
        volumes,
        resources: spec.get("resources").map(|e| resources(e.key.span(), e.value)),
        tolerations,
        node_selector: pairs(spec.get("nodeSelector").map(|e| e.value)),
        required_arch_affinity: arch_affinity(spec),
        restart_policy: get_str(spec, "restartPolicy"),
        host_network: get_str(spec, "hostNetwork"),
        termination_grace_period_seconds: get_str(spec, "terminationGracePeriodSeconds"),
        security_context: spec.get("securityContext").map(|e| e.value.id()),
    }
}

const ARCH_LABELS: &[&str] = &["kubernetes.io/arch", "beta.kubernetes.io/arch"];

fn arch_affinity(spec: NodeRef<'_>) -> Vec<Vec<Spanned<String>>> {
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
    let mut out = Vec::new();
    for term in terms.items() {
        let Some(exprs) = term.get("matchExpressions") else { continue };
        for expr in exprs.value.items() {
            let key = expr.get("key").and_then(|k| k.value.as_str());
            let op = expr.get("operator").and_then(|k| k.value.as_str());
            if key.is_some_and(|k| ARCH_LABELS.contains(&k)) && op == Some("In") {
                let values = expr
                    .get("values")
                    .map(|v| v.value.items().into_iter().filter_map(spanned).collect())
                    .unwrap_or_default();
                out.push(values);
            }
        }
    }
    out
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
        volume_mounts,
        image_pull_policy: get_str(node, "imagePullPolicy"),
        security_context: node.get("securityContext").map(|e| e.value.id()),
    }
}

fn resources(key_span: Span, node: NodeRef<'_>) -> Resources {
    Resources {
        key_span,
        limits: pairs(node.get("limits").map(|e| e.value)),
        requests: pairs(node.get("requests").map(|e| e.value)),
    }
}

fn probe(key_span: Span, node: NodeRef<'_>) -> Probe {
    let handler = ["exec", "httpGet", "tcpSocket", "grpc"]
        .iter()
        .find_map(|h| node.get(h).map(|e| Spanned::new(h.to_string(), e.key.span())));
    Probe {
        key_span,
        span: node.span(),
        handler,
        initial_delay_seconds: get_str(node, "initialDelaySeconds"),
        period_seconds: get_str(node, "periodSeconds"),
        timeout_seconds: get_str(node, "timeoutSeconds"),
        success_threshold: get_str(node, "successThreshold"),
        failure_threshold: get_str(node, "failureThreshold"),
    }
}

fn volume(node: NodeRef<'_>) -> Volume {
    let source = node.entries().into_iter().find(|e| e.key.as_str().is_some_and(|k| k != "name"));
    Volume {
        span: node.span(),
        name: get_str(node, "name"),
        source: source.and_then(|e| spanned(e.key)),
        source_node: source.map(|e| e.value.id()),
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
