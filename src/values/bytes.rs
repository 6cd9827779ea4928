//! Compose byte values (go-units `RAMInBytes`) and CPU counts, without floats.
//!
//! Compose reads `mem_limit`, `shm_size`, `deploy.resources.*.memory`, tmpfs `size`, … with
//! compose-go, which calls go-units `RAMInBytes`: **binary** multipliers, case-insensitive, so
//! `512m` is 512 MiB here but 0.512 bytes in Kubernetes.
//!
//! go-units v0.5.0 (the version compose-go v2 uses) no longer has the regular expression quoted
//! in the reference (`(?i)^(\d+(\.\d+)*) ?([kmgtp])?i?b?$`); it splits the text after the last
//! digit, `.` or space, parses the number with Go's `strconv.ParseFloat` and checks the suffix by
//! hand. This module follows that code, so a few inputs the regex rejected are accepted
//! (`1e3` = 1000, `+1k`, `.5k`, a trailing space `1 `), and `1.2.3` is still an error (the
//! number `1.2.3` does not parse).

use super::quantity::{scale_decimal, Rounding};

/// Parse a Compose byte value into bytes (`1.5g` = 1 610 612 736, `512m` = `512M` = 536 870 912).
///
/// A plain integer is returned as written, **including negative ones**: compose-go parses
/// integers before calling go-units (and a YAML integer is taken as is), so `-1` gives `Ok(-1)`,
/// which Docker reads as "unlimited" where it allows that (e.g. `memswap_limit`). Callers should
/// treat any negative value as "no limit" or report it, not as a size.
///
/// Otherwise go-units `RAMInBytes`: a non-negative decimal number, an optional single space, and
/// an optional case-insensitive suffix `b`, `k`/`kb`/`kib`, `m…`, `g…`, `t…`, `p…` (all powers
/// of 1024). The result is truncated toward zero like Go's `int64(size * mult)`. It is computed
/// exactly, so it matches Go except where Go's float64 rounding shows (values above 2^53 or
/// fractions that land within 1e-16 of a whole byte). Values above 2^63−1 are an error (Go's
/// conversion result is undefined there). Hexadecimal floats (`0x1p10`), which Go's
/// `ParseFloat` would take, are rejected.
pub fn parse_compose_bytes(s: &str) -> Result<i64, String> {
    if let Some(n) = parse_go_int(s) {
        return Ok(n);
    }
    let invalid_size = || {
        format!("invalid size `{s}`: expected a number of bytes such as `512m`, `1.5g` or `1024`")
    };
    // strings.LastIndexAny(s, "01234567890. "): every byte in the set is ASCII, so the split
    // is on a char boundary.
    let sep = s
        .bytes()
        .rposition(|b| b.is_ascii_digit() || b == b'.' || b == b' ')
        .ok_or_else(invalid_size)?;
    let (number, suffix) = if s.as_bytes().get(sep) == Some(&b' ') {
        (s.get(..sep), s.get(sep + 1..))
    } else {
        (s.get(..sep + 1), s.get(sep + 1..))
    };
    let (number, suffix) = number.zip(suffix).ok_or_else(invalid_size)?;
    let num = parse_go_float(number).map_err(|_| invalid_size())?;
    if num.negative && !num.is_zero() {
        return Err(format!("invalid size `{s}`: a size cannot be negative"));
    }
    let mul: u64 = if suffix.is_empty() {
        1
    } else {
        ram_suffix_multiplier(suffix).ok_or_else(|| {
            format!(
                "invalid size `{s}`: unknown unit `{suffix}`; use b, k, m, g, t or p \
                 (optionally followed by b or ib, e.g. `512m`, `1gb`, `2GiB`)"
            )
        })?
    };
    let bytes = scale_decimal(&num.digits, mul, num.pow10, Rounding::Truncate, i64::MAX as u128)
        .ok_or_else(|| format!("invalid size `{s}`: larger than 2^63-1 bytes"))?;
    i64::try_from(bytes).map_err(|_| format!("invalid size `{s}`: larger than 2^63-1 bytes"))
}

/// The go-units multiplier for a non-empty suffix, or `None` if it is not accepted.
fn ram_suffix_multiplier(suffix: &str) -> Option<u64> {
    // Length is checked on the original bytes, the rest on the Unicode-lowercased text, as Go
    // does (so the Kelvin sign `K` lowercases to `k` and is accepted, exactly like go-units).
    if suffix.len() > 3 {
        return None;
    }
    let lower = suffix.to_lowercase();
    let lb = lower.as_bytes();
    if lb.first() == Some(&b'b') {
        return (lb.len() == 1).then_some(1);
    }
    let mul = match lb.first()? {
        b'k' => 1u64 << 10,
        b'm' => 1 << 20,
        b'g' => 1 << 30,
        b't' => 1 << 40,
        b'p' => 1 << 50,
        _ => return None,
    };
    match lb.len() {
        2 if lb.get(1) != Some(&b'b') => None,
        3 if lb.get(1..) != Some(b"ib".as_slice()) => None,
        _ => Some(mul),
    }
}

