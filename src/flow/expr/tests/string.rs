//! String functions: the reference's examples, then edge cases.

use serde_json::json;

use super::{check, check_errors, eval};

#[test]
fn documented_examples() {
    check(&[
        ("toLower('Hello')", json!("hello")),
        ("concat('Sophia', 'Owen')", json!("SophiaOwen")),
        ("concat('Hello', 'World')", json!("HelloWorld")),
        (
            "chunk('abcdefghijklmnopqrstuvwxyz', 10)",
            json!(["abcdefghij", "klmnopqrst", "uvwxyz"]),
        ),
        ("endsWith('hello world', 'world')", json!(true)),
        ("endsWith('hello world', 'universe')", json!(false)),
        ("indexOf('hello world', 'world')", json!(6)),
        ("isFloat('10,000.00')", json!(true)),
        ("isFloat('10.000,00', 'de-DE')", json!(true)),
        ("isInt('10')", json!(true)),
        ("lastIndexOf('hello world hello world', 'world')", json!(18)),
        ("lastIndexOf('hello world hello world', '')", json!(22)),
        ("length('abcd')", json!(4)),
        ("nthIndexOf('123456789123465789', '1', 1)", json!(0)),
        ("nthIndexOf('123456789123465789', '1', 2)", json!(9)),
        ("nthIndexOf('123456789123465789', '12', 2)", json!(9)),
        ("nthIndexOf('123456789123465789', '6', 4)", json!(-1)),
        (
            "replace('the old string', 'old', 'new')",
            json!("the new string"),
        ),
        ("slice('Hello World', 2)", json!("llo World")),
        ("slice('Hello World', 30)", json!("")),
        ("slice('Hello World', 10, 2)", json!("")),
        ("slice('Hello World', 0)", json!("Hello World")),
        ("slice('Hello World', 2, 5)", json!("llo")),
        ("slice('Hello World', 6, 20)", json!("World")),
        ("slice('Hello World', -2)", json!("ld")),
        ("slice('Hello World', 3, -1)", json!("lo Worl")),
        ("slice('Hello World', 3, 3)", json!("")),
        ("split('a_b_c', '_')", json!(["a", "b", "c"])),
        ("split('a_b_c', ' ')", json!(["a_b_c"])),
        ("startsWith('hello world', 'hello')", json!(true)),
        ("startsWith('hello world', 'greetings')", json!(false)),
        ("substring('hello world', 6, 5)", json!("world")),
        ("toLower('Hello World')", json!("hello world")),
        ("toUpper('Hello World')", json!("HELLO WORLD")),
        ("trim(' Hello World  ')", json!("Hello World")),
        (
            "formatNumber(1234567890, '#,##0.00', 'en-US')",
            json!("1,234,567,890.00"),
        ),
        (
            "formatNumber(1234567890, '#,##0.00', 'is-IS')",
            json!("1.234.567.890,00"),
        ),
        ("formatNumber(17.35, 'C2')", json!("$17.35")),
        ("formatNumber(17.35, 'C2', 'is-IS')", json!("17,35 kr")),
    ]);
}

#[test]
fn case_rules_and_edges() {
    check(&[
        // indexOf, lastIndexOf, startsWith, endsWith ignore case; contains and replace do not.
        ("indexOf('Hello World', 'WORLD')", json!(6)),
        ("lastIndexOf('abcABC', 'a')", json!(3)),
        ("startsWith('Hello', 'hE')", json!(true)),
        ("endsWith('Hello', 'LLO')", json!(true)),
        ("replace('Old old', 'old', 'new')", json!("Old new")),
        ("indexOf('abc', 'z')", json!(-1)),
        ("lastIndexOf('', 'a')", json!(-1)),
        ("lastIndexOf('', '')", json!(0)),
        ("nthIndexOf('a-b-c', '-', -1)", json!(3)),
        ("substring('hello', 1)", json!("ello")),
        (
            "concat('n=', 5, ', ok=', true, ', none=', null)",
            json!("n=5, ok=True, none="),
        ),
        ("concat('a', createArray(1, 2))", json!("a[1,2]")),
        ("length(guid())", json!(36)),
        ("length(guid('N'))", json!(32)),
        ("startsWith(guid('B'), '{')", json!(true)),
        ("startsWith(guid('P'), '(')", json!(true)),
        ("isInt('1.5')", json!(false)),
        ("isInt('abc')", json!(false)),
        ("isFloat('abc')", json!(false)),
        ("formatNumber(0.125, 'P1')", json!("12.5%")),
        ("formatNumber(1234.5, 'N1')", json!("1,234.5")),
        ("formatNumber(1234.5, 'F3')", json!("1234.500")),
        ("formatNumber(42, 'D5')", json!("00042")),
        ("formatNumber(255, 'X')", json!("FF")),
        (
            "formatNumber(5551234567, '(###) ###-####')",
            json!("(555) 123-4567"),
        ),
        ("formatNumber(0.5, '#.##')", json!(".5")),
        ("formatNumber(-5, '0;(0)')", json!("(5)")),
        ("formatNumber(0, '0;(0);\"zero\"')", json!("zero")),
        ("formatNumber(0.256, '0.0%')", json!("25.6%")),
        ("formatNumber(1234567, '#,##0,K')", json!("1,235K")),
        ("formatNumber(2.5, '0')", json!("3")),
        ("formatNumber(-1234.567, '#,##0.0')", json!("-1,234.6")),
        ("formatNumber(1234.5, 'C', 'de-DE')", json!("1.234,50 €")),
    ]);
}

#[test]
fn errors_name_the_function_and_argument() {
    check_errors(&[
        (
            "substring('hello', 3, 5)",
            "substring: the start index 3 plus the length 5",
        ),
        (
            "toLower(5)",
            "toLower: expected a string as argument 1, found the number 5",
        ),
        ("guid('Q')", "guid: the format 'Q'"),
        (
            "formatNumber(1.5, 'D')",
            "formatNumber: the format 'D' needs an integer",
        ),
        (
            "formatNumber(1, 'N2', 'xx-YY')",
            "the locale 'xx-YY' is not supported",
        ),
        ("replace('abc', '', 'x')", "must not be empty"),
    ]);
    assert!(eval("nthIndexOf('abc', 'a', 0)").is_err());
}
