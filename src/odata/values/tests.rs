//! Tests of value parsing, JSON conversion, literals and bodies.

use serde_json::json;

use super::*;
use crate::odata::metadata::{EntityType, EnumMember, EnumType, Model, Property, Schema, TypeRef};

const NS: &str = "Microsoft.Dynamics.DataEntities";

fn p(kind: EdmPrimitive) -> ValueKind {
    ValueKind::Primitive(kind)
}

fn no_yes() -> EnumInfo {
    EnumInfo {
        type_name: format!("{NS}.NoYes"),
        is_flags: false,
        members: vec![("No".into(), 0), ("Yes".into(), 1)],
    }
}

fn property(name: &str, type_name: &str) -> Property {
    Property {
        name: name.into(),
        type_ref: TypeRef::parse(type_name),
        nullable: true,
        max_length: None,
        precision: None,
        scale: None,
        default_value: None,
        annotations: Default::default(),
    }
}

fn model() -> Model {
    let enum_type = EnumType {
        name: "NoYes".into(),
        underlying_type: "Edm.Int32".into(),
        is_flags: false,
        members: vec![
            EnumMember {
                name: "No".into(),
                value: 0,
                annotations: Default::default(),
            },
            EnumMember {
                name: "Yes".into(),
                value: 1,
                annotations: Default::default(),
            },
        ],
        annotations: Default::default(),
    };
    let entity = EntityType {
        name: "CustomerV3".into(),
        key: vec!["dataAreaId".into(), "CustomerAccount".into()],
        properties: vec![
            Property {
                max_length: Some(4),
                ..property("dataAreaId", "Edm.String")
            },
            property("CustomerAccount", "Edm.String"),
            Property {
                precision: Some(32),
                scale: Some(12),
                ..property("CreditLimit", "Edm.Decimal")
            },
            property("IsOneTimeCustomer", &format!("{NS}.NoYes")),
            property("RecId", "Edm.Int64"),
            property("Birthday", "Edm.Date"),
        ],
        ..Default::default()
    };
    Model {
        version: "4.0".into(),
        schemas: vec![Schema {
            namespace: NS.into(),
            entity_types: vec![entity],
            enum_types: vec![enum_type],
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn decimal_round_trips_json_exactly() {
    let text = r#"{"v":12345678901234567890.123456789012}"#;
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    let value = Value::from_json(&p(EdmPrimitive::Decimal), &json["v"]).unwrap();
    assert_eq!(value.to_url_literal(), "12345678901234567890.123456789012");
    assert_eq!(json!({ "v": value.to_json() }).to_string(), text);
}

#[test]
fn decimal_from_json_string_and_text_never_goes_through_f64() {
    let from_string = Value::from_json(&p(EdmPrimitive::Decimal), &json!("0.1")).unwrap();
    assert_eq!(from_string.to_json().to_string(), "0.1");
    let from_text = Value::parse_text(&p(EdmPrimitive::Decimal), "0.30").unwrap();
    assert_eq!(from_text.to_json().to_string(), "0.30");
    let big = Value::parse_text(
        &p(EdmPrimitive::Decimal),
        "99999999999999999999999999999999.99",
    )
    .unwrap();
    assert_eq!(
        big.to_json().to_string(),
        "99999999999999999999999999999999.99"
    );
}

#[test]
fn decimal_with_comma_is_rejected_with_clear_message() {
    let err = Value::parse_text(&p(EdmPrimitive::Decimal), "12,5").unwrap_err();
    assert_eq!(err.to_string(), "'12,5' is not a valid Edm.Decimal");
}

#[test]
fn int64_beyond_two_pow_53_is_exact() {
    let big = "9007199254740993"; // 2^53 + 1
    let json: serde_json::Value = serde_json::from_str(big).unwrap();
    let from_number = Value::from_json(&p(EdmPrimitive::Int64), &json).unwrap();
    assert_eq!(from_number, Value::Int64(9_007_199_254_740_993));
    let from_string = Value::from_json(&p(EdmPrimitive::Int64), &json!(big)).unwrap();
    assert_eq!(from_string, from_number);
    assert_eq!(from_number.to_json().to_string(), big);
    assert_eq!(from_number.to_url_literal(), big);
    let max = Value::parse_text(&p(EdmPrimitive::Int64), "9223372036854775807").unwrap();
    assert_eq!(max, Value::Int64(i64::MAX));
}

#[test]
fn integer_ranges_are_checked() {
    let cases = [
        (EdmPrimitive::Byte, "255", true),
        (EdmPrimitive::Byte, "256", false),
        (EdmPrimitive::Byte, "-1", false),
        (EdmPrimitive::SByte, "-128", true),
        (EdmPrimitive::SByte, "128", false),
        (EdmPrimitive::Int16, "32767", true),
        (EdmPrimitive::Int16, "32768", false),
        (EdmPrimitive::Int32, "-2147483648", true),
        (EdmPrimitive::Int32, "2147483648", false),
        (EdmPrimitive::Int64, "9223372036854775808", false),
    ];
    for (kind, text, ok) in cases {
        let result = Value::parse_text(&p(kind), text);
        assert_eq!(result.is_ok(), ok, "{kind:?} {text}: {result:?}");
        if !ok {
            assert!(
                matches!(result, Err(ValueError::OutOfRange { .. })),
                "{text}"
            );
        }
    }
    let err = Value::parse_text(&p(EdmPrimitive::Byte), "300").unwrap_err();
    assert_eq!(
        err.to_string(),
        "300 is out of range for Edm.Byte (0 to 255)"
    );
    assert!(matches!(
        Value::parse_text(&p(EdmPrimitive::Int32), "1.5"),
        Err(ValueError::Invalid { .. })
    ));
    assert_eq!(
        Value::parse_text(&p(EdmPrimitive::Int32), " 42 ").unwrap(),
        Value::Int32(42)
    );
}

#[test]
fn int_from_json_with_fraction_is_rejected() {
    assert!(Value::from_json(&p(EdmPrimitive::Int32), &json!(1.5)).is_err());
    assert!(Value::from_json(&p(EdmPrimitive::Int32), &json!({"a": 1})).is_err());
    assert!(Value::from_json(&p(EdmPrimitive::Boolean), &json!("true")).is_err());
    assert_eq!(
        Value::from_json(&p(EdmPrimitive::Int32), &json!(null)).unwrap(),
        Value::Null
    );
}

#[test]
fn floats_and_special_values() {
    let v = Value::parse_text(&p(EdmPrimitive::Double), "1.5e3").unwrap();
    assert_eq!(v, Value::Double(1500.0));
    assert_eq!(v.to_url_literal(), "1500.0");
    let single = Value::parse_text(&p(EdmPrimitive::Single), "0.1").unwrap();
    assert_eq!(single.to_json().to_string(), "0.1");
    let inf = Value::parse_text(&p(EdmPrimitive::Double), "-INF").unwrap();
    assert_eq!(inf.to_url_literal(), "-INF");
    assert_eq!(inf.to_json(), json!("-INF"));
    assert!(Value::parse_text(&p(EdmPrimitive::Double), "inf").is_err());
    assert!(Value::parse_text(&p(EdmPrimitive::Double), "1,5").is_err());
    assert!(Value::parse_text(&p(EdmPrimitive::Single), "1e100").is_err());
    assert!(Value::parse_text(&p(EdmPrimitive::Double), "1e400").is_err());
    let nan = Value::from_json(&p(EdmPrimitive::Double), &json!("NaN")).unwrap();
    assert_eq!(nan.to_url_literal(), "NaN");
}

#[test]
fn strings_are_quoted_with_doubled_quotes() {
    let v = Value::parse_text(&p(EdmPrimitive::String), "O'Neil's").unwrap();
    assert_eq!(v.to_url_literal(), "'O''Neil''s'");
    assert_eq!(Value::String(String::new()).to_url_literal(), "''");
    // Strings are taken literally, whitespace included.
    assert_eq!(
        Value::parse_text(&p(EdmPrimitive::String), " a ").unwrap(),
        Value::String(" a ".into())
    );
}

#[test]
fn guid_parses_and_is_bare_in_literals() {
    let v = Value::parse_text(
        &p(EdmPrimitive::Guid),
        "5A8B1C2D-0000-4E5F-9A6B-7C8D9E0F1A2B",
    )
    .unwrap();
    assert_eq!(v.to_url_literal(), "5a8b1c2d-0000-4e5f-9a6b-7c8d9e0f1a2b");
    assert_eq!(v.to_json(), json!("5a8b1c2d-0000-4e5f-9a6b-7c8d9e0f1a2b"));
    let err = Value::parse_text(&p(EdmPrimitive::Guid), "not-a-guid").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("'not-a-guid' is not a valid Edm.Guid"),
        "{err}"
    );
}

#[test]
fn dates_times_and_offsets() {
    let date = Value::parse_text(&p(EdmPrimitive::Date), "2024-01-31").unwrap();
    assert_eq!(date.to_url_literal(), "2024-01-31");
    assert_eq!(date.to_json(), json!("2024-01-31"));
    assert!(Value::parse_text(&p(EdmPrimitive::Date), "2024-02-30").is_err());
    assert!(Value::parse_text(&p(EdmPrimitive::Date), "31/01/2024").is_err());

    let time = Value::parse_text(&p(EdmPrimitive::TimeOfDay), "13:05").unwrap();
    assert_eq!(time.to_url_literal(), "13:05:00");
    let time = Value::parse_text(&p(EdmPrimitive::TimeOfDay), "13:05:07.250").unwrap();
    assert_eq!(time.to_url_literal(), "13:05:07.250");

    let dto = |t| {
        Value::parse_text(&p(EdmPrimitive::DateTimeOffset), t)
            .unwrap()
            .to_url_literal()
    };
    assert_eq!(dto("2024-01-31T10:00:00Z"), "2024-01-31T10:00:00Z");
    assert_eq!(
        dto("2024-01-31T10:00:00+02:00"),
        "2024-01-31T10:00:00+02:00"
    );
    assert_eq!(dto("2024-01-31 10:00"), "2024-01-31T10:00:00Z");
    assert_eq!(dto("2024-01-31"), "2024-01-31T00:00:00Z");
    assert_eq!(dto("2024-01-31T10:00:00.5Z"), "2024-01-31T10:00:00.500Z");
    assert!(Value::parse_text(&p(EdmPrimitive::DateTimeOffset), "yesterday").is_err());
}

#[test]
fn duration_and_binary_literals() {
    let d = Value::parse_text(&p(EdmPrimitive::Duration), "P1DT2H").unwrap();
    assert_eq!(d.to_url_literal(), "duration'P1DT2H'");
    assert_eq!(d.to_json(), json!("P1DT2H"));
    let b = Value::parse_text(&p(EdmPrimitive::Binary), "+/+/").unwrap();
    assert_eq!(b, Value::Binary(vec![0xfb, 0xff, 0xbf]));
    assert_eq!(b.to_url_literal(), "binary'-_-_'");
    assert_eq!(b.to_json(), json!("+/+/"));
    assert!(Value::parse_text(&p(EdmPrimitive::Binary), "%%%").is_err());
}

#[test]
fn booleans() {
    assert_eq!(
        Value::parse_text(&p(EdmPrimitive::Boolean), "TRUE").unwrap(),
        Value::Boolean(true)
    );
    assert_eq!(Value::Boolean(false).to_url_literal(), "false");
    assert!(Value::parse_text(&p(EdmPrimitive::Boolean), "maybe").is_err());
}

#[test]
fn enum_values_use_qualified_literals() {
    let kind = ValueKind::Enum(no_yes());
    let v = Value::parse_text(&kind, "yes").unwrap();
    assert_eq!(
        v.to_url_literal(),
        "Microsoft.Dynamics.DataEntities.NoYes'Yes'"
    );
    assert_eq!(v.to_json(), json!("Yes"));
    assert_eq!(
        Value::parse_text(&kind, "0").unwrap().to_json(),
        json!("No")
    );
    assert_eq!(
        Value::from_json(&kind, &json!(1)).unwrap().to_json(),
        json!("Yes")
    );
    assert_eq!(
        Value::parse_text(&kind, "NoYes'No'").unwrap().to_json(),
        json!("No")
    );
    let err = Value::parse_text(&kind, "Maybe").unwrap_err();
    assert_eq!(
        err.to_string(),
        "'Maybe' is not a member of Microsoft.Dynamics.DataEntities.NoYes (expected one of: No, Yes)"
    );
}

#[test]
fn flags_enum_accepts_several_members() {
    let info = EnumInfo {
        type_name: "NS.Color".into(),
        is_flags: true,
        members: vec![("Red".into(), 1), ("Green".into(), 2), ("Blue".into(), 4)],
    };
    let v = Value::parse_text(&ValueKind::Enum(info), "Red, Blue").unwrap();
    assert_eq!(v.to_url_literal(), "NS.Color'Red,Blue'");
}

#[test]
fn complex_and_collection_values_from_json() {
    let kind = ValueKind::Complex {
        type_name: "NS.Address".into(),
        properties: vec![
            ("Zip".into(), p(EdmPrimitive::String)),
            ("Amount".into(), p(EdmPrimitive::Decimal)),
        ],
    };
    let v = Value::parse_text(&kind, r#"{"Zip":"98052","Amount":1.10,"Extra":7}"#).unwrap();
    assert_eq!(
        v,
        Value::Complex(vec![
            ("Zip".into(), Value::String("98052".into())),
            (
                "Amount".into(),
                Value::Decimal(EdmDecimal::parse("1.10").unwrap())
            ),
            ("Extra".into(), Value::Int64(7)),
        ])
    );
    assert_eq!(
        v.to_json().to_string(),
        r#"{"Zip":"98052","Amount":1.10,"Extra":7}"#
    );
    let list = ValueKind::Collection(Box::new(p(EdmPrimitive::Int32)));
    let v = Value::parse_text(&list, "[1, 2, 3]").unwrap();
    assert_eq!(v.to_url_literal(), "[1,2,3]");
    assert!(Value::parse_text(&list, "[1, \"x\"]").is_err());
    assert!(Value::parse_text(&list, "1,2").is_err());
}

#[test]
fn text_round_trips_for_forms() {
    let cases = [
        (EdmPrimitive::Decimal, "-0.000100"),
        (EdmPrimitive::Int64, "-9007199254740993"),
        (EdmPrimitive::Date, "1999-12-31"),
        (EdmPrimitive::DateTimeOffset, "2024-01-31T10:00:00+05:30"),
        (EdmPrimitive::Guid, "00000000-0000-0000-0000-000000000001"),
        (EdmPrimitive::Duration, "P3DT4M"),
    ];
    for (kind, text) in cases {
        assert_eq!(Value::parse_text(&p(kind), text).unwrap().to_text(), text);
    }
    assert_eq!(Value::Null.to_text(), "");
}

#[test]
fn value_kind_resolves_enums_and_collections() {
    let model = model();
    let kind = ValueKind::resolve(&model, &TypeRef::parse(&format!("{NS}.NoYes")));
    assert_eq!(kind, ValueKind::Enum(no_yes()));
    let coll = ValueKind::resolve(&model, &TypeRef::parse("Collection(Edm.Int32)"));
    assert_eq!(coll.type_name(), "Collection(Edm.Int32)");
    assert_eq!(
        ValueKind::resolve(&model, &TypeRef::parse("NS.Missing")),
        ValueKind::Untyped("NS.Missing".into())
    );
}

#[test]
fn build_body_types_every_field() {
    let model = model();
    let entity = model.entity_type(&format!("{NS}.CustomerV3")).unwrap();
    let body = build_body(
        &model,
        entity,
        [
            ("dataAreaId", "usmf"),
            ("CreditLimit", "12345678901234567890.123456789012"),
            ("IsOneTimeCustomer", "Yes"),
            ("RecId", "9007199254740993"),
            ("Birthday", ""),
            ("CustomerAccount", ""),
        ],
    )
    .unwrap();
    assert_eq!(
        serde_json::Value::Object(body).to_string(),
        r#"{"dataAreaId":"usmf","CreditLimit":12345678901234567890.123456789012,"IsOneTimeCustomer":"Yes","RecId":9007199254740993,"Birthday":null,"CustomerAccount":""}"#
    );
}

#[test]
fn build_body_reports_every_bad_field() {
    let model = model();
    let entity = model.entity_type(&format!("{NS}.CustomerV3")).unwrap();
    let err = build_body(
        &model,
        entity,
        vec![
            ("CreditLimit", "12,5"),
            ("Nope", "x"),
            ("IsOneTimeCustomer", "Maybe"),
        ],
    )
    .unwrap_err();
    let fields: Vec<&str> = err.errors.iter().map(FieldError::field).collect();
    assert_eq!(fields, ["CreditLimit", "Nope", "IsOneTimeCustomer"]);
    assert_eq!(
        err.errors[0].to_string(),
        "CreditLimit: '12,5' is not a valid Edm.Decimal"
    );
    assert_eq!(
        err.errors[1].to_string(),
        "Nope: no such property on CustomerV3"
    );
}

#[test]
fn changed_fields_only_returns_differences() {
    let original: serde_json::Value = serde_json::from_str(
        r#"{"@odata.etag":"W/\"1\"","Name":"A","Limit":1.50,"Flag":"No","Tags":[1,2]}"#,
    )
    .unwrap();
    let edited: serde_json::Value = serde_json::from_str(
        r#"{"@odata.etag":"W/\"2\"","Name":"A","Limit":1.5,"Flag":"Yes","Tags":[1,2],"New":null}"#,
    )
    .unwrap();
    let changed = changed_fields(original.as_object().unwrap(), edited.as_object().unwrap());
    assert_eq!(
        serde_json::Value::Object(changed),
        json!({"Flag": "Yes", "New": null})
    );
    let edited_limit: serde_json::Value = serde_json::from_str(r#"{"Limit":1.51}"#).unwrap();
    let changed = changed_fields(
        original.as_object().unwrap(),
        edited_limit.as_object().unwrap(),
    );
    assert_eq!(
        serde_json::Value::Object(changed).to_string(),
        r#"{"Limit":1.51}"#
    );
}

#[test]
fn build_body_checks_facets() {
    let model = model();
    let entity = model.entity_type(&format!("{NS}.CustomerV3")).unwrap();
    let err = build_body(
        &model,
        entity,
        [("dataAreaId", "usmf1"), ("CreditLimit", "1.0000000000001")],
    )
    .unwrap_err();
    let messages: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "dataAreaId: 5 characters is longer than the maximum of 4",
            "CreditLimit: 1.0000000000001 has more than 12 decimal place(s)",
        ]
    );
}