/// Parse Compose `cpus` (`"0.50"`, `1`, `1.5`) into Docker NanoCPUs (`cpus × 10^9`).
///
/// compose-go reads the text with Go `strconv.ParseFloat` and Docker Compose sets
/// `NanoCPUs = int64(cpus × 1e9)`. This computes the same product exactly, truncating below one
/// nano-CPU (float32 rounding in compose-go can move values with many digits by a few
/// nano-CPUs; that never matters for a limit). Negative values, `inf`, `nan` and hexadecimal
/// floats are errors. Note that the Docker daemon also rejects non-zero values below `0.01`.
pub fn parse_compose_cpus(s: &str) -> Result<i64, String> {
    let num = parse_go_float(s).map_err(|why| {
        format!("invalid cpus `{s}`: {why}; expected a number of CPUs such as `0.5` or `2`")
    })?;
    if num.negative && !num.is_zero() {
        return Err(format!("invalid cpus `{s}`: the number of CPUs cannot be negative"));
    }
    let pow10 = num.pow10.saturating_add(9);
    let nano = scale_decimal(&num.digits, 1, pow10, Rounding::Truncate, i64::MAX as u128)
        .ok_or_else(|| format!("invalid cpus `{s}`: the number is too large"))?;
    i64::try_from(nano).map_err(|_| format!("invalid cpus `{s}`: the number is too large"))
}

/// Go `strconv.ParseInt(s, 10, 64)`: an optional sign and ASCII digits, in range.
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Rust's `i64::from_str` takes the same syntax (optional `+`/`-`, then digits).
    s.parse().ok()
}

/// A decimal number from Go float syntax: `digits × 10^pow10`, with its sign.
#[derive(Debug, PartialEq, Eq)]
struct GoDecimal {
    negative: bool,
    digits: Vec<u8>,
    pow10: i128,
}

impl GoDecimal {
    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == b'0')
    }
}

