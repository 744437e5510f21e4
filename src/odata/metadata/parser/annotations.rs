//! Inline `Annotation` elements: term, qualifier and a textual value.

use std::borrow::Cow;

use compact_str::CompactString;
use quick_xml::events::BytesStart;

use super::{Node, Parser, Result, local_name};
use crate::odata::metadata::model::{Annotation, Annotations};

/// Terms that F&O, Business Central, Dataverse and SAP documents repeat on nearly every
/// element; an annotation with one of them points at this text instead of copying it.
const KNOWN_TERMS: [&str; 24] = [
    "Microsoft.Dynamics.OData.Core.V1.LabelId",
    "Microsoft.Dynamics.OData.Core.V1.AXType",
    "Microsoft.Dynamics.OData.Core.V1.ConfigurationKeyEnabled",
    "Microsoft.Dynamics.OData.Core.V1.AllowEdit",
    "Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate",
    "Microsoft.Dynamics.OData.Core.V1.HelpTextId",
    "Microsoft.Dynamics.OData.Core.V1.IsRequired",
    "Microsoft.Dynamics.OData.Core.V1.IsReadOnly",
    "Microsoft.Dynamics.OData.Core.V1.CountryRegionCodes",
    "Microsoft.Dynamics.OData.Core.V1.LookupGroup",
    "Microsoft.NAV.IsBidirectionalPartnerNavigation",
    "Org.OData.Core.V1.Description",
    "Org.OData.Core.V1.Permissions",
    "Org.OData.Core.V1.Computed",
    "Org.OData.Core.V1.OptimisticConcurrency",
    "Org.OData.Capabilities.V1.ChangeTracking",
    "Org.OData.Capabilities.V1.SearchRestrictions",
    "Org.OData.Capabilities.V1.NavigationRestrictions",
    "Org.OData.Capabilities.V1.SkipSupported",
    "Org.OData.Capabilities.V1.IndexableByKey",
    "Org.OData.Capabilities.V1.CountRestrictions",
    "OData.Community.Keys.V1.AlternateKeys",
    "Core.Description",
    "Common.Label",
];

/// The term, pointing at static text when it is a well-known one.
fn term_text(term: &str) -> CompactString {
    match KNOWN_TERMS.iter().find(|known| **known == term) {
        Some(known) => CompactString::const_new(known),
        None => CompactString::from(term),
    }
}

/// Values that F&O and OData vocabularies repeat (F&O puts an `AXType` on every
/// property: 56 700 in a 30 MB document, each too long to live inline).
const KNOWN_VALUES: [&str; 17] = [
    "Microsoft.Dynamics.OData.Core.V1.AXType/String",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Enum",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Real",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Int32",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Int64",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Date",
    "Microsoft.Dynamics.OData.Core.V1.AXType/UtcDateTime",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Time",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Guid",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Container",
    "Org.OData.Core.V1.PermissionType/Read",
    "Org.OData.Core.V1.PermissionType/ReadWrite",
    "Org.OData.Core.V1.PermissionType/Write",
    "Org.OData.Core.V1.PermissionType/None",
    "Org.OData.Capabilities.V1.NavigationType/Single",
    "Org.OData.Capabilities.V1.NavigationType/Recursive",
    "Org.OData.Capabilities.V1.NavigationType/None",
];

/// An annotation's text value: inline up to 24 bytes, a well-known value as static text,
/// anything else copied.
pub(super) fn value_text(text: &str) -> CompactString {
    if text.len() > 24
        && let Some(known) = KNOWN_VALUES.iter().find(|known| **known == text)
    {
        return CompactString::const_new(known);
    }
    CompactString::from(text)
}

/// Attribute text as a [`CompactString`] (inline up to 24 bytes, no allocation).
fn compact(text: Cow<'_, str>) -> CompactString {
    match text {
        Cow::Borrowed(text) => CompactString::from(text),
        Cow::Owned(text) => CompactString::from(text),
    }
}

