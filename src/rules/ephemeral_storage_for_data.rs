//! `ephemeral-storage-for-data`: data kept where it does not survive (documented in
//! `rules/ephemeral-storage-for-data.md`).
//!
//! - Kubernetes: an `emptyDir` mounted by an app or sidecar container at a data path (the
//!   image's, or a generic `/data`-like one), or as the only writable storage of a StatefulSet
//!   container.
//! - Compose: a `tmpfs` at a data path, or a known stateful image with no named volume or bind
//!   mount at its data path.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, MountType, Service};
use crate::model::container::Pod;
use crate::model::kubernetes::{Container, ContainerRole, Manifests, Object, PodTemplate, Volume};
use crate::rules::{Ctx, Rule};
use crate::semantic::stateful::{self, RefusedMount, StatefulImage, Storage, Workload};
use crate::source::Span;
use crate::values::image_ref::{has_variable, ImageRef};

declare_rule! {
    /// Data on storage that is wiped with the pod or the container.
    EphemeralStorageForData {
        name: "ephemeral-storage-for-data",
        summary: "emptyDir, tmpfs or no volume at all for data that must persist",
        severity: Warning,
        formats: [Compose, Kubernetes],
        equivalents: [],
        options: [
            strings(
                "data-paths",
                &[],
                "more paths that hold data: a mount at, above or below one of them is checked"
            ),
            strings(
                "stateful-images",
                &[],
                "more stateful images, as `image=data-path` (`registry.example.com/historian=/var/lib/historian`)"
            ),
        ],
    }
}

impl Rule for EphemeralStorageForData {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let config_files = stateful::pod_config_files(stream, pod.object, pod.template);
        let partial = cx.semantic().is_partial(pod);
        check_pod(pod.object, pod.template, &config_files, partial, cx);
    }

    fn service(&self, _file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        check_service(service, cx);
    }
}

/// Volume sources that hold no data a container writes: they are projected from the API.
const PROJECTED_SOURCES: &[&str] = &["configMap", "secret", "projected", "downwardAPI"];

/// Volume sources that die with the pod.
const EPHEMERAL_SOURCES: &[&str] = &["emptyDir", "ephemeral"];

/// Why an emptyDir (or tmpfs) mount holds data.
#[derive(Debug, PartialEq, Eq)]
enum Reason {
    /// At or above the data path of the container's image.
    Image(StatefulImage),
    /// A path named like data (`/data`, `…/db`, `…/storage`, `…/persist`).
    DataPath,
    /// The only writable storage of a StatefulSet container.
    StatefulSet,
}

/// The reason a mount at `path` holds data, before the StatefulSet case: the image's data path,
/// else a generic data path. Scratch paths never do.
fn data_reason(data_paths: &[&str], path: &str, image: Option<&StatefulImage>) -> Option<Reason> {
    if has_variable(path) || stateful::is_scratch_path(path) {
        return None;
    }
    match image {
        Some(img) if stateful::covers(path, &img.data_path) => Some(Reason::Image(img.clone())),
        _ if stateful::is_data_path(path)
            || data_paths
                .iter()
                .any(|d| stateful::covers(path, d) || stateful::covers(d, path)) =>
        {
            Some(Reason::DataPath)
        }
        _ => None,
    }
}

/// The built-in table (and the role the container runs in), then the `stateful-images` option
/// (`image=data-path` entries).
fn stateful_image(cx: &Ctx, w: &Workload<'_>) -> Option<Storage> {
    if let Some(known) = stateful::classify(w) {
        return Some(known);
    }
    let r = ImageRef::parse(w.image).ok()?;
    cx.option_strings("stateful-images").into_iter().find_map(|entry| {
        let (name, path) = entry.split_once('=')?;
        let want = ImageRef::parse(name.trim()).ok()?;
        (want.name() == r.name())
            .then(|| Storage::Keeps(StatefulImage::custom(r.familiar_name(), path.trim())))
    })
}

fn container_image(cx: &Ctx, c: &Container, config_files: &[(&str, &str)]) -> Option<Storage> {
    stateful::container_workload(c, config_files, |w| stateful_image(cx, w)).flatten()
}

/// A mount at `path` touches the data directory of an image whose container keeps nothing
/// there (a cache, an arbiter, a client): at, above or below it.
fn touches_unused_data(storage: Option<&Storage>, path: &str) -> bool {
    match storage {
        Some(Storage::KeepsNothing { image, .. }) => {
            stateful::covers(path, &image.data_path) || stateful::covers(&image.data_path, path)
        }
        _ => false,
    }
}

