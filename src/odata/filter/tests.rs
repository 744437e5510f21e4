//! Tests of the filter builder against real F&O metadata.

use super::*;
use crate::odata::metadata::{ComplexType, Property, Schema, TypeRef, parse_metadata};

const NS: &str = "Microsoft.Dynamics.DataEntities";

fn sales_model() -> Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metadata/fno/fno_trimmed_sales_ntrtd.xml"
    );
    parse_metadata(&std::fs::read(path).unwrap()).unwrap()
}

fn row(field: &str, operator: FilterOperator, value: &str) -> FilterRow {
    FilterRow {
        field: field.into(),
        operator,
        value: value.into(),
    }
}

fn build(group: &FilterGroup) -> Result<Option<String>, FilterError> {
    let model = sales_model();
    let entity = model
        .entity_type(&format!("{NS}.PriceTermJournalTrans"))
        .unwrap();
    build_filter(&model, entity, group)
}

fn one(r: FilterRow) -> Result<Option<String>, FilterError> {
    build(&FilterGroup::of_rows(Combinator::And, [r]))
}

#[test]
fn string_values_are_quoted_with_doubled_quotes() {
    let text = one(row("AgreementId", FilterOperator::Eq, "O'Neil"))
        .unwrap()
        .unwrap();
    assert_eq!(text, "AgreementId eq 'O''Neil'");
    let text = one(row("Color", FilterOperator::Ne, "")).unwrap().unwrap();
    assert_eq!(text, "Color ne ''");
}

#[test]
fn typed_literals_per_field() {
    assert_eq!(
        one(row("Value", FilterOperator::Ge, "12345678901234567890.10"))
            .unwrap()
            .unwrap(),
        "Value ge 12345678901234567890.10"
    );
    assert_eq!(
        one(row("ValidFrom", FilterOperator::Lt, "2024-01-31"))
            .unwrap()
            .unwrap(),
        "ValidFrom lt 2024-01-31T00:00:00Z"
    );
    assert_eq!(
        one(row("CompoundCalculationBasis", FilterOperator::Eq, "yes"))
            .unwrap()
            .unwrap(),
        "CompoundCalculationBasis eq Microsoft.Dynamics.DataEntities.NoYes'Yes'"
    );
}

#[test]
fn string_functions_and_null_checks() {
    let cases = [
        (FilterOperator::Contains, "contains(Color,'it''s')"),
        (FilterOperator::NotContains, "not contains(Color,'it''s')"),
        (FilterOperator::StartsWith, "startswith(Color,'it''s')"),
        (FilterOperator::EndsWith, "endswith(Color,'it''s')"),
        (FilterOperator::IsNull, "Color eq null"),
        (FilterOperator::IsNotNull, "Color ne null"),
    ];
    for (op, expected) in cases {
        assert_eq!(one(row("Color", op, "it's")).unwrap().unwrap(), expected);
    }
    assert_eq!(
        one(row("Value", FilterOperator::IsNull, ""))
            .unwrap()
            .unwrap(),
        "Value eq null"
    );
}

#[test]
fn combines_rows_and_groups() {
    let group = FilterGroup {
        combinator: Combinator::And,
        items: vec![
            FilterNode::Row(row("dataAreaId", FilterOperator::Eq, "usmf")),
            FilterNode::Group(FilterGroup::of_rows(
                Combinator::Or,
                [
                    row("Value", FilterOperator::Gt, "10"),
                    row("Color", FilterOperator::Eq, "Red"),
                ],
            )),
            FilterNode::Group(FilterGroup::of_rows(
                Combinator::Or,
                [row("Size", FilterOperator::Eq, "L")],
            )),
            FilterNode::Group(FilterGroup::default()),
        ],
    };
    assert_eq!(
        build(&group).unwrap().unwrap(),
        "dataAreaId eq 'usmf' and (Value gt 10 or Color eq 'Red') and Size eq 'L'"
    );
    assert_eq!(build(&FilterGroup::default()).unwrap(), None);
}

