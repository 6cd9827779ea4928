//! `pdb-blocks-drain`: a PodDisruptionBudget that allows no voluntary eviction of a workload it
//! selects, so `kubectl drain` (and every OS or k3s upgrade that drains first) waits forever.
//!
//! A budget and its workload are judged the same way wherever they are: in one stream by the
//! per-file hook ([`Rule::kubernetes`], so editors and pre-commit see it), in two files of the
//! same run by the cross-file hook ([`Rule::cross_file`]), which also says when a budget
//! selects no workload at all.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::document::Document;
use crate::engine::{kubernetes_bundles, RunFile};
use crate::model::kubernetes::disruption::{DisruptionBudget, IntOrPercent, WorkloadPods};
use crate::model::kubernetes::{Manifests, Object, Scalar};
use crate::rules::{CrossFileCtx, CrossFileRole, Ctx, Rule, RuleMeta};
use crate::semantic::selector;
use crate::source::Span;

declare_rule! {
    /// A PodDisruptionBudget that allows zero voluntary evictions.
    PdbBlocksDrain {
        name: "pdb-blocks-drain",
        summary: "a PodDisruptionBudget allows no voluntary eviction of its workload, so node drains and OS/k3s upgrades hang",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
    }
}

impl Rule for PdbBlocksDrain {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn kubernetes(&self, stream: &Manifests, cx: &mut Ctx) {
        for pdb in &stream.objects {
            let Some(budget) = stream.disruption_budget(pdb) else { continue };
            // Blocks whatever it selects: said once, on the budget alone (its workloads may be
            // in other files); a budget without a selector selects no pod.
            if let (Some((span, why)), true) = (blocks_always(&budget), selects_some(pdb, &budget))
            {
                let selected: Vec<&Object> = stream
                    .objects
                    .iter()
                    .filter(|w| selects(pdb, &budget, stream, w) == Some(true))
                    .collect();
                // What it selects here is only pods a drain does not wait for (a DaemonSet's).
                let drained = |w: &&Object| stream.workload_pods(w).is_some_and(|p| p.drained);
                if !selected.is_empty() && !selected.iter().any(drained) {
                    continue;
                }
                let mut report = cx
                    .report(
                        span,
                        format!(
                            "disruption budget `{}` allows no voluntary eviction of any pod it selects: {why}",
                            name(pdb)
                        ),
                    )
                    .help(HELP)
                    .logical_path(pdb.logical_name());
                for workload in selected.into_iter().filter(drained) {
                    let label = workload.name.as_ref().map_or(workload.kind.span, |n| n.span);
                    report = report.label(label, "a workload it selects");
                }
                continue;
            }
            for workload in &stream.objects {
                if let Some(blocked) = judge(pdb, &budget, stream, workload) {
                    let label = workload.name.as_ref().map_or(workload.kind.span, |n| n.span);
                    cx.report(blocked.span, blocked.message(None))
                        .help(HELP)
                        .label(label, "the workload it selects")
                        .logical_path(pdb.logical_name());
                }
            }
        }
    }

    fn uses_cross_file(&self) -> bool {
        true
    }

    fn cross_file_role(&self, document: &Document) -> CrossFileRole {
        // Findings are in the budget's file; any other file of its directory is judged with it
        // ("selects no workload in its directory" needs no workload elsewhere).
        let Document::Kubernetes(stream) = document else { return CrossFileRole::ANY };
        let reports = stream.objects.iter().any(|o| o.kind.value == "PodDisruptionBudget");
        CrossFileRole { reports, pairs: true }
    }

    fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {
        for streams in kubernetes_bundles(files) {
            for &(pdb_file, pdb_stream) in &streams {
                for pdb in &pdb_stream.objects {
                    let Some(budget) = pdb_stream.disruption_budget(pdb) else { continue };
                    let mut selects_any = false;
                    let mut undecided = false;
                    // One bundle: the files of the budget's directory (a kustomize base, a chart's
                    // rendered output), not every workload of a monorepo.
                    for &(file, stream) in &streams {
                        for workload in &stream.objects {
                            match selects(pdb, &budget, stream, workload) {
                                Some(true) => selects_any = true,
                                None if stream.workload_pods(workload).is_some() => {
                                    undecided = true;
                                }
                                _ => {}
                            }
                            // Pairs in one file, and budgets that block anything, are the
                            // per-file hook's.
                            if file == pdb_file || blocks_always(&budget).is_some() {
                                continue;
                            }
                            if let Some(blocked) = judge(pdb, &budget, stream, workload) {
                                let path = files.get(file).map(|f| f.source.path.as_str());
                                cx.report(pdb_file, blocked.span, blocked.message(path))
                                    .help(HELP)
                                    .logical_path(pdb.logical_name());
                            }
                        }
                    }
                    // "Selects nothing" only where its own file shows the bundle: a workload in the
                    // budget's namespace, so a budget named alone (pre-commit) is not judged.
                    let bundle_seen = pdb_stream
                        .objects
                        .iter()
                        .any(|o| pdb.same_namespace(o) && pdb_stream.workload_pods(o).is_some());
                    if !selects_any && !undecided && bundle_seen && budget.selector.is_some() {
                        let span = pdb.name.as_ref().map_or(pdb.kind.span, |n| n.span);
                        cx.report(
                            pdb_file,
                            span,
                            format!(
                                "disruption budget `{}` selects no workload in its directory",
                                name(pdb)
                            ),
                        )
                        .severity(Severity::Info)
                        .logical_path(pdb.logical_name())
                        .help(
                            "its selector matches no pod template's labels in the files of its \
                         directory linted with it: a leftover, or a label that changed; fix the \
                         selector or delete it",
                        );
                    }
                }
            }
        }
    }
}

