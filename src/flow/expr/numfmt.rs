//! .NET numeric format strings (`formatNumber`) and locale-aware number parsing (`float`,
//! `isFloat`).

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use super::locale::{self, INVARIANT, Locale};
use super::value::Num;

fn to_decimal(number: Num) -> Result<Decimal, String> {
    match number {
        Num::Int(i) => Ok(Decimal::from(i)),
        Num::Dec(d) => Ok(d),
        Num::Float(f) => {
            let text = format!("{f}");
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&format!("{f:e}")))
                .map_err(|_| format!("the number {f} is too large to format"))
        }
    }
}

/// Formats like .NET's `number.ToString(format, locale)`.
pub(crate) fn format(number: Num, format: &str, locale: Option<&str>) -> Result<String, String> {
    let culture = locale::find(locale)?;
    let mut chars = format.chars();
    if let Some(letter) = chars.next().filter(char::is_ascii_alphabetic) {
        let rest: String = chars.collect();
        if rest.len() <= 2 && rest.chars().all(|c| c.is_ascii_digit()) {
            let precision = if rest.is_empty() {
                None
            } else {
                rest.parse::<u32>().ok()
            };
            return standard(number, letter, precision, culture);
        }
    }
    custom(number, format, culture)
}

/// Rounds half away from zero to `places` decimals; returns (negative, integer digits,
/// fraction digits padded to `places`).
fn digits(value: Decimal, places: u32) -> (bool, String, String) {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = rounded.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut frac = frac.to_string();
    while frac.len() < places as usize {
        frac.push('0');
    }
    (negative, int.to_string(), frac)
}

