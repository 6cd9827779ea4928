//! `missing-restart-policy`: long-running Compose services that Docker does not start again after
//! a power cut or a daemon restart.
//!
//! The effective policy is the one `docker compose` gives the container (`getRestartPolicy`):
//! `deploy.restart_policy.condition` overrides `restart`; neither written means `no`.
//! Interpolated values are judged by what they give without the environment (their default).

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::model::compose::{ComposeFile, Service};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::source::Span;
use crate::values::interpolate::substitute;

declare_rule! {
    /// A long-running Compose service that stays down after a power cut.
    MissingRestartPolicy {
        name: "missing-restart-policy",
        summary: "a long-running Compose service has no restart policy, so a power cut leaves it down",
        severity: Warning,
        formats: [Compose],
        equivalents: [],
    }
}

/// Profile names (or `-`/`_`-separated words of them) that mark a service started by hand for
/// one job rather than kept running.
const ONE_SHOT_PROFILE_WORDS: &[&str] = &[
    "tools",
    "tool",
    "init",
    "setup",
    "migrate",
    "migration",
    "migrations",
    "seed",
    "oneshot",
    "once",
    "job",
    "jobs",
    "task",
    "tasks",
    "cli",
    "admin",
    "debug",
    "test",
    "tests",
    "manual",
    "maintenance",
];

/// Words of a service name (split at `-`, `_`, `.` and lower-to-upper case changes) that mark a
/// one-shot service: `db-init`, `mongo-init-replica`, `frontendTests`. Narrower than the profile
/// words: an `admin` or `cli` service can be a long-running panel or shell.
const ONE_SHOT_NAME_WORDS: &[&str] = &[
    "init",
    "setup",
    "migrate",
    "migration",
    "migrations",
    "seed",
    "seeder",
    "oneshot",
    "bootstrap",
    "tests",
    // Docker Hub's automated tests run the service named `sut` (system under test) and read its
    // exit code.
    "sut",
];

/// The label that marks a service as one-shot.
pub const ONESHOT_LABEL: &str = "edgelint.io/oneshot";

/// A restart policy as Docker applies it.
#[derive(Debug, PartialEq, Eq)]
enum Policy {
    No,
    Restarts,
    /// `on-failure` with a retry limit (`0` or none means unlimited, like `always` on failure).
    OnFailure(u64),
    /// A value that could not be read (unknown variable, misspelling): not judged.
    Unknown,
}

impl Rule for MissingRestartPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn service(&self, file: &ComposeFile, service: &Service, cx: &mut Ctx) {
        // Override fragments (no image, no build) and services completed from another file are
        // not judged on their own.
        if service.image.is_none() && service.build.is_none() || service.extends_other_file {
            return;
        }
        if one_shot(file, service).is_some() {
            return;
        }
        let name = &service.name.value;
        let (policy, span, source) = effective(service);
        match policy {
            Policy::No => {
                let message = match &source {
                    Some(written) => format!(
                        "service `{name}` is not restarted after a power cut or a daemon restart ({written})"
                    ),
                    None => format!(
                        "service `{name}` is not restarted after a power cut or a daemon restart (no `restart`, and the default is `no`)"
                    ),
                };
                cx.report(span, message).help(
                    "write `restart: unless-stopped` (or `always`) and enable the Docker service at boot; \
                     mark a one-shot service with the label `edgelint.io/oneshot: \"true\"`",
                );
            }
            Policy::OnFailure(n) if n > 0 => {
                cx.report(
                    span,
                    format!(
                        "service `{name}` is restarted on failure at most {n} time{} ({}), then stays down",
                        if n == 1 { "" } else { "s" },
                        source.unwrap_or_default()
                    ),
                )
                .severity(Severity::Info)
                .help("a flapping sensor or an unreachable broker uses the retries up; write `restart: unless-stopped`");
            }
            _ => {}
        }
    }
}

