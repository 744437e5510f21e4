//! GUI behaviour of the metadata-generated forms on a real F&O document, driven headless
//! with egui_kittest: typing by label, clicking, and checking what the forms produce.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowbench::odata::client::operations::{OperationKind, OperationTarget};
use flowbench::odata::metadata::{
    Annotations, Model, Operation, OperationImport, Parameter, Property, TypeRef, parse_metadata,
};
use flowbench::ui::forms::{
    ActionForm, FieldInput, FieldSpec, KeyForm, ListForm, RecordForm, action_form_ui,
    fields_grid_ui, key_form_ui, list_form_ui, record_form_ui, record_request_ui,
};

const NS: &str = "Microsoft.Dynamics.DataEntities";
const SET: &str = "PriceTermJournalTrans";
const ROOT: &str = "https://fno.example/data/";

/// The trimmed F&O sales `$metadata` (it declares no actions, so one bound action and one
/// unbound import are added for the action form).
fn model() -> Model {
    let xml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metadata/fno/fno_trimmed_sales_ntrtd.xml"
    ))
    .expect("fixture is in the repository");
    let mut model = parse_metadata(&xml).expect("fixture parses");
    let param = |name: &str, ty: &str, nullable: bool| Parameter {
        name: name.into(),
        type_ref: TypeRef::parse(ty),
        nullable,
        max_length: None,
        precision: None,
        scale: None,
        annotations: Annotations::default(),
    };
    let operation = |name: &str, bound: bool, parameters: Vec<Parameter>| Operation {
        name: name.into(),
        is_bound: bound,
        is_composable: false,
        entity_set_path: None,
        parameters,
        return_type: None,
        annotations: Annotations::default(),
    };
    let schema = &mut model.schemas[0];
    schema.actions.push(operation(
        "Reprice",
        true,
        vec![
            param("_this", &format!("{NS}.{SET}"), false),
            param("Factor", "Edm.Decimal", false),
            param("Notify", &format!("{NS}.NoYes"), true),
        ],
    ));
    schema.actions.push(operation(
        "Recalculate",
        false,
        vec![param("Company", "Edm.String", false)],
    ));
    schema
        .entity_container
        .as_mut()
        .expect("container")
        .action_imports
        .push(OperationImport {
            name: "Recalculate".into(),
            operation: format!("{NS}.Recalculate"),
            entity_set: None,
        });
    model
}

fn harness<S: 'static>(state: S, draw: fn(&mut egui::Ui, &mut S)) -> Harness<'static, S> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1100.0, 2400.0))
        .build_ui_state(
            move |ui, state: &mut S| {
                draw(ui, state);
            },
            state,
        );
    harness.run();
    harness
}

/// Focuses the text input named `label` and types `text` into it.
fn type_into<S>(harness: &mut Harness<'_, S>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

/// Opens the dropdown named `label` and clicks the entry `entry`.
fn choose<S>(harness: &mut Harness<'_, S>, label: &str, entry: &str) {
    harness.get_by_role_and_label(Role::ComboBox, label).click();
    harness.run();
    // Long lists scroll inside the popup: bring the entry into view first.
    harness.get_by_label(entry).scroll_to_me();
    harness.run();
    harness.get_by_label(entry).click();
    harness.run();
}

fn create_harness() -> Harness<'static, RecordForm> {
    let form = RecordForm::create(&model(), SET).expect("form");
    harness(form, record_form_ui)
}

#[test]
fn create_form_marks_required_fields_and_shows_validation_messages() {
    let mut harness = create_harness();
    let required = harness
        .state()
        .fields()
        .iter()
        .filter(|f| f.spec.required)
        .count();
    assert_eq!(required, 7);
    assert_eq!(harness.query_all_by_label("*").count(), required);

    type_into(&mut harness, "Value", "12,5");
    harness.get_by_label("'12,5' is not a valid Edm.Decimal");
    assert!(
        harness
            .state()
            .field("Value")
            .expect("field")
            .error
            .is_some()
    );

    // Submitting shows every missing required field under it.
    let errors = harness
        .state_mut()
        .to_create_body()
        .expect_err("incomplete");
    assert_eq!(errors.len(), 7, "{errors:?}");
    harness.run();
    harness.get_by_label("Code is required");
}

