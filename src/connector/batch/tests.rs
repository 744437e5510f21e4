use super::*;

fn answer(id: Option<&str>, status: u16, group: Option<&str>, text: &str) -> BatchResponse {
    BatchResponse {
        id: id.map(str::to_owned),
        status,
        headers: Vec::new(),
        body: serde_json::from_str(text).ok(),
        text: text.to_owned(),
        group: group.map(str::to_owned),
    }
}

const FILE: &str = r#"{"requests": [
    {"id": "a", "method": "get", "url": "CustomersV3?$top=1"},
    {"id": "b", "method": "POST", "url": "CustomersV3", "atomicityGroup": "g", "body": {"A": 1}},
    {"id": "c", "method": "POST", "url": "CustomersV3", "atomicityGroup": "g", "body": {"A": 2}},
    {"method": "DELETE", "url": "/CustomersV3('x')", "headers": {"If-Match": "*"}}
]}"#;

#[test]
fn reads_the_json_batch_format_into_requests_and_changesets() {
    let batch = Batch::parse(FILE).unwrap();
    let ids: Vec<&str> = batch.requests.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "4"], "a missing id is the position");
    assert_eq!(batch.requests[0].item.method, Method::GET);
    assert_eq!(batch.requests[3].item.url, "CustomersV3('x')");
    assert_eq!(
        batch.requests[3].item.headers,
        vec![("If-Match".to_owned(), "*".to_owned())]
    );
    let parts = batch.parts();
    assert_eq!(parts.len(), 3);
    assert!(matches!(&parts[0], BatchPart::Request(item) if item.id == "a"));
    assert!(matches!(&parts[1], BatchPart::ChangeSet(items) if items.len() == 2));
    assert!(matches!(&parts[2], BatchPart::Request(item) if item.id == "4"));
    // A plain array is the same batch.
    let list = FILE
        .trim_start_matches("{\"requests\": ")
        .trim_end_matches('}');
    assert_eq!(Batch::parse(list).unwrap(), batch);
}

#[test]
fn bad_files_say_where_and_what_was_expected() {
    let error = |text: &str| Batch::parse(text).unwrap_err().0;
    assert!(error("{\"requests\": [\n  {\"method\": }").starts_with("line 2, column"));
    assert_eq!(
        error(r#"[{"method": "FETCH", "url": "X"}]"#),
        "requests[0].method: expected one of GET, POST, PATCH, PUT, DELETE, found 'FETCH'"
    );
    assert_eq!(error(r#"[{"method": "GET"}]"#), "requests[0].url: missing");
    assert!(
        error(r#"[{"id":"1","method":"GET","url":"X"},{"id":"1","method":"GET","url":"Y"}]"#)
            .contains("requests[1].id: '1' is used twice")
    );
    assert!(
        error(
            r#"[{"method":"POST","url":"X","atomicityGroup":"g"},
                {"method":"POST","url":"X"},
                {"method":"POST","url":"X","atomicityGroup":"g"}]"#
        )
        .starts_with("requests[2].atomicityGroup: the requests of 'g' must be next to each other")
    );
    assert!(
        error(r#"[{"method":"GET","url":"X","atomicityGroup":"g"}]"#)
            .contains("a GET cannot be inside atomicity group 'g'")
    );
    assert!(
        error(r#"[{"method":"GET","url":"https://evil.example/data/X"}]"#)
            .contains("relative to the service root")
    );
    assert!(error(r#"{"requests": {}}"#).contains("expected an array, found an object"));
    assert!(error("[]").contains("empty"));
    assert!(
        error(r#"[{"method":"POST","url":"X","dependsOn":["nope"]}]"#)
            .contains("requests[0].dependsOn")
    );
}

#[test]
fn a_failed_changeset_names_its_failing_request_and_rolls_back_the_others() {
    let batch = Batch::parse(FILE).unwrap();
    // F&O's way: one error answer in place of the whole changeset, with the failing
    // Content-ID, and the batch goes on.
    let responses = [
        answer(None, 200, None, r#"{"value": []}"#),
        answer(
            Some("c"),
            400,
            None,
            r#"{"error": {"code": "", "message": "Write validation failed.", "innererror": {"message": "Field 'A' must be filled in."}}}"#,
        ),
        answer(None, 204, None, ""),
    ];
    let results = match_responses(&batch, &responses);
    let outcomes: Vec<&BatchStatus> = results.iter().map(|r| &r.outcome).collect();
    assert_eq!(outcomes[0], &BatchStatus::Succeeded);
    assert_eq!(outcomes[1], &BatchStatus::RolledBack("c".to_owned()));
    match outcomes[2] {
        BatchStatus::Failed(message) => {
            assert!(message.contains("Write validation failed."), "{message}");
            assert!(
                message.contains("Field 'A' must be filled in."),
                "{message}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(outcomes[3], &BatchStatus::Succeeded);
    assert_eq!(results[2].status, Some(400));
    assert_eq!(results[1].status, None);

    // Everything answered: each request has its own answer, matched by id.
    let responses = [
        answer(None, 200, None, "{}"),
        answer(Some("c"), 201, Some("0"), r#"{"A": 2}"#),
        answer(Some("b"), 201, Some("0"), r#"{"A": 1}"#),
        answer(None, 204, None, ""),
    ];
    let results = match_responses(&batch, &responses);
    assert!(results.iter().all(BatchResult::succeeded));
    assert_eq!(results[1].body, Some(json!({"A": 1})));
    assert_eq!(results[2].body, Some(json!({"A": 2})));

    // A short answer leaves the rest unanswered, not invented.
    let results = match_responses(&batch, &responses[..1]);
    assert_eq!(results[3].outcome, BatchStatus::NotRun);
}

#[test]
fn results_read_as_the_json_batch_response_format() {
    let batch = Batch::parse(FILE).unwrap();
    let responses = [
        answer(None, 200, None, "{}"),
        answer(
            Some("b"),
            400,
            Some("0"),
            r#"{"error": {"message": "bad"}}"#,
        ),
        answer(None, 204, None, ""),
    ];
    let json = results_json(&match_responses(&batch, &responses));
    let responses = json["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1]["status"], 400);
    assert_eq!(responses[1]["outcome"], "failed");
    assert_eq!(responses[1]["error"], "bad");
    assert_eq!(responses[2]["outcome"], "rolled back");
    assert_eq!(responses[2]["rolledBackBecauseOf"], "b");
    assert_eq!(responses[2]["atomicityGroup"], "g");
}
