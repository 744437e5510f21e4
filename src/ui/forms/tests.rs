//! Unit tests of the forms' pure logic on a real F&O metadata document.

use serde_json::json;

use super::*;
use crate::odata::client::operations::{OperationKind, OperationTarget};
use crate::odata::filter::{Combinator, FilterOperator};
use crate::odata::metadata::{
    Annotation, Annotations, EntitySet, NavigationProperty, Operation, OperationImport, Parameter,
    Property, TypeRef, parse_metadata,
};
use crate::odata::values::ValueKind;

const NS: &str = "Microsoft.Dynamics.DataEntities";
const SET: &str = "PriceTermJournalTrans";
const ROOT: &str = "https://fno.example/data/";

/// The trimmed F&O sales document, plus (it declares none) a navigation property, bound
/// actions and unbound imports on `PriceTermJournalTrans`.
fn model() -> Model {
    let xml = include_str!("../../../tests/fixtures/metadata/fno/fno_trimmed_sales_ntrtd.xml");
    let mut model = parse_metadata(xml.as_bytes()).expect("fixture parses");
    let schema = &mut model.schemas[0];
    let entity = schema
        .entity_types
        .iter_mut()
        .find(|t| t.name == SET)
        .expect("entity type");
    entity.navigation_properties.push(NavigationProperty {
        name: "GUPPriceTermJournalTable".into(),
        type_ref: TypeRef::parse(&format!("{NS}.DirParameters")),
        nullable: true,
        partner: None,
        contains_target: false,
        referential_constraints: Vec::new(),
        annotations: Annotations::default(),
    });
    let param = |name: &str, ty: &str, nullable: bool| Parameter {
        name: name.into(),
        type_ref: TypeRef::parse(ty),
        nullable,
        max_length: None,
        precision: None,
        scale: None,
        annotations: Annotations::default(),
    };
    let action = |name: &str, bound: bool, params: Vec<Parameter>| Operation {
        name: name.into(),
        is_bound: bound,
        is_composable: false,
        entity_set_path: None,
        parameters: params,
        return_type: None,
        annotations: Annotations::default(),
    };
    schema.actions.push(action(
        "Reprice",
        true,
        vec![
            param("_this", &format!("{NS}.{SET}"), false),
            param("Factor", "Edm.Decimal", false),
            param("From", "Edm.Date", true),
            param("Notify", &format!("{NS}.NoYes"), true),
        ],
    ));
    schema.actions.push(action(
        "RepriceAll",
        true,
        vec![param("_this", &format!("Collection({NS}.{SET})"), false)],
    ));
    schema.actions.push(action(
        "Recalculate",
        false,
        vec![param("Company", "Edm.String", false)],
    ));
    schema.functions.push(action(
        "CountAbove",
        true,
        vec![
            param("_this", &format!("Collection({NS}.{SET})"), false),
            param("Min", "Edm.Decimal", false),
        ],
    ));
    schema.functions.push(action(
        "PriceOn",
        false,
        vec![param("On", "Edm.Date", false)],
    ));
    let container = schema.entity_container.as_mut().expect("container");
    container.action_imports.push(OperationImport {
        name: "Recalculate".into(),
        operation: format!("{NS}.Recalculate"),
        entity_set: None,
    });
    container.function_imports.push(OperationImport {
        name: "PriceOn".into(),
        operation: format!("{NS}.PriceOn"),
        entity_set: None,
    });
    model
}

fn fill_required(form: &mut RecordForm) {
    for (name, text) in [
        ("dataAreaId", "usmf"),
        ("AgreementId", "AG-1"),
        ("LineNum", "3"),
        ("Value", "12.50"),
        ("Code", "DISC"),
        ("ValidFrom", "2024-01-31"),
        ("ValidTo", "2024-12-31T23:59:59Z"),
    ] {
        assert!(form.set_text(name, text), "no field {name}");
    }
}

