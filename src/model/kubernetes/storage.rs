//! Storage objects as written: PersistentVolumeClaims, PersistentVolumes and the claims a pod's
//! volumes name. Read on demand from an [`Object`]'s node, for `rwo-volume-rollout` and
//! `pvc-binding-mismatch`.

use super::disruption::{label_selector, string_map, LabelSelector};
use super::{get_str, path_get, Manifests, Object, Volume};
use crate::source::{Span, Spanned};
use crate::syntax::yaml::NodeRef;

/// The legacy annotation that names the class (it wins over `storageClassName`, as
/// `GetPersistentVolumeClaimClass` and `GetPersistentVolumeClass` read it first).
const BETA_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// What `storageClassName` (or the legacy annotation) says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageClass {
    /// Not written (a claim then gets the cluster's default class at admission).
    Omitted,
    /// Written, `""` included.
    Named(Spanned<String>),
    /// Written with a value that is not a plain string (templated, `null`…).
    Unreadable,
}

impl StorageClass {
    /// The class name, `""` for none; `None` when omitted or unreadable.
    pub fn name(&self) -> Option<&str> {
        match self {
            StorageClass::Named(n) => Some(n.value.as_str()),
            _ => None,
        }
    }
}

/// A PersistentVolumeClaim's `spec`, as written.
#[derive(Debug)]
pub struct Claim {
    /// The `spec` key, where a finding about the claim as a whole points.
    pub spec_key: Span,
    pub access_modes: Vec<Spanned<String>>,
    /// The `accessModes` key.
    pub access_modes_key: Option<Span>,
    pub class: StorageClass,
    pub volume_name: Option<Spanned<String>>,
    /// `spec.selector`, with the span of its key.
    pub selector: Option<(LabelSelector, Span)>,
    /// `resources.requests.storage`.
    pub request: Option<Spanned<String>>,
    pub volume_mode: Option<Spanned<String>>,
}

/// A PersistentVolume's labels and `spec`, as written.
#[derive(Debug)]
pub struct PersistentVolume {
    pub spec_key: Span,
    pub labels: Vec<(String, String)>,
    /// A label key or value that is not a plain string.
    pub unreadable_labels: bool,
    pub access_modes: Vec<Spanned<String>>,
    pub class: StorageClass,
    /// `capacity.storage`.
    pub capacity: Option<Spanned<String>>,
    pub volume_mode: Option<Spanned<String>>,
    /// `claimRef`: the claim the volume is reserved for (name, namespace as written).
    pub claim_ref: Option<ClaimRef>,
}

/// A PersistentVolume's `claimRef`.
#[derive(Debug)]
pub struct ClaimRef {
    pub span: Span,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

/// The access modes written under `accessModes` (plain strings only).
fn access_modes(spec: NodeRef<'_>) -> (Vec<Spanned<String>>, Option<Span>) {
    match spec.get("accessModes") {
        Some(e) => (
            e.value
                .items()
                .into_iter()
                .filter_map(|i| i.as_str().map(|s| Spanned::new(s.to_string(), i.span())))
                .collect(),
            Some(e.key.span()),
        ),
        None => (Vec::new(), None),
    }
}

fn class(object: &Object, spec: NodeRef<'_>) -> StorageClass {
    if let Some((_, v)) = object.annotations.iter().find(|(k, _)| k.value == BETA_CLASS_ANNOTATION)
    {
        return StorageClass::Named(v.clone());
    }
    match spec.get("storageClassName") {
        None => StorageClass::Omitted,
        Some(e) => match e.value.as_str() {
            Some(s) if !e.value.is_null() && !s.contains("{{") => {
                StorageClass::Named(Spanned::new(s.to_string(), e.value.span()))
            }
            _ => StorageClass::Unreadable,
        },
    }
}

impl Manifests {
    /// The claim `object` declares, if it is a PersistentVolumeClaim.
    pub fn claim(&self, object: &Object) -> Option<Claim> {
        if object.kind.value != "PersistentVolumeClaim" {
            return None;
        }
        let node = self.node(object.doc, object.node)?;
        let spec = node.get("spec")?;
        let (modes, modes_key) = access_modes(spec.value);
        Some(Claim {
            spec_key: spec.key.span(),
            access_modes: modes,
            access_modes_key: modes_key,
            class: class(object, spec.value),
            volume_name: get_str(spec.value, "volumeName").filter(|v| !v.value.is_empty()),
            selector: spec
                .value
                .get("selector")
                .filter(|e| !e.value.is_null())
                .map(|e| (label_selector(e.value), e.key.span())),
            request: path_get(spec.value, &["resources", "requests"])
                .and_then(|r| get_str(r, "storage")),
            volume_mode: get_str(spec.value, "volumeMode"),
        })
    }

