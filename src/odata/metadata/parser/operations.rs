//! `Action` and `Function` elements with their parameters and return type.

use quick_xml::events::BytesStart;

use super::{Node, Parser, Result, facet, is_true, local_name};
use crate::odata::metadata::model::{Annotations, Operation, Parameter, TypeRef};
use crate::odata::metadata::resolver::RefKind;

impl<'a> Parser<'a> {
    /// One `Action` (`is_function == false`) or `Function` overload.
    pub(super) fn operation(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
        is_function: bool,
    ) -> Result<Operation> {
        let mut operation = Operation {
            name: String::new(),
            is_bound: false,
            is_composable: false,
            entity_set_path: None,
            parameters: Vec::new(),
            return_type: None,
            annotations: Annotations::default(),
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => operation.name = value.into_owned(),
            "IsBound" => operation.is_bound = is_true(&value),
            "IsComposable" => operation.is_composable = is_true(&value),
            "EntitySetPath" => operation.entity_set_path = Some(value.into_owned()),
            _ => {}
        })?;
        if !open {
            return Ok(operation);
        }
        let kind = if is_function { "function" } else { "action" };
        loop {
            match self.next()? {
                Node::Element(child, child_open) => match local_name(&child) {
                    "Parameter" => {
                        let parameter =
                            self.parameter(&child, child_open, kind, &operation.name)?;
                        operation.parameters.push(parameter);
                    }
                    "ReturnType" => {
                        let mut return_type = None;
                        self.each_attribute(&child, |key, value| {
                            if key == "Type" {
                                return_type = Some(TypeRef::parse(&value));
                            }
                        })?;
                        if let Some(return_type) = &return_type {
                            self.expect_type(
                                RefKind::AnyType,
                                &return_type.name,
                                format_args!("return type of {kind} '{}'", operation.name),
                            );
                        }
                        operation.return_type = return_type;
                        self.skip(&child, child_open)?;
                    }
                    "Annotation" => {
                        let annotation = self.annotation(&child, child_open)?;
                        operation.annotations.all.push(annotation);
                    }
                    _ => self.skip(&child, child_open)?,
                },
                Node::Text(_) => {}
                Node::Close => return Ok(operation),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// One `Parameter`.
    fn parameter(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
        kind: &str,
        operation: &str,
    ) -> Result<Parameter> {
        let mut parameter = Parameter {
            name: String::new(),
            type_ref: TypeRef {
                name: String::new(),
                collection: false,
            },
            nullable: true,
            max_length: None,
            precision: None,
            scale: None,
            annotations: Annotations::default(),
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => parameter.name = value.into_owned(),
            "Type" => parameter.type_ref = TypeRef::parse(&value),
            "Nullable" => parameter.nullable = !value.trim().eq_ignore_ascii_case("false"),
            "MaxLength" => parameter.max_length = facet(&value),
            "Precision" => parameter.precision = facet(&value),
            "Scale" => parameter.scale = facet(&value),
            _ => {}
        })?;
        self.expect_type(
            RefKind::AnyType,
            &parameter.type_ref.name,
            format_args!("parameter '{}' of {kind} '{operation}'", parameter.name),
        );
        if open {
            self.annotated_content(tag, &mut parameter.annotations)?;
        }
        Ok(parameter)
    }
}