#[test]
fn field_specs_follow_the_metadata() {
    let model = model();
    let form = RecordForm::create(&model, SET).expect("form");
    let names: Vec<&str> = form.fields().iter().map(FieldInput::name).collect();
    assert_eq!(&names[..3], ["dataAreaId", "AgreementId", "LineNum"]);
    let field = |n: &str| form.field(n).expect(n);
    assert_eq!(field("LineNum").spec.widget(), WidgetKind::Decimal);
    assert_eq!(
        field("CompoundCalculationBasis").spec.widget(),
        WidgetKind::Enum
    );
    assert_eq!(field("ValidFrom").spec.widget(), WidgetKind::DateTime);
    assert_eq!(field("Code").spec.widget(), WidgetKind::Text);
    // `@GlobalUnifiedPricing:…` label ids are not text: the name is the label.
    assert_eq!(field("Code").spec.label, "Code");
    assert_eq!(field("Code").spec.help, None);
    assert!(field("Code").spec.required, "F&O IsRequired");
    assert!(field("ValidTo").spec.required, "non-nullable");
    assert!(!field("Warehouse").spec.required);
    // NoYes member labels are label ids (`@sys5461`), not text.
    assert!(
        field("CompoundCalculationBasis")
            .spec
            .member_labels
            .is_empty()
    );
    let address = RecordForm::create(&model, "CDSPostalAddressHistory").expect("form");
    let timezone = address
        .fields()
        .iter()
        .find(|f| f.spec.facets.type_ref.name.ends_with(".Timezone"))
        .expect("a Timezone field");
    assert_eq!(
        timezone.spec.member_label("GMTMINUS0800PACIFICTIME"),
        Some("(GMT-08:00) Pacific Time (US & Canada)")
    );
}

#[test]
fn labels_and_help_come_from_annotations_only_when_they_are_text() {
    let annotation = |term: &str, value: &str| Annotation::new(term, None, Some(value));
    let property = Property {
        name: "CustName".into(),
        type_ref: TypeRef::parse("Edm.String"),
        nullable: true,
        max_length: Some(4),
        precision: None,
        scale: None,
        default_value: None,
        annotations: Annotations {
            all: vec![
                annotation("Microsoft.Dynamics.OData.Core.V1.LabelId", "Customer name"),
                annotation("Microsoft.Dynamics.OData.Core.V1.HelpTextId", "@SYS99"),
                annotation("Org.OData.Core.V1.Description", "The name on invoices"),
            ],
        },
    };
    let spec = FieldSpec::from_property(&Model::default(), &property);
    assert_eq!(spec.label, "Customer name");
    assert_eq!(spec.help.as_deref(), Some("The name on invoices"));
    let mut field = FieldInput::new(spec);
    field.set_text("abcde");
    assert_eq!(
        field.error.as_deref(),
        Some("5 characters is longer than the maximum of 4")
    );
}

#[test]
fn decimals_are_validated_and_kept_exact() {
    let model = model();
    let mut form = RecordForm::create(&model, SET).expect("form");
    form.set_text("Value", "12,5");
    assert_eq!(
        form.field("Value").and_then(|f| f.error.as_deref()),
        Some("'12,5' is not a valid Edm.Decimal")
    );
    form.set_text("Value", "12345678901234567890.10");
    assert_eq!(form.field("Value").and_then(|f| f.error.clone()), None);
    let value = form
        .field("Value")
        .expect("field")
        .to_json()
        .expect("valid");
    assert_eq!(
        value.map(|v| v.to_string()).as_deref(),
        Some("12345678901234567890.10")
    );
}

#[test]
fn create_body_reports_every_missing_required_field() {
    let model = model();
    let mut form = RecordForm::create(&model, SET).expect("form");
    form.set_text("LineNum", "x");
    let errors = form.to_create_body().expect_err("incomplete");
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    for name in [
        "dataAreaId",
        "AgreementId",
        "LineNum",
        "Value",
        "Code",
        "ValidFrom",
    ] {
        assert!(fields.contains(&name), "{name} missing in {fields:?}");
    }
    assert!(!fields.contains(&"Warehouse"));
    assert_eq!(
        form.field("Code").and_then(|f| f.error.as_deref()),
        Some("Code is required")
    );
    assert_eq!(
        form.field("LineNum").and_then(|f| f.error.as_deref()),
        Some("'x' is not a valid Edm.Decimal")
    );
}

