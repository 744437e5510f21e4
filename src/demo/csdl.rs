//! The `$metadata` document (CSDL 4.0 XML) generated from the entity description, shaped like
//! Finance & Operations' own (annotations of `Microsoft.Dynamics.OData.Core.V1`).

use std::fmt::Write;

use super::schema::{
    ACTIONS, ActionBinding, ActionDef, CONTAINER, ENTITIES, ENUMS, EntityDef, EnumDef, FieldDef,
    FieldType, NAMESPACE, entity_by_name, entity_by_set,
};

use super::bulk::{DMF_ACTIONS, DMF_SET, DMF_TYPE};

const CORE: &str = "Microsoft.Dynamics.OData.Core.V1";

/// Renders the whole `$metadata` document.
pub fn metadata_xml() -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
    );
    out.push_str("  <edmx:DataServices>\n");
    let _ = writeln!(
        out,
        "    <Schema Namespace=\"{NAMESPACE}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
    );
    for enum_def in ENUMS {
        write_enum(&mut out, enum_def);
    }
    for entity in ENTITIES {
        write_entity(&mut out, entity);
    }
    for action in ACTIONS {
        write_action(&mut out, action);
    }
    write_dmf_schema(&mut out);
    write_container(&mut out);
    out.push_str("    </Schema>\n");
    write_core_schema(&mut out);
    out.push_str("  </edmx:DataServices>\n</edmx:Edmx>\n");
    out
}

fn annotation_string(out: &mut String, indent: &str, term: &str, value: &str) {
    let _ = writeln!(
        out,
        "{indent}<Annotation Term=\"{CORE}.{term}\" String=\"{}\" />",
        escape(value)
    );
}

fn annotation_bool(out: &mut String, indent: &str, term: &str, value: bool) {
    let _ = writeln!(
        out,
        "{indent}<Annotation Term=\"{CORE}.{term}\" Bool=\"{value}\" />"
    );
}

fn write_enum(out: &mut String, enum_def: &EnumDef) {
    let _ = writeln!(out, "      <EnumType Name=\"{}\">", enum_def.name);
    for (name, value, label) in enum_def.members {
        let _ = writeln!(out, "        <Member Name=\"{name}\" Value=\"{value}\">");
        annotation_string(out, "          ", "LabelId", label);
        out.push_str("        </Member>\n");
    }
    if let Some(label) = enum_def.label_id {
        annotation_string(out, "        ", "LabelId", label);
    }
    out.push_str("      </EnumType>\n");
}

fn write_entity(out: &mut String, entity: &EntityDef) {
    let _ = writeln!(out, "      <EntityType Name=\"{}\">", entity.name);
    out.push_str("        <Key>\n");
    for key in entity.key_fields() {
        let _ = writeln!(out, "          <PropertyRef Name=\"{}\" />", key.name);
    }
    out.push_str("        </Key>\n");
    for field in entity.fields {
        write_property(out, field);
    }
    for nav in entity.navs {
        let Some(target) = entity_by_name(nav.target) else {
            continue;
        };
        let ty = if nav.collection {
            format!("Collection({})", target.qualified_name())
        } else {
            target.qualified_name()
        };
        let nullable = if nav.collection {
            ""
        } else {
            " Nullable=\"false\""
        };
        let partner = nav
            .partner
            .map(|p| format!(" Partner=\"{p}\""))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "        <NavigationProperty Name=\"{}\" Type=\"{ty}\"{nullable}{partner}>",
            nav.name
        );
        for (local, remote) in nav.constraints {
            let _ = writeln!(
                out,
                "          <ReferentialConstraint Property=\"{local}\" ReferencedProperty=\"{remote}\" />"
            );
        }
        out.push_str("        </NavigationProperty>\n");
    }
    annotation_string(out, "        ", "LabelId", entity.label_id);
    if entity.read_only {
        annotation_bool(out, "        ", "IsReadOnly", true);
    }
    out.push_str("      </EntityType>\n");
}

fn write_property(out: &mut String, field: &FieldDef) {
    let max = match field.ty {
        FieldType::String(max) if max > 0 => format!(" MaxLength=\"{max}\""),
        FieldType::Decimal => " Precision=\"32\" Scale=\"16\"".into(),
        _ => String::new(),
    };
    // Like F&O: keys and value types are non-nullable, strings and enums are not marked.
    let nullable = if field.key || !matches!(field.ty, FieldType::String(_) | FieldType::Enum(_)) {
        " Nullable=\"false\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "        <Property Name=\"{}\" Type=\"{}\"{nullable}{max}>",
        field.name,
        field.ty.edm_name()
    );
    let indent = "          ";
    annotation_string(out, indent, "LabelId", field.label_id);
    if let Some(help) = field.help {
        annotation_string(out, indent, "HelpTextId", help);
        let _ = writeln!(
            out,
            "{indent}<Annotation Term=\"Org.OData.Core.V1.Description\" String=\"{}\" />",
            escape(help)
        );
    }
    annotation_bool(out, indent, "ConfigurationKeyEnabled", true);
    if !field.allow_edit {
        annotation_bool(out, indent, "AllowEdit", false);
    }
    if !field.allow_edit_on_create {
        annotation_bool(out, indent, "AllowEditOnCreate", false);
    }
    if field.required {
        annotation_bool(out, indent, "IsRequired", true);
    }
    let _ = writeln!(out, "{indent}<Annotation Term=\"{CORE}.AXType\">");
    let _ = writeln!(
        out,
        "{indent}  <EnumMember>{CORE}.AXType/{}</EnumMember>",
        field.ty.ax_type()
    );
    let _ = writeln!(out, "{indent}</Annotation>");
    out.push_str("        </Property>\n");
}

