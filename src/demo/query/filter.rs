//! The `$filter` parser: a small OData expression grammar (comparisons, `and`/`or`/`not`,
//! parentheses, `contains`/`startswith`/`endswith`, typed literals) producing an [`Expr`].

use crate::demo::error::ErrorAnswer;
use crate::demo::values::{date_text, datetime_text, guid_text};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CmpOp {
    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
        }
    }

    /// The operator with its operands swapped (`5 lt X` is `X gt 5`).
    pub fn flipped(self) -> Self {
        match self {
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            other => other,
        }
    }
}

/// A string-matching function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFn {
    /// `contains(Field, 'x')`
    Contains,
    /// `startswith(Field, 'x')`
    StartsWith,
    /// `endswith(Field, 'x')`
    EndsWith,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// `'text'`
    String(String),
    /// An integer or decimal number, as written (without type suffix).
    Number(String),
    /// `2024-01-31`
    Date(String),
    /// `2024-01-31T10:00:00Z`, normalised to UTC.
    DateTimeOffset(String),
    /// A GUID, lower-case.
    Guid(String),
    /// `Namespace.Type'Member'`
    Enum {
        /// Qualified type name as written.
        type_name: String,
        /// Member name.
        member: String,
    },
}

/// An operand of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A property of the entity.
    Field(String),
    /// A literal.
    Literal(Literal),
}

/// A boolean filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `left op right`
    Compare(Operand, CmpOp, Operand),
    /// `fn(field, 'text')`
    Call(StringFn, String, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Str(String),
    Word(String),
    Enum(String, String),
}

fn err(message: impl Into<String>) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!(
        "The query specified in the URI is not valid. {}",
        message.into()
    ))
}

fn read_quoted(chars: &[char], mut i: usize) -> Result<(String, usize), ErrorAnswer> {
    // `i` points just after the opening quote.
    let mut text = String::new();
    loop {
        match chars.get(i) {
            None => return Err(err("Unterminated string literal.")),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            Some(c) => {
                text.push(*c);
                i += 1;
            }
        }
    }
}

fn tokenize(input: &str) -> Result<Vec<Token>, ErrorAnswer> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let (text, next) = read_quoted(&chars, i + 1)?;
                tokens.push(Token::Str(text));
                i = next;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !matches!(chars[i], '(' | ')' | ',' | '\'')
                    && !chars[i].is_whitespace()
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&'\'') {
                    if !word.contains('.') {
                        return Err(err(format!(
                            "The literal prefix '{word}' is not supported."
                        )));
                    }
                    let (member, next) = read_quoted(&chars, i + 1)?;
                    tokens.push(Token::Enum(word, member));
                    i = next;
                } else {
                    tokens.push(Token::Word(word));
                }
            }
        }
    }
    Ok(tokens)
}

/// Parses a `$filter` expression.
pub fn parse_filter(input: &str) -> Result<Expr, ErrorAnswer> {
    let tokens = tokenize(input)?;
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser.or()?;
    if parser.pos != parser.tokens.len() {
        return Err(err(format!(
            "Syntax error at position {} in '{input}'.",
            parser.pos
        )));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), ErrorAnswer> {
        match self.next() {
            Some(t) if t == expected => Ok(()),
            _ => Err(err(format!("Expected {what}."))),
        }
    }

    fn or(&mut self) -> Result<Expr, ErrorAnswer> {
        let mut left = self.and()?;
        while self.peek_word() == Some("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ErrorAnswer> {
        let mut left = self.unary()?;
        while self.peek_word() == Some("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ErrorAnswer> {
        if self.peek_word() == Some("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ErrorAnswer> {
        if self.tokens.get(self.pos) == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or()?;
            self.expect(Token::Close, "')'")?;
            return Ok(inner);
        }
        if let Some(call) = self.try_call()? {
            return Ok(call);
        }
        let left = self.operand()?;
        let op = match self.next() {
            Some(Token::Word(w)) => match w.as_str() {
                "eq" => CmpOp::Eq,
                "ne" => CmpOp::Ne,
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                "has" | "in" | "add" | "sub" | "mul" | "div" | "divby" | "mod" => {
                    return Err(err(format!("The operator '{w}' is not supported.")));
                }
                other => {
                    return Err(err(format!(
                        "Expected a comparison operator, found '{other}'."
                    )));
                }
            },
            _ => return Err(err("Expected a comparison operator.")),
        };
        let right = self.operand()?;
        Ok(Expr::Compare(left, op, right))
    }

    fn try_call(&mut self) -> Result<Option<Expr>, ErrorAnswer> {
        let Some(name) = self.peek_word().map(str::to_owned) else {
            return Ok(None);
        };
        if self.tokens.get(self.pos + 1) != Some(&Token::Open) {
            return Ok(None);
        }
        let function = match name.as_str() {
            "contains" => StringFn::Contains,
            "startswith" => StringFn::StartsWith,
            "endswith" => StringFn::EndsWith,
            other => {
                return Err(err(format!("The function '{other}' is not supported.")));
            }
        };
        self.pos += 2;
        let field = match self.next() {
            Some(Token::Word(w)) if is_identifier(&w) => w,
            _ => {
                return Err(err(format!(
                    "The first argument of '{name}' must be a property."
                )));
            }
        };
        self.expect(Token::Comma, "','")?;
        let text = match self.next() {
            Some(Token::Str(s)) => s,
            _ => {
                return Err(err(format!(
                    "The second argument of '{name}' must be a string literal."
                )));
            }
        };
        self.expect(Token::Close, "')'")?;
        Ok(Some(Expr::Call(function, field, text)))
    }

    fn operand(&mut self) -> Result<Operand, ErrorAnswer> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Operand::Literal(Literal::String(s))),
            Some(Token::Enum(type_name, member)) => {
                Ok(Operand::Literal(Literal::Enum { type_name, member }))
            }
            Some(Token::Word(w)) => classify_word(&w),
            Some(Token::Open) => Err(err("Parenthesised operands are not supported.")),
            _ => Err(err("Expected an operand.")),
        }
    }
}

