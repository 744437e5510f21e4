//! The language: literals, calls, member access, null-safe access, slash paths, and parse
//! errors with their columns.

use serde_json::json;

use super::super::{ExprErrorKind, ExprKind, parse};
use super::{check, check_errors, eval};

#[test]
fn literals_and_calls() {
    check(&[
        ("'it''s'", json!("it's")),
        ("''", json!("")),
        ("42", json!(42)),
        ("-7", json!(-7)),
        ("2.50", json!(2.5)),
        (".5", json!(0.5)),
        ("1e3", json!(1000.0)),
        ("true", json!(true)),
        ("FALSE", json!(false)),
        ("null", json!(null)),
        ("ADD(1, 2)", json!(3)),
        ("toupper('a')", json!("A")),
        ("  add( 1 ,2 )  ", json!(3)),
        ("concat('a', concat('b', concat('c', 'd')))", json!("abcd")),
        ("createArray(1, -2, +3)", json!([1, -2, 3])),
    ]);
}

#[test]
fn member_access() {
    check(&[
        ("triggerBody().text", json!("hello")),
        ("triggerBody()['text']", json!("hello")),
        ("triggerBody()?['text']", json!("hello")),
        ("triggerBody()?.text", json!("hello")),
        ("triggerBody().nested.a.b", json!(1)),
        ("triggerBody()['nested']['a']['b']", json!(1)),
        ("variables('list')[1]", json!(2)),
        ("variables('list')?[5]", json!(null)),
        ("createArray('a', 'b')[0]", json!("a")),
        ("json('{\"a\": [{\"b\": \"c\"}]}').a[0].b", json!("c")),
        ("triggerBody()[concat('te', 'xt')]", json!("hello")),
        // Property names fall back to a case-insensitive match.
        ("triggerBody()['TEXT']", json!("hello")),
        ("triggerOutputs().headers.x-ms-id", json!("42")),
        (
            "actions('Get_user').outputs.body.status",
            json!("Succeeded"),
        ),
    ]);
}

#[test]
fn null_safe_access() {
    check(&[
        ("triggerBody()?['missing']", json!(null)),
        ("triggerBody()?['missing']?['deeper']", json!(null)),
        ("triggerBody()?.missing?.deeper", json!(null)),
        (
            "coalesce(triggerBody()?['missing'], 'default')",
            json!("default"),
        ),
        ("json('null')?['a']", json!(null)),
    ]);
    check_errors(&[
        (
            "triggerBody()['missing']",
            "property 'missing' doesn't exist",
        ),
        (
            "triggerBody()?['missing']['deeper']",
            "cannot read property 'deeper' of null",
        ),
        (
            "variables('list')[5]",
            "index 5 is out of range for an array of 3 item(s)",
        ),
        (
            "variables('name')['x']",
            "cannot read property 'x' of the string 'Sophia'",
        ),
    ]);
}

#[test]
fn slash_paths() {
    check(&[
        (
            "outputs('Get_items')?['body/value']",
            json!([{"Name": "A"}, {"Name": "B"}]),
        ),
        ("outputs('Get_items')?['body/value/1/Name']", json!("B")),
        ("body('Get_items')?['value/0/Name']", json!("A")),
        ("outputs('Get_items')?['body/missing']", json!(null)),
        ("json('{\"a/b\": 1, \"a\": {\"b\": 2}}')['a/b']", json!(1)),
        ("triggerBody()?['nested/a/b']", json!(1)),
    ]);
    check_errors(&[(
        "outputs('Get_items')['body/missing']",
        "path 'body/missing'",
    )]);
}

