//! Collection and manipulation functions.

use serde_json::json;

use super::{check, check_errors};

#[test]
fn documented_examples() {
    check(&[
        (
            "chunk(createArray(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 5)",
            json!([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]),
        ),
        ("contains('hello world', 'world')", json!(true)),
        ("contains('hello world', 'universe')", json!(false)),
        ("empty('')", json!(true)),
        ("empty('abc')", json!(false)),
        ("first('hello')", json!("h")),
        ("first(createArray(0, 1, 2))", json!(0)),
        (
            "intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2))",
            json!([1, 2]),
        ),
        ("join(createArray('a', 'b', 'c'), '.')", json!("a.b.c")),
        ("last('abcd')", json!("d")),
        ("last(createArray(0, 1, 2, 3))", json!(3)),
        ("length(createArray(0, 1, 2, 3))", json!(4)),
        ("reverse(createArray(0, 1, 2, 3))", json!([3, 2, 1, 0])),
        ("skip(createArray(0, 1, 2, 3), 1)", json!([1, 2, 3])),
        ("sort(createArray(2, 1, 0, 3))", json!([0, 1, 2, 3])),
        (
            "sort(createArray(json('{ \"first\": \"Amalie\", \"last\": \"Rose\" }'), json('{ \"first\": \"Elise\", \"last\": \"Renee\" }')), 'last')",
            json!([{"first": "Elise", "last": "Renee"}, {"first": "Amalie", "last": "Rose"}]),
        ),
        ("take('abcde', 3)", json!("abc")),
        ("take(createArray(0, 1, 2, 3, 4), 3)", json!([0, 1, 2])),
        (
            "union(createArray(1, 2, 3), createArray(1, 2, 10, 101))",
            json!([1, 2, 3, 10, 101]),
        ),
        ("coalesce(null, true, false)", json!(true)),
        ("coalesce(null, 'hello', 'world')", json!("hello")),
        ("coalesce(null, null, null)", json!(null)),
        // The reference's input says "lastName" but its output shows "surName"; this is
        // what the call does with the input as written.
        (
            "addProperty(json('{ \"firstName\": \"Sophia\", \"lastName\": \"Owen\" }'), 'middleName', 'Anne')",
            json!({"firstName": "Sophia", "lastName": "Owen", "middleName": "Anne"}),
        ),
        (
            "setProperty(json('{ \"customerName\": { \"firstName\": \"Sophia\", \"surName\": \"Owen\" } }'), 'customerName', addProperty(json('{ \"customerName\": { \"firstName\": \"Sophia\", \"surName\": \"Owen\" } }')['customerName'], 'middleName', 'Anne'))",
            json!({"customerName": {"firstName": "Sophia", "surName": "Owen", "middleName": "Anne"}}),
        ),
        (
            "removeProperty(json('{ \"firstName\": \"Sophia\", \"middleName\": \"Anne\", \"surName\": \"Owen\" }'), 'middleName')",
            json!({"firstName": "Sophia", "surName": "Owen"}),
        ),
        (
            "removeProperty(json('{ \"customerName\": { \"firstName\": \"Sophia\", \"middleName\": \"Anne\", \"surName\": \"Owen\" } }')['customerName'], 'middleName')",
            json!({"firstName": "Sophia", "surName": "Owen"}),
        ),
        (
            "setProperty(json('{ \"firstName\": \"Sophia\", \"surName\": \"Owen\" }'), 'surName', 'Hartnett')",
            json!({"firstName": "Sophia", "surName": "Hartnett"}),
        ),
        (
            "setProperty(json('{ \"customerName\": { \"firstName\": \"Sophia\", \"surName\": \"Owen\" } }'), 'customerName', setProperty(json('{ \"customerName\": { \"firstName\": \"Sophia\", \"surName\": \"Owen\" } }')['customerName'], 'surName', 'Hartnett'))",
            json!({"customerName": {"firstName": "Sophia", "surName": "Hartnett"}}),
        ),
    ]);
}

#[test]
fn edges() {
    check(&[
        ("contains(createArray('a', 'b'), 'b')", json!(true)),
        ("contains(json('{\"Key\": 1}'), 'Key')", json!(true)),
        ("contains('Hello', 'hello')", json!(false)),
        ("empty(createArray())", json!(true)),
        ("empty(json('[]'))", json!(true)),
        ("empty(json('{}'))", json!(true)),
        ("empty(null)", json!(true)),
        ("first(json('[]'))", json!(null)),
        ("take(createArray(1, 2), 10)", json!([1, 2])),
        ("skip(createArray(1, 2), 10)", json!([])),
        (
            "union(json('{\"a\": 1, \"b\": 2}'), json('{\"b\": 3}'))",
            json!({"a": 1, "b": 3}),
        ),
        (
            "intersection(json('{\"a\": 1, \"b\": 2}'), json('{\"b\": 2, \"c\": 3}'))",
            json!({"b": 2}),
        ),
        ("sort(createArray('b', 'a', 'C'))", json!(["C", "a", "b"])),
        ("reverse(sort(createArray(3, 1, 2)))", json!([3, 2, 1])),
        ("join(createArray(1, null, 'x'), ',')", json!("1,,x")),
        ("length(variables('list'))", json!(3)),
    ]);
    check_errors(&[
        (
            "addProperty(json('{\"a\": 1}'), 'a', 2)",
            "addProperty: the property 'a' already exists",
        ),
        ("sort(createArray(1, 'a'))", "sort: cannot sort"),
        ("union(createArray(1), json('{}'))", "union"),
        (
            "take(createArray(1), -1)",
            "take: the count must not be negative",
        ),
        (
            "chunk('abc', 0)",
            "chunk: the chunk length must be greater than 0",
        ),
        (
            "join('abc', ',')",
            "join: expected an array as argument 1, found the string 'abc'",
        ),
    ]);
}
