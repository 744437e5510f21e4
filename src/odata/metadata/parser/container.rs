//! The `EntityContainer`: entity sets, singletons and operation imports.

use quick_xml::events::BytesStart;

use super::{Node, Parser, Result, local_name};
use crate::odata::metadata::model::{EntityContainer, EntitySet, OperationImport};
use crate::odata::metadata::resolver::RefKind;

impl<'a> Parser<'a> {
    /// An `EntityContainer`.
    pub(super) fn entity_container(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
    ) -> Result<EntityContainer> {
        let mut container = EntityContainer::default();
        self.each_attribute(tag, |key, value| {
            if key == "Name" {
                container.name = value.into_owned();
            }
        })?;
        if !open {
            return Ok(container);
        }
        loop {
            match self.next()? {
                Node::Element(child, child_open) => match local_name(&child) {
                    "EntitySet" => {
                        let set = self.entity_set(&child, child_open, "EntityType")?;
                        container.entity_sets.push(set);
                    }
                    "Singleton" => {
                        let singleton = self.entity_set(&child, child_open, "Type")?;
                        container.singletons.push(singleton);
                    }
                    "ActionImport" => {
                        let import = self.operation_import(&child, child_open, "Action")?;
                        container.action_imports.push(import);
                    }
                    "FunctionImport" => {
                        let import = self.operation_import(&child, child_open, "Function")?;
                        container.function_imports.push(import);
                    }
                    _ => self.skip(&child, child_open)?,
                },
                Node::Text(_) => {}
                Node::Close => return Ok(container),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// An `EntitySet` or `Singleton`; `type_attribute` names the attribute holding its type.
    fn entity_set(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
        type_attribute: &str,
    ) -> Result<EntitySet> {
        let mut set = EntitySet::default();
        self.each_attribute(tag, |key, value| {
            if key == "Name" {
                set.name = value.into_owned();
            } else if key == type_attribute {
                set.entity_type = value.into_owned();
            }
        })?;
        let what = if type_attribute == "Type" {
            "singleton"
        } else {
            "entity set"
        };
        self.expect_type(
            RefKind::EntityType,
            &set.entity_type,
            format_args!("{what} '{}'", set.name),
        );
        if !open {
            return Ok(set);
        }
        loop {
            match self.next()? {
                Node::Element(child, child_open) => match local_name(&child) {
                    "NavigationPropertyBinding" => {
                        let mut path = String::new();
                        let mut target = String::new();
                        self.each_attribute(&child, |key, value| match key {
                            "Path" => path = value.into_owned(),
                            "Target" => target = value.into_owned(),
                            _ => {}
                        })?;
                        set.navigation_bindings.push((path, target));
                        self.skip(&child, child_open)?;
                    }
                    "Annotation" => {
                        let annotation = self.annotation(&child, child_open)?;
                        set.annotations.all.push(annotation);
                    }
                    _ => self.skip(&child, child_open)?,
                },
                Node::Text(_) => {}
                Node::Close => return Ok(set),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// An `ActionImport` (`operation_attribute == "Action"`) or `FunctionImport`.
    fn operation_import(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
        operation_attribute: &str,
    ) -> Result<OperationImport> {
        let mut import = OperationImport::default();
        self.each_attribute(tag, |key, value| {
            if key == "Name" {
                import.name = value.into_owned();
            } else if key == "EntitySet" {
                import.entity_set = Some(value.into_owned());
            } else if key == operation_attribute {
                import.operation = value.into_owned();
            }
        })?;
        let (kind, what) = if operation_attribute == "Action" {
            (RefKind::Action, "action import")
        } else {
            (RefKind::Function, "function import")
        };
        self.expect_type(
            kind,
            &import.operation,
            format_args!("{what} '{}'", import.name),
        );
        self.skip(tag, open)?;
        Ok(import)
    }
}