/// A volume source that outlives the pod: not emptyDir or a generic ephemeral volume, and not
/// data projected from the API.
fn is_persistent(source: &str) -> bool {
    !EPHEMERAL_SOURCES.contains(&source) && !PROJECTED_SOURCES.contains(&source)
}

/// A home directory (`/root`, `/home/<user>`): where tools keep settings and caches, not what
/// makes a StatefulSet stateful.
fn is_home_path(path: &str) -> bool {
    let path = stateful::normalize(path);
    stateful::covers("/root", &path) || stateful::covers("/home", &path)
}

fn is_stateful_set(object: &Object, pod: &PodTemplate) -> bool {
    object.kind.value == "StatefulSet" || pod.path.contains("statefulSetTemplate")
}

fn check_pod(
    object: &Object,
    pod: &PodTemplate,
    config_files: &[(&str, &str)],
    partial: bool,
    cx: &mut Ctx,
) {
    let volume =
        |name: &str| pod.volumes.iter().find(|v| v.name.as_ref().is_some_and(|n| n.value == name));
    // A StatefulSet without any persistent storage: no volumeClaimTemplates (a mount whose name
    // is not a pod volume), no PVC, hostPath or other persistent source.
    // (Not in a partial object, whose base may have the volume claims.)
    let stateless_stateful_set = is_stateful_set(object, pod)
        && !partial
        && !pod.volumes.iter().any(|v| v.source.as_ref().is_some_and(|s| is_persistent(&s.value)))
        && pod
            .containers
            .iter()
            .flat_map(|c| &c.volume_mounts)
            .all(|vm| vm.name.as_ref().is_none_or(|n| volume(&n.value).is_some()));
    for c in &pod.containers {
        // Init containers hand files over and exit; ephemeral ones are for debugging.
        if !matches!(c.role, ContainerRole::App | ContainerRole::Sidecar) {
            continue;
        }
        let storage = container_image(cx, c, config_files);
        let keeps_nothing = matches!(storage, Some(Storage::KeepsNothing { .. }));
        let image = storage.clone().and_then(Storage::keeps);
        let refused = image.as_ref().and_then(|i| Some((i, i.refused_mount.as_ref()?)));
        for vm in &c.volume_mounts {
            let (Some(name), Some(path)) = (&vm.name, &vm.mount_path) else { continue };
            if let Some((img, refused)) = refused.filter(|(_, r)| is_refused(r, &path.value)) {
                let image = c.image.as_ref().map_or(img.name.as_str(), |i| i.value.as_str());
                let what = format!("`{}`", name.value);
                report_refused(image, &img.mount_point, refused, path.span, &what, cx);
                continue;
            }
            if vm.read_only {
                continue;
            }
            let Some(vol) = volume(&name.value) else { continue };
            if vol.source.as_ref().is_none_or(|s| s.value != "emptyDir")
                || stateful::is_scratch_name(&name.value)
                || touches_unused_data(storage.as_ref(), &path.value)
            {
                continue;
            }
            let reason =
                match data_reason(&cx.option_strings("data-paths"), &path.value, image.as_ref()) {
                    Some(r) => r,
                    None if stateless_stateful_set
                        && !keeps_nothing
                        && !has_variable(&path.value)
                        && !stateful::is_scratch_path(&path.value)
                        && !is_home_path(&path.value) =>
                    {
                        Reason::StatefulSet
                    }
                    None => continue,
                };
            let mount = Mount { vol, name: &name.value, path: &path.value, span: path.span };
            report_empty_dir(object, c, image.as_ref(), &mount, reason, cx);
        }
    }
}

/// An emptyDir mount being reported.
struct Mount<'a> {
    vol: &'a Volume,
    name: &'a str,
    path: &'a str,
    span: Span,
}

