//! Collection functions over arrays, strings and objects: contains (case-sensitive), empty,
//! first, last, length, skip, take, join, union, intersection, reverse, sort, chunk.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::{Call, Function, MANY, chars};
use crate::flow::expr::value::{compare, describe, loose_eq, to_text};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "contains",
        "contains(collection, value)",
        "Whether a string has a substring, an array an item, an object a key (case-sensitive).",
        2,
        2,
        contains
    ),
    function!(
        "empty",
        "empty(collection)",
        "Whether a string, array or object is empty (null is empty).",
        1,
        1,
        empty
    ),
    function!(
        "first",
        "first(collection)",
        "The first character of a string or item of an array.",
        1,
        1,
        first
    ),
    function!(
        "last",
        "last(collection)",
        "The last character of a string or item of an array.",
        1,
        1,
        last
    ),
    function!(
        "length",
        "length(collection)",
        "The number of characters of a string or items of an array.",
        1,
        1,
        length
    ),
    function!(
        "skip",
        "skip(collection, count)",
        "The items after the first count items.",
        2,
        2,
        skip
    ),
    function!(
        "take",
        "take(collection, count)",
        "The first count items (or characters).",
        2,
        2,
        take
    ),
    function!(
        "join",
        "join(collection, delimiter)",
        "The items of an array as one string, separated by the delimiter.",
        2,
        2,
        join
    ),
    function!(
        "union",
        "union(collection1, collection2, ...)",
        "All items of the arrays (or properties of the objects), without duplicates.",
        1,
        MANY,
        union
    ),
    function!(
        "intersection",
        "intersection(collection1, collection2, ...)",
        "The items (or properties) common to all the arrays (or objects).",
        1,
        MANY,
        intersection
    ),
    function!(
        "reverse",
        "reverse(collection)",
        "The array in reverse order.",
        1,
        1,
        reverse
    ),
    function!(
        "sort",
        "sort(collection, sortBy?)",
        "The array sorted (objects by the sortBy key).",
        1,
        2,
        sort
    ),
    function!(
        "chunk",
        "chunk(collection, length)",
        "A string or array split into chunks of the given length.",
        2,
        2,
        chunk
    ),
];

fn contains(call: &Call) -> Result<Value, String> {
    let found = match call.arg(0) {
        Value::String(text) => text.contains(&to_text(call.arg(1))),
        Value::Array(items) => items.iter().any(|item| loose_eq(item, call.arg(1))),
        Value::Object(map) => map.contains_key(&to_text(call.arg(1))),
        Value::Null => false,
        _ => return Err(call.type_error(0, "a string, an array or an object")),
    };
    Ok(Value::Bool(found))
}

fn empty(call: &Call) -> Result<Value, String> {
    let is_empty = match call.arg(0) {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => return Err(call.type_error(0, "a string, an array or an object")),
    };
    Ok(Value::Bool(is_empty))
}

/// `first`: of an empty string, the empty string; of null, an error (as in the cloud).
fn first(call: &Call) -> Result<Value, String> {
    match call.arg(0) {
        Value::String(s) => Ok(Value::String(
            s.chars().next().map(String::from).unwrap_or_default(),
        )),
        Value::Array(items) => Ok(items.first().cloned().unwrap_or(Value::Null)),
        _ => Err(call.type_error(0, "an array or a string")),
    }
}

/// `last`: of an empty string, the empty string; of null, an error (as in the cloud).
fn last(call: &Call) -> Result<Value, String> {
    match call.arg(0) {
        Value::String(s) => Ok(Value::String(
            s.chars().last().map(String::from).unwrap_or_default(),
        )),
        Value::Array(items) => Ok(items.last().cloned().unwrap_or(Value::Null)),
        _ => Err(call.type_error(0, "an array or a string")),
    }
}

fn length(call: &Call) -> Result<Value, String> {
    match call.arg(0) {
        Value::String(s) => Ok(Value::from(s.chars().count())),
        Value::Array(items) => Ok(Value::from(items.len())),
        _ => Err(call.type_error(0, "an array or a string")),
    }
}

fn count(call: &Call, i: usize) -> Result<usize, String> {
    let n = call.int(i)?;
    usize::try_from(n).map_err(|_| call.fail(format!("the count must not be negative, found {n}")))
}

fn skip(call: &Call) -> Result<Value, String> {
    let n = count(call, 1)?;
    match call.arg(0) {
        Value::Array(items) => Ok(Value::Array(items.iter().skip(n).cloned().collect())),
        Value::String(s) => Ok(Value::String(s.chars().skip(n).collect())),
        Value::Null => Ok(Value::Array(Vec::new())),
        _ => Err(call.type_error(0, "an array")),
    }
}

