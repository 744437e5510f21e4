//! The flow designer: a card dragged by its grip onto another card moves its step before
//! that card (the run-after chain follows, undo restores it), each card shows the glyph of
//! its kind, a switch's form edits what it switches on and its cases, branches can be drawn
//! side by side, the expression functions list their usage, and a run's long error wraps
//! inside its card.

mod ui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::ui::flows::card_key;
use flowbench::ui::{FlowbenchApp, View};
use serde_json::{Value, json};
use ui_support::{click, connected_app, type_into};

fn flow() -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {"schema": {}}}},
        "actions": {
            "First": {"type": "Compose", "inputs": "@concat('a', 1)", "runAfter": {}},
            "Second": {"type": "Compose", "inputs": 2, "runAfter": {"First": ["Succeeded"]}},
            "Check": {"type": "If", "expression": {"and": [{"equals": [1, 1]}]},
                      "actions": {}, "else": {"actions": {}},
                      "runAfter": {"Second": ["Succeeded"]}},
            "Route": {"type": "Switch", "expression": "@triggerBody()?['kind']",
                      "cases": {"Case_a": {"case": "a", "actions": {}}},
                      "default": {"actions": {
                          "Fallback": {"type": "Compose", "inputs": "none"}}},
                      "runAfter": {"Check": ["Succeeded"]}},
            "Last": {"type": "Compose", "inputs": 4, "runAfter": {"Route": ["Succeeded"]}}
        }
    })
}

fn actions(harness: &Harness<'_, FlowbenchApp>) -> Value {
    let open = harness.state().flows.open.as_ref().expect("a flow");
    open.file.definition()["actions"].clone()
}

fn order(harness: &Harness<'_, FlowbenchApp>) -> Vec<String> {
    actions(harness)
        .as_object()
        .expect("actions")
        .keys()
        .cloned()
        .collect()
}

/// Every piece of text painted in the last frame (labels, glyphs).
fn painted_text(harness: &Harness<'_, FlowbenchApp>) -> Vec<String> {
    fn walk(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(text) => out.push(text.galley.text().to_owned()),
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        walk(&clipped.shape, &mut out);
    }
    out
}

/// Drags the grip `handle` onto the card whose title is `onto`, frame by frame, as a mouse
/// would (press, move past the drag threshold, hover the card, release over it).
fn drag_card(harness: &mut Harness<'_, FlowbenchApp>, handle: &str, onto: &str) {
    let from = harness.get_by_label(handle).rect().center();
    let to = harness.get_by_label_contains(onto).rect().center();
    let (from, to) = (egui::pos2(from.x, from.y), egui::pos2(to.x, to.y));
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    harness.hover_at(from + egui::vec2(0.0, 12.0));
    harness.step();
    harness.hover_at(to);
    harness.step();
    harness.step();
    harness.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    harness.step();
    harness.remove_cursor();
    harness.run_steps(2);
}

