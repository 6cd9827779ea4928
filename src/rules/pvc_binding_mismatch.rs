//! `pvc-binding-mismatch`: a PersistentVolumeClaim and the PersistentVolume it is meant to bind
//! (by `volumeName`, by the volume's `claimRef`, or by the claim's `selector`) that the
//! PersistentVolume controller will never bind, so the claim stays `Pending` (documented in
//! `rules/pvc-binding-mismatch.md`).
//!
//! The checks are the controller's: `checkVolumeSatisfyClaim` for a claim that names its
//! volume (capacity in whole bytes, class, volume mode, access modes), `FindMatchingVolume` for
//! a volume reserved for the claim (capacity, volume mode) and for a selector (labels, class,
//! capacity, volume mode, access modes). A pair in one stream is judged by the per-file hook, a
//! pair across two files of one directory by the cross-file hook; the finding is on the claim.

use crate::declare_rule;
use crate::document::Document;
use crate::engine::{kubernetes_bundles, RunFile};
use crate::model::kubernetes::storage::{Claim, PersistentVolume, StorageClass};
use crate::model::kubernetes::{Manifests, Object};
use crate::rules::{CrossFileCtx, CrossFileRole, Ctx, Rule, RuleMeta};
use crate::semantic::selector;
use crate::source::Span;
use crate::values::quantity::parse_quantity;

declare_rule! {
    /// A claim and the volume it is meant for that cannot bind.
    PvcBindingMismatch {
        name: "pvc-binding-mismatch",
        summary: "a PersistentVolumeClaim cannot bind the PersistentVolume it names or selects (class, access modes, capacity, volume mode)",
        severity: Error,
        formats: [Kubernetes],
        equivalents: [],
    }
}

impl Rule for PvcBindingMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn kubernetes(&self, stream: &Manifests, cx: &mut Ctx) {
        let pvs = volumes(0, stream);
        for object in &stream.objects {
            let Some(claim) = stream.claim(object) else { continue };
            if let Some((pairing, candidates)) = pair(object, &claim, &pvs) {
                for m in judge(object, &claim, pairing, &candidates, None) {
                    cx.report(m.span, m.message).help(m.help);
                }
            }
        }
    }

    fn uses_cross_file(&self) -> bool {
        true
    }

    fn cross_file_role(&self, document: &Document) -> CrossFileRole {
        // Findings are on a claim, about a PersistentVolume of another file.
        let Document::Kubernetes(stream) = document else { return CrossFileRole::ANY };
        CrossFileRole {
            reports: stream.objects.iter().any(|o| stream.claim(o).is_some()),
            pairs: stream.objects.iter().any(|o| stream.persistent_volume(o).is_some()),
        }
    }

    fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {
        // One bundle: the files of a directory.
        for streams in kubernetes_bundles(files) {
            let all: Vec<Pv<'_>> = streams.iter().flat_map(|&(file, s)| volumes(file, s)).collect();
            for &(file, stream) in &streams {
                let own: Vec<&Pv<'_>> = all.iter().filter(|p| p.file == file).collect();
                let others: Vec<&Pv<'_>> = all.iter().filter(|p| p.file != file).collect();
                if others.is_empty() {
                    continue;
                }
                for object in &stream.objects {
                    let Some(claim) = stream.claim(object) else { continue };
                    // A pair in the claim's own stream is the per-file hook's.
                    if pair_refs(object, &claim, &own).is_some() {
                        continue;
                    }
                    let Some((pairing, candidates)) = pair_refs(object, &claim, &others) else {
                        continue;
                    };
                    let path = |pv: &Pv<'_>| files.get(pv.file).map(|f| f.source.path.clone());
                    for m in judge(object, &claim, pairing, &candidates, Some(&path)) {
                        cx.report(file, m.span, m.message)
                            .help(m.help)
                            .logical_path(object.logical_name());
                    }
                }
            }
        }
    }
}

/// A PersistentVolume of the run, with the file it is in.
struct Pv<'a> {
    file: usize,
    object: &'a Object,
    pv: PersistentVolume,
}

fn volumes(file: usize, stream: &Manifests) -> Vec<Pv<'_>> {
    stream
        .objects
        .iter()
        .filter_map(|o| Some(Pv { file, object: o, pv: stream.persistent_volume(o)? }))
        .collect()
}

