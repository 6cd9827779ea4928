//! `invalid-probe-spec`: probes the API server rejects, and Compose healthcheck tests that
//! `docker compose` refuses.
//!
//! Kubernetes (`pkg/apis/core/validation`: `validateProbe`, `validateHandler`,
//! `validateContainers`, `validateInitContainers`, `validateEphemeralContainers`), after the
//! API server's defaulting (`0` means the default for the timing fields, see
//! [`crate::semantic::probe`]):
//! - a probe on a regular init container or an ephemeral container;
//! - no handler, or more than one of `exec`, `httpGet`, `tcpSocket`, `grpc`; `exec` without a
//!   command;
//! - a timing field that is not an `int32` (a quoted number, a fraction) or is negative;
//! - `successThreshold` other than 1 on a liveness or startup probe;
//! - the probe-level `terminationGracePeriodSeconds` on a readiness probe, or ≤ 0, or not an
//!   integer;
//! - an `httpGet` or `tcpSocket` `port` that is neither a number from 1 to 65535 nor a valid
//!   port name (`ValidatePortNumOrName`: a number in quotes is a string, and not a name);
//! - a gRPC probe whose `port` is not a number (gRPC probes take no named ports).
//!
//! Compose (`compose-go` `checkConsistency`): a `healthcheck.test` list whose first item is not
//! `CMD`, `CMD-SHELL` or `NONE`. Invalid durations and retries are `aggressive-probe-timing`'s.

use crate::declare_rule;
use crate::model::compose::Command;
use crate::model::container::{ContainerRole, ContainerView};
use crate::model::kubernetes::{Container, Probe, Scalar};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::probe::{probe_timing, probe_timing_errors, ProbeTimingError};
use crate::values::port_name::is_valid_port_name;

declare_rule! {
    /// Probes the API server rejects and healthcheck tests Compose refuses.
    InvalidProbeSpec {
        name: "invalid-probe-spec",
        summary: "a probe the API server rejects (handlers, thresholds, placement) or a healthcheck test Compose refuses",
        severity: Error,
        formats: [Compose, Kubernetes],
        equivalents: [],
    }
}

impl Rule for InvalidProbeSpec {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        if let Some(c) = container.kubernetes() {
            check_container(c, cx);
        }
        if let Some(service) = container.service() {
            check_healthcheck_test(service, cx);
        }
    }
}

fn check_container(c: &Container, cx: &mut Ctx) {
    let who = c.describe();
    for (kind, probe) in c.probes() {
        let Some(probe) = probe else { continue };
        match c.role {
            ContainerRole::Init => {
                cx.report(
                    probe.key_span,
                    format!("`{kind}` on {who}: probes are not allowed on regular init containers"),
                )
                .help(
                    "the API server rejects it (\"may not be set for init containers without \
                     restartPolicy=Always\"); remove the probe, or make the init container a \
                     sidecar with `restartPolicy: Always`",
                );
                continue;
            }
            ContainerRole::Ephemeral => {
                cx.report(
                    probe.key_span,
                    format!("`{kind}` on {who}: probes are not allowed on ephemeral containers"),
                )
                .help("the API server rejects it; remove the probe");
                continue;
            }
            ContainerRole::App | ContainerRole::Sidecar => {}
        }
        check_probe(kind, probe, cx);
    }
}

fn check_probe(kind: &str, probe: &Probe, cx: &mut Ctx) {
    check_handlers(kind, probe, cx);
    let errors = probe_timing_errors(probe);
    for error in &errors {
        let (field, span, problem) = match error {
            ProbeTimingError::NotAnInteger { field, span } => (field, span, "is not an integer"),
            ProbeTimingError::Negative { field, span } => (field, span, "is negative"),
        };
        let written = cx.source().text.get(span.start..span.end).unwrap_or_default().to_string();
        cx.report(*span, format!("`{kind}.{field}` `{written}` {problem}"))
            .help(timing_help(field));
    }
    if errors.is_empty() && kind != "readinessProbe" {
        if let Ok(timing) = probe_timing(probe) {
            let success = timing.success_threshold;
            if success.value != 1 {
                let span = success.span.unwrap_or(probe.key_span);
                cx.report(
                    span,
                    format!("`{kind}.successThreshold` is {}; it must be 1", success.value),
                )
                .help(
                    "the API server rejects any other value on liveness and startup probes: \
                     remove `successThreshold` (only a readiness probe may need several \
                     successes)",
                );
            }
        }
    }
    check_grace_period(kind, probe, cx);
    check_ports(kind, probe, cx);
    if let Some(Scalar::Other(port)) = probe.grpc_port.as_ref().map(|p| &p.value) {
        let span = probe.grpc_port.as_ref().map_or(probe.key_span, |p| p.span);
        cx.report(span, format!("`{kind}.grpc.port` `{port}` is not a port number"))
            .help("gRPC probes take no named ports: write the container port's number");
    }
}