#[test]
fn create_form_produces_an_exact_typed_body() {
    let mut harness = create_harness();
    for (label, text) in [
        ("dataAreaId", "usmf"),
        ("AgreementId", "AG-1"),
        ("LineNum", "3"),
        ("Value", "12.50"),
        ("Code", "DISC"),
        ("ValidFrom", "2024-01-31"),
        ("ValidTo", "2024-12-31"),
        ("ValidTo time", "23:59:59Z"),
    ] {
        type_into(&mut harness, label, text);
    }
    choose(&mut harness, "CompoundCalculationBasis", "Yes");
    choose(&mut harness, "LineExclusionType", "ProductVariant");
    let body = harness.state_mut().to_create_body().expect("valid");
    assert_eq!(
        serde_json::Value::Object(body).to_string(),
        r#"{"dataAreaId":"usmf","AgreementId":"AG-1","LineNum":3,"Value":12.50,"CompoundCalculationBasis":"Yes","ValidTo":"2024-12-31T23:59:59Z","LineExclusionType":"ProductVariant","Code":"DISC","ValidFrom":"2024-01-31T00:00:00Z"}"#
    );
}

#[test]
fn show_only_required_and_search_narrow_the_form() {
    let mut harness = create_harness();
    assert!(harness.query_by_label("Warehouse").is_some());
    harness.get_by_label("Show only required").click();
    harness.run();
    assert!(harness.state().only_required);
    assert!(harness.query_by_label("Warehouse").is_none());
    harness.get_by_label("Code");
    harness.get_by_label("Show only required").click();
    harness.run();
    type_into(&mut harness, "Search fields", "ware");
    harness.get_by_label("Warehouse");
    assert!(harness.query_by_label("Code").is_none());
}

#[test]
fn update_form_locks_key_fields_and_sends_only_changes() {
    let mut form = RecordForm::update(&model(), SET).expect("form");
    let record: serde_json::Value = serde_json::from_str(
        r#"{"@odata.etag": "W/\"Jzk5Jw==\"", "dataAreaId": "usmf", "AgreementId": "AG-1",
            "LineNum": 3, "Value": 1.50, "Code": "DISC", "Warehouse": "WH1",
            "ValidFrom": "2024-01-31T00:00:00Z", "ValidTo": "2024-12-31T23:59:59Z"}"#,
    )
    .expect("json");
    form.load(&record).expect("object");
    let mut harness = harness(form, record_form_ui);
    harness.get_by_label("ETag W/\"Jzk5Jw==\"");

    let key = harness.get_by_role_and_label(Role::TextInput, "AgreementId");
    assert!(
        key.accesskit_node().is_disabled(),
        "key fields are read-only on update"
    );
    type_into(&mut harness, "AgreementId", "X");
    assert_eq!(
        harness.state().field("AgreementId").expect("field").text(),
        "AG-1"
    );

    type_into(&mut harness, "Code", "2");
    let body = harness.state_mut().changed_body().expect("valid");
    assert_eq!(
        serde_json::Value::Object(body).to_string(),
        r#"{"Code":"DISC2"}"#
    );
    assert_eq!(harness.state().etag(), Some("W/\"Jzk5Jw==\""));
}

#[test]
fn read_only_fields_are_greyed_and_not_editable_on_create() {
    // DirParameters.Key has AllowEdit=false and AllowEditOnCreate=false.
    let form = RecordForm::create(&model(), "DirParameters").expect("form");
    let mut harness = harness(form, record_form_ui);
    assert!(
        harness
            .get_by_role_and_label(Role::TextInput, "Key")
            .accesskit_node()
            .is_disabled()
    );
    type_into(&mut harness, "Key", "7");
    assert_eq!(harness.state().field("Key").expect("field").text(), "");
    let errors = harness
        .state_mut()
        .to_create_body()
        .expect_err("incomplete");
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["NameSequence", "DefaultPartyType"],
        "Key is not asked for"
    );
}

