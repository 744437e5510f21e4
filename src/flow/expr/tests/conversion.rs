//! Conversion functions, XML included.

use serde_json::json;

use super::{check, check_errors};

#[test]
fn documented_examples() {
    check(&[
        ("array('hello')", json!(["hello"])),
        ("base64('hello')", json!("aGVsbG8=")),
        ("base64ToString('aGVsbG8=')", json!("hello")),
        ("decodeBase64('aGVsbG8=')", json!("hello")),
        (
            "base64ToBinary('aGVsbG8=')",
            json!({"$content-type": "application/octet-stream", "$content": "aGVsbG8="}),
        ),
        ("bool(1)", json!(true)),
        ("bool(0)", json!(false)),
        ("bool(-1)", json!(true)),
        ("bool('true')", json!(true)),
        ("bool('false')", json!(false)),
        (
            "createArray('h', 'e', 'l', 'l', 'o')",
            json!(["h", "e", "l", "l", "o"]),
        ),
        (
            "dataUri('hello')",
            json!("data:text/plain;charset=utf-8;base64,aGVsbG8="),
        ),
        (
            "dataUriToString('data:text/plain;charset=utf-8;base64,aGVsbG8=')",
            json!("hello"),
        ),
        // The reference shows a bit string for dataUriToBinary (the bits of the URI text
        // itself); Logic Apps returns content whose bytes are "hello", as decodeDataUri's
        // documented result says.
        (
            "dataUriToBinary('data:text/plain;charset=utf-8;base64,aGVsbG8=')",
            json!({"$content-type": "text/plain;charset=utf-8", "$content": "aGVsbG8="}),
        ),
        (
            "string(decodeDataUri('data:text/plain;charset=utf-8;base64,aGVsbG8='))",
            json!("hello"),
        ),
        ("decimal('1.2345678912312131')", json!(1.234567891231213)),
        (
            "string(decimal('1.2345678912312131'))",
            json!("1.2345678912312131"),
        ),
        (
            "add(decimal('1.2345678912312131'), decimal('1.2345678912312131'))",
            json!(2.469135782462426),
        ),
        (
            "string(add(decimal('1.2345678912312131'), decimal('1.2345678912312131')))",
            json!("2.4691357824624262"),
        ),
        (
            "decodeUriComponent('https%3A%2F%2Fcontoso.com')",
            json!("https://contoso.com"),
        ),
        (
            "encodeUriComponent('https://contoso.com')",
            json!("https%3A%2F%2Fcontoso.com"),
        ),
        ("float('10,000.333')", json!(10000.333)),
        ("float('10.000,333', 'de-DE')", json!(10000.333)),
        ("float('12,3,4,5678')", json!(12345678.0)),
        ("float('1234567,8+')", json!(12345678.0)),
        ("float('12345,6,78,-')", json!(-12345678.0)),
        ("float('-12,345,678,')", json!(-12345678.0)),
        ("float('12345678.-')", json!(-12345678.0)),
        ("float('.12345678')", json!(0.12345678)),
        ("int('10')", json!(10)),
        ("json('[1, 2, 3]')", json!([1, 2, 3])),
        (
            "json('{\"fullName\": \"Sophia Owen\"}')",
            json!({"fullName": "Sophia Owen"}),
        ),
        ("string(10)", json!("10")),
        // The reference's example passes an object literal, which the language has no
        // syntax for; json() builds the same object. Logic Apps writes compact JSON.
        (
            "string(json('{ \"name\": \"Sophie Owen\" }'))",
            json!("{\"name\":\"Sophie Owen\"}"),
        ),
        (
            "uriComponent('https://contoso.com')",
            json!("https%3A%2F%2Fcontoso.com"),
        ),
        (
            "uriComponentToBinary('https%3A%2F%2Fcontoso.com')",
            json!({"$content-type": "application/octet-stream", "$content": "aHR0cHM6Ly9jb250b3NvLmNvbQ=="}),
        ),
        (
            "uriComponentToString('https%3A%2F%2Fcontoso.com')",
            json!("https://contoso.com"),
        ),
        ("base64(binary('hello'))", json!("aGVsbG8=")),
    ]);
}

