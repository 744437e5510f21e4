//! Sorting records by one column: numbers numerically, text case-insensitively, empty last.

use std::cmp::Ordering;

use serde_json::Value;

use crate::connector::records::cell_text;

/// The direction of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// Which column the records are sorted by, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortState {
    /// The column (record key) sorted by.
    pub column: String,
    /// The direction.
    pub direction: SortDirection,
}

impl SortState {
    /// An ascending sort by `column`.
    pub fn ascending(column: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            direction: SortDirection::Ascending,
        }
    }

    /// A descending sort by `column`.
    pub fn descending(column: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            direction: SortDirection::Descending,
        }
    }
}

/// The next sort after a click on `column`'s header: ascending, then descending, then none.
pub fn next_sort(current: Option<&SortState>, column: &str) -> Option<SortState> {
    match current {
        Some(sort) if sort.column == column => match sort.direction {
            SortDirection::Ascending => Some(SortState::descending(column)),
            SortDirection::Descending => None,
        },
        _ => Some(SortState::ascending(column)),
    }
}

/// The value of `column` in `record` (non-object records have a single `value` column).
pub fn field_of<'a>(record: &'a Value, column: &str) -> Option<&'a Value> {
    match record {
        Value::Object(map) => map.get(column),
        other if column == "value" => Some(other),
        _ => None,
    }
}

enum SortKey {
    Missing,
    Number(f64),
    Text(String),
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_str().parse().ok(),
        Value::String(s) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                None
            } else {
                trimmed.parse::<f64>().ok().filter(|f| f.is_finite())
            }
        }
        _ => None,
    }
}

fn is_missing(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null))
}

/// The permutation of record indices in display order: `0..n` unsorted, else a stable sort
/// by `sort`. A column whose every non-empty value is a number (or a numeric string such as
/// an exact decimal) sorts numerically, any other column as case-insensitive text; empty
/// values come last in both directions.
pub fn sorted_order(records: &[Value], sort: Option<&SortState>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    let Some(sort) = sort else {
        return order;
    };
    let values: Vec<Option<&Value>> = records.iter().map(|r| field_of(r, &sort.column)).collect();
    let numeric = values
        .iter()
        .filter(|v| !is_missing(**v))
        .all(|v| v.and_then(as_number).is_some());
    let keys: Vec<SortKey> = values
        .iter()
        .map(|v| match v {
            None | Some(Value::Null) => SortKey::Missing,
            Some(value) if numeric => as_number(value).map_or(SortKey::Missing, SortKey::Number),
            Some(value) => SortKey::Text(cell_text(value).to_lowercase()),
        })
        .collect();
    let descending = sort.direction == SortDirection::Descending;
    order.sort_by(|&a, &b| {
        let ordering = match (&keys[a], &keys[b]) {
            (SortKey::Missing, SortKey::Missing) => return Ordering::Equal,
            (SortKey::Missing, _) => return Ordering::Greater,
            (_, SortKey::Missing) => return Ordering::Less,
            (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(records: &[Value], order: &[usize], column: &str) -> Vec<String> {
        order
            .iter()
            .map(|&i| {
                field_of(&records[i], column)
                    .map(cell_text)
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn numbers_and_decimal_strings_sort_numerically_empty_last() {
        let records = vec![
            json!({"n": 10, "d": "10.50", "s": "beta"}),
            json!({"n": 9, "d": "9.75", "s": "Alpha"}),
            json!({"n": null, "s": null}),
            json!({"n": 100, "d": "100.00", "s": "gamma"}),
        ];
        let asc = sorted_order(&records, Some(&SortState::ascending("n")));
        assert_eq!(names(&records, &asc, "n"), ["9", "10", "100", ""]);
        let desc = sorted_order(&records, Some(&SortState::descending("d")));
        assert_eq!(names(&records, &desc, "d"), ["100.00", "10.50", "9.75", ""]);
        let text = sorted_order(&records, Some(&SortState::ascending("s")));
        assert_eq!(names(&records, &text, "s"), ["Alpha", "beta", "gamma", ""]);
        assert_eq!(sorted_order(&records, None), [0, 1, 2, 3]);
    }

    #[test]
    fn mixed_columns_sort_as_text_and_clicks_cycle() {
        let records = vec![json!({"a": "10"}), json!({"a": "9"}), json!({"a": "x"})];
        let order = sorted_order(&records, Some(&SortState::ascending("a")));
        assert_eq!(names(&records, &order, "a"), ["10", "9", "x"]);
        let first = next_sort(None, "a");
        assert_eq!(first, Some(SortState::ascending("a")));
        let second = next_sort(first.as_ref(), "a");
        assert_eq!(second, Some(SortState::descending("a")));
        assert_eq!(next_sort(second.as_ref(), "a"), None);
        assert_eq!(
            next_sort(second.as_ref(), "b"),
            Some(SortState::ascending("b"))
        );
    }
}
