//! Structured types: `EntityType`, `ComplexType`, `EnumType`, `TypeDefinition` and their
//! properties.

use quick_xml::events::BytesStart;

use super::{Node, Parser, Result, facet, is_true, local_name};
use crate::odata::metadata::model::{
    Annotations, ComplexType, EntityType, EnumMember, EnumType, NavigationProperty, Property,
    TypeDefinition, TypeRef,
};
use crate::odata::metadata::resolver::RefKind;

/// Members shared by entity and complex types while reading their children.
#[derive(Default)]
struct StructuredBody {
    key: Vec<String>,
    properties: Vec<Property>,
    navigation_properties: Vec<NavigationProperty>,
    annotations: Annotations,
}

impl<'a> Parser<'a> {
    /// An `EntityType`.
    pub(super) fn entity_type(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<EntityType> {
        let mut entity = EntityType {
            line: self.lines.line(self.event_start),
            ..Default::default()
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => entity.name = value.into_owned(),
            "BaseType" => entity.base_type = Some(value.into_owned()),
            "Abstract" => entity.is_abstract = is_true(&value),
            "OpenType" => entity.open_type = is_true(&value),
            "HasStream" => entity.has_stream = is_true(&value),
            _ => {}
        })?;
        if let Some(base) = &entity.base_type {
            self.expect_type(
                RefKind::EntityType,
                base,
                format_args!("base type of entity type '{}'", entity.name),
            );
        }
        if open {
            let body = self.structured_body(tag, &entity.name)?;
            entity.key = body.key;
            entity.properties = body.properties;
            entity.navigation_properties = body.navigation_properties;
            entity.annotations = body.annotations;
        }
        Ok(entity)
    }

