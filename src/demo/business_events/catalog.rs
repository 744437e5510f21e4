//! The business events catalog: which events exist, which change event fires each, the fields
//! each carries, and the two entity sets (`BusinessEventsCatalog`, `BusinessEventsEndpoints`).

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::demo::events::{ChangeEvent, ChangeKind};
use crate::demo::schema::{EntityDef, FieldDef, FieldType, NavDef};

/// Entity set of the catalog.
pub const CATALOG_SET: &str = "BusinessEventsCatalog";
/// Entity set of the registered endpoints.
pub const ENDPOINTS_SET: &str = "BusinessEventsEndpoints";
/// Major version of every demo business event contract.
pub const MAJOR_VERSION: i64 = 0;
/// Minor version of every demo business event contract.
pub const MINOR_VERSION: i64 = 0;

/// One business event of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct BusinessEventDef {
    /// `BusinessEventId`, e.g. `CustomerCreatedBusinessEvent`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Category (F&O module-like grouping).
    pub category: &'static str,
    /// Description.
    pub description: &'static str,
    /// The entity set whose changes fire the event.
    pub entity_set: &'static str,
    /// `(event field, record property)` pairs copied into the payload.
    pub fields: &'static [(&'static str, &'static str)],
    /// Whether a change of `entity_set` fires the event.
    pub fires: fn(&ChangeEvent) -> bool,
}

impl BusinessEventDef {
    /// The event-specific payload fields taken from the changed record.
    pub fn payload_fields(&self, record: &Value) -> Map<String, Value> {
        self.fields
            .iter()
            .map(|(field, property)| {
                let value = record.get(*property).cloned().unwrap_or(Value::Null);
                ((*field).to_owned(), value)
            })
            .collect()
    }
}

fn created(event: &ChangeEvent) -> bool {
    event.kind == ChangeKind::Created
}

fn updated(event: &ChangeEvent) -> bool {
    event.kind == ChangeKind::Updated
}

/// The demo has no order confirmation posting: an order counts as confirmed when an update
/// leaves it with a confirmed shipping date.
fn order_confirmed(event: &ChangeEvent) -> bool {
    event.kind == ChangeKind::Updated
        && event
            .record
            .get("ConfirmedShippingDate")
            .and_then(Value::as_str)
            .is_some_and(|date| !date.is_empty() && !date.starts_with("1900-01-01"))
}

/// Every business event of the demo catalog.
pub static BUSINESS_EVENTS: &[BusinessEventDef] = &[
    BusinessEventDef {
        id: "CustomerCreatedBusinessEvent",
        name: "Customer created",
        category: "Accounts receivable",
        description: "Fires when a customer is created.",
        entity_set: "CustomersV3",
        fields: &[
            ("CustomerAccount", "CustomerAccount"),
            ("CustomerName", "OrganizationName"),
            ("CustomerGroup", "CustomerGroupId"),
        ],
        fires: created,
    },
    BusinessEventDef {
        id: "CustomerChangedBusinessEvent",
        name: "Customer changed",
        category: "Accounts receivable",
        description: "Fires when a customer is updated.",
        entity_set: "CustomersV3",
        fields: &[
            ("CustomerAccount", "CustomerAccount"),
            ("CustomerName", "OrganizationName"),
            ("CustomerGroup", "CustomerGroupId"),
        ],
        fires: updated,
    },
    BusinessEventDef {
        id: "SalesOrderConfirmedBusinessEvent",
        name: "Sales order confirmed",
        category: "Sales and marketing",
        description: "Fires when a sales order is updated with a confirmed shipping date.",
        entity_set: "SalesOrderHeadersV2",
        fields: &[
            ("SalesOrderNumber", "SalesOrderNumber"),
            ("CustomerAccount", "OrderingCustomerAccountNumber"),
            ("ConfirmedShippingDate", "ConfirmedShippingDate"),
        ],
        fires: order_confirmed,
    },
];

/// The business events a change event fires.
pub fn events_fired_by(change: &ChangeEvent) -> impl Iterator<Item = &'static BusinessEventDef> {
    BUSINESS_EVENTS
        .iter()
        .filter(move |def| def.entity_set == change.entity_set && (def.fires)(change))
}

const fn s(name: &'static str, max: u32, label: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::String(max), label)
}

