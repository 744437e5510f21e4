//! Packages in the Flows view: a Power Automate export package typed into "File" opens as
//! cards with the import's notes, is saved as a flow file, and "Export for the cloud" writes
//! it as a Logic Apps consumption template the importer reads back the same.

mod ui_support;

use std::io::Write;
use std::path::Path;

use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::flow::file::FlowFile;
use flowbench::flow::package::{self, ImportOptions, Source};
use flowbench::ui::View;
use flowbench::ui::flows::card_key;
use ui_support::{click, connected_app, step_until, type_into};

fn zip_folder(folder: &Path, to: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).expect("zip"));
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(folder)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                zip.start_file(name, zip::write::SimpleFileOptions::default())
                    .expect("entry");
                zip.write_all(&std::fs::read(&path).expect("read"))
                    .expect("write");
            }
        }
    }
    zip.finish().expect("finish");
}

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn a_package_opens_as_cards_is_saved_and_exported_for_the_cloud() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    unsafe { std::env::set_var("FLOWBENCH_CONFIG_DIR", data.path().join("config")) };
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages/power-automate-export");
    let zip_path = data.path().join("Notify.zip");
    zip_folder(&fixture, &zip_path);

    let mut harness = connected_app(DemoConfig::default());
    harness.state_mut().state.view = View::Flows;
    step_until(&mut harness, "metadata", |app| app.metadata().is_some());
    type_into(&mut harness, "File", &zip_path.display().to_string());
    click(&mut harness, "Open");
    harness.run_steps(3);

    let open = harness
        .state()
        .flows
        .open
        .as_ref()
        .expect("the package opened");
    assert_eq!(
        open.path,
        data.path().join("Notify-on-new-customer-group.json")
    );
    assert!(harness.state().flows.dirty, "an imported flow is unsaved");
    harness.get_by_label_contains(
        "Imported 'Notify on new customer group' from a Power Automate package",
    );
    assert!(harness.query_all_by_label_contains("Get_a_record").count() >= 1);
    // The Outlook step the engine cannot run is named by validation, above the cards.
    assert!(
        harness
            .query_all_by_label_contains(
                "uses the connection 'shared_office365', not the Finance & Operations connector"
            )
            .count()
            >= 1
    );

    harness.state_mut().flows.selected = Some(card_key(&[], "Get_a_record"));
    click(&mut harness, "Save to path");
    let saved =
        FlowFile::load(&data.path().join("Notify-on-new-customer-group.json")).expect("saved");
    assert_eq!(
        saved.definition()["actions"]["Get_a_record"]["inputs"]["parameters"]["table"],
        "CustomerGroups"
    );
    assert!(!harness.state().flows.dirty);

    // Export for the cloud: Logic Apps consumption, to a path typed in the form.
    click(&mut harness, "Export for the cloud");
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Product")
        .click();
    harness.run_steps(3);
    click(&mut harness, "Logic Apps consumption (ARM template)");
    let template = data.path().join("notify.arm.json");
    let field = harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Write to");
    field.focus();
    harness.step();
    harness.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    harness.step();
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Write to")
        .type_text(&template.display().to_string());
    harness.step();
    click(&mut harness, "Export");
    harness.run_steps(2);
    harness.get_by_label_contains("Exported to");
    harness.get_by_label_contains("az deployment group create");
    let back =
        package::import(&template, &ImportOptions::default()).expect("the template reads back");
    assert_eq!(back.source, Source::ArmTemplate);
    assert_eq!(
        package::differences(saved.definition(), back.flow.definition()),
        Vec::<String>::new()
    );
}
