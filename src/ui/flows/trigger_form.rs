//! The trigger card's type: change a flow's trigger to a manual button, "For a selected
//! record", a recurrence, "When a business event occurs" (the event picked from the
//! instance's business events catalog) or "When a record is created or changed" (entity,
//! filter, how changes are seen, how often).

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::view::FlowsContext;
use super::{CardKey, FlowsView};
use crate::flow::run::trigger::first_trigger;
use crate::flow::triggers::kind::ChangeDetection;
use crate::flow::triggers::templates::{
    TRIGGER_KINDS, TriggerChoice, set_trigger, trigger_definition,
};
use crate::flow::triggers::{TriggerKind, classify};
use crate::ui::{LoadedMetadata, theme};

/// The entity set of the business events catalog.
pub const CATALOG_SET: &str = "BusinessEventsCatalog";

/// One business event of the instance's catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEvent {
    /// `BusinessEventId`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: String,
}

/// The catalog as loaded in the background.
pub type Catalog = Arc<Mutex<Option<Result<Vec<CatalogEvent>, String>>>>;

/// The form's inputs before they become the trigger.
#[derive(Debug, Clone, Default)]
pub struct TriggerForm {
    /// Index in [`TRIGGER_KINDS`].
    pub kind: usize,
    /// Entity set (selected record, record trigger).
    pub table: String,
    /// Record trigger: filter.
    pub filter: String,
    /// Record trigger: only new records.
    pub only_new: bool,
    /// Record trigger: watermark field (empty: compare content).
    pub watermark: String,
    /// Record trigger: minutes between polls.
    pub minutes: u32,
    /// Business event id.
    pub event: String,
    /// Its category.
    pub category: String,
    /// Legal entity.
    pub legal_entity: String,
}

impl TriggerForm {
    /// The form filled from a trigger.
    pub fn from_kind(kind: &TriggerKind) -> Self {
        let mut form = Self {
            minutes: 1,
            ..Self::default()
        };
        match kind {
            TriggerKind::Manual | TriggerKind::Other(_) => form.kind = 0,
            TriggerKind::SelectedRecord => form.kind = 1,
            TriggerKind::Recurrence(_) => form.kind = 2,
            TriggerKind::SlidingWindow(_) => form.kind = 5,
            TriggerKind::BusinessEvent(spec) => {
                form.kind = 3;
                form.event = spec.event.clone();
                form.category = spec.category.clone().unwrap_or_default();
                form.legal_entity = spec.legal_entity.clone().unwrap_or_default();
            }
            TriggerKind::RecordChanged(spec) => {
                form.kind = 4;
                form.table = spec.table.clone();
                form.filter = spec.filter.clone().unwrap_or_default();
                form.only_new = spec.only_new;
                form.watermark = match &spec.detection {
                    ChangeDetection::Watermark(field) => field.clone(),
                    ChangeDetection::Content => String::new(),
                };
                form.minutes = spec.recurrence.as_ref().map_or(1, |r| r.interval);
            }
        }
        form
    }

    fn choice(&self) -> Option<TriggerChoice> {
        Some(match self.kind {
            0 => TriggerChoice::Manual,
            1 if !self.table.is_empty() => TriggerChoice::SelectedRecord {
                table: self.table.clone(),
            },
            2 => TriggerChoice::Recurrence,
            3 if !self.event.trim().is_empty() => TriggerChoice::BusinessEvent {
                event: self.event.trim().to_owned(),
                category: self.category.clone(),
                legal_entity: self.legal_entity.clone(),
            },
            4 if !self.table.is_empty() => TriggerChoice::RecordChanged {
                table: self.table.clone(),
                filter: self.filter.clone(),
                only_new: self.only_new,
                watermark: self.watermark.clone(),
                minutes: self.minutes.max(1),
            },
            5 => TriggerChoice::SlidingWindow,
            _ => return None,
        })
    }
}