#[test]
fn create_body_is_typed_and_omits_empty_optional_fields() {
    let model = model();
    let mut form = RecordForm::create(&model, SET).expect("form");
    fill_required(&mut form);
    form.set_text("CompoundCalculationBasis", "Yes");
    form.set_text("Warehouse", "");
    let body = form.to_create_body().expect("valid");
    // Exact JSON text in form order: key fields first, numbers as typed.
    assert_eq!(
        serde_json::Value::Object(body).to_string(),
        r#"{"dataAreaId":"usmf","AgreementId":"AG-1","LineNum":3,"Value":12.50,"CompoundCalculationBasis":"Yes","ValidTo":"2024-12-31T23:59:59Z","Code":"DISC","ValidFrom":"2024-01-31T00:00:00Z"}"#
    );
}

#[test]
fn update_sends_only_changed_fields_with_the_etag() {
    let model = model();
    let mut form = RecordForm::update(&model, SET).expect("form");
    assert!(form.field("LineNum").expect("key").spec.read_only);
    let record: serde_json::Value = serde_json::from_str(
        r#"{"@odata.etag": "W/\"JzEsNTYzNzE0NDU3NzsxLDU2MzcxNDQ1Nzcn\"",
            "dataAreaId": "usmf", "AgreementId": "AG-1", "LineNum": 3.0,
            "Value": 1.50, "Code": "DISC", "Warehouse": "WH1", "Site": null,
            "CompoundCalculationBasis": "No",
            "ValidFrom": "2024-01-31T00:00:00Z", "ValidTo": "2024-12-31T23:59:59Z"}"#,
    )
    .expect("json");
    form.load(&record).expect("object");
    assert_eq!(
        form.etag(),
        Some("W/\"JzEsNTYzNzE0NDU3NzsxLDU2MzcxNDQ1Nzcn\"")
    );
    assert_eq!(
        form.field("Value").map(FieldInput::text).as_deref(),
        Some("1.50")
    );
    assert_eq!(form.changed_body().expect("valid"), serde_json::Map::new());

    form.set_text("Value", "1.5"); // same value
    form.set_text("Code", "DISC2");
    form.set_text("Warehouse", "");
    form.set_text("CompoundCalculationBasis", "Yes");
    let body = form.changed_body().expect("valid");
    assert_eq!(
        serde_json::Value::Object(body),
        json!({"Code": "DISC2", "Warehouse": "", "CompoundCalculationBasis": "Yes"})
    );
    assert_eq!(
        form.path().expect("key"),
        "PriceTermJournalTrans(dataAreaId='usmf',AgreementId='AG-1',LineNum=3.0)"
    );
    form.set_text("Value", "abc");
    let errors = form.changed_body().expect_err("bad value");
    assert_eq!(errors[0].0, "Value");
}

#[test]
fn read_only_fields_depend_on_create_or_update() {
    let model = model();
    // DirParameters.Key: AllowEdit=false and AllowEditOnCreate=false.
    let create = RecordForm::create(&model, "DirParameters").expect("form");
    assert!(create.field("Key").expect("key").spec.read_only);
    // AllowEdit=false alone: set on create, locked on update.
    let set = "SalesAutomaticSalesDocumentHeaderCharge"; // type …Charges
    let create = RecordForm::create(&model, set).expect("form");
    let update = RecordForm::update(&model, set).expect("form");
    let name = "ChargingCustomerAccountNumber";
    assert!(!create.field(name).expect("field").spec.read_only);
    assert!(update.field(name).expect("field").spec.read_only);
}

#[test]
fn prefill_copies_editable_values_and_leaves_read_only_fields_empty() {
    let model = model();
    let mut create = RecordForm::create(&model, "DirParameters").expect("form");
    let editable = create
        .fields()
        .iter()
        .find(|f| !f.spec.read_only && f.spec.is_text())
        .expect("an editable text field")
        .name()
        .to_owned();
    let record = json!({"Key": 7, editable.clone(): "copied", "@odata.etag": "W/\"1\""});
    create.prefill(record.as_object().expect("object"));
    assert_eq!(create.field(&editable).expect("field").text(), "copied");
    assert_eq!(create.field("Key").expect("key").text(), "");
    assert!(!create.is_loaded(), "a copy is not a loaded record");
}

