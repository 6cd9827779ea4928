//! `aggressive-probe-timing`: liveness and startup probes, Compose healthchecks and Dockerfile
//! `HEALTHCHECK`s that give a slow edge CPU too little time.
//!
//! Kubernetes: one finding per probe, on effective values (the API server's defaults applied by
//! [`crate::semantic::probe`]). Compose and Dockerfile share one evaluation of the Docker
//! healthcheck model ([`check_docker`]); each format only reads its fields.

use std::time::Duration;

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::Service;
use crate::model::container::{ContainerRole, ContainerView};
use crate::model::kubernetes::Container;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::probe::{
    probe_timing, ProbeField, ProbeTiming, DEFAULT_FAILURE_THRESHOLD, DEFAULT_PERIOD_SECONDS,
    DOCKER_DEFAULT_INTERVAL, DOCKER_DEFAULT_RETRIES, DOCKER_DEFAULT_TIMEOUT, DOCKER_MIN_DURATION,
};
use crate::semantic::startup::slow_start;
use crate::semantic::targets::stages_for_target;
use crate::source::{Span, Spanned};
use crate::syntax::dockerfile::{Args, Dockerfile, Flag};
use crate::values::duration::{format_duration, parse_compose_duration};
use crate::values::image_ref::ImageRef;
use crate::values::interpolate::substitute;

declare_rule! {
    /// Liveness/startup probes and healthchecks too aggressive for weak edge CPUs.
    AggressiveProbeTiming {
        name: "aggressive-probe-timing",
        summary: "liveness/startup probes and healthchecks too aggressive for weak edge CPUs",
        severity: Warning,
        formats: [Dockerfile, Compose, Kubernetes],
        equivalents: [],
        options: [
            integer("min-timeout-seconds", 2, "shortest probe or healthcheck timeout, in seconds")
                .at_least(1.0),
            integer(
                "min-failure-window-seconds",
                30,
                "shortest failure window (failureThreshold × periodSeconds, interval × retries), in seconds"
            )
            .at_least(1.0),
            integer(
                "error-failure-window-seconds",
                10,
                "a Kubernetes probe window below this is an error, in seconds"
            )
            .at_least(1.0),
        ],
    }
}

impl Rule for AggressiveProbeTiming {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        check_dockerfile(file, &Limits::of(cx), cx);
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        // Probes run only on app containers and sidecars.
        if !matches!(container.role(), ContainerRole::App | ContainerRole::Sidecar) {
            return;
        }
        if let Some(c) = container.kubernetes() {
            let partial = cx.semantic().container_is_partial(container);
            check_probes(c, &Limits::of(cx), partial, cx);
        }
        if let Some(service) = container.service() {
            check_service(service, &Limits::of(cx), cx);
        }
    }
}

// -------------------------------------------------------------------------------------------
// Kubernetes

/// The thresholds, in seconds, from the rule's options. Defaults: a timeout below 2 s is
/// routinely exceeded on Cortex-A53/A72-class SoCs; a window below 30 s is stricter than
/// Kubernetes' own default (3 × 10 s); a Kubernetes window below 10 s is an error.
#[derive(Clone, Copy, Debug)]
struct Limits {
    min_timeout: i64,
    min_window: i64,
    error_window: i64,
}

#[cfg(test)]
const DEFAULT_LIMITS: Limits = Limits { min_timeout: 2, min_window: 30, error_window: 10 };

impl Limits {
    fn of(cx: &Ctx) -> Limits {
        Limits {
            min_timeout: cx.option_int("min-timeout-seconds"),
            min_window: cx.option_int("min-failure-window-seconds"),
            error_window: cx.option_int("error-failure-window-seconds"),
        }
    }

    fn min_timeout_duration(&self) -> Duration {
        Duration::from_secs(u64::try_from(self.min_timeout).unwrap_or(0))
    }

    fn min_window_duration(&self) -> Duration {
        Duration::from_secs(u64::try_from(self.min_window).unwrap_or(0))
    }
}

