use super::*;
use crate::odata::metadata::parse_metadata;

const CSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Customer">
        <Key><PropertyRef Name="Account"/></Key>
        <Property Name="Account" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="Name" Type="Edm.String"/>
        <Property Name="Limit" Type="Edm.Decimal" Precision="10" Scale="2"/>
        <Property Name="Active" Type="Edm.Boolean"/>
      </EntityType>
      <EntityContainer Name="C">
        <EntitySet Name="Customers" EntityType="T.Customer"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

fn model() -> Model {
    parse_metadata(CSDL.as_bytes()).unwrap()
}

#[test]
fn rows_become_typed_bodies_and_empty_cells_are_left_out() {
    let csv = "\u{feff}Account,Name,Limit,Active\nA-1,\"Contoso, Ltd\",1500.50,true\nA-2,,,false\n";
    let records = records_from_csv(&model(), "Customers", csv).unwrap();
    assert_eq!(
        Value::Array(records.iter().cloned().map(Value::Object).collect()),
        // Exact decimals: the text of the cell, not a float.
        serde_json::from_str::<Value>(
            r#"[{"Account": "A-1", "Name": "Contoso, Ltd", "Limit": 1500.50, "Active": true},
                {"Account": "A-2", "Active": false}]"#
        )
        .unwrap()
    );
    let batch = creates_batch("Customers", records, true);
    assert_eq!(batch.requests.len(), 2);
    assert_eq!(batch.requests[1].id, "row-3");
    assert_eq!(batch.parts().len(), 1, "all or nothing: one changeset");
    let batch = creates_batch("Customers", vec![Map::new(), Map::new()], false);
    assert_eq!(batch.parts().len(), 2, "each row on its own");
}

#[test]
fn problems_name_the_row_and_the_field() {
    let csv = "Account,Limit,Colour\nA-1,abc,red\nTOO-LONG-ACCOUNT,1,\n";
    let message = records_from_csv(&model(), "Customers", csv).unwrap_err().0;
    assert!(message.contains("row 2, Limit:"), "{message}");
    assert!(
        message.contains("row 2, Colour: no such property on Customer"),
        "{message}"
    );
    assert!(message.contains("row 3, Account:"), "{message}");
    let ragged = records_from_csv(&model(), "Customers", "Account,Name\nA-1\n");
    assert!(ragged.unwrap_err().0.starts_with("row 2:"));
    let empty = records_from_csv(&model(), "Customers", "Account,Name\n");
    assert!(empty.unwrap_err().0.contains("no rows"));
    let unknown = records_from_csv(&model(), "Nope", "Account\nA\n");
    assert!(unknown.unwrap_err().0.contains("'Nope'"));
}
