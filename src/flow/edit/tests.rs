use super::*;

fn definition(actions: Value) -> Map<String, Value> {
    let Value::Object(map) = json!({"triggers": {}, "actions": actions}) else {
        unreachable!()
    };
    map
}

fn order(definition: &Map<String, Value>) -> Vec<String> {
    definition["actions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn after(definition: &Map<String, Value>, name: &str) -> Value {
    definition["actions"][name]["runAfter"].clone()
}

#[test]
fn inserting_keeps_the_chain() {
    let mut d = definition(json!({
        "A": {"type": "Compose", "inputs": 1, "runAfter": {}},
        "B": {"type": "Compose", "inputs": 2, "runAfter": {"A": ["Succeeded"]}}
    }));
    let name = insert_after(
        &mut d,
        &vec![],
        Some("A"),
        "Compose",
        json!({"type": "Compose", "inputs": 3}),
    )
    .unwrap();
    assert_eq!(name, "Compose");
    assert_eq!(order(&d), ["A", "Compose", "B"]);
    assert_eq!(after(&d, "Compose"), json!({"A": ["Succeeded"]}));
    assert_eq!(after(&d, "B"), json!({"Compose": ["Succeeded"]}));
    // First in the scope; names stay unique.
    let first = insert_after(&mut d, &vec![], None, "A", json!({"type": "Compose"})).unwrap();
    assert_eq!(first, "A_2");
    assert_eq!(after(&d, "A"), json!({"A_2": ["Succeeded"]}));
    assert_eq!(order(&d)[0], "A_2");
    // Inside a branch of a condition, created on demand.
    let mut d = definition(
        json!({"If": {"type": "If", "expression": "@true", "actions": {}, "runAfter": {}}}),
    );
    insert_after(
        &mut d,
        &vec![("If".into(), Branch::Else)],
        None,
        "No",
        json!({"type": "Compose"}),
    )
    .unwrap();
    assert!(d["actions"]["If"]["else"]["actions"]["No"].is_object());
    assert!(
        insert_after(
            &mut d,
            &vec![("Nope".into(), Branch::Actions)],
            None,
            "X",
            json!({})
        )
        .is_err()
    );
}

#[test]
fn removing_reconnects_the_chain() {
    let mut d = definition(json!({
        "A": {"type": "Compose", "runAfter": {}},
        "B": {"type": "Compose", "runAfter": {"A": ["Succeeded"]}},
        "C": {"type": "Compose", "runAfter": {"B": ["Failed"]}}
    }));
    remove(&mut d, &vec![], "B").unwrap();
    assert_eq!(order(&d), ["A", "C"]);
    assert_eq!(after(&d, "C"), json!({"A": ["Succeeded"]}));
    assert!(remove(&mut d, &vec![], "B").is_err());
}

#[test]
fn renaming_follows_every_reference() {
    let mut d = definition(json!({
        "Get_group": {"type": "Compose", "inputs": 1, "runAfter": {}},
        "Loop": {"type": "Foreach", "foreach": "@body('Get_group')?['value']", "runAfter": {"Get_group": ["Succeeded"]},
            "actions": {"Inner": {"type": "Compose", "inputs": "@{outputs( 'Get_group' )} @items('Loop') @body('Get_group_2')", "runAfter": {}}}},
        "Check": {"type": "Assert", "inputs": {"actual": "@actions('Get_group')?['status']", "equals": "Succeeded", "note": "Get_group stays plain text"},
            "runAfter": {"Loop": ["Succeeded"]}}
    }));
    rename(&mut d, "Get_group", "Read_group").unwrap();
    assert_eq!(order(&d), ["Read_group", "Loop", "Check"]);
    assert_eq!(after(&d, "Loop"), json!({"Read_group": ["Succeeded"]}));
    assert_eq!(
        d["actions"]["Loop"]["foreach"],
        "@body('Read_group')?['value']"
    );
    assert_eq!(
        d["actions"]["Loop"]["actions"]["Inner"]["inputs"],
        "@{outputs( 'Read_group' )} @items('Loop') @body('Get_group_2')"
    );
    assert_eq!(
        d["actions"]["Check"]["inputs"]["actual"],
        "@actions('Read_group')?['status']"
    );
    assert_eq!(
        d["actions"]["Check"]["inputs"]["note"],
        "Get_group stays plain text"
    );
    rename(&mut d, "Inner", "Echo").unwrap();
    assert!(d["actions"]["Loop"]["actions"]["Echo"].is_object());
    assert!(
        rename(&mut d, "Loop", "Check")
            .unwrap_err()
            .0
            .contains("already named")
    );
    assert!(rename(&mut d, "Loop", "has space").is_err());
    assert!(rename(&mut d, "Ghost", "X").is_err());
}

#[test]
fn moving_and_duplicating() {
    let mut d = definition(json!({
        "A": {"type": "Compose", "runAfter": {}},
        "B": {"type": "Compose", "runAfter": {"A": ["Succeeded"]}},
        "C": {"type": "Compose", "runAfter": {"B": ["Succeeded"]}}
    }));
    move_step(&mut d, &vec![], "B", true).unwrap();
    assert_eq!(order(&d), ["B", "A", "C"]);
    assert_eq!(after(&d, "B"), json!({}));
    assert_eq!(after(&d, "A"), json!({"B": ["Succeeded"]}));
    assert_eq!(after(&d, "C"), json!({"A": ["Succeeded"]}));
    move_step(&mut d, &vec![], "B", false).unwrap();
    assert_eq!(after(&d, "A"), json!({}));
    assert_eq!(after(&d, "B"), json!({"A": ["Succeeded"]}));
    assert_eq!(after(&d, "C"), json!({"B": ["Succeeded"]}));
    assert!(
        move_step(&mut d, &vec![], "A", true)
            .unwrap_err()
            .0
            .contains("already first")
    );
    assert!(
        move_step(&mut d, &vec![], "C", false)
            .unwrap_err()
            .0
            .contains("already last")
    );
    let copy = duplicate(&mut d, &vec![], "B").unwrap();
    assert_eq!(copy, "B_copy");
    assert_eq!(after(&d, "B_copy"), json!({"B": ["Succeeded"]}));
    assert_eq!(after(&d, "C"), json!({"B_copy": ["Succeeded"]}));
}

#[test]
fn every_step_kind_has_a_runnable_shape() {
    for (_, label, name) in STEP_KINDS {
        let step = new_step(label, "contoso.operations.dynamics.com").unwrap();
        let kind = step["type"].as_str().unwrap();
        assert!(crate::flow::run::is_supported(kind), "{label}: {kind}");
        assert!(!name.contains(' '));
    }
    assert!(new_step("Teleport", "x").is_none());
}
