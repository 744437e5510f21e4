//! Logical comparison functions. `equals(true, 1)` is true; null compares as ''.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Call, Function, MANY};
use crate::flow::expr::value::{compare, describe, loose_eq};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "equals",
        "equals(object1, object2)",
        "Whether both values are equivalent.",
        2,
        2,
        equals
    ),
    function!(
        "and",
        "and(expression1, expression2, ...)",
        "Whether all expressions are true.",
        1,
        MANY,
        and
    ),
    function!(
        "or",
        "or(expression1, expression2, ...)",
        "Whether at least one expression is true.",
        1,
        MANY,
        or
    ),
    function!(
        "not",
        "not(expression)",
        "Whether the expression is false.",
        1,
        1,
        not
    ),
    function!(
        "if",
        "if(expression, valueIfTrue, valueIfFalse)",
        "One value or the other depending on the expression.",
        3,
        3,
        if_
    ),
    function!(
        "greater",
        "greater(value, compareTo)",
        "Whether the first value is greater than the second.",
        2,
        2,
        greater
    ),
    function!(
        "greaterOrEquals",
        "greaterOrEquals(value, compareTo)",
        "Whether the first value is greater than or equal to the second.",
        2,
        2,
        greater_or_equals
    ),
    function!(
        "less",
        "less(value, compareTo)",
        "Whether the first value is less than the second.",
        2,
        2,
        less
    ),
    function!(
        "lessOrEquals",
        "lessOrEquals(value, compareTo)",
        "Whether the first value is less than or equal to the second.",
        2,
        2,
        less_or_equals
    ),
];

fn equals(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(loose_eq(call.arg(0), call.arg(1))))
}

fn bools(call: &Call) -> Result<Vec<bool>, String> {
    (0..call.args.len()).map(|i| call.bool(i)).collect()
}

fn and(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(bools(call)?.into_iter().all(|b| b)))
}

fn or(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(bools(call)?.into_iter().any(|b| b)))
}

fn not(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(!call.bool(0)?))
}

fn if_(call: &Call) -> Result<Value, String> {
    Ok(if call.bool(0)? {
        call.arg(1).clone()
    } else {
        call.arg(2).clone()
    })
}

fn ordered(call: &Call) -> Result<Ordering, String> {
    compare(call.arg(0), call.arg(1)).ok_or_else(|| {
        call.fail(format!(
            "cannot compare {} with {} (both must be numbers, or both strings)",
            describe(call.arg(0)),
            describe(call.arg(1))
        ))
    })
}

fn greater(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(ordered(call)? == Ordering::Greater))
}

fn greater_or_equals(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(ordered(call)? != Ordering::Less))
}

fn less(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(ordered(call)? == Ordering::Less))
}

fn less_or_equals(call: &Call) -> Result<Value, String> {
    Ok(Value::Bool(ordered(call)? != Ordering::Greater))
}
