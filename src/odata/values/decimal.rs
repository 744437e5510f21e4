//! `Edm.Decimal` kept exactly as a validated canonical digit string (never through `f64`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An exact decimal number of arbitrary precision, stored in canonical plain notation:
/// optional `-`, integer digits without leading zeros (at least one), and an optional
/// fraction whose digits (including trailing zeros, which carry the scale) are kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EdmDecimal(String);

/// Why a text is not a decimal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid Edm.Decimal")]
pub struct DecimalError(pub String);

impl EdmDecimal {
    /// Parses `[+-]digits[.digits][e[+-]digits]`; an exponent is applied exactly by moving
    /// the decimal point.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        let err = || DecimalError(text.to_owned());
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => {
                let exp_text = &unsigned[at + 1..];
                let digits = exp_text.strip_prefix(['+', '-']).unwrap_or(exp_text);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                let exp: i64 = exp_text.parse().map_err(|_| err())?;
                if exp.unsigned_abs() > 10_000 {
                    return Err(err());
                }
                (&unsigned[..at], exp)
            }
            None => (unsigned, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() && frac_part.is_empty()
            || !all_digits(int_part)
            || !all_digits(frac_part)
            || (mantissa.contains('.') && (int_part.is_empty() || frac_part.is_empty()))
        {
            return Err(err());
        }
        // Shift the decimal point by the exponent.
        let mut digits = format!("{int_part}{frac_part}");
        let mut point = int_part.len() as i64 + exponent;
        if point < 0 {
            digits = format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize));
            point = 0;
        }
        let point = point as usize;
        if point > digits.len() {
            digits.push_str(&"0".repeat(point - digits.len()));
        }
        let (int_digits, frac_digits) = digits.split_at(point);
        let int_digits = int_digits.trim_start_matches('0');
        let int_digits = if int_digits.is_empty() {
            "0"
        } else {
            int_digits
        };
        let is_zero = int_digits == "0" && frac_digits.bytes().all(|b| b == b'0');
        let mut canonical = String::with_capacity(digits.len() + 2);
        if negative && !is_zero {
            canonical.push('-');
        }
        canonical.push_str(int_digits);
        if !frac_digits.is_empty() {
            canonical.push('.');
            canonical.push_str(frac_digits);
        }
        Ok(Self(canonical))
    }

    /// The canonical text, e.g. `-12.50`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the value is negative.
    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }

    /// Number of digits before the point (leading zeros excluded, `0` counts as none).
    pub fn integer_digits(&self) -> usize {
        let int = self.unsigned().split('.').next().unwrap_or("");
        if int == "0" { 0 } else { int.len() }
    }

    /// Number of digits after the point with trailing zeros ignored.
    pub fn scale(&self) -> usize {
        self.unsigned()
            .split_once('.')
            .map(|(_, f)| f.trim_end_matches('0').len())
            .unwrap_or(0)
    }

    fn unsigned(&self) -> &str {
        self.0.strip_prefix('-').unwrap_or(&self.0)
    }

    /// Numeric comparison (`1.50` equals `1.5`).
    pub fn cmp_value(&self, other: &Self) -> Ordering {
        match (self.is_negative(), other.is_negative()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (negative, _) => {
                let ord = cmp_unsigned(self.unsigned(), other.unsigned());
                if negative { ord.reverse() } else { ord }
            }
        }
    }

    /// Whether both denote the same number regardless of trailing zeros.
    pub fn same_value(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }

    /// The value as an exact JSON number.
    pub fn to_json_number(&self) -> serde_json::Number {
        // The canonical form is always valid JSON number syntax.
        serde_json::Number::from_str(&self.0).unwrap_or_else(|_| serde_json::Number::from(0))
    }
}

fn cmp_unsigned(a: &str, b: &str) -> Ordering {
    let (ai, af) = a.split_once('.').unwrap_or((a, ""));
    let (bi, bf) = b.split_once('.').unwrap_or((b, ""));
    ai.len()
        .cmp(&bi.len())
        .then_with(|| ai.cmp(bi))
        .then_with(|| {
            let af = af.trim_end_matches('0');
            let bf = bf.trim_end_matches('0');
            let width = af.len().max(bf.len());
            format!("{af:0<width$}").cmp(&format!("{bf:0<width$}"))
        })
}

impl fmt::Display for EdmDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EdmDecimal {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EdmDecimal {
    type Error = DecimalError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EdmDecimal> for String {
    fn from(value: EdmDecimal) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        EdmDecimal::parse(text).unwrap().as_str().to_owned()
    }

    #[test]
    fn keeps_many_digits_exactly() {
        let text = "12345678901234567890.123456789012";
        assert_eq!(canon(text), text);
        assert_eq!(canon("0.1"), "0.1");
        assert_eq!(
            canon("-99999999999999999999999999999999.5"),
            "-99999999999999999999999999999999.5"
        );
    }

    #[test]
    fn canonicalises_sign_zeros_and_exponent() {
        assert_eq!(canon("+007.50"), "7.50");
        assert_eq!(canon("-0.0"), "0.0");
        assert_eq!(canon("1e3"), "1000");
        assert_eq!(canon("1.25E-3"), "0.00125");
        assert_eq!(canon("-12.5e1"), "-125");
        assert_eq!(canon(" 42 "), "42");
    }

    #[test]
    fn rejects_invalid_text_with_message() {
        for bad in [
            "12,5", "", "abc", "1.", ".5", "1e", "--1", "1.2.3", "NaN", "1 000", "0x10",
        ] {
            let err = EdmDecimal::parse(bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("'{bad}' is not a valid Edm.Decimal")
            );
        }
    }

    #[test]
    fn compares_by_value() {
        let d = |t| EdmDecimal::parse(t).unwrap();
        assert!(d("1.50").same_value(&d("1.5")));
        assert!(!d("1.5").same_value(&d("1.05")));
        assert_eq!(d("-2").cmp_value(&d("1")), Ordering::Less);
        assert_eq!(d("-2").cmp_value(&d("-10")), Ordering::Greater);
        assert_eq!(d("100").cmp_value(&d("99.999")), Ordering::Greater);
        assert!(d("0").same_value(&d("-0.00")));
    }

    #[test]
    fn digit_counts() {
        let d = EdmDecimal::parse("-0123.4500").unwrap();
        assert_eq!(d.integer_digits(), 3);
        assert_eq!(d.scale(), 2);
        assert_eq!(EdmDecimal::parse("0.001").unwrap().integer_digits(), 0);
    }

    #[test]
    fn json_number_keeps_text() {
        let d = EdmDecimal::parse("12345678901234567890.123456789012").unwrap();
        let json = serde_json::to_string(&serde_json::Value::Number(d.to_json_number())).unwrap();
        assert_eq!(json, "12345678901234567890.123456789012");
    }
}