/// The read-only catalog entity (`BusinessEventsCatalog`).
pub const CATALOG_ENTITY: EntityDef = EntityDef {
    name: "BusinessEventsCatalogEntry",
    set: CATALOG_SET,
    aot_name: "BusinessEventsCatalogEntity",
    label_id: "@BusinessEvents:Catalog",
    table_label: "Business events catalog (BusinessEventsTable)",
    category: "Reference",
    read_only: true,
    company_scoped: false,
    fields: &[
        s("BusinessEventId", 100, "Business event id").key(),
        s("Name", 100, "Name"),
        s("Category", 60, "Category"),
        s("Description", 255, "Description"),
        s("EventFields", 1000, "Event fields"),
        FieldDef::new("MajorVersion", FieldType::Int32, "Major version"),
        FieldDef::new("MinorVersion", FieldType::Int32, "Minor version"),
    ],
    navs: &[],
};

/// The endpoint registrations entity (`BusinessEventsEndpoints`), per company.
pub const ENDPOINTS_ENTITY: EntityDef = EntityDef {
    name: "BusinessEventsEndpoint",
    set: ENDPOINTS_SET,
    aot_name: "BusinessEventsEndpointEntity",
    label_id: "@BusinessEvents:Endpoints",
    table_label: "Business event endpoints (BusinessEventsEndpoint)",
    category: "Parameters",
    read_only: false,
    company_scoped: true,
    fields: &[
        s("dataAreaId", 4, "Company").label_id("@SYS13342").key(),
        s("EndpointId", 20, "Endpoint id").key().auto_number(),
        s("BusinessEventId", 100, "Business event id").required(),
        s("EndpointUrl", 1000, "Endpoint URL").required(),
        s("Description", 255, "Description"),
    ],
    navs: &[NavDef {
        name: "BusinessEvent",
        target: "BusinessEventsCatalogEntry",
        collection: false,
        constraints: &[("BusinessEventId", "BusinessEventId")],
        partner: None,
        cascade_delete: false,
    }],
};

/// Writes the catalog rows (idempotent; run at every start).
pub fn install_catalog(conn: &Connection) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(
        "INSERT OR REPLACE INTO \"BusinessEventsCatalog\" (\"BusinessEventId\", \"Name\", \
         \"Category\", \"Description\", \"EventFields\", \"MajorVersion\", \"MinorVersion\", \"_rv\") \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
    )?;
    for def in BUSINESS_EVENTS {
        let fields: Vec<&str> = def.fields.iter().map(|(field, _)| *field).collect();
        statement.execute(rusqlite::params![
            def.id,
            def.name,
            def.category,
            def.description,
            fields.join(","),
            MAJOR_VERSION,
            MINOR_VERSION,
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn change(set: &str, kind: ChangeKind, record: Value) -> ChangeEvent {
        ChangeEvent {
            entity_set: set.to_owned(),
            company: Some("usmf".into()),
            keys: Map::new(),
            kind,
            record,
        }
    }

    fn fired(change: &ChangeEvent) -> Vec<&'static str> {
        events_fired_by(change).map(|def| def.id).collect()
    }

    #[test]
    fn change_events_map_to_business_events() {
        let customer = json!({ "CustomerAccount": "C1", "OrganizationName": "N" });
        assert_eq!(
            fired(&change(
                "CustomersV3",
                ChangeKind::Created,
                customer.clone()
            )),
            vec!["CustomerCreatedBusinessEvent"]
        );
        assert_eq!(
            fired(&change(
                "CustomersV3",
                ChangeKind::Updated,
                customer.clone()
            )),
            vec!["CustomerChangedBusinessEvent"]
        );
        assert!(fired(&change("CustomersV3", ChangeKind::Deleted, customer)).is_empty());
        let unconfirmed = json!({ "SalesOrderNumber": "1", "ConfirmedShippingDate": "1900-01-01" });
        assert!(
            fired(&change(
                "SalesOrderHeadersV2",
                ChangeKind::Updated,
                unconfirmed
            ))
            .is_empty()
        );
        let confirmed = json!({ "SalesOrderNumber": "1", "ConfirmedShippingDate": "2026-01-05" });
        assert_eq!(
            fired(&change(
                "SalesOrderHeadersV2",
                ChangeKind::Updated,
                confirmed
            )),
            vec!["SalesOrderConfirmedBusinessEvent"]
        );
    }

    #[test]
    fn payload_fields_are_renamed_from_the_record() {
        let record = json!({ "CustomerAccount": "C1", "OrganizationName": "Contoso" });
        let fields = BUSINESS_EVENTS[0].payload_fields(&record);
        assert_eq!(fields["CustomerAccount"], "C1");
        assert_eq!(fields["CustomerName"], "Contoso");
        assert_eq!(fields["CustomerGroup"], Value::Null);
    }
}
