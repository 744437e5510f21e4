//! The `$filter` parser: a small OData expression grammar (comparisons, `and`/`or`/`not`,
//! parentheses, `contains`/`startswith`/`endswith`, typed literals) producing an [`Expr`].
//!
//! Hostile input is refused before it can hurt: nesting (parentheses and `not`) deeper than
//! [`MAX_FILTER_DEPTH`] and more than [`MAX_FILTER_TERMS`] comparisons answer 400 naming the
//! limit. `and`/`or` chains are n-ary, so the tree is only as deep as the nesting.

use crate::demo::error::ErrorAnswer;
use crate::demo::values::{date_text, datetime_text, guid_text};

/// How deeply a `$filter` may nest parentheses and `not` (docs/RELIABILITY.md).
pub const MAX_FILTER_DEPTH: usize = 100;
/// How many comparisons and function calls a `$filter` may hold (docs/RELIABILITY.md).
pub const MAX_FILTER_TERMS: usize = 1000;

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
    /// `a or b or …` (at least two items)
    Or(Vec<Expr>),
    /// `a and b and …` (at least two items)
    And(Vec<Expr>),
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
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        terms: 0,
    };
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
    /// Open parentheses and `not`s around the current position.
    depth: usize,
    /// Comparisons and function calls read so far.
    terms: usize,
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
        let mut items = vec![self.and()?];
        while self.peek_word() == Some("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ErrorAnswer> {
        let mut items = vec![self.unary()?];
        while self.peek_word() == Some("and") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// Enters one level of nesting, refusing to go past [`MAX_FILTER_DEPTH`].
    fn nest(&mut self) -> Result<(), ErrorAnswer> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(err(format!(
                "The $filter nests parentheses and 'not' deeper than the limit of {MAX_FILTER_DEPTH} levels (at token {}).",
                self.pos
            )));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, ErrorAnswer> {
        if self.peek_word() == Some("not") {
            self.pos += 1;
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    /// Counts one comparison or call, refusing to go past [`MAX_FILTER_TERMS`].
    fn count_term(&mut self) -> Result<(), ErrorAnswer> {
        self.terms += 1;
        if self.terms > MAX_FILTER_TERMS {
            return Err(err(format!(
                "The $filter has more than the limit of {MAX_FILTER_TERMS} comparisons."
            )));
        }
        Ok(())
    }

    fn comparison(&mut self) -> Result<Expr, ErrorAnswer> {
        if self.tokens.get(self.pos) == Some(&Token::Open) {
            self.pos += 1;
            self.nest()?;
            let inner = self.or()?;
            self.expect(Token::Close, "')'")?;
            self.depth -= 1;
            return Ok(inner);
        }
        self.count_term()?;
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
        let Expr::Or(items) = expr else {
            panic!("expected or")
        };
        let [left, right] = items.as_slice() else {
            panic!("expected two items: {items:?}")
        };
        assert_eq!(
            *left,
            Expr::Compare(
                Operand::Field("A".into()),
                CmpOp::Eq,
                Operand::Literal(Literal::String("x'y".into()))
            )
        );
        assert!(matches!(right, Expr::And(items) if items.len() == 2));
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

    #[test]
    fn nesting_is_refused_past_the_limit_without_recursing_further() {
        let at_limit = format!(
            "{}A eq 1{}",
            "(".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        );
        assert!(parse_filter(&at_limit).is_ok());
        // Far deeper than any stack could recurse: refused at the limit, not overflowed.
        let hostile = format!("{}A eq 1{}", "(".repeat(100_000), ")".repeat(100_000));
        let error = parse_filter(&hostile).unwrap_err();
        assert!(error.message.contains("limit of 100 levels"), "{error:?}");
        let nots = format!("{}A eq 1", "not ".repeat(MAX_FILTER_DEPTH + 1));
        assert!(
            parse_filter(&nots)
                .unwrap_err()
                .message
                .contains("100 levels")
        );
    }

    #[test]
    fn terms_are_counted_and_chains_stay_flat() {
        let terms = |n: usize| vec!["A eq 1"; n].join(" or ");
        let Expr::Or(items) = parse_filter(&terms(MAX_FILTER_TERMS)).unwrap() else {
            panic!("expected or")
        };
        assert_eq!(items.len(), MAX_FILTER_TERMS);
        let error = parse_filter(&terms(MAX_FILTER_TERMS + 1)).unwrap_err();
        assert!(
            error.message.contains("limit of 1000 comparisons"),
            "{error:?}"
        );
    }
}
