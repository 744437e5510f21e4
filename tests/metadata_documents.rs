//! Hand-written documents for edge cases: malformed input with positions, dangling type
//! warnings, prefixes, BOM, self-closing elements, unknown elements, implicit enum values
//! and annotation values from child elements.

use flowbench::odata::metadata::{Annotations, MetadataError, parse_metadata};

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Demo.Ns" Alias="D" xmlns="http://docs.oasis-open.org/odata/ns/edm">
"#;
const TAIL: &str = "    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n";

fn document(body: &str) -> String {
    format!("{HEAD}{body}{TAIL}")
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u32, u32) {
    let offset = text.find(needle).expect("needle present");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

#[test]
fn truncated_document_names_the_open_element_and_end_of_file_position() {
    let full = document(
        r#"      <EntityType Name="A"><Key><PropertyRef Name="Id"/></Key></EntityType>
"#,
    );
    let cut = &full[..full.find("    </Schema>").expect("schema end")];
    let error = parse_metadata(cut.as_bytes()).expect_err("truncated");
    let lines = cut.matches('\n').count() as u32;
    assert_eq!(
        error,
        MetadataError::Truncated {
            line: lines + 1,
            column: 1,
            expected: "Schema".to_owned()
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "line {}, column 1: expected </Schema>, found end of file",
            lines + 1
        )
    );
}

#[test]
fn truncated_inside_an_annotation_names_the_innermost_element() {
    let text = format!(
        "{HEAD}      <EntityType Name=\"A\">\n        <Annotation Term=\"Core.Description\">\n          <String>half"
    );
    let error = parse_metadata(text.as_bytes()).expect_err("truncated");
    match error {
        MetadataError::Truncated {
            expected,
            line,
            column,
        } => {
            assert_eq!(expected, "String");
            assert_eq!(line, text.matches('\n').count() as u32 + 1);
            assert_eq!(column, "          <String>half".chars().count() as u32 + 1);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn wrong_root_element_is_rejected_with_its_position() {
    let text = "<?xml version=\"1.0\"?>\n<!-- a comment -->\n  <html><body>Sign in</body></html>";
    let error = parse_metadata(text.as_bytes()).expect_err("wrong root");
    let (line, column) = position_of(text, "<html>");
    assert_eq!(
        error,
        MetadataError::WrongRoot {
            line,
            column,
            found: "<html>".to_owned()
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("line 3, column 3: expected root element <edmx:Edmx>")
    );
}

#[test]
fn json_or_empty_bodies_are_not_metadata() {
    let json = parse_metadata(br#"{"error":{"code":"401"}}"#).expect_err("json");
    assert!(
        matches!(
            json,
            MetadataError::WrongRoot {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{json:?}"
    );
    let empty = parse_metadata(b"").expect_err("empty");
    assert!(matches!(empty, MetadataError::WrongRoot { ref found, .. } if found == "end of file"));
}

#[test]
fn mismatched_end_tag_is_malformed_with_line_and_column() {
    let text = document("      <EntityType Name=\"A\">\n      </ComplexType>\n");
    let error = parse_metadata(text.as_bytes()).expect_err("mismatched");
    let (line, _) = position_of(&text, "</ComplexType>");
    match &error {
        MetadataError::Malformed {
            line: l, message, ..
        } => {
            assert_eq!(*l, line);
            assert!(
                message.contains("</EntityType>") && message.contains("</ComplexType>"),
                "{message}"
            );
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with(&format!("line {line}, column ")),
        "{error}"
    );
}

#[test]
fn broken_attribute_syntax_is_malformed() {
    let text = document("      <EntityType Name=\"A\" Abstract></EntityType>\n");
    let error = parse_metadata(text.as_bytes()).expect_err("bad attribute");
    let (line, column) = position_of(&text, "<EntityType");
    assert!(
        matches!(error, MetadataError::Malformed { .. }),
        "{error:?}"
    );
    assert_eq!(error.position(), (line, column));
}

#[test]
fn invalid_utf8_is_malformed_not_a_panic() {
    let mut bytes = document("      <EntityType Name=\"A\"/>\n").into_bytes();
    let at = bytes.windows(3).position(|w| w == b"\"A\"").expect("name") + 1;
    bytes[at] = 0xFF;
    let error = parse_metadata(&bytes).expect_err("invalid utf-8");
    assert!(
        matches!(error, MetadataError::Malformed { line: 5, .. }),
        "{error:?}"
    );
}

#[test]
fn dangling_types_become_warnings_and_the_model_is_still_returned() {
    let body = r#"      <EntityType Name="Order" BaseType="D.Missing">
        <Key><PropertyRef Name="Id"/></Key>
        <Property Name="Id" Type="Edm.Int32" Nullable="false"/>
        <Property Name="Status" Type="D.StatusEnum"/>
        <Property Name="Tags" Type="Collection(Demo.Ns.NoSuchType)"/>
        <NavigationProperty Name="Lines" Type="Collection(Demo.Ns.Line)"/>
        <Property Name="Postal" Type="Demo.Ns.Address"/>
        <NavigationProperty Name="Address" Type="Demo.Ns.Address"/>
      </EntityType>
      <ComplexType Name="Address"><Property Name="City" Type="Edm.String"/></ComplexType>
      <EnumType Name="StatusEnum"><Member Name="Open"/></EnumType>
      <Action Name="Ship" IsBound="true">
        <Parameter Name="order" Type="D.Order"/>
        <Parameter Name="carrier" Type="Other.Carrier"/>
        <ReturnType Type="Demo.Ns.Receipt"/>
      </Action>
      <EntityContainer Name="Box">
        <EntitySet Name="Orders" EntityType="Demo.Ns.Order"/>
        <EntitySet Name="Ghosts" EntityType="Demo.Ns.Ghost"/>
        <ActionImport Name="ShipIt" Action="Demo.Ns.Nope"/>
      </EntityContainer>
"#;
    let text = document(body);
    let model = parse_metadata(text.as_bytes()).expect("dangling types are not fatal");
    assert_eq!(model.schemas[0].entity_types.len(), 1);
    assert_eq!(model.entity_sets().len(), 2);
    let found: Vec<(u32, u32, &str)> = model
        .warnings
        .iter()
        .map(|w| (w.line, w.column, w.message.as_str()))
        .collect();
    let at = |needle: &str| position_of(&text, needle);
    let expected = vec![
        (
            at("<EntityType Name=\"Order\""),
            "unknown entity type 'D.Missing' for base type of entity type 'Order'",
        ),
        (
            at("<Property Name=\"Tags\""),
            "unknown type 'Demo.Ns.NoSuchType' for property 'Tags' of 'Order'",
        ),
        (
            at("<NavigationProperty Name=\"Lines\""),
            "unknown entity type 'Demo.Ns.Line' for navigation property 'Lines' of 'Order'",
        ),
        (
            at("<NavigationProperty Name=\"Address\""),
            "'Demo.Ns.Address' is a complex type, not an entity type for navigation property 'Address' of 'Order'",
        ),
        (
            at("<Parameter Name=\"carrier\""),
            "unknown type 'Other.Carrier' for parameter 'carrier' of action 'Ship'",
        ),
        (
            at("<ReturnType"),
            "unknown type 'Demo.Ns.Receipt' for return type of action 'Ship'",
        ),
        (
            at("<EntitySet Name=\"Ghosts\""),
            "unknown entity type 'Demo.Ns.Ghost' for entity set 'Ghosts'",
        ),
        (
            at("<ActionImport"),
            "unknown action 'Demo.Ns.Nope' for action import 'ShipIt'",
        ),
    ];
    let expected: Vec<(u32, u32, &str)> =
        expected.into_iter().map(|((l, c), m)| (l, c, m)).collect();
    assert_eq!(found, expected);
}

#[test]
fn vocabulary_namespaces_from_references_are_not_dangling() {
    let text = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://example.test/Vocab.xml"><edmx:Include Namespace="Ext.Vocab" Alias="X"/></edmx:Reference>
  <edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm">
    <ComplexType Name="C"><Property Name="P" Type="X.Thing"/><Property Name="Q" Type="Ext.Vocab.Other"/></ComplexType>
  </Schema></edmx:DataServices></edmx:Edmx>"#;
    let model = parse_metadata(text.as_bytes()).expect("valid");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert_eq!(model.references[0].uri, "https://example.test/Vocab.xml");
}

#[test]
fn bom_any_edmx_prefix_self_closing_and_unknown_elements_are_fine() {
    let text = "\u{feff}<?xml version=\"1.0\"?>\n<x:Edmx Version=\"4.01\" xmlns:x=\"http://docs.oasis-open.org/odata/ns/edmx\">\
<x:DataServices><edm:Schema Namespace=\"N\" xmlns:edm=\"http://docs.oasis-open.org/odata/ns/edm\">\
<edm:Term Name=\"Custom\" Type=\"Edm.String\"><edm:Annotation Term=\"Core.Description\" String=\"ignored\"/></edm:Term>\
<edm:EntityType Name=\"E\"/>\
<edm:EntityType Name=\"F\" Abstract=\"true\" OpenType=\"true\" HasStream=\"true\"><edm:Unknown><edm:Property Name=\"Hidden\" Type=\"Edm.String\"/></edm:Unknown>\
<edm:Property Name=\"P\" Type=\"Edm.Decimal\" Precision=\"32\" Scale=\"6\" DefaultValue=\"0\" Nullable=\"false\"/>\
<edm:Property Name=\"S\" Type=\"Edm.String\" MaxLength=\"max\"/></edm:EntityType>\
<edm:EntityContainer Name=\"C\"/></edm:Schema></x:DataServices></x:Edmx>";
    let model = parse_metadata(text.as_bytes()).expect("valid");
    assert_eq!(model.version, "4.01");
    let schema = &model.schemas[0];
    assert_eq!(schema.entity_types.len(), 2);
    let f = &schema.entity_types[1];
    assert!(f.is_abstract && f.open_type && f.has_stream);
    let names: Vec<&str> = f.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["P", "S"],
        "properties inside unknown elements are skipped"
    );
    assert_eq!(
        (f.properties[0].precision, f.properties[0].scale),
        (Some(32), Some(6))
    );
    assert_eq!(f.properties[0].default_value.as_deref(), Some("0"));
    assert_eq!(f.properties[1].max_length, None);
    assert_eq!(model.container().map(|c| c.name.as_str()), Some("C"));
}

#[test]
fn enum_values_are_implicit_when_missing_and_flags_are_read() {
    let text = document(
        r#"      <EnumType Name="Color" UnderlyingType="Edm.Byte" IsFlags="true">
        <Member Name="Red"/><Member Name="Green"/><Member Name="Blue"/>
      </EnumType>
      <EnumType Name="Mixed"><Member Name="A" Value="5"/><Member Name="B"/><Member Name="C" Value="x"/></EnumType>
"#,
    );
    let model = parse_metadata(text.as_bytes()).expect("valid");
    let color = model.enum_type("D.Color").expect("alias resolves");
    assert!(color.is_flags);
    assert_eq!(color.underlying_type, "Edm.Byte");
    let values: Vec<i64> = color.members.iter().map(|m| m.value).collect();
    assert_eq!(values, [0, 1, 2]);
    let mixed = model.enum_type("Demo.Ns.Mixed").expect("enum");
    let values: Vec<i64> = mixed.members.iter().map(|m| m.value).collect();
    assert_eq!(values, [5, 6, 7]);
    assert_eq!(model.warnings.len(), 1);
    assert!(
        model.warnings[0].message.contains("non-integer value 'x'"),
        "{:?}",
        model.warnings
    );
}

#[test]
fn an_annotations_block_qualifier_applies_to_annotations_without_their_own() {
    let text = document(
        r#"      <Annotations Target="N.C/P" Qualifier="Phone">
        <Annotation Term="Core.Description" String="Short"/>
        <Annotation Term="Common.Label" Qualifier="Tablet" String="Longer"/>
        <Annotation Term="Core.Computed"/>
      </Annotations>
"#,
    );
    let model = parse_metadata(text.as_bytes()).expect("valid");
    let block = &model.schemas[0].annotation_blocks[0];
    let all: Vec<(&str, Option<&str>, Option<&str>)> = block
        .annotations
        .iter()
        .map(|a| (a.term(), a.qualifier(), a.value()))
        .collect();
    assert_eq!(
        all,
        [
            ("Core.Description", Some("Phone"), Some("Short")),
            ("Common.Label", Some("Tablet"), Some("Longer")),
            ("Core.Computed", Some("Phone"), None),
        ]
    );
    let annotations = Annotations {
        all: block.annotations.clone(),
    };
    assert_eq!(annotations.get("Label"), Some("Longer"));
    assert!(annotations.is_true("Computed"));
}

#[test]
fn annotation_values_come_from_attributes_or_child_text() {
    let text = document(
        r#"      <ComplexType Name="C">
        <Property Name="P" Type="Edm.String">
          <Annotation Term="Core.Description"><String>Terms &amp; conditions</String></Annotation>
          <Annotation Term="Core.Computed"/>
          <Annotation Term="Org.OData.Core.V1.Immutable" Bool="false"/>
          <Annotation Term="Microsoft.Dynamics.OData.Core.V1.LabelId" Qualifier="short" String="@SYS1"/>
          <Annotation Term="Custom.Tags"><Collection><String>a</String><String>b</String></Collection></Annotation>
          <Annotation Term="Custom.Path" Path="To/Somewhere"/>
          <Annotation Term="Custom.Record"><Record><PropertyValue Property="X" Bool="true"/></Record></Annotation>
        </Property>
      </ComplexType>
"#,
    );
    let model = parse_metadata(text.as_bytes()).expect("valid");
    let property = &model.schemas[0].complex_types[0].properties[0];
    let all: Vec<(&str, Option<&str>, Option<&str>)> = property
        .annotations
        .all
        .iter()
        .map(|a| (a.term(), a.qualifier(), a.value()))
        .collect();
    assert_eq!(
        all,
        [
            ("Core.Description", None, Some("Terms & conditions")),
            ("Core.Computed", None, None),
            ("Org.OData.Core.V1.Immutable", None, Some("false")),
            (
                "Microsoft.Dynamics.OData.Core.V1.LabelId",
                Some("short"),
                Some("@SYS1")
            ),
            ("Custom.Tags", None, Some("a b")),
            ("Custom.Path", None, Some("To/Somewhere")),
            ("Custom.Record", None, None),
        ]
    );
    assert!(
        property.annotations.is_true("Computed"),
        "tagging term counts as true"
    );
    assert!(!property.annotations.is_true("Immutable"));
    assert!(property.is_read_only());
}

#[test]
fn overloads_are_kept_separately() {
    let text = document(
        r#"      <Function Name="Find"><Parameter Name="a" Type="Edm.String"/><ReturnType Type="Edm.Int32"/></Function>
      <Function Name="Find"><Parameter Name="a" Type="Edm.String"/><Parameter Name="b" Type="Edm.Int32" Nullable="false"/><ReturnType Type="Edm.Int32"/></Function>
      <TypeDefinition Name="Money" UnderlyingType="Edm.Decimal"/>
"#,
    );
    let model = parse_metadata(text.as_bytes()).expect("valid");
    let overloads = model.operations("D.Find");
    assert_eq!(overloads.len(), 2);
    assert_eq!(overloads[1].parameters.len(), 2);
    assert!(!overloads[1].parameters[1].nullable);
    assert_eq!(
        model.schemas[0].type_definitions[0].underlying_type,
        "Edm.Decimal"
    );
}

/// Parses `bytes` once in a single pass and once split in two halves (forced for any
/// size) and checks both give the same result.
fn parse_both_ways(bytes: &[u8]) -> Result<flowbench::odata::metadata::Model, MetadataError> {
    use flowbench::odata::metadata::{ParseOptions, parse_metadata_with};
    let single = parse_metadata_with(
        bytes,
        &ParseOptions {
            parallel_min_bytes: usize::MAX,
        },
    );
    let split = parse_metadata_with(
        bytes,
        &ParseOptions {
            parallel_min_bytes: 0,
        },
    );
    assert_eq!(single, split, "single pass and split parse differ");
    single
}

#[test]
fn split_parsing_gives_the_single_pass_result_on_valid_documents() {
    let schemas: String = (0..40)
        .map(|i| {
            format!(
                "      <EntityType Name=\"T{i}\"><Key><PropertyRef Name=\"Id\"/></Key>\
                 <Property Name=\"Id\" Type=\"Edm.Int32\" Nullable=\"false\"/>\
                 <NavigationProperty Name=\"Next\" Type=\"D.T{}\"/></EntityType>\n",
                i + 1
            )
        })
        .collect();
    let body = format!(
        "{schemas}      <EntityContainer Name=\"C\"><EntitySet Name=\"Ts\" EntityType=\"D.T0\"/></EntityContainer>\n"
    );
    let text = document(&body);
    let model = parse_both_ways(text.as_bytes()).expect("valid");
    assert_eq!(model.schemas[0].entity_types.len(), 40);
    assert_eq!(
        model.warnings.len(),
        1,
        "T39 points at the missing T40: {:?}",
        model.warnings
    );
    assert!(model.warnings[0].message.contains("'D.T40'"));
    let names: Vec<&str> = model.schemas[0]
        .entity_types
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let expected: Vec<String> = (0..40).map(|i| format!("T{i}")).collect();
    assert_eq!(names, expected);
}

#[test]
fn split_parsing_reports_second_half_errors_like_a_single_pass() {
    let types: String = (0..40)
        .map(|i| format!("      <EntityType Name=\"T{i}\"><Property Name=\"P\" Type=\"Edm.String\"/></EntityType>\n"))
        .collect();
    let full = document(&types);
    // Truncated inside the schema, far after the middle.
    let cut = &full[..full.find("    </Schema>").expect("end")];
    let error = parse_both_ways(cut.as_bytes()).expect_err("truncated");
    assert!(
        matches!(error, MetadataError::Truncated { ref expected, .. } if expected == "Schema"),
        "{error:?}"
    );
    // Truncated after the schema closed: the open element is edmx:DataServices.
    let cut = &full[..full.find("  </edmx:DataServices>").expect("end")];
    let error = parse_both_ways(cut.as_bytes()).expect_err("truncated");
    assert!(
        matches!(error, MetadataError::Truncated { ref expected, .. } if expected == "edmx:DataServices"),
        "{error:?}"
    );
    // A wrong end tag for an ancestor the second half never saw open.
    let wrong = full.replace("  </edmx:DataServices>", "  </edmx:Services>");
    let error = parse_both_ways(wrong.as_bytes()).expect_err("mismatch");
    assert!(
        error
            .to_string()
            .contains("expected </edmx:DataServices>, found </edmx:Services>"),
        "{error}"
    );
    // A malformed element in the second half keeps its absolute position.
    let broken = full.replace("<EntityType Name=\"T35\">", "<EntityType Name=\"T35\" Bad>");
    let error = parse_both_ways(broken.as_bytes()).expect_err("malformed");
    assert_eq!(
        error.position(),
        position_of(&broken, "<EntityType Name=\"T35\"")
    );
}

#[test]
fn split_parsing_matches_a_single_pass_on_every_fixture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metadata");
    for group in std::fs::read_dir(&dir).expect("dir") {
        let group = group.expect("entry").path();
        if !group.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&group).expect("dir") {
            let path = file.expect("entry").path();
            if path.extension().is_some_and(|e| e == "xml") {
                let bytes = std::fs::read(&path).expect("read");
                parse_both_ways(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }
}

#[test]
fn every_truncation_of_a_real_document_fails_cleanly_with_a_position_inside_it() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/metadata/reference/trippin_v4_SimpleOData.xml");
    let bytes = std::fs::read(path).expect("fixture");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let lines = text.lines().count() as u32;
    let end = text.rfind("</edmx:Edmx>").expect("root end");
    // Every 7th byte position before the root's end tag, plus a few right before it.
    let cuts = (0..end).step_by(7).chain(end.saturating_sub(3)..end);
    for cut in cuts {
        let Some(prefix) = text.get(..cut) else {
            continue;
        };
        match parse_metadata(prefix.as_bytes()) {
            Ok(_) => panic!("a document cut at byte {cut} parsed"),
            Err(error) => {
                let (line, column) = error.position();
                assert!(line >= 1 && line <= lines + 1, "cut {cut}: {error}");
                assert!(column >= 1, "cut {cut}: {error}");
            }
        }
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/metadata/sap/cap_bookshop_catalog-srv_odata2ts.xml");
    let original = std::fs::read(path).expect("fixture");
    for (i, replacement) in (0..original.len())
        .step_by(97)
        .zip([b'<', b'>', b'"', b'/', b'&', 0xC3].iter().cycle())
    {
        let mut bytes = original.clone();
        bytes[i] = *replacement;
        // Either outcome is fine; what matters is no panic and a positioned error.
        if let Err(error) = parse_metadata(&bytes) {
            assert!(error.position().0 >= 1, "{error}");
        }
    }
}
