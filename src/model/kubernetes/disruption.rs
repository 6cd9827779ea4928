//! What voluntary disruption depends on, as written: PodDisruptionBudgets, the label selectors
//! they use, the pods a workload creates (its replica count and pod labels), and the
//! HorizontalPodAutoscalers that change that count. Read on demand from an [`Object`]'s node,
//! for `pdb-blocks-drain`.

use std::collections::HashMap;

use super::{get_scalar, get_str, path_get, Manifests, Object, Scalar};
use crate::source::{Span, Spanned};
use crate::syntax::yaml::NodeRef;

/// A label selector (`metav1.LabelSelector`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<Requirement>,
    /// Something edgelint cannot read exactly (a templated key, a non-string value, an unknown
    /// operator): no conclusion may be drawn from the selector.
    pub unreadable: bool,
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// A `minAvailable` / `maxUnavailable` value: an integer or a percentage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
    /// Anything else (templated, fractional, negative): not judged.
    Other(String),
}

/// A PodDisruptionBudget (`policy/v1`, also read for `policy/v1beta1`).
#[derive(Clone, Debug)]
pub struct DisruptionBudget {
    pub min_available: Option<Spanned<IntOrPercent>>,
    pub max_unavailable: Option<Spanned<IntOrPercent>>,
    /// `spec.selector`; `None` when absent (in `policy/v1` it then selects no pod).
    pub selector: Option<LabelSelector>,
    /// The `spec` key, where a finding about the budget as a whole points.
    pub spec_key: Span,
}

/// The pods a workload runs: how many, and their labels.
#[derive(Clone, Debug)]
pub struct WorkloadPods {
    /// `spec.replicas` as written; `None` when absent (the API default is 1).
    pub replicas: Option<Spanned<Scalar>>,
    /// The pod template's `metadata.labels` (for a Pod, its own).
    pub labels: Vec<(String, String)>,
    /// A label key or value that is not a plain string: matching is not exact.
    pub unreadable_labels: bool,
    /// Whether `kubectl drain` evicts these pods (and so a budget can hold it up): not for a
    /// DaemonSet (`--ignore-daemonsets`).
    pub drained: bool,
}

/// The pods of a stream's objects, by object index, and which objects' pods carry each label.
#[derive(Debug)]
pub struct PodIndex {
    pods: Vec<Option<WorkloadPods>>,
    /// `(key, value)` → the indices of the objects whose pods carry that label, ascending.
    by_label: HashMap<(String, String), Vec<usize>>,
    /// The objects whose pods have labels edgelint cannot read exactly: always candidates.
    unreadable: Vec<usize>,
}

impl PodIndex {
    /// The indices (ascending) of the objects whose pods `selector` may select: every object
    /// with pods, narrowed by the rarest of its `matchLabels` pairs when it has some. A
    /// superset (objects with labels that cannot be read are always in it): the caller still
    /// matches each ([`crate::semantic::selector::matches`]).
    pub fn candidates(&self, selector: &LabelSelector) -> Vec<usize> {
        let rarest = selector
            .match_labels
            .iter()
            .map(|(k, v)| {
                // A pair no pod carries selects nothing.
                self.by_label.get(&(k.clone(), v.clone())).map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|c| c.len());
        match rarest {
            Some(c) => {
                let mut out: Vec<usize> = c.iter().chain(&self.unreadable).copied().collect();
                out.sort_unstable();
                out.dedup();
                out
            }
            None => {
                self.pods.iter().enumerate().filter(|(_, p)| p.is_some()).map(|(i, _)| i).collect()
            }
        }
    }
}

/// The kinds whose pods `kubectl drain` evicts and a budget can hold up, with a replica count
/// (`Pod`: one). DaemonSet pods are not evicted by a drain (`--ignore-daemonsets`); Job pods
/// finish.
const SCALED_KINDS: [&str; 4] =
    ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"];
/// Kinds whose pods a budget can select but a drain does not wait for.
const UNDRAINED_KINDS: [&str; 2] = ["DaemonSet", "Job"];

impl Manifests {
    /// The budget `object` declares, if it is a PodDisruptionBudget.
    pub fn disruption_budget(&self, object: &Object) -> Option<DisruptionBudget> {
        if object.kind.value != "PodDisruptionBudget" {
            return None;
        }
        let node = self.node(object.doc, object.node)?;
        let spec = node.get("spec")?;
        let read = |key: &str| {
            spec.value.get(key).map(|e| Spanned::new(int_or_percent(e.value), e.value.span()))
        };
        Some(DisruptionBudget {
            min_available: read("minAvailable"),
            max_unavailable: read("maxUnavailable"),
            selector: spec.value.get("selector").map(|e| label_selector(e.value)),
            spec_key: spec.key.span(),
        })
    }