impl<'a> Parser<'a> {
    /// One `Annotation`. The value is the first expression attribute (`String`, `Bool`,
    /// `Int`, `EnumMember`, `Path`, …) or else the text of the child elements (several
    /// values, e.g. of a `Collection`, joined with a space).
    pub(super) fn annotation(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<Annotation> {
        let mut term = CompactString::default();
        let mut qualifier = None;
        let mut value = None;
        self.each_attribute(tag, |key, text| match key {
            "Term" => term = term_text(&text),
            // Borrowed: it is copied once, after the term (see `Annotation::new`).
            "Qualifier" => qualifier = Some(text),
            _ if value.is_none() && !key.contains(':') && key != "xmlns" => {
                value = Some(compact(text));
            }
            _ => {}
        })?;
        if open {
            if value.is_some() {
                self.skip_content(tag, None)?;
            } else {
                let mut content = None;
                self.skip_content(tag, Some(&mut content))?;
                value = content;
            }
        }
        Ok(Annotation::new(term, qualifier.as_deref(), value))
    }

    /// Reads the content of the open element `tag`, appending its `Annotation` children to
    /// `annotations` and skipping anything else. Children are gathered on a reused stack
    /// so the final list is allocated once, at its exact size.
    pub(super) fn annotated_content(
        &mut self,
        tag: &BytesStart<'a>,
        annotations: &mut Annotations,
    ) -> Result<()> {
        let base = self.annotation_stack.len();
        loop {
            match self.next()? {
                Node::Element(child, open) => {
                    if local_name(&child) == "Annotation" {
                        let annotation = self.annotation(&child, open)?;
                        self.annotation_stack.push(annotation);
                    } else {
                        self.skip(&child, open)?;
                    }
                }
                Node::Text(_) => {}
                Node::Close => break,
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
        annotations.all.extend(self.annotation_stack.drain(base..));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::metadata::parse_metadata;

    #[test]
    fn well_known_terms_point_at_static_text_and_others_are_copied() {
        let known = term_text("Microsoft.Dynamics.OData.Core.V1.LabelId");
        assert_eq!(known, "Microsoft.Dynamics.OData.Core.V1.LabelId");
        assert!(known.as_static_str().is_some());
        let other = term_text("Contoso.Vocabulary.V1.SomethingLongEnoughToLiveOnTheHeap");
        assert_eq!(
            other,
            "Contoso.Vocabulary.V1.SomethingLongEnoughToLiveOnTheHeap"
        );
        assert!(other.as_static_str().is_none());
    }

    #[test]
    fn well_known_values_point_at_static_text_and_others_are_copied() {
        for text in KNOWN_VALUES {
            let value = value_text(text);
            assert_eq!(value, text);
            assert!(value.as_static_str().is_some(), "{text}");
        }
        let other = value_text("Microsoft.Dynamics.OData.Core.V1.AXType/Something");
        assert_eq!(other, "Microsoft.Dynamics.OData.Core.V1.AXType/Something");
        assert!(other.as_static_str().is_none());
        assert_eq!(value_text("short"), "short");
    }

    #[test]
    fn annotations_keep_terms_qualifiers_and_values_as_written() {
        let xml = br#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
          <edmx:DataServices><Schema Namespace="N">
            <EntityType Name="A"><Key><PropertyRef Name="Id"/></Key>
              <Property Name="Id" Type="Edm.Int32" Nullable="false">
                <Annotation Term="Microsoft.Dynamics.OData.Core.V1.LabelId" String="@SYS1" />
                <Annotation Term="Org.OData.Core.V1.Description" Qualifier="Long" String="A &amp; B, an identifier that is longer than twenty-four bytes" />
                <Annotation Term="My.Tag" />
                <Annotation Term="My.Text"><String>from the content</String></Annotation>
              </Property>
            </EntityType>
          </Schema></edmx:DataServices></edmx:Edmx>"#;
        let model = parse_metadata(xml).expect("valid document");
        let all = &model.schemas[0].entity_types[0].properties[0]
            .annotations
            .all;
        let text: Vec<(&str, Option<&str>, Option<&str>)> = all
            .iter()
            .map(|a| (a.term(), a.qualifier(), a.value()))
            .collect();
        assert_eq!(
            text,
            [
                (
                    "Microsoft.Dynamics.OData.Core.V1.LabelId",
                    None,
                    Some("@SYS1")
                ),
                (
                    "Org.OData.Core.V1.Description",
                    Some("Long"),
                    Some("A & B, an identifier that is longer than twenty-four bytes")
                ),
                ("My.Tag", None, None),
                ("My.Text", None, Some("from the content")),
            ]
        );
    }
}