fn group(int: &str, separator: &str) -> String {
    let mut out = String::new();
    let len = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

fn join(int: String, frac: &str, culture: &Locale) -> String {
    if frac.is_empty() {
        int
    } else {
        format!("{int}{}{frac}", culture.decimal)
    }
}

fn standard(
    number: Num,
    letter: char,
    precision: Option<u32>,
    culture: &Locale,
) -> Result<String, String> {
    let value = to_decimal(number)?;
    let sign = |negative: bool| if negative { "-" } else { "" };
    match letter.to_ascii_uppercase() {
        'C' => {
            let (negative, int, frac) = digits(value, precision.unwrap_or(2));
            let amount = join(group(&int, culture.group), &frac, culture);
            let space = if culture.currency_space { " " } else { "" };
            let body = if culture.currency_first {
                format!("{}{space}{amount}", culture.currency)
            } else {
                format!("{amount}{space}{}", culture.currency)
            };
            Ok(format!("{}{body}", sign(negative)))
        }
        'D' => {
            let Num::Int(i) = number else {
                return Err("the format 'D' needs an integer".into());
            };
            let width = precision.unwrap_or(0) as usize;
            Ok(format!("{}{:0width$}", sign(i < 0), i.unsigned_abs()))
        }
        'F' | 'N' => {
            let (negative, int, frac) = digits(value, precision.unwrap_or(2));
            let int = if letter.eq_ignore_ascii_case(&'N') {
                group(&int, culture.group)
            } else {
                int
            };
            Ok(format!("{}{}", sign(negative), join(int, &frac, culture)))
        }
        'P' => {
            let (negative, int, frac) = digits(value * Decimal::from(100), precision.unwrap_or(2));
            let space = if culture.percent_space { " " } else { "" };
            Ok(format!(
                "{}{}{space}%",
                sign(negative),
                join(group(&int, culture.group), &frac, culture)
            ))
        }
        'E' => {
            let f = number.as_f64();
            let places = precision.unwrap_or(6) as usize;
            let text = format!("{f:.places$e}");
            let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
            let exponent: i32 = exponent.parse().unwrap_or(0);
            let e = if letter == 'e' { 'e' } else { 'E' };
            let exp_sign = if exponent < 0 { '-' } else { '+' };
            Ok(format!(
                "{}{e}{exp_sign}{:03}",
                mantissa.replace('.', culture.decimal),
                exponent.abs()
            ))
        }
        'G' | 'R' => {
            let text = match (number, precision) {
                (Num::Int(i), _) => i.to_string(),
                (_, Some(p)) if p > 0 => {
                    let f = number.as_f64();
                    let magnitude = if f == 0.0 {
                        0
                    } else {
                        f.abs().log10().floor() as i32
                    };
                    let places = (p as i32 - 1 - magnitude).max(0) as u32;
                    let (negative, int, frac) = digits(value, places);
                    let frac = frac.trim_end_matches('0').to_string();
                    return Ok(format!("{}{}", sign(negative), join(int, &frac, culture)));
                }
                (Num::Dec(d), _) => d.normalize().to_string(),
                (Num::Float(f), _) => format!("{f}"),
            };
            Ok(text.replace('.', culture.decimal))
        }
        'X' => {
            let Num::Int(i) = number else {
                return Err("the format 'X' needs an integer".into());
            };
            let width = precision.unwrap_or(0) as usize;
            let hex = format!("{i:0width$x}");
            Ok(if letter == 'X' {
                hex.to_uppercase()
            } else {
                hex
            })
        }
        other => Err(format!(
            "'{other}' is not a standard numeric format (C, D, E, F, G, N, P, R, X)"
        )),
    }
}

#[derive(Debug, PartialEq)]
enum Piece {
    Zero,
    Hash,
    Point,
    Literal(String),
}

/// A custom format such as `#,##0.00`, `0.0%`, `(###) ###-####`, with `;` sections.
fn custom(number: Num, format: &str, culture: &Locale) -> Result<String, String> {
    let sections = split_sections(format);
    let value = to_decimal(number)?;
    let (section, explicit_sign) = match sections.len() {
        _ if value.is_zero() && sections.len() >= 3 => (sections[2].as_str(), true),
        n if value.is_sign_negative() && !value.is_zero() && n >= 2 => (sections[1].as_str(), true),
        _ => (sections[0].as_str(), false),
    };
    let pieces = pieces(section);
    let mut scale = Decimal::ONE;
    let mut grouping = false;
    let point = pieces.iter().position(|p| *p == Piece::Point);
    let int_pieces = &pieces[..point.unwrap_or(pieces.len())];
    let frac_pieces = point.map_or(&pieces[0..0], |p| &pieces[p + 1..]);
    for piece in &pieces {
        if let Piece::Literal(text) = piece {
            if text == "%" {
                scale *= Decimal::from(100);
            } else if text == "‰" {
                scale *= Decimal::from(1000);
            }
        }
    }
    // Grouping (a ',' between digit placeholders) and scaling (',' right before the point).
    let raw_int: Vec<char> = section.split('.').next().unwrap_or("").chars().collect();
    let mut trailing_commas = 0;
    for (i, c) in raw_int.iter().enumerate() {
        if *c == ',' {
            let before = raw_int[..i].iter().any(|c| *c == '0' || *c == '#');
            let after = raw_int[i + 1..].iter().any(|c| *c == '0' || *c == '#');
            if before && after {
                grouping = true;
            } else if before && !after {
                trailing_commas += 1;
            }
        }
    }
    for _ in 0..trailing_commas {
        scale /= Decimal::from(1000);
    }
    let frac_max = frac_pieces
        .iter()
        .filter(|p| matches!(p, Piece::Zero | Piece::Hash))
        .count() as u32;
    let frac_min = frac_pieces
        .iter()
        .rposition(|p| *p == Piece::Zero)
        .map_or(0, |last| {
            frac_pieces[..=last]
                .iter()
                .filter(|p| matches!(p, Piece::Zero | Piece::Hash))
                .count()
        });
    let int_min = int_pieces
        .iter()
        .position(|p| *p == Piece::Zero)
        .map_or(0, |first| {
            int_pieces[first..]
                .iter()
                .filter(|p| matches!(p, Piece::Zero | Piece::Hash))
                .count()
        });
    let (negative, int, frac) = digits(value * scale, frac_max);
    let mut frac = frac;
    while frac.len() > frac_min && frac.ends_with('0') {
        frac.pop();
    }
    let mut int = if int == "0" { String::new() } else { int };
    while int.len() < int_min {
        int.insert(0, '0');
    }
    let mut out = String::new();
    if negative && !explicit_sign {
        out.push('-');
    }
    // Integer part: literals stay; the leftmost placeholder takes any extra digits.
    let placeholders = int_pieces
        .iter()
        .filter(|p| matches!(p, Piece::Zero | Piece::Hash))
        .count();
    let digits_text = if grouping {
        group(&int, culture.group)
    } else {
        int.clone()
    };
    if grouping || placeholders == 0 {
        let first = int_pieces
            .iter()
            .position(|p| matches!(p, Piece::Zero | Piece::Hash));
        for (i, piece) in int_pieces.iter().enumerate() {
            match piece {
                Piece::Literal(text) if text != "," => out.push_str(text),
                _ if Some(i) == first => out.push_str(&digits_text),
                _ => {}
            }
        }
    } else {
        // Without grouping, fill placeholders from the right: the leftmost one takes any
        // extra digits, placeholders left of the digits print nothing.
        let digit_chars: Vec<char> = int.chars().collect();
        let len = digit_chars.len();
        let mut next = 0;
        let mut seen = 0;
        for piece in int_pieces {
            match piece {
                Piece::Literal(text) if text != "," => out.push_str(text),
                Piece::Zero | Piece::Hash => {
                    let take = if len >= placeholders {
                        if seen == 0 { len - placeholders + 1 } else { 1 }
                    } else if seen < placeholders - len {
                        0
                    } else {
                        1
                    };
                    out.extend(&digit_chars[next..next + take]);
                    next += take;
                    seen += 1;
                }
                _ => {}
            }
        }
    }
    if !frac.is_empty() {
        out.push_str(culture.decimal);
        let mut digits = frac.chars();
        for piece in frac_pieces {
            match piece {
                Piece::Zero | Piece::Hash => {
                    if let Some(d) = digits.next() {
                        out.push(d);
                    }
                }
                Piece::Literal(text) if text != "," => out.push_str(text),
                _ => {}
            }
        }
    } else {
        for piece in frac_pieces {
            if let Piece::Literal(text) = piece
                && text != ","
            {
                out.push_str(text);
            }
        }
    }
    Ok(out)
}

fn split_sections(format: &str) -> Vec<String> {
    let mut sections = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, '\\') => {
                current.push('\\');
                current.extend(chars.next());
            }
            (None, ';') => sections.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    sections.push(current);
    sections
}

