//! Counts over a parsed model, for the `metadata summary` command and the UI status line.

use serde::Serialize;

use super::model::Model;

/// How much a `$metadata` document declares, plus how long parsing took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MetadataSummary {
    /// Entity sets over all containers.
    pub entity_sets: usize,
    /// Singletons over all containers.
    pub singletons: usize,
    /// Entity types over all schemas.
    pub entity_types: usize,
    /// Complex types over all schemas.
    pub complex_types: usize,
    /// Enum types over all schemas.
    pub enum_types: usize,
    /// Actions, every overload counted.
    pub actions: usize,
    /// Functions, every overload counted.
    pub functions: usize,
    /// Action imports over all containers.
    pub action_imports: usize,
    /// Function imports over all containers.
    pub function_imports: usize,
    /// Navigation properties declared on entity and complex types.
    pub navigation_properties: usize,
    /// Structural properties declared on entity and complex types.
    pub properties: usize,
    /// Wall-clock parse time in milliseconds.
    pub parse_ms: f64,
}

impl MetadataSummary {
    /// Counts everything `model` declares; `parse_ms` is recorded as given.
    pub fn of(model: &Model, parse_ms: f64) -> Self {
        let mut summary = Self {
            parse_ms,
            ..Self::default()
        };
        for schema in &model.schemas {
            summary.entity_types += schema.entity_types.len();
            summary.complex_types += schema.complex_types.len();
            summary.enum_types += schema.enum_types.len();
            summary.actions += schema.actions.len();
            summary.functions += schema.functions.len();
            for entity in &schema.entity_types {
                summary.properties += entity.properties.len();
                summary.navigation_properties += entity.navigation_properties.len();
            }
            for complex in &schema.complex_types {
                summary.properties += complex.properties.len();
                summary.navigation_properties += complex.navigation_properties.len();
            }
            if let Some(container) = &schema.entity_container {
                summary.entity_sets += container.entity_sets.len();
                summary.singletons += container.singletons.len();
                summary.action_imports += container.action_imports.len();
                summary.function_imports += container.function_imports.len();
            }
        }
        summary
    }
}

impl Model {
    /// The counts of this model (with `parse_ms` as given).
    pub fn summary(&self, parse_ms: f64) -> MetadataSummary {
        MetadataSummary::of(self, parse_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::metadata::parse_metadata;

    #[test]
    fn counts_types_and_container_members() {
        let xml = br#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
          <edmx:DataServices><Schema Namespace="N">
            <EntityType Name="A"><Key><PropertyRef Name="Id"/></Key>
              <Property Name="Id" Type="Edm.Int32" Nullable="false"/><Property Name="B" Type="Edm.String"/>
              <NavigationProperty Name="Bs" Type="Collection(N.A)"/></EntityType>
            <ComplexType Name="C"><Property Name="X" Type="Edm.String"/></ComplexType>
            <EnumType Name="E"><Member Name="One"/></EnumType>
            <Action Name="Do"/><Function Name="Get"><ReturnType Type="Edm.Int32"/></Function>
            <EntityContainer Name="Box"><EntitySet Name="As" EntityType="N.A"/>
              <Singleton Name="Me" Type="N.A"/><ActionImport Name="Do" Action="N.Do"/>
              <FunctionImport Name="Get" Function="N.Get"/></EntityContainer>
          </Schema></edmx:DataServices></edmx:Edmx>"#;
        let model = parse_metadata(xml).expect("valid document");
        let summary = model.summary(1.5);
        assert_eq!(
            summary,
            MetadataSummary {
                entity_sets: 1,
                singletons: 1,
                entity_types: 1,
                complex_types: 1,
                enum_types: 1,
                actions: 1,
                functions: 1,
                action_imports: 1,
                function_imports: 1,
                navigation_properties: 1,
                properties: 3,
                parse_ms: 1.5,
            }
        );
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    }
}
