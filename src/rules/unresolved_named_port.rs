//! `unresolved-named-port`: a port name that nothing declares (documented in
//! `rules/unresolved-named-port.md`).
//!
//! - A probe's `httpGet.port` or `tcpSocket.port` naming a port its own container does not
//!   declare: the kubelet resolves the name in the probe's container only (`findPortByName`),
//!   the probe errors every period, and the worker throws an errored result away, so a
//!   readiness probe keeps its initial failure (never ready), a startup probe never succeeds
//!   (never started, never ready) and a liveness probe never fails (it can restart nothing).
//!   Per container, no other file needed. A quoted number or another string that is not a
//!   valid port name is `invalid-probe-spec`'s (the API server rejects it); a named gRPC port
//!   too.
//! - A Service's `targetPort` naming a port that the workloads it selects do not declare with
//!   the Service port's protocol, in their containers or sidecar (`restartPolicy: Always`)
//!   init containers (`podutil.FindPort`): the endpoint slice controller leaves those pods out
//!   of the Service port. Judged only when no selected workload in view declares it (pods
//!   without the port may be left out on purpose), and never for a Service that selects
//!   nothing in view. A pair in one stream is the per-file hook's, a pair across two files of
//!   one directory the cross-file hook's; the finding is on the `targetPort`.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::document::Document;
use crate::engine::{kubernetes_bundles, RunFile};
use crate::model::container::{ContainerRole, ContainerView};
use crate::model::kubernetes::disruption::LabelSelector;
use crate::model::kubernetes::service::{Service, ServicePort};
use crate::model::kubernetes::{Container, Manifests, Object, Scalar};
use crate::rules::{CrossFileCtx, CrossFileRole, Ctx, Rule, RuleMeta};
use crate::semantic::selector;
use crate::source::Span;
use crate::values::port_name::is_valid_port_name;

declare_rule! {
    /// A probe or a Service's `targetPort` names a port no container declares.
    UnresolvedNamedPort {
        name: "unresolved-named-port",
        summary: "a probe names a port its container does not declare, or a Service's `targetPort` names a port the pods it selects do not declare",
        severity: Error,
        formats: [Kubernetes],
        equivalents: [],
    }
}

const PROBE_HELP: &str = "declare the port in this container's `ports` (`- {name: http, \
     containerPort: 8080}`) or write its number; the kubelet looks a probe's port name up in \
     the probe's own container only";

const SERVICE_HELP: &str = "name the port in a container of the pod template (`ports: - {name: \
     http, containerPort: 8080}`, with the Service port's protocol), or write the container \
     port's number as `targetPort`; an init container's ports count only for a sidecar \
     (`restartPolicy: Always`)";

impl Rule for UnresolvedNamedPort {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn container(&self, view: &ContainerView<'_>, cx: &mut Ctx) {
        let ContainerView::Kubernetes { pod, container } = view else { return };
        // Probes on other containers are rejected by the API server (`invalid-probe-spec`).
        if !serves(container) {
            return;
        }
        for (kind, probe) in container.probes() {
            let Some(probe) = probe else { continue };
            for (handler, port) in [("httpGet", &probe.http_port), ("tcpSocket", &probe.tcp_port)] {
                let Some(port) = port else { continue };
                let Scalar::Other(name) = &port.value else { continue };
                if !is_valid_port_name(name) || container.ports.declares(name, None) != Some(false)
                {
                    continue;
                }
                let effect = match kind {
                    "livenessProbe" => {
                        "the probe errors every time and its result is dropped, so it never \
                         fails and never restarts a hung container"
                    }
                    "startupProbe" => {
                        "the probe errors every time, so the container never counts as started \
                         and never becomes ready"
                    }
                    _ => {
                        "the probe errors every time, so the container never becomes ready and \
                         its pod gets no Service traffic"
                    }
                };
                let elsewhere = pod.template.containers.iter().find(|c| {
                    !std::ptr::eq(*c, *container) && c.ports.declares(name, None) == Some(true)
                });
                let mut report = cx
                    .report(
                        port.span,
                        format!(
                            "`{kind}.{handler}.port` names port `{name}`, which {} does not \
                             declare: {effect}",
                            container.describe()
                        ),
                    )
                    .help(PROBE_HELP);
                if let Some(other) = elsewhere {
                    report = report.label(
                        other.anchor_span(),
                        format!(
                            "{} declares `{name}`, but a probe cannot use it",
                            other.describe()
                        ),
                    );
                }
            }
        }
    }