    /// The pods `object` (one of this stream's objects) runs, if it is a Pod, a workload kind
    /// with replicas, a DaemonSet or a Job. Read once per stream ([`Manifests::pod_index`]).
    pub fn workload_pods(&self, object: &Object) -> Option<&WorkloadPods> {
        let own = self.objects.get(object.index).is_some_and(|o| std::ptr::eq(o, object));
        debug_assert!(own, "an object of another stream");
        if !own {
            return None;
        }
        self.pod_index().pods.get(object.index)?.as_ref()
    }

    /// The pods of every object and the index of their labels, built on first use: rules pair
    /// every Service and budget with every workload of a stream, and reading the labels again
    /// for each pair made an 8 MB stream of 3,840 Services take 14 s.
    pub fn pod_index(&self) -> &PodIndex {
        self.pods.get_or_init(|| {
            let pods: Vec<Option<WorkloadPods>> =
                self.objects.iter().map(|o| self.read_workload_pods(o)).collect();
            let mut by_label: HashMap<(String, String), Vec<usize>> = HashMap::new();
            let mut unreadable = Vec::new();
            for (index, p) in pods.iter().enumerate() {
                let Some(p) = p else { continue };
                if p.unreadable_labels {
                    unreadable.push(index);
                }
                for (k, v) in &p.labels {
                    by_label.entry((k.clone(), v.clone())).or_default().push(index);
                }
            }
            PodIndex { pods, by_label, unreadable }
        })
    }

    fn read_workload_pods(&self, object: &Object) -> Option<WorkloadPods> {
        let node = self.node(object.doc, object.node)?;
        let kind = object.kind.value.as_str();
        let drained = !UNDRAINED_KINDS.contains(&kind);
        let (replicas, metadata) = if kind == "Pod" {
            (None, node.get("metadata").map(|e| e.value))
        } else if SCALED_KINDS.contains(&kind) || !drained {
            let spec = node.get("spec")?.value;
            let replicas = if drained { get_scalar(spec, "replicas") } else { None };
            (replicas, path_get(spec, &["template", "metadata"]))
        } else {
            return None;
        };
        let (mut labels, unreadable_labels) = match metadata.and_then(|m| m.get("labels")) {
            Some(e) => string_map(e.value),
            None => (Vec::new(), false),
        };
        // The API server requires the template's labels to satisfy `spec.selector`, so its
        // `matchLabels` are labels of the pods too (a fragment may write only the selector).
        if kind != "Pod" {
            let selector = path_get(node, &["spec", "selector", "matchLabels"]);
            for (k, v) in selector.map(|m| string_map(m).0).unwrap_or_default() {
                if !labels.iter().any(|(key, _)| *key == k) {
                    labels.push((k, v));
                }
            }
        }
        Some(WorkloadPods { replicas, labels, unreadable_labels, drained })
    }

    /// Whether a HorizontalPodAutoscaler of this stream scales `object` (its
    /// `scaleTargetRef` names the object's kind and name, in the same namespace).
    pub fn is_autoscaled(&self, object: &Object) -> bool {
        let Some(name) = &object.name else { return false };
        self.objects.iter().filter(|o| o.kind.value == "HorizontalPodAutoscaler").any(|hpa| {
            let same_namespace = hpa.namespace.as_ref().map(|n| &n.value)
                == object.namespace.as_ref().map(|n| &n.value);
            let target =
                self.node(hpa.doc, hpa.node).and_then(|n| path_get(n, &["spec", "scaleTargetRef"]));
            same_namespace
                && target.is_some_and(|t| {
                    get_str(t, "kind").is_some_and(|k| k.value == object.kind.value)
                        && get_str(t, "name").is_some_and(|n| n.value == name.value)
                })
        })
    }
}

fn int_or_percent(node: NodeRef<'_>) -> IntOrPercent {
    if let Some(n) = node.as_i64() {
        return IntOrPercent::Int(n);
    }
    let text = node.as_str().unwrap_or_default();
    match text.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
        Some(p) if (0..=100).contains(&p) => IntOrPercent::Percent(p),
        _ => IntOrPercent::Other(text.to_string()),
    }
}

/// A mapping of plain strings (labels), and whether something in it was not one.
pub(crate) fn string_map(node: NodeRef<'_>) -> (Vec<(String, String)>, bool) {
    let mut out = Vec::new();
    let mut unreadable = !node.is_mapping() && !node.is_null();
    for e in node.entries() {
        match (e.key.as_str(), e.value.as_str()) {
            (Some(k), Some(v)) => out.push((k.to_string(), v.to_string())),
            _ => unreadable = true,
        }
    }
    (out, unreadable)
}

