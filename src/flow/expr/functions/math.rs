//! Math functions: integers stay integers (`div(11, 5)` = 2), a float makes the result a
//! float (`div(11, 5.0)` = 2.2).

use rand::Rng as _;
use rust_decimal::Decimal;
use serde_json::Value;

use super::{Call, Function, MANY};
use crate::flow::expr::value::{Num, arith, num_cmp};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "add",
        "add(summand_1, summand_2)",
        "The sum of two numbers.",
        2,
        2,
        add
    ),
    function!(
        "sub",
        "sub(minuend, subtrahend)",
        "The first number minus the second.",
        2,
        2,
        sub
    ),
    function!(
        "mul",
        "mul(multiplicand_1, multiplicand_2)",
        "The product of two numbers.",
        2,
        2,
        mul
    ),
    function!(
        "div",
        "div(dividend, divisor)",
        "The quotient (integer division when both are integers).",
        2,
        2,
        div
    ),
    function!(
        "mod",
        "mod(dividend, divisor)",
        "The remainder, with the sign of the dividend.",
        2,
        2,
        modulo
    ),
    function!(
        "min",
        "min(number1, number2, ...) | min([numbers])",
        "The lowest number of a list or an array.",
        1,
        MANY,
        min
    ),
    function!(
        "max",
        "max(number1, number2, ...) | max([numbers])",
        "The highest number of a list or an array.",
        1,
        MANY,
        max
    ),
    function!(
        "rand",
        "rand(minValue, maxValue)",
        "A random integer from minValue (inclusive) to maxValue (exclusive).",
        2,
        2,
        random
    ),
    function!(
        "range",
        "range(startIndex, count)",
        "An array of count integers from startIndex.",
        2,
        2,
        range
    ),
];

fn binary(
    call: &Call,
    int_op: fn(i64, i64) -> Option<i64>,
    dec_op: fn(Decimal, Decimal) -> Option<Decimal>,
    float_op: fn(f64, f64) -> f64,
) -> Result<Value, String> {
    let (a, b) = (call.num(0)?, call.num(1)?);
    arith(a, b, int_op, dec_op, float_op)
        .ok_or_else(|| call.fail("Arithmetic operation resulted in an overflow."))?
        .to_value()
        .map_err(|m| call.fail(m))
}

fn add(call: &Call) -> Result<Value, String> {
    binary(call, i64::checked_add, Decimal::checked_add, |a, b| a + b)
}

fn sub(call: &Call) -> Result<Value, String> {
    binary(call, i64::checked_sub, Decimal::checked_sub, |a, b| a - b)
}

fn mul(call: &Call) -> Result<Value, String> {
    binary(call, i64::checked_mul, Decimal::checked_mul, |a, b| a * b)
}

fn is_zero(n: Num) -> bool {
    n.as_f64() == 0.0
}

fn div(call: &Call) -> Result<Value, String> {
    if is_zero(call.num(1)?) {
        return Err(call.fail("cannot divide by zero"));
    }
    binary(call, i64::checked_div, Decimal::checked_div, |a, b| a / b)
}

fn modulo(call: &Call) -> Result<Value, String> {
    if is_zero(call.num(1)?) {
        return Err(call.fail("cannot divide by zero"));
    }
    binary(call, i64::checked_rem, Decimal::checked_rem, |a, b| a % b)
}

/// The numbers of `min`/`max`: the arguments, or the items of a single array argument.
fn numbers(call: &Call) -> Result<Vec<(Num, Value)>, String> {
    let items: Vec<Value> = match (call.args.len(), call.arg(0)) {
        (1, Value::Array(items)) => items.clone(),
        _ => call.args.clone(),
    };
    if items.is_empty() {
        return Err(call.fail("expected at least one number, found an empty array"));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match Num::of(&item) {
            Some(n) => Ok((n, item)),
            None => Err(call.fail(format!(
                "expected numbers, found {} at position {}",
                crate::flow::expr::value::describe(&item),
                i + 1
            ))),
        })
        .collect()
}

fn extreme(call: &Call, want: std::cmp::Ordering) -> Result<Value, String> {
    let mut best: Option<(Num, Value)> = None;
    for (n, item) in numbers(call)? {
        best = match best {
            Some((b, bv)) if num_cmp(n, b) != Some(want) => Some((b, bv)),
            _ => Some((n, item)),
        };
    }
    Ok(best.map(|(_, v)| v).unwrap_or(Value::Null))
}

fn min(call: &Call) -> Result<Value, String> {
    extreme(call, std::cmp::Ordering::Less)
}

fn max(call: &Call) -> Result<Value, String> {
    extreme(call, std::cmp::Ordering::Greater)
}

fn random(call: &Call) -> Result<Value, String> {
    let (low, high) = (call.int(0)?, call.int(1)?);
    if low >= high {
        return Err(call.fail(format!(
            "minValue ({low}) must be less than maxValue ({high})"
        )));
    }
    Ok(Value::from(rand::rng().random_range(low..high)))
}

fn range(call: &Call) -> Result<Value, String> {
    let (start, count) = (call.int(0)?, call.int(1)?);
    if !(0..=100_000).contains(&count) {
        return Err(call.fail(format!(
            "the count must be between 0 and 100000, found {count}"
        )));
    }
    if start
        .checked_add(count)
        .is_none_or(|end| end > i64::from(i32::MAX))
    {
        return Err(call.fail("startIndex plus count must not exceed 2147483647"));
    }
    Ok(Value::Array(
        (start..start + count).map(Value::from).collect(),
    ))
}