fn report_empty_dir(
    object: &Object,
    c: &Container,
    image: Option<&StatefulImage>,
    mount: &Mount<'_>,
    reason: Reason,
    cx: &mut Ctx,
) {
    let Mount { vol, name, path, span } = *mount;
    let memory = vol.medium.as_ref().is_some_and(|m| m.value == "Memory");
    let what = if memory {
        format!("memory-backed emptyDir `{name}`")
    } else {
        format!("emptyDir `{name}`")
    };
    let why = match &reason {
        Reason::Image(img) => holds_data_of(img, path),
        Reason::DataPath => "is a data directory".to_string(),
        Reason::StatefulSet => {
            format!("is the only writable storage of StatefulSet {}", c.describe())
        }
    };
    let lost = if memory {
        "wiped when the pod leaves the node or the node reboots"
    } else {
        "wiped when the pod leaves the node"
    };
    // Replace the emptyDir in place, unless it misses the image's data (PostgreSQL 18+).
    let target = match (&reason, image.cloned()) {
        (Reason::Image(_), _) => path.to_string(),
        (_, Some(img)) if !stateful::covers(path, &img.data_path) => img.mount_point,
        _ => path.to_string(),
    };
    let help = if reason == Reason::StatefulSet || stateful_set_kind(object) {
        format!(
            "add a `volumeClaimTemplates` entry and mount it at {target} (K3s provisions it with \
             `local-path`); keep emptyDir for caches and scratch files"
        )
    } else {
        format!(
            "mount a PersistentVolumeClaim at {target} (K3s provisions one with its `local-path` \
             storage class), or run it as a StatefulSet with `volumeClaimTemplates`"
        )
    };
    cx.report(span, format!("{what} mounted at {path} {why}, and is {lost}")).help(help);
}

/// `holds the data of `postgres``, naming the data path when the mount is above it.
fn holds_data_of(img: &StatefulImage, mount: &str) -> String {
    if stateful::normalize(mount) == img.data_path {
        format!("holds the data of `{}`", img.name)
    } else {
        format!("holds the data of `{}` ({})", img.name, img.data_path)
    }
}

fn stateful_set_kind(object: &Object) -> bool {
    object.kind.value == "StatefulSet"
}

/// `tmpfs` mounts of a service: the service-level list and `type: tmpfs` volumes, as (target,
/// span of the finding).
fn tmpfs_mounts(service: &Service) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for t in &service.tmpfs {
        let target = t.value.split(':').next().unwrap_or("").trim();
        out.push((target.to_string(), t.span));
    }
    for v in &service.volumes {
        if v.kind == MountType::Tmpfs {
            if let Some(t) = &v.target {
                out.push((t.value.clone(), t.span));
            }
        }
    }
    out
}

fn service_image(cx: &Ctx, service: &Service) -> Option<Storage> {
    stateful::service_workload(service, |w| stateful_image(cx, w)).flatten()
}

/// A mount at `path` is the one the image refuses.
fn is_refused(refused: &RefusedMount, path: &str) -> bool {
    !has_variable(path) && stateful::normalize(path) == refused.path
}

/// A mount that stops the container from starting (PostgreSQL 18+ at /var/lib/postgresql/data):
/// an error, and the only finding about that mount.
fn report_refused(
    image: &str,
    mount_point: &str,
    refused: &RefusedMount,
    span: Span,
    volume: &str,
    cx: &mut Ctx,
) {
    cx.report(
        span,
        format!("`{image}` does not start with a mount at {}: {}", refused.path, refused.why),
    )
    .severity(Severity::Error)
    .help(format!(
        "mount {volume} at {mount_point} instead; data written by PostgreSQL 17 or earlier \
         needs `pg_upgrade` first (or set `PGDATA` to {} to keep the old layout)",
        refused.path
    ));
}

