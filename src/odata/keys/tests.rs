//! Tests of key predicates against real F&O metadata and hand-built models.

use super::*;
use crate::odata::metadata::{
    EdmPrimitive, EntityType, Model, Property, Schema, TypeRef, parse_metadata,
};
use crate::odata::values::{EdmDecimal, ValueKind};

const NS: &str = "Microsoft.Dynamics.DataEntities";

fn sales_model() -> Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metadata/fno/fno_trimmed_sales_ntrtd.xml"
    );
    parse_metadata(&std::fs::read(path).unwrap()).unwrap()
}

fn property(name: &str, type_name: &str) -> Property {
    Property {
        name: name.into(),
        type_ref: TypeRef::parse(type_name),
        nullable: false,
        max_length: None,
        precision: None,
        scale: None,
        default_value: None,
        annotations: Default::default(),
    }
}

/// A model with `CustomersV3` (composite string key) and `Things` (single Int32 key).
fn small_model() -> Model {
    let customer = EntityType {
        name: "CustomerV3".into(),
        key: vec!["dataAreaId".into(), "CustomerAccount".into()],
        properties: vec![
            property("dataAreaId", "Edm.String"),
            property("CustomerAccount", "Edm.String"),
            property("Name", "Edm.String"),
        ],
        ..Default::default()
    };
    let thing = EntityType {
        name: "Thing".into(),
        key: vec!["Id".into()],
        properties: vec![property("Id", "Edm.Int32")],
        ..Default::default()
    };
    let account = EntityType {
        name: "Account".into(),
        key: vec!["AccountNum".into()],
        properties: vec![property("AccountNum", "Edm.String")],
        ..Default::default()
    };
    let keyless = EntityType {
        name: "Keyless".into(),
        ..Default::default()
    };
    Model {
        schemas: vec![Schema {
            namespace: NS.into(),
            entity_types: vec![customer, thing, account, keyless],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn key(model: &Model, entity: &str, text: &str) -> Result<KeyPredicate, KeyError> {
    let entity = model.entity_type(&format!("{NS}.{entity}")).unwrap();
    KeyPredicate::parse(model, entity, text)
}

#[test]
fn composite_string_key_from_connector_form() {
    let model = small_model();
    let k = key(&model, "CustomerV3", "usmf,US-001").unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',CustomerAccount='US-001')"
    );
    assert_eq!(
        k.to_path_segment(),
        "(dataAreaId='usmf',CustomerAccount='US-001')"
    );
    let k = key(&model, "CustomerV3", "  usmf ,  US-001  ").unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',CustomerAccount='US-001')"
    );
}

#[test]
fn quoted_values_keep_commas_and_spaces() {
    let model = small_model();
    let k = key(&model, "CustomerV3", r#"usmf,"Contoso, Ltd""#).unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',CustomerAccount='Contoso, Ltd')"
    );
    assert_eq!(
        k.to_path_segment(),
        "(dataAreaId='usmf',CustomerAccount='Contoso,%20Ltd')"
    );
    let k = key(&model, "CustomerV3", "usmf, ' padded '").unwrap();
    assert_eq!(k.parts()[1].1, Value::String(" padded ".into()));
    let k = key(&model, "CustomerV3", r#"usmf,"say ""hi""""#).unwrap();
    assert_eq!(k.parts()[1].1, Value::String(r#"say "hi""#.into()));
}

#[test]
fn single_quotes_in_values_are_doubled() {
    let model = small_model();
    let k = key(&model, "CustomerV3", "usmf,O'Neil").unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',CustomerAccount='O''Neil')"
    );
    let k = key(&model, "CustomerV3", "usmf,'O''Neil'").unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',CustomerAccount='O''Neil')"
    );
}

#[test]
fn wrong_count_names_expected_fields() {
    let model = small_model();
    let err = key(&model, "CustomerV3", "US-001").unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected 2 key value(s) (dataAreaId, CustomerAccount) but got 1"
    );
    assert!(matches!(
        key(&model, "CustomerV3", "a,b,c"),
        Err(KeyError::WrongCount { got: 3, .. })
    ));
}

#[test]
fn quote_errors() {
    let model = small_model();
    assert!(matches!(
        key(&model, "CustomerV3", r#"usmf,"open"#),
        Err(KeyError::UnterminatedQuote(_))
    ));
    assert!(matches!(
        key(&model, "CustomerV3", r#"usmf,"a"b"#),
        Err(KeyError::TextAfterQuote(_))
    ));
}

#[test]
fn single_key_short_form() {
    let model = small_model();
    assert_eq!(
        key(&model, "Account", "US-001").unwrap().to_literal(),
        "('US-001')"
    );
    let k = key(&model, "Thing", "42").unwrap();
    assert_eq!(k.to_literal(), "(42)");
    assert_eq!(k.to_named_literal(), "(Id=42)");
    let err = key(&model, "Thing", "forty-two").unwrap_err();
    assert_eq!(
        err.to_string(),
        "key Id: 'forty-two' is not a valid Edm.Int32"
    );
    assert!(matches!(
        key(&model, "Keyless", "1"),
        Err(KeyError::NoKey(_))
    ));
}

#[test]
fn pasted_odata_predicates_are_understood() {
    let model = small_model();
    let k = key(
        &model,
        "CustomerV3",
        "(CustomerAccount='A,''B',dataAreaId='usmf')",
    )
    .unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',CustomerAccount='A,''B')"
    );
    assert_eq!(
        key(&model, "Account", "('US-001')").unwrap().to_literal(),
        "('US-001')"
    );
    assert_eq!(key(&model, "Thing", "(Id=7)").unwrap().to_literal(), "(7)");
    // Parenthesised text that is not a predicate stays a plain value.
    assert_eq!(
        key(&model, "Account", "(abc)").unwrap().to_literal(),
        "('(abc)')"
    );
    assert_eq!(
        key(&model, "CustomerV3", "(usmf),(x)")
            .unwrap()
            .to_literal(),
        "(dataAreaId='(usmf)',CustomerAccount='(x)')"
    );
    assert!(matches!(
        key(&model, "CustomerV3", "(Foo='x',dataAreaId='usmf')"),
        Err(KeyError::UnknownKeyName(..))
    ));
}

#[test]
fn path_segment_encoding() {
    let k = KeyPredicate::new(vec![(
        "Name".into(),
        Value::String("a/b #?%+&;\"é ü".into()),
    )]);
    assert_eq!(
        k.to_path_segment(),
        "('a%2Fb%20%23%3F%25%2B%26%3B%22%C3%A9%20%C3%BC')"
    );
    assert_eq!(encode_path_segment("Sales Orders"), "Sales%20Orders");
    assert_eq!(
        entity_path(
            "CustomersV3",
            &KeyPredicate::new(vec![("Id".into(), Value::Int32(1))])
        ),
        "CustomersV3(1)"
    );
}

#[test]
fn typed_builder_with_mixed_types() {
    let guid = uuid::Uuid::parse_str("5a8b1c2d-0000-4e5f-9a6b-7c8d9e0f1a2b").unwrap();
    let k = KeyPredicate::new(vec![
        ("Id".into(), Value::Guid(guid)),
        (
            "Day".into(),
            Value::parse_text(&ValueKind::Primitive(EdmPrimitive::Date), "2024-01-31").unwrap(),
        ),
        (
            "Amount".into(),
            Value::Decimal(EdmDecimal::parse("10.50").unwrap()),
        ),
        ("Big".into(), Value::Int64(9_007_199_254_740_993)),
    ]);
    assert_eq!(
        k.to_literal(),
        "(Id=5a8b1c2d-0000-4e5f-9a6b-7c8d9e0f1a2b,Day=2024-01-31,Amount=10.50,Big=9007199254740993)"
    );
}

#[test]
fn real_fno_composite_key_with_decimal_datetime_and_enum() {
    let model = sales_model();
    let entity = model
        .entity_type(&format!("{NS}.WarrantyTransactionSales"))
        .unwrap();
    let text = "usmf,P-1,S1,T1,TX-9,1.000000,2024-01-31T10:00:00Z,cancel,P-2,S2,T2,\"TX,10\",2";
    let k = KeyPredicate::parse(&model, entity, text).unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',WarrantablePartyNumber='P-1',WarrantableStore='S1',\
WarrantableTerminalId='T1',WarrantableTransactionId='TX-9',WarrantableLineNum=1.000000,\
TransactionDateTime=2024-01-31T10:00:00Z,Action=Microsoft.Dynamics.DataEntities.WarrantySalesAction'Cancel',\
WarrantyPartyNumber='P-2',WarrantyStore='S2',WarrantyTerminalId='T2',WarrantyTransactionId='TX,10',\
WarrantyLineNum=2)"
    );
    let err = KeyPredicate::parse(&model, entity, "usmf").unwrap_err();
    assert!(
        err.to_string()
            .contains("expected 13 key value(s) (dataAreaId, WarrantablePartyNumber"),
        "{err}"
    );
    let bad = text.replace("1.000000", "1.5.0");
    let err = KeyPredicate::parse(&model, entity, &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "key WarrantableLineNum: '1.5.0' is not a valid Edm.Decimal"
    );
    let bad_enum = text.replace("cancel", "Refund");
    let err = KeyPredicate::parse(&model, entity, &bad_enum).unwrap_err();
    assert_eq!(
        err.to_string(),
        "key Action: 'Refund' is not a member of Microsoft.Dynamics.DataEntities.WarrantySalesAction (expected one of: Add, Cancel)"
    );
}

#[test]
fn key_from_record_keeps_exact_values() {
    let model = sales_model();
    let entity = model
        .entity_type(&format!("{NS}.PriceTermJournalTrans"))
        .unwrap();
    let record: serde_json::Value = serde_json::from_str(
        r#"{"@odata.etag":"W/\"x\"","dataAreaId":"usmf","AgreementId":"PA/0001","LineNum":12345678901234567890.000001,"Value":5}"#,
    )
    .unwrap();
    let k = KeyPredicate::from_record(&model, entity, record.as_object().unwrap()).unwrap();
    assert_eq!(
        k.to_literal(),
        "(dataAreaId='usmf',AgreementId='PA/0001',LineNum=12345678901234567890.000001)"
    );
    assert_eq!(
        entity_path("PriceTermJournalTrans", &k),
        "PriceTermJournalTrans(dataAreaId='usmf',AgreementId='PA%2F0001',LineNum=12345678901234567890.000001)"
    );
    let mut partial = record.as_object().unwrap().clone();
    partial.remove("LineNum");
    assert_eq!(
        KeyPredicate::from_record(&model, entity, &partial).unwrap_err(),
        KeyError::MissingInRecord("LineNum".into())
    );
}
