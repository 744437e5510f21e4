//! .NET date and time format strings: the standard ones (`o`, `D`, `u`, ...) and custom
//! patterns (`yyyy-MM-dd HH:mm`, `dddd MMMM d`), for formatting and for exact parsing.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use super::locale::{INVARIANT, Locale};
use super::timestamp::{Kind, Stamp};

/// Formats a timestamp; `None` is `o` (ISO 8601 with seven fractional digits).
pub(crate) fn format(
    stamp: &Stamp,
    format: Option<&str>,
    locale: &Locale,
) -> Result<String, String> {
    let format = format.filter(|f| !f.is_empty()).unwrap_or("o");
    let mut chars = format.chars();
    if let (Some(letter), None) = (chars.next(), chars.next()) {
        let pattern: String = match letter {
            'o' | 'O' => return Ok(custom(stamp, "yyyy-MM-ddTHH:mm:ss.fffffffK", &INVARIANT)),
            'r' | 'R' => {
                return Ok(custom(
                    stamp,
                    "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
                    &INVARIANT,
                ));
            }
            's' => return Ok(custom(stamp, "yyyy-MM-ddTHH:mm:ss", &INVARIANT)),
            'u' => return Ok(custom(stamp, "yyyy-MM-dd HH:mm:ssZ", &INVARIANT)),
            'U' => format!("{} {}", locale.long_date, locale.long_time),
            'd' => locale.short_date.into(),
            'D' => locale.long_date.into(),
            't' => locale.short_time.into(),
            'T' => locale.long_time.into(),
            'f' => format!("{} {}", locale.long_date, locale.short_time),
            'F' => format!("{} {}", locale.long_date, locale.long_time),
            'g' => format!("{} {}", locale.short_date, locale.short_time),
            'G' => format!("{} {}", locale.short_date, locale.long_time),
            'M' | 'm' => locale.month_day.into(),
            'Y' | 'y' => locale.year_month.into(),
            other => {
                return Err(format!(
                    "'{other}' is not a standard date and time format (d, D, f, F, g, G, M, o, r, s, t, T, u, U, Y) \
                     and a one-letter custom format needs a '%' before it"
                ));
            }
        };
        return Ok(custom(stamp, &pattern, locale));
    }
    Ok(custom(stamp, format, locale))
}

fn run(chars: &[char], i: usize) -> usize {
    chars[i..].iter().take_while(|&&c| c == chars[i]).count()
}