/// What is wrong with a probe's effective timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ProbeVerdict {
    /// (a) `timeoutSeconds < 2`.
    timeout: bool,
    /// (b) `failureThreshold × periodSeconds < 30`.
    window: bool,
    /// (c) `failureThreshold == 1`.
    single_failure: bool,
    severity: Severity,
}

/// The catalogue's trigger and escalation on effective values; `None` when the probe is fine.
fn judge_probe(limits: &Limits, timeout: i64, period: i64, failure: i64) -> Option<ProbeVerdict> {
    let window = failure.saturating_mul(period);
    let verdict = ProbeVerdict {
        timeout: timeout < limits.min_timeout,
        window: window < limits.min_window,
        single_failure: failure == 1,
        severity: if window < limits.error_window || (failure == 1 && timeout == 1) {
            Severity::Error
        } else {
            Severity::Warning
        },
    };
    (verdict.timeout || verdict.window || verdict.single_failure).then_some(verdict)
}

/// In a partial object (a kustomize patch), only the fields the patch writes: the others come
/// from the object it is merged into, so no default is claimed. The timeout is judged when
/// written, a single failure when `failureThreshold` is, the window when both factors are.
fn judge_written(limits: &Limits, timing: &ProbeTiming) -> Option<ProbeVerdict> {
    let (t, p, f) = (&timing.timeout_seconds, &timing.period_seconds, &timing.failure_threshold);
    let verdict = judge_probe(limits, t.value, p.value, f.value)?;
    let window = verdict.window && p.span.is_some() && f.span.is_some();
    let verdict = ProbeVerdict {
        timeout: verdict.timeout && t.span.is_some(),
        window,
        single_failure: verdict.single_failure && f.span.is_some(),
        severity: if window && f.value.saturating_mul(p.value) < limits.error_window
            || (f.span.is_some() && t.span.is_some() && f.value == 1 && t.value == 1)
        {
            Severity::Error
        } else {
            Severity::Warning
        },
    };
    (verdict.timeout || verdict.window || verdict.single_failure).then_some(verdict)
}

fn check_probes(c: &Container, limits: &Limits, partial: bool, cx: &mut Ctx) {
    for (kind, probe) in [("liveness", &c.liveness_probe), ("startup", &c.startup_probe)] {
        let Some(probe) = probe else { continue };
        // A probe without a handler is rejected by the API server: `invalid-probe-spec`.
        if probe.handler.is_none() {
            continue;
        }
        // Values that do not decode or are negative: also `invalid-probe-spec`.
        let Ok(timing) = probe_timing(probe) else { continue };
        let (t, p, f) = (
            timing.timeout_seconds.value,
            timing.period_seconds.value,
            timing.failure_threshold.value,
        );
        let verdict =
            if partial { judge_written(limits, &timing) } else { judge_probe(limits, t, p, f) };
        let Some(verdict) = verdict else { continue };
        let span = probe_fault_span(&timing, &verdict, probe.span).unwrap_or(probe.key_span);
        let help = if kind == "startup" {
            "give a cold start room: timeoutSeconds ≥ 2 and a long budget, e.g. \
             `periodSeconds: 10, failureThreshold: 30`"
        } else {
            "give a busy CPU room: e.g. `timeoutSeconds: 3, periodSeconds: 10, \
             failureThreshold: 6`, and keep the check cheap and local"
        };
        cx.report(span, probe_message(limits, kind, &timing, &verdict))
            .severity(verdict.severity)
            .help(help);
    }
}

