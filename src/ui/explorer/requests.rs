//! Turns the selected action's form (or a listed record, for update and delete) into a
//! request, checked client-side first, and starts it as a background job.

use serde_json::Value;

use super::forms::{EntityForms, FormRequest};
use super::jobs::{Job, Outcome};
use super::{Explorer, ExplorerContext, ProblemForm, fields_problem};
use crate::odata::client::{ODataClient, ODataError};
use crate::ui::results::RecordRequest;
use crate::ui::state::ConnectorAction;

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
    if action == ConnectorAction::ListEntities {
        let job = Job::one_shot(runtime, ctx.clone(), async move {
            client.entity_sets().await.map(Outcome::Entities)
        });
        explorer.start(job, (action, request), None);
        return true;
    }
    let (Some(entity), Some(forms)) = (entity.map(str::to_owned), explorer.forms.as_mut()) else {
        return false;
    };
    let mut sent = serde_json::Map::new();
    let prepared = prepare(action, request, forms, &client, &entity, &mut sent);
    match prepared {
        Ok(Prepared::Listing(url, all_pages)) => {
            let job = Job::listing(runtime, ctx.clone(), client, url, all_pages);
            explorer.start(job, (action, request), Some(&entity));
            true
        }
        Ok(Prepared::OneShot(work)) => {
            let job = Job::one_shot(runtime, ctx.clone(), work);
            explorer.start(job, (action, request), Some(&entity));
            explorer.pane_mut(action).sent = sent;
            true
        }
        Err(Refusal(problem, fields)) => {
            explorer.pane_mut(action).refuse(problem, fields);
            false
        }
    }
}

type Work =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Outcome, ODataError>> + Send>>;

/// A request ready to start.
enum Prepared {
    Listing(url::Url, bool),
    OneShot(Work),
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

/// Reads the form of `action` into a request; `Err` says what to fix in the form. The body
/// of a create or update is copied into `sent`.
fn prepare(
    action: ConnectorAction,
    request: FormRequest,
    forms: &mut EntityForms,
    client: &ODataClient,
    entity: &str,
    sent: &mut serde_json::Map<String, Value>,
) -> Result<Prepared, Refusal> {
    let refuse = |form: ProblemForm| move |errors| Refusal(fields_problem(errors), Some(form));
    let client = client.clone();
    let entity = entity.to_owned();
    match (action, request) {
        (ConnectorAction::ListItems, _) => {
            let options = forms
                .list
                .query_options()
                .map_err(|problems| problems.join("; "))?;
            let url = client
                .collection_url(&entity, &options.to_query_string())
                .map_err(|e| Refusal::from(e.to_string()))?;
            Ok(Prepared::Listing(url, forms.list.all_pages))
        }
        (ConnectorAction::GetRecord, _) | (ConnectorAction::UpdateRecord, FormRequest::Load) => {
            let key = forms.key.check().map_err(key_refusal)?.to_literal();
            let loading = action == ConnectorAction::UpdateRecord;
            Ok(Prepared::OneShot(Box::pin(async move {
                let record = client.get_record(&entity, &key, "").await?;
                Ok(if loading {
                    Outcome::Loaded(record)
                } else {
                    Outcome::Record(record)
                })
            })))
        }
        (ConnectorAction::CreateRecord, _) => {
            let body = forms
                .create
                .to_create_body()
                .map_err(refuse(ProblemForm::Create))?;
            sent.clone_from(&body);
            Ok(Prepared::OneShot(Box::pin(async move {
                client
                    .create_record(&entity, &Value::Object(body))
                    .await
                    .map(Outcome::Created)
            })))
        }
        (ConnectorAction::UpdateRecord, _) => {
            // Only the record the form holds, and only while the key values still name it.
            let path = forms.update_target()?;
            let changes = forms
                .update
                .changed_body()
                .map_err(refuse(ProblemForm::Update))?;
            if changes.is_empty() {
                return Err("Nothing changed: edit a field first".to_owned().into());
            }
            sent.clone_from(&changes);
            let key = forms.update.key()?.to_literal();
            let etag = forms.update.etag().map(str::to_owned);
            Ok(Prepared::OneShot(Box::pin(async move {
                client
                    .update_record(&entity, &key, &changes, etag.as_deref())
                    .await?;
                // Read it back: the form then holds the new values and the new ETag.
                let record = client.get_record(&entity, &key, "").await?;
                Ok(Outcome::Updated(path, record))
            })))
        }
        (ConnectorAction::DeleteRecord, FormRequest::ConfirmDelete) => {
            let key = forms.key.check().map_err(key_refusal)?.to_literal();
            let path = forms.key.path()?;
            Ok(Prepared::OneShot(Box::pin(async move {
                client.delete_record(&entity, &key, None).await?;
                Ok(Outcome::Deleted(path))
            })))
        }
        (ConnectorAction::ExecuteAction, _) => {
            let call = forms
                .action
                .to_call()
                .map_err(refuse(ProblemForm::Action))?;
            Ok(Prepared::OneShot(Box::pin(async move {
                client.execute(&call).await.map(Outcome::ActionResult)
            })))
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
    | RecordRequest::OpenEntity(index)) = request;
    if explorer.is_busy() && !matches!(request, RecordRequest::OpenEntity(_)) {
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
        RecordRequest::OpenEntity(_) => {}
    }
}
