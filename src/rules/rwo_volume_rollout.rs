//! `rwo-volume-rollout`: a Deployment (or ReplicaSet, ReplicationController) whose pods share
//! a claim that one node (`ReadWriteOnce`) or one pod (`ReadWriteOncePod`) can use at a time,
//! with more than one replica or a rolling update that starts the new pod before the old one
//! stops (documented in `rules/rwo-volume-rollout.md`).
//!
//! The claim's access modes are read from the PersistentVolumeClaim of that name: in the same
//! stream (the per-file hook), or in another file of the same directory linted in the same run
//! (the cross-file hook). A claim edgelint cannot see is not judged.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::document::Document;
use crate::engine::{kubernetes_bundles, RunFile};
use crate::model::kubernetes::storage::Sharing;
use crate::model::kubernetes::{Manifests, Object, Scalar};
use crate::rules::{CrossFileCtx, CrossFileRole, Ctx, Rule, RuleMeta};
use crate::source::Span;

declare_rule! {
    /// A claim one node or one pod can use, shared by replicas or across a rolling update.
    RwoVolumeRollout {
        name: "rwo-volume-rollout",
        summary: "a Deployment's ReadWriteOnce claim is shared by several replicas or by the old and new pods of a rolling update, which then hangs",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
    }
}

const HELP: &str = "set `strategy: {type: Recreate}` (or `rollingUpdate: {maxSurge: 0, \
     maxUnavailable: 1}`) so the old pod releases the volume first; for state per replica use \
     a StatefulSet with `volumeClaimTemplates`";

const REPLICAS_HELP: &str =
    "run one replica (a Deployment with `strategy: {type: Recreate}`), use a \
     StatefulSet with `volumeClaimTemplates` for state per replica, or a ReadWriteMany class";

impl Rule for RwoVolumeRollout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn object(&self, stream: &Manifests, object: &Object, cx: &mut Ctx) {
        for finding in judge(object, stream, |claim| find_sharing(stream, object, claim)) {
            cx.report(finding.span, finding.message).severity(finding.severity).help(finding.help);
        }
    }

    fn uses_cross_file(&self) -> bool {
        true
    }

    fn cross_file_role(&self, document: &Document) -> CrossFileRole {
        // Findings are on a Deployment (ReplicaSet, ReplicationController) mounting a claim its
        // own stream does not declare, about a PersistentVolumeClaim of another file.
        let Document::Kubernetes(stream) = document else { return CrossFileRole::ANY };
        let reports = stream.objects.iter().any(|o| {
            rolls_out(&o.kind.value)
                && o.pod_templates.first().is_some_and(|t| {
                    t.volumes.iter().any(|v| {
                        stream
                            .claim_name(o, v)
                            .is_some_and(|c| find_sharing(stream, o, &c.value).is_none())
                    })
                })
        });
        let pairs = stream.objects.iter().any(|o| stream.claim(o).is_some());
        CrossFileRole { reports, pairs }
    }

    fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {
        // One bundle: the files of a directory.
        for streams in kubernetes_bundles(files) {
            for &(file, stream) in &streams {
                for object in &stream.objects {
                    // Claims of the workload's own stream are the per-file hook's.
                    let elsewhere = |claim: &str| {
                        if find_sharing(stream, object, claim).is_some() {
                            return None;
                        }
                        streams
                            .iter()
                            .filter(|&&(other, _)| other != file)
                            .find_map(|&(other, s)| {
                                let path = files.get(other).map(|f| f.source.path.clone());
                                find_sharing(s, object, claim).map(|sharing| (sharing, path))
                            })
                            .map(|(sharing, path)| (sharing, path.unwrap_or_default()))
                    };
                    let mut paths = Vec::new();
                    let findings = judge(object, stream, |claim| {
                        let (sharing, path) = elsewhere(claim)?;
                        paths.push(path);
                        Some(sharing)
                    });
                    for finding in findings {
                        let path = paths.get(finding.claim_index).cloned().unwrap_or_default();
                        cx.report(
                            file,
                            finding.span,
                            format!("{} (claim in {path})", finding.message),
                        )
                        .severity(finding.severity)
                        .help(finding.help)
                        .logical_path(object.logical_name());
                    }
                }
            }
        }
    }
}

/// How the claim `name` of `workload`'s namespace can be shared, if `stream` declares it.
fn find_sharing(stream: &Manifests, workload: &Object, name: &str) -> Option<Sharing> {
    stream
        .objects
        .iter()
        .filter(|o| o.name.as_ref().is_some_and(|n| n.value == name) && o.same_namespace(workload))
        .find_map(|o| stream.claim(o))
        .map(|c| c.sharing())
}

struct Finding {
    span: Span,
    message: String,
    severity: Severity,
    help: &'static str,
    /// Which looked-up claim it is about (the n-th `sharing` call that returned something).
    claim_index: usize,
}

