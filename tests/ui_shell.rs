//! GUI behaviour of the window shell, driven headless with egui_kittest.

mod sample_model;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::ui::{ConnectorAction, FlowbenchApp, UiState, View, load_state, save_state};

fn harness_with(app: FlowbenchApp) -> Harness<'static, FlowbenchApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut FlowbenchApp| app.window_ui(ui), app);
    harness.run();
    harness
}

/// The app with a small F&O-like model loaded, as after connecting an instance.
fn harness() -> Harness<'static, FlowbenchApp> {
    let mut app = FlowbenchApp::with_state(UiState::default());
    app.set_metadata(sample_model::sample_model());
    harness_with(app)
}

fn entity_search<'h>(harness: &'h Harness<'static, FlowbenchApp>) -> egui_kittest::Node<'h> {
    harness.get_by_role_and_label(Role::TextInput, "Entity")
}

#[test]
fn opens_on_the_explorer_with_every_connector_action() {
    let harness = harness();
    assert_eq!(harness.state().state.view, View::Explorer);
    for action in ConnectorAction::ALL {
        assert!(
            harness.query_all_by_label(action.label()).count() >= 1,
            "{action:?} missing"
        );
    }
    assert!(harness.query_by_label("Instance").is_some());
}

#[test]
fn clicking_flows_switches_the_view() {
    let mut harness = harness();
    harness.get_by_label("Flows").click();
    harness.run();
    assert_eq!(harness.state().state.view, View::Flows);
    // The Flows view: open a flow, or pick an example.
    harness.get_by_label("Open a flow");
    harness.get_by_label("Examples");
    harness.get_by_label("Explorer").click();
    harness.run();
    assert_eq!(harness.state().state.view, View::Explorer);
}

#[test]
fn clicking_an_action_selects_it_and_shows_its_description() {
    let mut harness = harness();
    harness.get_by_label("Get a record").click();
    harness.run();
    assert_eq!(harness.state().state.action, ConnectorAction::GetRecord);
    harness.get_by_label(ConnectorAction::GetRecord.description());
}

#[test]
fn typing_in_the_entity_search_updates_state_and_side_panel() {
    let mut harness = harness();
    entity_search(&harness).focus();
    harness.run();
    entity_search(&harness).type_text("Cust");
    harness.run();
    assert_eq!(harness.state().state.entity_query, "Cust");
    harness.get_by_label("CustomersV3");
}

#[test]
fn ctrl_k_focuses_the_entity_search() {
    let mut harness = harness();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run();
    entity_search(&harness).type_text("Sales");
    harness.run();
    assert_eq!(harness.state().state.entity_query, "Sales");
    harness.get_by_label("SalesOrderLines");

    // Focused again with text in it: the text is selected, so typing replaces it.
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness.state_mut().state.entity_query = "CustomersV3".into();
    harness.get_by_label("Instance").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run();
    entity_search(&harness).type_text("soh");
    harness.run();
    assert_eq!(harness.state().state.entity_query, "soh");
}

#[test]
fn ctrl_b_ctrl_j_and_trace_toggle_change_panels() {
    let mut harness = harness();
    assert!(harness.state().state.side_panel_open);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    harness.run();
    assert!(!harness.state().state.side_panel_open);
    assert!(harness.query_by_label("No recent actions yet").is_none());

    harness.get_by_label("HTTP trace (0)").click();
    harness.run();
    assert!(harness.state().state.trace_open);
    harness.get_by_label("No requests yet.");

    // Ctrl+J closes and opens it again.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::J);
    harness.run();
    assert!(!harness.state().state.trace_open);
    assert!(harness.query_by_label("No requests yet.").is_none());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::J);
    harness.run();
    assert!(harness.state().state.trace_open);
}

#[test]
fn theme_switch_flips_dark_mode() {
    let mut harness = harness();
    harness.get_by_label("Light theme").click();
    harness.run();
    assert!(!harness.state().state.dark_mode);
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
}

/// An in-memory eframe storage, to check that the UI state survives a restart.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn ui_state_survives_a_restart() {
    let mut harness = harness();
    harness.get_by_label("Delete a record").click();
    harness.run();
    harness.get_by_label("Flows").click();
    harness.run();
    let mut storage = MemoryStorage::default();
    save_state(&mut storage, &harness.state().state);

    let restored = load_state(Some(&storage));
    assert_eq!(restored.view, View::Flows);
    assert_eq!(restored.action, ConnectorAction::DeleteRecord);
    assert_eq!(restored, harness.state().state);
    assert_eq!(load_state(None), UiState::default());
}

#[test]
fn entity_search_is_disabled_until_metadata_is_loaded() {
    let mut harness = harness_with(FlowbenchApp::with_state(UiState::default()));
    entity_search(&harness).focus();
    harness.run();
    entity_search(&harness).type_text("Cust");
    harness.run();
    assert_eq!(harness.state().state.entity_query, "");
}

