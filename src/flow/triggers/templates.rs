//! New triggers for the designer, in the Power Automate style real exports use: a manual
//! button, "For a selected record", a recurrence, the connector's "When a business event
//! occurs", "When a record is created or changed" (polling) and a sliding window. Replacing a flow's trigger
//! keeps its actions.

use serde_json::{Map, Value, json};

/// The connector's `apiId` in Power Automate definitions.
const API_ID: &str = "/providers/Microsoft.PowerApps/apis/shared_dynamicsax";

/// A trigger to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerChoice {
    /// A manual button with no inputs yet.
    Manual,
    /// "For a selected record" of an entity.
    SelectedRecord {
        /// The entity set.
        table: String,
    },
    /// Every day at 09:00 UTC (edit the recurrence after).
    Recurrence,
    /// "When a business event occurs".
    BusinessEvent {
        /// `BusinessEventId`.
        event: String,
        /// Its catalog category.
        category: String,
        /// Its legal entity (empty: the instance's default company).
        legal_entity: String,
    },
    /// "When a record is created or changed".
    RecordChanged {
        /// The entity set.
        table: String,
        /// An OData filter (may be empty).
        filter: String,
        /// Only records created.
        only_new: bool,
        /// A date-time field set on every change (empty: compare content).
        watermark: String,
        /// Minutes between polls.
        minutes: u32,
    },
    /// Hourly windows, each run once it has ended (edit the recurrence after).
    SlidingWindow,
}

/// The kinds of triggers offered, with their labels.
pub const TRIGGER_KINDS: [&str; 6] = [
    "Manually trigger a flow",
    "For a selected record",
    "Recurrence",
    "When a business event occurs",
    "When a record is created or changed",
    "Sliding window",
];

/// The trigger's name and definition; connector triggers name `dataset` (the instance host).
pub fn trigger_definition(choice: &TriggerChoice, dataset: &str) -> (String, Value) {
    let host = |operation: &str| json!({"apiId": API_ID, "connectionName": "shared_dynamicsax", "operationId": operation});
    match choice {
        TriggerChoice::Manual => (
            "manual".to_owned(),
            json!({"type": "Request", "kind": "Button", "inputs": {"schema": {"type": "object", "properties": {}, "required": []}}}),
        ),
        TriggerChoice::SelectedRecord { table } => (
            "For_a_selected_record".to_owned(),
            json!({"type": "OpenApiConnectionWebhook", "inputs": {"host": host("OnDataEntitySelected"), "parameters": {"dataset": dataset, "table": table}}}),
        ),
        TriggerChoice::Recurrence => (
            "Recurrence".to_owned(),
            json!({"type": "Recurrence", "recurrence": {"frequency": "Day", "interval": 1, "timeZone": "UTC", "schedule": {"hours": ["9"], "minutes": [0]}}}),
        ),
        TriggerChoice::SlidingWindow => (
            "Sliding_Window".to_owned(),
            json!({"type": "SlidingWindow", "recurrence": {"frequency": "Hour", "interval": 1}}),
        ),
        TriggerChoice::BusinessEvent {
            event,
            category,
            legal_entity,
        } => {
            let mut parameters = Map::new();
            parameters.insert("dataset".into(), json!(dataset));
            parameters.insert("businesseventcategory".into(), json!(category));
            parameters.insert("businessevent".into(), json!(event));
            if !legal_entity.trim().is_empty() {
                parameters.insert("legalEntity".into(), json!(legal_entity.trim()));
            }
            (
                "When_a_Business_Event_occurs".to_owned(),
                json!({"type": "OpenApiConnectionWebhook", "inputs": {"host": host("SubscribeOnABusinessEvent"), "parameters": parameters}}),
            )
        }
        TriggerChoice::RecordChanged {
            table,
            filter,
            only_new,
            watermark,
            minutes,
        } => {
            let mut parameters = Map::new();
            parameters.insert("dataset".into(), json!(dataset));
            parameters.insert("table".into(), json!(table));
            if !filter.trim().is_empty() {
                parameters.insert("$filter".into(), json!(filter.trim()));
            }
            if !watermark.trim().is_empty() {
                parameters.insert("watermarkField".into(), json!(watermark.trim()));
            }
            let operation = if *only_new {
                super::kind::ON_NEW_ITEMS
            } else {
                super::kind::ON_UPDATED_ITEMS
            };
            (
                "When_a_record_is_created_or_changed".to_owned(),
                json!({
                    "type": "OpenApiConnection",
                    "recurrence": {"frequency": "Minute", "interval": (*minutes).max(1)},
                    "splitOn": "@triggerOutputs()?['body/value']",
                    "inputs": {"host": host(operation), "parameters": parameters}
                }),
            )
        }
    }
}

