//! The zip container of a package: named files in, named files out, errors naming the
//! file inside the zip.

use std::io::{Cursor, Read, Write};

use super::PackageError;

/// The largest file read out of a package (a guard against zip bombs).
const MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;

/// A package zip opened for reading.
pub struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    origin: String,
}

impl<'a> Archive<'a> {
    /// Opens `bytes` as a zip; `origin` names it in errors.
    pub fn open(bytes: &'a [u8], origin: &str) -> Result<Self, PackageError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            PackageError::new(
                origin,
                format!("expected a data package (a zip archive), found something else: {e}"),
            )
        })?;
        Ok(Self {
            zip,
            origin: origin.to_owned(),
        })
    }

    /// The names of the files inside.
    pub fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect()
    }

    /// The bytes of the file `name` (matched with either slash, any case as a fallback).
    pub fn bytes(&mut self, name: &str) -> Result<Vec<u8>, PackageError> {
        let at = format!("{}/{name}", self.origin);
        let wanted = name.replace('\\', "/");
        let actual = self
            .names()
            .into_iter()
            .find(|n| n.replace('\\', "/") == wanted)
            .or_else(|| {
                self.names()
                    .into_iter()
                    .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(&wanted))
            })
            .ok_or_else(|| {
                PackageError::new(
                    &self.origin,
                    format!(
                        "expected a file named {name} in the package, found only: {}",
                        self.names().join(", ")
                    ),
                )
            })?;
        let file = self
            .zip
            .by_name(&actual)
            .map_err(|e| PackageError::new(&at, format!("cannot be read: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| PackageError::new(&at, format!("cannot be read: {e}")))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(PackageError::new(
                &at,
                format!("larger than {} MB", MAX_ENTRY_BYTES / 1024 / 1024),
            ));
        }
        Ok(bytes)
    }

    /// The file `name` as UTF-8 text (a BOM is dropped).
    pub fn text(&mut self, name: &str) -> Result<String, PackageError> {
        let bytes = self.bytes(name)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(bytes.to_vec()).map_err(|e| {
            PackageError::new(
                format!("{}/{name}", self.origin),
                format!(
                    "expected UTF-8 text, found an invalid byte at offset {}",
                    e.utf8_error().valid_up_to()
                ),
            )
        })
    }
}

/// A zip archive (deflated) of `files` in order.
pub fn write(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, PackageError> {
    let mut cursor = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut cursor);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in files {
            let fail = |e: String| PackageError::new(name, format!("cannot be written: {e}"));
            zip.start_file(name.as_str(), options)
                .map_err(|e| fail(e.to_string()))?;
            zip.write_all(bytes).map_err(|e| fail(e.to_string()))?;
        }
        zip.finish()
            .map_err(|e| PackageError::new("zip", format!("cannot be written: {e}")))?;
    }
    Ok(cursor.into_inner())
}
