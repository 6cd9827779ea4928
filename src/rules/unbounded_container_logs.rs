//! `unbounded-container-logs`: Compose services whose container log grows without bound: the
//! `json-file` driver (Docker's default) without `max-size`, which defaults to unlimited.
//!
//! Kubernetes is not checked: the kubelet rotates container logs
//! (`containerLogMaxSize`, 10 Mi by default).

use crate::declare_rule;
use crate::model::compose::Service;
use crate::model::container::ContainerView;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::source::Span;
use crate::values::interpolate::substitute;

declare_rule! {
    /// Compose services whose container log grows without bound.
    UnboundedContainerLogs {
        name: "unbounded-container-logs",
        summary: "a Compose service logs through `json-file` without `max-size`, so its log can fill the device's storage",
        severity: Warning,
        formats: [Compose],
        equivalents: [],
        options: [
            boolean(
                "daemon-log-opts-set",
                false,
                "the devices' daemon.json sets `log-opts` (a default `max-size`) for json-file"
            ),
        ],
    }
}

impl Rule for UnboundedContainerLogs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn container(&self, container: &ContainerView<'_>, cx: &mut Ctx) {
        if let Some(service) = container.service() {
            check(service, cx);
        }
    }
}

/// A Compose value after interpolation (`${VAR:-default}` reads as the default); `None` when a
/// variable has no default.
fn resolved(value: &str) -> Option<String> {
    if value.contains('$') {
        substitute(value, |_| None)
    } else {
        Some(value.to_string())
    }
}

const HELP: &str = "bound it: `logging: {driver: json-file, options: {max-size: \"10m\", \
     max-file: \"3\"}}`, or `driver: local` (5 files of 20 MB by default); if every device's \
     daemon.json sets `log-opts`, set the rule's `daemon-log-opts-set: true`";

fn check(service: &Service, cx: &mut Ctx) {
    let name = &service.name.value;
    let Some(logging) = &service.logging else {
        if service.extends_other_file || cx.option_bool("daemon-log-opts-set") {
            return;
        }
        cx.report(
            service.name.span,
            format!(
                "service `{name}` has no `logging`: Docker's default `json-file` driver keeps \
                 its whole log, without a size limit, on the device's storage"
            ),
        )
        .help(HELP);
        return;
    };
    let driver = match &logging.driver {
        Some(d) => match resolved(&d.value) {
            Some(v) => v,
            None => return, // decided by a variable
        },
        None => "json-file".to_string(),
    };
    if driver != "json-file" {
        // `local` rotates by default; journald, syslog and the remote drivers do not write
        // Docker's log file, and their dual-logging cache is rotated
        return;
    }
    // A value written in an anchor is reported on this service's `logging` key.
    let here = |span: Span| {
        if service.span.start <= span.start && span.end <= service.span.end {
            span
        } else {
            logging.key_span
        }
    };
    let at = here(logging.driver.as_ref().map_or(logging.key_span, |d| d.span));
    let max_size = logging.options.iter().find(|(k, _)| k.value == "max-size");
    match max_size {
        Some((_, v)) => {
            let Some(value) = resolved(&v.value) else { return };
            if value.trim() == "-1" {
                cx.report(
                    here(v.span),
                    format!(
                        "service `{name}` sets `max-size: -1`: its json-file log has no size limit"
                    ),
                )
                .help(HELP);
            }
        }
        None if cx.option_bool("daemon-log-opts-set") => {}
        None => {
            cx.report(
                at,
                format!(
                    "service `{name}` logs through `json-file` without `max-size`: its log grows \
                     without a limit on the device's storage"
                ),
            )
            .help(HELP);
        }
    }
}
