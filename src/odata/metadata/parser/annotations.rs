//! Inline `Annotation` elements: term, qualifier and a textual value.

use std::borrow::Cow;

use quick_xml::events::BytesStart;

use super::{Node, Parser, Result, local_name};
use crate::odata::metadata::model::{Annotation, Annotations};

impl<'a> Parser<'a> {
    /// One `Annotation`. The value is the first expression attribute (`String`, `Bool`,
    /// `Int`, `EnumMember`, `Path`, …) or else the text of the child elements (several
    /// values, e.g. of a `Collection`, joined with a space).
    pub(super) fn annotation(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<Annotation> {
        let mut term = Cow::Borrowed("");
        let mut qualifier = None;
        let mut value = None;
        self.each_attribute(tag, |key, text| match key {
            "Term" => term = text,
            "Qualifier" => qualifier = Some(text),
            _ if value.is_none() && !key.contains(':') && key != "xmlns" => value = Some(text),
            _ => {}
        })?;
        if !open || value.is_some() {
            if open {
                self.skip_content(tag, None)?;
            }
            return Ok(Annotation::new(
                &term,
                qualifier.as_deref(),
                value.as_deref(),
            ));
        }
        let mut content = std::mem::take(&mut self.content_text);
        content.clear();
        let read = self.skip_content(tag, Some(&mut content));
        let annotation = Annotation::new(
            &term,
            qualifier.as_deref(),
            (!content.is_empty()).then_some(content.as_str()),
        );
        self.content_text = content;
        read.map(|()| annotation)
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
    use crate::odata::metadata::parse_metadata;

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
