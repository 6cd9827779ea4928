//! `remote-liveness-dependency`: liveness and startup probes, Compose healthchecks and
//! Dockerfile `HEALTHCHECK`s that reach another host, so an uplink or DNS outage fails them.
//!
//! Which host a command reaches is read by [`crate::semantic::reach`], the same way for every
//! format; this rule only says where each format keeps its command.

use crate::declare_rule;
use crate::model::compose::{Command, Service};
use crate::model::container::{ContainerRole, ContainerView};
use crate::model::kubernetes::{Container, Probe};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::reach::{argv_reaches, is_local_host, remote, shell_reaches, Reach};
use crate::shell::Syntax;
use crate::source::{Span, Spanned};
use crate::syntax::dockerfile::{Args, Dockerfile};
use crate::syntax::text::Text;

declare_rule! {
    /// Liveness/startup probes and healthchecks that reach a non-local host.
    RemoteLivenessDependency {
        name: "remote-liveness-dependency",
        summary: "a liveness/startup probe or healthcheck reaches another host, so an uplink or DNS outage fails it",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for RemoteLivenessDependency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        check_dockerfile(file, cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        if !matches!(container.role(), ContainerRole::App | ContainerRole::Sidecar) {
            return;
        }
        if let Some(c) = container.kubernetes() {
            check_probes(c, cx);
        }
        if let Some(service) = container.service() {
            check_service(service, cx);
        }
    }
}

const K8S_HELP: &str = "a liveness or startup probe should fail only when this container is \
     stuck: probe a local endpoint that checks the process's own state, and move checks of \
     other services to the readinessProbe";

const DOCKER_HELP: &str = "an unhealthy status holds back `depends_on: service_healthy`, `up \
     --wait` and makes autoheal sidecars restart the container: check only this container \
     (`localhost`), and let the application retry its dependencies";

fn check_probes(c: &Container, cx: &mut Ctx) {
    for (kind, probe) in [("liveness", &c.liveness_probe), ("startup", &c.startup_probe)] {
        let Some(probe) = probe else { continue };
        check_probe(kind, probe, cx);
    }
}

fn check_probe(kind: &str, probe: &Probe, cx: &mut Ctx) {
    for (field, host) in [("httpGet.host", &probe.http_host), ("tcpSocket.host", &probe.tcp_host)] {
        let Some(host) = host else { continue };
        let h = host.value.trim();
        if h.is_empty() || is_local_host(h) || h.contains('$') {
            continue;
        }
        cx.report(
            host.span,
            format!(
                "{kind} probe's `{field}` is `{h}`, another host: when the uplink or DNS fails, \
                 the kubelet restarts this container for nothing"
            ),
        )
        .help(format!(
            "remove `host` (the pod's IP is the default; the kubelet probes from the node, where \
             Service names may not even resolve); {K8S_HELP}"
        ));
        return;
    }
    let argv: Vec<&str> = probe.exec_command.iter().map(|t| t.value.as_str()).collect();
    let Some(r) = remote(argv_reaches(&argv), &[]).into_iter().next() else { return };
    let Some(text) = probe.exec_command.get(r.piece) else { return };
    let span = text.locate(&cx.source().text, r.start, r.end);
    cx.report(
        span,
        reach_message(&format!("{kind} probe"), &r, "the kubelet restarts this container"),
    )
    .help(K8S_HELP);
}

fn reach_message(what: &str, r: &Reach, consequence: &str) -> String {
    format!(
        "{what} runs `{}` against `{}`, another host: when the uplink or DNS fails, {consequence} \
         for nothing",
        r.program, r.host
    )
}

fn check_service(service: &Service, cx: &mut Ctx) {
    let Some(hc) = &service.healthcheck else { return };
    if hc.disabled {
        return;
    }
    // the service's own names resolve to its own container(s)
    let mut own = vec![service.name.value.as_str()];
    own.extend(service.hostname.as_ref().map(|h| h.value.as_str()));
    own.extend(service.container_name.as_ref().map(|h| h.value.as_str()));
    let found: Option<(Reach, &Text)> = match &hc.test_command {
        Some(Command::Shell(text)) => {
            first_remote(shell_reaches(&text.value, Syntax::Shell), &own).map(|r| (r, text))
        }
        Some(Command::Exec(items)) => match items.first().map(|i| i.value.as_str()) {
            Some("CMD-SHELL") => items.get(1).and_then(|text| {
                first_remote(shell_reaches(&text.value, Syntax::Shell), &own).map(|r| (r, text))
            }),
            Some("CMD") => {
                let argv: Vec<&str> = items[1..].iter().map(|t| t.value.as_str()).collect();
                first_remote(argv_reaches(&argv), &own)
                    .and_then(|r| items.get(r.piece + 1).map(|text| (r, text)))
            }
            _ => None,
        },
        None => None,
    };
    let Some((r, text)) = found else { return };
    let span = text.locate(&cx.source().text, r.start, r.end);
    cx.report(span, reach_message("healthcheck", &r, "the container turns unhealthy"))
        .help(DOCKER_HELP);
}

fn first_remote(reaches: Vec<Reach>, own: &[&str]) -> Option<Reach> {
    remote(reaches, own).into_iter().next()
}

fn check_dockerfile(d: &Dockerfile, cx: &mut Ctx) {
    // Only the last HEALTHCHECK of the image that is built (the final stage) counts.
    let Some(ins) = d.final_stage().and_then(|s| d.effective_healthcheck(s)) else { return };
    let Args::Healthcheck(Some(command)) = &ins.args else { return };
    let found: Option<(Reach, Span)> = match command.as_ref() {
        Args::Shell(shell) => {
            let syntax = Syntax::DockerfileShell { escape: d.escape };
            first_remote(shell_reaches(&shell.raw, syntax), &[]).map(|r| {
                let span = shell.span_of(r.start, r.end);
                (r, span)
            })
        }
        Args::Exec(argv) => {
            let words: Vec<&str> = argv.iter().map(|a| a.value.as_str()).collect();
            first_remote(argv_reaches(&words), &[]).and_then(|r| {
                let item = argv.get(r.piece)?;
                let span = exec_item_span(item, r.start, r.end, cx);
                Some((r, span))
            })
        }
        _ => None,
    };
    let Some((r, span)) = found else { return };
    cx.report(span, reach_message("HEALTHCHECK", &r, "the container turns unhealthy"))
        .help(DOCKER_HELP);
}

/// The span of `value[start..end]` of a JSON-array item: exact when the item is written as its
/// value (with or without its quotes in the span; no escapes), else the whole item.
fn exec_item_span(item: &Spanned<String>, start: usize, end: usize, cx: &Ctx) -> Span {
    let written = cx.source().text.get(item.span.start..item.span.end).unwrap_or_default();
    let at = if written == item.value {
        item.span.start
    } else if written.len() == item.value.len() + 2
        && written.get(1..written.len() - 1) == Some(item.value.as_str())
    {
        item.span.start + 1
    } else {
        return item.span;
    };
    Span::new(at + start, at + end)
}