/// Why a service counts as one-shot, if it does.
fn one_shot(file: &ComposeFile, service: &Service) -> Option<&'static str> {
    let labelled = service.labels.iter().any(|(k, v)| {
        k == ONESHOT_LABEL && !v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("false"))
    });
    if labelled {
        return Some("label");
    }
    let completed = file.services.iter().any(|other| {
        other.dependencies.iter().any(|d| {
            d.name.value == service.name.value
                && d.condition.as_deref() == Some("service_completed_successfully")
        })
    });
    if completed {
        return Some("depended on until completed");
    }
    let tool_profile = service.profiles.iter().any(|p| {
        p.value
            .to_ascii_lowercase()
            .split(['-', '_', '.'])
            .any(|word| ONE_SHOT_PROFILE_WORDS.contains(&word))
    });
    if tool_profile {
        return Some("profile");
    }
    words(&service.name.value)
        .iter()
        .any(|w| ONE_SHOT_NAME_WORDS.contains(&w.as_str()))
        .then_some("name")
}

/// The lowercase words of a name, split at `-`, `_`, `.` and where a lowercase letter or digit is
/// followed by an uppercase one.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            out.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    out.push(current);
    out.retain(|w| !w.is_empty());
    out
}

/// The effective policy, where to report it, and how it is written (for the message).
fn effective(service: &Service) -> (Policy, Span, Option<String>) {
    if let Some(rp) = &service.restart_policy {
        // `deploy.restart_policy` without a `condition` keeps the spec's default, `any`.
        let Some(condition) = &rp.condition else {
            return (Policy::Restarts, rp.key_span, None);
        };
        let Some(value) = resolve(&condition.value) else {
            return (Policy::Unknown, condition.span, None);
        };
        let written = format!("`deploy.restart_policy.condition: {}`", condition.value);
        let policy = match value.as_str() {
            "none" | "no" => Policy::No,
            "any" | "always" | "unless-stopped" => Policy::Restarts,
            "on-failure" => {
                match rp.max_attempts.as_ref().map(|m| resolve(&m.value).map(|v| v.parse::<u64>()))
                {
                    None => Policy::OnFailure(0),
                    Some(Some(Ok(n))) => Policy::OnFailure(n),
                    Some(_) => Policy::Unknown,
                }
            }
            _ => Policy::Unknown,
        };
        let written = match (&policy, &rp.max_attempts) {
            (Policy::OnFailure(_), Some(m)) => {
                format!("{written} with `max_attempts: {}`", m.value)
            }
            _ => written,
        };
        return (policy, condition.span, Some(written));
    }
    let Some(restart) = &service.restart else {
        return (Policy::No, service.name.span, None);
    };
    let Some(value) = resolve(&restart.value) else {
        return (Policy::Unknown, restart.span, None);
    };
    let policy = match value.as_str() {
        "no" | "false" => Policy::No,
        "always" | "unless-stopped" => Policy::Restarts,
        "on-failure" => Policy::OnFailure(0),
        other => match other.strip_prefix("on-failure:").map(|n| n.trim().parse::<u64>()) {
            Some(Ok(n)) => Policy::OnFailure(n),
            _ => Policy::Unknown,
        },
    };
    let written = if value == restart.value {
        format!("`restart: {}`", restart.value)
    } else {
        format!("`restart: {}` is `{value}` without the variable", restart.value)
    };
    (policy, restart.span, Some(written))
}

/// The value with its variables replaced by their defaults; `None` when it depends on the
/// environment.
fn resolve(value: &str) -> Option<String> {
    let v = substitute(value, |_| None)?;
    let v = v.trim().to_ascii_lowercase();
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_words() {
        assert_eq!(words("mongo-init-replica"), ["mongo", "init", "replica"]);
        assert_eq!(words("frontendTests"), ["frontend", "tests"]);
        assert_eq!(words("initd"), ["initd"]);
    }

    #[test]
    fn resolve_defaults() {
        assert_eq!(resolve("${RESTART:-no}").as_deref(), Some("no"));
        assert_eq!(resolve("${RESTART}"), None);
        assert_eq!(resolve("Always").as_deref(), Some("always"));
    }
}
