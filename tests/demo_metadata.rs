//! Demo instance `$metadata` (well-formed CSDL 4.0 with F&O annotations), service document
//! and the `/Metadata/DataEntities` and `/Metadata/PublicEntities` listings.

mod demo_common;

use std::collections::{HashMap, HashSet};

use demo_common::start;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde_json::Value;

/// One element of the parsed document.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: HashMap<String, String>,
    parent: Option<usize>,
}

fn element(start: &BytesStart<'_>, parent: Option<usize>) -> Element {
    let qname = start.name();
    let name: String = AsRef::<str>::as_ref(&qname).to_owned();
    let attrs = start
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                AsRef::<str>::as_ref(&a.key).to_owned(),
                a.normalized_value(XmlVersion::Implicit1_0)
                    .expect("attribute value")
                    .into_owned(),
            )
        })
        .collect();
    Element {
        name,
        attrs,
        parent,
    }
}

/// Parses the whole document (failing on any well-formedness error) into a flat element list.
fn parse(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml.trim_start_matches('\u{feff}'));
    let mut elements = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => {
                elements.push(element(&start, stack.last().copied()));
                stack.push(elements.len() - 1);
            }
            Event::Empty(start) => elements.push(element(&start, stack.last().copied())),
            Event::End(_) => {
                stack.pop().expect("balanced");
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "every element closed");
    elements
}

fn children<'a>(
    elements: &'a [Element],
    parent: usize,
    name: &'a str,
) -> impl Iterator<Item = (usize, &'a Element)> + 'a {
    elements
        .iter()
        .enumerate()
        .filter(move |(_, e)| e.parent == Some(parent) && e.name == name)
}

fn annotation<'a>(elements: &'a [Element], parent: usize, term: &str) -> Option<&'a Element> {
    children(elements, parent, "Annotation")
        .map(|(_, e)| e)
        .find(|e| e.attrs.get("Term").map(String::as_str) == Some(term))
}