/// The first field at fault (in source order) written inside this probe mapping; `None` when
/// only defaults are at fault, or the fields at fault come from an anchor (an alias or a merge
/// key): the finding then goes on the probe's key at this use site.
fn probe_fault_span(timing: &ProbeTiming, v: &ProbeVerdict, body: Span) -> Option<Span> {
    // A window below 3 × 10 s has a factor below its default: that factor is at fault, not one
    // written as the default value.
    let (f, p) = (&timing.failure_threshold, &timing.period_seconds);
    let mut at_fault: Vec<&ProbeField> = Vec::new();
    if v.timeout {
        at_fault.push(&timing.timeout_seconds);
    }
    if v.single_failure || (v.window && f.value < DEFAULT_FAILURE_THRESHOLD) {
        at_fault.push(f);
    }
    if v.window && p.value < DEFAULT_PERIOD_SECONDS {
        at_fault.push(p);
    }
    at_fault
        .iter()
        .filter_map(|f| f.span)
        .filter(|s| body.start <= s.start && s.end <= body.end)
        .min_by_key(|s| s.start)
}

/// `liveness probe gives up after 10s (2 × 5s) with a 1s timeout (default); edge nodes need
/// ≥ 30s and a timeout ≥ 2s`.
fn probe_message(limits: &Limits, kind: &str, timing: &ProbeTiming, v: &ProbeVerdict) -> String {
    let (t, p, f) =
        (&timing.timeout_seconds, timing.period_seconds.value, timing.failure_threshold.value);
    let mut msg = format!("{kind} probe");
    if v.window || v.single_failure {
        if f == 1 {
            msg.push_str(&format!(" gives up after a single failed check ({p}s)"));
        } else {
            msg.push_str(&format!(" gives up after {}s ({f} × {p}s)", f.saturating_mul(p)));
        }
    }
    if v.timeout {
        let verb = if v.window || v.single_failure { "with" } else { "has" };
        let note = match (t.defaulted, t.span) {
            (true, None) => " (default)",
            (true, Some(_)) => " (0 means the default)",
            _ => "",
        };
        msg.push_str(&format!(" {verb} a {}s timeout{note}", t.value));
    }
    let mut needs = Vec::new();
    if v.window {
        needs.push(format!("≥ {}s", limits.min_window));
    }
    if v.single_failure {
        needs.push("failureThreshold ≥ 2".to_string());
    }
    if v.timeout {
        needs.push(format!("a timeout ≥ {}s", limits.min_timeout));
    }
    format!("{msg}; edge nodes need {}", join_and(&needs))
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

// -------------------------------------------------------------------------------------------
// The Docker healthcheck model: Compose `healthcheck` and Dockerfile `HEALTHCHECK`

/// One healthcheck field, read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field<T> {
    /// Not written: the default.
    Default,
    /// Written as `0`: the Engine applies the default (for retries, `<= 0` does).
    Zero(Span),
    Set(T, Span),
    /// Unresolved interpolation, or invalid (already reported as an error).
    Unknown,
}

impl<T: Copy> Field<T> {
    /// The effective value; `None` when unknown.
    fn value(self, default: T) -> Option<T> {
        match self {
            Field::Default | Field::Zero(_) => Some(default),
            Field::Set(v, _) => Some(v),
            Field::Unknown => None,
        }
    }

    /// The span of a value that is written and not a default.
    fn set_span(self) -> Option<Span> {
        match self {
            Field::Set(_, s) => Some(s),
            _ => None,
        }
    }
}

/// A Docker healthcheck as the format wrote it.
struct DockerHealthcheck {
    /// `healthcheck` or `HEALTHCHECK`, for messages.
    subject: &'static str,
    /// The `healthcheck` key or the `HEALTHCHECK` keyword.
    key_span: Span,
    /// Where this healthcheck is written; fields outside it (anchors) are reported on the key.
    body: Span,
    interval: Field<Duration>,
    timeout: Field<Duration>,
    retries: Field<u32>,
    start_period: Field<Duration>,
    /// The image the healthcheck runs in, when the file says it (resolved, without variables).
    image: Option<String>,
}

/// What is wrong with a healthcheck's effective timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HealthcheckVerdict {
    timeout: Option<Duration>,
    /// `(window, interval, retries)` when `interval × retries < 30s`.
    window: Option<(Duration, Duration, u32)>,
}

