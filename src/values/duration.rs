//! Compose durations: Go `time.ParseDuration` syntax.
//!
//! compose-go validates `format: duration` fields (healthcheck `interval`, `timeout`,
//! `start_period`, `stop_grace_period`, …) against its schema with `time.ParseDuration`, so that
//! is the grammar enforced here: units `ns us µs μs ms s m h`, combinations (`1m30s`), fractions
//! (`1.5h`, `.5s`) and a bare `0`. There is no `d`: compose-go's decoder (go-str2duration) would
//! take `d` and `w`, but the schema check runs first and rejects them.
//! (`pull_policy: every_<duration>` uses its own syntax and is not parsed here.)

use std::time::Duration;

/// The largest duration Go can hold, in nanoseconds: 2^63 − 1.
const MAX_NANOS: u64 = i64::MAX as u64;

/// Parse a Compose duration (`30s`, `1m30s`, `1h5m30s20ms`, `1.5h`, `.5s`, `0`).
///
/// Follows Go `time.ParseDuration` exactly, except that a negative non-zero duration is an error
/// here (Go returns it; no Compose duration may be negative) and fractions are applied with exact
/// integer arithmetic (Go multiplies in float64, which can differ by 1ns in rare cases).
pub fn parse_compose_duration(s: &str) -> Result<Duration, String> {
    let invalid = |why: &str| format!("invalid duration `{s}`: {why}");
    if s.is_empty() {
        return Err(invalid("it is empty; write e.g. `30s` or `1m30s`"));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(invalid("durations cannot contain spaces; write e.g. `1m30s`"));
    }
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..).unwrap_or_default()),
        Some(b'+') => (false, s.get(1..).unwrap_or_default()),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid("there is no number"));
    }
    let limit: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        if !bytes.first().is_some_and(|&b| b == b'.' || b.is_ascii_digit()) {
            return Err(invalid("expected a number followed by a unit, e.g. `30s`"));
        }
        // [0-9]* — overflow is an error.
        let mut pos = 0;
        let mut whole: u64 = 0;
        while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
            whole = whole
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .filter(|&v| v <= limit)
                .ok_or_else(|| invalid("the number is too large"))?;
            pos += 1;
        }
        let had_whole = pos > 0;
        // (\.[0-9]*)? — digits past what fits in the accumulator are ignored, as in Go.
        let mut frac: u64 = 0;
        let mut frac_digits: u32 = 0;
        let mut had_frac = false;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            let mut overflow = false;
            while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
                had_frac = true;
                pos += 1;
                if overflow {
                    continue;
                }
                match frac.checked_mul(10).and_then(|v| v.checked_add(u64::from(b - b'0'))) {
                    Some(v) if frac <= (limit - 1) / 10 && v <= limit => {
                        frac = v;
                        frac_digits += 1;
                    }
                    _ => overflow = true,
                }
            }
        }
        if !had_whole && !had_frac {
            return Err(invalid("expected digits around `.`"));
        }
        // The unit: everything up to the next digit or `.`.
        let unit_len = bytes
            .get(pos..)
            .unwrap_or_default()
            .iter()
            .position(|&b| b == b'.' || b.is_ascii_digit())
            .unwrap_or(bytes.len().saturating_sub(pos));
        let unit = rest.get(pos..pos + unit_len).unwrap_or_default();
        if unit.is_empty() {
            let number = rest.get(..pos).unwrap_or(rest);
            return Err(invalid(&format!(
                "`{number}` has no unit; add one, e.g. `{number}s` (only a bare `0` may omit it)"
            )));
        }
        let unit_nanos = unit_nanos(unit).ok_or_else(|| {
            let extra = match unit {
                "d" | "D" => " (there are no days: write `24h`)",
                "w" | "W" => " (there are no weeks: write `168h`)",
                _ => "",
            };
            invalid(&format!("unknown unit `{unit}`; use ns, us, ms, s, m or h{extra}"))
        })?;
        rest = rest.get(pos + unit_len..).unwrap_or_default();

        let too_large = || invalid("the duration is too large");
        let mut v = whole.checked_mul(unit_nanos).filter(|&v| v <= limit).ok_or_else(too_large)?;
        if frac > 0 {
            // frac × unit / 10^digits, truncated: frac < 2^63, unit < 2^42, so no u128 overflow.
            // Leading zeros count as digits without growing `frac` (`.000…01s`): past 10^38
            // the divisor overflows u128 and the part is below 1ns anyway.
            let part = 10u128
                .checked_pow(frac_digits)
                .map_or(0, |scale| u128::from(frac) * u128::from(unit_nanos) / scale);
            v = u64::try_from(part)
                .ok()
                .and_then(|p| v.checked_add(p))
                .filter(|&v| v <= limit)
                .ok_or_else(too_large)?;
        }
        total = total.checked_add(v).filter(|&t| t <= limit).ok_or_else(too_large)?;
    }
    if negative {
        if total == 0 {
            return Ok(Duration::ZERO);
        }
        return Err(invalid("durations cannot be negative"));
    }
    if total > MAX_NANOS {
        return Err(invalid("the duration is too large"));
    }
    Ok(Duration::from_nanos(total))
}