#[test]
fn xml_documented_examples() {
    check(&[
        (
            "json(xml('<?xml version=\"1.0\"?> <root> <person id=\"1\"> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> </root>'))",
            json!({"?xml": {"@version": "1.0"}, "root": {"person": {"@id": "1", "name": "Sophia Owen", "occupation": "Engineer"}}}),
        ),
        (
            "json(xml('<?xml version=\"1.0\"?> <root> <person id=\"1\"> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> <person id=\"2\"> <name>John Doe</name> <occupation>Engineer</occupation> </person> </root>'))",
            json!({"?xml": {"@version": "1.0"}, "root": {"person": [
                {"@id": "1", "name": "Sophia Owen", "occupation": "Engineer"},
                {"@id": "2", "name": "John Doe", "occupation": "Engineer"}
            ]}}),
        ),
        (
            "string(xml('<name>Sophia Owen</name>'))",
            json!("<name>Sophia Owen</name>"),
        ),
        (
            "string(xml(json('{ \"name\": \"Sophia Owen\" }')))",
            json!("<name>Sophia Owen</name>"),
        ),
        // The reference prints this indented (and with a typo in the closing tag).
        (
            "string(xml(json('{\"person\": {\"name\": \"Sophia Owen\", \"city\": \"Seattle\"}}')))",
            json!("<person><name>Sophia Owen</name><city>Seattle</city></person>"),
        ),
        (
            "string(xml(json('{\"root\":{\"array\":[{ \"ID\": 1, \"Name\": \"James\" },{ \"ID\": 2, \"Name\": \"John\" }]}}')))",
            json!(
                "<root><array><ID>1</ID><Name>James</Name></array><array><ID>2</ID><Name>John</Name></array></root>"
            ),
        ),
        (
            "xml('<a>1</a>')",
            json!({"$content-type": "application/xml;charset=utf-8", "$content": "PGE+MTwvYT4="}),
        ),
    ]);
    check_errors(&[
        ("xml(json('[1]'))", "xml: expected"),
        ("xml('<a><b></a>')", "xml: the XML is not well formed"),
    ]);
}

/// The reference's `items` XML (its examples 1 to 3 and 7), one line.
const ITEMS: &str = "<?xml version=\"1.0\"?> <produce> <item> <name>Gala</name> <type>apple</type> <count>20</count> </item> <item> <name>Honeycrisp</name> <type>apple</type> <count>10</count> </item> </produce>";

/// `xpath(xml('<ITEMS>'), '<path>')`, the XML and the path quoted as WDL strings.
fn xpath_of(xml: &str, path: &str) -> String {
    format!(
        "xpath(xml('{}'), '{}')",
        xml.replace('\'', "''"),
        path.replace('\'', "''")
    )
}

#[test]
fn xpath_documented_examples() {
    let expired = ITEMS
        .replace("<name>Gala", "<name expired='true' price='12'>Gala")
        .replace(
            "<name>Honeycrisp",
            "<name expired='false' price='40'>Honeycrisp",
        );
    let only_gala = ITEMS.replace("<name>Gala", "<name expired='true'>Gala");
    let located = "<?xml version=\"1.0\"?><file xmlns=\"https://contoso.com\"><location>Paris</location></file>";
    let node = |xml: &str, path: &str, i: usize| format!("string({}[{i}])", xpath_of(xml, path));
    check(&[
        // 1: every matching node, each as XML content.
        (
            &format!("length({})", xpath_of(ITEMS, "/produce/item/name")),
            json!(2),
        ),
        (
            &node(ITEMS, "/produce/item/name", 0),
            json!("<name>Gala</name>"),
        ),
        (
            &node(ITEMS, "/produce/item/name", 1),
            json!("<name>Honeycrisp</name>"),
        ),
        (
            &format!("first({})", xpath_of(ITEMS, "/produce/item/name")),
            json!({"$content-type": "application/xml;charset=utf-8", "$content": "PG5hbWU+R2FsYTwvbmFtZT4="}),
        ),
        // 2, 3: the first and the last `name` of each `item` (XPath 1.0: each item has one).
        (
            &node(ITEMS, "(/produce/item/name)[1]", 0),
            json!("<name>Gala</name>"),
        ),
        (
            &node(ITEMS, "/produce/item/name[last()]", 1),
            json!("<name>Honeycrisp</name>"),
        ),
        (
            &node(ITEMS, "(/produce/item/name)[last()]", 0),
            json!("<name>Honeycrisp</name>"),
        ),
        // 4, 5: by attribute.
        (
            &format!("length({})", xpath_of(&expired, "//name[@expired]")),
            json!(2),
        ),
        (
            &node(&only_gala, "//name[@expired = 'true']", 0),
            json!("<name expired=\"true\">Gala</name>"),
        ),
        (
            &format!(
                "length({})",
                xpath_of(&only_gala, "//name[@expired = 'true']")
            ),
            json!(1),
        ),
        // 6, with the attribute the example means: `@price`.
        (
            &format!(
                "string({}[0])",
                xpath_of(&expired, "//name[@price > 35]/text()")
            ),
            json!("Honeycrisp"),
        ),
        // 7: a number is the number.
        // The page writes 30; an XPath number is a double, 30.0 in the cloud's JSON.
        (&xpath_of(ITEMS, "sum(/produce/item/count)"), json!(30.0)),
        // 8: a default namespace is declared on the node taken out of its document.
        (
            &node(located, "/*[name()=\"file\"]/*[name()=\"location\"]", 0),
            json!("<location xmlns=\"https://contoso.com\">Paris</location>"),
        ),
        (
            &node(
                located,
                "/*[local-name()=\"file\" and namespace-uri()=\"https://contoso.com\"]/*[local-name()=\"location\"]",
                0,
            ),
            json!("<location xmlns=\"https://contoso.com\">Paris</location>"),
        ),
        // 9: a string is the string.
        (
            &xpath_of(
                located,
                "string(/*[name()=\"file\"]/*[name()=\"location\"])",
            ),
            json!("Paris"),
        ),
    ]);
}