/// `httpGet.port` and `tcpSocket.port`: a number from 1 to 65535 or a valid port name
/// (`ValidatePortNumOrName`); a templated value is not judged.
fn check_ports(kind: &str, probe: &Probe, cx: &mut Ctx) {
    for (handler, port) in [("httpGet", &probe.http_port), ("tcpSocket", &probe.tcp_port)] {
        let Some(port) = port else { continue };
        let (problem, help) = match &port.value {
            Scalar::Int(n) if !(1..=65535).contains(n) => (
                format!("`{n}` is not a port number (1 to 65535)"),
                "the API server rejects it: write the container port's number",
            ),
            Scalar::Other(name)
                if !is_valid_port_name(name) && !name.contains(['{', '$']) && !name.is_empty() =>
            {
                let help = if name.bytes().all(|b| b.is_ascii_digit()) {
                    "the API server rejects a number in quotes (a string must be a port name, \
                     with at least one letter): remove the quotes"
                } else {
                    "the API server rejects it: a port name is 1 to 15 characters of `a-z`, \
                     `0-9` and `-`, with a letter and no `-` first, last or twice in a row"
                };
                (format!("`\"{name}\"` is not a port number or a valid port name"), help)
            }
            _ => continue,
        };
        cx.report(port.span, format!("`{kind}.{handler}.port` {problem}")).help(help);
    }
}

fn timing_help(field: &str) -> String {
    let minimum = if field == "initialDelaySeconds" { 0 } else { 1 };
    format!(
        "the API server rejects the manifest: write a whole number ≥ {minimum} without quotes \
         (`0` or leaving it out means the default)"
    )
}

fn check_handlers(kind: &str, probe: &Probe, cx: &mut Ctx) {
    match probe.handlers.as_slice() {
        [] => {
            cx.report(
                probe.key_span,
                format!("`{kind}` has no handler: one of `exec`, `httpGet`, `tcpSocket` or `grpc`"),
            )
            .help("the API server rejects a probe without a handler (\"must specify a handler type\")");
        }
        [first, rest @ ..] => {
            for extra in rest {
                cx.report(
                    extra.span,
                    format!(
                        "`{kind}` has a second handler `{}` besides `{}`",
                        extra.value, first.value
                    ),
                )
                .label(first.span, "the first handler")
                .help(
                    "the API server rejects more than one handler (\"may not specify more than 1 \
                     handler type\"); keep one",
                );
            }
            if first.value == "exec" && probe.exec_command.is_empty() {
                cx.report(first.span, format!("`{kind}.exec` has no `command`"))
                    .help("the API server rejects an exec probe without a command");
            }
        }
    }
}

fn check_grace_period(kind: &str, probe: &Probe, cx: &mut Ctx) {
    let Some(grace) = &probe.termination_grace_period_seconds else { return };
    if grace.value == Scalar::Null {
        return;
    }
    if kind == "readinessProbe" {
        cx.report(
            grace.span,
            "`readinessProbe.terminationGracePeriodSeconds` is set; readiness probes take none",
        )
        .help(
            "the API server rejects it (\"must not be set for readinessProbes\"): a failed \
             readiness probe does not stop the container; remove the field",
        );
        return;
    }
    let problem = match &grace.value {
        Scalar::Int(n) if *n > 0 => return,
        Scalar::Int(n) => format!("is {n}; it must be greater than 0"),
        Scalar::Other(s) => format!("`{s}` is not an integer"),
        Scalar::Null => return,
    };
    cx.report(grace.span, format!("`{kind}.terminationGracePeriodSeconds` {problem}")).help(
        "the API server rejects it; write a whole number of seconds ≥ 1, or leave it out to use \
         the pod's",
    );
}

/// A `healthcheck.test` list must start with `CMD`, `CMD-SHELL` or `NONE`.
fn check_healthcheck_test(service: &crate::model::compose::Service, cx: &mut Ctx) {
    let Some(hc) = &service.healthcheck else { return };
    let Some(Command::Exec(items)) = &hc.test_command else { return };
    let Some(first) = items.first() else { return };
    if matches!(first.value.as_str(), "CMD" | "CMD-SHELL" | "NONE") || first.value.contains('$') {
        return;
    }
    let help = match first.value.to_ascii_uppercase().as_str() {
        "CMD" | "CMD-SHELL" | "NONE" => format!(
            "`docker compose` refuses the file; the keyword is case-sensitive: write `{}`",
            first.value.to_ascii_uppercase()
        ),
        _ => "`docker compose` refuses the file (\"healthcheck.test must start either by \
              \"CMD\", \"CMD-SHELL\" or \"NONE\"\"); put `CMD` before the program and its \
              arguments, or write `[\"CMD-SHELL\", \"<command line>\"]`"
            .to_string(),
    };
    cx.report(
        first.span,
        format!(
            "healthcheck `test` of service `{}` starts with `{}`, not `CMD`, `CMD-SHELL` or `NONE`",
            service.name.value, first.value
        ),
    )
    .help(help);
}
