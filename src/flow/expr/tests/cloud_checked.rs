//! Results checked against the cloud by IllogicApps' test suite (ScoreUnder/IllogicApps,
//! `IllogicApps.Expression.Execution.Test`): where the function reference is silent, this
//! is how Logic Apps behaves.

use serde_json::json;

use super::{check, check_errors, scope};

#[test]
fn numbers_read_from_text_as_the_cloud_reads_them() {
    check(&[
        // int() reads a double, which must have no fraction.
        ("int('1.0')", json!(1)),
        ("int('  +1,000 ')", json!(1000)),
        (
            "int('100000000000000010')",
            json!(100_000_000_000_000_016_i64),
        ),
        ("int('-9223372036854775809')", json!(i64::MIN)),
        // decimal() takes white space, thousands and a trailing sign, but no exponent.
        ("string(decimal('  +1,000 '))", json!("1000")),
        ("string(decimal('  200- '))", json!("-200")),
        ("string(decimal('5.25'))", json!("5.25")),
        // float() takes a trailing sign (documented) but no parentheses.
        ("float('12345678.-')", json!(-12_345_678.0)),
        // A long double is written as .NET writes it.
        (
            "string(mul(4294967295, 4294967295.0))",
            json!("1.8446744065119617E+19"),
        ),
    ]);
    check_errors(&[
        ("int('1.5')", "'1.5' is not an integer"),
        ("int('3e-50')", "is not an integer"),
        ("int('  200- ')", "is not an integer"),
        (
            "int('9223372036854775807')",
            "out of the range of a 64-bit integer",
        ),
        ("float('(200)')", "is not a valid floating-point number"),
        ("decimal('3e-1')", "is not a decimal number"),
        ("decimal('7e28')", "is not a decimal number"),
        (
            "add(9223372036854775807, 1)",
            "Arithmetic operation resulted in an overflow.",
        ),
    ]);
}

#[test]
fn properties_are_found_whatever_their_case() {
    check(&[
        ("setProperty(json('{\"a\": 1}'), 'A', 2)", json!({"a": 2})),
        (
            "setProperty(json('{\"aAa\": 1, \"AaA\": 2}'), 'aaa', 5)",
            json!({"AaA": 2, "aAa": 5}),
        ),
        // The exact name first; a property set again moves to the end.
        (
            "setProperty(json('{\"a\": 1, \"A\": 5}'), 'A', 2)",
            json!({"a": 1, "A": 2}),
        ),
        (
            "string(setProperty(json('{\"a\":1,\"b\":2,\"c\":3,\"d\":4}'), 'c', 3))",
            json!("{\"a\":1,\"b\":2,\"d\":4,\"c\":3}"),
        ),
        ("removeProperty(json('{\"A\": 1}'), 'a')", json!({})),
        (
            "removeProperty(json('{\"A\": 1, \"a\": 2}'), 'a')",
            json!({"A": 1}),
        ),
    ]);
    check_errors(&[(
        "addProperty(json('{\"a\": 1}'), 'A', 2)",
        "the property 'a' already exists",
    )]);
}

#[test]
fn strings_collections_and_binary_as_the_cloud_gives_them() {
    check(&[
        ("toLower('ıIiİçÇğĞ')", json!("ıiiİççğğ")),
        ("toUpper('ıIiİçÇğĞ')", json!("ıIIİÇÇĞĞ")),
        ("first('')", json!("")),
        ("last('')", json!("")),
        (
            "binary(3.14)",
            json!({"$content-type": "application/octet-stream", "$content": "My4xNA=="}),
        ),
        ("base64(binary(true))", json!("VHJ1ZQ==")),
        (
            "dataUri(json('{\"a\":3}'))",
            json!("data:application/json;charset=utf-8;base64,eyJhIjozfQ=="),
        ),
        // base64 text is kept as written.
        (
            "base64ToBinary('aGVsbG8 gd29ybGQ=')",
            json!({"$content-type": "application/octet-stream", "$content": "aGVsbG8 gd29ybGQ="}),
        ),
        (
            "dataUriToString('data:text/plain;charset=utf-8,abc+def%20ghi')",
            json!("abc def ghi"),
        ),
        (
            "dataUriToBinary('data:base64,dGVzdA==')",
            json!({"$content-type": "text/plain", "$content": "dGVzdA=="}),
        ),
        (
            "dataUriToString('DATA:TEXT/PLAIN;CHARSET=UTF-8;BASE64,dGVzdA==')",
            json!("test"),
        ),
        // Base64 is a flag only when it comes last.
        (
            "dataUriToString('data:text/plain;base64;charset=ascii,dGVzdA==')",
            json!("dGVzdA=="),
        ),
    ]);
    check_errors(&[
        ("length(json('{}'))", "expected an array or a string"),
        ("first(null)", "expected an array or a string"),
        ("toLower(binary('Testing'))", "expected a string"),
        ("trim(xml('<Root>Test</Root>'))", "expected a string"),
        (
            "join(createArray('a'), null)",
            "expected a string as argument 2",
        ),
        ("dataUriToBinary('data:;;,test')", "an empty parameter"),
        (
            "dataUriToBinary('data:text/plain/epic;base64,dGVzdA==')",
            "expected a media type",
        ),
    ]);
}