/// Formats with a custom pattern.
fn custom(stamp: &Stamp, pattern: &str, locale: &Locale) -> String {
    let dt = stamp.dt;
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let n = run(&chars, i);
        let mut step = n;
        match c {
            'd' => match n {
                1 => out.push_str(&dt.day().to_string()),
                2 => out.push_str(&format!("{:02}", dt.day())),
                3 => out.push_str(locale.days_abbr[dt.weekday().num_days_from_sunday() as usize]),
                _ => out.push_str(locale.days[dt.weekday().num_days_from_sunday() as usize]),
            },
            'f' | 'F' => {
                let digits = format!("{:09}", dt.nanosecond().min(999_999_999));
                let mut shown: String = digits.chars().take(n.min(9)).collect();
                if c == 'F' {
                    shown = shown.trim_end_matches('0').to_string();
                    if shown.is_empty() && out.ends_with('.') {
                        out.pop();
                    }
                }
                out.push_str(&shown);
            }
            'g' => out.push_str("A.D."),
            'h' => {
                let hour = match dt.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                out.push_str(&if n == 1 {
                    hour.to_string()
                } else {
                    format!("{hour:02}")
                });
                step = n.min(2);
            }
            'H' => {
                out.push_str(&if n == 1 {
                    dt.hour().to_string()
                } else {
                    format!("{:02}", dt.hour())
                });
                step = n.min(2);
            }
            'm' => {
                out.push_str(&if n == 1 {
                    dt.minute().to_string()
                } else {
                    format!("{:02}", dt.minute())
                });
                step = n.min(2);
            }
            's' => {
                out.push_str(&if n == 1 {
                    dt.second().to_string()
                } else {
                    format!("{:02}", dt.second())
                });
                step = n.min(2);
            }
            'M' => match n {
                1 => out.push_str(&dt.month().to_string()),
                2 => out.push_str(&format!("{:02}", dt.month())),
                3 => out.push_str(locale.months_abbr[dt.month0() as usize]),
                _ => out.push_str(locale.months[dt.month0() as usize]),
            },
            't' => {
                let marker = if dt.hour() < 12 { locale.am } else { locale.pm };
                if n == 1 {
                    out.extend(marker.chars().next());
                } else {
                    out.push_str(marker);
                }
            }
            'y' => {
                let year = dt.year();
                match n {
                    1 => out.push_str(&(year % 100).to_string()),
                    2 => out.push_str(&format!("{:02}", year % 100)),
                    width => out.push_str(&format!("{year:0width$}")),
                }
            }
            'K' => {
                if stamp.kind == Kind::Utc {
                    out.push('Z');
                }
                step = 1;
            }
            'z' => {
                out.push_str(match n {
                    1 => "+0",
                    2 => "+00",
                    _ => "+00:00",
                });
            }
            ':' => {
                out.push(':');
                step = 1;
            }
            '/' => {
                out.push_str(locale.date_separator);
                step = 1;
            }
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&q| q == c)
                    .map_or(chars.len(), |p| i + 1 + p);
                out.extend(&chars[i + 1..end]);
                step = end + 1 - i;
            }
            '%' => step = 1,
            '\\' => {
                out.extend(chars.get(i + 1));
                step = 2;
            }
            other => {
                out.push(other);
                step = 1;
            }
        }
        i += step;
    }
    out
}