/// The decimal subset of Go `strconv.ParseFloat` syntax: `[+-]? (d+ (. d*)? | . d+)
/// ([eE] [+-]? d+)?`. `inf`, `nan` and hexadecimal floats are refused with a reason.
fn parse_go_float(s: &str) -> Result<GoDecimal, &'static str> {
    let bytes = s.as_bytes();
    let (negative, mut pos) = crate::values::quantity::leading_sign(bytes);
    let body = s.get(pos..).unwrap_or_default();
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return Err("not a finite number");
    }
    if lower.starts_with("0x") {
        return Err("hexadecimal numbers are not supported");
    }
    let mut digits = Vec::new();
    let mut frac_len: i128 = 0;
    let mut seen_digit = false;
    while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
        digits.push(b);
        seen_digit = true;
        pos += 1;
    }
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
            digits.push(b);
            frac_len += 1;
            seen_digit = true;
            pos += 1;
        }
    }
    if !seen_digit {
        return Err("not a number");
    }
    let mut exponent: i128 = 0;
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        let exp_negative = match bytes.get(pos) {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let start = pos;
        while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
            // Saturate: any exponent past this is too large or rounds to zero anyway.
            if exponent < 1_000_000 {
                exponent = exponent * 10 + i128::from(b - b'0');
            }
            pos += 1;
        }
        if pos == start {
            return Err("the exponent has no digits");
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if pos != bytes.len() {
        return Err("not a number");
    }
    Ok(GoDecimal { negative, digits, pow10: exponent - frac_len })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: i64 = 1024;
    const MIB: i64 = 1024 * KIB;
    const GIB: i64 = 1024 * MIB;
    const TIB: i64 = 1024 * GIB;
    const PIB: i64 = 1024 * TIB;

    fn b(s: &str) -> i64 {
        match parse_compose_bytes(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn b_err(s: &str) -> String {
        match parse_compose_bytes(s) {
            Ok(v) => panic!("{s:?} should fail, got {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn binary_multipliers_any_case() {
        assert_eq!(b("1.5g"), 1_610_612_736);
        assert_eq!(b("512m"), 536_870_912);
        assert_eq!(b("512M"), 536_870_912);
        assert_eq!(b("512mb"), 512 * MIB);
        assert_eq!(b("512MB"), 512 * MIB);
        assert_eq!(b("512MiB"), 512 * MIB);
        assert_eq!(b("512mib"), 512 * MIB);
        assert_eq!(b("1kb"), 1024);
        assert_eq!(b("1k"), KIB);
        assert_eq!(b("1K"), KIB);
        assert_eq!(b("1KiB"), KIB);
        assert_eq!(b("2g"), 2 * GIB);
        assert_eq!(b("1t"), TIB);
        assert_eq!(b("1p"), PIB);
        assert_eq!(b("100b"), 100);
        assert_eq!(b("100B"), 100);
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(b("100"), 100);
        assert_eq!(b("0"), 0);
        assert_eq!(b("007"), 7);
        assert_eq!(b("+5"), 5);
        assert_eq!(b("9223372036854775807"), i64::MAX);
        // Plain integers pass through, negative ones included (-1 = unlimited).
        assert_eq!(b("-1"), -1);
        assert_eq!(b("-5"), -5);
    }

    #[test]
    fn truncation_like_go() {
        assert_eq!(b("0.5"), 0);
        assert_eq!(b("1.9"), 1);
        assert_eq!(b("0.3m"), 314_572, "0.3 × 1048576 = 314572.8");
        assert_eq!(b("1.5k"), 1536);
        assert_eq!(b("0.1k"), 102);
        assert_eq!(b("32.3"), 32);
        assert_eq!(b("1.25g"), 1_342_177_280);
    }

    #[test]
    fn space_and_shapes() {
        assert_eq!(b("512 m"), 512 * MIB);
        assert_eq!(b("1 GB"), GIB);
        assert_eq!(b("1 "), 1, "go-units drops one trailing space");
        assert!(b_err("1  m").contains("invalid size"));
        assert!(b_err(" 1m").contains("invalid size"));
        assert_eq!(b("1."), 1);
        assert_eq!(b("1.k"), KIB);
        assert_eq!(b(".5k"), 512);
        assert_eq!(b("1e3"), 1000);
        assert_eq!(b("1e3k"), 1000 * KIB);
        assert_eq!(b("+1k"), KIB);
    }

    #[test]
    fn errors() {
        assert!(b_err("1.2.3").contains("invalid size `1.2.3`"));
        assert!(b_err("").contains("invalid size"));
        assert!(b_err("m").contains("invalid size"));
        assert!(b_err("abc").contains("invalid size"));
        assert!(b_err("-1k").contains("cannot be negative"));
        assert!(b_err("-1.5").contains("cannot be negative"));
        assert!(b_err("1x").contains("unknown unit `x`"));
        assert!(b_err("1kk").contains("unknown unit `kk`"));
        assert!(b_err("1kbb").contains("unknown unit"));
        assert!(b_err("1bb").contains("unknown unit"));
        assert!(b_err("1kab").contains("unknown unit"));
        assert!(b_err("1ki").contains("unknown unit"));
        assert!(b_err("1e").contains("invalid size"));
        assert!(b_err("1,5g").contains("invalid size"));
        assert!(b_err("inf b").contains("invalid size"));
        assert!(b_err("0x10").contains("invalid size"));
        assert!(b_err("8192p").contains("larger than 2^63-1"), "8192 PiB = 2^63");
        assert_eq!(b("8191p"), 8191 * PIB);
        assert!(b_err("9223372036854775808").contains("larger than 2^63-1"));
        assert!(b_err("1e400").contains("larger than 2^63-1"));
        assert_eq!(b("1e-400"), 0);
        assert_eq!(b("8191.99p"), 9_223_360_777_855_707_381, "just below 2^63");
    }

    #[test]
    fn kelvin_sign_like_go() {
        // Go's strings.ToLower maps U+212A KELVIN SIGN to `k`, so go-units accepts it.
        assert_eq!(b("1\u{212A}"), KIB);
    }

    #[test]
    fn cpus() {
        let c = |s: &str| match parse_compose_cpus(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?}: {e}"),
        };
        assert_eq!(c("0.50"), 500_000_000);
        assert_eq!(c("0.5"), 500_000_000);
        assert_eq!(c("1"), 1_000_000_000);
        assert_eq!(c("0"), 0);
        assert_eq!(c("-0"), 0);
        assert_eq!(c("1.5"), 1_500_000_000);
        assert_eq!(c(".25"), 250_000_000);
        assert_eq!(c("2."), 2_000_000_000);
        assert_eq!(c("1e-1"), 100_000_000);
        assert_eq!(c("0.0000000019"), 1, "truncated below one nano-CPU");
        assert_eq!(c("0.01"), 10_000_000);
        assert_eq!(c("+4"), 4_000_000_000);
        for bad in ["", "abc", "1 ", " 1", "1.2.3", "1m", "inf", "NaN", "0x1p-2", "1e", "."] {
            assert!(parse_compose_cpus(bad).is_err(), "{bad:?}");
        }
        assert!(parse_compose_cpus("-1").unwrap_err().contains("cannot be negative"));
        assert!(parse_compose_cpus("1e10").unwrap_err().contains("too large"));
        assert_eq!(c("9.223372036"), 9_223_372_036);
        assert_eq!(c("9223372036.854775807"), i64::MAX);
        assert!(parse_compose_cpus("9223372036.854775808").unwrap_err().contains("too large"));
    }

    #[test]
    fn go_float_syntax() {
        assert_eq!(
            parse_go_float("-1.50e+2"),
            Ok(GoDecimal { negative: true, digits: b"150".to_vec(), pow10: 0 })
        );
        assert_eq!(parse_go_float("."), Err("not a number"));
        assert_eq!(parse_go_float("1e+"), Err("the exponent has no digits"));
        assert_eq!(parse_go_float("Infinity"), Err("not a finite number"));
        assert_eq!(parse_go_float("1_000"), Err("not a number"));
        assert!(parse_go_float("1e99999999999999999999999999").is_ok());
    }
}
