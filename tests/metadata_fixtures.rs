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
        assert!(
            model.warnings.is_empty(),
            "{name}: unexpected warnings {:?}",
            model.warnings
        );
    }
}

const FNO: &str = "Microsoft.Dynamics.DataEntities";

#[test]
fn fno_composite_key_keeps_data_area_id_first_and_document_order() {
    let model = parse_fixture("fno/fno_trimmed_sales_ntrtd.xml");
    let set = model
        .entity_set("PriceTermJournalTrans")
        .expect("entity set");
    assert_eq!(set.entity_type, format!("{FNO}.PriceTermJournalTrans"));
    let entity = model
        .entity_type(&set.entity_type)
        .expect("entity type resolves");
    assert_eq!(
        model.key_of(entity),
        ["dataAreaId", "AgreementId", "LineNum"]
    );
    let keys: Vec<&str> = model
        .key_properties(entity)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(keys, ["dataAreaId", "AgreementId", "LineNum"]);
    let data_area = model.key_properties(entity)[0];
    assert_eq!(data_area.type_ref.name, "Edm.String");
    assert!(!data_area.nullable);
    assert_eq!(data_area.annotations.get("LabelId"), Some("@SYS13342"));
    // The AXType value comes from the child <EnumMember> element's text.
    assert_eq!(
        data_area.annotations.get("AXType"),
        Some("Microsoft.Dynamics.OData.Core.V1.AXType/String")
    );
    // The entity type line points at its declaration.
    let text = String::from_utf8(fixture("fno/fno_trimmed_sales_ntrtd.xml")).expect("utf-8");
    let declared = text
        .lines()
        .nth(entity.line as usize - 1)
        .expect("line exists");
    assert!(
        declared.contains("<EntityType Name=\"PriceTermJournalTrans\">"),
        "{declared}"
    );
}

#[test]
fn fno_property_annotations_give_required_and_read_only() {
    let model = parse_fixture("fno/fno_trimmed_procurement_ntrtd.xml");
    let entity = model
        .entity_type(&format!("{FNO}.VendPaymModeBankAccounts"))
        .expect("type");
    assert_eq!(entity.key, ["dataAreaId", "LineId"]);
    let paym_mode = entity
        .properties
        .iter()
        .find(|p| p.name == "PaymMode")
        .expect("PaymMode");
    assert!(paym_mode.nullable, "declared without Nullable=false");
    assert_eq!(paym_mode.annotations.get("IsRequired"), Some("true"));
    assert_eq!(paym_mode.annotations.get("AllowEdit"), Some("false"));
    assert!(paym_mode.is_required(), "IsRequired makes it required");
    assert!(
        paym_mode.is_read_only(),
        "AllowEdit=false makes it read-only"
    );
    let terms: Vec<&str> = paym_mode.annotations.all.iter().map(|a| a.term()).collect();
    assert_eq!(
        terms,
        [
            "Microsoft.Dynamics.OData.Core.V1.LabelId",
            "Microsoft.Dynamics.OData.Core.V1.CountryRegionCodes",
            "Microsoft.Dynamics.OData.Core.V1.ConfigurationKeyEnabled",
            "Microsoft.Dynamics.OData.Core.V1.AllowEdit",
            "Microsoft.Dynamics.OData.Core.V1.IsRequired",
            "Microsoft.Dynamics.OData.Core.V1.AXType",
        ],
        "every annotation kept in order, unknown terms included"
    );
    let line_id = entity
        .properties
        .iter()
        .find(|p| p.name == "LineId")
        .expect("LineId");
    assert!(!line_id.is_read_only());
    assert!(line_id.is_required(), "Nullable=false");
}

#[test]
fn fno_enum_members_keep_explicit_values_and_labels() {
    let model = parse_fixture("fno/fno_trimmed_sales_ntrtd.xml");
    let no_yes = model.enum_type(&format!("{FNO}.NoYes")).expect("NoYes");
    let members: Vec<(&str, i64)> = no_yes
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(members, [("No", 0), ("Yes", 1)]);
    assert_eq!(no_yes.underlying_type, "Edm.Int32");
    assert_eq!(
        no_yes.members[1].annotations.get("LabelId"),
        Some("@sys5461")
    );
    let timezone = model
        .enum_type(&format!("{FNO}.Timezone"))
        .expect("Timezone");
    assert_eq!(
        timezone.members[0].name,
        "GMTMINUS1200INTERNATIONALDATELINEWEST"
    );
    assert_eq!(timezone.members[0].value, 24);
    assert_eq!(timezone.members[1].value, 99);
    // &amp; in an attribute is unescaped
    let pacific = timezone
        .members
        .iter()
        .find(|m| m.name == "GMTMINUS0800PACIFICTIME")
        .expect("member");
    assert_eq!(
        pacific.annotations.get("LabelId"),
        Some("(GMT-08:00) Pacific Time (US & Canada)")
    );
}

#[test]
fn sap_b1_enum_declares_flags_and_underlying_type() {
    let model = parse_fixture("sap/sap_b1_service_layer_v4_SAPB1.edmx.xml");
    let schema = &model.schemas[0];
    let category = schema
        .enum_types
        .iter()
        .find(|e| e.name == "AccountCategorySourceEnum")
        .expect("enum");
    assert!(!category.is_flags);
    assert_eq!(category.underlying_type, "Edm.Int32");
    assert!(!category.members.is_empty());
}