pub(crate) fn label_selector(node: NodeRef<'_>) -> LabelSelector {
    let mut selector = LabelSelector::default();
    if node.is_null() {
        return selector;
    }
    if !node.is_mapping() {
        selector.unreadable = true;
        return selector;
    }
    if let Some(e) = node.get("matchLabels") {
        let (labels, unreadable) = string_map(e.value);
        selector.match_labels = labels;
        selector.unreadable |= unreadable;
    }
    if let Some(e) = node.get("matchExpressions") {
        for item in e.value.items() {
            let key = get_str(item, "key").map(|k| k.value);
            let operator = get_str(item, "operator").and_then(|o| match o.value.as_str() {
                "In" => Some(Operator::In),
                "NotIn" => Some(Operator::NotIn),
                "Exists" => Some(Operator::Exists),
                "DoesNotExist" => Some(Operator::DoesNotExist),
                _ => None,
            });
            let values: Option<Vec<String>> = match item.get("values") {
                Some(v) => v.value.items().iter().map(|i| i.as_str().map(str::to_string)).collect(),
                None => Some(Vec::new()),
            };
            match (key, operator, values) {
                (Some(key), Some(operator), Some(values)) => {
                    selector.match_expressions.push(Requirement { key, operator, values });
                }
                _ => selector.unreadable = true,
            }
        }
    }
    selector
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    fn manifests(text: &str) -> Manifests {
        Manifests::from_yaml(yaml::parse_stream(text, &yaml::Limits::default()))
    }

    #[test]
    fn reads_a_budget() {
        let m = manifests(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db}\nspec:\n  minAvailable: 50%\n  selector:\n    matchLabels: {app: db}\n    matchExpressions:\n    - {key: tier, operator: NotIn, values: [cache]}\n",
        );
        let pdb = m.disruption_budget(&m.objects[0]).expect("a budget");
        assert_eq!(pdb.min_available.map(|v| v.value), Some(IntOrPercent::Percent(50)));
        assert_eq!(pdb.max_unavailable, None);
        let selector = pdb.selector.expect("selector");
        assert_eq!(selector.match_labels, [("app".to_string(), "db".to_string())]);
        assert_eq!(selector.match_expressions[0].operator, Operator::NotIn);
        assert!(!selector.unreadable);
    }

    #[test]
    fn reads_values_exactly() {
        let m = manifests(
            "kind: PodDisruptionBudget\nspec:\n  maxUnavailable: \"0%\"\n  minAvailable: '{{ .Values.min }}'\n  selector:\n    matchExpressions:\n    - {key: app, operator: Matches}\n",
        );
        let pdb = m.disruption_budget(&m.objects[0]).expect("a budget");
        assert_eq!(pdb.max_unavailable.map(|v| v.value), Some(IntOrPercent::Percent(0)));
        assert!(matches!(pdb.min_available.map(|v| v.value), Some(IntOrPercent::Other(_))));
        assert!(pdb.selector.expect("selector").unreadable);
    }

    #[test]
    fn reads_workload_pods_and_autoscalers() {
        let m = manifests(
            "kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: web}\n    spec: {containers: [{name: a, image: a}]}\n---\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n---\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: a, image: a}]}\n",
        );
        let pods = m.workload_pods(&m.objects[0]).expect("a workload");
        assert_eq!(pods.replicas.as_ref().map(|r| &r.value), Some(&Scalar::Int(3)));
        assert_eq!(pods.labels, [("app".to_string(), "web".to_string())]);
        assert!(m.is_autoscaled(&m.objects[0]));
        let agent = m.workload_pods(&m.objects[2]).expect("DaemonSet pods");
        assert!(!agent.drained, "a drain does not evict DaemonSet pods");
        assert_eq!(agent.labels, [("app".to_string(), "agent".to_string())]);
    }

    #[test]
    fn the_pod_index_narrows_a_selector_to_the_objects_with_its_rarest_pair() {
        let m = manifests(
            "kind: Deployment\nspec:\n  template:\n    metadata: {labels: {app: db, tier: data}}\n    spec: {containers: [{name: a, image: a}]}\n---\nkind: Service\nspec: {selector: {app: db}}\n---\nkind: StatefulSet\nspec:\n  template:\n    metadata: {labels: {app: web, tier: data}}\n    spec: {containers: [{name: a, image: a}]}\n---\nkind: DaemonSet\nspec:\n  template:\n    metadata: {labels: {app: [db]}}\n    spec: {containers: [{name: a, image: a}]}\n",
        );
        let index = m.pod_index();
        let sel = |pairs: &[(&str, &str)]| LabelSelector {
            match_labels: pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
            ..LabelSelector::default()
        };
        // The DaemonSet's labels cannot be read: always a candidate.
        assert_eq!(index.candidates(&sel(&[("app", "db")])), [0, 3]);
        assert_eq!(index.candidates(&sel(&[("tier", "data")])), [0, 2, 3]);
        assert_eq!(index.candidates(&sel(&[("tier", "data"), ("app", "web")])), [2, 3]);
        assert_eq!(index.candidates(&sel(&[("app", "cache")])), [3]);
        // No pairs (expressions only, or empty): every object with pods, not the Service.
        assert_eq!(index.candidates(&LabelSelector::default()), [0, 2, 3]);
        assert!(m.workload_pods(&m.objects[1]).is_none());
        assert!(m.workload_pods(&m.objects[3]).expect("DaemonSet pods").unreadable_labels);
    }
}