/// The catalogue's warning trigger on effective values: (a) `timeout < 2s`, (b)
/// `interval × retries < 30s`. Unknown values skip the checks they take part in.
fn judge_healthcheck(
    limits: &Limits,
    interval: Option<Duration>,
    timeout: Option<Duration>,
    retries: Option<u32>,
) -> Option<HealthcheckVerdict> {
    let timeout = timeout.filter(|t| *t < limits.min_timeout_duration());
    let window = match (interval, retries) {
        (Some(i), Some(r)) => {
            let w = i.checked_mul(r).unwrap_or(Duration::MAX);
            (w < limits.min_window_duration()).then_some((w, i, r))
        }
        _ => None,
    };
    (timeout.is_some() || window.is_some()).then_some(HealthcheckVerdict { timeout, window })
}

/// Report the timing of a Docker healthcheck (both formats call this).
fn check_docker(hc: &DockerHealthcheck, limits: &Limits, cx: &mut Ctx) {
    check_start_period(hc, cx);
    let Some(v) = judge_healthcheck(
        limits,
        hc.interval.value(DOCKER_DEFAULT_INTERVAL),
        hc.timeout.value(DOCKER_DEFAULT_TIMEOUT),
        hc.retries.value(DOCKER_DEFAULT_RETRIES),
    ) else {
        return;
    };
    let mut at_fault = Vec::new();
    if v.timeout.is_some() {
        at_fault.extend(hc.timeout.set_span());
    }
    if let Some((_, interval, retries)) = v.window {
        // As for probes: the factors below their defaults are at fault.
        if interval < DOCKER_DEFAULT_INTERVAL {
            at_fault.extend(hc.interval.set_span());
        }
        if retries < DOCKER_DEFAULT_RETRIES {
            at_fault.extend(hc.retries.set_span());
        }
    }
    let span = at_fault
        .into_iter()
        .filter(|s| hc.body.start <= s.start && s.end <= hc.body.end)
        .min_by_key(|s| s.start)
        .unwrap_or(hc.key_span);

    let mut msg = hc.subject.to_string();
    if let Some((w, i, r)) = v.window {
        let note = match hc.retries {
            Field::Zero(_) => ", retries 0 counts as 3",
            _ => "",
        };
        msg.push_str(&format!(
            " marks the container unhealthy after {} ({r} × {}{note})",
            format_duration(w),
            format_duration(i)
        ));
    }
    if let Some(t) = v.timeout {
        let verb = if v.window.is_some() { "with" } else { "has" };
        msg.push_str(&format!(" {verb} a {} timeout", format_duration(t)));
    }
    let mut needs = Vec::new();
    if v.window.is_some() {
        needs.push(format!("≥ {}", format_duration(limits.min_window_duration())));
    }
    if v.timeout.is_some() {
        needs.push(format!("a timeout ≥ {}", format_duration(limits.min_timeout_duration())));
    }
    msg.push_str(&format!("; edge devices need {}", join_and(&needs)));
    let help = if hc.subject == "HEALTHCHECK" {
        "e.g. `HEALTHCHECK --interval=30s --timeout=5s --retries=3 --start-period=60s CMD …`: an \
         unhealthy status breaks `depends_on: service_healthy`, `up --wait` and autoheal sidecars"
    } else {
        "e.g. `interval: 30s`, `timeout: 5s`, `retries: 3`, `start_period: 60s`: an unhealthy \
         status breaks `depends_on: service_healthy`, `up --wait` and autoheal sidecars"
    };
    cx.report(span, msg).help(help);
}

