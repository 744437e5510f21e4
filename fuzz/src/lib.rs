//! The bodies of Flowbench's fuzz targets, one function per target, shared by the libFuzzer
//! binaries in `fuzz_targets/` (`cargo +nightly fuzz run NAME`) and by the stable smoke run
//! of the main crate (`tests/fuzz_smoke.rs`). Each takes arbitrary bytes and must return
//! without panicking, hanging or allocating without bound; errors are the expected outcome.

use std::sync::OnceLock;

use flowbench::odata::keys::KeyPredicate;
use flowbench::odata::metadata::{EdmPrimitive, Model, parse_metadata};
use flowbench::odata::values::{Value, ValueKind};

/// The names of the targets, as `cargo fuzz` knows them.
pub const TARGETS: [&str; 7] = [
    "csdl",
    "json_values",
    "filter_client",
    "filter_demo",
    "keys",
    "expr",
    "flow_file",
];

/// Runs the target called `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "csdl" => csdl(data),
        "json_values" => json_values(data),
        "filter_client" => filter_client(data),
        "filter_demo" => filter_demo(data),
        "keys" => keys(data),
        "expr" => expr(data),
        "flow_file" => flow_file(data),
        _ => panic!("no fuzz target called {name}"),
    }
}

/// The CSDL parser (`odata::metadata::parse_metadata`); a parsed model is also summarised.
pub fn csdl(data: &[u8]) {
    if let Ok(model) = parse_metadata(data) {
        for entity in model.schemas.iter().flat_map(|s| &s.entity_types) {
            let _ = model.key_of(entity);
            let _ = model.key_properties(entity);
        }
    }
}

/// Every primitive kind a value can be decoded as.
const PRIMITIVES: [EdmPrimitive; 19] = [
    EdmPrimitive::Binary,
    EdmPrimitive::Boolean,
    EdmPrimitive::Byte,
    EdmPrimitive::Date,
    EdmPrimitive::DateTimeOffset,
    EdmPrimitive::Decimal,
    EdmPrimitive::Double,
    EdmPrimitive::Duration,
    EdmPrimitive::Guid,
    EdmPrimitive::Int16,
    EdmPrimitive::Int32,
    EdmPrimitive::Int64,
    EdmPrimitive::SByte,
    EdmPrimitive::Single,
    EdmPrimitive::Stream,
    EdmPrimitive::String,
    EdmPrimitive::TimeOfDay,
    EdmPrimitive::Spatial,
    EdmPrimitive::Untyped,
];

/// The JSON value decoder: strict JSON (`odata::json_strict`), then each primitive kind
/// (`Value::from_json`, also for a collection), the untyped reading and the typed text
/// reading (`Value::parse_text`); what decodes is written back (JSON, text, URL literal).
pub fn json_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let json = flowbench::odata::json_strict::from_slice(data).ok();
    for primitive in PRIMITIVES {
        let kind = ValueKind::Primitive(primitive);
        if let Some(json) = &json {
            if let Ok(value) = Value::from_json(&kind, json) {
                written(&value);
            }
            let collection = ValueKind::Collection(Box::new(kind.clone()));
            if let Ok(value) = Value::from_json(&collection, json) {
                written(&value);
            }
        }
        if let Ok(value) = Value::parse_text(&kind, &text) {
            written(&value);
        }
    }
    if let Some(json) = &json {
        written(&Value::from_untyped_json(json));
    }
}

fn written(value: &Value) {
    let _ = value.to_json();
    let _ = value.to_text();
    let _ = value.to_url_literal();
}

/// The client's `$filter` checks (`odata::filter::check_filter_limits`, the operator names)
/// and the `$expand` reader (`QueryOptions::parse_nested`).
pub fn filter_client(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = flowbench::odata::filter::check_filter_limits(&text);
    let _ = flowbench::odata::filter::FilterOperator::parse(&text);
    let _ = flowbench::odata::query::QueryOptions::parse_nested(&text);
}

/// The demo instance's `$filter` parser (`demo::query::filter::parse_filter`).
pub fn filter_demo(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = flowbench::demo::query::filter::parse_filter(&text);
}

/// The model the key target reads keys for: the CLI test service and an F&O extract
/// (string, Int32, decimal, date and enum keys).
fn key_models() -> &'static [Model] {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        [
            &include_bytes!("../../tests/fixtures/metadata/cli_service.xml")[..],
            &include_bytes!("../../tests/fixtures/metadata/fno/fno_trimmed_sales_ntrtd.xml")[..],
        ]
        .into_iter()
        .filter_map(|xml| parse_metadata(xml).ok())
        .collect()
    })
}

/// The key parser (`odata::keys`): the first byte picks an entity type of the models, the
/// rest is the key text (comma form or a pasted predicate); a parsed key is written back.
pub fn keys(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let _ = flowbench::odata::keys::split_key_values(&text);
    let types: Vec<(&Model, &flowbench::odata::metadata::EntityType)> = key_models()
        .iter()
        .flat_map(|model| {
            model
                .schemas
                .iter()
                .flat_map(|s| &s.entity_types)
                .map(move |entity| (model, entity))
        })
        .collect();
    if types.is_empty() {
        return;
    }
    let (model, entity) = types[usize::from(pick) % types.len()];
    if let Ok(key) = KeyPredicate::parse(model, entity, &text) {
        let _ = key.to_literal();
        let _ = key.to_named_literal();
        let _ = key.to_path_segment();
    }
}

