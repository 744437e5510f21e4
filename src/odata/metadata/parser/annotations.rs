//! Inline `Annotation` elements: term, qualifier and a textual value.

use quick_xml::events::BytesStart;

use super::{Node, Parser, Result, local_name};
use crate::odata::metadata::model::{Annotation, Annotations};

impl<'a> Parser<'a> {
    /// One `Annotation`. The value is the first expression attribute (`String`, `Bool`,
    /// `Int`, `EnumMember`, `Path`, …) or else the text of the child elements (several
    /// values, e.g. of a `Collection`, joined with a space).
    pub(super) fn annotation(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<Annotation> {
        let mut term = String::new();
        let mut qualifier = None;
        let mut value = None;
        self.each_attribute(tag, |key, text| match key {
            "Term" => term = text.into_owned(),
            "Qualifier" => qualifier = Some(text.into_owned()),
            _ if value.is_none() && !key.contains(':') && key != "xmlns" => {
                value = Some(text.into_owned());
            }
            _ => {}
        })?;
        if open {
            if value.is_some() {
                self.skip_content(tag, None)?;
            } else {
                self.skip_content(tag, Some(&mut value))?;
            }
        }
        Ok(Annotation {
            term,
            qualifier,
            value,
        })
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