#[test]
fn number_literals_read_as_the_cloud_reads_them() {
    check(&[
        ("+1.", json!(1.0)),
        (
            "string(9223372036854775809.5)",
            json!("9.223372036854776E+18"),
        ),
        ("-9223372036854775808", json!(i64::MIN)),
    ]);
    for text in [
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
    ] {
        let error = crate::flow::expr::parse(text).expect_err(text);
        assert!(
            error
                .message
                .contains("out of the range of a 64-bit integer"),
            "{error}"
        );
    }
}

#[test]
fn coalesce_stops_at_the_first_value() {
    // What comes after the first value is not evaluated (`int('x')` would fail).
    check(&[
        ("coalesce('hi', int('x'))", json!("hi")),
        ("coalesce(null, 2, int('x'))", json!(2)),
    ]);
    check_errors(&[("coalesce(null, int('x'))", "'x' is not an integer")]);
}

#[test]
fn a_lone_at_sign_is_text() {
    let value = crate::flow::expr::evaluate_value(&json!({"a": "@"}), &scope()).expect("value");
    assert_eq!(value, json!({"a": "@"}));
}

#[test]
fn binary_content_is_no_number_and_not_finite_doubles_are_named() {
    check(&[
        ("isFloat('NaN')", json!(true)),
        ("isFloat('-infINITY', 'de-de')", json!(true)),
        ("isFloat('Infinityx')", json!(false)),
    ]);
    check_errors(&[
        ("int(binary('123'))", "expected a number or a string"),
        ("float(binary('123.0'))", "expected a number or a string"),
        ("decimal(binary('123.0'))", "expected a number or a string"),
        ("float('NaN')", "not finite, which a JSON value cannot hold"),
    ]);
}

#[test]
fn data_uris_keep_base64_as_written_and_name_an_unknown_charset() {
    check(&[
        // Base64 the cloud cannot decode is kept as written by dataUriToBinary.
        (
            "dataUriToBinary('data:text/plain;charset=utf-8;base64,aGVsbG8%20gd29ybGQ=')",
            json!({"$content-type": "text/plain;charset=utf-8", "$content": "aGVsbG8%20gd29ybGQ="}),
        ),
        // White space inside base64 is skipped when the content is read.
        (
            "string(dataUriToBinary('data:text/plain;charset=utf-8;base64,aGVsbG8g d29ybGQ='))",
            json!("hello world"),
        ),
        // Only a charset right after the media type is read.
        (
            "dataUriToString('data:text/plain;test=wow;charset=nope;base64,aGVsbG8gd29ybGQ=')",
            json!("hello world"),
        ),
    ]);
    check_errors(&[
        (
            "dataUriToString('data:text/plain;charset=utf-8;base64,aGVsbG8%20gd29ybGQ=')",
            "is not valid base64",
        ),
        (
            "dataUriToBinary('data:text/plain;charset=martian;base64,aGVsbG8gd29ybGQ=')",
            "'martian' is not a character set .NET reads",
        ),
        (
            "dataUriToString('data:application/json;charset=fake-encoding,  [ 1, 2, 3 ]  ')",
            "'fake-encoding' is not a character set",
        ),
    ]);
}
