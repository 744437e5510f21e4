//! JSON manipulation: addProperty, setProperty, removeProperty, coalesce.

use serde_json::Value;

use super::{Call, Function, MANY};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "addProperty",
        "addProperty(object, property, value)",
        "The object with a new property (an error if it exists).",
        3,
        3,
        add_property
    ),
    function!(
        "setProperty",
        "setProperty(object, property, value)",
        "The object with a property set (added if missing).",
        3,
        3,
        set_property
    ),
    function!(
        "removeProperty",
        "removeProperty(object, property)",
        "The object without a property.",
        2,
        2,
        remove_property
    ),
    function!(
        "coalesce",
        "coalesce(object_1, object_2, ...)",
        "The first value that is not null.",
        1,
        MANY,
        coalesce
    ),
];

fn add_property(call: &Call) -> Result<Value, String> {
    let mut object = call.object(0)?.clone();
    let property = call.string(1)?;
    if object.contains_key(&property) {
        return Err(call.fail(format!(
            "the property '{property}' already exists (use setProperty to change it)"
        )));
    }
    object.insert(property, call.arg(2).clone());
    Ok(Value::Object(object))
}

fn set_property(call: &Call) -> Result<Value, String> {
    let mut object = call.object(0)?.clone();
    object.insert(call.string(1)?, call.arg(2).clone());
    Ok(Value::Object(object))
}

fn remove_property(call: &Call) -> Result<Value, String> {
    let mut object = call.object(0)?.clone();
    object.shift_remove(&call.string(1)?);
    Ok(Value::Object(object))
}

fn coalesce(call: &Call) -> Result<Value, String> {
    Ok(call
        .args
        .iter()
        .find(|v| !v.is_null())
        .cloned()
        .unwrap_or(Value::Null))
}
