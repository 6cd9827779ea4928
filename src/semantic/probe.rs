//! Effective values of a Kubernetes probe's timing fields.
//!
//! The API server defaults a field that is absent, `null` or `0` (`SetDefaults_Probe`:
//! `timeoutSeconds` 1, `periodSeconds` 10, `successThreshold` 1, `failureThreshold` 3;
//! `initialDelaySeconds` stays 0), then rejects negative values. The fields are `int32`: a quoted
//! `"5"` or a fraction does not decode. Rules read probes through [`probe_timing`] and never read
//! the raw fields.
//!
//! The Docker healthcheck defaults (Compose `healthcheck`, Dockerfile `HEALTHCHECK`) are here
//! too: interval 30s, timeout 30s, retries 3; a `0` duration or `retries <= 0` means the default.

use std::time::Duration;

use crate::model::kubernetes::{Probe, Scalar};
use crate::source::{Span, Spanned};

/// One timing field with the API server's defaulting applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeField {
    /// The effective value.
    pub value: i64,
    /// The value as written (`None` when the field is absent or `null`).
    pub span: Option<Span>,
    /// Absent, `null` or `0`: the value is the default.
    pub defaulted: bool,
}

/// The effective timing of a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeTiming {
    pub initial_delay_seconds: ProbeField,
    pub period_seconds: ProbeField,
    pub timeout_seconds: ProbeField,
    pub success_threshold: ProbeField,
    pub failure_threshold: ProbeField,
}