#[test]
fn key_form_syncs_comma_text_and_fields_and_previews_the_url() {
    let form = KeyForm::new(&model(), SET).expect("form");
    let mut harness = harness(form, |ui, form| key_form_ui(ui, form, ROOT, "GET"));
    type_into(&mut harness, "Key values", "usmf,AG-1,3");
    assert_eq!(harness.state().fields()[1].text(), "AG-1");
    harness.get_by_label(
        "GET https://fno.example/data/PriceTermJournalTrans(dataAreaId='usmf',AgreementId='AG-1',LineNum=3)",
    );

    type_into(&mut harness, "AgreementId", ",2");
    assert_eq!(harness.state().comma_text(), "usmf,\"AG-1,2\",3");
    assert_eq!(
        harness.state().key().expect("key").to_literal(),
        "(dataAreaId='usmf',AgreementId='AG-1,2',LineNum=3)"
    );

    type_into(&mut harness, "LineNum", "x");
    harness.get_by_label("'3x' is not a valid Edm.Decimal");
    assert!(harness.state().key().is_err());
}

#[test]
fn list_form_builds_filters_columns_and_paging_into_the_url() {
    let form = ListForm::new(&model(), SET).expect("form");
    let mut harness = harness(form, |ui, form| list_form_ui(ui, form, ROOT));
    harness.get_by_label("GET https://fno.example/data/PriceTermJournalTrans");

    harness.get_by_label("Add condition").click();
    harness.run();
    choose(&mut harness, "Filter 1 field", "Code");
    choose(&mut harness, "Filter 1 operator", "starts with");
    type_into(&mut harness, "Filter 1 value", "DI");

    harness.get_by_label("Add condition").click();
    harness.run();
    choose(&mut harness, "Filter 2 field", "LineNum");
    choose(&mut harness, "Filter 2 operator", ">=");
    type_into(&mut harness, "Filter 2 value", "12,5");
    harness.get_by_label("'12,5' is not a valid Edm.Decimal");
    harness.get_by_label("Fix the messages above to see the request URL.");
    harness
        .get_by_role_and_label(Role::TextInput, "Filter 2 value")
        .focus();
    harness.run();
    harness.key_press(egui::Key::Backspace);
    harness.key_press(egui::Key::Backspace);
    harness.run();
    harness.get_by_label("Match any (or)").click();
    harness.run();

    harness.get_by_label("Columns").click();
    harness.run();
    type_into(&mut harness, "Search columns", "code");
    harness.get_by_label("Select all").click();
    harness.run();
    type_into(&mut harness, "Top", "5");
    type_into(&mut harness, "Skip", "10");
    harness.get_by_label("Cross-company").click();
    harness.run();
    harness.get_by_label("Add order").click();
    harness.run();
    choose(&mut harness, "Order 1 field", "ValidFrom");
    harness.get_by_label("Descending").click();
    harness.run();

    let options = harness.state_mut().query_options().expect("valid");
    assert_eq!(
        options.filter.as_deref(),
        Some("startswith(Code,'DI') or LineNum ge 12")
    );
    assert_eq!(options.select, ["Code"]);
    assert_eq!(options.top, Some(5));
    assert_eq!(options.skip, Some(10));
    assert_eq!(options.orderby[0].to_text(), "ValidFrom desc");
    assert!(options.cross_company);
    harness.get_by_label(
        "GET https://fno.example/data/PriceTermJournalTrans?$filter=startswith(Code,'DI')%20or%20LineNum%20ge%2012&$select=Code&$orderby=ValidFrom%20desc&$top=5&$skip=10&cross-company=true",
    );

    harness.get_by_label("Remove filter 1").click();
    harness.run();
    assert_eq!(harness.state().rows.len(), 1);
    assert_eq!(harness.state().rows[0].row.field, "LineNum");
}

