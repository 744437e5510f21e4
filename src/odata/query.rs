//! OData system query options (`$filter`, `$select`, `$expand`, …) and their percent-encoded
//! query string, plus parsing from command-line style text.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left readable in a query name or value: unreserved plus `$'(),;:@/*!`.
/// Space, `&`, `=`, `#`, `+`, `%`, `?`, `"` and non-ASCII are percent-encoded.
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b',')
    .remove(b';')
    .remove(b':')
    .remove(b'@')
    .remove(b'/')
    .remove(b'*')
    .remove(b'!');

/// Percent-encodes a query parameter name or value.
pub fn encode_query_component(text: &str) -> String {
    utf8_percent_encode(text, QUERY_COMPONENT).to_string()
}

/// Sort direction of an `$orderby` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Ascending (the default, written without a suffix).
    #[default]
    Asc,
    /// Descending (`desc`).
    Desc,
}

/// One `$orderby` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// Property path, e.g. `Name` or `Address/City`.
    pub field: String,
    /// Direction.
    pub direction: SortDirection,
}

impl OrderBy {
    /// The item as written in `$orderby`: `Name` or `Name desc`.
    pub fn to_text(&self) -> String {
        match self.direction {
            SortDirection::Asc => self.field.clone(),
            SortDirection::Desc => format!("{} desc", self.field),
        }
    }
}

/// One `$expand` item with its nested options: `Lines($select=A,B;$top=5)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExpandItem {
    /// Navigation property path (or `*`).
    pub path: String,
    /// Nested options; only `$filter`, `$select`, `$expand`, `$orderby`, `$top`, `$skip`,
    /// `$count` and `$search` are written.
    pub options: QueryOptions,
}

impl ExpandItem {
    /// An item without nested options.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            options: QueryOptions::default(),
        }
    }

    /// The item as written in `$expand` (not percent-encoded).
    pub fn to_text(&self) -> String {
        let nested = self.options.system_pairs();
        if nested.is_empty() {
            self.path.clone()
        } else {
            let inner: Vec<String> = nested
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{}({})", self.path, inner.join(";"))
        }
    }
}

/// Query options of a request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOptions {
    /// `$filter` expression.
    pub filter: Option<String>,
    /// `$select` properties.
    pub select: Vec<String>,
    /// `$expand` items.
    pub expand: Vec<ExpandItem>,
    /// `$orderby` items.
    pub orderby: Vec<OrderBy>,
    /// `$top`.
    pub top: Option<u64>,
    /// `$skip`.
    pub skip: Option<u64>,
    /// `$count=true`.
    pub count: bool,
    /// `$search` expression.
    pub search: Option<String>,
    /// F&O `cross-company=true` (read across legal entities).
    pub cross_company: bool,
    /// Extra custom parameters, written last in order.
    pub custom: Vec<(String, String)>,
}

/// Why query option text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Parentheses or quotes do not balance.
    #[error("unbalanced parentheses or quotes in '{0}'")]
    Unbalanced(String),
    /// An unknown nested option inside `$expand`.
    #[error(
        "unknown query option '{0}' (expected $select, $filter, $expand, $orderby, $top, $skip, $count or $search)"
    )]
    UnknownOption(String),
    /// A nested option without `=`.
    #[error("query option '{0}' has no value")]
    MissingValue(String),
    /// A count that is not a non-negative integer.
    #[error("{option} must be a non-negative integer, got '{text}'")]
    InvalidNumber {
        /// The option, e.g. `$top`.
        option: String,
        /// The text given.
        text: String,
    },
    /// A bad `$orderby` item.
    #[error("invalid $orderby item '{0}' (expected 'Field', 'Field asc' or 'Field desc')")]
    InvalidOrderBy(String),
    /// An empty item in a comma-separated list.
    #[error("empty item in '{0}'")]
    EmptyItem(String),
    /// A `$filter` past a limit (nesting depth, number of terms).
    #[error(transparent)]
    FilterLimit(#[from] super::filter::FilterLimitError),
    /// `$expand` items nested deeper than [`MAX_EXPAND_DEPTH`].
    #[error("$expand nests deeper than the limit of {MAX_EXPAND_DEPTH} levels")]
    ExpandTooDeep,
}

/// How deeply `$expand` items may nest (`A($expand=B($expand=C))` is 3 levels).
pub const MAX_EXPAND_DEPTH: usize = 16;

