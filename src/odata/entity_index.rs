//! Instant entity search: a fuzzy, ranked index over a service's entity sets.
//!
//! Built once per metadata load; each keystroke scores every entry with a subsequence
//! matcher that favours prefixes, word starts (camel case, `_`, digits) and contiguous runs.

use super::metadata::Model;

/// One searchable entity set.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EntityEntry {
    /// Entity set name as used in URLs, e.g. `CustomersV3`.
    pub name: String,
    /// Human label (F&O `LabelId` when it is text, else the entity type name).
    pub label: String,
    /// Key field names in key order.
    pub keys: Vec<String>,
    /// Qualified entity type name.
    pub entity_type: String,
}

/// A search hit: the entry's position in the index, its score and the matched char indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityMatch {
    /// Index into [`EntityIndex::entries`].
    pub index: usize,
    /// Higher is better.
    pub score: i32,
    /// Char positions of `name` that matched, for highlighting (empty when matched on label).
    pub positions: Vec<usize>,
    /// Char positions of `label` that matched, when the match was on the label.
    pub label_positions: Vec<usize>,
}

/// Entity sets prepared for fast fuzzy search.
#[derive(Debug, Clone, Default)]
pub struct EntityIndex {
    entries: Vec<EntityEntry>,
    names: Vec<Prepared>,
    labels: Vec<Prepared>,
}

/// A string split into chars, with a lowercase copy for case-insensitive matching and a
/// bag of its characters for rejecting most non-matches in constant time.
#[derive(Debug, Clone, Default)]
struct Prepared {
    chars: Vec<char>,
    lower: Vec<char>,
    bag: u64,
}

impl Prepared {
    fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        // One lowercase char per char keeps positions aligned (multi-char lowercases keep the first).
        let lower: Vec<char> = chars
            .iter()
            .map(|c| c.to_lowercase().next().unwrap_or(*c))
            .collect();
        let bag = char_bag(&lower);
        Self { chars, lower, bag }
    }
}

/// One bit per ASCII letter and digit, one shared bit for anything else.
fn char_bag(lower: &[char]) -> u64 {
    lower.iter().fold(0, |bag, c| {
        bag | match c {
            'a'..='z' => 1 << (*c as u32 - 'a' as u32),
            '0'..='9' => 1 << (26 + *c as u32 - '0' as u32),
            _ => 1 << 63,
        }
    })
}

impl EntityIndex {
    /// Builds the index from a list of entries.
    pub fn new(entries: Vec<EntityEntry>) -> Self {
        let names = entries.iter().map(|e| Prepared::new(&e.name)).collect();
        let labels = entries.iter().map(|e| Prepared::new(&e.label)).collect();
        Self {
            entries,
            names,
            labels,
        }
    }

    /// Builds the index from every entity set of a metadata model.
    pub fn from_model(model: &Model) -> Self {
        let entries = model
            .entity_sets()
            .iter()
            .map(|set| {
                let entity = model.entity_type(&set.entity_type);
                let keys = entity.map(|t| model.key_of(t).to_vec()).unwrap_or_default();
                let label = entity
                    .and_then(|t| t.annotations.get("LabelId").filter(|l| !l.starts_with('@')))
                    .map(str::to_owned)
                    .or_else(|| entity.map(|t| t.name.clone()))
                    .unwrap_or_else(|| set.name.clone());
                EntityEntry {
                    name: set.name.clone(),
                    label,
                    keys,
                    entity_type: set.entity_type.clone(),
                }
            })
            .collect();
        Self::new(entries)
    }