    fn kubernetes(&self, stream: &Manifests, cx: &mut Ctx) {
        for object in &stream.objects {
            let Some(service) = stream.service(object) else { continue };
            for (sel, port, target) in named_targets(&service) {
                let in_view = [(0, stream)];
                for m in judge(object, sel, port, target, &in_view, &in_view) {
                    let label = m.workload.name.as_ref().map_or(m.workload.kind.span, |n| n.span);
                    cx.report(m.span, m.message(None))
                        .severity(Severity::Warning)
                        .help(SERVICE_HELP)
                        .label(label, "a workload it selects")
                        .logical_path(object.logical_name());
                }
            }
        }
    }

    fn uses_cross_file(&self) -> bool {
        true
    }

    fn cross_file_role(&self, document: &Document) -> CrossFileRole {
        // Findings are on the `targetPort` of a Service that selects no workload of its own
        // stream (the per-file hook judges the others), about workloads of other files.
        let Document::Kubernetes(stream) = document else { return CrossFileRole::ANY };
        let reports = stream.objects.iter().any(|o| {
            stream.service(o).is_some_and(|service| {
                named_targets(&service)
                    .iter()
                    .any(|(sel, _, _)| selected_in(o, sel, stream).next().is_none())
            })
        });
        let pairs = stream.objects.iter().any(|o| stream.workload_pods(o).is_some());
        CrossFileRole { reports, pairs }
    }

    fn cross_file(&self, files: &[RunFile<'_>], cx: &mut CrossFileCtx<'_>) {
        // One bundle: the files of the Service's directory.
        for bundle in kubernetes_bundles(files) {
            for &(file, stream) in &bundle {
                let others: Vec<(usize, &Manifests)> =
                    bundle.iter().copied().filter(|&(other, _)| other != file).collect();
                if others.is_empty() {
                    continue;
                }
                for object in &stream.objects {
                    let Some(service) = stream.service(object) else { continue };
                    for (sel, port, target) in named_targets(&service) {
                        // A Service that selects workloads of its own stream is the per-file
                        // hook's: its bundle is that stream (the other files are other renders).
                        if selected_in(object, sel, stream).next().is_some() {
                            continue;
                        }
                        for m in judge(object, sel, port, target, &others, &bundle) {
                            let path = files.get(m.file).map(|f| f.source.path.as_str());
                            cx.report(file, m.span, m.message(path))
                                .severity(Severity::Warning)
                                .help(SERVICE_HELP)
                                .logical_path(object.logical_name());
                        }
                    }
                }
            }
        }
    }
}

/// Whether the container's ports and probes are in use: an app container or a sidecar.
fn serves(container: &Container) -> bool {
    matches!(container.role, ContainerRole::App | ContainerRole::Sidecar)
}

/// A `targetPort` written as a port name, and its span.
struct Target<'a> {
    name: &'a str,
    span: Span,
}

/// The ports of a Service that selects pods and whose `targetPort` is a valid port name (a
/// quoted number or a templated value is not a name: not judged here).
fn named_targets(service: &Service) -> Vec<(&LabelSelector, &ServicePort, Target<'_>)> {
    let Some(sel) = service.selector.as_ref().filter(|_| !service.external_name) else {
        return Vec::new();
    };
    service
        .ports
        .iter()
        .filter_map(|p| {
            let t = p.target_port.as_ref()?;
            match &t.value {
                Scalar::Other(name) if is_valid_port_name(name) => {
                    Some((sel, p, Target { name: name.as_str(), span: t.span }))
                }
                _ => None,
            }
        })
        .collect()
}