/// Whether a Deployment's update starts a new pod before an old one stops: the default
/// `RollingUpdate` with a `maxSurge` that is not `0`/`0%` (25% of any replica count rounds up
/// to 1). `None` when it cannot be read.
fn surges(stream: &Manifests, object: &Object) -> Option<bool> {
    let node = stream.node(object.doc, object.node)?;
    let strategy = node.get("spec")?.value.get("strategy").map(|e| e.value);
    let Some(strategy) = strategy.filter(|s| !s.is_null()) else { return Some(true) };
    match strategy.get("type").map(|e| e.value) {
        None => {}
        Some(t) => match t.as_str() {
            Some("RollingUpdate") => {}
            Some("Recreate") => return Some(false),
            _ => return None,
        },
    }
    let surge = strategy.get("rollingUpdate").and_then(|r| r.value.get("maxSurge"));
    let Some(surge) = surge.map(|e| e.value).filter(|v| !v.is_null()) else { return Some(true) };
    if let Some(n) = surge.as_i64() {
        return Some(n > 0);
    }
    match surge.as_str().and_then(|s| s.strip_suffix('%')).map(str::parse::<i64>) {
        Some(Ok(p)) => Some(p > 0),
        _ => None,
    }
}

/// The replica count when known: `spec.replicas` (default 1), unless an autoscaler of the
/// stream changes it.
fn replicas(stream: &Manifests, object: &Object) -> Option<i64> {
    if stream.is_autoscaled(object) {
        return None;
    }
    let node = stream.node(object.doc, object.node)?;
    match node.get("spec")?.value.get("replicas") {
        None => Some(1),
        Some(e) if e.value.is_null() => Some(1),
        Some(e) => match Scalar::of(e.value) {
            Scalar::Int(n) => Some(n),
            _ => None,
        },
    }
}

/// The findings of one workload, with `sharing` looking its claims up (`None`: not known).
/// The kinds judged: their pods are replaced by a rollout and share the template's claims.
fn rolls_out(kind: &str) -> bool {
    matches!(kind, "Deployment" | "ReplicaSet" | "ReplicationController")
}

fn judge(
    object: &Object,
    stream: &Manifests,
    mut sharing: impl FnMut(&str) -> Option<Sharing>,
) -> Vec<Finding> {
    let kind = object.kind.value.as_str();
    let deployment = kind == "Deployment";
    if !rolls_out(kind) {
        return Vec::new();
    }
    let Some(template) = object.pod_templates.first() else { return Vec::new() };
    let n = replicas(stream, object);
    if n == Some(0) {
        return Vec::new();
    }
    let rolls = deployment && surges(stream, object) == Some(true);
    let workload = format!("{kind} `{}`", object.display_name());
    let mut out = Vec::new();
    let mut found = 0;
    let mut seen: Vec<String> = Vec::new();
    for volume in &template.volumes {
        let Some(claim) = stream.claim_name(object, volume) else { continue };
        if seen.contains(&claim.value) {
            continue;
        }
        seen.push(claim.value.clone());
        let used = template.containers.iter().any(|c| {
            c.volume_mounts.iter().any(|m| {
                volume
                    .name
                    .as_ref()
                    .is_some_and(|v| m.name.as_ref().is_some_and(|n| n.value == v.value))
            })
        });
        if !used {
            continue;
        }
        let Some(mode) = sharing(&claim.value) else { continue };
        let claim_index = found;
        found += 1;
        let (mode_name, one) = match mode {
            Sharing::OnePod => ("ReadWriteOncePod", "one pod"),
            Sharing::OneNode => ("ReadWriteOnce", "one node"),
            Sharing::Many | Sharing::Unknown => continue,
        };
        let severity = if mode == Sharing::OnePod { Severity::Error } else { Severity::Warning };
        let claim_name = &claim.value;
        if let Some(n) = n.filter(|n| *n > 1) {
            let consequence = if mode == Sharing::OnePod {
                "only one of them can start"
            } else {
                "all of them must run on the node the volume is attached to, or fail to attach it"
            };
            out.push(Finding {
                span: claim.span,
                message: format!(
                    "claim `{claim_name}` ({mode_name}, usable by {one} at a time) is shared by \
                     the {n} replicas of {workload}: {consequence}"
                ),
                severity,
                help: REPLICAS_HELP,
                claim_index,
            });
        } else if rolls {
            let consequence = if mode == Sharing::OnePod {
                "the new pod cannot start while the old one runs, and the rollout hangs"
            } else {
                "a new pod scheduled on another node cannot attach the volume while the old one \
                 runs, and the rollout hangs"
            };
            out.push(Finding {
                span: claim.span,
                message: format!(
                    "claim `{claim_name}` ({mode_name}, usable by {one} at a time) is mounted by \
                     {workload}, whose rolling update starts the new pod before the old one \
                     stops: {consequence}"
                ),
                severity,
                help: HELP,
                claim_index,
            });
        }
    }
    out
}
