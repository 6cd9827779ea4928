//! `volume-permission-mismatch`: a container that runs as a non-root user writes to a `hostPath`
//! directory, whose ownership the kubelet never changes (`fsGroup` does not apply to hostPath),
//! so the directory the runtime creates (root, 0755) is not writable; a Compose service that
//! runs as a non-root user writes to a relative bind mount whose source is missing, which
//! Docker creates as root (documented in `rules/volume-permission-mismatch.md`).

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service, VolumeMount};
use crate::model::container::Pod;
use crate::model::kubernetes::{ContainerRole, Manifests};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::host_paths::{is_node_path, writable_host_paths};
use crate::semantic::security::{
    compose_false, compose_true, image_runs_as_non_root, run_as, user_is_root, RunAs,
};

declare_rule! {
    /// A non-root container writing to a hostPath the kubelet does not chown.
    VolumePermissionMismatch {
        name: "volume-permission-mismatch",
        summary: "a non-root container writes to a hostPath directory, whose ownership fsGroup does not change, or to a Compose bind mount Docker creates as root",
        severity: Warning,
        formats: [Kubernetes, Compose],
        equivalents: [],
    }
}

const HELP: &str = "create the directory with the container's owner when the node is \
     provisioned, or add an init container that runs as root with only `CAP_CHOWN` and runs \
     `chown -R <uid>:<gid>` on it; `fsGroup` does not apply to hostPath";

const COMPOSE_HELP: &str = "create the directory before the first start, owned by the \
     service's user (`mkdir -p <dir> && chown <uid>:<gid> <dir>`), or use a named volume; long \
     syntax with `bind: {create_host_path: false}` makes a missing directory an error instead";

impl Rule for VolumePermissionMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn service(&self, _file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        let Some(user) = non_root_user(service) else { return };
        for mount in &service.volumes {
            if !cx.semantic().bind_source_missing(mount)
                || !creates_writable(mount)
                || !data_directory(mount)
            {
                continue;
            }
            let Some(source) = &mount.source else { continue };
            cx.report(
                source.span,
                format!(
                    "bind source `{}` does not exist next to the Compose file: Docker creates it \
                     as root (mode 0755) when service `{}` starts, and the service runs as \
                     {user}, which cannot write to it",
                    source.value, service.name.value
                ),
            )
            .severity(Severity::Info)
            .help(COMPOSE_HELP);
        }
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        let t = pod.template;
        for host in writable_host_paths(stream, pod.object, t) {
            if is_node_path(&host.path.value) {
                continue;
            }
            // Sockets, devices and files are not directories the runtime creates.
            let kind = host.kind.as_ref().map(|k| k.value.as_str());
            if !matches!(kind, None | Some("") | Some("Directory") | Some("DirectoryOrCreate")) {
                continue;
            }
            let Some(volume) = host.volume.name.as_ref() else { continue };
            // An init container that fixes the ownership (the documented fix).
            let fixed = t.containers.iter().any(|c| {
                c.role == ContainerRole::Init
                    && c.volume_mounts
                        .iter()
                        .any(|m| m.name.as_ref().is_some_and(|n| n.value == volume.value))
                    && c.command
                        .iter()
                        .chain(&c.args)
                        .any(|a| a.value.contains("chown") || a.value.contains("chmod"))
            });
            if fixed {
                continue;
            }
            let Some(writer) = host.writers.iter().find(|c| run_as(t, c) == RunAs::NonRoot) else {
                continue;
            };
            cx.report(
                host.path.span,
                format!(
                    "hostPath `{}` is written by {}, which runs as a non-root user: the kubelet \
                     does not change a hostPath's owner (`fsGroup` does not apply), and a \
                     directory the runtime creates belongs to root",
                    host.path.value,
                    writer.describe()
                ),
            )
            .help(HELP);
        }
    }
}

/// Who a Compose service runs as, when that is known to be a non-root user: a literal `user:`
/// that is not `root`/`0` (any group), else an image known to set a non-root `USER`. `None`
/// for root, a variable, a service built here (its Dockerfile decides) or one that `extends`
/// another file (which may set `user:`).
fn non_root_user(service: &Service) -> Option<String> {
    match &service.security.user {
        Some(user) => {
            (user_is_root(&user.value) == Some(false)).then(|| format!("`user: {}`", user.value))
        }
        None => {
            if service.build.is_some() || service.extends_other_file {
                return None;
            }
            let image = &service.image.as_ref()?.value;
            image_runs_as_non_root(image).then(|| format!("the non-root user of `{image}`"))
        }
    }
}

/// Whether a bind mount is a directory the service writes data to, as far as its paths tell: not
/// a file (a source whose name has an extension other than `.d`: `./prometheus.yml`), not
/// configuration (a target under `/etc`). A missing file or configuration directory breaks the
/// service too (Docker creates an empty directory in its place), but not by its owner.
fn data_directory(mount: &VolumeMount) -> bool {
    let file_like =
        mount.source.as_ref().is_some_and(|s| crate::semantic::stateful::names_a_file(&s.value));
    let config =
        mount.target.as_ref().is_some_and(|t| t.value == "/etc" || t.value.starts_with("/etc/"));
    !file_like && !config
}

/// A writable bind mount (no `ro` mode, no `read_only: true`) that Docker creates when its
/// source is missing: short syntax, and long syntax unless `bind.create_host_path: false`
/// (the Compose spec's default is `true`; with `false` the container fails to start instead,
/// which is what its author asked for).
fn creates_writable(mount: &VolumeMount) -> bool {
    let ro_mode = mount.mode.as_ref().is_some_and(|m| m.value.split(',').any(|o| o.trim() == "ro"));
    let read_only = mount.read_only.as_ref().is_some_and(|r| compose_true(&r.value));
    let no_create = mount.create_host_path.as_ref().is_some_and(|c| compose_false(&c.value));
    !ro_mode && !read_only && !no_create
}