/// How a workload's pods answer a named `targetPort`.
#[derive(Clone, PartialEq, Eq)]
enum Declared {
    Yes,
    /// Declared, but only for another protocol (the first found).
    OtherProtocol(String),
    No,
    /// Ports edgelint cannot read exactly.
    Unknown,
}

/// Whether the pod template of `workload` declares `name` for `protocol` in a container whose
/// ports the endpoint controllers search (app containers, then sidecars).
fn declared(workload: &Object, name: &str, protocol: &str) -> Declared {
    let Some(template) = workload.pod_templates.first() else { return Declared::Unknown };
    let containers = template.containers.iter().filter(|c| serves(c));
    let mut out = Declared::No;
    for c in containers {
        match c.ports.declares(name, Some(protocol)) {
            Some(true) => return Declared::Yes,
            None => out = Declared::Unknown,
            Some(false) => {
                let other =
                    c.ports.ports.iter().find(|p| p.name.as_ref().is_some_and(|n| n.value == name));
                if let (Declared::No, Some(p)) = (&out, other) {
                    out = Declared::OtherProtocol(p.protocol.clone());
                }
            }
        }
    }
    out
}

/// A selected workload without the port.
struct Missing<'a> {
    file: usize,
    span: Span,
    service: &'a Object,
    workload: &'a Object,
    target: &'a str,
    protocol: &'a str,
    /// The protocol the workload declares the name for, when not the Service port's.
    other_protocol: Option<String>,
}

impl Missing<'_> {
    fn message(&self, workload_file: Option<&str>) -> String {
        let file = workload_file.map(|f| format!(" (in {f})")).unwrap_or_default();
        let workload =
            format!("{} `{}`{file}", self.workload.kind.value, self.workload.display_name());
        let how = match &self.other_protocol {
            Some(other) => {
                format!("declares only for {other} (the Service port is {})", self.protocol)
            }
            None => "does not declare".to_string(),
        };
        format!(
            "`targetPort: {}` of Service `{}` names a port that {workload}, whose pods it \
             selects, {how}: those pods get no endpoint for this Service port",
            self.target,
            self.service.display_name()
        )
    }
}

/// The workloads of `candidates` that `service` selects and that lack the named port, when no
/// workload of `view` that it selects declares it (nor has ports edgelint cannot read).
fn judge<'a>(
    service_object: &'a Object,
    sel: &'a LabelSelector,
    port: &'a ServicePort,
    target: Target<'a>,
    candidates: &[(usize, &'a Manifests)],
    view: &[(usize, &'a Manifests)],
) -> Vec<Missing<'a>> {
    let Some(protocol) = port.protocol.as_deref() else { return Vec::new() };
    let selected = |streams: &[(usize, &'a Manifests)]| -> Vec<(usize, &'a Object, Declared)> {
        streams
            .iter()
            .flat_map(|&(file, s)| selected_in(service_object, sel, s).map(move |o| (file, o)))
            .map(|(file, o)| (file, o, declared(o, target.name, protocol)))
            .collect()
    };
    let in_view = selected(view);
    if in_view.iter().any(|(_, _, d)| matches!(d, Declared::Yes | Declared::Unknown)) {
        return Vec::new();
    }
    selected(candidates)
        .into_iter()
        .map(|(file, workload, d)| Missing {
            file,
            span: target.span,
            service: service_object,
            workload,
            target: target.name,
            protocol,
            other_protocol: match d {
                Declared::OtherProtocol(p) => Some(p),
                _ => None,
            },
        })
        .collect()
}

/// The workloads of `stream` whose pods the Service's selector selects (same namespace, every
/// pair of the selector among the pod labels), in stream order; not those where it cannot be
/// known.
fn selected_in<'a>(
    service: &'a Object,
    sel: &'a LabelSelector,
    stream: &'a Manifests,
) -> impl Iterator<Item = &'a Object> + 'a {
    stream.pod_index().candidates(sel).into_iter().filter_map(move |i| {
        let workload = stream.objects.get(i)?;
        let pods = stream.workload_pods(workload)?;
        let selected = !pods.unreadable_labels
            && service.same_namespace(workload)
            && selector::matches(sel, &pods.labels) == Some(true);
        selected.then_some(workload)
    })
}