fn pieces(section: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut chars = section.chars();
    let mut seen_point = false;
    while let Some(c) = chars.next() {
        match c {
            '0' => out.push(Piece::Zero),
            '#' => out.push(Piece::Hash),
            '.' if !seen_point => {
                seen_point = true;
                out.push(Piece::Point);
            }
            '\'' | '"' => {
                let text: String = chars.by_ref().take_while(|&q| q != c).collect();
                out.push(Piece::Literal(text));
            }
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(Piece::Literal(next.to_string()));
                }
            }
            other => out.push(Piece::Literal(other.to_string())),
        }
    }
    out
}

/// Parses a number like .NET's `double.Parse(text, NumberStyles.Number |
/// NumberStyles.AllowExponent, culture)`, as the cloud's `float()` does: white space
/// around, a leading or trailing sign (`float('12345678.-')` is documented), group
/// separators in the integer part, an exponent; no parentheses or currency symbol.
/// `Ok(None)` when the text is not a number; `Err` for an unknown locale.
pub(crate) fn parse_float(text: &str, locale: Option<&str>) -> Result<Option<f64>, String> {
    let culture = match locale {
        None => &INVARIANT,
        Some(code) => locale::find(Some(code))?,
    };
    Ok(parse_with(text, culture))
}

/// A number's text without its sign, leading or trailing (.NET's `AllowLeadingSign` and
/// `AllowTrailingSign`), and whether it was negative; `None` when it has both.
pub(crate) fn split_sign(s: &str) -> Option<(&str, bool)> {
    let (s, lead) = match s.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (s.strip_prefix('+').unwrap_or(s), false),
    };
    let (s, trail) = match s.strip_suffix('-') {
        Some(rest) => (rest, true),
        None => (s.strip_suffix('+').unwrap_or(s), false),
    };
    if lead && trail {
        return None;
    }
    Some((s, lead || trail))
}

fn parse_with(text: &str, culture: &Locale) -> Option<f64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let (s, negative) = split_sign(s)?;
    let s = s.trim();
    let groups: Vec<char> = match culture.group {
        "\u{202f}" | "\u{a0}" => vec!['\u{202f}', '\u{a0}', ' '],
        other => other.chars().collect(),
    };
    let decimal = culture.decimal.chars().next().unwrap_or('.');
    let mut plain = String::new();
    let mut chars = s.chars().peekable();
    let mut int_digits = 0;
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            plain.push(c);
            int_digits += 1;
        } else if groups.contains(&c) && int_digits > 0 {
        } else {
            break;
        }
        chars.next();
    }
    let mut frac_digits = 0;
    if chars.peek() == Some(&decimal) {
        chars.next();
        plain.push('.');
        while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
            plain.push(c);
            frac_digits += 1;
            chars.next();
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(chars.peek(), Some('e' | 'E')) {
        chars.next();
        plain.push('e');
        if let Some(&sign @ ('+' | '-')) = chars.peek() {
            plain.push(sign);
            chars.next();
        }
        let mut exp_digits = 0;
        while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
            plain.push(c);
            exp_digits += 1;
            chars.next();
        }
        if exp_digits == 0 {
            return None;
        }
    }
    if chars.next().is_some() {
        return None;
    }
    if plain.ends_with('.') {
        plain.push('0');
    }
    if plain.starts_with('.') {
        plain.insert(0, '0');
    }
    let value: f64 = plain.parse().ok()?;
    Some(if negative { -value } else { value })
}
