//! End-to-end use of the request-building API on real F&O metadata: key path, query string,
//! filter and create body for one entity set, as the client and GUI combine them.

use flowbench::odata::filter::{Combinator, FilterGroup, FilterOperator, FilterRow, build_filter};
use flowbench::odata::keys::{KeyPredicate, entity_path};
use flowbench::odata::metadata::parse_metadata;
use flowbench::odata::query::{QueryOptions, parse_orderby};
use flowbench::odata::service_root::{ServiceKind, normalize_service_root};
use flowbench::odata::values::{build_body, changed_fields};

fn sales_model() -> flowbench::odata::metadata::Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metadata/fno/fno_trimmed_sales_ntrtd.xml"
    );
    parse_metadata(&std::fs::read(path).expect("fixture")).expect("metadata parses")
}

#[test]
fn builds_a_complete_request_url_and_bodies() {
    let model = sales_model();
    let set = model
        .entity_set("PriceTermJournalTrans")
        .expect("entity set");
    let entity = model.entity_type(&set.entity_type).expect("entity type");

    let root = normalize_service_root(
        ServiceKind::FinanceOperations,
        "contoso.operations.dynamics.com",
    )
    .expect("root");
    let key = KeyPredicate::parse(&model, entity, r#"usmf,"PA 1/2",10.5"#).expect("key");
    let url = root.join(&entity_path(&set.name, &key)).expect("join");
    assert_eq!(
        url.as_str(),
        "https://contoso.operations.dynamics.com/data/PriceTermJournalTrans(dataAreaId='usmf',AgreementId='PA%201%2F2',LineNum=10.5)"
    );

    let filter = build_filter(
        &model,
        entity,
        &FilterGroup::of_rows(
            Combinator::And,
            [
                FilterRow {
                    field: "CompoundCalculationBasis".into(),
                    operator: FilterOperator::Eq,
                    value: "Yes".into(),
                },
                FilterRow {
                    field: "Color".into(),
                    operator: FilterOperator::Contains,
                    value: "R&D".into(),
                },
            ],
        ),
    )
    .expect("filter");
    let query = QueryOptions {
        filter,
        select: vec!["AgreementId".into(), "Value".into()],
        orderby: parse_orderby("Value desc").expect("orderby"),
        top: Some(10),
        cross_company: true,
        ..Default::default()
    };
    let list_url = query.append_to(root.join(&set.name).expect("join").as_str());
    assert_eq!(
        list_url,
        "https://contoso.operations.dynamics.com/data/PriceTermJournalTrans?$filter=CompoundCalculationBasis%20eq%20Microsoft.Dynamics.DataEntities.NoYes'Yes'%20and%20contains(Color,'R%26D')&$select=AgreementId,Value&$orderby=Value%20desc&$top=10&cross-company=true"
    );

    let body = build_body(
        &model,
        entity,
        [
            ("AgreementId", "PA-1"),
            ("Value", "0.1"),
            ("CompoundCalculationBasis", "No"),
        ],
    )
    .expect("body");
    assert_eq!(
        serde_json::Value::Object(body.clone()).to_string(),
        r#"{"AgreementId":"PA-1","Value":0.1,"CompoundCalculationBasis":"No"}"#
    );
    let edited = build_body(
        &model,
        entity,
        [
            ("AgreementId", "PA-1"),
            ("Value", "0.10"),
            ("CompoundCalculationBasis", "Yes"),
        ],
    )
    .expect("edited body");
    assert_eq!(
        serde_json::Value::Object(changed_fields(&body, &edited)).to_string(),
        r#"{"CompoundCalculationBasis":"Yes"}"#
    );
}
