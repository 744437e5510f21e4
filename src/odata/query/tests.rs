//! Tests of query option encoding and parsing.

use super::*;

#[test]
fn empty_options_give_empty_query() {
    let q = QueryOptions::default();
    assert!(q.is_empty());
    assert_eq!(q.to_query_string(), "");
    assert_eq!(q.append_to("https://h/data/X"), "https://h/data/X");
}

#[test]
fn full_query_string_is_encoded_in_order() {
    let q = QueryOptions {
        filter: Some("Name eq 'A&B=C #1+2'".into()),
        select: vec!["Name".into(), "Id".into()],
        expand: vec![ExpandItem::new("Lines")],
        orderby: vec![
            OrderBy {
                field: "Name".into(),
                direction: SortDirection::Desc,
            },
            OrderBy {
                field: "Id".into(),
                direction: SortDirection::Asc,
            },
        ],
        top: Some(5),
        skip: Some(10),
        count: true,
        search: Some("blue car".into()),
        cross_company: true,
        custom: vec![("my param".into(), "a&b".into())],
    };
    assert_eq!(
        q.to_query_string(),
        "$filter=Name%20eq%20'A%26B%3DC%20%231%2B2'&$select=Name,Id&$expand=Lines\
&$orderby=Name%20desc,Id&$top=5&$skip=10&$count=true&$search=blue%20car\
&cross-company=true&my%20param=a%26b"
    );
}

#[test]
fn non_ascii_and_percent_are_encoded() {
    let q = QueryOptions {
        filter: Some("City eq 'Zürich 100%'".into()),
        ..Default::default()
    };
    assert_eq!(
        q.to_query_string(),
        "$filter=City%20eq%20'Z%C3%BCrich%20100%25'"
    );
}

#[test]
fn nested_expand_options() {
    let mut lines = ExpandItem::new("Lines");
    lines.options.select = vec!["A".into(), "B".into()];
    lines.options.filter = Some("Qty gt 1".into());
    lines.options.top = Some(5);
    lines.options.expand = vec![ExpandItem::new("Product")];
    lines.options.cross_company = true; // not valid nested: never written
    assert_eq!(
        lines.to_text(),
        "Lines($filter=Qty gt 1;$select=A,B;$expand=Product;$top=5)"
    );
    let q = QueryOptions {
        expand: vec![lines, ExpandItem::new("Header")],
        ..Default::default()
    };
    assert_eq!(
        q.to_query_string(),
        "$expand=Lines($filter%3DQty%20gt%201;$select%3DA,B;$expand%3DProduct;$top%3D5),Header"
    );
}

#[test]
fn append_to_url_with_existing_query() {
    let q = QueryOptions {
        top: Some(1),
        ..Default::default()
    };
    assert_eq!(q.append_to("X?a=1"), "X?a=1&$top=1");
    assert_eq!(q.append_to("X"), "X?$top=1");
}

#[test]
fn parses_orderby() {
    assert_eq!(
        parse_orderby("Name desc, Id ,Date ASC").unwrap(),
        vec![
            OrderBy {
                field: "Name".into(),
                direction: SortDirection::Desc
            },
            OrderBy {
                field: "Id".into(),
                direction: SortDirection::Asc
            },
            OrderBy {
                field: "Date".into(),
                direction: SortDirection::Asc
            },
        ]
    );
    assert!(matches!(
        parse_orderby("Name sideways"),
        Err(QueryError::InvalidOrderBy(_))
    ));
    assert!(parse_orderby("A b c").is_err());
}

#[test]
fn parses_select() {
    assert_eq!(parse_select(" A, B,,C "), ["A", "B", "C"]);
    assert!(parse_select("").is_empty());
}

#[test]
fn parses_expand_with_nesting_and_quotes() {
    let items = parse_expand(
        "Lines($select=A,B;$filter=Name eq 'x;)y';$top=5;$expand=Product($select=Name)),Header",
    )
    .unwrap();
    assert_eq!(items.len(), 2);
    let lines = &items[0];
    assert_eq!(lines.path, "Lines");
    assert_eq!(lines.options.select, ["A", "B"]);
    assert_eq!(lines.options.filter.as_deref(), Some("Name eq 'x;)y'"));
    assert_eq!(lines.options.top, Some(5));
    assert_eq!(lines.options.expand[0].path, "Product");
    assert_eq!(lines.options.expand[0].options.select, ["Name"]);
    assert_eq!(items[1], ExpandItem::new("Header"));
    // Round trip through text.
    let text = items
        .iter()
        .map(ExpandItem::to_text)
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(parse_expand(&text).unwrap(), items);
}

