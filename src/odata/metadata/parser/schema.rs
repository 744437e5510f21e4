//! The `Schema` element and the dispatch to its children.

use quick_xml::events::BytesStart;

use super::split::Ancestor;
use super::{Node, Parser, Result, local_name};
use crate::odata::metadata::model::{AnnotationBlock, Schema};

impl<'a> Parser<'a> {
    /// A `Schema` with everything it declares.
    pub(super) fn schema(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<Schema> {
        let mut schema = Schema::default();
        self.each_attribute(tag, |key, value| match key {
            "Namespace" => schema.namespace = value.into_owned(),
            "Alias" => schema.alias = Some(value.into_owned()),
            _ => {}
        })?;
        if self.split.stop_at.is_some() {
            self.split.ancestor_names[2] = super::qualified_name(tag);
        }
        if open {
            self.schema_children(Some(tag), &mut schema)?;
        }
        Ok(schema)
    }

    /// The children of a `Schema` up to its end tag. `tag` is `None` in the second half
    /// of a split document; the first half stops before the child at the split offset.
    pub(super) fn schema_children(
        &mut self,
        tag: Option<&BytesStart<'a>>,
        schema: &mut Schema,
    ) -> Result<()> {
        loop {
            match self.next()? {
                Node::Element(child, open) => match local_name(&child) {
                    _ if self.split.stop_at == Some(self.event_start) => {
                        self.split.stopped = true;
                        return Ok(());
                    }
                    "EntityType" => {
                        let entity = self.entity_type(&child, open)?;
                        schema.entity_types.push(entity);
                    }
                    "ComplexType" => {
                        let complex = self.complex_type(&child, open)?;
                        schema.complex_types.push(complex);
                    }
                    "EnumType" => {
                        let enum_type = self.enum_type(&child, open)?;
                        schema.enum_types.push(enum_type);
                    }
                    "TypeDefinition" => {
                        let definition = self.type_definition(&child, open)?;
                        schema.type_definitions.push(definition);
                    }
                    "Action" => {
                        let action = self.operation(&child, open, false)?;
                        schema.actions.push(action);
                    }
                    "Function" => {
                        let function = self.operation(&child, open, true)?;
                        schema.functions.push(function);
                    }
                    "EntityContainer" => {
                        let start = self.event_start;
                        let container = self.entity_container(&child, open)?;
                        if schema.entity_container.is_none() {
                            schema.entity_container = Some(container);
                            self.split.tail_container.get_or_insert(start);
                        } else {
                            self.warn(
                                "a second EntityContainer in one schema is ignored".to_owned(),
                            );
                        }
                    }
                    "Annotations" => {
                        let block = self.annotation_block(&child, open)?;
                        schema.annotation_blocks.push(block);
                    }
                    _ => self.skip(&child, open)?,
                },
                Node::Text(_) => {}
                Node::Close => return self.ancestor_closed(tag.is_none(), Ancestor::Schema),
                Node::Eof if self.split.stop_at == Some(self.event_start) => {
                    // A piece of a document read in pieces ends where the next begins.
                    self.split.stopped = true;
                    return Ok(());
                }
                Node::Eof => return Err(self.ancestor_truncated(tag, Ancestor::Schema)),
            }
        }
    }

    /// An out-of-line `Annotations Target="…"` block. A block `Qualifier` applies to the
    /// annotations that have none of their own.
    pub(super) fn annotation_block(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
    ) -> Result<AnnotationBlock> {
        let mut block = AnnotationBlock::default();
        let mut qualifier = None;
        self.each_attribute(tag, |key, value| match key {
            "Target" => block.target = value.into_owned(),
            "Qualifier" => qualifier = Some(value.into_owned()),
            _ => {}
        })?;
        if open {
            let mut annotations = crate::odata::metadata::model::Annotations::default();
            self.annotated_content(tag, &mut annotations)?;
            block.annotations = annotations.all;
        }
        if let Some(qualifier) = qualifier {
            for annotation in &mut block.annotations {
                annotation.qualify_if_unqualified(&qualifier);
            }
        }
        Ok(block)
    }
}
