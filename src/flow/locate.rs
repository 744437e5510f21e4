//! Where a path into a definition (`actions.Scope.actions.Step.type`) lies in the text of
//! its file: the value itself, found by walking the JSON (never by searching for names,
//! which also appear in other steps' `runAfter`), inside whichever wrapper the file has
//! (a bare definition, `definition`, `properties.definition`, an ARM template's resources).

use std::collections::HashMap;

use serde_json::value::RawValue;

/// How deep the search for the definition inside its wrapper goes.
const WRAPPER_DEPTH: usize = 6;

/// The 1-based line of `path`, or of the deepest part of it the file has (a missing
/// `inputs` is reported on its step's line).
pub fn line_of(text: &str, path: &[String]) -> Option<usize> {
    Locator::new(text).line_of(path)
}

/// A file read once for the lines of many paths (every problem of a validation).
pub struct Locator<'a> {
    text: &'a str,
    root: Option<&'a RawValue>,
    /// The object holding the definition's `actions` (or `triggers`), found once.
    definition: Option<&'a RawValue>,
}

impl<'a> Locator<'a> {
    /// Reads `text`; a text that is not JSON locates nothing.
    pub fn new(text: &'a str) -> Self {
        let root: Option<&RawValue> = serde_json::from_str(text).ok();
        let definition = root.and_then(|root| {
            definition_of(root, "actions", WRAPPER_DEPTH)
                .or_else(|| definition_of(root, "triggers", WRAPPER_DEPTH))
        });
        Self {
            text,
            root,
            definition,
        }
    }

    /// The 1-based line of `path` (see [`line_of`]).
    pub fn line_of(&self, path: &[String]) -> Option<usize> {
        let offset = self.offset_of(path)?;
        Some(self.text[..offset].matches('\n').count() + 1)
    }

    /// The byte offset of `path` (or its deepest existing part) in the text.
    fn offset_of(&self, path: &[String]) -> Option<usize> {
        let first = path.first()?;
        let definition = match self.definition {
            Some(found) if child(found, first).is_some() => found,
            _ => definition_of(self.root?, first, WRAPPER_DEPTH)?,
        };
        let mut at = definition;
        for key in path {
            match child(at, key) {
                Some(next) => at = next,
                None => break,
            }
        }
        Some(at.get().as_ptr() as usize - self.text.as_ptr() as usize)
    }
}

/// The first object, in document order and nearest the root, that has `first_key`.
fn definition_of<'a>(value: &'a RawValue, first_key: &str, depth: usize) -> Option<&'a RawValue> {
    let mut level = vec![value];
    for _ in 0..=depth {
        if let Some(found) = level.iter().find(|v| child(v, first_key).is_some()) {
            return Some(found);
        }
        level = level.iter().flat_map(|v| children(v)).collect();
        if level.is_empty() {
            return None;
        }
    }
    None
}

/// An object's member or an array's element (`key` as its index).
fn child<'a>(value: &'a RawValue, key: &str) -> Option<&'a RawValue> {
    let text = value.get();
    if text.starts_with('{') {
        let mut members: HashMap<String, &RawValue> = serde_json::from_str(text).ok()?;
        members.remove(key)
    } else if text.starts_with('[') {
        let mut elements: Vec<&RawValue> = serde_json::from_str(text).ok()?;
        let index: usize = key.parse().ok()?;
        (index < elements.len()).then(|| elements.swap_remove(index))
    } else {
        None
    }
}

/// An object's or array's values in document order.
fn children(value: &RawValue) -> Vec<&RawValue> {
    let text = value.get();
    if text.starts_with('{') {
        let members: HashMap<String, &RawValue> = serde_json::from_str(text).unwrap_or_default();
        let mut values: Vec<&RawValue> = members.into_values().collect();
        values.sort_by_key(|v| v.get().as_ptr() as usize);
        values
    } else if text.starts_with('[') {
        serde_json::from_str(text).unwrap_or_default()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(dotted: &str) -> Vec<String> {
        dotted.split('.').map(str::to_owned).collect()
    }

    const FLOW: &str = r#"{
  "definition": {
    "actions": {
      "First": {
        "type": "Compose",
        "inputs": 1
      },
      "Second": {
        "runAfter": {"First": ["Succeeded"]},
        "type": "Expression",
        "inputs": {}
      },
      "Loop": {
        "runAfter": {"Second": ["Succeeded"]},
        "type": "Foreach",
        "actions": {
          "Inner": {
            "type": "Compose",
            "inputs": "@{items('Loop')}"
          }
        }
      }
    },
    "triggers": {"manual": {"type": "Request"}}
  },
  "kind": "Stateful"
}"#;

    #[test]
    fn a_step_is_found_where_it_is_defined_not_where_another_step_names_it() {
        // Each step is also named in a later step's `runAfter`.
        assert_eq!(line_of(FLOW, &path("actions.Second.type")), Some(10));
        assert_eq!(line_of(FLOW, &path("actions.Loop.type")), Some(15));
        assert_eq!(
            line_of(FLOW, &path("actions.Loop.actions.Inner.inputs")),
            Some(19)
        );
        assert_eq!(line_of(FLOW, &path("triggers.manual")), Some(24));
    }

    #[test]
    fn a_missing_part_is_reported_on_the_deepest_part_there_is() {
        assert_eq!(line_of(FLOW, &path("actions.First.inputs.host")), Some(6));
        assert_eq!(line_of(FLOW, &path("actions.First.runAfter")), Some(4));
        assert_eq!(line_of(FLOW, &path("actions.Nowhere")), Some(3));
    }

    #[test]
    fn wrappers_and_names_in_other_steps_do_not_mislead() {
        let arm = r#"{"resources": [
  {"type": "Microsoft.Web/connections", "properties": {"displayName": "actions"}},
  {"type": "Microsoft.Logic/workflows",
   "properties": {
     "definition": {
       "actions": {
         "B": {"runAfter": {"A": ["Succeeded"]}, "type": "Compose", "inputs": "@{'A'}"},
         "A": {
           "type": "Xslt"
         }
       }
     }
   }}
]}"#;
        assert_eq!(line_of(arm, &path("actions.A.type")), Some(9));
        assert_eq!(line_of(arm, &path("actions.B.type")), Some(7));
        assert_eq!(line_of("not json", &path("actions.A")), None);
        assert_eq!(line_of("[1, 2]", &path("actions.A")), None);
    }

    #[test]
    fn escaped_names_and_array_indexes_are_followed() {
        let text = "{\n\"actions\": {\n\"a\\u0062\": {\n\"inputs\": [\n1,\n2\n]\n}\n}\n}";
        assert_eq!(line_of(text, &path("actions.ab.inputs.1")), Some(6));
    }
}
