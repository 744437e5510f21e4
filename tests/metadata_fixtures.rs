//! Every real `$metadata` fixture parses, and the model's counts agree with an independent
//! scan of the XML text; specific facts are checked on a few documents.

mod support;

use flowbench::odata::metadata::{MetadataSummary, Model, parse_metadata};
use support::{count_start_tags, fixture, metadata_fixtures, tags};

fn parse_fixture(relative: &str) -> Model {
    parse_metadata(&fixture(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn every_fixture_parses_with_counts_matching_a_text_scan() {
    let fixtures = metadata_fixtures();
    assert!(
        fixtures.len() >= 18,
        "expected the copied fixtures, found {}",
        fixtures.len()
    );
    for path in fixtures {
        let bytes = std::fs::read(&path).expect("readable");
        let name = path.display().to_string();
        let model = parse_metadata(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        let counts = count_start_tags(&text);
        let summary = MetadataSummary::of(&model, 0.0);
        let expected = [
            ("EntitySet", summary.entity_sets),
            ("Singleton", summary.singletons),
            ("EntityType", summary.entity_types),
            ("ComplexType", summary.complex_types),
            ("EnumType", summary.enum_types),
            ("Action", summary.actions),
            ("Function", summary.functions),
            ("ActionImport", summary.action_imports),
            ("FunctionImport", summary.function_imports),
            ("NavigationProperty", summary.navigation_properties),
            ("Property", summary.properties),
            ("Schema", model.schemas.len()),
            ("Reference", model.references.len()),
        ];
        for (tag, parsed) in expected {
            assert_eq!(parsed, tags(&counts, tag), "{name}: count of <{tag}>");
        }
        let key_refs: usize = model
            .schemas
            .iter()
            .flat_map(|s| &s.entity_types)
            .map(|t| t.key.len())
            .sum();
        assert_eq!(
            key_refs,
            tags(&counts, "PropertyRef"),
            "{name}: key PropertyRefs"
        );
        let members: usize = model
            .schemas
            .iter()
            .flat_map(|s| &s.enum_types)
            .map(|t| t.members.len())
            .sum();
        assert_eq!(members, tags(&counts, "Member"), "{name}: enum members");
        let blocks: usize = model
            .schemas
            .iter()
            .map(|s| s.annotation_blocks.len())
            .sum();
        assert_eq!(
            blocks,
            tags(&counts, "Annotations"),
            "{name}: Annotations blocks"
        );
        assert_eq!(model.version, "4.0", "{name}");
        println!("{name}: {summary:?} warnings={}", model.warnings.len());
        for w in model.warnings.iter().take(5) {
            println!("   {}:{} {}", w.line, w.column, w.message);
        }
    }
}