/// The catalogue's (c): `start_period` 0 (the default) on a slow-starting image
/// ([`crate::semantic::startup`]): every failed check while the JVM or the runtime starts counts
/// toward `unhealthy`.
fn check_start_period(hc: &DockerHealthcheck, cx: &mut Ctx) {
    let Some(reference) = &hc.image else { return };
    let Ok(image) = ImageRef::parse(reference) else { return };
    let Some(slow) = slow_start(&image) else { return };
    let (span, written) = match hc.start_period {
        Field::Default => (hc.key_span, "no start period"),
        Field::Zero(span) => (span, "a start period of 0"),
        Field::Set(..) | Field::Unknown => return,
    };
    let (flag, example) = if hc.subject == "HEALTHCHECK" {
        ("--start-period", format!("`--start-period={}s --start-interval=5s`", slow.budget_secs))
    } else {
        ("start_period", format!("`start_period: {}s`, `start_interval: 5s`", slow.budget_secs))
    };
    cx.report(
        span,
        format!(
            "{} has {written} for `{reference}`, a slow-starting image (`{}`, start-up budget {}s)",
            hc.subject, slow.glob, slow.budget_secs
        ),
    )
    .help(format!(
        "checks that fail while it starts count toward `unhealthy`; set `{flag}` to its \
         worst-case start on the device, e.g. {example}"
    ));
}

/// How a format rejects an invalid value, for the help of the error.
struct Rejection {
    /// `docker compose` refuses the file / the build fails.
    who: &'static str,
    /// Said when a value that does not parse holds a `$`.
    variables: &'static str,
    /// The largest retries value the format accepts.
    max_retries: i64,
}

/// Read a Go duration (Compose after interpolation, Dockerfile flags as written); an invalid one
/// is reported as an error.
fn read_duration(
    raw: &str,
    span: Span,
    what: &str,
    rejection: &Rejection,
    cx: &mut Ctx,
) -> Field<Duration> {
    match parse_compose_duration(raw) {
        Ok(d) if d.is_zero() => Field::Zero(span),
        Ok(d) if d < DOCKER_MIN_DURATION => {
            cx.report(
                span,
                format!("{what} `{raw}` is below 1ms, the shortest duration Docker accepts"),
            )
            .severity(Severity::Error)
            .help(format!("{}; write at least `1ms`, or `0` for the default", rejection.who));
            Field::Unknown
        }
        Ok(d) => Field::Set(d, span),
        Err(e) => {
            let variables = if raw.contains('$') { rejection.variables } else { "" };
            cx.report(span, format!("{what}: {e}")).severity(Severity::Error).help(format!(
                "{}{variables}; write a number with a unit, e.g. `30s` or `1m30s`",
                rejection.who
            ));
            Field::Unknown
        }
    }
}

/// Read a retries count; a negative or non-integer one is reported as an error. `0` means the
/// default to the Engine (`retries <= 0` → 3).
fn read_retries(
    raw: &str,
    span: Span,
    what: &str,
    rejection: &Rejection,
    cx: &mut Ctx,
) -> Field<u32> {
    let problem = match raw.parse::<i64>() {
        Ok(0) => return Field::Zero(span),
        Ok(n) if n < 0 => "is negative",
        Ok(n) if n > rejection.max_retries => "is out of range",
        Ok(n) => return Field::Set(u32::try_from(n).unwrap_or(u32::MAX), span),
        Err(_) => "is not a whole number",
    };
    cx.report(span, format!("{what} `{raw}` {problem}"))
        .severity(Severity::Error)
        .help(format!("{}; write a count such as `3`", rejection.who));
    Field::Unknown
}

// -------------------------------------------------------------------------------------------
// Compose

const COMPOSE_REJECTION: Rejection =
    Rejection { who: "`docker compose` refuses the file", variables: "", max_retries: i64::MAX };

fn check_service(service: &Service, limits: &Limits, cx: &mut Ctx) {
    let Some(hc) = &service.healthcheck else { return };
    if hc.disabled {
        return;
    }
    let interval = compose_field(
        &hc.interval,
        |raw, span, cx| read_duration(raw, span, "healthcheck interval", &COMPOSE_REJECTION, cx),
        cx,
    );
    let timeout = compose_field(
        &hc.timeout,
        |raw, span, cx| read_duration(raw, span, "healthcheck timeout", &COMPOSE_REJECTION, cx),
        cx,
    );
    let retries = compose_field(
        &hc.retries,
        |raw, span, cx| read_retries(raw, span, "healthcheck retries", &COMPOSE_REJECTION, cx),
        cx,
    );
    let start_period = compose_field(
        &hc.start_period,
        |raw, span, cx| {
            read_duration(raw, span, "healthcheck start_period", &COMPOSE_REJECTION, cx)
        },
        cx,
    );
    let image = service.image.as_ref().and_then(|i| substitute(&i.value, |_| None));
    let docker = DockerHealthcheck {
        subject: "healthcheck",
        key_span: hc.key_span,
        body: hc.span,
        interval,
        timeout,
        retries,
        start_period,
        image,
    };
    check_docker(&docker, limits, cx);
}