fn check_service(service: &Service, cx: &mut Ctx) {
    let storage = service_image(cx, service);
    let image = storage.clone().and_then(Storage::keeps);
    let tmpfs = tmpfs_mounts(service);
    if let (Some(img), Some(image_value)) = (&image, &service.image) {
        if let Some(refused) = &img.refused_mount {
            let targets = service
                .volumes
                .iter()
                .filter(|v| v.kind != MountType::Tmpfs)
                .filter_map(|v| {
                    let t = v.target.as_ref()?;
                    let source = v
                        .source
                        .as_ref()
                        .map_or("the volume".to_string(), |s| format!("`{}`", s.value));
                    Some((t.value.clone(), t.span, source))
                })
                .chain(
                    tmpfs.iter().map(|(t, span)| (t.clone(), *span, "a named volume".to_string())),
                );
            let mut stopped = false;
            for (target, span, source) in targets {
                if is_refused(refused, &target) {
                    report_refused(
                        &image_value.value,
                        &img.mount_point,
                        refused,
                        span,
                        &source,
                        cx,
                    );
                    stopped = true;
                }
            }
            // The container does not start: nothing else about its data matters.
            if stopped {
                return;
            }
        }
    }
    for (target, span) in &tmpfs {
        if touches_unused_data(storage.as_ref(), target) {
            continue;
        }
        let Some(reason) = data_reason(&cx.option_strings("data-paths"), target, image.as_ref())
        else {
            continue;
        };
        let why = match &reason {
            Reason::Image(img) => holds_data_of(img, target),
            _ => "is a data directory".to_string(),
        };
        let target_dir = match &reason {
            Reason::Image(img) => img.mount_point.as_str(),
            _ => target.as_str(),
        };
        cx.report(*span, format!("tmpfs at {target} {why}, and is wiped when the container stops"))
            .help(format!(
            "mount a named volume there instead: `{}-data:{target_dir}` under `volumes:`; keep \
             tmpfs for caches and scratch files",
            service.name.value
        ));
    }

    let (Some(img), Some(image_value)) = (image, &service.image) else { return };
    // Mounts edgelint cannot see or resolve: stay silent.
    if service.extends_other_file
        || !service.volumes_from.is_empty()
        || service.volumes.iter().any(|v| v.target.as_ref().is_none_or(|t| has_variable(&t.value)))
    {
        return;
    }
    let covering = |v: &&crate::model::compose::VolumeMount| {
        v.target.as_ref().is_some_and(|t| stateful::covers(&t.value, &img.data_path))
    };
    let kept = service.volumes.iter().filter(covering).any(|v| match v.kind {
        MountType::Bind | MountType::Other => true,
        MountType::Volume => v.source.is_some(),
        MountType::Tmpfs => false,
    });
    // A tmpfs there was reported above.
    let in_tmpfs = tmpfs.iter().any(|(t, _)| stateful::covers(t, &img.data_path));
    if kept || in_tmpfs {
        return;
    }
    // A volume that misses the data by a level (PostgreSQL 18+, or one below the data path).
    let missed = service.volumes.iter().find(|v| {
        matches!(v.kind, MountType::Bind | MountType::Volume)
            && v.source.is_some()
            && v.target.as_ref().is_some_and(|t| {
                stateful::covers(&img.mount_point, &t.value)
                    || stateful::covers(&img.data_path, &t.value)
            })
    });
    let anonymous = service
        .volumes
        .iter()
        .filter(covering)
        .any(|v| v.kind == MountType::Volume && v.source.is_none());
    let (none, fate) = if img.declares_volume || anonymous {
        (
            "has no named volume",
            "it lands in an anonymous volume that `docker compose down -v` deletes",
        )
    } else {
        ("has no volume", "it is lost whenever the container is recreated")
    };
    let missed = missed
        .and_then(|v| v.target.as_ref())
        .map(|t| format!(" (the one at {} does not hold it)", t.value))
        .unwrap_or_default();
    cx.report(
        image_value.span,
        format!(
            "`{}` keeps its data in {}, which {none}{missed}: {fate}",
            image_value.value, img.data_path
        ),
    )
    .help(format!(
        "mount a named volume at {0}: `- {1}-data:{0}` under the service's `volumes:`, declared \
         in the top-level `volumes:`",
        img.mount_point, service.name.value
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_reason_prefers_the_image_and_skips_scratch() {
        let pg = stateful::lookup("postgres:16", &[], &[]);
        assert!(matches!(
            data_reason(&[], "/var/lib/postgresql/data", pg.as_ref()),
            Some(Reason::Image(_))
        ));
        assert!(matches!(
            data_reason(&[], "/var/lib/postgresql", pg.as_ref()),
            Some(Reason::Image(_))
        ));
        assert_eq!(
            data_reason(&[], "/var/lib/postgresql/data/conf", pg.as_ref()),
            Some(Reason::DataPath)
        );
        assert_eq!(data_reason(&[], "/etc/postgresql", pg.as_ref()), None);
        assert_eq!(data_reason(&[], "/data", None), Some(Reason::DataPath));
        assert_eq!(data_reason(&[], "/tmp/data", None), None);
        assert_eq!(data_reason(&[], "/data/cache", None), None);
        assert_eq!(data_reason(&[], "/var/cache/nginx", None), None);
        assert_eq!(data_reason(&[], "{{ .Values.dataDir }}/data", None), None);
    }
}
