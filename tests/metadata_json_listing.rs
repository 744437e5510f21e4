//! F&O JSON metadata listings (`/Metadata/DataEntities`, `/Metadata/PublicEntities`).

use std::path::Path;

use flowbench::odata::metadata::json_listing::{
    ListingError, parse_data_entities, parse_public_entities,
};

fn listing(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fno_json")
        .join(name);
    std::fs::read(path).expect("fixture readable")
}

#[test]
fn data_entities_listing_reads_every_row_and_ignores_unknown_fields() {
    let entities = parse_data_entities(&listing("data_entities.json")).expect("valid");
    assert_eq!(entities.len(), 4);
    let customers = &entities[0];
    assert_eq!(customers.name, "CustCustomerV3Entity");
    assert_eq!(customers.public_entity_name, "CustomerV3");
    assert_eq!(customers.public_collection_name, "CustomersV3");
    assert_eq!(
        customers.label_id,
        "@AccountsReceivable:CustomerV3EntityLabel"
    );
    assert_eq!(customers.entity_category, "Master");
    assert!(!customers.is_read_only);
    assert!(customers.data_service_enabled && customers.data_management_enabled);
    let read_only: Vec<&str> = entities
        .iter()
        .filter(|e| e.is_read_only)
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(read_only, ["InventOnhandEntity"]);
    let not_odata: Vec<&str> = entities
        .iter()
        .filter(|e| !e.data_service_enabled)
        .map(|e| e.public_collection_name.as_str())
        .collect();
    assert_eq!(not_odata, ["LedgerJournalHeaders"]);
    // A row without EntityCategory takes the default.
    assert_eq!(entities[3].entity_category, "");
}

#[test]
fn public_entities_listing_reads_properties_keys_and_navigation() {
    let entities = parse_public_entities(&listing("public_entities.json")).expect("valid");
    assert_eq!(entities.len(), 2);
    let lines = &entities[0];
    assert_eq!(lines.name, "SalesOrderLine");
    assert_eq!(lines.entity_set_name, "SalesOrderLines");
    assert_eq!(lines.key_names(), ["dataAreaId", "InventoryLotId"]);
    let quantity = lines
        .properties
        .iter()
        .find(|p| p.name == "OrderedSalesQuantity")
        .expect("prop");
    assert_eq!(quantity.data_type, "Real");
    assert_eq!(quantity.type_name, "SalesOrderedQty");
    assert!(quantity.is_mandatory && quantity.allow_edit && quantity.allow_edit_on_create);
    let number = lines
        .properties
        .iter()
        .find(|p| p.name == "SalesOrderNumber")
        .expect("prop");
    assert!(!number.allow_edit, "string \"false\" is read leniently");
    assert_eq!(lines.navigation_properties.len(), 1);
    let header = &lines.navigation_properties[0];
    assert_eq!(header.related_entity, "SalesOrderHeaderV2");
    assert_eq!(header.cardinality, "Single");
    assert_eq!(
        header.constraints,
        [
            ("dataAreaId".to_owned(), "dataAreaId".to_owned()),
            ("SalesOrderNumber".to_owned(), "SalesOrderNumber".to_owned()),
        ]
    );
    assert!(entities[1].is_read_only);
    assert!(entities[1].navigation_properties.is_empty());
}

#[test]
fn a_single_public_entity_or_a_bare_array_is_accepted() {
    let single = br#"{"@odata.context":"x","Name":"CustomerV3","EntitySetName":"CustomersV3","Properties":[{"Name":"dataAreaId","IsKey":true}]}"#;
    let parsed = parse_public_entities(single).expect("single object");
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].key_names(), ["dataAreaId"]);
    let array = br#"[{"Name":"A","PublicCollectionName":"As","IsReadOnly":"Yes"}]"#;
    let parsed = parse_data_entities(array).expect("array");
    assert_eq!(parsed[0].public_collection_name, "As");
    assert!(parsed[0].is_read_only);
}

#[test]
fn invalid_json_reports_line_and_column() {
    let error =
        parse_data_entities(b"{\n  \"value\": [\n    {\"Name\": }\n  ]\n}").expect_err("bad");
    let ListingError::Json { line, column, .. } = error;
    assert_eq!((line, column), (3, 14));
    let wrong_shape = parse_data_entities(br#"{"value": 5}"#).expect_err("not a list");
    assert!(
        wrong_shape
            .to_string()
            .contains("invalid metadata listing JSON")
    );
}