/// A Compose field after interpolation: `${VAR:-10s}` reads as its default; a variable without
/// one is unknown.
fn compose_field<T>(
    field: &Option<Spanned<String>>,
    read: impl FnOnce(&str, Span, &mut Ctx) -> Field<T>,
    cx: &mut Ctx,
) -> Field<T> {
    let Some(f) = field else { return Field::Default };
    if !f.value.contains('$') {
        return read(&f.value, f.span, cx);
    }
    match substitute(&f.value, |_| None) {
        Some(value) => read(&value, f.span, cx),
        None => Field::Unknown,
    }
}

// -------------------------------------------------------------------------------------------
// Dockerfile

const DOCKERFILE_REJECTION: Rejection = Rejection {
    who: "`docker build` fails",
    variables: " (HEALTHCHECK flags do not expand variables)",
    max_retries: i32::MAX as i64,
};

fn check_dockerfile(d: &Dockerfile, limits: &Limits, cx: &mut Ctx) {
    // Only the last HEALTHCHECK of the image that is built (the final stage) counts.
    let Some(ins) = d.final_stage().and_then(|s| d.effective_healthcheck(s)) else { return };
    if matches!(ins.args, Args::Healthcheck(None)) {
        return;
    }
    let flag = |name: &str| -> Option<(&Flag, &Spanned<String>)> {
        let f = ins.flag(name)?;
        Some((f, f.value.as_ref()?))
    };
    let interval = match flag("interval") {
        Some((f, v)) => {
            read_duration(&v.value, f.span, "HEALTHCHECK --interval", &DOCKERFILE_REJECTION, cx)
        }
        None => dockerfile_unset(ins.flag("interval")),
    };
    let timeout = match flag("timeout") {
        Some((f, v)) => {
            read_duration(&v.value, f.span, "HEALTHCHECK --timeout", &DOCKERFILE_REJECTION, cx)
        }
        None => dockerfile_unset(ins.flag("timeout")),
    };
    let retries = match flag("retries") {
        Some((f, v)) => {
            read_retries(&v.value, f.span, "HEALTHCHECK --retries", &DOCKERFILE_REJECTION, cx)
        }
        None => dockerfile_unset(ins.flag("retries")),
    };
    let start_period = match flag("start-period") {
        Some((f, v)) => {
            read_duration(&v.value, f.span, "HEALTHCHECK --start-period", &DOCKERFILE_REJECTION, cx)
        }
        None => dockerfile_unset(ins.flag("start-period")),
    };
    // The image the final stage is built from, through stage aliases, with ARG defaults.
    let image = cx.semantic().targets().first().and_then(|target| {
        let chain = stages_for_target(d, target);
        chain.last().filter(|root| !root.from_stage)?.resolved_image.clone()
    });
    let docker = DockerHealthcheck {
        subject: "HEALTHCHECK",
        key_span: ins.keyword_span,
        body: ins.span,
        interval,
        timeout,
        retries,
        start_period,
        image,
    };
    check_docker(&docker, limits, cx);
}

