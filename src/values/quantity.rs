//! Kubernetes `resource.Quantity` (`apimachinery/pkg/api/resource`), parsed with exact integer arithmetic.
//!
//! `memory: 400m` is 0.4 bytes and `512M` is not `512Mi`: rules need the exact value, so the
//! number is never converted to a float. The value is kept in milli-units (`i128`); anything
//! finer than 1m is rounded up, away from zero, like the API server's own rounding.
//!
//! Where this parser departs from apimachinery's `ParseQuantity` (on purpose, to report mistakes
//! that upstream silently accepts):
//! - a number is required: upstream's scanner reads `-`, `.`, `k` or `Mi` alone as zero;
//! - magnitudes above 2^63−1 base units are an error: upstream silently caps a binary-suffix
//!   value at 2^63−1 and keeps a larger decimal one, whose int64 accessors then overflow;
//! - surrounding whitespace is an error here; the API server's JSON decoding trims it
//!   ([`QuantityError::Whitespace`] lets callers tell that case apart);
//! - precision stops at 1m (upstream keeps nano-units), which is all resources can use.
//!
//! The suffixes `n` (nano) and `u` (micro) are accepted: apimachinery accepts them although the
//! documented grammar (and the reference) lists only `m` and up.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The largest magnitude accepted, in base units: 2^63 − 1.
pub const MAX_BASE_UNITS: i128 = i64::MAX as i128;

/// [`MAX_BASE_UNITS`] in milli-units.
const MAX_MILLI: i128 = MAX_BASE_UNITS * 1000;

/// How a quantity was written, which decides its canonical form (as in apimachinery).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantityFormat {
    /// No suffix or a decimal SI suffix: `500m`, `1.5`, `129M`.
    DecimalSI,
    /// A power-of-two suffix: `128Mi`, `1.5Gi`.
    BinarySI,
    /// A decimal exponent: `129e6`, `1E3`.
    DecimalExponent,
}

/// A parsed Kubernetes quantity, exact to 1m.
///
/// Equality, ordering and hashing compare the value only (`1Gi == 1073741824`), like
/// apimachinery's `Quantity.Cmp`; [`Quantity::format`] says how it was written.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    milli: i128,
    format: QuantityFormat,
}

/// Why a quantity string is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// The string is empty.
    Empty,
    /// The string contains whitespace. The API server trims leading and trailing whitespace
    /// when decoding, so a caller may report a leading/trailing space as a warning only.
    Whitespace,
    /// No digit before the suffix: `Mi`, `-`, `.`, `abc`.
    NoNumber,
    /// Something other than a suffix follows the number: `1.2.3`, `1,5`, `1 Gi`.
    Malformed { rest: String },
    /// The suffix is not one Kubernetes knows: `K`, `MB`, `gi`, `e`.
    InvalidSuffix { suffix: String },
    /// The decimal exponent does not fit a 64-bit integer.
    ExponentOutOfRange,
    /// The magnitude exceeds 2^63 − 1 base units.
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::Empty => f.write_str("the quantity is empty"),
            QuantityError::Whitespace => f.write_str(
                "the quantity contains whitespace; write it without spaces, e.g. `128Mi`",
            ),
            QuantityError::NoNumber => f.write_str(
                "the quantity has no number; write a number with an optional suffix, \
                 e.g. `500m`, `1.5` or `128Mi`",
            ),
            QuantityError::Malformed { rest } => write!(
                f,
                "`{rest}` cannot follow the number; a quantity is a number with an optional \
                 suffix, e.g. `500m`, `1.5` or `128Mi`"
            ),
            QuantityError::InvalidSuffix { suffix } => write_suffix_hint(f, suffix),
            QuantityError::ExponentOutOfRange => f.write_str("the exponent is out of range"),
            QuantityError::TooLarge => {
                f.write_str("the quantity is larger than 2^63-1, the most Kubernetes can hold")
            }
        }
    }
}

