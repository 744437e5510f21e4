//! `Manifest.xml` and `PackageHeader.xml`, in the shape of the data management framework's
//! serialization (`DataManagementPackageManifest`, `DataManagementPackageHeader`).

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::{EntityData, Operation, Package, PackageError};

const NAMESPACE: &str = "http://schemas.microsoft.com/dynamics/2015/01/DataManagement";
const INSTANCE: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The manifest of `package`: its data project and each entity with its data file.
pub fn manifest_xml(package: &Package) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<DataManagementPackageManifest xmlns:i=\"{INSTANCE}\" xmlns=\"{NAMESPACE}\">\n"
    ));
    out.push_str(&format!(
        "  <DefinitionGroupName>{}</DefinitionGroupName>\n",
        escape(&package.definition_group)
    ));
    out.push_str(&format!(
        "  <Description>{}</Description>\n",
        escape(&package.description)
    ));
    out.push_str("  <PackageEntityList>\n");
    for (i, data) in package.entities.iter().enumerate() {
        out.push_str("    <DataManagementPackageEntityData>\n");
        for (name, value) in [
            ("DefaultRefreshType", "FullPush".to_owned()),
            ("EntityName", escape(&data.entity)),
            ("ExecutionUnit", "1".to_owned()),
            ("InputFilePath", escape(&data.file)),
            ("LevelInExecutionUnit", "1".to_owned()),
            ("RunInsertLogic", "true".to_owned()),
            ("RunValidateField", "true".to_owned()),
            ("SequenceInLevel", (i + 1).to_string()),
            ("SourceFormat", "CSV".to_owned()),
            ("TargetEntity", escape(&data.target_entity)),
        ] {
            out.push_str(&format!("      <{name}>{value}</{name}>\n"));
        }
        out.push_str("    </DataManagementPackageEntityData>\n");
    }
    out.push_str("  </PackageEntityList>\n");
    out.push_str(&format!(
        "  <OperationType>{}</OperationType>\n",
        package.operation.as_str()
    ));
    out.push_str("</DataManagementPackageManifest>\n");
    out
}

/// The package header: what kind of package this is and its version.
pub fn package_header_xml(package: &Package) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <DataManagementPackageHeader xmlns:i=\"{INSTANCE}\" xmlns=\"{NAMESPACE}\">\n\
         \x20 <Description>{}</Description>\n\
         \x20 <ManifestType>Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest</ManifestType>\n\
         \x20 <PackageType>Definition group</PackageType>\n\
         \x20 <PackageVersion>2</PackageVersion>\n\
         </DataManagementPackageHeader>\n",
        escape(&package.description)
    )
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Reads a manifest (`at` names it in errors): the data project and each entity with its
/// data file; rows are left empty for the caller to fill from the data files.
pub fn parse_manifest(text: &str, at: &str) -> Result<Package, PackageError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut top: HashMap<String, String> = HashMap::new();
    let mut entity: Option<HashMap<String, String>> = None;
    let mut entities: Vec<(usize, HashMap<String, String>)> = Vec::new();
    let mut text_buf = String::new();
    let mut entity_line = 0;
    let fail = |offset: u64, message: String| {
        let (line, column) = line_column(text, usize::try_from(offset).unwrap_or(usize::MAX));
        PackageError::new(format!("{at}:{line}:{column}"), message)
    };
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            fail(
                reader.error_position(),
                format!("expected well-formed XML: {e}"),
            )
        })?;
        match event {
            Event::Start(tag) => {
                let name = tag.local_name().as_ref().to_owned();
                if name == "DataManagementPackageEntityData" {
                    entity = Some(HashMap::new());
                    entity_line = line_column(text, usize::try_from(position).unwrap_or(0)).0;
                }
                stack.push(name);
                text_buf.clear();
            }
            Event::Text(content) => {
                text_buf.push_str(&content.xml10_content());
            }
            Event::GeneralRef(reference) => {
                let name: &str = reference.as_ref();
                if let Ok(Some(ch)) = reference.resolve_char_ref() {
                    text_buf.push(ch);
                } else if let Some(value) = quick_xml::escape::resolve_predefined_entity(name) {
                    text_buf.push_str(value);
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err(fail(position, "expected no more end tags".into()));
                };
                if name == "DataManagementPackageEntityData" {
                    if let Some(done) = entity.take() {
                        entities.push((entity_line, done));
                    }
                } else if let Some(current) = entity.as_mut() {
                    current.insert(name, text_buf.trim().to_owned());
                } else if stack.len() == 1 {
                    top.insert(name, text_buf.trim().to_owned());
                }
                text_buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match stack.first().map(String::as_str) {
        None => {}
        Some(open) => {
            return Err(PackageError::new(
                at,
                format!("expected the element <{open}> to be closed, found the end of the file"),
            ));
        }
    }
    let operation = match top.get("OperationType").map(String::as_str) {
        Some("Export") => Operation::Export,
        _ => Operation::Import,
    };
    if entities.is_empty() {
        return Err(PackageError::new(
            at,
            "expected a PackageEntityList with at least one DataManagementPackageEntityData, found none",
        ));
    }
    let mut list = Vec::new();
    for (line, fields) in entities {
        let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
        let (name, file) = (field("EntityName"), field("InputFilePath"));
        if name.is_empty() {
            return Err(PackageError::new(
                format!("{at}:{line}"),
                "expected an EntityName in this DataManagementPackageEntityData, found none",
            ));
        }
        if file.is_empty() {
            return Err(PackageError::new(
                format!("{at}:{line}"),
                format!("expected an InputFilePath for entity '{name}', found none"),
            ));
        }
        let format = field("SourceFormat");
        if !format.is_empty() && !format.eq_ignore_ascii_case("CSV") {
            return Err(PackageError::new(
                format!("{at}:{line}"),
                format!("expected the source format CSV for entity '{name}', found '{format}'"),
            ));
        }
        let target = field("TargetEntity");
        list.push(EntityData {
            target_entity: if target.is_empty() {
                name.clone()
            } else {
                target
            },
            entity: name,
            file,
            header: Vec::new(),
            rows: Vec::new(),
        });
    }
    Ok(Package {
        definition_group: top.get("DefinitionGroupName").cloned().unwrap_or_default(),
        description: top.get("Description").cloned().unwrap_or_default(),
        operation,
        entities: list,
    })
}