fn lock<T>(shared: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Loads the business events catalog when the form asked for it and an instance is there.
pub fn load_catalog_when_wanted(view: &mut FlowsView, cx: &FlowsContext<'_>) {
    if !view.catalog_wanted || view.catalog.is_some() {
        return;
    }
    let (Some(connected), Some(runtime)) = (cx.connected, cx.runtime) else {
        return;
    };
    let has_catalog = cx
        .metadata
        .is_some_and(|m| m.model.entity_set(CATALOG_SET).is_some());
    let catalog: Catalog = Arc::default();
    if !has_catalog {
        *lock(&catalog) = Some(Err(format!(
            "{} has no {CATALOG_SET} entity set: type the business event id",
            connected.name
        )));
        view.catalog = Some(catalog);
        return;
    }
    let client = connected.client.clone();
    let slot = Arc::clone(&catalog);
    runtime.spawn(async move {
        let read = client
            .list_page(CATALOG_SET, "$orderby=Category,Name")
            .await;
        let loaded = read.map_err(|e| e.to_string()).map(|page| {
            page.items
                .iter()
                .map(|item| {
                    let text =
                        |f: &str| item.get(f).and_then(Value::as_str).unwrap_or("").to_owned();
                    CatalogEvent {
                        id: text("BusinessEventId"),
                        name: text("Name"),
                        category: text("Category"),
                    }
                })
                .collect()
        });
        *lock(&slot) = Some(loaded);
    });
    view.catalog = Some(catalog);
}

/// The trigger type and its settings, for the trigger card.
pub fn trigger_kind_ui(
    ui: &mut egui::Ui,
    view: &mut FlowsView,
    key: &CardKey,
    metadata: Option<&LoadedMetadata>,
    dataset: &str,
) {
    if key.0.first().is_none_or(|p| p != "trigger") || view.is_running() {
        return;
    }
    let Some(current) = view
        .open
        .as_ref()
        .and_then(|open| first_trigger(open.file.definition()).map(|(_, t)| t.clone()))
    else {
        return;
    };
    let kind = classify(&current).unwrap_or(TriggerKind::Other(String::new()));
    if view.trigger_form.as_ref().is_none_or(|(k, _)| k != key) {
        view.trigger_form = Some((key.clone(), TriggerForm::from_kind(&kind)));
    }
    let Some((_, mut form)) = view.trigger_form.clone() else {
        return;
    };
    ui.separator();
    ui.label(egui::RichText::new("Trigger type").strong());
    let label = ui.label("Starts the flow");
    egui::ComboBox::from_id_salt("trigger-kind")
        .selected_text(TRIGGER_KINDS[form.kind.min(TRIGGER_KINDS.len() - 1)])
        .width(260.0)
        .show_ui(ui, |ui| {
            for (index, name) in TRIGGER_KINDS.iter().enumerate() {
                ui.selectable_value(&mut form.kind, index, *name);
            }
        })
        .response
        .labelled_by(label.id);
    match form.kind {
        1 => entity_ui(ui, &mut form, metadata),
        3 => {
            view.catalog_wanted = true;
            event_ui(ui, &mut form, view.catalog.as_ref());
        }
        4 => {
            entity_ui(ui, &mut form, metadata);
            record_ui(ui, &mut form, metadata);
        }
        _ => {}
    }
    let choice = form.choice();
    let unchanged = choice.as_ref().is_some_and(|c| {
        let (_, wanted) = trigger_definition(c, dataset);
        classify(&wanted).ok() == Some(kind.clone())
    });
    if ui
        .add_enabled(
            choice.is_some() && !unchanged,
            egui::Button::new("Use this trigger"),
        )
        .on_hover_text("Replaces the flow's trigger; the steps stay")
        .on_disabled_hover_text(if choice.is_none() {
            "Fill in what the trigger needs first"
        } else {
            "The flow already has this trigger"
        })
        .clicked()
        && let Some(choice) = choice
    {
        let (name, trigger) = trigger_definition(&choice, dataset);
        let selected = name.clone();
        if view.edit(|definition| {
            set_trigger(definition, name, trigger);
            Ok(())
        }) {
            view.selected = Some((vec!["trigger".to_owned()], selected));
        }
    }
    view.trigger_form = Some((view.selected.clone().unwrap_or_else(|| key.clone()), form));
}

fn entity_ui(ui: &mut egui::Ui, form: &mut TriggerForm, metadata: Option<&LoadedMetadata>) {
    let label = ui.label("Entity");
    match metadata {
        Some(metadata) => {
            egui::ComboBox::from_id_salt("trigger-entity")
                .selected_text(if form.table.is_empty() {
                    "Choose an entity"
                } else {
                    &form.table
                })
                .width(260.0)
                .show_ui(ui, |ui| {
                    for set in metadata.model.entity_sets() {
                        ui.selectable_value(&mut form.table, set.name.clone(), &set.name);
                    }
                })
                .response
                .labelled_by(label.id);
        }
        None => {
            ui.text_edit_singleline(&mut form.table)
                .labelled_by(label.id);
        }
    }
}

fn record_ui(ui: &mut egui::Ui, form: &mut TriggerForm, metadata: Option<&LoadedMetadata>) {
    let label = ui.label("Filter (optional)");
    ui.add(
        egui::TextEdit::singleline(&mut form.filter)
            .hint_text("CustomerGroupId eq '10'")
            .desired_width(260.0),
    )
    .labelled_by(label.id);
    ui.checkbox(&mut form.only_new, "Only records created (not changed)");
    let date_fields: Vec<String> = metadata
        .and_then(|m| {
            let set = m.model.entity_set(&form.table)?;
            let entity = m.model.entity_type(&set.entity_type)?;
            Some(
                m.model
                    .all_properties(entity)
                    .iter()
                    .filter(|p| p.type_ref.name.ends_with("DateTimeOffset"))
                    .map(|p| p.name.clone())
                    .collect(),
            )
        })
        .unwrap_or_default();
    let label = ui.label("Changes seen by");
    let content = "Comparing records (no date field)";
    egui::ComboBox::from_id_salt("trigger-watermark")
        .selected_text(if form.watermark.is_empty() {
            content
        } else {
            &form.watermark
        })
        .width(260.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut form.watermark, String::new(), content);
            for field in date_fields {
                ui.selectable_value(&mut form.watermark, field.clone(), field);
            }
        })
        .response
        .labelled_by(label.id);
    ui.horizontal(|ui| {
        let label = ui.label("Poll every (minutes)");
        ui.add(egui::DragValue::new(&mut form.minutes).range(1..=1440))
            .labelled_by(label.id);
    });
}