impl std::error::Error for QuantityError {}

/// The message for an unknown suffix, with the likely intended one.
fn write_suffix_hint(f: &mut fmt::Formatter<'_>, suffix: &str) -> fmt::Result {
    let hint = match suffix {
        "K" => Some("use `k` (kilo, 1000) or `Ki` (kibi, 1024)".to_string()),
        "e" | "E+" | "E-" | "e+" | "e-" => {
            Some("an exponent needs digits, e.g. `1e3`; `E` alone means exa (10^18)".to_string())
        }
        "g" | "t" | "p" => {
            let up = suffix.to_ascii_uppercase();
            Some(format!("suffixes are case-sensitive: use `{up}` (decimal) or `{up}i` (binary)"))
        }
        "ki" | "mi" | "gi" | "ti" | "pi" | "ei" | "KI" | "MI" | "GI" | "TI" | "PI" | "EI"
        | "kI" | "mI" | "gI" | "tI" | "pI" | "eI" => {
            let mut chars = suffix.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('K');
            Some(format!("binary suffixes are written `{first}i`"))
        }
        _ => None,
    };
    if let Some(hint) = hint {
        return write!(f, "`{suffix}` is not a valid suffix; {hint}");
    }
    // `MB`, `GiB`, `kb`: Kubernetes quantities have no byte unit.
    let lower = suffix.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('b').filter(|s| !s.is_empty()) {
        let letter = stem.chars().next().map(|c| c.to_ascii_uppercase()).unwrap_or('M');
        let dec = if letter == 'K' { 'k' } else { letter };
        if "KMGTPE".contains(letter) {
            return write!(
                f,
                "`{suffix}` is not a valid suffix; Kubernetes quantities take no `B`: \
                 use `{dec}` (decimal) or `{letter}i` (binary)"
            );
        }
    }
    write!(
        f,
        "`{suffix}` is not a valid suffix; use one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, \
         or an exponent such as `e3`"
    )
}

/// A leading `+` or `-`: whether it is negative, and how many bytes the sign takes. Shared by
/// the Compose byte-value parser (Go's `ParseFloat` takes the same signs).
pub(crate) fn leading_sign(bytes: &[u8]) -> (bool, usize) {
    match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    }
}

/// Parse a Kubernetes quantity (`500m`, `1.5`, `128Mi`, `129e6`, `1E`).
///
/// Grammar: optional sign, then `<digits>`, `<digits>.<digits>`, `<digits>.` or `.<digits>`,
/// then an optional suffix: `Ki Mi Gi Ti Pi Ei`, `n u m k M G T P E`, or `e`/`E` followed by a
/// signed integer. A bare trailing `E` is exa; `K` and a bare `e` are invalid.
pub fn parse_quantity(s: &str) -> Result<Quantity, QuantityError> {
    if s.is_empty() {
        return Err(QuantityError::Empty);
    }
    if s.chars().any(char::is_whitespace) {
        return Err(QuantityError::Whitespace);
    }
    let bytes = s.as_bytes();
    let (negative, mut pos) = leading_sign(bytes);
    let int_start = pos;
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    let int_digits = &s[int_start..pos];
    let mut frac_digits = "";
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        let frac_start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        frac_digits = &s[frac_start..pos];
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(QuantityError::NoNumber);
    }
    let suffix = &s[pos..];
    if !suffix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-') {
        return Err(QuantityError::Malformed { rest: suffix.to_string() });
    }
    let (exp10, exp2, format) = interpret_suffix(suffix)?;

    let mut digits = Vec::with_capacity(int_digits.len() + frac_digits.len());
    digits.extend_from_slice(int_digits.as_bytes());
    digits.extend_from_slice(frac_digits.as_bytes());
    // value × 1000 = digits × 2^exp2 × 10^(exp10 − len(frac) + 3)
    let frac_len = i128::try_from(frac_digits.len()).map_err(|_| QuantityError::TooLarge)?;
    let pow10 = i128::from(exp10) - frac_len + 3;
    let magnitude = scale_decimal(&digits, 1u64 << exp2, pow10, Rounding::Up, MAX_MILLI as u128)
        .ok_or(QuantityError::TooLarge)?;
    let magnitude = i128::try_from(magnitude).map_err(|_| QuantityError::TooLarge)?;
    let milli = if negative { -magnitude } else { magnitude };
    Ok(Quantity { milli, format })
}