fn take(call: &Call) -> Result<Value, String> {
    let n = count(call, 1)?;
    match call.arg(0) {
        Value::Array(items) => Ok(Value::Array(items.iter().take(n).cloned().collect())),
        Value::String(s) => Ok(Value::String(s.chars().take(n).collect())),
        Value::Null => Ok(Value::Array(Vec::new())),
        _ => Err(call.type_error(0, "a string or an array")),
    }
}

fn join(call: &Call) -> Result<Value, String> {
    let items = call.array(0)?;
    let Value::String(delimiter) = call.arg(1) else {
        return Err(call.type_error(1, "a string"));
    };
    Ok(Value::String(
        items
            .iter()
            .map(to_text)
            .collect::<Vec<_>>()
            .join(delimiter),
    ))
}

enum Collections<'a> {
    Arrays(Vec<&'a Vec<Value>>),
    Objects(Vec<&'a Map<String, Value>>),
}

fn collections<'a>(call: &'a Call) -> Result<Collections<'a>, String> {
    if call.args.iter().all(Value::is_array) {
        return Ok(Collections::Arrays(
            call.args.iter().filter_map(Value::as_array).collect(),
        ));
    }
    if call.args.iter().all(Value::is_object) {
        return Ok(Collections::Objects(
            call.args.iter().filter_map(Value::as_object).collect(),
        ));
    }
    let bad = call
        .args
        .iter()
        .position(|v| !v.is_array() && !v.is_object())
        .unwrap_or(0);
    if bad == 0 && !call.args.iter().any(|v| !v.is_array() && !v.is_object()) {
        return Err(call.fail("expected only arrays or only objects, found both"));
    }
    Err(call.type_error(bad, "an array or an object (all of the same kind)"))
}

fn push_unique(out: &mut Vec<Value>, item: &Value) {
    if !out.iter().any(|seen| loose_eq(seen, item)) {
        out.push(item.clone());
    }
}

fn union(call: &Call) -> Result<Value, String> {
    match collections(call)? {
        Collections::Arrays(arrays) => {
            let mut out = Vec::new();
            arrays
                .iter()
                .flat_map(|a| a.iter())
                .for_each(|item| push_unique(&mut out, item));
            Ok(Value::Array(out))
        }
        Collections::Objects(objects) => {
            let mut out = Map::new();
            for object in objects {
                for (key, value) in object {
                    out.insert(key.clone(), value.clone());
                }
            }
            Ok(Value::Object(out))
        }
    }
}

fn intersection(call: &Call) -> Result<Value, String> {
    match collections(call)? {
        Collections::Arrays(arrays) => {
            let mut out = Vec::new();
            for item in arrays[0] {
                if arrays[1..]
                    .iter()
                    .all(|other| other.iter().any(|x| loose_eq(x, item)))
                {
                    push_unique(&mut out, item);
                }
            }
            Ok(Value::Array(out))
        }
        Collections::Objects(objects) => {
            let mut out = Map::new();
            for key in objects[0].keys() {
                let values: Vec<&Value> = objects.iter().filter_map(|o| o.get(key)).collect();
                if values.len() == objects.len() && values.iter().all(|v| loose_eq(v, values[0])) {
                    out.insert(key.clone(), values[values.len() - 1].clone());
                }
            }
            Ok(Value::Object(out))
        }
    }
}

fn reverse(call: &Call) -> Result<Value, String> {
    let mut items = call.array(0)?.clone();
    items.reverse();
    Ok(Value::Array(items))
}

fn sort(call: &Call) -> Result<Value, String> {
    let mut items = call.array(0)?.clone();
    let key = call.opt_string(1)?;
    let sort_key = |item: &Value| -> Value {
        match &key {
            Some(k) => item.get(k.as_str()).cloned().unwrap_or(Value::Null),
            None => item.clone(),
        }
    };
    let keys: Vec<Value> = items.iter().map(sort_key).collect();
    for pair in keys.windows(2) {
        if compare(&pair[0], &pair[1]).is_none() {
            return Err(call.fail(format!(
                "cannot sort {} together with {} (items must be numbers, strings or booleans of one kind)",
                describe(&pair[0]),
                describe(&pair[1])
            )));
        }
    }
    items.sort_by(|a, b| compare(&sort_key(a), &sort_key(b)).unwrap_or(Ordering::Equal));
    Ok(Value::Array(items))
}

fn chunk(call: &Call) -> Result<Value, String> {
    let size = count(call, 1)?;
    if size == 0 {
        return Err(call.fail("the chunk length must be greater than 0"));
    }
    match call.arg(0) {
        Value::String(s) => Ok(Value::Array(
            chars(s)
                .chunks(size)
                .map(|c| Value::String(c.iter().collect()))
                .collect(),
        )),
        Value::Array(items) => Ok(Value::Array(
            items
                .chunks(size)
                .map(|c| Value::Array(c.to_vec()))
                .collect(),
        )),
        _ => Err(call.type_error(0, "a string or an array")),
    }
}
