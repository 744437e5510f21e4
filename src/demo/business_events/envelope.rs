//! The JSON payload of one business event, with F&O's envelope fields.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::catalog::{BusinessEventDef, MAJOR_VERSION, MINOR_VERSION};

/// The initiating user reported in payloads (the demo's writes carry no user).
pub const DEMO_USER_OBJECT_ID: &str = "{00000000-0000-0000-0000-000000000000}";

/// Builds the payload F&O posts for `def`, fired by a change of `record` in `company`.
pub fn envelope(
    def: &BusinessEventDef,
    company: Option<&str>,
    record: &Value,
    control_number: u64,
    event_id: uuid::Uuid,
    time: DateTime<Utc>,
) -> Value {
    let mut payload: Map<String, Value> = def.payload_fields(record);
    let envelope = json!({
        "BusinessEventId": def.id,
        "BusinessEventLegalEntity": company.unwrap_or_default().to_uppercase(),
        "ContextRecordSubject": "",
        "ControlNumber": control_number,
        "EventId": event_id.hyphenated().to_string().to_uppercase(),
        "EventTime": format!("/Date({})/", time.timestamp_millis()),
        "EventTimeIso8601": time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        "InitiatingUserAADObjectId": DEMO_USER_OBJECT_ID,
        "MajorVersion": MAJOR_VERSION,
        "MinorVersion": MINOR_VERSION,
        "ParentContextRecordSubjects": [],
    });
    if let Value::Object(fields) = envelope {
        for (name, value) in fields {
            payload.insert(name, value);
        }
    }
    // Envelope first, then the event's own fields, as F&O orders them.
    let mut ordered = Map::new();
    for def_field in ENVELOPE_ORDER {
        if let Some(value) = payload.remove(*def_field) {
            ordered.insert((*def_field).to_owned(), value);
        }
    }
    ordered.extend(payload);
    Value::Object(ordered)
}

const ENVELOPE_ORDER: &[&str] = &[
    "BusinessEventId",
    "BusinessEventLegalEntity",
    "ContextRecordSubject",
    "ControlNumber",
    "EventId",
    "EventTime",
    "EventTimeIso8601",
    "InitiatingUserAADObjectId",
    "MajorVersion",
    "MinorVersion",
    "ParentContextRecordSubjects",
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::demo::business_events::catalog::BUSINESS_EVENTS;

    #[test]
    fn envelope_has_fo_fields_then_event_fields() {
        let time = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
            .expect("time")
            .with_timezone(&Utc);
        let id = uuid::Uuid::nil();
        let record = json!({ "CustomerAccount": "C9", "OrganizationName": "Contoso" });
        let payload = envelope(&BUSINESS_EVENTS[0], Some("usmf"), &record, 42, id, time);
        assert_eq!(payload["BusinessEventId"], "CustomerCreatedBusinessEvent");
        assert_eq!(payload["BusinessEventLegalEntity"], "USMF");
        assert_eq!(payload["ControlNumber"].as_u64(), Some(42));
        assert_eq!(payload["EventId"], "00000000-0000-0000-0000-000000000000");
        assert_eq!(
            payload["EventTime"],
            format!("/Date({})/", time.timestamp_millis())
        );
        assert_eq!(payload["EventTimeIso8601"], "2026-01-02T03:04:05.678Z");
        assert_eq!(payload["MajorVersion"].as_i64(), Some(0));
        assert_eq!(payload["CustomerAccount"], "C9");
        assert_eq!(payload["CustomerName"], "Contoso");
        let keys: Vec<&String> = payload.as_object().expect("object").keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("BusinessEventId"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("CustomerGroup"));
    }
}