/// `(decimal exponent, binary exponent, format)` for a suffix.
fn interpret_suffix(suffix: &str) -> Result<(i64, u32, QuantityFormat), QuantityError> {
    use QuantityFormat::{BinarySI, DecimalExponent, DecimalSI};
    let known = match suffix {
        "" => Some((0, 0, DecimalSI)),
        "n" => Some((-9, 0, DecimalSI)),
        "u" => Some((-6, 0, DecimalSI)),
        "m" => Some((-3, 0, DecimalSI)),
        "k" => Some((3, 0, DecimalSI)),
        "M" => Some((6, 0, DecimalSI)),
        "G" => Some((9, 0, DecimalSI)),
        "T" => Some((12, 0, DecimalSI)),
        "P" => Some((15, 0, DecimalSI)),
        "E" => Some((18, 0, DecimalSI)),
        "Ki" => Some((0, 10, BinarySI)),
        "Mi" => Some((0, 20, BinarySI)),
        "Gi" => Some((0, 30, BinarySI)),
        "Ti" => Some((0, 40, BinarySI)),
        "Pi" => Some((0, 50, BinarySI)),
        "Ei" => Some((0, 60, BinarySI)),
        _ => None,
    };
    if let Some(k) = known {
        return Ok(k);
    }
    let invalid = || QuantityError::InvalidSuffix { suffix: suffix.to_string() };
    // `e`/`E` + a signed integer (Go `strconv.ParseInt(s, 10, 64)`).
    let Some(rest) = suffix.strip_prefix(['e', 'E']) else {
        return Err(invalid());
    };
    let unsigned = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let exponent: i64 = rest.parse().map_err(|_| QuantityError::ExponentOutOfRange)?;
    Ok((exponent, 0, DecimalExponent))
}

/// How [`scale_decimal`] treats a fractional remainder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// Drop it (Go's `int64(float)` conversion, for non-negative values).
    Truncate,
    /// Round the magnitude up (away from zero) when it is not zero.
    Up,
}