    /// All entries in document order.
    pub fn entries(&self) -> &[EntityEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no entity set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` matches for `query`, best first (ties by shorter name, then name).
    /// An empty query lists the first `limit` entries alphabetically.
    pub fn search(&self, query: &str, limit: usize) -> Vec<EntityMatch> {
        let query: Vec<char> = query
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_lowercase().next().unwrap_or(c))
            .collect();
        if query.is_empty() {
            let mut all: Vec<usize> = (0..self.entries.len()).collect();
            all.sort_by(|a, b| self.entries[*a].name.cmp(&self.entries[*b].name));
            all.truncate(limit);
            return all
                .into_iter()
                .map(|index| EntityMatch {
                    index,
                    score: 0,
                    positions: Vec::new(),
                    label_positions: Vec::new(),
                })
                .collect();
        }
        let query_bag = char_bag(&query);
        let mut hits: Vec<EntityMatch> = Vec::new();
        for (index, name) in self.names.iter().enumerate() {
            let label = &self.labels[index];
            let on_name = (query_bag & !name.bag == 0)
                .then(|| fuzzy_score(&query, &name.chars, &name.lower))
                .flatten();
            let on_label = (label.lower != name.lower && query_bag & !label.bag == 0)
                .then(|| fuzzy_score(&query, &label.chars, &label.lower))
                .flatten()
                .map(|(score, positions)| (score - 8, positions));
            let hit = match (on_name, on_label) {
                (Some(name), Some(label)) if label.0 > name.0 => (label.0, Vec::new(), label.1),
                (Some(name), _) => (name.0, name.1, Vec::new()),
                (None, Some(label)) => (label.0, Vec::new(), label.1),
                (None, None) => continue,
            };
            let (score, positions, label_positions) = hit;
            hits.push(EntityMatch {
                index,
                score,
                positions,
                label_positions,
            });
        }
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| {
                    self.names[a.index]
                        .chars
                        .len()
                        .cmp(&self.names[b.index].chars.len())
                })
                .then_with(|| self.entries[a.index].name.cmp(&self.entries[b.index].name))
        });
        hits.truncate(limit);
        hits
    }
}

fn is_word_start(text: &[char], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let (prev, cur) = (text[i - 1], text[i]);
    (cur.is_uppercase() && !prev.is_uppercase())
        || (!prev.is_alphanumeric())
        || (cur.is_ascii_digit() && !prev.is_ascii_digit())
}

/// Scores the lowercase `query` as a subsequence of `text` (given with its lowercase copy
/// `lower`, char for char); `None` when it is not one.
///
/// Greedy left-to-right matching that prefers, for each query char, the next word start
/// when one is available, which gives the intuitive result for acronyms (`soh` →
/// `SalesOrderHeaders`) and prefixes alike.
pub fn fuzzy_score(query: &[char], text: &[char], lower: &[char]) -> Option<(i32, Vec<usize>)> {
    if query.len() > text.len() || lower.len() != text.len() {
        return None;
    }
    let eq = |q: char, i: usize| lower[i] == q;
    let mut positions = Vec::with_capacity(query.len());
    let mut from = 0;
    for &q in query {
        let next_any = (from..text.len()).find(|&i| eq(q, i))?;
        // Prefer a word start further on, unless the plain match continues a run.
        let continues_run = positions.last().is_some_and(|&p: &usize| p + 1 == next_any);
        let chosen = if continues_run || is_word_start(text, next_any) {
            next_any
        } else {
            (next_any..text.len())
                .find(|&i| eq(q, i) && is_word_start(text, i))
                .unwrap_or(next_any)
        };
        positions.push(chosen);
        from = chosen + 1;
    }
    let mut score = 0i32;
    for (n, &p) in positions.iter().enumerate() {
        score += 1;
        if is_word_start(text, p) {
            score += 8;
        }
        if n > 0 && positions[n - 1] + 1 == p {
            score += 5;
        }
    }
    if positions.first() == Some(&0) {
        score += 12;
    }
    if positions.len() == text.len() {
        score += 20; // exact (case-insensitive) name
    }
    // Gaps cost a little so that tight matches rank first.
    let span = positions.last().map_or(0, |l| l + 1 - positions[0]);
    score -= (span.saturating_sub(positions.len())) as i32 / 2;
    Some((score, positions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> EntityIndex {
        EntityIndex::new(
            names
                .iter()
                .map(|n| EntityEntry {
                    name: (*n).to_owned(),
                    label: (*n).to_owned(),
                    keys: Vec::new(),
                    entity_type: format!("NS.{n}"),
                })
                .collect(),
        )
    }

    fn names(index: &EntityIndex, query: &str) -> Vec<String> {
        index
            .search(query, 10)
            .into_iter()
            .map(|m| index.entries()[m.index].name.clone())
            .collect()
    }

    #[test]
    fn prefix_beats_inner_match() {
        let idx = index(&["VendorCustomers", "CustomersV3", "CustomerGroups"]);
        let found = names(&idx, "cust");
        assert_eq!(found.len(), 3);
        assert_ne!(found[0], "VendorCustomers");
        assert_eq!(found[2], "VendorCustomers");
    }

    #[test]
    fn acronym_matches_word_starts() {
        let idx = index(&[
            "SalesOrderHeadersV2",
            "SalesOrderLines",
            "ShipmentOrderHistory",
            "Warehouses",
        ]);
        let found = names(&idx, "soh");
        assert_eq!(found[0], "SalesOrderHeadersV2");
        assert!(!found.contains(&"Warehouses".to_owned()));
        let hit = &idx.search("soh", 1)[0];
        assert_eq!(hit.positions, vec![0, 5, 10]);
    }

    #[test]
    fn non_subsequence_is_not_a_match() {
        let idx = index(&["CustomersV3"]);
        assert!(idx.search("xyz", 10).is_empty());
        assert!(idx.search("v3c", 10).is_empty());
    }

    #[test]
    fn exact_name_ranks_first_and_case_is_ignored() {
        let idx = index(&["CustomersV3Extended", "CustomersV3"]);
        assert_eq!(names(&idx, "customersv3")[0], "CustomersV3");
    }

    #[test]
    fn empty_query_lists_alphabetically_up_to_limit() {
        let idx = index(&["b", "c", "a"]);
        let found: Vec<_> = idx
            .search("", 2)
            .into_iter()
            .map(|m| idx.entries()[m.index].name.clone())
            .collect();
        assert_eq!(found, vec!["a", "b"]);
    }

    #[test]
    fn label_matches_when_name_does_not() {
        let mut idx = index(&["CustCustomerV3Entity"]);
        idx = EntityIndex::new(vec![EntityEntry {
            label: "Customers".into(),
            ..idx.entries()[0].clone()
        }]);
        let hits = idx.search("customers", 5);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].positions.is_empty());
        assert_eq!(hits[0].label_positions, (0..9).collect::<Vec<_>>());
        // A name match keeps the name's positions and none of the label's.
        let hit = &idx.search("cce", 5)[0];
        assert_eq!(hit.positions, vec![0, 4, 14]);
        assert!(hit.label_positions.is_empty());
    }

    #[test]
    fn prefilter_keeps_matches_with_punctuation_digits_and_accents() {
        let idx = index(&["Cust_Trans2", "ÉcritureLignes", "Other"]);
        assert_eq!(names(&idx, "c_t2"), vec!["Cust_Trans2"]);
        assert_eq!(names(&idx, "écrl"), vec!["ÉcritureLignes"]);
        assert_eq!(names(&idx, "ÉCRITURE"), vec!["ÉcritureLignes"]);
        assert!(names(&idx, "c-t").is_empty());
    }
}