/// The WDL expression parser (`flow::expr::parse`) and the template reader
/// (`flow::expr::source_form`: `@`, `@{…}`, `@@`).
pub fn expr(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = flowbench::flow::expr::parse(&text);
    let _ = flowbench::flow::expr::source_form(&text);
    let _ = flowbench::flow::expr::highlight(&text);
}

/// The flow-file loader (`flow::file::FlowFile::parse`) and, for a loaded flow, the checks
/// before a run and saving it back.
pub fn flow_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(flow) = flowbench::flow::file::FlowFile::parse(&text) {
        let _ = flow.to_text();
    }
}

/// Seed inputs of `target`, read from the repository at `root` (fixtures and example flows)
/// plus a few written here; the same seeds start `cargo fuzz` (see `docs/RELIABILITY.md`).
pub fn seeds(target: &str, root: &std::path::Path) -> Vec<Vec<u8>> {
    let files = |dir: &str, ext: &str, max: u64| -> Vec<Vec<u8>> {
        let mut found = Vec::new();
        collect(&root.join(dir), ext, max, &mut found);
        found
    };
    let texts =
        |items: &[&str]| -> Vec<Vec<u8>> { items.iter().map(|t| t.as_bytes().to_vec()).collect() };
    match target {
        "csdl" => files("tests/fixtures/metadata", "xml", 256 * 1024),
        "json_values" => {
            let mut seeds = files("tests/fixtures/payloads", "json", 64 * 1024);
            seeds.extend(texts(&[
                "1.50",
                "-0",
                "1e400",
                "\"2024-02-29\"",
                "\"2024-01-31T23:59:59.1234567+01:00\"",
                "\"P1DT2H3M4.5S\"",
                "\"12:30:00\"",
                "\"4a9a5b1c-0000-4000-8000-000000000001\"",
                "\"AAEC/w==\"",
                "9223372036854775807",
                "[1, 2, 3]",
                "{\"a\": {\"b\": null}}",
                "\"INF\"",
                "\"NaN\"",
                "true",
                "255",
                "-129",
            ]));
            seeds
        }
        "filter_client" | "filter_demo" => texts(&[
            "CustomerAccount eq 'US-001'",
            "(CreditLimit gt 1000 and CreditLimit le 5000.50) or not (Name eq 'a''b')",
            "contains(Name, 'x') and startswith(CustomerAccount, 'US') or endswith(Name,'%_')",
            "CreatedOn ge 2024-01-01T00:00:00Z and Blocked eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
            "OrderId in (1, 2, 3)",
            "Name eq null or Name ne ''",
            "Items($filter=Id eq 1;$select=Id,Name;$expand=Lines($top=2))",
            "tolower(Name) eq 'x' and year(CreatedOn) eq 2024",
        ]),
        "keys" => texts(&[
            "\u{0}usmf,US-001",
            "\u{0}(dataAreaId='usmf',CustomerAccount='US-001')",
            "\u{1}42",
            "\u{1}(42)",
            "\u{0}\"us,mf\",'a''b'",
            "\u{5}usmf,SO-0001,1",
            "\u{7}usmf,2024-01-31,10.5",
        ]),
        "expr" => {
            let mut seeds = texts(&[
                "@concat('a', triggerBody()?['Name'], string(add(1, 2)))",
                "@{variables('x')} and @{body('Get')?['value'][0].Name}",
                "@@literal",
                "@if(equals(1, 1), json('{\"a\":1}'), null)",
                "@formatDateTime(utcNow(), 'yyyy-MM-dd')",
            ]);
            for flow in files("assets/flows", "json", 256 * 1024) {
                if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&flow) {
                    expressions(&json, &mut seeds);
                }
            }
            seeds
        }
        "flow_file" => {
            let mut seeds = files("assets/flows", "json", 256 * 1024);
            seeds.extend(files("tests/fixtures/packages", "json", 256 * 1024));
            seeds
        }
        _ => Vec::new(),
    }
}

/// Files under `dir` ending in `.ext`, at most `max` bytes each, in a stable order.
fn collect(dir: &std::path::Path, ext: &str, max: u64, found: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, ext, max, found);
        } else if path.extension().is_some_and(|e| e == ext)
            && std::fs::metadata(&path).is_ok_and(|m| m.len() <= max)
            && let Ok(bytes) = std::fs::read(&path)
        {
            found.push(bytes);
        }
    }
}

/// Strings of a flow that hold expressions (`@…`).
fn expressions(json: &serde_json::Value, seeds: &mut Vec<Vec<u8>>) {
    match json {
        serde_json::Value::String(text) if text.contains('@') => {
            seeds.push(text.as_bytes().to_vec());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| expressions(i, seeds)),
        serde_json::Value::Object(map) => map.values().for_each(|v| expressions(v, seeds)),
        _ => {}
    }
}
