//! Turns the selected action's form (or a listed record, for update and delete) into a
//! connector request, checked client-side first, and starts it as a background job that
//! runs it through the connector layer.

use serde_json::Value;

use super::forms::{EntityForms, FormRequest};
use super::jobs::Job;
use super::{Explorer, ExplorerContext, ProblemForm, fields_problem};
use crate::connector::batch::run_batch;
use crate::connector::csv_import::{creates_batch, records_from_csv};
use crate::connector::{ActionRequest, ConnectorAction, Outcome, RecordRef, listing_url, run};
use crate::ui::results::RecordRequest;

/// Builds the request from the form and starts it; returns whether one was sent.
pub(super) fn start_request(
    ctx: &egui::Context,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
    request: FormRequest,
) -> bool {
    // One request at a time: a second one would replace the running job and lose its answer
    // (a save whose read-back never lands leaves the form with a stale ETag).
    if explorer.is_busy() {
        return false;
    }
    let (Some(connected), Some(runtime)) = (cx.connected, cx.runtime) else {
        return false;
    };
    let client = connected.client.clone();
    let action = cx.state.action;
    if request == FormRequest::ImportCsv {
        return start_csv_import(ctx, explorer, cx, entity, client);
    }
    let prepared = match (action, entity, explorer.forms.as_mut()) {
        (ConnectorAction::ListEntities, _, _) => Ok(ActionRequest::ListEntities),
        (_, Some(entity), Some(forms)) => prepare(action, request, forms, entity),
        _ => return false,
    };
    let action_request = match prepared {
        Ok(action_request) => action_request,
        Err(Refusal(problem, fields)) => {
            explorer.pane_mut(action).refuse(problem, fields);
            return false;
        }
    };
    let entity = entity.filter(|_| action != ConnectorAction::ListEntities);
    if let ActionRequest::ListItems { all_pages, .. } = &action_request {
        let url = match listing_url(&client, &action_request) {
            Ok(url) => url,
            Err(e) => {
                explorer.pane_mut(action).refuse(e.to_string(), None);
                return false;
            }
        };
        let job = Job::listing(runtime, ctx.clone(), client, url, *all_pages);
        explorer.start(job, (action, request), entity);
        return true;
    }
    let sent = match &action_request {
        ActionRequest::CreateRecord { body, .. } => body.clone(),
        ActionRequest::UpdateRecord { changes, .. } => changes.clone(),
        _ => serde_json::Map::new(),
    };
    let loading = action == ConnectorAction::UpdateRecord && request == FormRequest::Load;
    let job = Job::one_shot(runtime, ctx.clone(), async move {
        let outcome = run(&client, None, &action_request).await?.outcome;
        // A get on behalf of the update form fills that form.
        Ok(match outcome {
            Outcome::Record(record) if loading => Outcome::Loaded(record),
            other => other,
        })
    });
    explorer.start(job, (action, request), entity);
    explorer.pane_mut(action).sent = sent;
    true
}

/// Reads the CSV file of the import strip into creates and sends them in one `$batch`; a
/// file that cannot be read, or rows that do not fit the entity, are refused before
/// anything is sent, with the row and field.
fn start_csv_import(
    ctx: &egui::Context,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
    client: crate::odata::client::ODataClient,
) -> bool {
    let action = ConnectorAction::CreateRecord;
    let (Some(entity), Some(metadata), Some(runtime)) = (entity, cx.metadata, cx.runtime) else {
        return false;
    };
    let path = explorer.csv_import.path.trim().to_owned();
    let records = std::fs::read_to_string(&path)
        .map_err(|e| format!("Cannot read {path}: {e}"))
        .and_then(|text| {
            records_from_csv(&metadata.model, entity, &text).map_err(|e| format!("{path}: {e}"))
        });
    let records = match records {
        Ok(records) => records,
        Err(problem) => {
            explorer.pane_mut(action).refuse(problem, None);
            return false;
        }
    };
    let batch = creates_batch(entity, records, explorer.csv_import.all_or_nothing);
    let job = Job::one_shot(runtime, ctx.clone(), async move {
        run_batch(&client, &batch).await.map(Outcome::Batch)
    });
    explorer.start(job, (action, FormRequest::ImportCsv), Some(entity));
    true
}

/// Why a form was not sent: the message, and the form whose highlighted fields it names.
struct Refusal(String, Option<ProblemForm>);

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Self(message, None)
    }
}

/// A key that cannot be read: the message follows the key fields as they are corrected.
fn key_refusal(problem: String) -> Refusal {
    Refusal(problem, Some(ProblemForm::Key))
}

