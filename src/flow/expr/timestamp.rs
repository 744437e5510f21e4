//! Timestamps as WDL reads them: ISO 8601 (`2018-03-15T13:27:36Z`, with an offset, with up
//! to seven fractional digits), US dates (`03/15/2018 12:00:00`), RFC 1123, and dates with
//! month names in a locale (`20 octobre 2010`).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::locale::{EN_US, Locale};

/// Whether a timestamp is UTC (written with `Z` or an offset, printed with `Z`) or has no
/// zone (printed without one), like .NET's `DateTimeKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Utc,
    Unspecified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub dt: NaiveDateTime,
    pub kind: Kind,
}

impl Stamp {
    pub(crate) fn utc(dt: NaiveDateTime) -> Self {
        Self {
            dt,
            kind: Kind::Utc,
        }
    }

    pub(crate) fn to_utc(self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.dt)
    }

    /// .NET ticks: 100-nanosecond intervals since 0001-01-01T00:00:00.
    pub(crate) fn ticks(self) -> i64 {
        let epoch = NaiveDate::from_ymd_opt(1, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        let span = self.dt - epoch;
        span.num_seconds() * 10_000_000 + i64::from(span.subsec_nanos()) / 100
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(String),
    Word(String),
    Sep(char),
}

fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(d);
                chars.next();
            }
            out.push(Tok::Num(n));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars
                .peek()
                .filter(|d| d.is_alphabetic() || **d == '.' || **d == '-')
            {
                // A '.' or '-' ends a word unless a letter follows it ("janv." keeps its dot,
                // "segunda-feira" its hyphen; "T13" is split from its digits anyway).
                w.push(d);
                chars.next();
            }
            let trimmed = w.trim_end_matches('-').to_string();
            out.push(Tok::Word(trimmed));
        } else if c.is_whitespace() || c == ',' {
            chars.next();
        } else {
            out.push(Tok::Sep(c));
            chars.next();
        }
    }
    out
}

/// Parses a timestamp the way WDL's date functions read them (en-US order for numeric dates).
pub(crate) fn parse(text: &str) -> Option<Stamp> {
    parse_in(text, &EN_US)
}

fn year_of(text: &str) -> Option<i32> {
    let n: i32 = text.parse().ok()?;
    Some(match text.len() {
        1 | 2 if n < 50 => 2000 + n,
        1 | 2 => 1900 + n,
        _ => n,
    })
}

fn name_index(word: &str, names: &[&str]) -> Option<usize> {
    let w = word.trim_end_matches('.').to_lowercase();
    names
        .iter()
        .position(|name| name.trim_end_matches('.').to_lowercase() == w)
}

fn month_of(word: &str, locale: &Locale) -> Option<u32> {
    name_index(word, &locale.months)
        .or_else(|| name_index(word, &locale.months_abbr))
        .or_else(|| name_index(word, &EN_US.months))
        .or_else(|| name_index(word, &EN_US.months_abbr))
        .map(|i| i as u32 + 1)
}

fn is_day_name(word: &str, locale: &Locale) -> bool {
    name_index(word, &locale.days).is_some()
        || name_index(word, &locale.days_abbr).is_some()
        || name_index(word, &EN_US.days).is_some()
        || name_index(word, &EN_US.days_abbr).is_some()
}

/// Parses a timestamp with the conventions of `locale` (day or month first, month and day
/// names); `None` when the text is not a timestamp.
pub(crate) fn parse_in(text: &str, locale: &Locale) -> Option<Stamp> {
    let toks = tokens(text.trim());
    let mut date_nums: Vec<String> = Vec::new();
    let mut month_word: Option<u32> = None;
    let mut time: Option<(u32, u32, u32, u32)> = None; // h, m, s, nanos
    let mut pm: Option<bool> = None;
    let mut offset_minutes: Option<i64> = None;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(n) => {
                if time.is_none() && matches!(toks.get(i + 1), Some(Tok::Sep(':'))) {
                    let hour: u32 = n.parse().ok()?;
                    let Some(Tok::Num(m)) = toks.get(i + 2) else {
                        return None;
                    };
                    let minute: u32 = m.parse().ok()?;
                    i += 3;
                    let mut second = 0;
                    let mut nanos = 0;
                    if let (Some(Tok::Sep(':')), Some(Tok::Num(s))) = (toks.get(i), toks.get(i + 1))
                    {
                        second = s.parse().ok()?;
                        i += 2;
                        if let (Some(Tok::Sep('.' | ',')), Some(Tok::Num(f))) =
                            (toks.get(i), toks.get(i + 1))
                        {
                            let mut digits: String = f.chars().take(9).collect();
                            while digits.len() < 9 {
                                digits.push('0');
                            }
                            nanos = digits.parse().ok()?;
                            i += 2;
                        }
                    }
                    time = Some((hour, minute, second, nanos));
                    continue;
                }
                date_nums.push(n.clone());
            }
            Tok::Word(w) => {
                let lower = w.to_lowercase();
                if lower == "z" || lower == "utc" || lower == "gmt" {
                    offset_minutes = Some(0);
                } else if lower == "t"
                    || lower == "de"
                    || lower == "of"
                    || lower == "à"
                    || lower == "at"
                    || lower == "le"
                    || lower == "el"
                {
                } else if lower == locale.am.to_lowercase() || lower == "am" || lower == "a.m." {
                    pm = Some(false);
                } else if lower == locale.pm.to_lowercase() || lower == "pm" || lower == "p.m." {
                    pm = Some(true);
                } else if let Some(month) = month_of(w, locale) {
                    month_word = Some(month);
                } else if !is_day_name(w, locale) {
                    return None;
                }
            }
            Tok::Sep(sign @ ('+' | '-')) if time.is_some() => {
                let Some(Tok::Num(h)) = toks.get(i + 1) else {
                    return None;
                };
                let (hours, mut minutes): (i64, i64) = if h.len() == 4 {
                    (h[..2].parse().ok()?, h[2..].parse().ok()?)
                } else {
                    (h.parse().ok()?, 0)
                };
                i += 2;
                if let (Some(Tok::Sep(':')), Some(Tok::Num(m))) = (toks.get(i), toks.get(i + 1)) {
                    minutes = m.parse().ok()?;
                    i += 2;
                }
                let total = hours * 60 + minutes;
                offset_minutes = Some(if *sign == '-' { -total } else { total });
                continue;
            }
            Tok::Sep('-' | '/' | '.') => {}
            Tok::Sep(_) => return None,
        }
        i += 1;
    }
    let (year, month, day) = match (month_word, date_nums.as_slice()) {
        (Some(month), [a, b]) => {
            if a.len() >= 3 || a.parse::<u32>().ok()? > 31 {
                (year_of(a)?, month, b.parse().ok()?)
            } else {
                (year_of(b)?, month, a.parse().ok()?)
            }
        }
        (None, [a, b, c]) if a.len() == 4 => (year_of(a)?, b.parse().ok()?, c.parse().ok()?),
        (None, [a, b, c]) if locale.day_first => (year_of(c)?, b.parse().ok()?, a.parse().ok()?),
        (None, [a, b, c]) => (year_of(c)?, a.parse().ok()?, b.parse().ok()?),
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (mut hour, minute, second, nanos) = time.unwrap_or((0, 0, 0, 0));
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let dt = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    Some(match offset_minutes {
        Some(offset) => Stamp::utc(dt - Duration::minutes(offset)),
        None => Stamp {
            dt,
            kind: Kind::Unspecified,
        },
    })
}