/// Replaces the definition's trigger(s) with `name: trigger`.
pub fn set_trigger(definition: &mut Map<String, Value>, name: String, trigger: Value) {
    let mut triggers = Map::new();
    triggers.insert(name, trigger);
    definition.insert("triggers".to_owned(), Value::Object(triggers));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::triggers::kind::{BusinessEventSpec, ChangeDetection, TriggerKind, classify};

    #[test]
    fn every_template_reads_back_as_its_kind() {
        let (_, manual) = trigger_definition(&TriggerChoice::Manual, "d");
        assert_eq!(classify(&manual), Ok(TriggerKind::Manual));
        let (_, selected) = trigger_definition(
            &TriggerChoice::SelectedRecord {
                table: "CustomersV3".into(),
            },
            "d",
        );
        assert_eq!(classify(&selected), Ok(TriggerKind::SelectedRecord));
        let (_, recurrence) = trigger_definition(&TriggerChoice::Recurrence, "d");
        assert!(matches!(
            classify(&recurrence),
            Ok(TriggerKind::Recurrence(_))
        ));
        let (_, window) = trigger_definition(&TriggerChoice::SlidingWindow, "d");
        assert!(matches!(
            classify(&window),
            Ok(TriggerKind::SlidingWindow(_))
        ));
        let (name, event) = trigger_definition(
            &TriggerChoice::BusinessEvent {
                event: "CustomerCreatedBusinessEvent".into(),
                category: "Accounts receivable".into(),
                legal_entity: "usmf".into(),
            },
            "contoso.operations.dynamics.com",
        );
        assert_eq!(name, "When_a_Business_Event_occurs");
        assert_eq!(
            classify(&event),
            Ok(TriggerKind::BusinessEvent(BusinessEventSpec {
                event: "CustomerCreatedBusinessEvent".into(),
                category: Some("Accounts receivable".into()),
                legal_entity: Some("usmf".into()),
            }))
        );
        let (_, polling) = trigger_definition(
            &TriggerChoice::RecordChanged {
                table: "CustomersV3".into(),
                filter: String::new(),
                only_new: false,
                watermark: "ModifiedDateTime".into(),
                minutes: 5,
            },
            "d",
        );
        let Ok(TriggerKind::RecordChanged(spec)) = classify(&polling) else {
            panic!("a record trigger");
        };
        assert_eq!(
            spec.detection,
            ChangeDetection::Watermark("ModifiedDateTime".into())
        );
        assert_eq!(spec.filter, None);
        assert_eq!(spec.recurrence.map(|r| r.interval), Some(5));
    }

    #[test]
    fn setting_a_trigger_replaces_the_old_one_and_keeps_the_actions() {
        let mut definition = json!({"triggers": {"manual": {"type": "Request"}}, "actions": {"A": {"type": "Compose"}}})
            .as_object()
            .cloned()
            .expect("object");
        let (name, trigger) = trigger_definition(&TriggerChoice::Recurrence, "d");
        set_trigger(&mut definition, name, trigger);
        let triggers = definition["triggers"].as_object().expect("triggers");
        assert_eq!(triggers.keys().collect::<Vec<_>>(), vec!["Recurrence"]);
        assert!(definition["actions"].get("A").is_some());
    }
}
