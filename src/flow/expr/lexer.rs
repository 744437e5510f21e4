//! Splits expression text into tokens, each with its character column.

use super::error::ExprError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    /// Number text as written (normalised so JSON accepts it: `.5` becomes `0.5`).
    Number(String),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Question,
    End,
}

impl Tok {
    /// How a message names this token: "')'", "the string 'x'", "end of expression".
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("'{name}'"),
            Tok::Number(text) => format!("the number {text}"),
            Tok::Str(text) => format!("the string '{text}'"),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::LBracket => "'['".into(),
            Tok::RBracket => "']'".into(),
            Tok::Comma => "','".into(),
            Tok::Dot => "'.'".into(),
            Tok::Question => "'?'".into(),
            Tok::End => "end of expression".into(),
        }
    }

    /// Whether a value can end with this token (then a following `.` is member access).
    fn ends_value(&self) -> bool {
        matches!(
            self,
            Tok::Ident(_) | Tok::Number(_) | Tok::Str(_) | Tok::RParen | Tok::RBracket
        )
    }
}

/// A token and its 1-based column in the whole text as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub column: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '-'
}

/// Tokenises `text`; `offset` is the number of characters before `text` in the string as
/// written (1 for the `@` of `@add(1, 2)`), so columns point into that string.
pub(crate) fn tokenize(text: &str, offset: usize) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = offset + i + 1;
        let prev_ends_value = tokens.last().is_some_and(|t| t.tok.ends_value());
        let next_is_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '?' => Some(Tok::Question),
            '.' if prev_ends_value || !next_is_digit => Some(Tok::Dot),
            _ => None,
        };
        if let Some(tok) = simple {
            tokens.push(Token { tok, column });
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut value = String::new();
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => {
                        return Err(ExprError::parse(
                            "unterminated string literal: a closing ' is missing",
                            column,
                        ));
                    }
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        value.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(&other) => {
                        value.push(other);
                        j += 1;
                    }
                }
            }
            tokens.push(Token {
                tok: Tok::Str(value),
                column,
            });
            i = j + 1;
        } else if c.is_ascii_digit()
            || c == '.'
            || ((c == '-' || c == '+') && starts_number(&chars, i + 1))
        {
            let (text, end) = lex_number(&chars, i, column)?;
            tokens.push(Token {
                tok: Tok::Number(text),
                column,
            });
            i = end;
        } else if is_ident_start(c) {
            let mut j = i;
            while j < chars.len() && is_ident_char(chars[j]) {
                j += 1;
            }
            tokens.push(Token {
                tok: Tok::Ident(chars[i..j].iter().collect()),
                column,
            });
            i = j;
        } else {
            let hint = if c == '"' {
                " (strings use single quotes)"
            } else {
                ""
            };
            return Err(ExprError::parse(
                format!("unexpected character '{c}'{hint}"),
                column,
            ));
        }
    }
    tokens.push(Token {
        tok: Tok::End,
        column: offset + chars.len() + 1,
    });
    Ok(tokens)
}

fn starts_number(chars: &[char], i: usize) -> bool {
    match chars.get(i) {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.get(i + 1).is_some_and(char::is_ascii_digit),
        _ => false,
    }
}

/// Reads `[-+]digits[.digits][e[+-]digits]` (or `.digits`) from `start`; returns JSON text.
fn lex_number(chars: &[char], start: usize, column: usize) -> Result<(String, usize), ExprError> {
    let mut i = start;
    let mut text = String::new();
    if chars[i] == '-' {
        text.push('-');
        i += 1;
    } else if chars[i] == '+' {
        i += 1;
    }
    let digits = |i: &mut usize, text: &mut String| {
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            text.push(chars[*i]);
            *i += 1;
        }
    };
    if chars.get(i) == Some(&'.') {
        text.push('0');
    } else {
        digits(&mut i, &mut text);
        // JSON refuses leading zeros ("007"); keep the value.
        let sign = usize::from(text.starts_with('-'));
        while text.len() > sign + 1 && text[sign..].starts_with('0') {
            text.remove(sign);
        }
    }
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        text.push('.');
        i += 1;
        digits(&mut i, &mut text);
    } else if chars.get(i) == Some(&'.')
        && !chars
            .get(i + 1)
            .is_some_and(|c| is_ident_start(*c) || *c == '.')
    {
        // `1.` is the double 1.0, as in .NET.
        text.push_str(".0");
        i += 1;
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        let mut exponent = String::from("e");
        if let Some(&sign @ ('+' | '-')) = chars.get(j) {
            exponent.push(sign);
            j += 1;
        }
        if chars.get(j).is_some_and(char::is_ascii_digit) {
            i = j;
            text.push_str(&exponent);
            digits(&mut i, &mut text);
        }
    }
    if chars.get(i).is_some_and(|c| is_ident_start(*c)) {
        return Err(ExprError::parse(
            format!("malformed number: '{}' follows '{text}'", chars[i]),
            column,
        ));
    }
    Ok((text, i))
}
