//! Reading what users type (key values, operation targets and parameters) against
//! `$metadata`: errors name the entity, field or parameter that does not fit.

use crate::odata::client::operations::typed_args;
use crate::odata::client::{ODataError, OperationCall, OperationKind, OperationTarget};
use crate::odata::keys::KeyPredicate;
use crate::odata::metadata::{EntityType, Model, Operation};

/// Input that does not fit the service's `$metadata`; the message says what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

fn invalid(message: impl Into<String>) -> InputError {
    InputError(message.into())
}

/// Input problems the OData layer reports (e.g. a parameter value of the wrong type).
fn input_of(error: ODataError) -> InputError {
    match error {
        ODataError::InvalidRequest(message) => InputError(message),
        other => InputError(other.to_string()),
    }
}

/// The entity type behind `entity_set` in `model`.
pub fn entity_type_of<'m>(
    model: &'m Model,
    entity_set: &str,
) -> Result<&'m EntityType, InputError> {
    let set = model.entity_set(entity_set).ok_or_else(|| {
        invalid(format!(
            "entity set '{entity_set}' is not in the service's $metadata"
        ))
    })?;
    model.entity_type(&set.entity_type).ok_or_else(|| {
        invalid(format!(
            "entity type '{}' of '{entity_set}' is not declared",
            set.entity_type
        ))
    })
}

/// The key predicate for `keys` (connector form `usmf,US-001` or an OData predicate),
/// typed with the key types from `model`.
pub fn key_predicate(model: &Model, entity_set: &str, keys: &str) -> Result<String, InputError> {
    let entity = entity_type_of(model, entity_set)?;
    let key = KeyPredicate::parse(model, entity, keys)
        .map_err(|e| invalid(format!("bad key '{keys}' for {entity_set}: {e}")))?;
    Ok(key.to_literal())
}

/// Builds the call for the positional target (`Import`, `Set Op` or `Set Keys Op`).
pub fn resolve_call(
    model: &Model,
    target: &[String],
    params: &[(String, String)],
) -> Result<OperationCall, InputError> {
    let given: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    match target {
        [name] => {
            let container = model
                .container()
                .ok_or_else(|| invalid("the service's $metadata has no entity container"))?;
            let (import, kind) = container
                .action_imports
                .iter()
                .map(|i| (i, OperationKind::Action))
                .chain(
                    container
                        .function_imports
                        .iter()
                        .map(|i| (i, OperationKind::Function)),
                )
                .find(|(i, _)| &i.name == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = container
                        .action_imports
                        .iter()
                        .chain(&container.function_imports)
                        .map(|i| i.name.as_str())
                        .collect();
                    invalid(format!(
                        "'{name}' is not an action or function import (imports: {})",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?;
            let overloads: Vec<&Operation> = model
                .operations(&import.operation)
                .into_iter()
                .filter(|o| !o.is_bound)
                .collect();
            let operation = pick_overload(&overloads, &given)
                .ok_or_else(|| invalid(format!("'{}' is not declared", import.operation)))?;
            let args = typed_args(model, operation.call_parameters(), params).map_err(input_of)?;
            Ok(OperationCall {
                target: OperationTarget::Unbound,
                kind,
                name: name.clone(),
                args,
            })
        }
        [entity_set, rest @ ..] => {
            let (keys, name) = match rest {
                [name] => (None, name),
                [keys, name] => (Some(keys), name),
                _ => return Err(invalid("expected [<EntitySet> [<KEYS>]] <Action>")),
            };
            entity_type_of(model, entity_set)?;
            let entity_type = model
                .entity_set(entity_set)
                .map(|s| model.canonical_name(&s.entity_type))
                .unwrap_or_default();
            let local = name.rsplit_once('.').map_or(name.as_str(), |(_, l)| l);
            let candidates: Vec<(String, &Operation, OperationKind)> = model
                .operations_bound_to(&entity_type)
                .into_iter()
                .filter(|b| b.operation.name == local && b.on_collection() == keys.is_none())
                .map(|b| (b.qualified_name, b.operation, kind_of(b.is_function)))
                .collect();
            let overloads: Vec<&Operation> = candidates.iter().map(|(_, o, _)| *o).collect();
            let chosen = pick_overload(&overloads, &given).ok_or_else(|| {
                invalid(format!(
                    "no operation '{name}' is bound to {} of {entity_type}",
                    if keys.is_some() {
                        "a record"
                    } else {
                        "the entity set"
                    }
                ))
            })?;
            let (qualified, operation, kind) = candidates
                .iter()
                .find(|(_, o, _)| std::ptr::eq(*o, chosen))
                .ok_or_else(|| invalid(format!("operation '{name}' not found")))?;
            let target = match keys {
                None => OperationTarget::EntitySet(entity_set.clone()),
                Some(keys) => OperationTarget::Entity {
                    entity_set: entity_set.clone(),
                    key: key_predicate(model, entity_set, keys)?,
                },
            };
            let args = typed_args(model, operation.call_parameters(), params).map_err(input_of)?;
            Ok(OperationCall {
                target,
                kind: *kind,
                name: qualified.clone(),
                args,
            })
        }
        [] => Err(invalid("expected [<EntitySet> [<KEYS>]] <Action>")),
    }
}

/// The overload whose parameters include every given name (the first one otherwise).
fn pick_overload<'a>(overloads: &[&'a Operation], given: &[&str]) -> Option<&'a Operation> {
    overloads
        .iter()
        .copied()
        .find(|o| {
            given
                .iter()
                .all(|g| o.call_parameters().iter().any(|p| p.name == *g))
        })
        .or_else(|| overloads.first().copied())
}

/// The request kind of a bound operation (functions are GET, actions POST).
fn kind_of(is_function: bool) -> OperationKind {
    if is_function {
        OperationKind::Function
    } else {
        OperationKind::Action
    }
}
