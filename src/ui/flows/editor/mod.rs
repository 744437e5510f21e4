//! Editing the open flow, one concern per file: the keyboard and autosave, the "Add a step"
//! picker, the selected step's tools and JSON, the connector step's form with dynamic
//! content, the trigger's inputs and schedule, conditions and switches, fields coloured as
//! expressions, and the expression functions.

mod autosave;
mod conditions;
mod connector_form;
mod dynamic_content;
mod expression_field;
mod functions;
mod picker;
mod recurrence;
mod shortcuts;
mod step_json;
mod step_tools;
mod switch;
mod trigger;

pub use autosave::{autosave_now, recovery_ui, unsaved_on_close_ui};
pub use conditions::condition_ui;
pub use connector_form::connector_form_ui;
pub use dynamic_content::dynamic_choices;
pub use functions::functions_ui;
pub use picker::step_picker_ui;
pub use recurrence::recurrence_ui;
pub use shortcuts::shortcuts_and_autosave;
pub use step_json::step_json_ui;
pub use step_tools::step_tools_ui;
pub use switch::switch_ui;
pub use trigger::trigger_editor_ui;