#[test]
fn parse_errors_point_at_the_column() {
    let cases = [
        (
            "add(1, 2",
            9,
            "expected ')' after the arguments of 'add', found end of expression",
        ),
        (
            "add(1 2)",
            7,
            "expected ',' or ')' after an argument of 'add', found the number 2",
        ),
        ("concat('a', 'b", 13, "unterminated string literal"),
        ("foo(1)", 1, "unknown function 'foo'"),
        (
            "add(1)",
            1,
            "add: expected 2 arguments, found 1 (usage: add(summand_1, summand_2))",
        ),
        (
            "utcNow('a', 'b')",
            1,
            "utcNow: expected 0 to 1 arguments, found 2",
        ),
        (
            "triggerBody",
            12,
            "expected '(' after the function name 'triggerBody', found end of expression",
        ),
        ("add(1, 2))", 10, "expected end of expression, found ')'"),
        (
            "triggerBody()?x",
            15,
            "expected '[' or '.' after '?', found 'x'",
        ),
        ("", 1, "expected an expression, found nothing"),
        (
            "add(1, \"2\")",
            8,
            "unexpected character '\"' (strings use single quotes)",
        ),
        (
            "triggerBody()[]",
            15,
            "expected a property name or index inside '[]'",
        ),
        (
            "createArray(1,)",
            15,
            "expected a value or a function call, found ')'",
        ),
    ];
    for (text, column, message) in cases {
        let error = parse(text).expect_err(text);
        assert_eq!(error.kind, ExprErrorKind::Parse, "{text}");
        assert_eq!(error.position, Some(column), "{text}: {error}");
        assert!(error.message.contains(message), "{text}: {error}");
    }
    let error = parse("add(1, 2").unwrap_err();
    assert_eq!(
        error.to_string(),
        "column 9: expected ')' after the arguments of 'add', found end of expression"
    );
}

#[test]
fn eval_errors_name_the_function_and_point_at_the_call() {
    let error = eval("concat('a', add(1, 'x'))").unwrap_err();
    assert_eq!(error.kind, ExprErrorKind::Eval);
    assert_eq!(error.position, Some(13));
    assert_eq!(
        error.to_string(),
        "column 13: add: expected a number as argument 2, found the string 'x'"
    );
}

#[test]
fn the_tree_keeps_canonical_names_and_positions() {
    let expr = parse("TOLOWER(triggerBody()?['a'])").unwrap();
    let ExprKind::Call { name, args } = &expr.kind else {
        panic!("not a call: {expr:?}")
    };
    assert_eq!(name, "toLower");
    assert_eq!(args[0].position, 9);
    assert!(matches!(
        &args[0].kind,
        ExprKind::Member {
            null_safe: true,
            ..
        }
    ));
    assert_eq!(parse("add(1,2)").unwrap(), parse("add(1,2)").unwrap());
    assert_ne!(
        parse("add(1,2)").unwrap(),
        parse(" add(1,2)").unwrap(),
        "positions are part of the tree"
    );
}

#[test]
fn hostile_nesting_is_refused_at_the_limit_with_its_column() {
    // Calls nested 100 000 deep: refused at level 128, not a stack overflow.
    let calls = format!("{}1{}", "string(".repeat(100_000), ")".repeat(100_000));
    let error = parse(&calls).unwrap_err();
    assert_eq!(error.kind, ExprErrorKind::Parse);
    assert!(error.message.contains("deeper than 128 levels"), "{error}");
    // A member chain 100 000 long nests the tree as deeply: refused too, naming where.
    let chain = format!("triggerBody(){}", "?.a".repeat(100_000));
    let error = parse(&chain).unwrap_err();
    assert!(error.message.contains("deeper than 128 levels"), "{error}");
    assert_eq!(error.position, Some(14 + 127 * 3));
    let brackets = format!("variables('list'){}", "[0]".repeat(100_000));
    assert!(parse(&brackets).is_err());
    // Within the limit, long chains and deep calls parse and evaluate.
    let fine = format!("triggerBody(){}", "?.a".repeat(100));
    assert_eq!(eval(&fine).unwrap(), json!(null));
    let deep = format!("{}1{}", "string(".repeat(100), ")".repeat(100));
    assert_eq!(eval(&deep).unwrap(), json!("1"));
}
