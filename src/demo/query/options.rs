//! Parsing and validation of the system query options (`$filter`, `$select`, `$expand`,
//! `$orderby`, `$top`, `$skip`, `$count`, `$skiptoken`) and `cross-company`.

use super::filter::{Expr, parse_filter};
use super::sql::query_field;
use crate::demo::error::ErrorAnswer;
use crate::demo::schema::{EntityDef, NavDef, entity_by_name};

/// One `$expand` item: a navigation property and its nested `$select`.
#[derive(Debug, Clone)]
pub struct ExpandItem {
    /// The navigation property.
    pub nav: &'static NavDef,
    /// The target entity.
    pub target: &'static EntityDef,
    /// Nested `$select`, `None` for all fields.
    pub select: Option<Vec<String>>,
}

/// The validated query options of one request.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Parsed `$filter`.
    pub filter: Option<Expr>,
    /// `$select` field names, `None` for all.
    pub select: Option<Vec<String>>,
    /// `$expand` items.
    pub expand: Vec<ExpandItem>,
    /// `$orderby`: `(field, descending)`.
    pub order_by: Vec<(String, bool)>,
    /// `$top`.
    pub top: Option<u64>,
    /// `$skip`.
    pub skip: u64,
    /// `$skiptoken`: rows of this request already delivered in earlier pages.
    pub skip_token: u64,
    /// `$count=true`.
    pub count: bool,
    /// `cross-company=true`.
    pub cross_company: bool,
    /// The raw `(name, value)` pairs, for building next links.
    pub raw: Vec<(String, String)>,
}

fn err(message: impl Into<String>) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!(
        "The query specified in the URI is not valid. {}",
        message.into()
    ))
}

/// Splits a query string into decoded pairs (`+` means space, as in ASP.NET).
pub fn decode_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn parse_u64(name: &str, value: &str) -> Result<u64, ErrorAnswer> {
    value.trim().parse().map_err(|_| {
        err(format!(
            "Invalid value '{value}' for {name}: a non-negative integer is expected."
        ))
    })
}

/// Refuses a system query option (or `cross-company`) given more than once, as F&O does;
/// names are compared without regard to case.
pub fn check_unique_options(pairs: &[(String, String)]) -> Result<(), ErrorAnswer> {
    let mut seen: Vec<String> = Vec::new();
    for (name, _) in pairs {
        if !name.starts_with('$') && !name.eq_ignore_ascii_case("cross-company") {
            continue;
        }
        let folded = name.to_ascii_lowercase();
        if seen.contains(&folded) {
            return Err(err(format!(
                "Query option '{name}' was specified more than once, but it must be specified at most once."
            )));
        }
        seen.push(folded);
    }
    Ok(())
}

/// Parses and validates the options against `entity` (`None` for non-entity resources).
pub fn parse_options(
    pairs: Vec<(String, String)>,
    entity: Option<&EntityDef>,
) -> Result<QueryOptions, ErrorAnswer> {
    let mut options = QueryOptions::default();
    for (name, value) in &pairs {
        match name.as_str() {
            "cross-company" => options.cross_company = value.eq_ignore_ascii_case("true"),
            "$format" if !value.starts_with("json") && !value.starts_with("application/json") => {
                return Err(err(format!("The $format '{value}' is not supported.")));
            }
            "$format" => {}
            "$top" => options.top = Some(parse_u64(name, value)?),
            "$skip" => options.skip = parse_u64(name, value)?,
            "$skiptoken" => options.skip_token = parse_u64(name, value)?,
            "$count" => {
                options.count = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(err(format!("Invalid value '{value}' for $count."))),
                }
            }
            "$filter" | "$select" | "$expand" | "$orderby" => {
                let Some(entity) = entity else {
                    return Err(err(format!("The option {name} is not allowed here.")));
                };
                match name.as_str() {
                    "$filter" => options.filter = Some(parse_filter(value)?),
                    "$select" => options.select = parse_select(value, entity)?,
                    "$expand" => options.expand = parse_expand(value, entity)?,
                    _ => options.order_by = parse_order_by(value, entity)?,
                }
            }
            other if other.starts_with('$') => {
                return Err(err(format!("The query option '{other}' is not supported.")));
            }
            _ => {}
        }
    }
    options.raw = pairs;
    Ok(options)
}

/// Parses a `$select` list; `*` selects all.
pub fn parse_select(value: &str, entity: &EntityDef) -> Result<Option<Vec<String>>, ErrorAnswer> {
    let mut names = Vec::new();
    for item in value.split(',').map(str::trim) {
        if item == "*" {
            return Ok(None);
        }
        if entity.nav(item).is_some() {
            return Err(err(format!(
                "Selecting the navigation property '{item}' is not supported; use $expand."
            )));
        }
        query_field(entity, item)?;
        names.push(item.to_owned());
    }
    Ok(Some(names))
}

fn split_top_level(text: &str, separator: char) -> Result<Vec<String>, ErrorAnswer> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Err(err("Unbalanced parentheses."));
        }
        if c == separator && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    if depth != 0 {
        return Err(err("Unbalanced parentheses."));
    }
    parts.push(current);
    Ok(parts)
}

/// Parses `$expand` (one level, nested `$select` only).
pub fn parse_expand(value: &str, entity: &EntityDef) -> Result<Vec<ExpandItem>, ErrorAnswer> {
    let mut items = Vec::new();
    for part in split_top_level(value, ',')? {
        let part = part.trim();
        let (name, nested) = match part.split_once('(') {
            Some((name, rest)) => (name.trim(), rest.strip_suffix(')').unwrap_or(rest)),
            None => (part, ""),
        };
        if name == "*" || name.contains('/') {
            return Err(err(format!("The expand path '{name}' is not supported.")));
        }
        let nav = entity.nav(name).ok_or_else(|| {
            err(format!(
                "Could not find a navigation property named '{name}' on type '{}'.",
                entity.qualified_name()
            ))
        })?;
        let target = entity_by_name(nav.target)
            .ok_or_else(|| err(format!("Unknown target of '{name}'.")))?;
        let mut select = None;
        for option in split_top_level(nested, ';')? {
            let option = option.trim();
            if option.is_empty() {
                continue;
            }
            match option.split_once('=') {
                Some(("$select", list)) => select = parse_select(list, target)?,
                Some(("$expand", _)) => {
                    return Err(err(
                        "Nested $expand (more than one level) is not supported.",
                    ));
                }
                _ => {
                    return Err(err(format!(
                        "The nested option '{option}' in $expand is not supported; only $select is."
                    )));
                }
            }
        }
        items.push(ExpandItem {
            nav,
            target,
            select,
        });
    }
    Ok(items)
}

/// Parses `$orderby`.
pub fn parse_order_by(value: &str, entity: &EntityDef) -> Result<Vec<(String, bool)>, ErrorAnswer> {
    let mut order = Vec::new();
    for item in value.split(',') {
        let mut words = item.split_whitespace();
        let name = words.next().ok_or_else(|| err("Empty $orderby item."))?;
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(err(format!("Invalid $orderby direction '{other}'."))),
        };
        if words.next().is_some() {
            return Err(err(format!("Invalid $orderby item '{item}'.")));
        }
        query_field(entity, name)?;
        order.push((name.to_owned(), descending));
    }
    Ok(order)
}