#[test]
fn search_and_only_required_filter_the_fields() {
    let model = model();
    let mut form = RecordForm::create(&model, SET).expect("form");
    form.search = "line1".into();
    let shown: Vec<&str> = form
        .fields()
        .iter()
        .filter(|f| form.visible(f))
        .map(FieldInput::name)
        .collect();
    assert_eq!(
        shown,
        [
            "Line11", "Line13", "Line15", "Line1", "Line10", "Line12", "Line14"
        ]
    );
    form.search.clear();
    form.only_required = true;
    assert!(
        form.fields()
            .iter()
            .filter(|f| form.visible(f))
            .all(|f| f.spec.required)
    );
    assert_eq!(form.fields().iter().filter(|f| form.visible(f)).count(), 7);
}

#[test]
fn server_errors_highlight_the_named_field() {
    let model = model();
    let mut form = RecordForm::create(&model, SET).expect("form");
    assert!(form.highlight_field("code"));
    assert!(form.field("Code").expect("field").highlight);
    assert!(!form.highlight_field("Nope"));
    form.clear_highlights();
    assert!(!form.field("Code").expect("field").highlight);
}

#[test]
fn key_form_keeps_comma_and_fields_in_sync() {
    let model = model();
    let mut form = KeyForm::new(&model, SET).expect("form");
    form.set_comma_text("usmf, AG-1 ,3");
    let texts: Vec<String> = form.fields().iter().map(FieldInput::text).collect();
    assert_eq!(texts, ["usmf", "AG-1", "3"]);
    assert_eq!(
        form.url(ROOT).expect("key"),
        "https://fno.example/data/PriceTermJournalTrans(dataAreaId='usmf',AgreementId='AG-1',LineNum=3)"
    );
    assert!(form.set_field("AgreementId", "A,B 'x'"));
    assert_eq!(form.comma_text(), "usmf,\"A,B 'x'\",3");
    let copy = form.comma_text().to_owned();
    form.set_comma_text(&copy);
    assert_eq!(form.fields()[1].text(), "A,B 'x'");
    assert_eq!(
        form.key().expect("key").to_literal(),
        "(dataAreaId='usmf',AgreementId='A,B ''x''',LineNum=3)"
    );
}

#[test]
fn key_form_explains_bad_keys() {
    let model = model();
    let mut form = KeyForm::new(&model, SET).expect("form");
    form.set_comma_text("usmf,AG-1");
    assert_eq!(
        form.key().expect_err("two values"),
        "expected 3 value(s) (dataAreaId, AgreementId, LineNum) but got 2"
    );
    form.set_comma_text("usmf,AG-1,12,5");
    assert!(form.key().is_err());
    form.set_comma_text("usmf,,x");
    assert_eq!(
        form.key().expect_err("bad"),
        "enter a value for AgreementId; LineNum: 'x' is not a valid Edm.Decimal"
    );
    form.fill_from_record(
        json!({"dataAreaId": "dat", "AgreementId": "Z 1", "LineNum": 1.25})
            .as_object()
            .expect("object"),
    );
    assert_eq!(form.comma_text(), "dat,Z 1,1.25");
    assert_eq!(
        form.path().expect("key"),
        "PriceTermJournalTrans(dataAreaId='dat',AgreementId='Z%201',LineNum=1.25)"
    );
}

#[test]
fn join_key_values_quotes_only_when_needed() {
    let values = [
        "a".to_owned(),
        "b,c".to_owned(),
        " d".to_owned(),
        "e\"f".to_owned(),
    ];
    assert_eq!(join_key_values(&values), "a,\"b,c\",\" d\",\"e\"\"f\"");
}