/// How a claim is meant to bind a volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pairing {
    /// The claim's `volumeName`.
    VolumeName,
    /// The volume's `claimRef` names the claim.
    ClaimRef,
    /// The claim's `selector` matches the volume's labels.
    Selector,
}

fn pair<'p, 'a>(
    object: &Object,
    claim: &Claim,
    pvs: &'p [Pv<'a>],
) -> Option<(Pairing, Vec<&'p Pv<'a>>)> {
    let refs: Vec<&Pv<'a>> = pvs.iter().collect();
    pair_refs(object, claim, &refs)
}

/// The volumes `claim` is meant to bind among `pvs`, and how; `None` when it names or
/// selects none of them.
fn pair_refs<'p, 'a>(
    object: &Object,
    claim: &Claim,
    pvs: &[&'p Pv<'a>],
) -> Option<(Pairing, Vec<&'p Pv<'a>>)> {
    let named = |p: &&&Pv<'a>, name: &str| p.object.name.as_ref().is_some_and(|n| n.value == name);
    if let Some(volume) = &claim.volume_name {
        let found: Vec<&Pv<'a>> =
            pvs.iter().filter(|p| named(p, &volume.value)).copied().take(1).collect();
        return (!found.is_empty()).then_some((Pairing::VolumeName, found));
    }
    let claim_name = object.name.as_ref()?.value.as_str();
    let reserved: Vec<&Pv<'a>> = pvs
        .iter()
        .filter(|p| {
            p.pv.claim_ref.as_ref().is_some_and(|r| {
                r.name.as_deref() == Some(claim_name)
                    && match (&r.namespace, &object.namespace) {
                        (Some(a), Some(b)) => *a == b.value,
                        _ => true,
                    }
            })
        })
        .copied()
        .take(1)
        .collect();
    if !reserved.is_empty() {
        return Some((Pairing::ClaimRef, reserved));
    }
    let (sel, _) = claim.selector.as_ref()?;
    if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
        return None;
    }
    let selected: Vec<&Pv<'a>> = pvs
        .iter()
        .filter(|p| {
            p.pv.claim_ref.is_none()
                && !p.pv.unreadable_labels
                && selector::matches(sel, &p.pv.labels) == Some(true)
        })
        .copied()
        .collect();
    (!selected.is_empty()).then_some((Pairing::Selector, selected))
}

/// The path of a volume's file, for a finding in another file.
type FileOf<'f> = dyn Fn(&Pv<'_>) -> Option<String> + 'f;

/// Why a claim does not bind a volume.
struct Mismatch {
    span: Span,
    message: String,
    help: &'static str,
}

