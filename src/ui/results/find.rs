//! Find in results: keeps the records whose cell text contains the search text, ignoring
//! case, over a lowercase copy of each record's cells made on the first search and kept up to
//! date as pages arrive.

use serde_json::Value;

use crate::connector::records::{cell_text, is_annotation};

/// Separates cells in a record's text, so that a search never matches across two cells.
const CELL_SEPARATOR: char = '\u{1f}';

/// The searchable text of every record, in arrival order.
#[derive(Debug, Default)]
pub struct FindIndex {
    haystacks: Vec<String>,
}

impl FindIndex {
    /// An index of `records`.
    pub fn new(records: &[Value]) -> Self {
        let mut index = Self::default();
        index.extend(records);
        index
    }

    /// Adds records that arrived after the index was made.
    pub fn extend(&mut self, records: &[Value]) {
        self.haystacks.extend(records.iter().map(haystack));
    }

    /// Indices of `order` whose record contains `needle` (already lowercase), kept in order.
    pub fn filter(&self, order: &[usize], needle: &str) -> Vec<usize> {
        order
            .iter()
            .copied()
            .filter(|&i| {
                self.haystacks
                    .get(i)
                    .is_some_and(|text| text.contains(needle))
            })
            .collect()
    }
}

/// The lowercase text of a record's cells (annotations such as `@odata.etag` left out), as
/// the table shows them.
fn haystack(record: &Value) -> String {
    let mut text = String::new();
    match record {
        Value::Object(map) => {
            for (key, value) in map {
                if !is_annotation(key) {
                    text.push_str(&cell_text(value));
                    text.push(CELL_SEPARATOR);
                }
            }
        }
        other => text.push_str(&cell_text(other)),
    }
    text.to_lowercase()
}

/// The search text as matched: trimmed and lowercase; `None` when there is nothing to find.
pub fn needle(find: &str) -> Option<String> {
    let find = find.trim();
    (!find.is_empty()).then(|| find.to_lowercase())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn matches_cell_text_ignoring_case_and_never_across_cells_or_annotations() {
        let records = vec![
            json!({"@odata.etag": "W/\"contoso\"", "Account": "US-001", "Name": "Litware"}),
            json!({"Account": "US-002", "Name": "Contoso Studios", "Limit": 2500.50}),
            json!({"Account": "DE-001", "Name": "Fabrikam", "Blocked": true}),
        ];
        let index = FindIndex::new(&records);
        let all = [0, 1, 2];
        let find = |text: &str| index.filter(&all, &needle(text).unwrap());
        assert_eq!(find("CONTOSO"), [1]);
        assert_eq!(find("us-"), [0, 1]);
        assert_eq!(find("2500.5"), [1]);
        assert_eq!(find("true"), [2]);
        assert!(find("001litware").is_empty(), "no match across two cells");
        assert_eq!(find("  fabrikam "), [2]);
        // Display order is kept.
        assert_eq!(index.filter(&[1, 0], "us-"), [1, 0]);
        assert_eq!(needle("   "), None);
    }

    #[test]
    fn later_pages_are_searchable() {
        let mut index = FindIndex::new(&[json!({"Name": "a"})]);
        index.extend(&[json!({"Name": "b"})]);
        assert_eq!(index.filter(&[0, 1], "b"), [1]);
    }
}