#[test]
fn list_form_builds_query_options_and_the_exact_url() {
    let model = model();
    let mut form = ListForm::new(&model, SET).expect("form");
    form.add_row("Code");
    form.rows[0].row.operator = FilterOperator::Contains;
    form.rows[0].row.value = "A&B".into();
    form.add_row("LineNum");
    form.rows[1].row.operator = FilterOperator::Ge;
    form.rows[1].row.value = "2.50".into();
    form.add_row("CompoundCalculationBasis");
    form.rows[2].row.value = "Yes".into();
    assert!(form.set_selected("Code", true));
    assert!(form.set_selected("LineNum", true));
    assert!(form.set_expanded("GUPPriceTermJournalTable", true));
    form.order.push(OrderRow {
        field: "LineNum".into(),
        descending: true,
    });
    form.top = "10".into();
    form.skip = "20".into();
    form.cross_company = true;
    let options = form.query_options().expect("valid");
    assert_eq!(
        options.filter.as_deref(),
        Some(
            "contains(Code,'A&B') and LineNum ge 2.50 and \
             CompoundCalculationBasis eq Microsoft.Dynamics.DataEntities.NoYes'Yes'"
        )
    );
    assert_eq!(options.select, ["LineNum", "Code"]);
    assert_eq!(options.top, Some(10));
    assert_eq!(
        form.url(ROOT).expect("valid"),
        "https://fno.example/data/PriceTermJournalTrans?\
         $filter=contains(Code,'A%26B')%20and%20LineNum%20ge%202.50%20and%20\
         CompoundCalculationBasis%20eq%20Microsoft.Dynamics.DataEntities.NoYes'Yes'\
         &$select=LineNum,Code&$expand=GUPPriceTermJournalTable&$orderby=LineNum%20desc\
         &$top=10&$skip=20&cross-company=true"
    );
    form.combinator = Combinator::Or;
    form.remove_row(2);
    form.remove_row(0);
    assert_eq!(
        form.query_options().expect("valid").filter.as_deref(),
        Some("LineNum ge 2.50")
    );
}

#[test]
fn list_form_errors_land_on_their_rows() {
    let model = model();
    let mut form = ListForm::new(&model, SET).expect("form");
    form.add_row("Code");
    form.add_row("LineNum");
    form.rows[1].row.value = "12,5".into();
    form.top = "ten".into();
    let errors = form.query_options().expect_err("invalid");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(form.rows[0].error, None);
    assert_eq!(
        form.rows[1].error.as_deref(),
        Some("'12,5' is not a valid Edm.Decimal")
    );
    assert_eq!(
        form.errors,
        ["Top must be a whole number of 0 or more, not 'ten'"]
    );
    // Text operators are not offered for numbers; changing the field resets them.
    assert!(
        !form
            .operators_for("LineNum")
            .contains(&FilterOperator::Contains)
    );
    form.rows[0].row.operator = FilterOperator::StartsWith;
    form.set_row_field(0, "LineNum");
    assert_eq!(form.rows[0].row.operator, FilterOperator::Eq);
    form.raw_mode = true;
    form.raw_filter = " Code eq 'X' ".into();
    form.top.clear();
    let options = form.query_options().expect("raw filter is not checked");
    assert_eq!(options.filter.as_deref(), Some("Code eq 'X'"));
}

#[test]
fn list_form_select_all_respects_the_column_search() {
    let model = model();
    let mut form = ListForm::new(&model, SET).expect("form");
    form.column_search = "line1".into();
    form.select_all(true);
    let options = form.query_options().expect("valid");
    assert_eq!(
        options.select,
        [
            "Line11", "Line13", "Line15", "Line1", "Line10", "Line12", "Line14"
        ]
    );
    form.column_search.clear();
    form.select_all(false);
    assert!(form.query_options().expect("valid").select.is_empty());
}

#[test]
fn action_form_lists_bound_actions_then_imports() {
    let model = model();
    let form = ActionForm::new(&model, SET).expect("form");
    let labels: Vec<String> = form.choices().iter().map(ActionChoice::label).collect();
    assert_eq!(
        labels,
        [
            "Reprice (on a record)",
            "RepriceAll (on the entity set)",
            "CountAbove (function on the entity set)",
            "Recalculate (unbound action)",
            "PriceOn (unbound function)",
        ]
    );
    let reprice = &form.choices()[0];
    let params: Vec<&str> = reprice.parameters.iter().map(FieldInput::name).collect();
    assert_eq!(params, ["Factor", "From", "Notify"]);
    assert!(matches!(
        reprice.parameters[2].spec.kind,
        ValueKind::Enum(_)
    ));
    let other = ActionForm::new(&model, "DirParameters").expect("form");
    assert_eq!(other.choices().len(), 2, "only the unbound imports");
}

