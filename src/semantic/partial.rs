//! Whether a Kubernetes object is partial: a Kustomize strategic-merge patch or another fragment
//! that is merged into an object defined elsewhere. A field it does not set is not "absent": the
//! base or another patch may set it, so rules that reason from defaults (probe timing, limits,
//! tolerations, security context…) judge only what a partial object sets itself.
//!
//! An object is partial when
//!
//! - its file is listed as a patch by the `kustomization.yaml` (or `.yml`, `Kustomization`) in
//!   the same directory: `patchesStrategicMerge`, `patches[].path`, `patchesJson6902[].path`;
//! - its file is in a `patches` directory, or its name has the word `patch` (`patch.yaml`,
//!   `speaker-patch.yaml`, `patch_resources.yaml`);
//! - it is a workload in an `overlays` directory without `spec.selector` (required in
//!   `apps/v1`: a complete object added by an overlay has one);
//! - one of its pod templates has no containers, or a container without `image`: the API
//!   rejects both, so something else completes them.
//!
//! A workload without a selector alone is not partial: Kustomize bases leave it out for
//! `labels`/`commonLabels` to add, and are otherwise complete (metrics-server's base
//! `deployment.yaml`).

use std::path::Path;

use crate::model::kubernetes::{Manifests, Object};
use crate::syntax::yaml::{parse_stream, Limits, YamlDocument};

/// Kinds whose `spec.selector` `apps/v1` requires.
const SELECTOR_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/// Kustomization file names, in the order Kustomize looks for them.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Which objects of a stream read from `path` are partial, by index in `stream.objects`.
/// Reads the `kustomization.yaml` next to `path` (if any; nothing for an empty path).
pub fn partial_objects(stream: &Manifests, path: &str) -> Vec<bool> {
    let by_path = file_is_patch(path, &kustomize_patches(path));
    let in_overlay = has_component(path, "overlays");
    stream
        .objects
        .iter()
        .map(|o| by_path || (in_overlay && lacks_selector(stream, o)) || is_incomplete(stream, o))
        .collect()
}

/// The file is a patch by its path: listed in `patches` (names relative to its directory), in
/// a `patches` directory, or named with the word `patch`.
pub fn file_is_patch(path: &str, patches: &[String]) -> bool {
    let p = Path::new(path);
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else { return false };
    let stem = name.split('.').next().unwrap_or(name);
    patches.iter().any(|l| l == name)
        || has_component(path, "patches")
        || stem.split(['-', '_']).any(|w| w.eq_ignore_ascii_case("patch"))
}

/// A directory of `path` (not its file name) is named `dir`.
fn has_component(path: &str, dir: &str) -> bool {
    let p = Path::new(path);
    p.parent().is_some_and(|d| d.components().any(|c| c.as_os_str() == dir))
}

/// The patch files the kustomization next to `path` lists, as written relative to its
/// directory (`./` removed). Patches in other directories (`../patches/x.yaml`) are left out:
/// a file there is matched by its own directory's kustomization.
pub fn kustomize_patches(path: &str) -> Vec<String> {
    let Some(dir) = Path::new(path).parent() else { return Vec::new() };
    if path.is_empty() || path == "-" {
        return Vec::new();
    }
    let Some(text) =
        KUSTOMIZATION_FILES.iter().find_map(|f| std::fs::read_to_string(dir.join(f)).ok())
    else {
        return Vec::new();
    };
    patches_of(&text)
}

/// The patch file names of a kustomization's text.
pub fn patches_of(text: &str) -> Vec<String> {
    let stream = parse_stream(text, &Limits::default());
    let Some(root) = stream.documents.first().and_then(YamlDocument::root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |s: &str| {
        let s = s.trim().trim_start_matches("./");
        if !s.is_empty() && !s.contains('/') {
            out.push(s.to_string());
        }
    };
    if let Some(e) = root.get("patchesStrategicMerge") {
        for item in e.value.items() {
            if let Some(s) = item.as_str() {
                push(s);
            }
        }
    }
    for key in ["patches", "patchesJson6902"] {
        if let Some(e) = root.get(key) {
            for item in e.value.items() {
                // `patches: [path.yaml]` (older Kustomize) or `- path: path.yaml`
                if let Some(s) = item.as_str() {
                    push(s);
                } else if let Some(s) = item.get("path").and_then(|p| p.value.as_str()) {
                    push(s);
                }
            }
        }
    }
    out
}

fn lacks_selector(stream: &Manifests, o: &Object) -> bool {
    SELECTOR_KINDS.contains(&o.kind.value.as_str())
        && stream
            .node(o.doc, o.node)
            .and_then(|n| n.get("spec"))
            .is_some_and(|spec| spec.value.get("selector").is_none())
}

/// A pod template without containers, or a container without `image`.
fn is_incomplete(stream: &Manifests, o: &Object) -> bool {
    o.pod_templates.iter().any(|t| {
        let declared = stream
            .node(o.doc, t.node)
            .and_then(|n| n.get("containers"))
            .is_some_and(|e| !e.value.items().is_empty());
        !declared || t.containers.iter().any(|c| c.image.is_none())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::parse_stream;

    fn stream(text: &str) -> Manifests {
        Manifests::from_yaml(parse_stream(text, &Limits::default()))
    }

    #[test]
    fn patches_listed_by_a_kustomization() {
        let k = "resources: [deployment.yaml]\npatchesStrategicMerge:\n- ./probes.yaml\n\
                 patches:\n- path: limits.yaml\n  target: {kind: Deployment}\n- ../other/x.yaml\n\
                 patchesJson6902:\n- path: json.yaml\n";
        assert_eq!(patches_of(k), ["probes.yaml", "limits.yaml", "json.yaml"]);
        assert_eq!(patches_of("resources: [a.yaml]"), Vec::<String>::new());
        assert_eq!(patches_of(": ["), Vec::<String>::new());
    }

    #[test]
    fn patch_files_by_path() {
        let listed = ["probes.yaml".to_string()];
        assert!(file_is_patch("k8s/overlays/edge/probes.yaml", &listed));
        assert!(!file_is_patch("k8s/base/probes.yaml", &[]));
        assert!(file_is_patch("config/frr/speaker-patch.yaml", &[]));
        assert!(file_is_patch("components/ha/patch.yaml", &[]));
        assert!(file_is_patch("x/patch_resources.yml", &[]));
        assert!(file_is_patch("deploy/patches/replicas.yaml", &[]));
        assert!(!file_is_patch("deploy/dispatcher.yaml", &[]));
        assert!(!file_is_patch("deploy/patches.yaml", &[]));
        assert!(!file_is_patch("", &[]));
    }

    #[test]
    fn incomplete_objects() {
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  \
                     template:\n    spec:\n      containers:\n      - name: app\n        \
                     resources: {limits: {memory: 1Gi}}\n";
        assert_eq!(partial_objects(&stream(patch), ""), [true]);
        let affinity = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  \
                        template:\n    spec:\n      affinity: {}\n";
        assert_eq!(partial_objects(&stream(affinity), ""), [true]);
        // a base without a selector, otherwise complete
        let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  \
                    template:\n    spec:\n      containers:\n      - name: app\n        \
                    image: nginx:1.27\n";
        assert_eq!(partial_objects(&stream(base), "k8s/base/deployment.yaml"), [false]);
        assert_eq!(partial_objects(&stream(base), "k8s/overlays/edge/deployment.yaml"), [true]);
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
        assert_eq!(partial_objects(&stream(cm), "k8s/overlays/edge/cm.yaml"), [false]);
    }
}