/// Parses `text` exactly as laid out by a custom (or standard) `pattern`, like .NET's
/// `DateTime.ParseExact`.
pub(crate) fn parse_exact(text: &str, pattern: &str, locale: &Locale) -> Option<Stamp> {
    let expanded = match pattern {
        "o" | "O" => "yyyy-MM-ddTHH:mm:ss.fffffffK".to_string(),
        "s" => "yyyy-MM-ddTHH:mm:ss".into(),
        "u" => "yyyy-MM-dd HH:mm:ssZ".into(),
        "d" => locale.short_date.into(),
        "D" => locale.long_date.into(),
        "g" => format!("{} {}", locale.short_date, locale.short_time),
        "G" => format!("{} {}", locale.short_date, locale.long_time),
        other => other.to_string(),
    };
    let pat: Vec<char> = expanded.chars().collect();
    let txt: Vec<char> = text.chars().collect();
    let (mut year, mut month, mut day) = (1, 1, 1);
    let (mut hour, mut minute, mut second, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut kind = Kind::Unspecified;
    let mut offset = 0i64;
    let (mut i, mut p) = (0usize, 0usize);
    let number = |p: &mut usize, min: usize, max: usize| -> Option<u32> {
        let digits: String = txt[*p..]
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if digits.len() < min {
            return None;
        }
        *p += digits.len();
        digits.parse().ok()
    };
    let word = |p: &mut usize, names: &[&str]| -> Option<usize> {
        let rest: String = txt[*p..].iter().collect::<String>().to_lowercase();
        let (index, name) = names
            .iter()
            .enumerate()
            .filter(|(_, name)| rest.starts_with(&name.to_lowercase()))
            .max_by_key(|(_, name)| name.chars().count())?;
        *p += name.chars().count();
        Some(index)
    };
    while i < pat.len() {
        let c = pat[i];
        let n = run(&pat, i);
        let mut step = n;
        match c {
            'd' if n <= 2 => day = number(&mut p, n, 2)?,
            'd' => {
                word(
                    &mut p,
                    if n == 3 {
                        &locale.days_abbr
                    } else {
                        &locale.days
                    },
                )?;
            }
            'M' if n <= 2 => month = number(&mut p, n, 2)?,
            'M' => {
                month = word(
                    &mut p,
                    if n == 3 {
                        &locale.months_abbr
                    } else {
                        &locale.months
                    },
                )? as u32
                    + 1
            }
            'y' => {
                let value = number(
                    &mut p,
                    if n <= 2 { 1 } else { n },
                    if n <= 2 { 2 } else { n.max(4) },
                )?;
                year = if n <= 2 {
                    if value < 50 {
                        2000 + value as i32
                    } else {
                        1900 + value as i32
                    }
                } else {
                    value as i32
                };
            }
            'H' | 'h' => {
                hour = number(&mut p, n.min(2), 2)?;
                step = n.min(2);
            }
            'm' => {
                minute = number(&mut p, n.min(2), 2)?;
                step = n.min(2);
            }
            's' => {
                second = number(&mut p, n.min(2), 2)?;
                step = n.min(2);
            }
            'f' | 'F' => {
                let min = if c == 'f' { n } else { 0 };
                let digits: String = txt[p..]
                    .iter()
                    .take(n)
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if digits.len() < min {
                    return None;
                }
                p += digits.len();
                let mut padded = digits.clone();
                while padded.len() < 9 {
                    padded.push('0');
                }
                nanos = padded.parse().unwrap_or(0);
            }
            't' => {
                let rest: String = txt[p..].iter().collect::<String>().to_lowercase();
                let am = locale.am.to_lowercase();
                let pm_text = locale.pm.to_lowercase();
                let (marker, is_pm) = if n == 1 {
                    (am.chars().take(1).collect::<String>(), false)
                } else {
                    (am.clone(), false)
                };
                if rest.starts_with(&marker) {
                    pm = Some(is_pm);
                    p += marker.chars().count();
                } else {
                    let marker = if n == 1 {
                        pm_text.chars().take(1).collect::<String>()
                    } else {
                        pm_text
                    };
                    if !rest.starts_with(&marker) {
                        return None;
                    }
                    pm = Some(true);
                    p += marker.chars().count();
                }
            }
            'K' | 'z' => {
                step = n;
                match txt.get(p) {
                    Some('Z') => {
                        kind = Kind::Utc;
                        p += 1;
                    }
                    Some(sign @ ('+' | '-')) => {
                        let sign = if *sign == '-' { -1 } else { 1 };
                        p += 1;
                        let hours = number(&mut p, 1, 2)?;
                        let mut minutes = 0;
                        if txt.get(p) == Some(&':') {
                            p += 1;
                            minutes = number(&mut p, 2, 2)?;
                        }
                        offset = sign * i64::from(hours * 60 + minutes);
                        kind = Kind::Utc;
                    }
                    _ if c == 'K' => {}
                    _ => return None,
                }
            }
            '\'' | '"' => {
                let end = pat[i + 1..]
                    .iter()
                    .position(|&q| q == c)
                    .map_or(pat.len(), |x| i + 1 + x);
                for expected in &pat[i + 1..end] {
                    if txt.get(p) != Some(expected) {
                        return None;
                    }
                    p += 1;
                }
                step = end + 1 - i;
            }
            '\\' => {
                if txt.get(p) != pat.get(i + 1) {
                    return None;
                }
                p += 1;
                step = 2;
            }
            '%' => step = 1,
            '/' => {
                let sep: Vec<char> = locale.date_separator.chars().collect();
                if txt.get(p..p + sep.len()) != Some(&sep[..]) {
                    return None;
                }
                p += sep.len();
                step = 1;
            }
            other => {
                if txt.get(p) != Some(&other) {
                    return None;
                }
                p += 1;
                step = 1;
            }
        }
        i += step;
    }
    if p != txt.len() {
        return None;
    }
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let dt = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    Some(Stamp {
        dt: dt - chrono::Duration::minutes(offset),
        kind,
    })
}