impl QueryOptions {
    /// `record` reduced to what `$select` and `$expand` asked for. Servers add fields to a
    /// `$select` result (SAP CAP adds the keys and the ETag field, Dataverse the key) and
    /// annotations; views that show exactly the selected columns use this. Unchanged when
    /// nothing (or `*`) is selected, or when `record` is not an object.
    pub fn project(&self, record: &serde_json::Value) -> serde_json::Value {
        let serde_json::Value::Object(map) = record else {
            return record.clone();
        };
        if self.select.is_empty() || self.select.iter().any(|s| s == "*") {
            return record.clone();
        }
        let first = |path: &str| path.split('/').next().unwrap_or(path).trim().to_owned();
        let wanted: Vec<String> = self
            .select
            .iter()
            .map(|s| first(s))
            .chain(self.expand.iter().map(|e| first(&e.path)))
            .collect();
        serde_json::Value::Object(
            map.iter()
                .filter(|(k, _)| wanted.iter().any(|w| w == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }

    /// The system options as unencoded `(name, value)` pairs in canonical order.
    fn system_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(filter) = self.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            pairs.push(("$filter".to_owned(), filter.to_owned()));
        }
        if !self.select.is_empty() {
            pairs.push(("$select".to_owned(), self.select.join(",")));
        }
        if !self.expand.is_empty() {
            let items: Vec<String> = self.expand.iter().map(ExpandItem::to_text).collect();
            pairs.push(("$expand".to_owned(), items.join(",")));
        }
        if !self.orderby.is_empty() {
            let items: Vec<String> = self.orderby.iter().map(OrderBy::to_text).collect();
            pairs.push(("$orderby".to_owned(), items.join(",")));
        }
        if let Some(top) = self.top {
            pairs.push(("$top".to_owned(), top.to_string()));
        }
        if let Some(skip) = self.skip {
            pairs.push(("$skip".to_owned(), skip.to_string()));
        }
        if self.count {
            pairs.push(("$count".to_owned(), "true".to_owned()));
        }
        if let Some(search) = self.search.as_deref().filter(|s| !s.trim().is_empty()) {
            pairs.push(("$search".to_owned(), search.to_owned()));
        }
        pairs
    }

    /// Every parameter as unencoded `(name, value)` pairs, in the order they are written.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.system_pairs();
        if self.cross_company {
            pairs.push(("cross-company".to_owned(), "true".to_owned()));
        }
        pairs.extend(self.custom.iter().cloned());
        pairs
    }

    /// The percent-encoded query string without the leading `?` (empty when no option is
    /// set): `$filter=Name%20eq%20'A%26B'&$top=5`.
    pub fn to_query_string(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    encode_query_component(k),
                    encode_query_component(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Appends the query string to a URL or path, with `?` or `&` as needed.
    pub fn append_to(&self, url: &str) -> String {
        let query = self.to_query_string();
        if query.is_empty() {
            url.to_owned()
        } else if url.contains('?') {
            format!("{url}&{query}")
        } else {
            format!("{url}?{query}")
        }
    }

    /// Parses nested expand options: `$select=A,B;$filter=X eq 1;$top=5` (the `$` is optional).
    pub fn parse_nested(text: &str) -> Result<Self, QueryError> {
        Self::parse_nested_at(text, 1)
    }

    /// [`QueryOptions::parse_nested`] inside `depth` levels of `$expand`.
    fn parse_nested_at(text: &str, depth: usize) -> Result<Self, QueryError> {
        let mut options = Self::default();
        for part in split_top_level(text, ';')? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| QueryError::MissingValue(part.to_owned()))?;
            options.set_system_at(name.trim(), value.trim(), depth)?;
        }
        Ok(options)
    }

    /// Sets one system option from its text form, e.g. `("$top", "5")`.
    /// A `$filter` is checked against the limits of [`super::filter::limits`].
    pub fn set_system(&mut self, name: &str, value: &str) -> Result<(), QueryError> {
        self.set_system_at(name, value, 0)
    }

