//! What kind of trigger a definition starts with, read from either action style: Power
//! Automate's `OpenApiConnection(Webhook)` with `host.operationId` and flat `parameters`,
//! or Logic Apps' `ApiConnection(Webhook)` with a `path` and `queries`.

use serde_json::{Map, Value};

use crate::flow::schedule::Recurrence;

/// The connector's "When a business event occurs" (`SubscribeOnABusinessEvent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessEventSpec {
    /// `BusinessEventId`, e.g. `CustomerCreatedBusinessEvent`.
    pub event: String,
    /// The catalog category (`businesseventcategory`), when given.
    pub category: Option<String>,
    /// The legal entity (`legalEntity`), when given: events of other companies are not
    /// delivered.
    pub legal_entity: Option<String>,
}

/// How a polling trigger sees that a record changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeDetection {
    /// A date-time field the server sets on every change (`ModifiedDateTime`): records with
    /// a value past the last one seen.
    Watermark(String),
    /// No such field: records compared by key and content with the previous poll.
    Content,
}

/// "When a record is created or changed": an entity polled on a recurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct PollSpec {
    /// The entity set.
    pub table: String,
    /// An OData `$filter` the records must match.
    pub filter: Option<String>,
    /// Only new records (`GetOnNewItems`), or new and changed ones (`GetOnUpdatedItems`).
    pub only_new: bool,
    /// How changes are seen.
    pub detection: ChangeDetection,
    /// Across all companies.
    pub cross_company: bool,
    /// How often to poll (default: every minute).
    pub recurrence: Option<Recurrence>,
}

/// A `SlidingWindow` trigger: contiguous windows of its recurrence, each run once it has
/// ended (after `inputs.delay`), missed windows included.
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingWindow {
    /// The windows' boundaries: each window runs from one time of the recurrence to the next.
    pub recurrence: Recurrence,
    /// How long after a window ends its run starts (`inputs.delay`, ISO 8601).
    pub delay: chrono::Duration,
}

/// A definition's trigger, by what starts it.
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerKind {
    /// Started by hand (`Request`: manual button, Power Apps, HTTP).
    Manual,
    /// "For a selected record": started from a record in the explorer.
    SelectedRecord,
    /// A `Recurrence` schedule.
    Recurrence(Recurrence),
    /// A `SlidingWindow` schedule.
    SlidingWindow(SlidingWindow),
    /// A business event pushed to a webhook.
    BusinessEvent(BusinessEventSpec),
    /// A polled entity.
    RecordChanged(PollSpec),
    /// Anything else (another connector's trigger): runs only with a given body.
    Other(String),
}

impl TriggerKind {
    /// Whether the trigger starts runs by itself once turned on.
    pub fn is_automatic(&self) -> bool {
        matches!(
            self,
            Self::Recurrence(_)
                | Self::SlidingWindow(_)
                | Self::BusinessEvent(_)
                | Self::RecordChanged(_)
        )
    }

    /// A short label for lists and logs.
    pub fn label(&self) -> String {
        match self {
            Self::Manual => "manual".to_owned(),
            Self::SelectedRecord => "for a selected record".to_owned(),
            Self::Recurrence(_) => "recurrence".to_owned(),
            Self::SlidingWindow(_) => "sliding window".to_owned(),
            Self::BusinessEvent(spec) => format!("business event {}", spec.event),
            Self::RecordChanged(spec) if spec.only_new => {
                format!("record created in {}", spec.table)
            }
            Self::RecordChanged(spec) => format!("record created or changed in {}", spec.table),
            Self::Other(kind) => kind.clone(),
        }
    }
}

/// Operation ids of the polling trigger (named as other record connectors name theirs).
pub const ON_NEW_ITEMS: &str = "GetOnNewItems";
/// Operation id of "When a record is created or changed".
pub const ON_UPDATED_ITEMS: &str = "GetOnUpdatedItems";

/// Reads a `SlidingWindow` trigger: its recurrence and its optional `inputs.delay`.
fn sliding_window(trigger: &Value) -> Result<SlidingWindow, String> {
    let recurrence = Recurrence::from_trigger(trigger)?;
    let delay = match trigger.pointer("/inputs/delay") {
        None | Some(Value::Null) => chrono::Duration::zero(),
        Some(Value::String(text)) if text.trim().is_empty() => chrono::Duration::zero(),
        Some(Value::String(text)) => crate::flow::run::parse_iso_duration(text)
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .ok_or_else(|| {
                format!("inputs.delay: expected an ISO 8601 duration such as PT5M, found '{text}'")
            })?,
        Some(other) => {
            return Err(format!(
                "inputs.delay: expected an ISO 8601 duration such as PT5M, found {other}"
            ));
        }
    };
    Ok(SlidingWindow { recurrence, delay })
}

