//! The `Schema` element and the dispatch to its children.

use quick_xml::events::BytesStart;

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
        if !open {
            return Ok(schema);
        }
        loop {
            match self.next()? {
                Node::Element(child, open) => match local_name(&child) {
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
                        let container = self.entity_container(&child, open)?;
                        if schema.entity_container.is_none() {
                            schema.entity_container = Some(container);
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
                Node::Close => return Ok(schema),
                Node::Eof => return Err(self.truncated(tag)),
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
            for annotation in block
                .annotations
                .iter_mut()
                .filter(|a| a.qualifier.is_none())
            {
                annotation.qualifier = Some(qualifier.clone());
            }
        }
        Ok(block)
    }
}
