//! Builds an [`Expr`] from tokens; checks function names and argument counts up front.

use serde_json::Value;

use super::ast::{Expr, ExprKind};
use super::error::ExprError;
use super::functions;
use super::lexer::{Tok, Token, tokenize};

/// Parses expression text (without its leading `@`); `offset` is the number of characters
/// before it in the string as written, so error columns point into that string.
pub(crate) fn parse_at(text: &str, offset: usize) -> Result<Expr, ExprError> {
    let tokens = tokenize(text, offset)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if parser.peek().tok == Tok::End {
        return Err(ExprError::parse(
            "expected an expression, found nothing",
            parser.peek().column,
        ));
    }
    let expr = parser.expression()?;
    let next = parser.peek();
    if next.tok != Tok::End {
        return Err(ExprError::parse(
            format!("expected end of expression, found {}", next.tok.describe()),
            next.column,
        ));
    }
    Ok(expr)
}

/// How deeply expressions may nest (function calls, brackets): far beyond what flows use,
/// well within the stack of every thread that evaluates them.
const MAX_DEPTH: usize = 128;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The token list always ends with `End`, and `pos` never passes it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }

    fn expect(&mut self, want: Tok, context: &str) -> Result<Token, ExprError> {
        let token = self.advance();
        if token.tok == want {
            Ok(token)
        } else {
            Err(ExprError::parse(
                format!(
                    "expected {} {context}, found {}",
                    want.describe(),
                    token.tok.describe()
                ),
                token.column,
            ))
        }
    }

    fn expression(&mut self) -> Result<Expr, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(ExprError::parse(
                format!("expressions nest deeper than {MAX_DEPTH} levels here"),
                self.peek().column,
            ));
        }
        self.depth += 1;
        let expr = self.chain();
        self.depth -= 1;
        expr
    }

    /// A value and its member accesses. Each access nests the tree one level deeper (and
    /// evaluation recurses through it), so it counts towards [`MAX_DEPTH`] like a call does.
    fn chain(&mut self) -> Result<Expr, ExprError> {
        let outer = self.depth;
        let chain = self.chain_links();
        self.depth = outer;
        chain
    }

    fn chain_links(&mut self) -> Result<Expr, ExprError> {
        let mut expr = self.primary()?;
        loop {
            let token = self.peek().clone();
            if matches!(token.tok, Tok::Dot | Tok::LBracket | Tok::Question) {
                if self.depth >= MAX_DEPTH {
                    return Err(ExprError::parse(
                        format!(
                            "expressions nest deeper than {MAX_DEPTH} levels here (each '.' or '[]' is a level)"
                        ),
                        token.column,
                    ));
                }
                self.depth += 1;
            }
            match token.tok {
                Tok::Dot => {
                    self.advance();
                    expr = self.dotted(expr, false)?;
                }
                Tok::LBracket => {
                    self.advance();
                    expr = self.indexed(expr, false)?;
                }
                Tok::Question => {
                    self.advance();
                    let next = self.advance();
                    expr = match next.tok {
                        Tok::Dot => self.dotted(expr, true)?,
                        Tok::LBracket => self.indexed(expr, true)?,
                        other => {
                            return Err(ExprError::parse(
                                format!(
                                    "expected '[' or '.' after '?', found {}",
                                    other.describe()
                                ),
                                next.column,
                            ));
                        }
                    };
                }
                _ => return Ok(expr),
            }
        }
    }

    fn dotted(&mut self, target: Expr, null_safe: bool) -> Result<Expr, ExprError> {
        let token = self.advance();
        let name = match token.tok {
            Tok::Ident(name) => name,
            Tok::Number(text) if !text.contains(['.', '-', 'e']) => text,
            other => {
                return Err(ExprError::parse(
                    format!(
                        "expected a property name after '.', found {}",
                        other.describe()
                    ),
                    token.column,
                ));
            }
        };
        let key = Expr {
            kind: ExprKind::Literal(Value::String(name)),
            position: token.column,
        };
        let position = target.position;
        Ok(Expr {
            kind: ExprKind::Member {
                target: Box::new(target),
                key: Box::new(key),
                null_safe,
            },
            position,
        })
    }

    fn indexed(&mut self, target: Expr, null_safe: bool) -> Result<Expr, ExprError> {
        if self.peek().tok == Tok::RBracket {
            return Err(ExprError::parse(
                "expected a property name or index inside '[]', found ']'",
                self.peek().column,
            ));
        }
        let key = self.expression()?;
        self.expect(Tok::RBracket, "to close the index")?;
        let position = target.position;
        Ok(Expr {
            kind: ExprKind::Member {
                target: Box::new(target),
                key: Box::new(key),
                null_safe,
            },
            position,
        })
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let token = self.advance();
        let column = token.column;
        let literal = |value: Value| {
            Ok(Expr {
                kind: ExprKind::Literal(value),
                position: column,
            })
        };
        match token.tok {
            Tok::Str(text) => literal(Value::String(text)),
            // As the cloud reads literals: an integer must fit in 64 bits, any other number
            // is a double.
            Tok::Number(text) if !text.contains(['.', 'e', 'E']) => match text.parse::<i64>() {
                Ok(number) => literal(Value::from(number)),
                Err(_) => Err(ExprError::parse(
                    format!("the number {text} is out of the range of a 64-bit integer"),
                    column,
                )),
            },
            Tok::Number(text) => match text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
            {
                Some(number) => literal(Value::Number(number)),
                None => Err(ExprError::parse(
                    format!("malformed number '{text}'"),
                    column,
                )),
            },
            Tok::Ident(name) => {
                if self.peek().tok != Tok::LParen {
                    match name.to_ascii_lowercase().as_str() {
                        "true" => return literal(Value::Bool(true)),
                        "false" => return literal(Value::Bool(false)),
                        "null" => return literal(Value::Null),
                        _ => {}
                    }
                    let found = self.peek().tok.describe();
                    return Err(ExprError::parse(
                        format!("expected '(' after the function name '{name}', found {found}"),
                        self.peek().column,
                    ));
                }
                self.call(name, column)
            }
            other => Err(ExprError::parse(
                format!(
                    "expected a value or a function call, found {}",
                    other.describe()
                ),
                column,
            )),
        }
    }

    fn call(&mut self, name: String, column: usize) -> Result<Expr, ExprError> {
        let Some(function) = functions::lookup(&name) else {
            return Err(ExprError::parse(
                format!("unknown function '{name}'"),
                column,
            ));
        };
        self.advance(); // '('
        let mut args = Vec::new();
        if self.peek().tok != Tok::RParen {
            loop {
                args.push(self.expression()?);
                let token = self.advance();
                match token.tok {
                    Tok::Comma => continue,
                    Tok::RParen => break,
                    Tok::End => {
                        return Err(ExprError::parse(
                            format!(
                                "expected ')' after the arguments of '{}', found end of expression",
                                function.name
                            ),
                            token.column,
                        ));
                    }
                    other => {
                        return Err(ExprError::parse(
                            format!(
                                "expected ',' or ')' after an argument of '{}', found {}",
                                function.name,
                                other.describe()
                            ),
                            token.column,
                        ));
                    }
                }
            }
        } else {
            self.advance();
        }
        if let Err(message) = function.check_arity(args.len()) {
            return Err(ExprError::parse(message, column));
        }
        Ok(Expr {
            kind: ExprKind::Call {
                name: function.name.to_string(),
                args,
            },
            position: column,
        })
    }
}