#[test]
fn action_form_builds_typed_calls() {
    let model = model();
    let mut form = ActionForm::new(&model, SET).expect("form");
    assert!(form.select("Reprice"));
    let errors = form.to_call().expect_err("no key, no factor");
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["key", "Factor"]);
    form.key.set_comma_text("usmf,AG-1,3");
    assert!(form.set_parameter("Factor", "1.10"));
    assert!(form.set_parameter("Notify", "Yes"));
    let call = form.to_call().expect("valid");
    assert_eq!(
        call.target,
        OperationTarget::Entity {
            entity_set: SET.into(),
            key: "dataAreaId='usmf',AgreementId='AG-1',LineNum=3".into()
        }
    );
    assert_eq!(call.kind, OperationKind::Action);
    assert_eq!(call.body().to_string(), r#"{"Factor":1.10,"Notify":"Yes"}"#);
    assert_eq!(
        form.preview(ROOT).expect("valid"),
        (
            "POST",
            "https://fno.example/data/PriceTermJournalTrans(dataAreaId='usmf',AgreementId='AG-1',LineNum=3)/Microsoft.Dynamics.DataEntities.Reprice".to_owned()
        )
    );

    assert!(form.select("PriceOn"));
    assert!(form.set_parameter("On", "2024-02-29"));
    let call = form.to_call().expect("valid");
    assert_eq!(call.target, OperationTarget::Unbound);
    assert_eq!(call.path(), "PriceOn(On=2024-02-29)");
    assert_eq!(
        form.preview(ROOT).expect("valid"),
        (
            "GET",
            "https://fno.example/data/PriceOn(On=2024-02-29)".to_owned()
        )
    );
    assert!(form.select("CountAbove"));
    assert!(form.set_parameter("Min", "2.50"));
    assert_eq!(
        form.preview(ROOT).expect("valid"),
        (
            "GET",
            "https://fno.example/data/PriceTermJournalTrans/Microsoft.Dynamics.DataEntities.CountAbove(Min=2.50)".to_owned()
        )
    );
    assert!(form.select("RepriceAll"));
    assert_eq!(
        form.to_call().expect("valid").target,
        OperationTarget::EntitySet(SET.into())
    );
}

#[test]
fn forms_refuse_unknown_entity_sets() {
    let model = model();
    assert_eq!(
        RecordForm::create(&model, "Nope").expect_err("unknown"),
        FormError::UnknownEntitySet("Nope".into())
    );
    let mut broken = model.clone();
    if let Some(c) = broken.schemas[0].entity_container.as_mut() {
        c.entity_sets.push(EntitySet {
            name: "Ghost".into(),
            entity_type: format!("{NS}.Ghost"),
            ..EntitySet::default()
        });
    }
    assert!(matches!(
        ListForm::new(&broken, "Ghost"),
        Err(FormError::UnknownEntityType(_))
    ));
}

#[test]
fn list_inputs_round_trip_and_skip_fields_the_entity_lost() {
    let model = model();
    let mut form = ListForm::new(&model, SET).expect("form");
    form.add_row("Code");
    form.rows[0].row.value = "A".into();
    assert!(form.set_selected("LineNum", true));
    assert!(form.set_expanded("GUPPriceTermJournalTable", true));
    form.order.push(OrderRow {
        field: "LineNum".into(),
        descending: true,
    });
    form.top = "10".into();
    form.cross_company = true;
    let mut inputs = form.inputs();
    let url = form.query_options().expect("valid");

    let mut fresh = ListForm::new(&model, SET).expect("form");
    fresh.apply_inputs(&inputs);
    assert_eq!(fresh.inputs(), inputs);
    assert_eq!(fresh.query_options().expect("valid"), url);

    // Saved before a field was removed from the entity: that row, column and order go.
    inputs.rows.push(crate::odata::filter::FilterRow {
        field: "Gone".into(),
        ..Default::default()
    });
    inputs.select.push("Gone".into());
    inputs.order.insert(0, ("Gone".into(), false));
    fresh.apply_inputs(&inputs);
    assert_eq!(fresh.rows.len(), 1);
    assert_eq!(fresh.order.len(), 1);
    assert_eq!(fresh.query_options().expect("valid"), url);

    // Raw mode comes back as raw mode.
    inputs.raw_filter = Some("Code eq 'B'".into());
    fresh.apply_inputs(&inputs);
    assert!(fresh.raw_mode);
    assert_eq!(
        fresh.query_options().expect("valid").filter.as_deref(),
        Some("Code eq 'B'")
    );
}