/// Reads the form of `action` into a connector request; `Err` says what to fix in the form.
fn prepare(
    action: ConnectorAction,
    request: FormRequest,
    forms: &mut EntityForms,
    entity: &str,
) -> Result<ActionRequest, Refusal> {
    let refuse = |form: ProblemForm| move |errors| Refusal(fields_problem(errors), Some(form));
    let cross_company = forms.key.cross_company;
    let record_at = |key: String| RecordRef::new(entity, key).across_companies(cross_company);
    match (action, request) {
        (ConnectorAction::ListItems, _) => {
            let query = forms
                .list
                .query_options()
                .map_err(|problems| problems.join("; "))?;
            Ok(ActionRequest::ListItems {
                entity_set: entity.to_owned(),
                query,
                all_pages: forms.list.all_pages,
            })
        }
        (ConnectorAction::GetRecord, _) | (ConnectorAction::UpdateRecord, FormRequest::Load) => {
            let key = forms.key.check().map_err(key_refusal)?.to_literal();
            Ok(ActionRequest::GetRecord {
                record: record_at(key),
                query: String::new(),
            })
        }
        (ConnectorAction::CreateRecord, _) => {
            let body = forms
                .create
                .to_create_body()
                .map_err(refuse(ProblemForm::Create))?;
            Ok(ActionRequest::CreateRecord {
                entity_set: entity.to_owned(),
                body,
            })
        }
        (ConnectorAction::UpdateRecord, _) => {
            // Only the record the form holds, and only while the key values still name it.
            forms.update_target()?;
            let changes = forms
                .update
                .changed_body()
                .map_err(refuse(ProblemForm::Update))?;
            if changes.is_empty() {
                return Err("Nothing changed: edit a field first".to_owned().into());
            }
            Ok(ActionRequest::UpdateRecord {
                record: record_at(forms.update.key()?.to_literal()),
                changes,
                if_match: forms.update.etag().map(str::to_owned),
                // The form then holds the new values and the new ETag.
                read_back: true,
            })
        }
        (ConnectorAction::DeleteRecord, FormRequest::ConfirmDelete) => {
            let key = forms.key.check().map_err(key_refusal)?.to_literal();
            Ok(ActionRequest::DeleteRecord {
                record: record_at(key),
                if_match: None,
            })
        }
        (ConnectorAction::ExecuteAction, _) => {
            let call = forms
                .action
                .to_call()
                .map_err(refuse(ProblemForm::Action))?;
            Ok(ActionRequest::ExecuteAction {
                call,
                cross_company: forms.action.key.cross_company,
                if_match: None,
            })
        }
        (ConnectorAction::DeleteRecord, _) | (ConnectorAction::ListEntities, _) => {
            Err("Nothing to run".to_owned().into())
        }
    }
}

/// Opens a record of the results in *Update a record* (loaded) or *Delete a record* (asking
/// first), its key filled from the record.
pub(super) fn record_request(
    ctx: &egui::Context,
    explorer: &mut Explorer,
    cx: &mut ExplorerContext<'_>,
    entity: Option<&str>,
    request: RecordRequest,
) {
    let (RecordRequest::Update(index)
    | RecordRequest::Delete(index)
    | RecordRequest::Copy(index)
    | RecordRequest::OpenEntity(index)
    | RecordRequest::RunFlow(index)) = request;
    if explorer.is_busy()
        && !matches!(
            request,
            RecordRequest::OpenEntity(_) | RecordRequest::RunFlow(_)
        )
    {
        // The forms belong to the running request until it answers.
        return;
    }
    let Some(record) = explorer
        .pane()
        .results
        .records()
        .get(index)
        .and_then(Value::as_object)
    else {
        return;
    };
    let record = record.clone();
    if let RecordRequest::RunFlow(_) = request {
        cx.state.flow_record = Some(Value::Object(record));
        cx.state.view = crate::ui::View::Flows;
        return;
    }
    if let RecordRequest::OpenEntity(_) = request {
        // A row of Get list of entities: list that entity's items.
        if let Some(name) = record.get("name").and_then(Value::as_str) {
            cx.state.entity_query = name.to_owned();
            cx.state.selected_entity = Some(name.to_owned());
            cx.state.action = ConnectorAction::ListItems;
        }
        return;
    }
    let Some(forms) = explorer.forms.as_mut() else {
        return;
    };
    forms.key.fill_from_record(&record);
    match request {
        RecordRequest::Update(_) => {
            cx.state.action = ConnectorAction::UpdateRecord;
            start_request(ctx, explorer, cx, entity, FormRequest::Load);
        }
        RecordRequest::Delete(_) => {
            cx.state.action = ConnectorAction::DeleteRecord;
            explorer.confirm_delete = true;
        }
        RecordRequest::Copy(_) => {
            forms.create.prefill(&record);
            cx.state.action = ConnectorAction::CreateRecord;
        }
        RecordRequest::OpenEntity(_) | RecordRequest::RunFlow(_) => {}
    }
}