/// Exact `digits × mul × 10^pow10`, rounded as asked, or `None` when above `limit`.
///
/// `digits` are ASCII decimal digits of a non-negative integer (leading zeros allowed, any
/// length). Shared by the quantity, byte-size and CPU parsers so that none of them needs floats.
pub(crate) fn scale_decimal(
    digits: &[u8],
    mul: u64,
    pow10: i128,
    rounding: Rounding,
    limit: u128,
) -> Option<u128> {
    let first = digits.iter().position(|&d| d != b'0');
    let Some(first) = first else {
        return Some(0);
    };
    let significant = digits.get(first..).unwrap_or_default();
    // Decimal digit values (0..=9), most significant first, of `significant × mul`.
    let mut product: Vec<u8> = significant.iter().map(|d| d.wrapping_sub(b'0')).collect();
    if mul != 1 {
        let mut carry: u128 = 0;
        for d in product.iter_mut().rev() {
            let v = u128::from(*d) * u128::from(mul) + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        let mut head = Vec::new();
        while carry > 0 {
            head.push((carry % 10) as u8);
            carry /= 10;
        }
        head.reverse();
        head.extend_from_slice(&product);
        product = head;
    }
    let to_int = |ds: &[u8]| -> Option<u128> {
        ds.iter().try_fold(0u128, |acc, &d| acc.checked_mul(10)?.checked_add(u128::from(d)))
    };
    let value = if pow10 >= 0 {
        let pow = u32::try_from(pow10).ok().filter(|&p| p <= 39)?;
        to_int(&product)?.checked_mul(10u128.checked_pow(pow)?)?
    } else {
        let drop = usize::try_from(pow10.unsigned_abs()).unwrap_or(usize::MAX);
        let keep = product.len().saturating_sub(drop);
        let (high, low) = product.split_at(keep);
        let int = to_int(high)?;
        let inexact = low.iter().any(|&d| d != 0);
        if inexact && rounding == Rounding::Up {
            int.checked_add(1)?
        } else {
            int
        }
    };
    (value <= limit).then_some(value)
}

impl Quantity {
    /// A quantity from milli-units, or `None` beyond ±(2^63−1) base units.
    pub fn from_milli(milli: i128, format: QuantityFormat) -> Option<Quantity> {
        (milli.unsigned_abs() <= MAX_MILLI as u128).then_some(Quantity { milli, format })
    }

    /// The value in milli-units (`0.5` → 500, `1Ki` → 1 024 000), rounded up to 1m.
    pub fn milli(&self) -> i128 {
        self.milli
    }

    /// The value in base units, rounded away from zero like apimachinery's `Value()`
    /// (`400m` → 1, `1.5` → 2, `-1.5` → -2).
    pub fn value_ceil(&self) -> i128 {
        let magnitude = self.milli.unsigned_abs().div_ceil(1000) as i128;
        if self.milli < 0 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// How the quantity was written.
    pub fn format(&self) -> QuantityFormat {
        self.format
    }

    pub fn is_zero(&self) -> bool {
        self.milli == 0
    }

    pub fn is_negative(&self) -> bool {
        self.milli < 0
    }

    /// The canonical form apimachinery serialises (`1.5` → `1500m`, `1.5Gi` → `1536Mi`,
    /// `1000m` → `1`, `129e6` → `129e6`), for messages that quote a normalised value.
    pub fn canonical(&self) -> String {
        if self.milli == 0 {
            return "0".to_string();
        }
        if self.format == QuantityFormat::BinarySI
            && self.milli.unsigned_abs() >= 1024 * 1000
            && self.milli % 1000 == 0
        {
            let mut value = self.milli / 1000;
            let mut exponent = 0usize;
            while exponent < 6 && value % 1024 == 0 {
                value /= 1024;
                exponent += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].get(exponent).unwrap_or(&"");
            return format!("{value}{suffix}");
        }
        // Decimal: strip factors of ten, then lower the exponent to a multiple of three.
        let mut mantissa = self.milli;
        let mut exponent: i32 = -3;
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        let r = exponent.rem_euclid(3);
        mantissa *= 10i128.pow(r.unsigned_abs());
        exponent -= r;
        let decimal_si = match self.format {
            QuantityFormat::DecimalExponent => None,
            _ => match exponent {
                -3 => Some("m"),
                0 => Some(""),
                3 => Some("k"),
                6 => Some("M"),
                9 => Some("G"),
                12 => Some("T"),
                15 => Some("P"),
                18 => Some("E"),
                _ => None,
            },
        };
        match decimal_si {
            Some(suffix) => format!("{mantissa}{suffix}"),
            None if exponent == 0 => format!("{mantissa}"),
            None => format!("{mantissa}e{exponent}"),
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.milli == other.milli
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.milli.cmp(&other.milli)
    }
}

impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.milli.hash(state);
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        parse_quantity(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        match parse_quantity(s) {
            Ok(q) => q,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn milli(s: &str) -> i128 {
        q(s).milli()
    }

    fn err(s: &str) -> QuantityError {
        match parse_quantity(s) {
            Ok(q) => panic!("{s:?} should fail, got {q:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn documented_equivalent_forms() {
        // kubernetes.io "meaning of memory": all about the same value.
        assert_eq!(q("128974848").value_ceil(), 128_974_848);
        assert_eq!(q("129e6").value_ceil(), 129_000_000);
        assert_eq!(q("129M").value_ceil(), 129_000_000);
        assert_eq!(q("128974848000m").value_ceil(), 128_974_848);
        assert_eq!(q("123Mi").value_ceil(), 123 * 1024 * 1024);
        assert_eq!(q("123Mi").value_ceil(), 128_974_848);
        assert_eq!(q("128974848"), q("128974848000m"));
        assert_eq!(q("129e6"), q("129M"));
    }

    #[test]
    fn milli_is_milli() {
        assert_eq!(milli("400m"), 400);
        assert_eq!(q("400m").value_ceil(), 1);
        assert_eq!(milli("0.5"), 500);
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(milli("1"), 1000);
        assert_eq!(milli("2.5"), 2500);
    }

    #[test]
    fn exa_and_exponents() {
        assert_eq!(q("1E").value_ceil(), 1_000_000_000_000_000_000);
        assert_eq!(q("1E").format(), QuantityFormat::DecimalSI);
        assert_eq!(q("1E3").value_ceil(), 1000);
        assert_eq!(q("1E3").format(), QuantityFormat::DecimalExponent);
        assert_eq!(milli("1e-3"), 1);
        assert_eq!(milli("1e+3"), 1_000_000);
        assert_eq!(milli("1.5e3"), 1_500_000);
        assert_eq!(milli("1e0"), 1000);
        assert!(matches!(err("e"), QuantityError::NoNumber));
        assert_eq!(err("1e"), QuantityError::InvalidSuffix { suffix: "e".into() });
        assert_eq!(err("1e+"), QuantityError::InvalidSuffix { suffix: "e+".into() });
        assert_eq!(err("1Ee3"), QuantityError::InvalidSuffix { suffix: "Ee3".into() });
        assert_eq!(err("1e99999999999999999999"), QuantityError::ExponentOutOfRange);
        assert_eq!(err("1e19"), QuantityError::TooLarge);
        assert_eq!(milli("1e-99999"), 1, "non-zero rounds up to 1m");
        assert_eq!(milli("0e99999"), 0);
    }

    #[test]
    fn suffix_case() {
        let e = err("1K");
        assert_eq!(e, QuantityError::InvalidSuffix { suffix: "K".into() });
        assert_eq!(
            e.to_string(),
            "`K` is not a valid suffix; use `k` (kilo, 1000) or `Ki` (kibi, 1024)"
        );
        assert_eq!(q("1k").value_ceil(), 1000);
        assert_eq!(q("1Ki").value_ceil(), 1024);
        assert_eq!(q("1M").value_ceil(), 1_000_000);
        assert_eq!(q("1Mi").value_ceil(), 1_048_576);
        assert!(err("512MB").to_string().contains("no `B`: use `M` (decimal) or `Mi` (binary)"));
        assert!(err("1GiB").to_string().contains("use `G` (decimal) or `Gi` (binary)"));
        assert!(err("1kb").to_string().contains("use `k` (decimal) or `Ki` (binary)"));
        assert!(err("1gi").to_string().contains("`Gi`"));
        assert!(err("1g").to_string().contains("use `G` (decimal) or `Gi` (binary)"));
        assert!(err("1mi").to_string().contains("`Mi`"));
        assert!(matches!(err("1x"), QuantityError::InvalidSuffix { .. }));
        assert!(matches!(err("1Kii"), QuantityError::InvalidSuffix { .. }));
        // n and u are accepted by apimachinery.
        assert_eq!(milli("1u"), 1);
        assert_eq!(milli("1000000n"), 1);
        assert_eq!(milli("1500000n"), 2);
    }

    #[test]
    fn signs_and_number_shapes() {
        assert_eq!(milli("+1"), 1000);
        assert_eq!(milli("-1"), -1000);
        assert!(q("-1").is_negative());
        assert!(!q("+1").is_negative());
        assert!(!q("-0").is_negative());
        assert!(q("-0").is_zero());
        assert_eq!(milli("1."), 1000);
        assert_eq!(milli(".5"), 500);
        assert_eq!(milli("1.Gi"), 1024 * 1024 * 1024 * 1000);
        assert_eq!(milli("007"), 7000);
        assert_eq!(milli("0"), 0);
        assert!(q("0").is_zero());
        assert_eq!(err(" 1"), QuantityError::Whitespace);
        assert_eq!(err("1 "), QuantityError::Whitespace);
        assert_eq!(err("1 Gi"), QuantityError::Whitespace);
        assert_eq!(err("1\tGi"), QuantityError::Whitespace);
        assert_eq!(err(""), QuantityError::Empty);
        assert_eq!(err("-"), QuantityError::NoNumber);
        assert_eq!(err("+"), QuantityError::NoNumber);
        assert_eq!(err("."), QuantityError::NoNumber);
        assert_eq!(err("Mi"), QuantityError::NoNumber);
        assert_eq!(err("abc"), QuantityError::NoNumber);
        assert_eq!(err("--1"), QuantityError::NoNumber);
        assert_eq!(err("1.2.3"), QuantityError::Malformed { rest: ".3".into() });
        assert_eq!(err("1,5"), QuantityError::Malformed { rest: ",5".into() });
        assert!(matches!(err("1e1.5"), QuantityError::Malformed { .. }));
        assert!(matches!(err("1µ"), QuantityError::Malformed { .. }));
    }

    #[test]
    fn rounding_up_below_one_milli() {
        assert_eq!(milli("0.1m"), 1);
        assert_eq!(milli("1e-4"), 1);
        assert_eq!(milli("0.0001"), 1);
        assert_eq!(milli("1.0001"), 1001);
        assert_eq!(milli("-0.1m"), -1, "magnitude rounds away from zero");
        assert_eq!(milli("0.000m"), 0);
        assert_eq!(milli("1n"), 1);
        // A long exact fraction does not overflow.
        assert_eq!(milli("0.0000000000000000000000000000000000000000000000000001"), 1);
        assert_eq!(milli("1.00000000000000000000000000000000000000000000000000000"), 1000);
    }

    #[test]
    fn binary_suffixes() {
        assert_eq!(q("1Ei").value_ceil(), 1 << 60);
        assert_eq!(q("7Ei").value_ceil(), 7 << 60);
        assert_eq!(q("1.5Gi").value_ceil(), 1_610_612_736);
        assert_eq!(milli("0.5Ki"), 512_000);
        assert_eq!(milli("1.1Ki"), 1_126_400);
        assert_eq!(milli("0.001Ki"), 1024);
        assert_eq!(q("1Pi").value_ceil(), 1 << 50);
        assert_eq!(q("1Ti").value_ceil(), 1 << 40);
    }

    #[test]
    fn overflow() {
        assert_eq!(q("9223372036854775807").value_ceil(), i64::MAX as i128);
        assert_eq!(err("9223372036854775808"), QuantityError::TooLarge);
        assert_eq!(q("-9223372036854775807").value_ceil(), -(i64::MAX as i128));
        assert_eq!(err("-9223372036854775808"), QuantityError::TooLarge);
        assert_eq!(err("8Ei"), QuantityError::TooLarge, "2^63 is one past the limit");
        assert_eq!(q("9223372036854775807000m").value_ceil(), i64::MAX as i128);
        assert_eq!(err("9223372036854775807.0001"), QuantityError::TooLarge);
        assert_eq!(err("10E"), QuantityError::TooLarge);
        assert_eq!(q("9E").value_ceil(), 9_000_000_000_000_000_000);
        assert_eq!(
            err("99999999999999999999999999999999999999999999999999"),
            QuantityError::TooLarge
        );
        assert_eq!(err("1e400"), QuantityError::TooLarge);
        assert!(err("1e400").to_string().contains("2^63-1"));
    }

    #[test]
    fn canonical_forms() {
        let c = |s: &str| q(s).canonical();
        assert_eq!(c("1.5"), "1500m");
        assert_eq!(c("1.5Gi"), "1536Mi");
        assert_eq!(c("2Gi"), "2Gi");
        assert_eq!(c("1000m"), "1");
        assert_eq!(c("0.5"), "500m");
        assert_eq!(c("1"), "1");
        assert_eq!(c("0"), "0");
        assert_eq!(c("0Gi"), "0");
        assert_eq!(c("100m"), "100m");
        assert_eq!(c("1500"), "1500");
        assert_eq!(c("1000"), "1k");
        assert_eq!(c("129M"), "129M");
        assert_eq!(c("128974848"), "128974848");
        assert_eq!(c("129e6"), "129e6");
        assert_eq!(c("1E3"), "1e3");
        assert_eq!(c("1e-3"), "1e-3");
        assert_eq!(c("1e0"), "1");
        assert_eq!(c("1E"), "1E");
        assert_eq!(c("1.5M"), "1500k");
        assert_eq!(c("0.5Ki"), "512");
        assert_eq!(c("1Ki"), "1Ki");
        assert_eq!(c("1024Ki"), "1Mi");
        assert_eq!(c("1.1Ki"), "1126400m");
        assert_eq!(c("-1.5Gi"), "-1536Mi");
        assert_eq!(c("-1.5"), "-1500m");
        assert_eq!(c("0.1m"), "1m");
        assert_eq!(c("1Ei"), "1Ei");
        assert_eq!(c("1Mi"), "1Mi");
        assert_eq!(q("1.5Gi").to_string(), "1536Mi");
    }

    #[test]
    fn value_ceil_rounds_away_from_zero() {
        assert_eq!(q("1.5").value_ceil(), 2);
        assert_eq!(q("-1.5").value_ceil(), -2);
        assert_eq!(q("1m").value_ceil(), 1);
        assert_eq!(q("2").value_ceil(), 2);
        assert_eq!(q("0").value_ceil(), 0);
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(q("1Gi"), q("1073741824"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("500m") < q("1"));
        assert_eq!(Quantity::from_milli(1500, QuantityFormat::DecimalSI), Some(q("1.5")));
        assert_eq!(Quantity::from_milli(MAX_MILLI + 1, QuantityFormat::DecimalSI), None);
        assert_eq!("250m".parse::<Quantity>(), Ok(q("0.25")));
    }

    #[test]
    fn scale_decimal_helper() {
        assert_eq!(
            scale_decimal(b"15", 1 << 30, -1, Rounding::Truncate, u128::MAX),
            Some(1_610_612_736)
        );
        assert_eq!(scale_decimal(b"0001", 1, 2, Rounding::Truncate, u128::MAX), Some(100));
        assert_eq!(scale_decimal(b"19", 1, -1, Rounding::Truncate, u128::MAX), Some(1));
        assert_eq!(scale_decimal(b"19", 1, -1, Rounding::Up, u128::MAX), Some(2));
        assert_eq!(scale_decimal(b"5", 1, -100, Rounding::Up, u128::MAX), Some(1));
        assert_eq!(scale_decimal(b"5", 1, -100, Rounding::Truncate, u128::MAX), Some(0));
        assert_eq!(scale_decimal(b"", 7, 5, Rounding::Up, 0), Some(0));
        assert_eq!(scale_decimal(b"1", 1, 40, Rounding::Up, u128::MAX), None);
        assert_eq!(scale_decimal(b"1", 1, i128::MAX, Rounding::Up, u128::MAX), None);
        assert_eq!(scale_decimal(b"1", 1, i128::MIN, Rounding::Up, u128::MAX), Some(1));
        assert_eq!(scale_decimal(b"11", 1, 0, Rounding::Up, 10), None);
    }
}
