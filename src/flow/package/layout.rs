//! A package's files and how they are written: one zip, one JSON file, or a folder — each
//! file through a temporary file and a rename, so a failed export leaves nothing
//! half-written under the final name.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::PackageError;

/// How the files are laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One zip archive holding the files.
    Zip,
    /// One file (the only file of the package).
    File,
    /// A folder holding the files.
    Folder,
}

/// The files of a package (relative paths with `/`), in writing order.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// How they are written.
    pub layout: Layout,
    /// Path inside the package and content.
    pub files: Vec<(String, Vec<u8>)>,
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> PackageError {
    PackageError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Package {
    /// The content of the file at `name` inside the package.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// The bytes of the zip archive holding the files.
    pub fn zip_bytes(&self) -> Result<Vec<u8>, PackageError> {
        let mut cursor = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut cursor);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, bytes) in &self.files {
                zip.start_file(name.as_str(), options)
                    .map_err(|e| write_error(Path::new(name), e))?;
                zip.write_all(bytes)
                    .map_err(|e| write_error(Path::new(name), e))?;
            }
            zip.finish().map_err(|e| write_error(Path::new("zip"), e))?;
        }
        Ok(cursor.into_inner())
    }

    /// Writes the package at `path` (the zip or JSON file, or the folder).
    pub fn write_to(&self, path: &Path) -> Result<(), PackageError> {
        match self.layout {
            Layout::Zip => write_atomically(path, &self.zip_bytes()?),
            Layout::File => {
                let bytes = self.files.first().map(|(_, b)| b.as_slice()).unwrap_or(&[]);
                write_atomically(path, bytes)
            }
            Layout::Folder => {
                if path.is_file() {
                    return Err(write_error(
                        path,
                        "a file is in the way of the project folder",
                    ));
                }
                for (name, bytes) in &self.files {
                    let target = path.join(name);
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| write_error(parent, e))?;
                    }
                    write_atomically(&target, bytes)?;
                }
                Ok(())
            }
        }
    }
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PackageError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| write_error(path, e))?;
    file.write_all(bytes).map_err(|e| write_error(path, e))?;
    crate::connector::saved_file::match_permissions(file.as_file(), path)
        .map_err(|e| write_error(path, e))?;
    file.as_file()
        .sync_all()
        .map_err(|e| write_error(path, e))?;
    file.persist(path).map_err(|e| write_error(path, e.error))?;
    Ok(())
}

/// A name made safe for a file or folder: letters, digits, `-` and `_`.
pub fn file_name_of(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('-');
    if trimmed.is_empty() {
        "flow".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A GUID derived from `seed`, so exporting the same flow twice gives the same ids.
pub fn guid_from(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Version 5-style (name-based) and RFC 4122 variant bits.
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// Pretty JSON with a final newline.
pub fn json_bytes(value: &serde_json::Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}
