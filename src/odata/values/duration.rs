//! `Edm.Duration`: an ISO 8601 day-time duration such as `P1DT2H30M` or `-PT0.5S`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A validated day-time duration (`[-]P[nD][T[nH][nM][n[.f]S]]`), kept component-wise so
/// that the text the user gave is preserved in canonical upper-case form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EdmDuration {
    /// Whether the duration is negative.
    pub negative: bool,
    /// Days.
    pub days: u64,
    /// Hours.
    pub hours: u64,
    /// Minutes.
    pub minutes: u64,
    /// Whole seconds.
    pub seconds: u64,
    /// Fractional second digits as written (e.g. `5` for `.5`), empty when none.
    pub fraction: String,
}

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid Edm.Duration (expected ISO 8601 like P1DT2H30M)")]
pub struct DurationError(pub String);

impl EdmDuration {
    /// Parses ISO 8601 day-time syntax; year and month components are rejected because
    /// OData durations have no fixed length for them.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let err = || DurationError(text.to_owned());
        let upper = text.trim().to_ascii_uppercase();
        let (negative, rest) = match upper.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, upper.strip_prefix('+').unwrap_or(&upper)),
        };
        let rest = rest.strip_prefix('P').ok_or_else(err)?;
        let (date_part, time_part) = match rest.split_once('T') {
            Some((d, t)) => {
                if t.is_empty() {
                    return Err(err());
                }
                (d, Some(t))
            }
            None => (rest, None),
        };
        let mut value = Self {
            negative,
            days: 0,
            hours: 0,
            minutes: 0,
            seconds: 0,
            fraction: String::new(),
        };
        let mut any = false;
        if !date_part.is_empty() {
            let days = date_part.strip_suffix('D').ok_or_else(err)?;
            value.days = parse_digits(days).ok_or_else(err)?;
            any = true;
        }
        if let Some(mut time) = time_part {
            let mut order = 0;
            while !time.is_empty() {
                let end = time.find(['H', 'M', 'S']).ok_or_else(err)?;
                let (number, unit) = (&time[..end], time.as_bytes()[end]);
                let rank = match unit {
                    b'H' => 1,
                    b'M' => 2,
                    _ => 3,
                };
                if rank <= order {
                    return Err(err());
                }
                order = rank;
                match unit {
                    b'H' => value.hours = parse_digits(number).ok_or_else(err)?,
                    b'M' => value.minutes = parse_digits(number).ok_or_else(err)?,
                    _ => {
                        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
                        value.seconds = parse_digits(whole).ok_or_else(err)?;
                        if number.contains('.')
                            && (fraction.is_empty()
                                || !fraction.bytes().all(|b| b.is_ascii_digit()))
                        {
                            return Err(err());
                        }
                        value.fraction = fraction.to_owned();
                    }
                }
                any = true;
                time = &time[end + 1..];
            }
        }
        if any { Ok(value) } else { Err(err()) }
    }
}

fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl fmt::Display for EdmDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str("P")?;
        if self.days > 0 {
            write!(f, "{}D", self.days)?;
        }
        let has_time =
            self.hours > 0 || self.minutes > 0 || self.seconds > 0 || !self.fraction.is_empty();
        if has_time || self.days == 0 {
            f.write_str("T")?;
            if self.hours > 0 {
                write!(f, "{}H", self.hours)?;
            }
            if self.minutes > 0 {
                write!(f, "{}M", self.minutes)?;
            }
            if self.seconds > 0 || !self.fraction.is_empty() || !has_time {
                write!(f, "{}", self.seconds)?;
                if !self.fraction.is_empty() {
                    write!(f, ".{}", self.fraction)?;
                }
                f.write_str("S")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        EdmDuration::parse(text).unwrap().to_string()
    }

    #[test]
    fn parses_and_prints_canonical_form() {
        assert_eq!(round("P1DT2H"), "P1DT2H");
        assert_eq!(round("p1d"), "P1D");
        assert_eq!(round("PT30M"), "PT30M");
        assert_eq!(round("-PT0.5S"), "-PT0.5S");
        assert_eq!(round("P2DT3H4M5.250S"), "P2DT3H4M5.250S");
        assert_eq!(round("PT0S"), "PT0S");
        let d = EdmDuration::parse("P1DT2H").unwrap();
        assert_eq!((d.days, d.hours, d.minutes), (1, 2, 0));
    }

    #[test]
    fn rejects_invalid_durations() {
        for bad in [
            "", "P", "PT", "1D", "P1Y", "P1M", "PT1M2H", "PT1.S", "P-1D", "PT1H1H", "xyz",
        ] {
            assert!(EdmDuration::parse(bad).is_err(), "{bad} should fail");
        }
        assert!(
            EdmDuration::parse("P1Y")
                .unwrap_err()
                .to_string()
                .contains("'P1Y'")
        );
    }
}