fn event_ui(ui: &mut egui::Ui, form: &mut TriggerForm, catalog: Option<&Catalog>) {
    let loaded = catalog.and_then(|c| lock(c).clone());
    let label = ui.label("Business event");
    match loaded {
        Some(Ok(events)) if !events.is_empty() => {
            egui::ComboBox::from_id_salt("trigger-event")
                .selected_text(if form.event.is_empty() {
                    "Choose an event"
                } else {
                    &form.event
                })
                .width(260.0)
                .show_ui(ui, |ui| {
                    let mut category = String::new();
                    for event in &events {
                        if event.category != category {
                            category = event.category.clone();
                            ui.label(egui::RichText::new(&category).small().color(theme::MUTED));
                        }
                        if ui
                            .selectable_label(
                                form.event == event.id,
                                format!("{} ({})", event.name, event.id),
                            )
                            .clicked()
                        {
                            form.event = event.id.clone();
                            form.category = event.category.clone();
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        }
        other => {
            ui.add(
                egui::TextEdit::singleline(&mut form.event)
                    .hint_text("CustomerCreatedBusinessEvent")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            match other {
                None => {
                    ui.label(
                        egui::RichText::new("Loading the business events catalog…")
                            .small()
                            .color(theme::MUTED),
                    );
                }
                Some(Err(message)) => {
                    ui.label(egui::RichText::new(message).small().color(theme::MUTED));
                }
                Some(Ok(_)) => {}
            }
        }
    }
    let label = ui.label("Legal entity (optional)");
    ui.add(
        egui::TextEdit::singleline(&mut form.legal_entity)
            .hint_text("usmf")
            .desired_width(120.0),
    )
    .labelled_by(label.id);
}