    fn set_system_at(&mut self, name: &str, value: &str, depth: usize) -> Result<(), QueryError> {
        let bare = name.trim_start_matches('$').to_ascii_lowercase();
        match bare.as_str() {
            "filter" => {
                super::filter::check_filter_limits(value)?;
                self.filter = Some(value.to_owned());
            }
            "select" => self.select = parse_select(value),
            "expand" => self.expand = parse_expand_at(value, depth + 1)?,
            "orderby" => self.orderby = parse_orderby(value)?,
            "top" => self.top = Some(parse_count("$top", value)?),
            "skip" => self.skip = Some(parse_count("$skip", value)?),
            "count" => self.count = value.eq_ignore_ascii_case("true"),
            "search" => self.search = Some(value.to_owned()),
            _ => return Err(QueryError::UnknownOption(name.to_owned())),
        }
        Ok(())
    }
}

impl QueryOptions {
    /// Parses a raw query string (`$filter=Name%20eq%20'A'&$top=5`, optional leading `?`):
    /// percent-decoded (`+` read as a space, as ASP.NET services do), system options by
    /// name, `cross-company`, and anything else kept as custom parameters in order.
    pub fn from_query_string(text: &str) -> Result<Self, QueryError> {
        let mut options = Self::default();
        let text = text.trim().trim_start_matches('?');
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |t: &str| {
                percent_encoding::percent_decode_str(&t.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let (name, value) = (decode(name), decode(value));
            if name.starts_with('$') {
                options.set_system(&name, &value)?;
            } else if name.eq_ignore_ascii_case("cross-company") {
                options.cross_company = value.eq_ignore_ascii_case("true");
            } else {
                options.custom.push((name, value));
            }
        }
        Ok(options)
    }
}

fn parse_count(option: &str, text: &str) -> Result<u64, QueryError> {
    text.trim().parse().map_err(|_| QueryError::InvalidNumber {
        option: option.to_owned(),
        text: text.to_owned(),
    })
}

/// Parses `A, B ,C` into property names (empty items dropped).
pub fn parse_select(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses `Name desc,Id` into `$orderby` items.
pub fn parse_orderby(text: &str) -> Result<Vec<OrderBy>, QueryError> {
    let mut items = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let direction = match words.as_slice() {
            [_] => SortDirection::Asc,
            [_, d] if d.eq_ignore_ascii_case("asc") => SortDirection::Asc,
            [_, d] if d.eq_ignore_ascii_case("desc") => SortDirection::Desc,
            _ => return Err(QueryError::InvalidOrderBy(part.to_owned())),
        };
        items.push(OrderBy {
            field: words[0].to_owned(),
            direction,
        });
    }
    Ok(items)
}

/// Parses `Lines($select=A;$expand=Product($select=Name)),Header` into expand items.
pub fn parse_expand(text: &str) -> Result<Vec<ExpandItem>, QueryError> {
    parse_expand_at(text, 1)
}

/// [`parse_expand`] at `depth` levels of `$expand` (1 for the outermost).
fn parse_expand_at(text: &str, depth: usize) -> Result<Vec<ExpandItem>, QueryError> {
    if depth > MAX_EXPAND_DEPTH {
        return Err(QueryError::ExpandTooDeep);
    }
    let mut items = Vec::new();
    if text.trim().is_empty() {
        return Ok(items);
    }
    for part in split_top_level(text, ',')? {
        let part = part.trim();
        if part.is_empty() {
            return Err(QueryError::EmptyItem(text.to_owned()));
        }
        let item = match part.find('(') {
            Some(open) => {
                let inner = part[open + 1..]
                    .strip_suffix(')')
                    .ok_or_else(|| QueryError::Unbalanced(part.to_owned()))?;
                ExpandItem {
                    path: part[..open].trim().to_owned(),
                    options: QueryOptions::parse_nested_at(inner, depth)?,
                }
            }
            None => ExpandItem::new(part),
        };
        if item.path.is_empty() {
            return Err(QueryError::EmptyItem(text.to_owned()));
        }
        items.push(item);
    }
    Ok(items)
}

/// Splits at `separator` outside parentheses and single-quoted literals.
fn split_top_level(text: &str, separator: char) -> Result<Vec<String>, QueryError> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_quote = false;
    for c in text.chars() {
        match c {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| QueryError::Unbalanced(text.to_owned()))?
            }
            c if c == separator && !in_quote && depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if depth != 0 || in_quote {
        return Err(QueryError::Unbalanced(text.to_owned()));
    }
    parts.push(current);
    Ok(parts)
}

#[cfg(test)]
mod tests;