    /// The volume `object` declares, if it is a PersistentVolume.
    pub fn persistent_volume(&self, object: &Object) -> Option<PersistentVolume> {
        if object.kind.value != "PersistentVolume" {
            return None;
        }
        let node = self.node(object.doc, object.node)?;
        let spec = node.get("spec")?;
        let (labels, unreadable_labels) = match path_get(node, &["metadata", "labels"]) {
            Some(l) => string_map(l),
            None => (Vec::new(), false),
        };
        let (modes, _) = access_modes(spec.value);
        Some(PersistentVolume {
            spec_key: spec.key.span(),
            labels,
            unreadable_labels,
            access_modes: modes,
            class: class(object, spec.value),
            capacity: path_get(spec.value, &["capacity"]).and_then(|c| get_str(c, "storage")),
            volume_mode: get_str(spec.value, "volumeMode"),
            claim_ref: spec.value.get("claimRef").filter(|e| e.value.is_mapping()).map(|e| {
                ClaimRef {
                    span: e.key.span(),
                    name: get_str(e.value, "name").map(|n| n.value),
                    namespace: get_str(e.value, "namespace").map(|n| n.value),
                }
            }),
        })
    }

    /// The `claimName` of a `persistentVolumeClaim` volume of a pod template of `object`.
    pub fn claim_name(&self, object: &Object, volume: &Volume) -> Option<Spanned<String>> {
        if volume.source.as_ref()?.value != "persistentVolumeClaim" {
            return None;
        }
        get_str(self.node(object.doc, volume.source_node?)?, "claimName")
    }
}

/// How a claim's access modes let pods share its volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// `ReadWriteOncePod`: one pod at a time, in the whole cluster.
    OnePod,
    /// `ReadWriteOnce` (without a mode that allows more): one node at a time.
    OneNode,
    /// `ReadWriteMany` or `ReadOnlyMany` is requested: the volume may be shared.
    Many,
    /// No mode edgelint can read.
    Unknown,
}

impl Claim {
    /// How the claimed volume can be shared. A claim binds a volume that has every requested
    /// mode, so one `…Many` mode means the volume allows many nodes; `ReadWriteOncePod` allows
    /// one pod whatever else is requested.
    pub fn sharing(&self) -> Sharing {
        let has = |m: &str| self.access_modes.iter().any(|a| a.value == m);
        if has("ReadWriteOncePod") {
            Sharing::OnePod
        } else if has("ReadWriteMany") || has("ReadOnlyMany") {
            Sharing::Many
        } else if has("ReadWriteOnce") {
            Sharing::OneNode
        } else {
            Sharing::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    fn manifests(text: &str) -> Manifests {
        Manifests::from_yaml(yaml::parse_stream(text, &yaml::Limits::default()))
    }

    #[test]
    fn reads_claims_and_volumes() {
        let m = manifests(
            "kind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: \"\"\n  volumeName: pv-1\n  resources: {requests: {storage: 1Gi}}\n---\nkind: PersistentVolume\nmetadata:\n  name: pv-1\n  labels: {disk: usb}\nspec:\n  capacity: {storage: 512Mi}\n  accessModes: [ReadWriteOnce, ReadOnlyMany]\n  claimRef: {name: data, namespace: plant}\n  hostPath: {path: /srv/data}\n---\nkind: PersistentVolumeClaim\nmetadata:\n  name: legacy\n  annotations: {volume.beta.kubernetes.io/storage-class: slow}\nspec:\n  accessModes: [ReadWriteOncePod, ReadWriteOnce]\n",
        );
        let claim = m.claim(&m.objects[0]).expect("a claim");
        assert_eq!(claim.sharing(), Sharing::OneNode);
        assert_eq!(claim.class.name(), Some(""));
        assert_eq!(claim.volume_name.map(|v| v.value).as_deref(), Some("pv-1"));
        assert_eq!(claim.request.map(|r| r.value).as_deref(), Some("1Gi"));
        let pv = m.persistent_volume(&m.objects[1]).expect("a volume");
        assert_eq!(pv.class, StorageClass::Omitted);
        assert_eq!(pv.capacity.map(|c| c.value).as_deref(), Some("512Mi"));
        assert_eq!(pv.labels, [("disk".to_string(), "usb".to_string())]);
        assert_eq!(pv.claim_ref.and_then(|c| c.namespace).as_deref(), Some("plant"));
        let legacy = m.claim(&m.objects[2]).expect("a claim");
        assert_eq!(legacy.class.name(), Some("slow"));
        assert_eq!(legacy.sharing(), Sharing::OnePod);
        assert!(m.claim(&m.objects[1]).is_none());
    }
}
