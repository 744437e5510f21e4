//! Limits a raw `$filter` text is checked against before it is sent: how deeply parentheses
//! and `not` nest and how many terms `and`/`or` join, read by one scan without recursion (so hostile
//! text cannot exhaust the stack). The values match the demo instance's; see
//! `docs/RELIABILITY.md`.

/// How deeply parentheses and `not` may nest in a `$filter` (each `not` is a level until
/// the end of its operand, as the demo instance counts them).
pub const MAX_FILTER_DEPTH: usize = 100;
/// How many terms (comparisons, function calls) `and`/`or` may join in a `$filter`.
pub const MAX_FILTER_TERMS: usize = 1000;

/// A `$filter` text past one of the limits; columns count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterLimitError {
    /// Parentheses and `not` nest deeper than [`MAX_FILTER_DEPTH`].
    #[error(
        "$filter, column {column}: parentheses and 'not' nest deeper than the limit of {MAX_FILTER_DEPTH} levels"
    )]
    TooDeep {
        /// Column of the first parenthesis or `not` past the limit.
        column: usize,
    },
    /// More than [`MAX_FILTER_TERMS`] terms.
    #[error(
        "$filter, column {column}: more than the limit of {MAX_FILTER_TERMS} terms joined by 'and'/'or'"
    )]
    TooManyTerms {
        /// Column of the `and`/`or` that starts the first term past the limit.
        column: usize,
    },
}

/// Checks `text` against [`MAX_FILTER_DEPTH`] and [`MAX_FILTER_TERMS`]. String literals
/// (`'…'`, with `''` for a quote) are skipped; nothing else about the syntax is checked. A
/// `not` opens a level that lasts until its operand ends: at the next `and`/`or` of its
/// group or at the `)` closing the group.
pub fn check_filter_limits(text: &str) -> Result<(), FilterLimitError> {
    let mut depth = 0usize;
    // Per open group (the outermost first): the `not`s whose operand has not ended yet.
    let mut open_nots = vec![0usize];
    let mut terms = 1usize;
    let mut in_string = false;
    let mut word = String::new();
    let mut word_column = 0;
    // A trailing space ends the last word like any other separator.
    for (index, c) in text.chars().chain(std::iter::once(' ')).enumerate() {
        let column = index + 1;
        if in_string {
            in_string = c != '\'';
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            if word.is_empty() {
                word_column = column;
            }
            word.push(c);
            continue;
        }
        if word.eq_ignore_ascii_case("not") {
            depth += 1;
            if let Some(nots) = open_nots.last_mut() {
                *nots += 1;
            }
            if depth > MAX_FILTER_DEPTH {
                return Err(FilterLimitError::TooDeep {
                    column: word_column,
                });
            }
        }
        if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") {
            if let Some(nots) = open_nots.last_mut() {
                depth = depth.saturating_sub(std::mem::take(nots));
            }
            terms += 1;
            if terms > MAX_FILTER_TERMS {
                return Err(FilterLimitError::TooManyTerms {
                    column: word_column,
                });
            }
        }
        word.clear();
        match c {
            '\'' => in_string = true,
            '(' => {
                depth += 1;
                open_nots.push(0);
                if depth > MAX_FILTER_DEPTH {
                    return Err(FilterLimitError::TooDeep { column });
                }
            }
            ')' => {
                let nots = if open_nots.len() > 1 {
                    open_nots.pop().unwrap_or(0)
                } else {
                    0
                };
                depth = depth.saturating_sub(nots + 1);
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}A eq 1{}", "(".repeat(levels), ")".repeat(levels))
    }

    #[test]
    fn nesting_up_to_the_limit_passes_and_one_more_is_refused_at_its_column() {
        assert_eq!(check_filter_limits(&nested(MAX_FILTER_DEPTH)), Ok(()));
        assert_eq!(
            check_filter_limits(&nested(1200)),
            Err(FilterLimitError::TooDeep { column: 101 })
        );
        let message = check_filter_limits(&nested(1200)).unwrap_err().to_string();
        assert_eq!(
            message,
            "$filter, column 101: parentheses and 'not' nest deeper than the limit of 100 levels"
        );
    }

    #[test]
    fn each_not_is_a_level_until_its_operand_ends() {
        let nots = |n: usize| format!("{}A eq 1", "not ".repeat(n));
        assert_eq!(check_filter_limits(&nots(MAX_FILTER_DEPTH)), Ok(()));
        assert_eq!(
            check_filter_limits(&nots(MAX_FILTER_DEPTH + 1)),
            Err(FilterLimitError::TooDeep {
                column: 4 * MAX_FILTER_DEPTH + 1
            })
        );
        // Mixed with parentheses: 50 of each is 100 levels, one more `not` is past the limit.
        let mixed = |n: usize| format!("{}A eq 1{}", "not (".repeat(n), ")".repeat(n));
        assert_eq!(check_filter_limits(&mixed(50)), Ok(()));
        assert!(check_filter_limits(&format!("not {}", mixed(50))).is_err());
        // Siblings joined by and/or do not add up: each `not` ends with its comparison.
        let siblings = vec!["not A eq 1"; 500].join(" and ");
        assert_eq!(check_filter_limits(&siblings), Ok(()));
        let grouped = vec!["(not (A eq 1))"; 500].join(" or ");
        assert_eq!(check_filter_limits(&grouped), Ok(()));
        // Unbalanced closing parentheses before `not`s and `and`s never underflow.
        assert_eq!(check_filter_limits(") not A eq 1 ) and not ) or B"), Ok(()));
        assert_eq!(check_filter_limits("not not ) ) ) and x"), Ok(()));
        // `not` inside a word or a string is no keyword.
        let text = format!("Notes eq '{}' and Knot eq 1", "not ".repeat(500));
        assert_eq!(check_filter_limits(&text), Ok(()));
    }

    #[test]
    fn terms_are_counted_by_and_or_outside_string_literals() {
        let terms = |n: usize| vec!["Name eq 'x or y'"; n].join(" or ");
        assert_eq!(check_filter_limits(&terms(MAX_FILTER_TERMS)), Ok(()));
        let Err(FilterLimitError::TooManyTerms { column }) =
            check_filter_limits(&terms(MAX_FILTER_TERMS + 1))
        else {
            panic!("expected too many terms");
        };
        // The 1000th " or " starts after 1000 terms and 999 separators.
        assert_eq!(column, 1000 * "Name eq 'x or y'".len() + 999 * 4 + 2);
        // Words that merely contain the keywords, and parentheses inside strings, do not count.
        let text = format!(
            "Organ eq 'a''(' and Random eq 1 and Band eq '{}'",
            "(".repeat(500)
        );
        assert_eq!(check_filter_limits(&text), Ok(()));
    }
}