#[test]
fn typing_an_acronym_and_enter_picks_the_best_entity() {
    let mut harness = harness();
    entity_search(&harness).focus();
    harness.run();
    entity_search(&harness).type_text("soh");
    harness.run();
    harness.get_by_label("SalesOrderHeadersV2");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("SalesOrderHeadersV2")
    );
    harness.get_by_label("Keys: dataAreaId, SalesOrderNumber");
    harness.get_by_label("4 fields · 1 actions");
}

#[test]
fn arrow_down_moves_the_highlight() {
    let mut harness = harness();
    entity_search(&harness).focus();
    harness.run();
    entity_search(&harness).type_text("sales");
    harness.run();
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    // Equal scores rank the shorter name first: SalesOrderLines, then SalesOrderHeadersV2.
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("SalesOrderHeadersV2")
    );
}

#[test]
fn clicking_a_result_picks_it_and_escape_closes_the_popup() {
    let mut harness = harness();
    entity_search(&harness).focus();
    harness.run();
    entity_search(&harness).type_text("vend");
    harness.run();
    harness.get_by_label("VendorsV2").click();
    harness.run();
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("VendorsV2")
    );
    // The popup closed: no result rows (with their "· keys:" detail line) remain.
    assert!(harness.query_by_label_contains("· keys:").is_none());

    entity_search(&harness).focus();
    harness.run();
    entity_search(&harness).type_text("x");
    harness.run();
    harness.get_by_label_contains("No entity matches");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_label_contains("No entity matches")
            .is_none()
    );
}

#[test]
fn recent_actions_keep_their_inputs_across_a_restart_and_older_state_still_loads() {
    use flowbench::odata::filter::{FilterOperator, FilterRow};
    use flowbench::ui::RecentAction;
    use flowbench::ui::forms::{FormInputs, ListInputs};

    let mut state = UiState::default();
    state.remember(RecentAction {
        instance: "Demo instance".into(),
        entity: Some("CustomersV3".into()),
        action: ConnectorAction::ListItems,
        inputs: Some(FormInputs::List(ListInputs {
            rows: vec![FilterRow {
                field: "CreditLimit".into(),
                operator: FilterOperator::Gt,
                value: "10000".into(),
            }],
            top: "20".into(),
            cross_company: true,
            ..ListInputs::default()
        })),
    });
    state.remember(RecentAction {
        instance: "Demo instance".into(),
        entity: Some("CustomersV3".into()),
        action: ConnectorAction::GetRecord,
        inputs: Some(FormInputs::Key {
            keys: "usmf,US-001".into(),
            cross_company: true,
        }),
    });
    let mut storage = MemoryStorage::default();
    save_state(&mut storage, &state);
    let restored = load_state(Some(&storage));
    assert_eq!(restored.recent, state.recent);

    // The same action on the same entity replaces the older entry and its inputs.
    state.remember(RecentAction {
        inputs: Some(FormInputs::Key {
            keys: "usmf,US-002".into(),
            cross_company: false,
        }),
        ..state.recent[0].clone()
    });
    assert_eq!(state.recent.len(), 2);
    assert_eq!(state.recent[0].detail().as_deref(), Some("usmf,US-002"));

    // State saved before recent actions had inputs.
    let saved = eframe::Storage::get_string(&storage, eframe::APP_KEY).expect("saved");
    let older = saved.replace("inputs:", "ignored_inputs:");
    assert_ne!(older, saved);
    eframe::Storage::set_string(&mut storage, eframe::APP_KEY, older);
    let restored = load_state(Some(&storage));
    assert_eq!(restored.recent.len(), 2);
    assert!(restored.recent.iter().all(|r| r.inputs.is_none()));
}

#[test]
fn f1_and_the_shortcuts_button_show_the_keyboard_shortcuts() {
    let mut harness = harness();
    assert!(harness.query_by_label("Keyboard shortcuts").is_none());
    harness.key_press(egui::Key::F1);
    harness.run();
    assert!(harness.state().state.shortcuts_open);
    harness.get_by_label("Keyboard shortcuts");
    for (keys, what) in flowbench::ui::shortcuts::SHORTCUTS {
        // Some keys are also hinted elsewhere (Ctrl+Enter next to the Run button).
        assert!(harness.query_all_by_label(keys).count() >= 1, "{keys}");
        harness.get_by_label(what);
    }
    harness.key_press(egui::Key::F1);
    harness.run();
    assert!(harness.query_by_label("Keyboard shortcuts").is_none());

    harness.get_by_label("Shortcuts").click();
    harness.run();
    harness.get_by_label("Find in the results");
    harness.get_by_label("Shortcuts").click();
    harness.run();
    assert!(!harness.state().state.shortcuts_open);
}