/// Nanoseconds per unit, for the units Go `time.ParseDuration` knows.
fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Format a duration for messages, compactly and in a form [`parse_compose_duration`] reads back:
/// `30s`, `1m30s`, `500ms`, `1.5s`, `1h`, `250us`, `0s`.
///
/// Like Go's `Duration.String`, but zero components are left out (`1h`, not `1h0m0s`) and
/// microseconds are written `us`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}us", decimal(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", decimal(nanos, 1_000_000));
    }
    let secs = d.as_secs();
    let (hours, minutes, seconds) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    let sub = u128::from(seconds) * 1_000_000_000 + u128::from(d.subsec_nanos());
    if sub > 0 {
        out.push_str(&format!("{}s", decimal(sub, 1_000_000_000)));
    }
    out
}

/// `value / unit` as a decimal without trailing zeros (`1500, 1000` → `1.5`).
fn decimal(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Duration {
        match parse_compose_duration(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn d_err(s: &str) -> String {
        match parse_compose_duration(s) {
            Ok(v) => panic!("{s:?} should fail, got {v:?}"),
            Err(e) => e,
        }
    }

    const S: u64 = 1_000_000_000;

    #[test]
    fn units() {
        assert_eq!(d("10ns"), Duration::from_nanos(10));
        assert_eq!(d("10us"), Duration::from_micros(10));
        assert_eq!(d("10\u{b5}s"), Duration::from_micros(10));
        assert_eq!(d("10\u{3bc}s"), Duration::from_micros(10));
        assert_eq!(d("10ms"), Duration::from_millis(10));
        assert_eq!(d("30s"), Duration::from_secs(30));
        assert_eq!(d("5m"), Duration::from_secs(300));
        assert_eq!(d("2h"), Duration::from_secs(7200));
    }

    #[test]
    fn many_leading_zeros_in_a_fraction() {
        // Found by fuzzing: 40 zeros made the 10^digits divisor overflow.
        let zeros = "0".repeat(40);
        assert_eq!(d(&format!("1.{zeros}1s")), Duration::from_secs(1));
        assert_eq!(d(&format!(".{zeros}9h")), Duration::ZERO);
        assert_eq!(d(&format!("0.{}5s", "0".repeat(8))), Duration::from_nanos(5));
        assert_eq!(d(&format!("0.{}5s", "0".repeat(9))), Duration::ZERO, "below 1ns");
        assert_eq!(d("00.1s00.00000000000s"), Duration::from_millis(100));
    }

    #[test]
    fn combinations_and_fractions() {
        assert_eq!(d("1m30s"), Duration::from_secs(90));
        assert_eq!(d("1h5m30s20ms"), Duration::from_millis(3_930_020));
        assert_eq!(d("1.5h"), Duration::from_secs(5400));
        assert_eq!(d(".5s"), Duration::from_millis(500));
        assert_eq!(d("1.s"), Duration::from_secs(1));
        assert_eq!(d("0.1s"), Duration::from_millis(100));
        assert_eq!(d("1.000000001s"), Duration::from_nanos(S + 1));
        assert_eq!(d("1.0000000019s"), Duration::from_nanos(S + 1), "truncated");
        assert_eq!(d("0.3333333333333333333333h"), Duration::from_nanos(1_199_999_999_999));
        assert_eq!(d("30s1m"), Duration::from_secs(90), "any order, as in Go");
        assert_eq!(d("1s1s"), Duration::from_secs(2));
        assert_eq!(d("+5s"), Duration::from_secs(5));
    }

    #[test]
    fn zero() {
        assert_eq!(d("0"), Duration::ZERO);
        assert_eq!(d("-0"), Duration::ZERO);
        assert_eq!(d("+0"), Duration::ZERO);
        assert_eq!(d("0s"), Duration::ZERO);
        assert_eq!(d("-0s"), Duration::ZERO);
        assert_eq!(d("0.0h"), Duration::ZERO);
    }

    #[test]
    fn errors() {
        assert!(d_err("1d").contains("unknown unit `d`"));
        assert!(d_err("1d").contains("write `24h`"));
        assert!(d_err("2w").contains("write `168h`"));
        assert!(d_err("1 s").contains("spaces"));
        assert!(d_err(" 1s").contains("spaces"));
        assert!(d_err("1s ").contains("spaces"));
        assert!(d_err("30").contains("`30` has no unit; add one, e.g. `30s`"));
        assert!(d_err("1m30").contains("`30` has no unit"));
        assert!(d_err("00").contains("no unit"));
        assert!(d_err("").contains("empty"));
        assert!(d_err("-").contains("no number"));
        assert!(d_err("s").contains("expected a number"));
        assert!(d_err(".s").contains("digits"));
        assert!(d_err("1S").contains("unknown unit `S`"));
        assert!(d_err("1sec").contains("unknown unit `sec`"));
        assert!(d_err("1.5.5s").contains("no unit"));
        assert!(d_err("-5s").contains("cannot be negative"));
        assert!(d_err("-1m30s").contains("cannot be negative"));
        assert!(d_err("1e3s").contains("unknown unit `e`"));
    }

    #[test]
    fn overflow() {
        assert_eq!(d("9223372036854775807ns"), Duration::from_nanos(i64::MAX as u64));
        assert!(d_err("9223372036854775808ns").contains("too large"));
        assert!(d_err("2562048h").contains("too large"));
        assert_eq!(d("2562047h"), Duration::from_secs(2_562_047 * 3600));
        assert!(d_err("2562047h47m16.854775808s").contains("too large"));
        assert_eq!(d("2562047h47m16.854775807s"), Duration::from_nanos(i64::MAX as u64));
        assert!(d_err("99999999999999999999999s").contains("too large"));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(format_duration(Duration::from_secs(3630)), "1h30s");
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_nanos(5)), "5ns");
        assert_eq!(format_duration(Duration::from_micros(250)), "250us");
        assert_eq!(format_duration(Duration::from_nanos(1_500)), "1.5us");
        assert_eq!(format_duration(Duration::from_nanos(1_000_001)), "1.000001ms");
        assert_eq!(format_duration(Duration::from_nanos(61 * S + 5)), "1m1.000000005s");
        assert_eq!(format_duration(Duration::from_secs(100 * 3600)), "100h");
        for text in ["30s", "1m30s", "500ms", "1h5m30.02s", "250us", "7ns", "1.5s"] {
            assert_eq!(format_duration(d(text)), text, "round trip");
        }
        // Far beyond what Go can hold still formats.
        assert_eq!(format_duration(Duration::MAX).chars().last(), Some('s'));
    }
}