#[test]
fn errors_are_reported_per_row_with_position() {
    let group = FilterGroup {
        combinator: Combinator::Or,
        items: vec![
            FilterNode::Row(row("Value", FilterOperator::Eq, "12,5")),
            FilterNode::Row(row("Color", FilterOperator::Eq, "ok")),
            FilterNode::Group(FilterGroup::of_rows(
                Combinator::And,
                [
                    row("Nope", FilterOperator::Eq, "x"),
                    row("Value", FilterOperator::Contains, "1"),
                    row("ValidFrom", FilterOperator::Eq, ""),
                    row("CompoundCalculationBasis", FilterOperator::Eq, "Maybe"),
                    row("", FilterOperator::Eq, "x"),
                ],
            )),
        ],
    };
    let err = build(&group).unwrap_err();
    let paths: Vec<Vec<usize>> = err.errors.iter().map(|e| e.path.clone()).collect();
    assert_eq!(
        paths,
        [
            vec![0],
            vec![2, 0],
            vec![2, 1],
            vec![2, 2],
            vec![2, 3],
            vec![2, 4]
        ]
    );
    let messages: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages[0], "row 1: '12,5' is not a valid Edm.Decimal");
    assert_eq!(messages[1], "row 3.1: no such property 'Nope'");
    assert_eq!(
        messages[2],
        "row 3.2: 'contains' only applies to text fields; Value is Edm.Decimal"
    );
    assert_eq!(messages[3], "row 3.3: enter a value for ValidFrom");
    assert!(
        messages[4].contains("'Maybe' is not a member of Microsoft.Dynamics.DataEntities.NoYes")
    );
    assert_eq!(messages[5], "row 3.5: choose a field");
}

#[test]
fn complex_paths_resolve_through_complex_types() {
    let address = ComplexType {
        name: "Address".into(),
        properties: vec![Property {
            name: "Zip".into(),
            type_ref: TypeRef::parse("Edm.Int32"),
            nullable: true,
            max_length: None,
            precision: None,
            scale: None,
            default_value: None,
            annotations: Default::default(),
        }],
        ..Default::default()
    };
    let entity = EntityType {
        name: "Person".into(),
        properties: vec![Property {
            name: "Home".into(),
            type_ref: TypeRef::parse("NS.Address"),
            nullable: true,
            max_length: None,
            precision: None,
            scale: None,
            default_value: None,
            annotations: Default::default(),
        }],
        ..Default::default()
    };
    let model = Model {
        schemas: vec![Schema {
            namespace: "NS".into(),
            entity_types: vec![entity.clone()],
            complex_types: vec![address],
            ..Default::default()
        }],
        ..Default::default()
    };
    let expr = row_expression(
        &model,
        &entity,
        &row("Home/Zip", FilterOperator::Eq, "98052"),
    )
    .unwrap();
    assert_eq!(expr, "Home/Zip eq 98052");
    assert!(matches!(
        row_expression(&model, &entity, &row("Home", FilterOperator::Eq, "{}")),
        Err(RowProblem::NotComparable { .. })
    ));
    assert!(row_expression(&model, &entity, &row("Home/Nope", FilterOperator::Eq, "1")).is_err());
}

#[test]
fn operator_parsing_and_applicability() {
    assert_eq!(
        FilterOperator::parse("NOT  contains"),
        Some(FilterOperator::NotContains)
    );
    assert_eq!(
        FilterOperator::parse("ne null"),
        Some(FilterOperator::IsNotNull)
    );
    assert_eq!(FilterOperator::parse(">="), Some(FilterOperator::Ge));
    assert_eq!(FilterOperator::parse("like"), None);
    let text = ValueKind::Primitive(crate::odata::metadata::EdmPrimitive::String);
    let number = ValueKind::Primitive(crate::odata::metadata::EdmPrimitive::Int32);
    assert!(FilterOperator::Contains.applies_to(&text));
    assert!(!FilterOperator::Contains.applies_to(&number));
    assert!(FilterOperator::Gt.applies_to(&number));
    assert_eq!(
        FilterOperator::for_kind(&text).len(),
        FilterOperator::ALL.len()
    );
    assert!(!FilterOperator::for_kind(&number).contains(&FilterOperator::StartsWith));
    let model = sales_model();
    let entity = model
        .entity_type(&format!("{NS}.PriceTermJournalTrans"))
        .unwrap();
    let fields = filterable_fields(&model, entity);
    assert_eq!(fields.len(), model.all_properties(entity).len());
    let basis = fields
        .iter()
        .find(|(n, _)| n == "CompoundCalculationBasis")
        .unwrap();
    assert_eq!(basis.1.type_name(), "Microsoft.Dynamics.DataEntities.NoYes");
}
