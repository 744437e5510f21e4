//! Logical comparison and math functions.

use serde_json::json;

use super::{check, check_errors};

#[test]
fn logical_documented_examples() {
    check(&[
        ("and(true, true)", json!(true)),
        ("and(false, true)", json!(false)),
        ("and(false, false)", json!(false)),
        ("and(equals(1, 1), equals(2, 2))", json!(true)),
        ("and(equals(1, 1), equals(1, 2))", json!(false)),
        ("and(equals(1, 2), equals(1, 3))", json!(false)),
        ("equals(true, 1)", json!(true)),
        ("equals('abc', 'abcd')", json!(false)),
        ("greater(10, 5)", json!(true)),
        ("greater('apple', 'banana')", json!(false)),
        ("greaterOrEquals(5, 5)", json!(true)),
        ("greaterOrEquals('apple', 'banana')", json!(false)),
        ("if(equals(1, 1), 'yes', 'no')", json!("yes")),
        ("less(5, 10)", json!(true)),
        ("less('banana', 'apple')", json!(false)),
        ("lessOrEquals(10, 10)", json!(true)),
        ("lessOrEquals('apply', 'apple')", json!(false)),
        ("not(false)", json!(true)),
        ("not(true)", json!(false)),
        ("not(equals(1, 2))", json!(true)),
        ("not(equals(1, 1))", json!(false)),
        ("or(true, false)", json!(true)),
        ("or(false, false)", json!(false)),
        ("or(equals(1, 1), equals(1, 2))", json!(true)),
        ("or(equals(1, 2), equals(1, 3))", json!(false)),
    ]);
}

#[test]
fn logical_edges() {
    check(&[
        ("equals(1, 1.0)", json!(true)),
        ("equals(false, 0)", json!(true)),
        ("equals(null, '')", json!(true)),
        ("equals('a', 'A')", json!(false)),
        ("equals(createArray(1, 2), json('[1, 2.0]'))", json!(true)),
        (
            "equals(json('{\"a\": 1}'), json('{\"a\": 1}'))",
            json!(true),
        ),
        ("equals('1', 1)", json!(false)),
        ("greater(2.5, 2)", json!(true)),
        ("less(null, 'a')", json!(true)),
        ("if(false, 1, createArray(2))", json!([2])),
    ]);
    check_errors(&[
        (
            "and(true, 'x')",
            "and: expected a boolean as argument 2, found the string 'x'",
        ),
        (
            "if(1, 'a', 'b')",
            "if: expected a boolean as argument 1, found the number 1",
        ),
        (
            "greater(1, 'a')",
            "greater: cannot compare the number 1 with the string 'a'",
        ),
    ]);
}

#[test]
fn math_documented_examples() {
    check(&[
        ("add(1, 1.5)", json!(2.5)),
        ("div(10, 5)", json!(2)),
        ("div(11, 5)", json!(2)),
        ("div(11, 5.0)", json!(2.2)),
        ("div(11.0, 5)", json!(2.2)),
        ("max(1, 2, 3)", json!(3)),
        ("max(createArray(1, 2, 3))", json!(3)),
        ("min(1, 2, 3)", json!(1)),
        ("min(createArray(1, 2, 3))", json!(1)),
        ("mod(3, 2)", json!(1)),
        ("mod(-5, 2)", json!(-1)),
        ("mod(4, -3)", json!(1)),
        ("mul(1, 2)", json!(2)),
        // The reference prints 3; the product of a float is a float.
        ("mul(1.5, 2)", json!(3.0)),
        ("range(1, 4)", json!([1, 2, 3, 4])),
        // The reference prints 10; 10.3 - .3 is the float 10.0.
        ("sub(10.3, .3)", json!(10.0)),
    ]);
}

#[test]
fn math_types_and_edges() {
    check(&[
        ("add(1, 2)", json!(3)),
        ("add(1, 2.5)", json!(3.5)),
        ("add(-1, -2)", json!(-3)),
        ("sub(5, 7)", json!(-2)),
        ("mul(2.5, 2.5)", json!(6.25)),
        ("div(-7, 2)", json!(-3)),
        ("mod(5.5, 2)", json!(1.5)),
        ("string(add(0.1, 0.2))", json!("0.30000000000000004")),
        ("string(mul(1.5, 2))", json!("3")),
        // A double too long for 15 digits is still written as .NET writes a double.
        (
            "string(mul(4294967295, 4294967295.0))",
            json!("1.8446744065119617E+19"),
        ),
        ("max(1, 2.5, 2)", json!(2.5)),
        ("range(0, 0)", json!([])),
        ("less(rand(1, 5), 5)", json!(true)),
        ("greaterOrEquals(rand(1, 5), 1)", json!(true)),
        ("rand(3, 4)", json!(3)),
    ]);
    check_errors(&[
        (
            "add(1, 'x')",
            "add: expected a number as argument 2, found the string 'x'",
        ),
        ("div(1, 0)", "div: cannot divide by zero"),
        // Integers do not turn into doubles when they overflow: the cloud fails.
        (
            "add(9223372036854775807, 1)",
            "add: Arithmetic operation resulted in an overflow.",
        ),
        (
            "mul(4294967295, 4294967295)",
            "mul: Arithmetic operation resulted in an overflow.",
        ),
        ("mod(1, 0)", "mod: cannot divide by zero"),
        (
            "rand(5, 1)",
            "rand: minValue (5) must be less than maxValue (1)",
        ),
        (
            "range(1, 100001)",
            "range: the count must be between 0 and 100000",
        ),
        ("max(createArray())", "max: expected at least one number"),
        (
            "min(1, 'a')",
            "min: expected numbers, found the string 'a' at position 2",
        ),
    ]);
}

#[test]
fn if_and_or_evaluate_only_what_decides_the_result() {
    check(&[
        ("if(true, 1, int('not a number'))", json!(1)),
        ("if(false, int('not a number'), 2)", json!(2)),
        (
            "if(lessOrEquals(length('abc'), 5), 'abc', substring('abc', 0, 5))",
            json!("abc"),
        ),
        ("and(false, int('not a number'))", json!(false)),
        ("and(true, true, false, int('x'))", json!(false)),
        ("or(true, int('not a number'))", json!(true)),
        ("or(false, false, true, int('x'))", json!(true)),
        (
            "if(if(true, false, true), int('x'), if(false, int('y'), 4))",
            json!(4),
        ),
    ]);
    check_errors(&[
        ("if(true, int('x'), 2)", "int"),
        ("if(false, 1, int('x'))", "int"),
        ("and(int('x'), false)", "int"),
        ("and(true, true, int('x'))", "int"),
        ("or(false, int('x'))", "int"),
        ("if('yes', 1, 2)", "expected a boolean as argument 1"),
        ("and(1, false)", "expected a boolean as argument 1"),
    ]);
}
