//! A small hand-built EDM model (F&O-like entity sets) for GUI tests.

use flowbench::odata::metadata::{
    Annotations, EntityContainer, EntitySet, EntityType, Model, Operation, Parameter, Property,
    Schema, TypeRef,
};

const NS: &str = "Microsoft.Dynamics.DataEntities";

fn property(name: &str, type_name: &str, nullable: bool) -> Property {
    Property {
        name: name.to_owned(),
        type_ref: TypeRef::parse(type_name),
        nullable,
        max_length: None,
        precision: None,
        scale: None,
        default_value: None,
        annotations: Annotations::default(),
    }
}

fn entity(name: &str, keys: &[&str], extra: &[(&str, &str)]) -> EntityType {
    let mut properties: Vec<Property> = keys
        .iter()
        .map(|k| property(k, "Edm.String", false))
        .collect();
    properties.extend(extra.iter().map(|(n, t)| property(n, t, true)));
    EntityType {
        name: name.to_owned(),
        key: keys.iter().map(|k| (*k).to_owned()).collect(),
        properties,
        ..EntityType::default()
    }
}

/// Four entity sets: customers, sales order headers and lines, vendors; one bound action.
pub fn sample_model() -> Model {
    let types = vec![
        entity(
            "Customer",
            &["dataAreaId", "CustomerAccount"],
            &[("Name", "Edm.String")],
        ),
        entity(
            "SalesOrderHeader",
            &["dataAreaId", "SalesOrderNumber"],
            &[
                ("OrderingCustomerAccountNumber", "Edm.String"),
                ("TotalAmount", "Edm.Decimal"),
            ],
        ),
        entity(
            "SalesOrderLine",
            &["dataAreaId", "SalesOrderNumber", "LineNumber"],
            &[],
        ),
        entity("Vendor", &["dataAreaId", "VendorAccountNumber"], &[]),
    ];
    let sets = [
        ("CustomersV3", "Customer"),
        ("SalesOrderHeadersV2", "SalesOrderHeader"),
        ("SalesOrderLines", "SalesOrderLine"),
        ("VendorsV2", "Vendor"),
    ]
    .into_iter()
    .map(|(set, ty)| EntitySet {
        name: set.to_owned(),
        entity_type: format!("{NS}.{ty}"),
        ..EntitySet::default()
    })
    .collect();
    let confirm = Operation {
        name: "Confirm".to_owned(),
        is_bound: true,
        is_composable: false,
        entity_set_path: None,
        parameters: vec![Parameter {
            name: "_this".to_owned(),
            type_ref: TypeRef::parse(&format!("{NS}.SalesOrderHeader")),
            nullable: false,
            max_length: None,
            precision: None,
            scale: None,
            annotations: Annotations::default(),
        }],
        return_type: None,
        annotations: Annotations::default(),
    };
    Model {
        version: "4.0".to_owned(),
        schemas: vec![Schema {
            namespace: NS.to_owned(),
            entity_types: types,
            actions: vec![confirm],
            entity_container: Some(EntityContainer {
                name: "Resources".to_owned(),
                entity_sets: sets,
                ..EntityContainer::default()
            }),
            ..Schema::default()
        }],
        ..Model::default()
    }
}