const HELP: &str = "a drain evicts pods only when the budget allows it, so `kubectl drain`, the \
     k3s system-upgrade-controller and OTA agents wait forever on this node; for a \
     single-replica site workload delete the budget or use `maxUnavailable: 1`; if zero \
     downtime is needed, run 2 replicas on 2 nodes";

/// A budget that allows no eviction of a workload.
struct Blocked {
    span: Span,
    budget: String,
    workload: String,
    why: String,
}

impl Blocked {
    fn message(&self, workload_file: Option<&str>) -> String {
        let file = workload_file.map(|f| format!(" (in {f})")).unwrap_or_default();
        format!(
            "disruption budget `{}` allows no voluntary eviction of {}{file}: {}",
            self.budget, self.workload, self.why
        )
    }
}

fn name(object: &Object) -> &str {
    object.display_name()
}

/// Whether the budget can select any pod: not without a selector (`policy/v1`), nor with an
/// empty one in `policy/v1beta1`.
fn selects_some(pdb: &Object, budget: &DisruptionBudget) -> bool {
    let Some(sel) = &budget.selector else { return false };
    let beta = pdb.api_version.as_ref().is_some_and(|v| v.value == "policy/v1beta1");
    !(beta && sel.match_labels.is_empty() && sel.match_expressions.is_empty())
}

/// Whether the budget selects the workload's pods: `Some(false)` when it does not or the
/// workload runs no pods, `None` when it cannot be known (a selector or labels edgelint cannot
/// read).
fn selects(
    pdb: &Object,
    budget: &DisruptionBudget,
    stream: &Manifests,
    workload: &Object,
) -> Option<bool> {
    let Some(pods) = stream.workload_pods(workload) else { return Some(false) };
    if !pdb.same_namespace(workload) {
        return Some(false);
    }
    let Some(sel) = budget.selector.as_ref().filter(|_| selects_some(pdb, budget)) else {
        return Some(false);
    };
    if pods.unreadable_labels {
        return None;
    }
    selector::matches(sel, &pods.labels)
}

/// The number of pods the workload runs, when it is known: `spec.replicas` (default 1), unless
/// an autoscaler of its stream changes it.
fn replicas(stream: &Manifests, workload: &Object, pods: &WorkloadPods) -> Option<i64> {
    if stream.is_autoscaled(workload) {
        return None;
    }
    match pods.replicas.as_ref().map(|r| &r.value) {
        None | Some(Scalar::Null) => Some(1),
        Some(Scalar::Int(n)) => Some(*n),
        Some(Scalar::Other(_)) => None,
    }
}

/// `ceil(percent × replicas / 100)`, as the disruption controller scales a percentage.
fn scaled(percent: i64, replicas: i64) -> i64 {
    (percent * replicas + 99) / 100
}

/// A budget that allows no eviction whatever the replica count (`maxUnavailable: 0` or `0%`,
/// `minAvailable: 100%`): the field and how it is written. Not for a budget the API server
/// rejects (both fields set).
fn blocks_always(budget: &DisruptionBudget) -> Option<(Span, &'static str)> {
    match (&budget.min_available, &budget.max_unavailable) {
        (None, Some(max)) => match max.value {
            IntOrPercent::Int(0) => Some((max.span, "`maxUnavailable: 0`")),
            IntOrPercent::Percent(0) => Some((max.span, "`maxUnavailable: 0%`")),
            _ => None,
        },
        (Some(min), None) if min.value == IntOrPercent::Percent(100) => {
            Some((min.span, "`minAvailable: 100%`"))
        }
        _ => None,
    }
}

/// The catalogue's trigger for one budget that does not [`blocks_always`] and one workload it
/// selects: a `minAvailable` that covers every replica.
fn judge(
    pdb: &Object,
    budget: &DisruptionBudget,
    stream: &Manifests,
    workload: &Object,
) -> Option<Blocked> {
    if selects(pdb, budget, stream, workload) != Some(true) {
        return None;
    }
    let pods = stream.workload_pods(workload)?;
    if !pods.drained {
        return None;
    }
    let n = replicas(stream, workload, pods);
    if n == Some(0) {
        return None;
    }
    let replica_text = |n: i64| {
        let s = if n == 1 { "" } else { "s" };
        if pods.replicas.is_some() {
            format!("{n} replica{s}")
        } else {
            format!("{n} replica{s} (default)")
        }
    };
    let (span, why) = match (&budget.min_available, &budget.max_unavailable) {
        (Some(min), None) => match (&min.value, n) {
            (IntOrPercent::Int(m), Some(n)) if *m >= n => {
                (min.span, format!("`minAvailable: {m}` with {}", replica_text(n)))
            }
            (IntOrPercent::Percent(p), Some(n)) if *p > 0 && *p < 100 && scaled(*p, n) >= n => (
                min.span,
                format!(
                    "`minAvailable: {p}%` of {} rounds up to {}",
                    replica_text(n),
                    scaled(*p, n)
                ),
            ),
            _ => return None,
        },
        // `maxUnavailable` blocks only at 0 ([`blocks_always`]); both set: the API server
        // rejects the budget.
        _ => return None,
    };
    let workload = format!("{} `{}`", workload.kind.value, name(workload));
    Some(Blocked { span, budget: name(pdb).to_string(), workload, why })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(50, 1), 1);
        assert_eq!(scaled(50, 3), 2);
        assert_eq!(scaled(1, 100), 1);
        assert_eq!(scaled(100, 4), 4);
        assert_eq!(scaled(0, 4), 0);
    }
}