/// The mismatches of a claim with the volumes it is meant for: all of them for a named or
/// reserved volume; for a selector, those of the first selected volume, and only when every
/// selected volume has one (one that fits binds). Nothing when something cannot be read.
fn judge(
    object: &Object,
    claim: &Claim,
    pairing: Pairing,
    candidates: &[&Pv<'_>],
    path: Option<&FileOf<'_>>,
) -> Vec<Mismatch> {
    let mut first = None;
    for pv in candidates {
        match mismatches(object, claim, pairing, pv, path) {
            Some(m) if m.is_empty() => return Vec::new(),
            Some(m) => {
                if first.is_none() {
                    first = Some(m);
                }
            }
            None => return Vec::new(),
        }
    }
    first.unwrap_or_default()
}

const CLASS_HELP: &str = "for a pre-provisioned volume without a class, write \
     `storageClassName: \"\"` in the claim; otherwise use the volume's class";

/// The mismatches of one pair, `None` when a value cannot be read exactly.
fn mismatches(
    object: &Object,
    claim: &Claim,
    pairing: Pairing,
    pv: &Pv<'_>,
    path: Option<&FileOf<'_>>,
) -> Option<Vec<Mismatch>> {
    let claim_name = object.display_name();
    let in_file = path.and_then(|p| p(pv)).map(|f| format!(" (in {f})")).unwrap_or_default();
    let volume = format!("PersistentVolume `{}`{in_file}", pv.object.display_name());
    let how = match pairing {
        Pairing::VolumeName => "which it names",
        Pairing::ClaimRef => "whose `claimRef` reserves it for this claim",
        Pairing::Selector => "which its selector matches",
    };
    let mut out = Vec::new();
    // capacity: whole bytes for a named volume (`Value()`), exact otherwise (`Cmp`)
    if let (Some(request), Some(capacity)) = (&claim.request, &pv.pv.capacity) {
        let (r, c) = (parse_quantity(&request.value).ok()?, parse_quantity(&capacity.value).ok()?);
        let short = match pairing {
            Pairing::VolumeName => c.value_ceil() < r.value_ceil(),
            _ => c.milli() < r.milli(),
        };
        if short {
            out.push(Mismatch {
                span: request.span,
                message: format!(
                    "claim `{claim_name}` requests {} but {volume}, {how}, holds only {}",
                    request.value, capacity.value
                ),
                help: "request at most the volume's capacity, or give the volume more",
            });
        }
    }
    let mode = |m: &Option<crate::source::Spanned<String>>| {
        m.as_ref().map_or("Filesystem", |v| v.value.as_str()).to_string()
    };
    let (claim_mode, pv_mode) = (mode(&claim.volume_mode), mode(&pv.pv.volume_mode));
    if claim_mode != pv_mode {
        out.push(Mismatch {
            span: claim.volume_mode.as_ref().map_or(claim.spec_key, |m| m.span),
            message: format!(
                "claim `{claim_name}` wants volume mode {claim_mode} but {volume}, {how}, \
                 is {pv_mode}"
            ),
            help: "use the same `volumeMode` (absent means Filesystem) in the claim and the volume",
        });
    }
    if pairing == Pairing::ClaimRef {
        return Some(out);
    }
    // class: the claim's after admission, the volume's ("" for none)
    let pv_class = match &pv.pv.class {
        StorageClass::Omitted => "",
        StorageClass::Named(n) => n.value.as_str(),
        StorageClass::Unreadable => return None,
    };
    match &claim.class {
        StorageClass::Omitted if pv_class.is_empty() => out.push(Mismatch {
            span: claim.spec_key,
            message: format!(
                "claim `{claim_name}` omits `storageClassName`, so the cluster's default class \
                 is set when it is created, and {volume}, {how}, has no class: they never \
                 bind"
            ),
            help: CLASS_HELP,
        }),
        // The default class may be the volume's.
        StorageClass::Omitted => {}
        StorageClass::Named(c) if c.value != pv_class => out.push(Mismatch {
            span: c.span,
            message: format!(
                "claim `{claim_name}` has class `{}` but {volume}, {how}, has {}",
                c.value,
                if pv_class.is_empty() { "none".to_string() } else { format!("`{pv_class}`") }
            ),
            help: CLASS_HELP,
        }),
        StorageClass::Named(_) => {}
        StorageClass::Unreadable => return None,
    }
    if !pv.pv.access_modes.is_empty() {
        let missing: Vec<&str> = claim
            .access_modes
            .iter()
            .map(|m| m.value.as_str())
            .filter(|m| !pv.pv.access_modes.iter().any(|p| p.value == *m))
            .collect();
        if !missing.is_empty() {
            let offered: Vec<&str> = pv.pv.access_modes.iter().map(|m| m.value.as_str()).collect();
            out.push(Mismatch {
                span: claim.access_modes_key.unwrap_or(claim.spec_key),
                message: format!(
                    "claim `{claim_name}` requests access mode {} that {volume}, {how}, \
                     does not offer ({})",
                    missing.join(", "),
                    offered.join(", ")
                ),
                help: "request only access modes the volume lists",
            });
        }
    }
    if pairing == Pairing::VolumeName {
        if let Some(r) = &pv.pv.claim_ref {
            let other_name = r.name.as_deref().is_some_and(|n| n != claim_name);
            let other_ns = match (&r.namespace, &object.namespace) {
                (Some(a), Some(b)) => *a != b.value,
                _ => false,
            };
            if other_name || other_ns {
                out.push(Mismatch {
                    span: claim.volume_name.as_ref().map_or(claim.spec_key, |v| v.span),
                    message: format!(
                        "claim `{claim_name}` names {volume}, whose `claimRef` reserves it for \
                         claim `{}`",
                        r.name.as_deref().unwrap_or("")
                    ),
                    help: "name a free volume, or reserve this one for this claim",
                });
            }
        }
    }
    Some(out)
}