#[test]
fn trippin_bound_operations_expose_binding_parameter() {
    let model = parse_fixture("reference/trippin_v4_SimpleOData.xml");
    let ns = "Microsoft.OData.SampleService.Models.TripPin";
    let share = model.operations(&format!("{ns}.ShareTrip"));
    assert_eq!(share.len(), 1);
    let share = share[0];
    assert!(share.is_bound);
    let binding = share.binding_type().expect("bound");
    assert_eq!(binding.name, format!("{ns}.Person"));
    assert!(!binding.collection);
    let call: Vec<(&str, &str)> = share
        .call_parameters()
        .iter()
        .map(|p| (p.name.as_str(), p.type_ref.name.as_str()))
        .collect();
    assert_eq!(call, [("userName", "Edm.String"), ("tripId", "Edm.Int32")]);
    assert!(share.return_type.is_none());
    let bound: Vec<&str> = model
        .bound_actions(&format!("{ns}.Person"))
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(bound, ["ShareTrip"]);

    let favorite = model.operations(&format!("{ns}.GetFavoriteAirline"));
    let favorite = favorite.first().expect("function");
    assert!(favorite.is_composable);
    assert_eq!(
        favorite.entity_set_path.as_deref(),
        Some("person/Trips/PlanItems/Microsoft.OData.SampleService.Models.TripPin.Flight/Airline")
    );
    let involved = model.operations(&format!("{ns}.GetInvolvedPeople"));
    let returns = involved[0].return_type.as_ref().expect("return type");
    assert!(returns.collection);
    assert_eq!(returns.name, format!("{ns}.Person"));
}

#[test]
fn references_are_recorded_with_includes() {
    let model = parse_fixture("sap/cap_library_odata2ts.xml");
    assert_eq!(model.references.len(), 4);
    let first = &model.references[0];
    assert_eq!(
        first.uri,
        "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml"
    );
    assert_eq!(
        first.includes,
        [(
            "Org.OData.Capabilities.V1".to_owned(),
            Some("Capabilities".to_owned())
        )]
    );
}

#[test]
fn out_of_line_annotations_are_kept_per_target() {
    let model = parse_fixture("sap/cap_bookshop_admin-srv_odata2ts.xml");
    let blocks: Vec<_> = model
        .schemas
        .iter()
        .flat_map(|s| &s.annotation_blocks)
        .collect();
    let created_by = blocks
        .iter()
        .find(|b| b.target == "AdminService.Books/createdBy")
        .expect("block for createdBy");
    let terms: Vec<(&str, Option<&str>)> = created_by
        .annotations
        .iter()
        .map(|a| (a.term(), a.value()))
        .collect();
    assert_eq!(
        terms,
        [
            ("UI.HiddenFilter", Some("true")),
            ("Core.Immutable", Some("true")),
            ("Core.Computed", Some("true")),
            (
                "Core.Description",
                Some("Die eindeutige ID eines Benutzers")
            ),
            ("Common.Label", Some("Angelegt von")),
        ]
    );
}

#[test]
fn singletons_and_navigation_bindings_are_read() {
    let model = parse_fixture("reference/trippin_restier_v4_odata2ts.xml");
    let container = model.container().expect("container");
    let me = container
        .singletons
        .iter()
        .find(|s| s.name == "Me")
        .expect("singleton");
    assert_eq!(me.entity_type, "Trippin.Person");
    assert_eq!(me.navigation_bindings.len(), 4);
    let people = model.entity_set("People").expect("People");
    let bindings: Vec<(&str, &str)> = people
        .navigation_bindings
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        bindings,
        [
            ("BestFriend", "People"),
            ("Friends", "People"),
            ("Trippin.Employee/Peers", "People"),
            ("Trippin.Manager/DirectReports", "People"),
        ]
    );
    let person = model.entity_type("Trippin.Person").expect("Person");
    let navs: Vec<(&str, bool)> = person
        .navigation_properties
        .iter()
        .map(|n| (n.name.as_str(), n.type_ref.collection))
        .collect();
    assert_eq!(
        navs,
        [("Friends", true), ("BestFriend", false), ("Trips", true)]
    );
}

#[test]
fn navigation_partners_and_referential_constraints_are_read() {
    let model = parse_fixture("reference/northwind_v4_SimpleOData.xml");
    let employee = model
        .entity_type("NorthwindModel.Employee")
        .expect("Employee");
    let superior = employee
        .navigation_properties
        .iter()
        .find(|n| n.name == "Superior")
        .expect("Superior");
    assert_eq!(superior.partner.as_deref(), Some("Subordinates"));
    assert_eq!(superior.type_ref.name, "NorthwindModel.Employee");
    assert_eq!(
        superior.referential_constraints,
        [("ReportsTo".to_owned(), "EmployeeID".to_owned())]
    );
    let photo = employee
        .properties
        .iter()
        .find(|p| p.name == "PhotoPath")
        .expect("PhotoPath");
    assert_eq!(photo.max_length, Some(255));
}