fn binding_type(action: &ActionDef) -> Option<String> {
    match action.binding {
        ActionBinding::Entity(set) => entity_by_set(set).map(|e| e.qualified_name()),
        ActionBinding::Collection(set) => {
            entity_by_set(set).map(|e| format!("Collection({})", e.qualified_name()))
        }
        ActionBinding::Unbound => None,
    }
}

fn write_action(out: &mut String, action: &ActionDef) {
    let binding = binding_type(action);
    let bound = binding.is_some();
    let _ = writeln!(
        out,
        "      <Action Name=\"{}\" IsBound=\"{bound}\">",
        action.name
    );
    if let Some(ty) = binding {
        let _ = writeln!(out, "        <Parameter Name=\"_this\" Type=\"{ty}\" />");
    }
    for param in action.params {
        let _ = writeln!(
            out,
            "        <Parameter Name=\"{}\" Type=\"{}\" />",
            param.name,
            param.ty.edm_name()
        );
    }
    if let Some(ret) = action.returns {
        let _ = writeln!(out, "        <ReturnType Type=\"{}\" />", ret.edm_name());
    }
    out.push_str("      </Action>\n");
}

/// The data management package API: the `DataManagementDefinitionGroup` entity type (the
/// data projects) and the actions bound to its collection.
fn write_dmf_schema(out: &mut String) {
    let _ = writeln!(out, "      <EntityType Name=\"{DMF_TYPE}\">");
    out.push_str(
        "        <Key>\n          <PropertyRef Name=\"DefinitionGroupId\" />\n        </Key>\n",
    );
    out.push_str("        <Property Name=\"DefinitionGroupId\" Type=\"Edm.String\" Nullable=\"false\" MaxLength=\"60\" />\n");
    out.push_str(
        "        <Property Name=\"Description\" Type=\"Edm.String\" MaxLength=\"60\" />\n",
    );
    out.push_str("      </EntityType>\n");
    for (name, params, returns) in DMF_ACTIONS {
        let _ = writeln!(out, "      <Action Name=\"{name}\" IsBound=\"true\">");
        let _ = writeln!(
            out,
            "        <Parameter Name=\"_this\" Type=\"Collection({NAMESPACE}.{DMF_TYPE})\" />"
        );
        for (param, ty) in *params {
            let _ = writeln!(out, "        <Parameter Name=\"{param}\" Type=\"{ty}\" />");
        }
        let _ = writeln!(out, "        <ReturnType Type=\"{returns}\" />");
        out.push_str("      </Action>\n");
    }
}

fn write_container(out: &mut String) {
    let _ = writeln!(out, "      <EntityContainer Name=\"{CONTAINER}\">");
    for entity in ENTITIES {
        let ty = entity.qualified_name();
        if entity.navs.is_empty() {
            let _ = writeln!(
                out,
                "        <EntitySet Name=\"{}\" EntityType=\"{ty}\" />",
                entity.set
            );
            continue;
        }
        let _ = writeln!(
            out,
            "        <EntitySet Name=\"{}\" EntityType=\"{ty}\">",
            entity.set
        );
        for nav in entity.navs {
            if let Some(target) = entity_by_name(nav.target) {
                let _ = writeln!(
                    out,
                    "          <NavigationPropertyBinding Path=\"{}\" Target=\"{}\" />",
                    nav.name, target.set
                );
            }
        }
        out.push_str("        </EntitySet>\n");
    }
    let _ = writeln!(
        out,
        "        <EntitySet Name=\"{DMF_SET}\" EntityType=\"{NAMESPACE}.{DMF_TYPE}\" />"
    );
    for action in ACTIONS
        .iter()
        .filter(|a| a.binding == ActionBinding::Unbound)
    {
        let _ = writeln!(
            out,
            "        <ActionImport Name=\"{0}\" Action=\"{NAMESPACE}.{0}\" />",
            action.name
        );
    }
    out.push_str("      </EntityContainer>\n");
}

fn write_core_schema(out: &mut String) {
    let _ = writeln!(
        out,
        "    <Schema Namespace=\"{CORE}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
    );
    out.push_str("      <EnumType Name=\"AXType\">\n");
    let members = [
        "Container",
        "Date",
        "Enum",
        "Guid",
        "Int32",
        "Int64",
        "Real",
        "Record",
        "String",
        "Time",
        "UtcDateTime",
        "Void",
    ];
    for (value, name) in members.iter().enumerate() {
        let _ = writeln!(out, "        <Member Name=\"{name}\" Value=\"{value}\" />");
    }
    out.push_str("      </EnumType>\n    </Schema>\n");
}

/// Escapes XML attribute text.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