#[test]
fn xpath_values_and_nodes_other_than_elements() {
    check(&[
        (&xpath_of(ITEMS, "count(//item)"), json!(2.0)),
        (&xpath_of(ITEMS, "sum(//count) div 4"), json!(7.5)),
        (&xpath_of(ITEMS, "boolean(//type)"), json!(true)),
        (&xpath_of(ITEMS, "//nothing"), json!([])),
        (
            &xpath_of(ITEMS, "//name/text()"),
            json!(["Gala", "Honeycrisp"]),
        ),
        (&xpath_of("<a k='v &amp; w'/>", "/a/@k"), json!(["v & w"])),
        (
            &xpath_of("<a><!--note--></a>", "/a/comment()"),
            json!(["note"]),
        ),
        // `sum()` of an empty element is NaN, as .NET writes it.
        (&xpath_of("<a><x/></a>", "sum(//x)"), json!("NaN")),
        // Indentation is not text: .NET drops whitespace-only text nodes when it loads XML.
        (
            &format!("string({}[0])", xpath_of(ITEMS, "/produce/item[2]")),
            json!("<item><name>Honeycrisp</name><type>apple</type><count>10</count></item>"),
        ),
        (
            &xpath_of(ITEMS, "string(/produce/item[1])"),
            json!("Galaapple20"),
        ),
        (
            &xpath_of("<a> <b> x </b>\n</a>", "string(/a)"),
            json!(" x "),
        ),
        (&xpath_of("<a><b>1</b></a>", "number(/a/b) + 1"), json!(2.0)),
        (
            &format!(
                "string({})",
                xpath_of("<a><b>1</b></a>", "number(/a/b) + 1")
            ),
            json!("2"),
        ),
        // Prefixed names, escapes and empty elements written back as XML.
        (
            &format!(
                "string({}[0])",
                xpath_of(
                    "<r xmlns:p='urn:p'><p:b p:x='1&amp;2'>a &lt; b<c/></p:b></r>",
                    "/r/*"
                )
            ),
            json!("<p:b xmlns:p=\"urn:p\" p:x=\"1&amp;2\">a &lt; b<c /></p:b>"),
        ),
    ]);
    // XML content as a response delivers it (not checked by `xml()` first).
    let content = |text: &str| {
        use base64::Engine as _;
        format!(
            "json('{{\"$content-type\": \"application/xml\", \"$content\": \"{}\"}}')",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    };
    check_errors(&[
        (
            &format!("xpath({}, '/a')", content("<a><b></a>")),
            "xpath: the XML is not well formed at line 1 column",
        ),
        // The position counts from the XML, after a byte order mark.
        (
            &format!("xpath({}, '/a')", content("\u{feff}<a>\n<b></a>")),
            "xpath: the XML is not well formed at line 2 column 6:",
        ),
        // Text is not XML content.
        (
            "xpath('<a/>', '/a')",
            "xpath: expected an XML object (from xml()) as argument 1, found the string '<a/>'",
        ),
        (
            &xpath_of("<a/>", "//b["),
            "xpath: the XPath expression '//b[' is invalid",
        ),
        (
            &xpath_of("<a/>", "//p:b"),
            "xpath: the XPath expression '//p:b' uses the prefix 'p', which has no namespace",
        ),
        (
            &xpath_of(
                &format!("{}{}", "<a>".repeat(300), "</a>".repeat(300)),
                "/a",
            ),
            "xpath: the XML nests elements deeper than 256 levels",
        ),
        (
            &xpath_of("<a/>", &format!("{}1{}", "(".repeat(300), ")".repeat(300))),
            "xpath: the XPath expression nests brackets deeper than 256 levels",
        ),
    ]);
}

#[test]
fn edges() {
    check(&[
        ("int('-42')", json!(-42)),
        ("int(3.0)", json!(3)),
        ("float('1.5')", json!(1.5)),
        ("float(2)", json!(2.0)),
        ("string(true)", json!("True")),
        ("string(null)", json!("")),
        ("string(2.50)", json!("2.5")),
        ("string(createArray(1, 'a'))", json!("[1,\"a\"]")),
        ("json('\"text\"')", json!("text")),
        ("json('12')", json!(12)),
        ("bool('TRUE')", json!(true)),
        (
            "uriComponent('a b&c=d/é~')",
            json!("a%20b%26c%3Dd%2F%C3%A9~"),
        ),
        (
            "dataUriToString('data:,hello%20world')",
            json!("hello world"),
        ),
        ("decimal('10')", json!(10.0)),
    ]);
    check_errors(&[
        ("int('1.5')", "int: '1.5' is not an integer"),
        ("int('abc')", "int: 'abc' is not an integer"),
        (
            "float('abc')",
            "float: 'abc' is not a valid floating-point number",
        ),
        ("bool('maybe')", "bool: 'maybe' is not a boolean"),
        ("json('{oops')", "json: the string is not valid JSON"),
        (
            "base64ToString('***')",
            "base64ToString: '***' is not valid base64",
        ),
        (
            "dataUriToString('hello')",
            "dataUriToString: 'hello' is not a data URI",
        ),
        ("decimal('x1')", "decimal: 'x1' is not a decimal number"),
    ]);
}

#[test]
fn json_takes_only_text_or_xml() {
    check(&[
        ("json(xml('<a>1</a>'))", json!({"a": "1"})),
        (
            "json(base64ToBinary(base64('{\"a\": 1}')))",
            json!({"a": 1}),
        ),
    ]);
    check_errors(&[
        ("json(null)", "json: expected a string or XML, found null"),
        (
            "json(json('{\"a\": 1}'))",
            "json: expected a string or XML, found an object",
        ),
        (
            "json(createArray(1))",
            "json: expected a string or XML, found an array",
        ),
        (
            "json(12)",
            "json: expected a string or XML, found the number 12",
        ),
    ]);
}

#[test]
fn mixed_content_keeps_each_run_of_text_in_its_place() {
    check(&[
        (
            "json(xml('<p>wow<break/>wowow</p>'))",
            json!({"p": {"#text": ["wow", "wowow"], "break": null}}),
        ),
        (
            "json(xml('<root>a<!--b-->c<e/>f</root>'))",
            json!({"root": {"#text": ["a", "c", "f"], "e": null}}),
        ),
        (
            "json(xml('<p><a>1</a>tail</p>'))",
            json!({"p": {"a": "1", "#text": "tail"}}),
        ),
        (
            "json(xml('<p id=\"1\">x</p>'))",
            json!({"p": {"@id": "1", "#text": "x"}}),
        ),
        ("json(xml('<p>a&amp;b</p>'))", json!({"p": "a&b"})),
        // An empty element written out is an empty string; written `<e/>`, null.
        (
            "json(xml('<r><e></e><n/></r>'))",
            json!({"r": {"e": "", "n": null}}),
        ),
        ("json(xml('<root>      </root>'))", json!({"root": ""})),
        (
            "json(xml('<root><![CDATA[a<b]]><![CDATA[c]]></root>'))",
            json!({"root": {"#cdata-section": ["a<b", "c"]}}),
        ),
        (
            "json(xml('<root>a<e><![CDATA[T]]></e>f</root>'))",
            json!({"root": {"#text": ["a", "f"], "e": {"#cdata-section": "T"}}}),
        ),
    ]);
}