/// Replaces the whole text of the field labelled `label` with `text`.
fn replace_text(harness: &mut Harness<'_, FlowbenchApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run_steps(2);
}

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn cards_move_by_drag_show_their_kind_and_a_switch_s_cases_are_edited() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    let path = data.path().join("designer.json");
    std::fs::write(&path, flow().to_string()).expect("flow written");
    let mut harness = connected_app(DemoConfig::default());
    harness.state_mut().state.view = View::Flows;
    harness.run_steps(2);
    harness.state_mut().flows.open_path(path);
    harness.run_steps(3);

    // Each card shows the glyph of its kind next to its tag.
    let painted = painted_text(&harness);
    for glyph in ["▶", "≡", "◇", "⇶"] {
        assert!(
            painted.iter().any(|t| t == glyph),
            "no card shows {glyph}: {painted:?}"
        );
    }

    // A switch's cases come before its default.
    assert!(
        harness.get_by_label("Default").rect().min.y
            > harness.get_by_label("Case Case_a").rect().max.y
    );

    // Every step has a grip; the trigger does not.
    for step in ["First", "Second", "Check", "Route", "Last", "Fallback"] {
        harness.get_by_label(&format!("Drag {step}"));
    }
    assert!(harness.query_by_label("Drag manual").is_none());

    // Dropping "Last" onto "Second" moves it before "Second": First, Last, Second, Check…
    drag_card(&mut harness, "Drag Last", "Second · Compose");
    let moved = actions(&harness);
    assert_eq!(moved["Last"]["runAfter"], json!({"First": ["Succeeded"]}));
    assert_eq!(moved["Second"]["runAfter"], json!({"Last": ["Succeeded"]}));
    assert_eq!(moved["Route"]["runAfter"], json!({"Check": ["Succeeded"]}));
    assert_eq!(
        order(&harness),
        ["First", "Last", "Second", "Check", "Route"]
    );
    assert!(harness.state().flows.dirty, "the move is an edit");
    // A step of another scope cannot land here: the definition stays as it is.
    drag_card(&mut harness, "Drag Fallback", "First · Compose");
    assert_eq!(actions(&harness), moved);
    assert!(actions(&harness)["Route"]["default"]["actions"]["Fallback"].is_object());
    // Undo puts it back.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(2);
    assert_eq!(
        order(&harness),
        ["First", "Second", "Check", "Route", "Last"]
    );
    assert_eq!(
        actions(&harness)["Last"]["runAfter"],
        json!({"Route": ["Succeeded"]})
    );

    // The switch's form: select its card.
    harness.get_by_label_contains("Route · Switch").click();
    harness.run_steps(2);
    assert_eq!(harness.state().flows.selected, Some(card_key(&[], "Route")));
    harness.get_by_label_contains("Default: runs when no case matches (1 step)");
    let route = |harness: &Harness<'_, FlowbenchApp>| actions(harness)["Route"].clone();
    // What it switches on.
    replace_text(&mut harness, "On", "@variables('k')");
    assert_eq!(route(&harness)["expression"], "@variables('k')");
    // A new case with a number value; its branch appears among the cards.
    type_into(&mut harness, "New case", "Case_two");
    type_into(&mut harness, "Value", "2");
    click(&mut harness, "Add case");
    harness.run_steps(2);
    assert_eq!(
        route(&harness)["cases"]["Case_two"],
        json!({"case": 2, "actions": {}})
    );
    assert!(
        harness.query_all_by_label("Case Case_two").count() >= 2,
        "the form row and the branch heading among the cards"
    );
    // A name already taken is refused with a message.
    type_into(&mut harness, "New case", "Case_a");
    click(&mut harness, "Add case");
    harness.run_steps(2);
    harness.get_by_label_contains("there is already a case 'Case_a'");
    // Change a case's value.
    replace_text(&mut harness, "Case Case_a", "b");
    assert_eq!(route(&harness)["cases"]["Case_a"]["case"], "b");
    replace_text(&mut harness, "Case Case_a", "7");
    assert_eq!(route(&harness)["cases"]["Case_a"]["case"], 7);
    // Remove the first case (Case_a): Case_two stays.
    harness
        .query_all_by_label("Remove case")
        .next()
        .expect("a remove button")
        .click();
    harness.run_steps(2);
    let cases = route(&harness)["cases"].clone();
    assert!(cases.get("Case_a").is_none(), "{cases}");
    assert!(cases.get("Case_two").is_some(), "{cases}");
    assert!(harness.query_by_label("Case Case_a").is_none());

    // The expression functions list each usage with what it does.
    click(&mut harness, "Expression functions");
    harness.run_steps(2);
    type_into(&mut harness, "Find a function", "concat");
    harness.run_steps(2);
    let usage = harness
        .get_by_label_contains("concat(text1, text2, ...)")
        .rect();
    let doc = harness.get_by_label_contains("Combine strings").rect();
    assert_eq!(usage, doc, "one entry holds the usage and what it does");
    assert!(harness.query_by_label_contains("substring(").is_none());

    // Branches one under the other, or side by side with the toggle.
    let branches = |harness: &Harness<'_, FlowbenchApp>| {
        (
            harness.get_by_label("If yes").rect(),
            harness.get_by_label("If no").rect(),
        )
    };
    let (yes, no) = branches(&harness);
    assert!(no.min.y > yes.max.y, "one under the other: {yes:?} {no:?}");
    click(&mut harness, "Branches side by side");
    harness.run_steps(2);
    let (yes, no) = branches(&harness);
    assert!(
        (no.min.y - yes.min.y).abs() < 1.0 && no.min.x > yes.max.x,
        "side by side: {yes:?} {no:?}"
    );

    // A run's error wraps inside its card: the last step becomes an assertion that fails
    // with a long message.
    click(&mut harness, "Branches side by side");
    let flows = &mut harness.state_mut().flows;
    flows.selected = None;
    assert!(flows.edit(|d| {
        d["actions"]["Route"]["expression"] = json!("@string(2)");
        d["actions"]["Last"]["type"] = json!("Assert");
        d["actions"]["Last"]["inputs"] = json!({"actual": 1, "equals": 2,
            "message": "a message long enough to need a second line in its card, even on \
                        a wide window, because it goes on and on about why the values \
                        differ, and then it goes on some more, so that no column of cards \
                        is wide enough for it"});
        Ok(())
    }));
    harness.run_steps(2);
    click(&mut harness, "Run flow");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while harness.state().flows.is_running() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not finish"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run_steps(3);
    let message = harness
        .state()
        .flows
        .record_of(&card_key(&[], "Last"))
        .and_then(|record| record.error.clone())
        .expect("the assertion failed")
        .message;
    assert!(message.contains("it goes on and on"), "{message}");
    let error = harness.get_by_label(&message).rect();
    let details = harness
        .get_by_label("Select a card to see its details.")
        .rect();
    assert!(
        error.max.x < details.min.x && error.height() > 15.0,
        "the error wraps in the card column: {error:?}, details at {details:?}"
    );
}
