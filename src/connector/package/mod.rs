//! Data packages: the zip the F&O data management framework imports and exports —
//! `Manifest.xml` (the data project and its entities), `PackageHeader.xml`, and one data
//! file per entity (CSV with a header row). Built from a CSV for an entity, read back into
//! rows; errors name the file inside the zip.

mod archive;
mod manifest;
#[cfg(test)]
mod tests;

use std::fmt;

pub use manifest::{manifest_xml, package_header_xml, parse_manifest};

/// The manifest's file name inside a package.
pub const MANIFEST: &str = "Manifest.xml";
/// The package header's file name inside a package.
pub const PACKAGE_HEADER: &str = "PackageHeader.xml";

/// What a package is for, as its manifest says (`OperationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A package to import.
    Import,
    /// A package an export produced.
    Export,
}

impl Operation {
    /// The manifest's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Import => "Import",
            Self::Export => "Export",
        }
    }
}

/// One entity of a package: which entity, its data file, and the file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityData {
    /// The entity as the manifest names it (`EntityName`): Flowbench writes the entity set
    /// name (`CustomerGroups`); F&O writes its data entity's label.
    pub entity: String,
    /// The target entity (`TargetEntity`): Flowbench writes the entity set name again.
    pub target_entity: String,
    /// The data file inside the package (`InputFilePath`), e.g. `CustomerGroups.csv`.
    pub file: String,
    /// The header row: field names.
    pub header: Vec<String>,
    /// The data rows, one cell per header field.
    pub rows: Vec<Vec<String>>,
}

/// A data package in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The data project it belongs to (`DefinitionGroupName`).
    pub definition_group: String,
    /// Its description.
    pub description: String,
    /// Import or export.
    pub operation: Operation,
    /// The entities, in execution order.
    pub entities: Vec<EntityData>,
}

/// Why a package could not be built or read. `at` names the file (`PKG.zip/Manifest.xml`,
/// `rows.csv`) and, when known, the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct PackageError {
    /// Where: the file (inside the zip when it is one) and line.
    pub at: String,
    /// What was expected and what was found.
    pub message: String,
}

impl PackageError {
    /// An error at `at`.
    pub fn new(at: impl fmt::Display, message: impl Into<String>) -> Self {
        Self {
            at: at.to_string(),
            message: message.into(),
        }
    }
}

impl Package {
    /// A package holding one entity's rows read from CSV text (`origin` names the CSV in
    /// errors): the header row names the fields, every row must have as many cells.
    pub fn from_csv(entity: &str, csv_bytes: &[u8], origin: &str) -> Result<Self, PackageError> {
        let entity = entity.trim();
        if entity.is_empty() {
            return Err(PackageError::new(
                origin,
                "expected an entity name, found none",
            ));
        }
        let (header, rows) = read_csv(csv_bytes, origin)?;
        Ok(Self {
            definition_group: entity.to_owned(),
            description: format!("{entity} (built by Flowbench)"),
            operation: Operation::Import,
            entities: vec![EntityData {
                entity: entity.to_owned(),
                target_entity: entity.to_owned(),
                file: format!("{entity}.csv"),
                header,
                rows,
            }],
        })
    }

    /// The zip archive: manifest, package header, one CSV (UTF-8 with BOM, as F&O writes
    /// them) per entity.
    pub fn to_zip(&self) -> Result<Vec<u8>, PackageError> {
        let mut files = vec![
            (MANIFEST.to_owned(), manifest_xml(self).into_bytes()),
            (
                PACKAGE_HEADER.to_owned(),
                package_header_xml(self).into_bytes(),
            ),
        ];
        for data in &self.entities {
            files.push((data.file.clone(), write_csv(data, &data.file)?));
        }
        archive::write(&files)
    }

    /// Reads a package zip (`origin` names it in errors, e.g. the path it came from).
    pub fn from_zip(bytes: &[u8], origin: &str) -> Result<Self, PackageError> {
        let mut zip = archive::Archive::open(bytes, origin)?;
        let manifest = zip.text(MANIFEST)?;
        let at = format!("{origin}/{MANIFEST}");
        let mut package = parse_manifest(&manifest, &at)?;
        for data in &mut package.entities {
            let bytes = zip.bytes(&data.file).map_err(|_| {
                PackageError::new(
                    &at,
                    format!(
                        "entity '{}' names the data file '{}', which is not in the package (it holds: {})",
                        data.entity,
                        data.file,
                        zip.names().join(", ")
                    ),
                )
            })?;
            let (header, rows) = read_csv(&bytes, &format!("{origin}/{}", data.file))?;
            data.header = header;
            data.rows = rows;
        }
        Ok(package)
    }

    /// The entity whose name or target entity is `name` (any case).
    pub fn entity(&self, name: &str) -> Option<&EntityData> {
        self.entities.iter().find(|e| {
            e.entity.eq_ignore_ascii_case(name) || e.target_entity.eq_ignore_ascii_case(name)
        })
    }
}

/// The header and rows of CSV text (a UTF-8 BOM is skipped).
pub fn read_csv(
    bytes: &[u8],
    origin: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>), PackageError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(csv_error(origin, &e)),
        None => {
            return Err(PackageError::new(
                origin,
                "expected a header row naming the fields, found an empty file",
            ));
        }
    };
    if let Some(i) = header.iter().position(String::is_empty) {
        return Err(PackageError::new(
            format!("{origin}:1"),
            format!(
                "expected a field name in column {}, found an empty cell",
                i + 1
            ),
        ));
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(origin, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            return Err(PackageError::new(
                format!("{origin}:{line}"),
                format!(
                    "expected {} cells (one per header field), found {}",
                    header.len(),
                    record.len()
                ),
            ));
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok((header, rows))
}

fn csv_error(origin: &str, e: &csv::Error) -> PackageError {
    match e.position() {
        Some(p) => PackageError::new(
            format!("{origin}:{}", p.line()),
            format!("not valid CSV: {e}"),
        ),
        None => PackageError::new(origin, format!("not valid CSV: {e}")),
    }
}

fn write_csv(data: &EntityData, at: &str) -> Result<Vec<u8>, PackageError> {
    let mut writer = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| PackageError::new(at, format!("cannot write CSV: {e}"));
    writer.write_record(&data.header).map_err(fail)?;
    for row in &data.rows {
        writer.write_record(row).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| PackageError::new(at, format!("cannot write CSV: {e}")))
}
