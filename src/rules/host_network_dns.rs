//! `host-network-dns`: host networking where the container still expects the orchestrator's
//! DNS.
//!
//! Kubernetes: `hostNetwork: true` with `dnsPolicy` unset or `ClusterFirst` gets the node's
//! resolver, so Service names do not resolve (a warning when the pod's containers name a
//! Service or a `*.svc`/`*.cluster.local` host, else info). Compose: `network_mode: host` with
//! `links`, or environment values and commands that name another service as a host: Compose's
//! service-name DNS is not reachable from the host network.
//!
//! Hosts in values are read by [`crate::semantic::reach::hosts_in_value`].

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::model::container::Pod;
use crate::model::kubernetes::{Manifests, Object};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::reach::hosts_in_value;
use crate::source::Span;
use crate::syntax::text::Text;

declare_rule! {
    /// Host networking where the container still expects cluster or Compose DNS.
    HostNetworkDns {
        name: "host-network-dns",
        summary: "host networking without the DNS policy or names that work there, so service names stop resolving",
        severity: Warning,
        formats: [Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for HostNetworkDns {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn pod_template(&self, stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
        check_pod(stream, pod, cx);
    }

    fn compose(&self, file: &ComposeFile, cx: &mut Ctx) {
        for service in &file.services {
            check_service(file, service, cx);
        }
    }
}

/// Environment variables whose whole value is a host name.
fn names_a_host(variable: &str) -> bool {
    let v = variable.to_ascii_uppercase();
    ["HOST", "HOSTNAME", "ADDR", "ADDRESS", "SERVER", "ENDPOINT", "BROKER", "URL", "URI"]
        .iter()
        .any(|s| v == *s || v.ends_with(&format!("_{s}")))
}

/// The hosts written in `text`, with their spans.
fn hosts<'t>(text: &'t Text, bare: bool, source: &str) -> Vec<(&'t str, Span)> {
    hosts_in_value(&text.value, bare)
        .into_iter()
        .map(|(a, b)| (&text.value[a..b], text.locate(source, a, b)))
        .collect()
}

// -------------------------------------------------------------------------------------------
// Kubernetes

fn check_pod(stream: &Manifests, pod: &Pod<'_>, cx: &mut Ctx) {
    let t = pod.template;
    let Some(host_network) = &t.security.host_network else { return };
    if host_network.value != Some(true) {
        return;
    }
    let policy = t.dns_policy.as_ref();
    if policy.is_some_and(|p| p.value != "ClusterFirst") {
        return; // ClusterFirstWithHostNet, Default or None: chosen deliberately
    }
    let span = policy.map_or(host_network.span, |p| p.span);
    let services: Vec<&str> = stream
        .objects
        .iter()
        .filter(|o| o.kind.value == "Service")
        .filter_map(|o: &Object| o.name.as_ref().map(|n| n.value.as_str()))
        .collect();
    let source = &cx.source().text;
    let mut cluster_name: Option<(String, Span)> = None;
    'containers: for c in &t.containers {
        let env =
            c.env.iter().filter_map(|e| Some((e.value.as_ref()?, names_a_host(&e.name.value))));
        let words = c.command.iter().chain(&c.args).map(|t| (t, false));
        for (text, bare) in env.chain(words) {
            for (host, at) in hosts(text, bare, source) {
                if is_cluster_name(host, &services) {
                    cluster_name = Some((host.to_string(), at));
                    break 'containers;
                }
            }
        }
    }
    let what = match &policy {
        Some(_) => "`dnsPolicy: ClusterFirst`",
        None => "no `dnsPolicy` (ClusterFirst)",
    };
    let help = "set `dnsPolicy: ClusterFirstWithHostNet` so the pod uses the cluster's DNS; \
                ClusterFirst on the host network falls back to the node's resolver";
    match cluster_name {
        Some((host, at)) => {
            cx.report(
                span,
                format!(
                    "`hostNetwork: true` with {what}: the pod gets the node's resolver, so \
                     `{host}` does not resolve"
                ),
            )
            .label(at, "a cluster name")
            .help(help);
        }
        None => {
            cx.report(
                span,
                format!(
                    "`hostNetwork: true` with {what}: the pod gets the node's resolver, so \
                     cluster Service names do not resolve"
                ),
            )
            .severity(Severity::Info)
            .help(help);
        }
    }
}

/// `*.svc`, `*.svc.*`, `*.cluster.local`, or a Service of the stream (`name`, `name.namespace`).
fn is_cluster_name(host: &str, services: &[&str]) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h.ends_with(".svc")
        || h.contains(".svc.")
        || h.ends_with(".cluster.local")
        || services.iter().any(|s| {
            h == *s
                || h.strip_prefix(*s)
                    .and_then(|r| r.strip_prefix('.'))
                    .is_some_and(|ns| !ns.contains('.'))
        })
}

// -------------------------------------------------------------------------------------------
// Compose

fn check_service(file: &ComposeFile, service: &Service, cx: &mut Ctx) {
    let Some(mode) = &service.security.network_mode else { return };
    if mode.value != "host" {
        return;
    }
    let name = &service.name.value;
    let help = "on the host network Compose's DNS is not used: reach the other service on \
                `localhost` at a port it publishes, or put both on a bridge network";
    if let Some(link) = service.links.first() {
        cx.report(
            link.span,
            format!("service `{name}` uses `network_mode: host` and `links`, which need Compose's network"),
        )
        .label(mode.span, "host networking")
        .help(help);
        return;
    }
    // names that resolve on the host network after all
    let pinned: Vec<&str> = service
        .extra_hosts
        .iter()
        .map(|h| h.value.split([':', '=']).next().unwrap_or_default().trim())
        .collect();
    let others: Vec<&str> = file
        .services
        .iter()
        .filter(|s| s.name.value != *name)
        .flat_map(|s| {
            std::iter::once(s.name.value.as_str())
                .chain(s.container_name.as_ref().map(|c| c.value.as_str()))
        })
        .filter(|n| !pinned.contains(n))
        .collect();
    let source = &cx.source().text;
    let env = service
        .environment
        .iter()
        .filter_map(|e| Some((e.value.as_ref()?, names_a_host(&e.name.value))));
    let commands = [&service.command, &service.entrypoint]
        .into_iter()
        .flatten()
        .flat_map(|c| c.texts())
        .map(|t| (t, false));
    for (text, bare) in env.chain(commands) {
        for (host, at) in hosts(text, bare, source) {
            if others.contains(&host) {
                cx.report(
                    at,
                    format!(
                        "service `{name}` uses `network_mode: host` and names service `{host}`, \
                         which does not resolve on the host network"
                    ),
                )
                .label(mode.span, "host networking")
                .help(help);
                return;
            }
        }
    }
}
