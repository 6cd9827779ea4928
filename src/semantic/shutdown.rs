//! How long a container gets to stop, and whether it keeps data that a kill mid-write
//! damages: the effective `terminationGracePeriodSeconds` of a pod (default 30 s) and
//! `stop_grace_period` of a Compose service (default 10 s), and what makes a pod or a service
//! stateful (a StatefulSet, a claim, a hostPath data directory, a known database image, a
//! Compose volume at a data path). One definition for both formats, read by
//! `short-shutdown-grace`.

use crate::model::compose::{MountType, Service};
use crate::model::kubernetes::{ContainerRole, Manifests, Object, PodTemplate};
use crate::semantic::host_paths::{is_node_path, writable_host_paths};
use crate::semantic::stateful;
use crate::source::Span;
use crate::values::duration::parse_compose_duration;

/// The Kubernetes default of `terminationGracePeriodSeconds`.
pub const POD_DEFAULT_SECONDS: i64 = 30;
/// Docker's default `stop_grace_period` (`docker compose` and `docker stop`).
pub const COMPOSE_DEFAULT_SECONDS: i64 = 10;

/// A grace period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grace {
    /// Not written: the platform's default, in seconds.
    Default(i64),
    /// Written: whole seconds (rounded down) and where.
    Written(i64, Span),
    /// Written but not readable exactly (templated, no unit, not a number).
    Unknown,
}

/// A pod's `terminationGracePeriodSeconds` (absent or `null`: 30).
pub fn pod_grace(pod: &PodTemplate) -> Grace {
    match &pod.termination_grace_period_seconds {
        None => Grace::Default(POD_DEFAULT_SECONDS),
        Some(v) if v.value == "null" || v.value == "~" => Grace::Default(POD_DEFAULT_SECONDS),
        Some(v) => v.value.parse().map_or(Grace::Unknown, |n| Grace::Written(n, v.span)),
    }
}

/// A Compose service's `stop_grace_period` (absent: 10 s), a Compose duration.
pub fn service_grace(service: &Service) -> Grace {
    match &service.stop_grace_period {
        None => Grace::Default(COMPOSE_DEFAULT_SECONDS),
        Some(v) => parse_compose_duration(&v.value)
            .map_or(Grace::Unknown, |d| Grace::Written(d.as_secs() as i64, v.span)),
    }
}

/// Why a pod keeps data on disk, if it does: a StatefulSet, a writable claim (or a claim
/// template), a writable hostPath data directory, or an app container of a known stateful
/// image.
pub fn pod_keeps_data(stream: &Manifests, object: &Object, pod: &PodTemplate) -> Option<String> {
    if object.kind.value == "StatefulSet" || pod.path.contains("statefulSetTemplate") {
        return Some("a StatefulSet".to_string());
    }
    for volume in &pod.volumes {
        let Some(claim) = stream.claim_name(object, volume) else { continue };
        let name = volume.name.as_ref().map(|n| n.value.as_str());
        let written = pod.containers.iter().any(|c| {
            c.role != ContainerRole::Ephemeral
                && c.volume_mounts
                    .iter()
                    .any(|m| !m.read_only && m.name.as_ref().map(|n| n.value.as_str()) == name)
        });
        if written {
            return Some(format!("it writes to claim `{}`", claim.value));
        }
    }
    if let Some(h) =
        writable_host_paths(stream, object, pod).into_iter().find(|h| !is_node_path(&h.path.value))
    {
        return Some(format!("it writes to hostPath `{}`", h.path.value));
    }
    pod.containers.iter().filter(|c| c.role == ContainerRole::App).find_map(|c| {
        let image = stateful::container_workload(c, &[], stateful::classify)??.keeps()?;
        Some(format!("it runs {}", image.name))
    })
}

/// Why a Compose service keeps data on disk, if it does: a known stateful image (named first:
/// the mounts of such an image may be at a path it no longer uses, as PostgreSQL 18's old
/// `/var/lib/postgresql/data`), else a named volume or a bind mount at a data path that is not
/// a file (a dashboard or a configuration file mounted into a data directory is read, not
/// written).
pub fn service_keeps_data(service: &Service) -> Option<String> {
    if let Some(image) = stateful::service_workload(service, stateful::classify).flatten() {
        // a known role that keeps no data (a cache, an arbiter) is not judged by its mounts
        return image.keeps().map(|image| format!("it runs {}", image.name));
    }
    service.volumes.iter().find_map(|mount| {
        if !matches!(mount.kind, MountType::Volume | MountType::Bind) {
            return None;
        }
        let (Some(target), Some(_)) = (&mount.target, &mount.source) else { return None };
        let path = &target.value;
        (stateful::is_data_path(path)
            && !stateful::is_scratch_path(path)
            && !stateful::names_a_file(path))
        .then(|| format!("it keeps data in `{path}`"))
    })
}
