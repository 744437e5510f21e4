//! The `/Metadata/DataEntities` and `/Metadata/PublicEntities` JSON listings, shaped like F&O's.

use serde_json::{Value, json};

use super::schema::{ENTITIES, EntityDef, entity_by_name};

/// `GET /Metadata/DataEntities`.
pub fn data_entities(base: &str) -> Value {
    let value: Vec<Value> = ENTITIES
        .iter()
        .map(|e| {
            json!({
                "Name": e.aot_name,
                "PublicEntityName": e.name,
                "PublicCollectionName": e.set,
                "LabelId": e.label_id,
                "EntityCategory": e.category,
                "IsReadOnly": e.read_only,
                "DataServiceEnabled": true,
                "DataManagementEnabled": true
            })
        })
        .collect();
    json!({"@odata.context": format!("{base}Metadata/$metadata#DataEntities"), "value": value})
}

/// One entry of `/Metadata/PublicEntities`.
pub fn public_entity(entity: &EntityDef) -> Value {
    let properties: Vec<Value> = entity
        .fields
        .iter()
        .map(|f| {
            json!({
                "Name": f.name,
                "TypeName": f.ty.edm_name(),
                "DataType": data_type(f.ty),
                "LabelId": f.label_id,
                "IsKey": f.key,
                "IsMandatory": f.required,
                "ConfigurationEnabled": true,
                "AllowEdit": f.allow_edit,
                "AllowEditOnCreate": f.allow_edit_on_create,
                "IsDimension": false,
                "DimensionRelation": "",
                "IsDynamicDimension": false,
                "DimensionLegalEntityProperty": "",
                "DimensionTypeProperty": ""
            })
        })
        .collect();
    let navigation: Vec<Value> = entity
        .navs
        .iter()
        .map(|n| {
            let related = entity_by_name(n.target).map_or(n.target, |t| t.name);
            let constraints: Vec<Value> = n
                .constraints
                .iter()
                .map(|(p, r)| json!({"@odata.type": "#Microsoft.Dynamics.Metadata.Ax.ReferentialConstraint", "Property": p, "ReferencedProperty": r}))
                .collect();
            json!({
                "Name": n.name,
                "RelatedEntity": related,
                "RelatedRelationName": n.partner.unwrap_or(""),
                "Cardinality": if n.collection { "Multiple" } else { "Single" },
                "Constraints": constraints
            })
        })
        .collect();
    json!({
        "Name": entity.name,
        "EntitySetName": entity.set,
        "LabelId": entity.label_id,
        "IsReadOnly": entity.read_only,
        "ConfigurationEnabled": true,
        "Properties": properties,
        "NavigationProperties": navigation,
        "PropertyGroups": []
    })
}

/// `GET /Metadata/PublicEntities`.
pub fn public_entities(base: &str) -> Value {
    let value: Vec<Value> = ENTITIES.iter().map(public_entity).collect();
    json!({"@odata.context": format!("{base}Metadata/$metadata#PublicEntities"), "value": value})
}

fn data_type(ty: super::schema::FieldType) -> &'static str {
    use super::schema::FieldType;
    match ty {
        FieldType::String(_) => "String",
        FieldType::Decimal => "Real",
        FieldType::Int32 => "Int32",
        FieldType::Int64 => "Int64",
        FieldType::Date => "Date",
        FieldType::DateTimeOffset => "DateTime",
        FieldType::Guid => "Guid",
        FieldType::Enum(_) => "Enum",
    }
}