/// A flag that is absent (the default) or written without a value (left to the parser).
fn dockerfile_unset<T>(flag: Option<&Flag>) -> Field<T> {
    match flag {
        None => Field::Default,
        Some(_) => Field::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Option<Duration> {
        Some(Duration::from_secs(s))
    }

    #[test]
    fn probe_defaults_flag_the_timeout_only() {
        let v = judge_probe(&DEFAULT_LIMITS, 1, 10, 3).expect("default timeout 1s is flagged");
        assert!(v.timeout && !v.window && !v.single_failure);
        assert_eq!(v.severity, Severity::Warning);
    }

    #[test]
    fn probe_window_boundaries() {
        assert_eq!(judge_probe(&DEFAULT_LIMITS, 2, 10, 3), None, "exactly 30s and 2s pass");
        assert_eq!(judge_probe(&DEFAULT_LIMITS, 3, 10, 3), None);
        let v = judge_probe(&DEFAULT_LIMITS, 2, 29, 1).expect("29s");
        assert!(v.window && v.single_failure);
        let v = judge_probe(&DEFAULT_LIMITS, 5, 5, 2).expect("10s window");
        assert!(v.window && !v.timeout);
        assert_eq!(v.severity, Severity::Warning, "10s is a warning: < 10 is the error");
        let v = judge_probe(&DEFAULT_LIMITS, 5, 3, 3).expect("9s window");
        assert_eq!(v.severity, Severity::Error);
        let v = judge_probe(&DEFAULT_LIMITS, 2, 9, 3).expect("27s window");
        assert_eq!(v.severity, Severity::Warning);
    }

    #[test]
    fn probe_single_failure() {
        let v =
            judge_probe(&DEFAULT_LIMITS, 1, 10, 1).expect("single failure with default timeout");
        assert_eq!(v.severity, Severity::Error);
        let v = judge_probe(&DEFAULT_LIMITS, 2, 30, 1).expect("single failure alone");
        assert!(v.single_failure && !v.window && !v.timeout);
        assert_eq!(v.severity, Severity::Warning);
    }

    #[test]
    fn probe_huge_values_do_not_overflow() {
        assert_eq!(
            judge_probe(
                &DEFAULT_LIMITS,
                i64::from(i32::MAX),
                i64::from(i32::MAX),
                i64::from(i32::MAX)
            ),
            None
        );
    }

    #[test]
    fn healthcheck_defaults_pass() {
        assert_eq!(judge_healthcheck(&DEFAULT_LIMITS, secs(30), secs(30), Some(3)), None);
    }

    #[test]
    fn healthcheck_boundaries() {
        assert_eq!(
            judge_healthcheck(&DEFAULT_LIMITS, secs(10), secs(2), Some(3)),
            None,
            "exactly 30s and 2s"
        );
        let v = judge_healthcheck(&DEFAULT_LIMITS, secs(5), secs(30), Some(3)).expect("15s");
        assert_eq!(v.window, Some((Duration::from_secs(15), Duration::from_secs(5), 3)));
        assert_eq!(v.timeout, None);
        let v = judge_healthcheck(
            &DEFAULT_LIMITS,
            secs(30),
            Some(Duration::from_millis(1999)),
            Some(3),
        )
        .expect("1.999s timeout");
        assert_eq!(v.timeout, Some(Duration::from_millis(1999)));
        assert_eq!(v.window, None);
    }

    #[test]
    fn healthcheck_unknown_values_skip_their_checks() {
        assert_eq!(judge_healthcheck(&DEFAULT_LIMITS, None, secs(30), Some(1)), None);
        assert_eq!(judge_healthcheck(&DEFAULT_LIMITS, secs(1), secs(30), None), None);
        assert!(judge_healthcheck(&DEFAULT_LIMITS, None, secs(1), None).is_some());
    }

    #[test]
    fn healthcheck_huge_values_do_not_overflow() {
        assert_eq!(
            judge_healthcheck(&DEFAULT_LIMITS, Some(Duration::MAX), secs(30), Some(u32::MAX)),
            None
        );
    }

    #[test]
    fn join() {
        let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(join_and(&s(&["a"])), "a");
        assert_eq!(join_and(&s(&["a", "b"])), "a and b");
        assert_eq!(join_and(&s(&["a", "b", "c"])), "a, b and c");
    }
}