    /// A `ComplexType`.
    pub(super) fn complex_type(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<ComplexType> {
        let mut complex = ComplexType::default();
        self.each_attribute(tag, |key, value| match key {
            "Name" => complex.name = value.into_owned(),
            "BaseType" => complex.base_type = Some(value.into_owned()),
            "Abstract" => complex.is_abstract = is_true(&value),
            "OpenType" => complex.open_type = is_true(&value),
            _ => {}
        })?;
        if let Some(base) = &complex.base_type {
            self.expect_type(
                RefKind::ComplexType,
                base,
                format_args!("base type of complex type '{}'", complex.name),
            );
        }
        if open {
            let body = self.structured_body(tag, &complex.name)?;
            complex.properties = body.properties;
            complex.navigation_properties = body.navigation_properties;
            complex.annotations = body.annotations;
        }
        Ok(complex)
    }

    /// The children of an entity or complex type.
    fn structured_body(&mut self, tag: &BytesStart<'a>, owner: &str) -> Result<StructuredBody> {
        let mut body = StructuredBody::default();
        let base = self.property_stack.len();
        loop {
            match self.next()? {
                Node::Element(child, open) => match local_name(&child) {
                    "Property" => {
                        let property = self.property(&child, open, owner)?;
                        self.property_stack.push(property);
                    }
                    "NavigationProperty" => {
                        let navigation = self.navigation_property(&child, open, owner)?;
                        body.navigation_properties.push(navigation);
                    }
                    "Key" if open => self.key(&child, &mut body.key)?,
                    "Annotation" => {
                        let annotation = self.annotation(&child, open)?;
                        body.annotations.all.push(annotation);
                    }
                    _ => self.skip(&child, open)?,
                },
                Node::Text(_) => {}
                Node::Close => break,
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
        body.properties = self.property_stack.drain(base..).collect();
        Ok(body)
    }

    /// `Key`: the `PropertyRef` names in order.
    fn key(&mut self, tag: &BytesStart<'a>, key: &mut Vec<String>) -> Result<()> {
        loop {
            match self.next()? {
                Node::Element(child, open) => {
                    if local_name(&child) == "PropertyRef" {
                        self.each_attribute(&child, |name, value| {
                            if name == "Name" {
                                key.push(value.into_owned());
                            }
                        })?;
                    }
                    self.skip(&child, open)?;
                }
                Node::Text(_) => {}
                Node::Close => return Ok(()),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// A structural `Property`.
    fn property(&mut self, tag: &BytesStart<'a>, open: bool, owner: &str) -> Result<Property> {
        let mut property = Property {
            name: String::new(),
            type_ref: TypeRef {
                name: String::new(),
                collection: false,
            },
            nullable: true,
            max_length: None,
            precision: None,
            scale: None,
            default_value: None,
            annotations: Annotations::default(),
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => property.name = value.into_owned(),
            "Type" => property.type_ref = TypeRef::parse(&value),
            "Nullable" => property.nullable = !value.trim().eq_ignore_ascii_case("false"),
            "MaxLength" => property.max_length = facet(&value),
            "Precision" => property.precision = facet(&value),
            "Scale" => property.scale = facet(&value),
            "DefaultValue" => property.default_value = Some(value.into_owned()),
            _ => {}
        })?;
        self.expect_type(
            RefKind::AnyType,
            &property.type_ref.name,
            format_args!("property '{}' of '{owner}'", property.name),
        );
        if open {
            self.annotated_content(tag, &mut property.annotations)?;
        }
        Ok(property)
    }

    /// A `NavigationProperty` with its referential constraints.
    fn navigation_property(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
        owner: &str,
    ) -> Result<NavigationProperty> {
        let mut navigation = NavigationProperty {
            name: String::new(),
            type_ref: TypeRef {
                name: String::new(),
                collection: false,
            },
            nullable: true,
            partner: None,
            contains_target: false,
            referential_constraints: Vec::new(),
            annotations: Annotations::default(),
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => navigation.name = value.into_owned(),
            "Type" => navigation.type_ref = TypeRef::parse(&value),
            "Nullable" => navigation.nullable = !value.trim().eq_ignore_ascii_case("false"),
            "Partner" => navigation.partner = Some(value.into_owned()),
            "ContainsTarget" => navigation.contains_target = is_true(&value),
            _ => {}
        })?;
        self.expect_type(
            RefKind::EntityType,
            &navigation.type_ref.name,
            format_args!("navigation property '{}' of '{owner}'", navigation.name),
        );
        if !open {
            return Ok(navigation);
        }
        loop {
            match self.next()? {
                Node::Element(child, child_open) => match local_name(&child) {
                    "ReferentialConstraint" => {
                        let mut property = String::new();
                        let mut referenced = String::new();
                        self.each_attribute(&child, |key, value| match key {
                            "Property" => property = value.into_owned(),
                            "ReferencedProperty" => referenced = value.into_owned(),
                            _ => {}
                        })?;
                        navigation
                            .referential_constraints
                            .push((property, referenced));
                        self.skip(&child, child_open)?;
                    }
                    "Annotation" => {
                        let annotation = self.annotation(&child, child_open)?;
                        navigation.annotations.all.push(annotation);
                    }
                    _ => self.skip(&child, child_open)?,
                },
                Node::Text(_) => {}
                Node::Close => return Ok(navigation),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// An `EnumType`; members without `Value` get the previous value plus one (0 first).
    pub(super) fn enum_type(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<EnumType> {
        let mut enum_type = EnumType {
            underlying_type: "Edm.Int32".to_owned(),
            ..Default::default()
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => enum_type.name = value.into_owned(),
            "UnderlyingType" => enum_type.underlying_type = value.into_owned(),
            "IsFlags" => enum_type.is_flags = is_true(&value),
            _ => {}
        })?;
        if !open {
            return Ok(enum_type);
        }
        loop {
            match self.next()? {
                Node::Element(child, child_open) => match local_name(&child) {
                    "Member" => {
                        let member = self.enum_member(&child, child_open, &enum_type)?;
                        enum_type.members.push(member);
                    }
                    "Annotation" => {
                        let annotation = self.annotation(&child, child_open)?;
                        enum_type.annotations.all.push(annotation);
                    }
                    _ => self.skip(&child, child_open)?,
                },
                Node::Text(_) => {}
                Node::Close => return Ok(enum_type),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// One enum `Member`.
    fn enum_member(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
        enum_type: &EnumType,
    ) -> Result<EnumMember> {
        let mut name = String::new();
        let mut explicit: Option<std::result::Result<i64, String>> = None;
        self.each_attribute(tag, |key, value| match key {
            "Name" => name = value.into_owned(),
            "Value" => {
                explicit = Some(value.trim().parse::<i64>().map_err(|_| value.into_owned()));
            }
            _ => {}
        })?;
        let implicit = enum_type
            .members
            .last()
            .map_or(0, |m| m.value.saturating_add(1));
        let value = match explicit {
            Some(Ok(value)) => value,
            Some(Err(text)) => {
                self.warn(format!(
                    "enum member '{name}' of '{}' has a non-integer value '{text}'; using {implicit}",
                    enum_type.name
                ));
                implicit
            }
            None => implicit,
        };
        let mut member = EnumMember {
            name,
            value,
            annotations: Annotations::default(),
        };
        if open {
            self.annotated_content(tag, &mut member.annotations)?;
        }
        Ok(member)
    }

    /// A `TypeDefinition`.
    pub(super) fn type_definition(
        &mut self,
        tag: &BytesStart<'a>,
        open: bool,
    ) -> Result<TypeDefinition> {
        let mut definition = TypeDefinition {
            name: String::new(),
            underlying_type: String::new(),
        };
        self.each_attribute(tag, |key, value| match key {
            "Name" => definition.name = value.into_owned(),
            "UnderlyingType" => definition.underlying_type = value.into_owned(),
            _ => {}
        })?;
        self.skip(tag, open)?;
        Ok(definition)
    }
}
