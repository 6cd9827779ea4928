//! `short-startup-budget`: a container whose probes can restart it before its image has had
//! time to start on an edge device.
//!
//! The budget per image comes from [`crate::semantic::startup`] (the catalogue's slow-start
//! images, 120 s; others 60 s), with the rule's options in front. The timing is the API
//! server's effective values ([`crate::semantic::probe`]).
//!
//! Complementary to `aggressive-probe-timing`: a probe whose failure window
//! (`failureThreshold × periodSeconds`) is below that rule's window threshold is already
//! reported there, whatever its start-up budget, and is left out here.

use crate::declare_rule;
use crate::model::container::{ContainerRole, ContainerView};
use crate::model::kubernetes::{Container, Probe};
use crate::rules::aggressive_probe_timing::AggressiveProbeTiming;
use crate::rules::option::{DefaultValue, Owned};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::semantic::probe::{probe_timing, ProbeTiming};
use crate::semantic::startup::startup_budget;
use crate::values::image_ref::ImageRef;

declare_rule! {
    /// Probes that can restart a container before its image has started on an edge device.
    ShortStartupBudget {
        name: "short-startup-budget",
        summary: "probes can restart a container before its image has had time to start on an edge device",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: [],
        options: [
            integer(
                "startup-budget-seconds",
                60,
                "start-up budget of an image no glob names, in seconds"
            )
            .at_least(1.0),
            integer_map(
                "startup-budget-overrides",
                &[],
                "start-up budgets by image glob, in seconds, checked before the built-in slow-start images"
            ),
        ],
    }
}

impl Rule for ShortStartupBudget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        if !matches!(container.role(), ContainerRole::App | ContainerRole::Sidecar) {
            return;
        }
        if let Some(c) = container.kubernetes() {
            check(c, cx);
        }
    }
}

/// `aggressive-probe-timing`'s failure-window threshold, as configured.
fn aggressive_window(cx: &Ctx) -> i64 {
    let name = AggressiveProbeTiming::META.name;
    let option = "min-failure-window-seconds";
    match cx.settings().rule_option(name, option) {
        Some(Owned::Integer(n)) => *n,
        _ => match AggressiveProbeTiming::META.option(option).map(|o| o.default) {
            Some(DefaultValue::Integer(n)) => n,
            _ => 30,
        },
    }
}

/// The effective timing of a probe the API server accepts (with a handler, valid numbers).
fn valid_timing(probe: &Probe) -> Option<ProbeTiming> {
    probe.handler.as_ref()?;
    probe_timing(probe).ok()
}

fn check(c: &Container, cx: &mut Ctx) {
    let (probe, kind) = match (&c.startup_probe, &c.liveness_probe) {
        (Some(p), _) => (p, "startup"),
        (None, Some(p)) => (p, "liveness"),
        (None, None) => return,
    };
    let Some(t) = valid_timing(probe) else { return };
    let (d, p, f) =
        (t.initial_delay_seconds.value, t.period_seconds.value, t.failure_threshold.value);
    let window = f.saturating_mul(p);
    if window < aggressive_window(cx) {
        return; // aggressive-probe-timing's
    }
    let total = d.saturating_add(window);
    let image_text = c.image.as_ref().map(|i| i.value.as_str());
    let image = image_text.filter(|i| !i.contains('$')).and_then(|i| ImageRef::parse(i).ok());
    let overrides = cx.option_int_map("startup-budget-overrides");
    let default = u64::try_from(cx.option_int("startup-budget-seconds")).unwrap_or(60);
    let (budget, glob) = startup_budget(image.as_ref(), &overrides, default);
    if u64::try_from(total).unwrap_or(0) >= budget {
        return;
    }
    let whose = match (image_text, &glob) {
        (Some(i), Some(g)) => format!("`{i}` (`{g}`) needs up to {budget}s"),
        (Some(i), None) => format!("`{i}` gets {budget}s"),
        (None, _) => format!("an image gets {budget}s"),
    };
    let formula = if d > 0 { format!("{d} + {f} × {p}s") } else { format!("{f} × {p}s") };
    let who = c.describe();
    let (message, span, help) = if kind == "startup" {
        let span = [t.failure_threshold.span, t.period_seconds.span]
            .into_iter()
            .flatten()
            .find(|s| probe.span.start <= s.start && s.end <= probe.span.end)
            .unwrap_or(probe.key_span);
        (
            format!(
                "startup probe of {who} gives up after {total}s ({formula}); {whose} to start \
                 on an edge device"
            ),
            span,
            format!(
                "raise `failureThreshold` so `failureThreshold × periodSeconds` covers the \
                 worst-case cold start on the device (≥ {budget}s, e.g. `periodSeconds: 10`, \
                 `failureThreshold: {}`)",
                budget.div_ceil(10)
            ),
        )
    } else {
        (
            format!(
                "{who} has no startup probe, and its liveness probe can restart it {total}s \
                 after it starts ({formula}); {whose} to start on an edge device"
            ),
            probe.key_span,
            format!(
                "add a `startupProbe` with the liveness probe's handler and `periodSeconds: 10`, \
                 `failureThreshold: {}` (≥ {budget}s); the liveness probe then starts only \
                 after it succeeds and can stay fast",
                budget.div_ceil(10)
            ),
        )
    };
    cx.report(span, message).help(help);
}

#[cfg(test)]
mod tests {
    use crate::document::FileKind;
    use crate::rules::option::Owned;
    use crate::settings::{RuleSettings, Settings};
    use crate::source::SourceFile;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  containers:\n    - name: h\n      image: registry.local:5000/historian:2.1.0\n      startupProbe:\n        httpGet: {path: /, port: 80}\n        failureThreshold: 12\n";

    fn findings(options: &[(&str, Owned)]) -> usize {
        let mut settings =
            Settings { select: vec!["short-startup-budget".into()], ..Default::default() };
        let mut rule = RuleSettings::default();
        for (k, v) in options {
            rule.options.insert((*k).to_string(), v.clone());
        }
        settings.rules.insert("short-startup-budget".into(), rule);
        let report =
            crate::lint_as(SourceFile::new("p.yaml", POD), FileKind::Kubernetes, &settings);
        report.diagnostics.iter().filter(|d| d.rule == "short-startup-budget").count()
    }

    #[test]
    fn options_set_the_budget() {
        assert_eq!(findings(&[]), 0, "120s ≥ the default 60s");
        let glob = Owned::IntegerMap(vec![("*historian*".into(), 300)]);
        assert_eq!(findings(&[("startup-budget-overrides", glob)]), 1);
        assert_eq!(findings(&[("startup-budget-seconds", Owned::Integer(121))]), 1);
        assert_eq!(findings(&[("startup-budget-seconds", Owned::Integer(120))]), 0);
    }
}
