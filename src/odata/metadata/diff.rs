//! What differs between two `$metadata` documents (an instance's DEV and UAT, say): entity
//! sets, entity types and their keys, properties (type, nullability, length, precision,
//! required, read-only) and navigation, enums and their members, actions and functions and
//! their parameters — each added, removed or changed, by name.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{EntityType, EnumType, Model, Operation, Parameter, Property};

/// Whether something was added, removed or changed from the first document to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the second document.
    Added,
    /// Only in the first document.
    Removed,
    /// In both, different.
    Changed,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataChange {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// What it is: `entity set`, `entity type`, `key`, `property`, `navigation`, `enum`,
    /// `enum member`, `action`, `function`, `parameter`.
    pub element: &'static str,
    /// Its name, qualified by its owner: `CustomersV3`, `CustomerV3.CreditLimit`,
    /// `CustVendorBlocked.All`, `SalesOrderHeaderV2/Confirm(Comment)`.
    pub path: String,
    /// For changes: what changed (`type Edm.String → Edm.Int32; nullable → not nullable`).
    pub detail: Option<String>,
}

fn local(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

struct Diff {
    changes: Vec<MetadataChange>,
}

impl Diff {
    fn push(
        &mut self,
        kind: ChangeKind,
        element: &'static str,
        path: String,
        detail: Option<String>,
    ) {
        self.changes.push(MetadataChange {
            kind,
            element,
            path,
            detail,
        });
    }

    /// Added and removed by name; `both` compares the pairs.
    fn by_name<'a, T: 'a>(
        &mut self,
        element: &'static str,
        owner: &str,
        a: impl IntoIterator<Item = (String, &'a T)>,
        b: impl IntoIterator<Item = (String, &'a T)>,
        mut both: impl FnMut(&mut Self, &str, &T, &T),
    ) {
        let a: BTreeMap<String, &T> = a.into_iter().collect();
        let b: BTreeMap<String, &T> = b.into_iter().collect();
        let path = |name: &str| {
            if owner.is_empty() {
                name.to_owned()
            } else if owner.ends_with('(') {
                format!("{owner}{name}")
            } else {
                format!("{owner}.{name}")
            }
        };
        let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for name in names {
            match (a.get(name), b.get(name)) {
                (Some(left), Some(right)) => both(self, &path(name), left, right),
                (Some(_), None) => self.push(ChangeKind::Removed, element, path(name), None),
                (None, _) => self.push(ChangeKind::Added, element, path(name), None),
            }
        }
    }
}

/// A property's facets as compared: (label, value) pairs.
fn facets(p: &Property) -> Vec<(&'static str, String)> {
    vec![
        ("type", p.type_ref.to_string()),
        ("nullable", p.nullable.to_string()),
        (
            "max length",
            p.max_length
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
        ),
        (
            "precision",
            p.precision
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
        ),
        (
            "scale",
            p.scale.map_or_else(|| "-".to_owned(), |n| n.to_string()),
        ),
        ("required", p.is_required().to_string()),
        ("read-only", p.is_read_only().to_string()),
    ]
}

fn parameter_facets(p: &Parameter) -> Vec<(&'static str, String)> {
    vec![
        ("type", p.type_ref.to_string()),
        ("nullable", p.nullable.to_string()),
        (
            "max length",
            p.max_length
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
        ),
    ]
}

/// `type Edm.String → Edm.Int32; nullable true → false`, or `None` when equal.
fn compare(a: &[(&'static str, String)], b: &[(&'static str, String)]) -> Option<String> {
    let parts: Vec<String> = a
        .iter()
        .zip(b)
        .filter(|((_, x), (_, y))| x != y)
        .map(|((label, x), (_, y))| format!("{label} {x} → {y}"))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn entity_types(model: &Model) -> Vec<(String, &EntityType)> {
    model
        .schemas
        .iter()
        .flat_map(|s| s.entity_types.iter())
        .map(|t| (t.name.clone(), t))
        .collect()
}

fn enum_types(model: &Model) -> Vec<(String, &EnumType)> {
    model
        .schemas
        .iter()
        .flat_map(|s| s.enum_types.iter())
        .map(|t| (t.name.clone(), t))
        .collect()
}

/// Operations by `Name` or `BindingType/Name` (bound), with whether each is a function.
fn operations(model: &Model) -> Vec<(String, (&Operation, bool))> {
    model
        .schemas
        .iter()
        .flat_map(|s| {
            s.actions
                .iter()
                .map(|o| (o, false))
                .chain(s.functions.iter().map(|o| (o, true)))
        })
        .map(|(op, is_function)| {
            let name = match op.binding_type() {
                Some(binding) if binding.collection => {
                    format!("Collection({})/{}", local(&binding.name), op.name)
                }
                Some(binding) => format!("{}/{}", local(&binding.name), op.name),
                None => op.name.clone(),
            };
            (name, (op, is_function))
        })
        .collect()
}

fn compare_entity(diff: &mut Diff, path: &str, a: &EntityType, b: &EntityType) {
    if a.key != b.key {
        diff.push(
            ChangeKind::Changed,
            "key",
            path.to_owned(),
            Some(format!("({}) → ({})", a.key.join(", "), b.key.join(", "))),
        );
    }
    if a.base_type.as_deref().map(local) != b.base_type.as_deref().map(local) {
        diff.push(
            ChangeKind::Changed,
            "entity type",
            path.to_owned(),
            Some(format!(
                "base type {} → {}",
                a.base_type.as_deref().unwrap_or("-"),
                b.base_type.as_deref().unwrap_or("-")
            )),
        );
    }
    diff.by_name(
        "property",
        path,
        a.properties.iter().map(|p| (p.name.clone(), p)),
        b.properties.iter().map(|p| (p.name.clone(), p)),
        |diff, path, x, y| {
            if let Some(detail) = compare(&facets(x), &facets(y)) {
                diff.push(
                    ChangeKind::Changed,
                    "property",
                    path.to_owned(),
                    Some(detail),
                );
            }
        },
    );
    diff.by_name(
        "navigation",
        path,
        a.navigation_properties.iter().map(|n| (n.name.clone(), n)),
        b.navigation_properties.iter().map(|n| (n.name.clone(), n)),
        |diff, path, x, y| {
            let show = |n: &super::model::NavigationProperty| {
                if n.type_ref.collection {
                    format!("Collection({})", local(&n.type_ref.name))
                } else {
                    local(&n.type_ref.name).to_owned()
                }
            };
            if show(x) != show(y) {
                diff.push(
                    ChangeKind::Changed,
                    "navigation",
                    path.to_owned(),
                    Some(format!("target {} → {}", show(x), show(y))),
                );
            }
        },
    );
}

fn compare_operation(
    diff: &mut Diff,
    path: &str,
    (a, a_function): &(&Operation, bool),
    (b, b_function): &(&Operation, bool),
) {
    let element = if *b_function { "function" } else { "action" };
    if a_function != b_function {
        diff.push(
            ChangeKind::Changed,
            element,
            path.to_owned(),
            Some(format!(
                "{} → {}",
                if *a_function { "function" } else { "action" },
                element
            )),
        );
    }
    let returns = |o: &Operation| {
        o.return_type
            .as_ref()
            .map_or_else(|| "nothing".to_owned(), ToString::to_string)
    };
    if returns(a) != returns(b) {
        diff.push(
            ChangeKind::Changed,
            element,
            path.to_owned(),
            Some(format!("returns {} → {}", returns(a), returns(b))),
        );
    }
    diff.by_name(
        "parameter",
        &format!("{path}("),
        a.call_parameters()
            .iter()
            .map(|p| (format!("{})", p.name), p)),
        b.call_parameters()
            .iter()
            .map(|p| (format!("{})", p.name), p)),
        |diff, path, x, y| {
            if let Some(detail) = compare(&parameter_facets(x), &parameter_facets(y)) {
                diff.push(
                    ChangeKind::Changed,
                    "parameter",
                    path.to_owned(),
                    Some(detail),
                );
            }
        },
    );
}

/// Every difference from `a` to `b`, grouped by element in document-independent (name)
/// order.
pub fn diff(a: &Model, b: &Model) -> Vec<MetadataChange> {
    let mut diff = Diff {
        changes: Vec::new(),
    };
    diff.by_name(
        "entity set",
        "",
        a.entity_sets().iter().map(|s| (s.name.clone(), s)),
        b.entity_sets().iter().map(|s| (s.name.clone(), s)),
        |diff, path, x, y| {
            if local(&x.entity_type) != local(&y.entity_type) {
                diff.push(
                    ChangeKind::Changed,
                    "entity set",
                    path.to_owned(),
                    Some(format!(
                        "type {} → {}",
                        local(&x.entity_type),
                        local(&y.entity_type)
                    )),
                );
            }
        },
    );
    diff.by_name(
        "entity type",
        "",
        entity_types(a),
        entity_types(b),
        compare_entity,
    );
    diff.by_name(
        "enum",
        "",
        enum_types(a),
        enum_types(b),
        |diff, path, x, y| {
            diff.by_name(
                "enum member",
                path,
                x.members.iter().map(|m| (m.name.clone(), m)),
                y.members.iter().map(|m| (m.name.clone(), m)),
                |diff, path, m, n| {
                    if m.value != n.value {
                        diff.push(
                            ChangeKind::Changed,
                            "enum member",
                            path.to_owned(),
                            Some(format!("value {} → {}", m.value, n.value)),
                        );
                    }
                },
            );
        },
    );
    let ops_a = operations(a);
    let ops_b = operations(b);
    let element_of = |ops: &[(String, (&Operation, bool))], name: &str| {
        ops.iter().find(|(n, _)| n == name).map_or(
            "action",
            |(_, (_, f))| if *f { "function" } else { "action" },
        )
    };
    let before = diff.changes.len();
    diff.by_name(
        "action",
        "",
        ops_a.iter().map(|(n, o)| (n.clone(), o)),
        ops_b.iter().map(|(n, o)| (n.clone(), o)),
        compare_operation,
    );
    // Name functions as functions.
    for change in &mut diff.changes[before..] {
        if change.element == "action" {
            let in_b = element_of(&ops_b, &change.path);
            let in_a = element_of(&ops_a, &change.path);
            change.element = if change.kind == ChangeKind::Removed {
                in_a
            } else {
                in_b
            };
        }
    }
    diff.changes
}

/// The changes as text, one per line: `+ property CustomerV3.Segment`,
/// `~ property CustomerV3.CreditLimit: type Edm.Decimal → Edm.String`.
pub fn render_text(changes: &[MetadataChange]) -> String {
    let mut out = String::new();
    for change in changes {
        let mark = match change.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        };
        out.push_str(&format!("{mark} {} {}", change.element, change.path));
        if let Some(detail) = &change.detail {
            out.push_str(&format!(": {detail}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::metadata::parse_metadata;

    fn model(body: &str) -> Model {
        let text = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">{body}</Schema></edmx:DataServices></edmx:Edmx>"#
        );
        parse_metadata(text.as_bytes()).expect("parses")
    }

    #[test]
    fn same_documents_have_no_difference() {
        let a = model(
            r#"<EntityType Name="T"><Key><PropertyRef Name="Id"/></Key><Property Name="Id" Type="Edm.String" Nullable="false"/></EntityType>"#,
        );
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn every_kind_of_difference_is_named() {
        let a = model(
            r#"<EntityType Name="T"><Key><PropertyRef Name="Id"/></Key>
                 <Property Name="Id" Type="Edm.String" Nullable="false" MaxLength="10"/>
                 <Property Name="Gone" Type="Edm.Int32"/>
               </EntityType>
               <EnumType Name="E"><Member Name="A" Value="0"/><Member Name="B" Value="1"/></EnumType>
               <Action Name="Go" IsBound="true"><Parameter Name="t" Type="NS.T"/><Parameter Name="When" Type="Edm.Date"/></Action>
               <EntityContainer Name="C"><EntitySet Name="Ts" EntityType="NS.T"/></EntityContainer>"#,
        );
        let b = model(
            r#"<EntityType Name="T"><Key><PropertyRef Name="Id"/><PropertyRef Name="Co"/></Key>
                 <Property Name="Id" Type="Edm.String" Nullable="false" MaxLength="20"/>
                 <Property Name="Co" Type="Edm.String" Nullable="false"/>
               </EntityType>
               <EnumType Name="E"><Member Name="A" Value="0"/><Member Name="B" Value="2"/><Member Name="C" Value="3"/></EnumType>
               <Action Name="Go" IsBound="true"><Parameter Name="t" Type="NS.T"/><Parameter Name="When" Type="Edm.DateTimeOffset"/></Action>
               <Function Name="Count"><ReturnType Type="Edm.Int32"/></Function>
               <EntityContainer Name="C"><EntitySet Name="Ts" EntityType="NS.T"/><EntitySet Name="More" EntityType="NS.T"/></EntityContainer>"#,
        );
        let text = render_text(&diff(&a, &b));
        let expected = "\
+ entity set More
~ key T: (Id) → (Id, Co)
+ property T.Co
- property T.Gone
~ property T.Id: max length 10 → 20
~ enum member E.B: value 1 → 2
+ enum member E.C
+ function Count
~ parameter T/Go(When): type Edm.Date → Edm.DateTimeOffset
";
        assert_eq!(text, expected);
        let json = serde_json::to_value(diff(&a, &b)).expect("json");
        assert_eq!(
            json[0],
            serde_json::json!({"kind": "added", "element": "entity set", "path": "More", "detail": null})
        );
    }
}
