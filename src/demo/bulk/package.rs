//! The demo's own reading and writing of data packages (the zip with `Manifest.xml`,
//! `PackageHeader.xml` and one CSV per entity). The client's packages are built by other
//! code (`connector::package`): the two sides of the wire share none, so a test that
//! imports a client-built package here checks the format, not a copy of itself.

use std::io::{Cursor, Read, Write};

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// One entity's data file in a package.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// `EntityName` of the manifest.
    pub entity: String,
    /// `TargetEntity` of the manifest (or the entity name).
    pub target: String,
    /// The file inside the zip.
    pub file: String,
    /// Header row.
    pub header: Vec<String>,
    /// Data rows with their line numbers.
    pub rows: Vec<(u64, Vec<String>)>,
}

const MAX_ENTRY: u64 = 512 * 1024 * 1024;

fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, String> {
    let wanted = name.replace('\\', "/");
    let actual = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(&wanted))
        .map(|n| n.into_owned())
        .ok_or_else(|| format!("The package has no file '{name}'."))?;
    let file = zip
        .by_name(&actual)
        .map_err(|e| format!("The file '{name}' of the package cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_ENTRY)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("The file '{name}' of the package cannot be read: {e}"))?;
    Ok(bytes)
}

/// `(EntityName, TargetEntity, InputFilePath)` of each entity in a manifest.
fn manifest_entities(text: &str) -> Result<Vec<(String, String, String)>, String> {
    let mut reader = Reader::from_str(text);
    let mut current: Option<[String; 3]> = None;
    let mut element = String::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("Manifest.xml is not valid XML: {e}")),
            Ok(Event::Start(tag)) => {
                element = tag.local_name().as_ref().to_owned();
                if element == "DataManagementPackageEntityData" {
                    current = Some(Default::default());
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(fields) = current.as_mut() {
                    let slot = match element.as_str() {
                        "EntityName" => Some(0),
                        "TargetEntity" => Some(1),
                        "InputFilePath" => Some(2),
                        _ => None,
                    };
                    if let Some(i) = slot {
                        fields[i].push_str(t.xml10_content().trim());
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some(fields), Some(i)) = (
                    current.as_mut(),
                    ["EntityName", "TargetEntity", "InputFilePath"]
                        .iter()
                        .position(|n| *n == element),
                ) {
                    let name: &str = r.as_ref();
                    fields[i]
                        .push_str(quick_xml::escape::resolve_predefined_entity(name).unwrap_or(""));
                }
            }
            Ok(Event::End(tag)) => {
                if tag.local_name().as_ref() == "DataManagementPackageEntityData"
                    && let Some([entity, target, file]) = current.take()
                {
                    let target = if target.is_empty() {
                        entity.clone()
                    } else {
                        target
                    };
                    found.push((entity, target, file));
                }
                element.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    if found.is_empty() {
        return Err("Manifest.xml lists no entity (PackageEntityList is empty).".into());
    }
    Ok(found)
}

/// Reads a package zip into its data files.
pub fn read(bytes: &[u8]) -> Result<Vec<DataFile>, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("The package is not a zip archive: {e}"))?;
    let manifest = entry(&mut zip, "Manifest.xml")?;
    let manifest =
        String::from_utf8_lossy(manifest.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&manifest))
            .into_owned();
    let mut files = Vec::new();
    for (entity, target, file) in manifest_entities(&manifest)? {
        let bytes = entry(&mut zip, &file)?;
        let (header, rows) = read_csv(&bytes).map_err(|e| format!("{file}: {e}"))?;
        files.push(DataFile {
            entity,
            target,
            file,
            header,
            rows,
        });
    }
    Ok(files)
}

/// A CSV file read: its header and its rows, each with its line number.
pub type CsvTable = (Vec<String>, Vec<(u64, Vec<String>)>);

/// One entity of an export package: entity set, header, rows.
pub type PackageEntity = (String, Vec<String>, Vec<Vec<String>>);

/// The header and the numbered rows of a CSV file (BOM skipped).
pub fn read_csv(bytes: &[u8]) -> Result<CsvTable, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("not valid CSV: {e}"))?;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if i == 0 {
            header = cells.iter().map(|c| c.trim().to_owned()).collect();
        } else if !cells.iter().all(String::is_empty) {
            rows.push((record.position().map_or(0, |p| p.line()), cells));
        }
    }
    if header.is_empty() {
        return Err("the file has no header row".into());
    }
    Ok((header, rows))
}

/// A CSV file (UTF-8 with BOM) of a header and rows.
pub fn write_csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(row);
    }
    writer.into_inner().unwrap_or_default()
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An export package: `(entity set, header, rows)` per entity of project `project`.
pub fn write(project: &str, entities: &[PackageEntity]) -> Result<Vec<u8>, String> {
    const NS: &str = "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"http://schemas.microsoft.com/dynamics/2015/01/DataManagement\"";
    let mut manifest = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DataManagementPackageManifest {NS}>\n  <DefinitionGroupName>{}</DefinitionGroupName>\n  <Description>Exported by the Flowbench demo instance</Description>\n  <PackageEntityList>\n",
        xml_text(project)
    );
    for (i, (entity, _, _)) in entities.iter().enumerate() {
        manifest.push_str(&format!(
            "    <DataManagementPackageEntityData>\n      <DefaultRefreshType>FullPush</DefaultRefreshType>\n      <EntityName>{0}</EntityName>\n      <ExecutionUnit>1</ExecutionUnit>\n      <InputFilePath>{0}.csv</InputFilePath>\n      <LevelInExecutionUnit>1</LevelInExecutionUnit>\n      <SequenceInLevel>{1}</SequenceInLevel>\n      <SourceFormat>CSV</SourceFormat>\n      <TargetEntity>{0}</TargetEntity>\n    </DataManagementPackageEntityData>\n",
            xml_text(entity),
            i + 1
        ));
    }
    manifest.push_str("  </PackageEntityList>\n  <OperationType>Export</OperationType>\n</DataManagementPackageManifest>\n");
    let header = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DataManagementPackageHeader {NS}>\n  <Description>Exported by the Flowbench demo instance</Description>\n  <ManifestType>Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest</ManifestType>\n  <PackageType>Definition group</PackageType>\n  <PackageVersion>2</PackageVersion>\n</DataManagementPackageHeader>\n"
    );
    let mut cursor = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut cursor);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut put = |name: &str, bytes: &[u8]| -> Result<(), String> {
            zip.start_file(name, options).map_err(|e| e.to_string())?;
            zip.write_all(bytes).map_err(|e| e.to_string())
        };
        put("Manifest.xml", manifest.as_bytes())?;
        put("PackageHeader.xml", header.as_bytes())?;
        for (entity, head, rows) in entities {
            put(&format!("{entity}.csv"), &write_csv(head, rows))?;
        }
        zip.finish().map_err(|e| e.to_string())?;
    }
    Ok(cursor.into_inner())
}