/// Why a probe's timing cannot be read: the API server rejects the probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeTimingError {
    /// Not a YAML integer that fits an `int32` (a quoted number, a fraction, a string).
    NotAnInteger { field: &'static str, span: Span },
    /// A negative value.
    Negative { field: &'static str, span: Span },
}

pub const DEFAULT_INITIAL_DELAY_SECONDS: i64 = 0;
pub const DEFAULT_PERIOD_SECONDS: i64 = 10;
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 1;
pub const DEFAULT_SUCCESS_THRESHOLD: i64 = 1;
pub const DEFAULT_FAILURE_THRESHOLD: i64 = 3;

/// Docker's healthcheck defaults (Engine `container.HealthConfig` defaults).
pub const DOCKER_DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
pub const DOCKER_DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DOCKER_DEFAULT_RETRIES: u32 = 3;
/// The Engine rejects a non-zero duration below this (`MinimumDuration`).
pub const DOCKER_MIN_DURATION: Duration = Duration::from_millis(1);

/// The effective timing of a probe (`livenessProbe` & co.) of the Kubernetes view.
pub fn probe_timing(probe: &Probe) -> Result<ProbeTiming, ProbeTimingError> {
    Ok(ProbeTiming {
        initial_delay_seconds: field(
            &probe.initial_delay_seconds,
            "initialDelaySeconds",
            DEFAULT_INITIAL_DELAY_SECONDS,
        )?,
        period_seconds: field(&probe.period_seconds, "periodSeconds", DEFAULT_PERIOD_SECONDS)?,
        timeout_seconds: field(&probe.timeout_seconds, "timeoutSeconds", DEFAULT_TIMEOUT_SECONDS)?,
        success_threshold: field(
            &probe.success_threshold,
            "successThreshold",
            DEFAULT_SUCCESS_THRESHOLD,
        )?,
        failure_threshold: field(
            &probe.failure_threshold,
            "failureThreshold",
            DEFAULT_FAILURE_THRESHOLD,
        )?,
    })
}

/// Every timing field of a probe the API server rejects (a value that does not decode as an
/// `int32`, or a negative one), in field order; [`probe_timing`] stops at the first.
pub fn probe_timing_errors(probe: &Probe) -> Vec<ProbeTimingError> {
    [
        (&probe.initial_delay_seconds, "initialDelaySeconds"),
        (&probe.period_seconds, "periodSeconds"),
        (&probe.timeout_seconds, "timeoutSeconds"),
        (&probe.success_threshold, "successThreshold"),
        (&probe.failure_threshold, "failureThreshold"),
    ]
    .into_iter()
    .filter_map(|(written, name)| field(written, name, 0).err())
    .collect()
}

fn field(
    written: &Option<Spanned<Scalar>>,
    name: &'static str,
    default: i64,
) -> Result<ProbeField, ProbeTimingError> {
    let span = match written {
        None | Some(Spanned { value: Scalar::Null, .. }) => {
            return Ok(ProbeField { value: default, span: None, defaulted: true })
        }
        Some(w) => w.span,
    };
    let n = match written {
        Some(Spanned { value: Scalar::Int(n), .. }) if i32::try_from(*n).is_ok() => *n,
        _ => return Err(ProbeTimingError::NotAnInteger { field: name, span }),
    };
    if n < 0 {
        return Err(ProbeTimingError::Negative { field: name, span });
    }
    if n == 0 {
        return Ok(ProbeField { value: default, span: Some(span), defaulted: true });
    }
    Ok(ProbeField { value: n, span: Some(span), defaulted: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kubernetes;
    use crate::syntax::yaml::{parse_stream, Limits};

    fn timing(text: &str) -> Result<ProbeTiming, ProbeTimingError> {
        let stream = parse_stream(text, &Limits::default());
        let root = stream.documents[0].root().expect("root");
        probe_timing(&kubernetes::probe(Span::default(), root))
    }

    #[test]
    fn typed_values_tell_5_from_quoted_5() {
        let stream = parse_stream("a: 5\nb: \"5\"\nc: ~\n", &Limits::default());
        let root = stream.documents[0].root().expect("root");
        let probe = |text: &str| {
            let s = parse_stream(text, &Limits::default());
            let r = s.documents[0].root().expect("root");
            kubernetes::probe(Span::default(), r)
        };
        assert!(root.get("a").is_some());
        let p = probe("timeoutSeconds: 5\nperiodSeconds: \"5\"\nfailureThreshold: ~\n");
        assert_eq!(p.timeout_seconds.as_ref().map(|s| &s.value), Some(&Scalar::Int(5)));
        assert_eq!(
            p.period_seconds.as_ref().map(|s| &s.value),
            Some(&Scalar::Other("5".to_string()))
        );
        assert_eq!(p.failure_threshold.as_ref().map(|s| &s.value), Some(&Scalar::Null));
        assert_eq!(p.success_threshold, None);
    }

    #[test]
    fn defaults_apply_to_absent_null_and_zero() {
        let t = timing("httpGet: {port: 80}\ntimeoutSeconds: 0\nperiodSeconds: ~\n").unwrap();
        assert_eq!(t.timeout_seconds.value, 1);
        assert!(t.timeout_seconds.defaulted);
        assert!(t.timeout_seconds.span.is_some(), "an explicit 0 keeps its span");
        assert_eq!(t.period_seconds.value, 10);
        assert_eq!(t.period_seconds.span, None);
        assert_eq!(t.failure_threshold.value, 3);
        assert_eq!(t.success_threshold.value, 1);
        assert_eq!(t.initial_delay_seconds.value, 0);
    }

    #[test]
    fn written_values() {
        let text = "timeoutSeconds: 5\nfailureThreshold: 0x2\n";
        let t = timing(text).unwrap();
        assert_eq!(t.timeout_seconds.value, 5);
        assert!(!t.timeout_seconds.defaulted);
        let s = t.timeout_seconds.span.unwrap();
        assert_eq!(&text[s.start..s.end], "5");
        assert_eq!(t.failure_threshold.value, 2);
    }

    #[test]
    fn rejected_values() {
        assert!(matches!(
            timing("timeoutSeconds: \"5\"\n"),
            Err(ProbeTimingError::NotAnInteger { field: "timeoutSeconds", .. })
        ));
        assert!(matches!(
            timing("periodSeconds: 1.5\n"),
            Err(ProbeTimingError::NotAnInteger { .. })
        ));
        assert!(matches!(
            timing("periodSeconds: 3000000000\n"),
            Err(ProbeTimingError::NotAnInteger { .. })
        ));
        assert!(matches!(
            timing("failureThreshold: -1\n"),
            Err(ProbeTimingError::Negative { field: "failureThreshold", .. })
        ));
    }
}
