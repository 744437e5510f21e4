//! JSON manipulation: addProperty, setProperty, removeProperty, coalesce.

use serde_json::{Map, Value};

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

/// The key of `object` that `property` names: the key itself, or else the first key that
/// differs only in case (the cloud's properties are case-insensitive).
fn key_named(object: &Map<String, Value>, property: &str) -> Option<String> {
    if object.contains_key(property) {
        return Some(property.to_owned());
    }
    let wanted = property.to_lowercase();
    object
        .keys()
        .find(|key| key.to_lowercase() == wanted)
        .cloned()
}

fn add_property(call: &Call) -> Result<Value, String> {
    let mut object = call.object(0)?.clone();
    let property = call.string(1)?;
    if let Some(existing) = key_named(&object, &property) {
        return Err(call.fail(format!(
            "the property '{existing}' already exists (use setProperty to change it)"
        )));
    }
    object.insert(property, call.arg(2).clone());
    Ok(Value::Object(object))
}

/// Sets a property; one that exists (in any case) keeps its name and moves to the end, as
/// the cloud writes it.
fn set_property(call: &Call) -> Result<Value, String> {
    let mut object = call.object(0)?.clone();
    let property = call.string(1)?;
    let key = match key_named(&object, &property) {
        Some(existing) => {
            object.shift_remove(&existing);
            existing
        }
        None => property,
    };
    object.insert(key, call.arg(2).clone());
    Ok(Value::Object(object))
}

fn remove_property(call: &Call) -> Result<Value, String> {
    let mut object = call.object(0)?.clone();
    if let Some(existing) = key_named(&object, &call.string(1)?) {
        object.shift_remove(&existing);
    }
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