#[test]
fn expand_errors() {
    assert!(matches!(
        parse_expand("Lines($select=A"),
        Err(QueryError::Unbalanced(_))
    ));
    assert!(matches!(
        parse_expand("Lines)"),
        Err(QueryError::Unbalanced(_))
    ));
    assert!(matches!(
        parse_expand("Lines($bogus=1)"),
        Err(QueryError::UnknownOption(_))
    ));
    assert!(matches!(
        parse_expand("Lines($top=x)"),
        Err(QueryError::InvalidNumber { .. })
    ));
    assert!(matches!(
        parse_expand("Lines($select)"),
        Err(QueryError::MissingValue(_))
    ));
    assert!(matches!(
        parse_expand("A,,B"),
        Err(QueryError::EmptyItem(_))
    ));
    assert!(parse_expand("").unwrap().is_empty());
}

#[test]
fn set_system_accepts_names_with_or_without_dollar() {
    let mut q = QueryOptions::default();
    q.set_system("top", "3").unwrap();
    q.set_system("$Count", "true").unwrap();
    q.set_system("$orderby", "A desc").unwrap();
    assert_eq!(q.to_query_string(), "$orderby=A%20desc&$top=3&$count=true");
}

#[test]
fn parses_raw_query_strings_and_round_trips() {
    let q = QueryOptions::from_query_string(
        "?$filter=Name%20eq%20'A%26B'&$select=A,B&$expand=Lines($select%3DX)&$top=5&cross-company=true&x=1+2",
    )
    .unwrap();
    assert_eq!(q.filter.as_deref(), Some("Name eq 'A&B'"));
    assert_eq!(q.select, ["A", "B"]);
    assert_eq!(q.expand[0].options.select, ["X"]);
    assert_eq!(q.top, Some(5));
    assert!(q.cross_company);
    assert_eq!(q.custom, [("x".to_owned(), "1 2".to_owned())]);
    assert_eq!(
        QueryOptions::from_query_string(&q.to_query_string()).unwrap(),
        q
    );
    assert!(matches!(
        QueryOptions::from_query_string("$top=-1"),
        Err(QueryError::InvalidNumber { .. })
    ));
    assert!(QueryOptions::from_query_string("").unwrap().is_empty());
}

#[test]
fn projection_keeps_only_selected_and_expanded_fields() {
    let mut q = QueryOptions::default();
    // A SAP CAP record for $select=orderNumber,totalAmount&$expand=lines: keys and the
    // ETag field were added by the server.
    let record = serde_json::json!({
        "orderNumber": "SO-1", "totalAmount": 720, "company": "USMF",
        "modifiedAt": "2026-01-01T00:00:00Z", "@odata.etag": "W/\"x\"", "lines": []
    });
    assert_eq!(q.project(&record), record, "nothing selected: unchanged");
    q.set_system("$select", "orderNumber,totalAmount").unwrap();
    q.set_system("$expand", "lines($select=itemNumber)")
        .unwrap();
    assert_eq!(
        q.project(&record),
        serde_json::json!({"orderNumber": "SO-1", "totalAmount": 720, "lines": []})
    );
    q.set_system("$select", "*").unwrap();
    assert_eq!(q.project(&record), record);
}

#[test]
fn hostile_filter_and_expand_nesting_are_refused_before_sending() {
    let deep = format!("{}A eq 1{}", "(".repeat(1200), ")".repeat(1200));
    let mut options = QueryOptions::default();
    let error = options.set_system("$filter", &deep).unwrap_err();
    assert_eq!(
        error.to_string(),
        "$filter, column 101: parentheses and 'not' nest deeper than the limit of 100 levels"
    );
    assert_eq!(options.filter, None);
    let many = vec!["A eq 1"; 1001].join(" or ");
    assert!(matches!(
        QueryOptions::from_query_string(&format!("$filter={}", encode_query_component(&many))),
        Err(QueryError::FilterLimit(_))
    ));
    // $expand recursion is bounded too: 10 000 levels are refused, not overflowed.
    let nested = |levels: usize| {
        format!(
            "{}X{}",
            "A($expand=".repeat(levels - 1),
            ")".repeat(levels - 1)
        )
    };
    assert_eq!(
        parse_expand(&nested(10_000)),
        Err(QueryError::ExpandTooDeep)
    );
    assert!(parse_expand(&nested(MAX_EXPAND_DEPTH)).is_ok());
    assert_eq!(
        parse_expand(&nested(MAX_EXPAND_DEPTH + 1)),
        Err(QueryError::ExpandTooDeep)
    );
}