/// Reads the trigger `trigger`; an error names what is malformed.
pub fn classify(trigger: &Value) -> Result<TriggerKind, String> {
    let kind = trigger
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind == "request" {
        return Ok(TriggerKind::Manual);
    }
    if kind == "recurrence" {
        return Recurrence::from_trigger(trigger).map(TriggerKind::Recurrence);
    }
    if kind == "slidingwindow" {
        return sliding_window(trigger).map(TriggerKind::SlidingWindow);
    }
    if crate::flow::run::trigger::is_selected_record(trigger) {
        return Ok(TriggerKind::SelectedRecord);
    }
    if crate::flow::run::trigger::is_business_event(trigger) {
        return business_event(trigger).map(TriggerKind::BusinessEvent);
    }
    let (operation, params) = operation_and_parameters(trigger);
    if operation.as_deref().is_some_and(|op| {
        op.eq_ignore_ascii_case(ON_NEW_ITEMS) || op.eq_ignore_ascii_case(ON_UPDATED_ITEMS)
    }) {
        return poll_spec(trigger, operation.as_deref().unwrap_or(""), &params)
            .map(TriggerKind::RecordChanged);
    }
    Ok(TriggerKind::Other(
        trigger
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned(),
    ))
}

/// The operation and the parameters of a connector trigger, from either style: for
/// `ApiConnection`, the path's segments after `/datasets/{dataset}` give the operation
/// (`subscribebusinessevent/{event}`, `tables/{table}/onupdateditems`) and the queries the
/// parameters.
fn operation_and_parameters(trigger: &Value) -> (Option<String>, Map<String, Value>) {
    let inputs = trigger.get("inputs").cloned().unwrap_or(Value::Null);
    if let Some(operation) = inputs.pointer("/host/operationId").and_then(Value::as_str) {
        let params = inputs
            .get("parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        return (Some(operation.to_owned()), params);
    }
    let mut params = inputs
        .get("queries")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let path = inputs.get("path").and_then(Value::as_str).unwrap_or("");
    let segments: Vec<String> = path_segments(path);
    let operation = match segments.as_slice() {
        [datasets, dataset, rest @ ..] if datasets == "datasets" => {
            params.insert("dataset".to_owned(), Value::String(dataset.clone()));
            match rest {
                [sub, event] if sub.eq_ignore_ascii_case("subscribebusinessevent") => {
                    params.insert("businessevent".to_owned(), Value::String(event.clone()));
                    Some("SubscribeOnABusinessEvent".to_owned())
                }
                [tables, table, op] if tables == "tables" => {
                    params.insert("table".to_owned(), Value::String(table.clone()));
                    match op.to_ascii_lowercase().as_str() {
                        "onnewitems" => Some(ON_NEW_ITEMS.to_owned()),
                        "onupdateditems" => Some(ON_UPDATED_ITEMS.to_owned()),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    };
    (operation, params)
}

/// The decoded segments of a connector path whose segments may be written as
/// `@{encodeURIComponent(encodeURIComponent('X'))}`.
fn path_segments(path: &str) -> Vec<String> {
    let empty = crate::flow::expr::JsonScope::default();
    let evaluated = crate::flow::expr::evaluate_value(&Value::String(path.to_owned()), &empty)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| path.to_owned());
    evaluated
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|segment| {
            // Connector paths encode twice.
            let once = percent_decode(segment);
            percent_decode(&once)
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

fn text_param(params: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    })
}

fn business_event(trigger: &Value) -> Result<BusinessEventSpec, String> {
    let (_, params) = operation_and_parameters(trigger);
    let event = text_param(&params, &["businessevent", "BusinessEventId", "businessEvent"])
        .ok_or(
            "the business event trigger names no event: expected inputs.parameters.businessevent or a path ending /subscribebusinessevent/{event}",
        )?;
    Ok(BusinessEventSpec {
        event,
        category: text_param(&params, &["businesseventcategory"]),
        legal_entity: text_param(&params, &["legalEntity", "legalentity"]),
    })
}

fn poll_spec(
    trigger: &Value,
    operation: &str,
    params: &Map<String, Value>,
) -> Result<PollSpec, String> {
    let table = text_param(params, &["table"])
        .ok_or("the record trigger names no entity: expected inputs.parameters.table")?;
    let recurrence = match trigger.get("recurrence") {
        Some(r) => Some(Recurrence::from_trigger(r).map_err(|e| format!("recurrence: {e}"))?),
        None => None,
    };
    let detection = match text_param(params, &["watermarkField", "watermark"]) {
        Some(field) => ChangeDetection::Watermark(field),
        None => ChangeDetection::Content,
    };
    let cross_company = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("cross-company"))
        .is_some_and(|(_, v)| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    Ok(PollSpec {
        table,
        filter: text_param(params, &["$filter"]),
        only_new: operation.eq_ignore_ascii_case(ON_NEW_ITEMS),
        detection,
        cross_company,
        recurrence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn business_event_triggers_of_both_styles_name_their_event() {
        let logic_apps = json!({
            "type": "ApiConnectionWebhook",
            "inputs": {
                "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
                "body": {"NotificationUrl": "@{listCallbackUrl()}"},
                "path": "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/subscribebusinessevent/@{encodeURIComponent(encodeURIComponent('CustomerCreatedBusinessEvent'))}",
                "queries": {"businesseventcategory": "Accounts receivable", "legalEntity": "usmf"}
            }
        });
        assert_eq!(
            classify(&logic_apps),
            Ok(TriggerKind::BusinessEvent(BusinessEventSpec {
                event: "CustomerCreatedBusinessEvent".into(),
                category: Some("Accounts receivable".into()),
                legal_entity: Some("usmf".into()),
            }))
        );
        let power_automate = json!({
            "type": "OpenApiConnectionWebhook",
            "inputs": {
                "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax", "connectionName": "shared_dynamicsax", "operationId": "SubscribeOnABusinessEvent"},
                "parameters": {"dataset": "contoso.operations.dynamics.com", "businesseventcategory": "Sales", "businessevent": "SalesOrderConfirmedBusinessEvent"}
            }
        });
        let TriggerKind::BusinessEvent(spec) = classify(&power_automate).expect("reads") else {
            panic!("not a business event");
        };
        assert_eq!(spec.event, "SalesOrderConfirmedBusinessEvent");
        assert_eq!(spec.legal_entity, None);
        let nameless = json!({"type": "OpenApiConnectionWebhook", "inputs": {"host": {"operationId": "SubscribeOnABusinessEvent", "apiId": "shared_dynamicsax"}, "parameters": {}}});
        assert!(
            classify(&nameless)
                .expect_err("no event")
                .contains("names no event")
        );
    }

    #[test]
    fn record_triggers_read_entity_filter_detection_and_recurrence() {
        let trigger = json!({
            "type": "OpenApiConnection",
            "recurrence": {"frequency": "Minute", "interval": 5},
            "splitOn": "@triggerOutputs()?['body/value']",
            "inputs": {
                "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax", "operationId": "GetOnUpdatedItems"},
                "parameters": {"dataset": "demo", "table": "CustomersV3", "$filter": "CustomerGroupId eq '10'", "watermarkField": "ModifiedDateTime", "cross-company": true}
            }
        });
        let TriggerKind::RecordChanged(spec) = classify(&trigger).expect("reads") else {
            panic!("not a record trigger");
        };
        assert_eq!(spec.table, "CustomersV3");
        assert_eq!(spec.filter.as_deref(), Some("CustomerGroupId eq '10'"));
        assert!(!spec.only_new && spec.cross_company);
        assert_eq!(
            spec.detection,
            ChangeDetection::Watermark("ModifiedDateTime".into())
        );
        assert_eq!(spec.recurrence.expect("recurrence").interval, 5);
        let logic_apps = json!({
            "type": "ApiConnection",
            "recurrence": {"frequency": "Minute", "interval": 1},
            "inputs": {"path": "/datasets/@{encodeURIComponent(encodeURIComponent('demo'))}/tables/@{encodeURIComponent(encodeURIComponent('CustomerGroups'))}/onnewitems"}
        });
        let TriggerKind::RecordChanged(spec) = classify(&logic_apps).expect("reads") else {
            panic!("not a record trigger");
        };
        assert_eq!(spec.table, "CustomerGroups");
        assert!(spec.only_new);
        assert_eq!(spec.detection, ChangeDetection::Content);
    }

    #[test]
    fn manual_recurrence_and_foreign_triggers() {
        assert_eq!(
            classify(&json!({"type": "Request", "kind": "Button"})),
            Ok(TriggerKind::Manual)
        );
        let recurrence = classify(
            &json!({"type": "Recurrence", "recurrence": {"frequency": "Hour", "interval": 2}}),
        )
        .expect("reads");
        assert!(recurrence.is_automatic());
        assert!(classify(&json!({"type": "Recurrence", "recurrence": {"frequency": "Fortnight", "interval": 1}})).is_err());
        assert!(matches!(
            classify(&json!({"type": "SlidingWindow", "recurrence": {"frequency": "Hour", "interval": 3}})),
            Ok(TriggerKind::SlidingWindow(w)) if w.recurrence.interval == 3 && w.delay.is_zero()
        ));
        assert_eq!(
            classify(&json!({"type": "ApiConnection", "inputs": {"path": "/v2/mail"}})),
            Ok(TriggerKind::Other("ApiConnection".into()))
        );
    }
}