#[test]
fn action_form_builds_a_typed_call_on_a_record() {
    let form = ActionForm::new(&model(), SET).expect("form");
    let mut harness = harness(form, |ui, form| action_form_ui(ui, form, ROOT));
    type_into(&mut harness, "Key values", "usmf,AG-1,3");
    type_into(&mut harness, "Factor", "1.10");
    choose(&mut harness, "Notify", "Yes");
    harness.get_by_label(
        "POST https://fno.example/data/PriceTermJournalTrans(dataAreaId='usmf',AgreementId='AG-1',LineNum=3)/Microsoft.Dynamics.DataEntities.Reprice",
    );
    let call = harness.state_mut().to_call().expect("valid");
    assert_eq!(call.kind, OperationKind::Action);
    assert_eq!(call.name, "Microsoft.Dynamics.DataEntities.Reprice");
    assert_eq!(
        call.target,
        OperationTarget::Entity {
            entity_set: SET.into(),
            key: "dataAreaId='usmf',AgreementId='AG-1',LineNum=3".into()
        }
    );
    assert_eq!(call.body().to_string(), r#"{"Factor":1.10,"Notify":"Yes"}"#);

    choose(&mut harness, "Action", "Recalculate (unbound action)");
    assert!(harness.query_by_label("Key values").is_none());
    let errors = harness.state_mut().to_call().expect_err("company missing");
    assert_eq!(errors[0].0, "Company");
    harness.run();
    harness.get_by_label("Company is required");
    type_into(&mut harness, "Company", "usmf");
    let call = harness.state_mut().to_call().expect("valid");
    assert_eq!(call.target, OperationTarget::Unbound);
    assert_eq!(call.path(), "Recalculate");
    assert_eq!(call.body().to_string(), r#"{"Company":"usmf"}"#);
}

fn field(name: &str, type_name: &str, max_length: Option<u32>) -> FieldInput {
    let property = Property {
        name: name.into(),
        type_ref: TypeRef::parse(type_name),
        nullable: true,
        max_length,
        precision: None,
        scale: None,
        default_value: None,
        annotations: Annotations::default(),
    };
    FieldInput::new(FieldSpec::from_property(&Model::default(), &property))
}

fn field_text(harness: &Harness<'_, Vec<FieldInput>>, name: &str) -> String {
    harness
        .state()
        .iter()
        .find(|f| f.name() == name)
        .map(FieldInput::text)
        .expect("field exists")
}

#[test]
fn each_type_gets_its_widget() {
    let fields = vec![
        field("Active", "Edm.Boolean", None),
        field("Id", "Edm.Guid", None),
        field("Count", "Edm.Int64", None),
        field("Wait", "Edm.Duration", None),
        field("Short", "Edm.String", Some(4)),
        field("Due", "Edm.Date", None),
    ];
    let mut harness = harness(fields, |ui, fields| {
        fields_grid_ui(ui, "types", fields.iter_mut());
    });

    harness
        .get_by_role_and_label(Role::CheckBox, "Active")
        .click();
    harness.run();
    assert_eq!(field_text(&harness, "Active"), "true");
    // An optional boolean can go back to unset (omitted from the body).
    harness.get_by_label("Clear").click();
    harness.run();
    assert_eq!(field_text(&harness, "Active"), "");
    assert_eq!(harness.state()[0].to_json(), Ok(None));
    harness.get_by_label("not set");

    harness.get_by_label("New GUID").click();
    harness.run();
    let guid = field_text(&harness, "Id");
    assert!(uuid::Uuid::parse_str(&guid).is_ok(), "{guid}");

    type_into(&mut harness, "Count", "9223372036854775808");
    harness.get_by_label_contains("out of range for Edm.Int64");
    harness
        .get_by_role_and_label(Role::TextInput, "Count")
        .focus();
    harness.run();
    harness.key_press(egui::Key::Backspace);
    harness.run();
    assert_eq!(
        harness.state()[2]
            .to_json()
            .expect("valid")
            .map(|v| v.to_string()),
        Some("922337203685477580".to_owned())
    );

    type_into(&mut harness, "Wait", "90 minutes");
    harness.get_by_label_contains("expected ISO 8601 like P1DT2H30M");

    type_into(&mut harness, "Short", "abcdef");
    assert_eq!(
        field_text(&harness, "Short"),
        "abcd",
        "MaxLength stops typing"
    );
    harness.get_by_label("4/4");

    type_into(&mut harness, "Due", "2024-02-10");
    harness.get_by_label("2024-02-10").click();
    harness.run();
    harness.get_by_label(">").click();
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    assert_eq!(field_text(&harness, "Due"), "2024-02-11");
}

#[test]
fn record_request_preview_shows_method_url_and_body() {
    let form = RecordForm::create(&model(), SET).expect("form");
    let mut harness = harness(form, |ui, form| {
        record_form_ui(ui, form);
        record_request_ui(ui, form, ROOT);
    });
    harness.get_by_label_contains("Fix dataAreaId, AgreementId, LineNum");
    assert!(
        harness
            .state()
            .field("Code")
            .expect("field")
            .error
            .is_none(),
        "the preview does not flag fields"
    );
    for (label, text) in [
        ("dataAreaId", "usmf"),
        ("AgreementId", "AG-1"),
        ("LineNum", "3"),
        ("Value", "1"),
        ("Code", "C"),
        ("ValidFrom", "2024-01-31"),
        ("ValidTo", "2024-12-31"),
    ] {
        type_into(&mut harness, label, text);
    }
    harness.get_by_label("POST https://fno.example/data/PriceTermJournalTrans");
    harness.get_by_label_contains("\"LineNum\": 3,");
}

#[test]
fn flags_enums_are_ticked_member_by_member() {
    let xml = br#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="Access" IsFlags="true">
        <Member Name="Read" Value="1"/>
        <Member Name="Write" Value="2"/>
        <Member Name="Delete" Value="4"/>
      </EnumType>
      <EntityType Name="Grant">
        <Key><PropertyRef Name="Id"/></Key>
        <Property Name="Id" Type="Edm.Int32" Nullable="false"/>
        <Property Name="Access" Type="NS.Access"/>
      </EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;
    let model = parse_metadata(xml).expect("document parses");
    let property = model
        .entity_type("NS.Grant")
        .and_then(|t| t.properties.iter().find(|p| p.name == "Access"))
        .expect("declared")
        .clone();
    let fields = vec![FieldInput::new(FieldSpec::from_property(&model, &property))];
    let mut harness = harness(fields, |ui, fields| {
        fields_grid_ui(ui, "flags", fields.iter_mut());
    });
    harness
        .get_by_role_and_label(Role::ComboBox, "Access")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::CheckBox, "Write")
        .click();
    harness.run();
    // The dropdown stays open while members are ticked.
    harness
        .get_by_role_and_label(Role::CheckBox, "Read")
        .click();
    harness.run();
    assert_eq!(harness.state()[0].text(), "Read,Write", "declaration order");
    assert_eq!(
        harness.state()[0].to_json(),
        Ok(Some(serde_json::json!("Read,Write")))
    );
    harness
        .get_by_role_and_label(Role::CheckBox, "Write")
        .click();
    harness.run();
    assert_eq!(harness.state()[0].text(), "Read");
}

#[test]
fn a_date_picker_never_shows_a_date_that_would_not_be_sent() {
    let fields = vec![
        field("EffectiveDate", "Edm.Date", None),
        field("Modified", "Edm.DateTimeOffset", None),
    ];
    let mut harness = harness(fields, |ui, fields| {
        fields_grid_ui(ui, "dates", fields.iter_mut());
    });
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    // Empty fields: the pickers offer a date instead of showing one.
    assert_eq!(harness.query_all_by_label("Pick a date").count(), 2);
    assert!(harness.query_by_label(&today).is_none());
    assert_eq!(harness.state()[0].to_json(), Ok(None));

    // Saving the picker's date as it opens (today) fills the field: what it showed is sent.
    close_first_date_picker(&mut harness, "Save");
    assert_eq!(field_text(&harness, "EffectiveDate"), today);
    assert_eq!(
        harness.state()[0].to_json(),
        Ok(Some(serde_json::Value::String(today.clone())))
    );
    harness.get_by_label(&today);

    // The date-time field: the date part is filled, midnight UTC when no time is typed.
    close_first_date_picker(&mut harness, "Save");
    assert_eq!(
        field_text(&harness, "Modified"),
        format!("{today}T00:00:00")
    );
    assert!(harness.state()[1].to_json().expect("valid").is_some());

    // Cancel leaves the text as it was.
    harness
        .get_by_role_and_label(Role::TextInput, "EffectiveDate")
        .focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run();
    assert_eq!(field_text(&harness, "EffectiveDate"), "");
    close_first_date_picker(&mut harness, "Cancel");
    assert_eq!(field_text(&harness, "EffectiveDate"), "");
}

/// Opens the first empty date field's picker ("Pick a date") and closes it with `button`
/// (`Save` or `Cancel`).
fn close_first_date_picker(harness: &mut Harness<'_, Vec<FieldInput>>, button: &str) {
    harness
        .query_all_by_label("Pick a date")
        .next()
        .expect("an empty date field")
        .click();
    harness.run();
    harness.get_by_label(button).click();
    harness.run();
}