fn is_identifier(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_number(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && !frac.is_empty()
        && frac.chars().all(|c| c.is_ascii_digit())
}

fn classify_word(word: &str) -> Result<Operand, ErrorAnswer> {
    match word {
        "null" => return Ok(Operand::Literal(Literal::Null)),
        "true" => return Ok(Operand::Literal(Literal::Bool(true))),
        "false" => return Ok(Operand::Literal(Literal::Bool(false))),
        _ => {}
    }
    if let Some(guid) = guid_text(word) {
        return Ok(Operand::Literal(Literal::Guid(guid)));
    }
    if is_identifier(word) {
        return Ok(Operand::Field(word.to_owned()));
    }
    if word.contains('/') {
        return Err(err(format!(
            "Property paths ('{word}') are not supported in $filter."
        )));
    }
    let unsuffixed = word.trim_end_matches(['m', 'M', 'd', 'D', 'f', 'F', 'L']);
    if is_number(unsuffixed) {
        return Ok(Operand::Literal(Literal::Number(unsuffixed.to_owned())));
    }
    if let Some(date) = date_text(word).filter(|_| word.len() == 10) {
        return Ok(Operand::Literal(Literal::Date(date)));
    }
    if let Some(dto) = datetime_text(word) {
        return Ok(Operand::Literal(Literal::DateTimeOffset(dto)));
    }
    Err(err(format!("Unrecognized literal or token '{word}'.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_and_literals() {
        let expr = parse_filter(
            "A eq 'x''y' or B gt 1.5 and not (C eq Microsoft.Dynamics.DataEntities.NoYes'Yes')",
        )
        .unwrap();
        let Expr::Or(left, right) = expr else {
            panic!("expected or")
        };
        assert_eq!(
            *left,
            Expr::Compare(
                Operand::Field("A".into()),
                CmpOp::Eq,
                Operand::Literal(Literal::String("x'y".into()))
            )
        );
        assert!(matches!(*right, Expr::And(_, _)));
    }

    #[test]
    fn classifies_dates_guids_and_functions() {
        let expr = parse_filter("D ge 2024-01-31 and T lt 2024-01-31T10:00:00Z and G eq 5f0e7a43-1b2c-4d5e-8f90-123456789abc").unwrap();
        let text = format!("{expr:?}");
        assert!(text.contains("Date(\"2024-01-31\")"));
        assert!(text.contains("DateTimeOffset(\"2024-01-31T10:00:00Z\")"));
        assert!(text.contains("Guid(\"5f0e7a43-1b2c-4d5e-8f90-123456789abc\")"));
        assert!(matches!(
            parse_filter("startswith(Name,'Ab')").unwrap(),
            Expr::Call(StringFn::StartsWith, _, _)
        ));
    }

    #[test]
    fn rejects_unsupported_forms() {
        for bad in [
            "tolower(A) eq 'x'",
            "A has 1",
            "A eq",
            "A/B eq 1",
            "(A eq 1",
            "A eq 1 B",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad} should fail");
        }
    }
}