#[tokio::test]
async fn metadata_is_csdl_4_with_fno_shape_and_annotations() {
    let demo = start().await;
    let response = demo.client.get(demo.url("$metadata")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = response.text().await.unwrap();
    let elements = parse(&xml);

    let root = &elements[0];
    assert_eq!(root.name, "edmx:Edmx");
    assert_eq!(root.attrs["Version"], "4.0");
    let schema_index = elements
        .iter()
        .position(|e| {
            e.name == "Schema"
                && e.attrs.get("Namespace").map(String::as_str)
                    == Some("Microsoft.Dynamics.DataEntities")
        })
        .expect("F&O schema");
    let (container_index, container) = children(&elements, schema_index, "EntityContainer")
        .next()
        .expect("container");
    assert_eq!(container.attrs["Name"], "Resources");

    let sets: HashMap<String, String> = children(&elements, container_index, "EntitySet")
        .map(|(_, e)| (e.attrs["Name"].clone(), e.attrs["EntityType"].clone()))
        .collect();
    for (set, ty) in [
        ("CustomersV3", "CustomerV3"),
        ("SalesOrderHeadersV2", "SalesOrderHeaderV2"),
        ("SalesOrderLines", "SalesOrderLine"),
        ("ReleasedProductsV2", "ReleasedProductV2"),
        ("VendorsV2", "VendorV2"),
        ("LegalEntities", "LegalEntity"),
        ("CustomerGroups", "CustomerGroup"),
        ("Warehouses", "Warehouse"),
        ("ExchangeRates", "ExchangeRate"),
    ] {
        assert_eq!(
            sets.get(set).map(String::as_str),
            Some(format!("Microsoft.Dynamics.DataEntities.{ty}").as_str())
        );
    }
    let imports: Vec<&str> = children(&elements, container_index, "ActionImport")
        .map(|(_, e)| e.attrs["Name"].as_str())
        .collect();
    assert_eq!(imports, ["GetApplicationVersion"]);

    let enums: HashSet<&str> = children(&elements, schema_index, "EnumType")
        .map(|(_, e)| e.attrs["Name"].as_str())
        .collect();
    for name in ["NoYes", "CustVendorBlocked", "SalesStatus"] {
        assert!(enums.contains(name), "{name}");
    }

    let (customer_index, _) = children(&elements, schema_index, "EntityType")
        .find(|(_, e)| e.attrs["Name"] == "CustomerV3")
        .expect("CustomerV3");
    let keys: Vec<&str> = children(&elements, customer_index, "Key")
        .flat_map(|(k, _)| children(&elements, k, "PropertyRef"))
        .map(|(_, e)| e.attrs["Name"].as_str())
        .collect();
    assert_eq!(keys, ["dataAreaId", "CustomerAccount"]);
    let properties: HashMap<&str, usize> = children(&elements, customer_index, "Property")
        .map(|(i, e)| (e.attrs["Name"].as_str(), i))
        .collect();
    assert_eq!(
        elements[properties["CustomerAccount"]].attrs["Nullable"],
        "false"
    );
    assert_eq!(
        elements[properties["CreditLimit"]].attrs["Nullable"],
        "false"
    );
    assert!(
        !elements[properties["OrganizationName"]]
            .attrs
            .contains_key("Nullable")
    );
    let group = properties["CustomerGroupId"];
    assert_eq!(elements[group].attrs["MaxLength"], "10");
    assert_eq!(
        annotation(
            &elements,
            group,
            "Microsoft.Dynamics.OData.Core.V1.IsRequired"
        )
        .map(|a| a.attrs["Bool"].as_str()),
        Some("true")
    );
    assert_eq!(
        annotation(&elements, group, "Microsoft.Dynamics.OData.Core.V1.LabelId")
            .map(|a| a.attrs["String"].as_str()),
        Some("@SYS11904")
    );
    let created = properties["CreatedDateTime"];
    assert_eq!(elements[created].attrs["Type"], "Edm.DateTimeOffset");
    assert_eq!(
        annotation(
            &elements,
            created,
            "Microsoft.Dynamics.OData.Core.V1.AllowEdit"
        )
        .map(|a| a.attrs["Bool"].as_str()),
        Some("false")
    );
    let guid = properties["CustomerIntegrationId"];
    assert!(
        annotation(
            &elements,
            guid,
            "Microsoft.Dynamics.OData.Core.V1.HelpTextId"
        )
        .is_some()
    );
    assert!(annotation(&elements, guid, "Org.OData.Core.V1.Description").is_some());
    assert_eq!(
        elements[properties["CreditLimit"]].attrs["Type"],
        "Edm.Decimal"
    );
    assert_eq!(
        elements[properties["OnHoldStatus"]].attrs["Type"],
        "Microsoft.Dynamics.DataEntities.CustVendorBlocked"
    );
    let navs: HashMap<&str, &str> = children(&elements, customer_index, "NavigationProperty")
        .map(|(_, e)| (e.attrs["Name"].as_str(), e.attrs["Type"].as_str()))
        .collect();
    assert_eq!(
        navs["SalesOrderHeaders"],
        "Collection(Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2)"
    );

    let actions: HashMap<&str, usize> = children(&elements, schema_index, "Action")
        .map(|(i, e)| (e.attrs["Name"].as_str(), i))
        .collect();
    let adjust = actions["AdjustCreditLimit"];
    assert_eq!(elements[adjust].attrs["IsBound"], "true");
    let params: Vec<(&str, &str)> = children(&elements, adjust, "Parameter")
        .map(|(_, e)| (e.attrs["Name"].as_str(), e.attrs["Type"].as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("_this", "Microsoft.Dynamics.DataEntities.CustomerV3"),
            ("Amount", "Edm.Decimal"),
            ("Reason", "Edm.String"),
            ("EffectiveDate", "Edm.Date")
        ]
    );
    let count_on_hold = actions["CountOnHold"];
    let binding = children(&elements, count_on_hold, "Parameter")
        .next()
        .unwrap()
        .1;
    assert_eq!(
        binding.attrs["Type"],
        "Collection(Microsoft.Dynamics.DataEntities.CustomerV3)"
    );
    assert_eq!(
        elements[actions["GetApplicationVersion"]].attrs["IsBound"],
        "false"
    );
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn service_document_and_metadata_listings() {
    let demo = start().await;
    let (status, doc) = demo.get_json("").await;
    assert_eq!(status, 200);
    assert_eq!(doc["@odata.context"], demo.url("$metadata").as_str());
    let names: HashSet<&str> = doc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(names.contains("CustomersV3") && names.contains("SalesOrderLines"));
    for entry in doc["value"].as_array().unwrap() {
        assert_eq!(entry["kind"], "EntitySet");
        let (status, _) = demo
            .get_json(&format!("{}?$top=1", entry["url"].as_str().unwrap()))
            .await;
        assert_eq!(status, 200, "{entry}");
    }

    let origin = demo
        .server
        .service_root()
        .trim_end_matches("data/")
        .to_owned();
    let data_entities: Value = demo
        .client
        .get(format!("{origin}Metadata/DataEntities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = data_entities["value"].as_array().unwrap();
    assert_eq!(listed.len(), names.len());
    let customer = listed
        .iter()
        .find(|e| e["PublicCollectionName"] == "CustomersV3")
        .unwrap();
    for field in [
        "Name",
        "PublicEntityName",
        "PublicCollectionName",
        "LabelId",
        "EntityCategory",
        "IsReadOnly",
        "DataServiceEnabled",
        "DataManagementEnabled",
    ] {
        assert!(customer.get(field).is_some(), "{field}");
    }
    assert_eq!(customer["Name"], "CustCustomerV3Entity");
    assert_eq!(customer["PublicEntityName"], "CustomerV3");

    let public: Value = demo
        .client
        .get(format!("{origin}Metadata/PublicEntities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let customer = public["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["EntitySetName"] == "CustomersV3")
        .unwrap();
    assert_eq!(customer["Name"], "CustomerV3");
    assert_eq!(customer["PropertyGroups"], Value::Array(Vec::new()));
    let account = customer["Properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Name"] == "CustomerAccount")
        .unwrap();
    assert_eq!(account["IsKey"], true);
    assert_eq!(account["IsMandatory"], true);
    assert_eq!(account["TypeName"], "Edm.String");
    for field in [
        "Name",
        "TypeName",
        "DataType",
        "LabelId",
        "IsKey",
        "IsMandatory",
        "ConfigurationEnabled",
        "AllowEdit",
        "AllowEditOnCreate",
        "IsDimension",
        "DimensionRelation",
        "IsDynamicDimension",
        "DimensionLegalEntityProperty",
        "DimensionTypeProperty",
    ] {
        assert!(account.get(field).is_some(), "{field}");
    }
    assert!(
        customer["NavigationProperties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["Name"] == "SalesOrderHeaders")
    );
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn metadata_has_an_etag_and_answers_304_when_it_matches() {
    let demo = start().await;
    let get = |etag: Option<&str>| {
        let mut request = demo.client.get(demo.url("$metadata"));
        if let Some(etag) = etag {
            request = request.header("If-None-Match", etag);
        }
        request.send()
    };
    let first = get(None).await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "{etag}"
    );
    let document = first.text().await.unwrap();
    assert!(document.contains("<edmx:Edmx"));

    let revalidated = get(Some(&etag)).await.unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_eq!(revalidated.headers()["etag"].to_str().unwrap(), etag);
    assert!(revalidated.bytes().await.unwrap().is_empty());

    // A list of tags that contains it, and the weak form, match too; another tag does not.
    let listed = get(Some(&format!("\"other\", W/{etag}"))).await.unwrap();
    assert_eq!(listed.status(), 304);
    let stale = get(Some("\"0123456789abcdef\"")).await.unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.text().await.unwrap(), document);
    demo.server.shutdown().await.unwrap();
}
