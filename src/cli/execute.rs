//! `flowbench execute`: run an action or function, unbound (an import) or bound to an
//! entity set or to one record, with parameters typed from `$metadata`.

use anyhow::Context;
use clap::Args;

use super::connect::{InstanceArgs, connect, entity_type_of, key_predicate, print_json, runtime};
use super::failure::usage;
use crate::odata::client::operations::typed_args;
use crate::odata::client::{OperationCall, OperationKind, OperationTarget};
use crate::odata::metadata::{Model, Operation};

/// Arguments of `flowbench execute`.
#[derive(Debug, Args)]
pub struct ExecuteArgs {
    #[command(flatten)]
    instance: InstanceArgs,
    /// `[<EntitySet> [<KEYS>]] <Action>`: an import name alone, or an entity set (and a
    /// record key) followed by the bound operation's name.
    #[arg(num_args = 1..=3, required = true, value_name = "TARGET")]
    target: Vec<String>,
    /// A parameter as `NAME=VALUE` (repeatable); values are typed from `$metadata`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// ETag for `If-Match` on an action bound to a record (default: the record's current
    /// ETag when its entity set uses optimistic concurrency).
    #[arg(long, value_name = "ETAG")]
    if_match: Option<String>,
}

/// Executes the operation and prints its result (if any) as JSON.
pub fn run(args: &ExecuteArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let params = args
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(n, v)| (n.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| usage(format!("--param '{p}' is not NAME=VALUE")))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let connection = connect(&args.instance.instance, token_env)?;
    let client = &connection.client;
    runtime()?.block_on(async {
        let model = connection
            .metadata()
            .await
            .context("reading $metadata for the operation")?;
        let call = resolve_call(&model, &args.target, &params)?;
        match client
            .execute_guarded(&model, &call, args.if_match.as_deref())
            .await?
        {
            Some(result) => print_json(&result),
            None => Ok(()),
        }
    })
}

/// Builds the call for the positional target (`Import`, `Set Op` or `Set Keys Op`).
pub fn resolve_call(
    model: &Model,
    target: &[String],
    params: &[(String, String)],
) -> anyhow::Result<OperationCall> {
    let given: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    match target {
        [name] => {
            let container = model
                .container()
                .ok_or_else(|| usage("the service's $metadata has no entity container"))?;
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
                    usage(format!(
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
                .ok_or_else(|| usage(format!("'{}' is not declared", import.operation)))?;
            let args = typed_args(model, operation.call_parameters(), params)?;
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
                _ => return Err(usage("expected [<EntitySet> [<KEYS>]] <Action>")),
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
                usage(format!(
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
                .ok_or_else(|| usage(format!("operation '{name}' not found")))?;
            let target = match keys {
                None => OperationTarget::EntitySet(entity_set.clone()),
                Some(keys) => OperationTarget::Entity {
                    entity_set: entity_set.clone(),
                    key: key_predicate(model, entity_set, keys)?,
                },
            };
            let args = typed_args(model, operation.call_parameters(), params)?;
            Ok(OperationCall {
                target,
                kind: *kind,
                name: qualified.clone(),
                args,
            })
        }
        [] => Err(usage("expected [<EntitySet> [<KEYS>]] <Action>")),
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
