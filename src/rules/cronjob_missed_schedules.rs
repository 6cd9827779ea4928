//! `cronjob-missed-schedules`: CronJobs that start late, at the wrong hour, or pile up after a
//! partition: no `startingDeadlineSeconds`, no `timeZone` (or a `TZ=` in the schedule, which
//! the API server rejects), overlapping runs without a bound.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::kubernetes::{CronJobSpec, Manifests, Object, Scalar};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::source::Span;

declare_rule! {
    /// A CronJob that does not say how late it may start or in which time zone.
    CronjobMissedSchedules {
        name: "cronjob-missed-schedules",
        summary: "a CronJob has no starting deadline or time zone, so runs after an outage start late or at the wrong hour",
        severity: Warning,
        formats: [Kubernetes],
        equivalents: ["kube-score:cronjob-has-deadline"],
    }
}

impl Rule for CronjobMissedSchedules {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn object(&self, _stream: &Manifests, object: &Object, cx: &mut Ctx) {
        if !is_batch_cronjob(object) {
            return;
        }
        let Some(spec) = &object.cron_job else { return };
        check(object, spec, cx);
    }
}

/// `batch/v1` and `batch/v1beta1` (and `batch/v2alpha1`) CronJobs; a CronJob kind of another
/// group is someone else's resource.
fn is_batch_cronjob(object: &Object) -> bool {
    object.kind.value == "CronJob"
        && object.api_version.as_ref().is_some_and(|v| v.value.starts_with("batch/"))
}

fn is_unset(value: Option<&crate::source::Spanned<Scalar>>) -> bool {
    value.is_none_or(|v| v.value == Scalar::Null)
}

/// Whether a schedule fires at the same instants in every time zone: `@every …`, or every hour
/// of every day with minutes `*` or `*/N` for N dividing 15 (1, 3, 5, 15). Every UTC offset in
/// the tz database is a whole multiple of 15 minutes, so shifting such a minute set by any
/// offset gives the same set; `timeZone` then changes nothing.
fn same_in_every_time_zone(schedule: &str) -> bool {
    let schedule = schedule.trim();
    if schedule.starts_with("@every ") {
        return true;
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields[..] else { return false };
    let any = |f: &str| f == "*" || f == "?";
    let minute_ok = minute == "*"
        || minute.strip_prefix("*/").is_some_and(|n| matches!(n, "1" | "3" | "5" | "15"));
    minute_ok && any(hour) && any(day) && any(month) && any(weekday)
}

fn check(object: &Object, spec: &CronJobSpec, cx: &mut Ctx) {
    let name = object.name.as_ref().map_or(String::new(), |n| format!(" `{}`", n.value));
    let at: Span = spec.schedule.as_ref().map_or(spec.spec_key, |s| s.span);
    if is_unset(spec.starting_deadline_seconds.as_ref()) {
        cx.report(
            at,
            format!(
                "no `startingDeadlineSeconds` on CronJob{name}: a run missed during a partition \
                 or controller outage starts whenever the controller catches up, however late"
            ),
        )
        .help(
            "add `startingDeadlineSeconds: 300` (how late a run may still start) to the \
             CronJob's `spec`; before the CronJob controller v2 (Kubernetes 1.21), more than 100 \
             missed schedules stop the CronJob altogether",
        );
    }
    let tz_in_schedule = spec.schedule.as_ref().filter(|s| s.value.contains("TZ"));
    if let Some(schedule) = tz_in_schedule {
        cx.report(
            schedule.span,
            format!(
                "the schedule of CronJob{name} sets its time zone with `TZ`/`CRON_TZ`, which \
                 the API server rejects for new CronJobs"
            ),
        )
        .severity(Severity::Error)
        .help("remove the prefix and set `timeZone: \"Europe/Berlin\"` (an IANA name) in `spec`");
    } else if is_unset(spec.time_zone.as_ref())
        && !spec.schedule.as_ref().is_some_and(|s| same_in_every_time_zone(&s.value))
    {
        cx.report(
            at,
            format!(
                "no `timeZone` on CronJob{name}: the schedule runs in the control plane's time \
                 zone, not the site's"
            ),
        )
        .severity(Severity::Info)
        .help(
            "add `timeZone: \"Europe/Berlin\"` (the site's IANA time zone) to the CronJob's `spec`",
        );
    }
    let allow = spec.concurrency_policy.as_ref().is_none_or(|p| p.value == "Allow");
    if allow && is_unset(spec.active_deadline_seconds.as_ref()) {
        let (span, what) = match &spec.concurrency_policy {
            Some(p) => (p.span, "`concurrencyPolicy: Allow`"),
            None => (at, "default `concurrencyPolicy` (`Allow`)"),
        };
        cx.report(
            span,
            format!(
                "{what} and no `activeDeadlineSeconds` on CronJob{name}: slow runs overlap \
                 and pile up on a small node"
            ),
        )
        .severity(Severity::Info)
        .help(
            "set `concurrencyPolicy: Forbid` in `spec`, or bound each run with \
             `jobTemplate.spec.activeDeadlineSeconds`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::same_in_every_time_zone as same;

    #[test]
    fn schedules_that_no_time_zone_changes() {
        for s in ["* * * * *", "*/5 * * * *", "*/15 * ? * *", " */3 * * * * ", "@every 1h30m"] {
            assert!(same(s), "{s}");
        }
    }

    #[test]
    fn schedules_a_time_zone_shifts() {
        // :30 and :45 offsets (India, Nepal) move minute 0; */10 and */30 are not 15-periodic;
        // an hour, day or weekday field depends on the zone; @hourly is "0 * * * *".
        for s in ["0 * * * *", "*/10 * * * *", "*/30 * * * *", "0 3 * * *", "* 2 * * *"] {
            assert!(!same(s), "{s}");
        }
        for s in ["* * 1 * *", "* * * * 1", "@hourly", "@daily", "", "* * * *", "TZ=UTC * * * * *"]
        {
            assert!(!same(s), "{s}");
        }
    }
}
