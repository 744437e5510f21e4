//! On-disk cache of parsed `$metadata`, one file per service instance: a small header
//! (magic, format version, the lengths and checksums of two sections), the entity sets
//! for search (names, labels, keys: a few hundred KB even at F&O scale, read alone by
//! [`MetadataCache::load_index`] so the entity dropdown is ready before the whole model),
//! then the postcard-encoded [`CachedMetadata`]. Loading never panics: any mismatch or
//! damage yields `None`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::Model;
use crate::odata::entity_index::{EntityEntry, EntityIndex};

/// Bumped whenever [`Model`] or [`CachedMetadata`] change shape; old files are then ignored.
pub const CACHE_FORMAT_VERSION: u32 = 4;

const MAGIC: &[u8; 8] = b"FBMETA\r\n";
/// Magic, version, then length and checksum of the index section and of the model section.
const HEADER_LEN: usize = 8 + 4 + 8 + 8 + 8 + 8;
const FILE_EXTENSION: &str = "fbmeta";

/// Why a cache entry could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Creating the directory, writing or renaming the file failed.
    #[error("cannot write metadata cache {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The model could not be encoded.
    #[error("cannot encode metadata cache: {0}")]
    Encode(#[from] postcard::Error),
}

/// A cached model with what identifies the document it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedMetadata {
    /// SHA-256 of the source document bytes (see [`source_digest`]).
    pub source_sha256: [u8; 32],
    /// The server's `ETag`, to send as `If-None-Match` next time.
    pub etag: Option<String>,
    /// The server's `Last-Modified`, to send as `If-Modified-Since` next time.
    pub last_modified: Option<String>,
    /// The parsed model.
    pub model: Model,
}

impl CachedMetadata {
    /// Whether this entry was made from exactly `document`.
    pub fn matches_source(&self, document: &[u8]) -> bool {
        self.source_sha256 == source_digest(document)
    }
}

/// SHA-256 of a source document.
pub fn source_digest(document: &[u8]) -> [u8; 32] {
    Sha256::digest(document).into()
}

/// A directory of cache files, one per instance key (e.g. the service root URL).
#[derive(Debug, Clone)]
pub struct MetadataCache {
    dir: PathBuf,
}

impl MetadataCache {
    /// A cache in `dir` (created on the first store). Callers pick the directory, e.g.
    /// with `directories::ProjectDirs::cache_dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// A cache in the user's cache directory (`…/flowbench/metadata`), when the platform
    /// has one.
    pub fn in_user_cache_dir() -> Option<Self> {
        let dirs = directories::ProjectDirs::from("", "", "flowbench")?;
        Some(Self::new(dirs.cache_dir().join("metadata")))
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file used for `instance`: a readable prefix plus a hash of the full key.
    pub fn path_for(&self, instance: &str) -> PathBuf {
        let readable: String = instance
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(48)
            .collect();
        let digest = Sha256::digest(instance.as_bytes());
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{readable}-{hash}.{FILE_EXTENSION}"))
    }

    /// The cached entry for `instance`, or `None` when absent, from another format
    /// version, or damaged.
    pub fn load(&self, instance: &str) -> Option<CachedMetadata> {
        let bytes = std::fs::read(self.path_for(instance)).ok()?;
        decode(&bytes)
    }

    /// Only the entity sets of the entry for `instance` (names, labels, keys), for search:
    /// the file's small first section, read without the model.
    pub fn load_index(&self, instance: &str) -> Option<Vec<EntityEntry>> {
        let mut file = std::fs::File::open(self.path_for(instance)).ok()?;
        let mut header = [0u8; HEADER_LEN];
        file.read_exact(&mut header).ok()?;
        let layout = Layout::read(&header)?;
        let length = usize::try_from(layout.index_len).ok()?;
        let mut index = vec![0u8; length];
        file.read_exact(&mut index).ok()?;
        if checksum(&index) != layout.index_sum {
            return None;
        }
        match postcard::take_from_bytes::<Vec<EntityEntry>>(&index) {
            Ok((entries, [])) => Some(entries),
            _ => None,
        }
    }

    /// Stores `entry` for `instance` atomically (temporary file in the same directory,
    /// then rename), replacing any previous entry.
    pub fn store(&self, instance: &str, entry: &CachedMetadata) -> Result<(), CacheError> {
        let bytes = encode(entry)?;
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CacheError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io_error(&self.dir))?;
        let target = self.path_for(instance);
        let mut temp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io_error(&self.dir))?;
        temp.write_all(&bytes).map_err(io_error(temp.path()))?;
        temp.as_file().sync_all().map_err(io_error(temp.path()))?;
        temp.persist(&target).map_err(|e| CacheError::Io {
            path: target.clone(),
            source: e.error,
        })?;
        Ok(())
    }

    /// Removes the entry for `instance`; a missing entry is not an error.
    pub fn remove(&self, instance: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path_for(instance)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Where the two sections are, from the header.
struct Layout {
    index_len: u64,
    index_sum: u64,
    payload_len: u64,
    payload_sum: u64,
}

impl Layout {
    fn read(header: &[u8]) -> Option<Self> {
        let word = |at: usize| -> Option<u64> {
            Some(u64::from_le_bytes(header.get(at..at + 8)?.try_into().ok()?))
        };
        if header.get(..8)? != MAGIC
            || u32::from_le_bytes(header.get(8..12)?.try_into().ok()?) != CACHE_FORMAT_VERSION
        {
            return None;
        }
        Some(Self {
            index_len: word(12)?,
            index_sum: word(20)?,
            payload_len: word(28)?,
            payload_sum: word(36)?,
        })
    }
}

/// The complete file content for `entry`.
pub fn encode(entry: &CachedMetadata) -> Result<Vec<u8>, postcard::Error> {
    let index = postcard::to_stdvec(EntityIndex::from_model(&entry.model).entries())?;
    let payload = postcard::to_stdvec(entry)?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + index.len() + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&CACHE_FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(index.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&checksum(&index).to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&checksum(&payload).to_le_bytes());
    bytes.extend_from_slice(&index);
    bytes.extend_from_slice(&payload);
    Ok(bytes)
}

/// Decodes a file produced by [`encode`]; `None` on any mismatch or damage.
pub fn decode(bytes: &[u8]) -> Option<CachedMetadata> {
    let (header, rest) = bytes.split_at_checked(HEADER_LEN)?;
    let layout = Layout::read(header)?;
    let (index, payload) = rest.split_at_checked(usize::try_from(layout.index_len).ok()?)?;
    if layout.payload_len != payload.len() as u64
        || checksum(index) != layout.index_sum
        || checksum(payload) != layout.payload_sum
    {
        return None;
    }
    match postcard::take_from_bytes::<CachedMetadata>(payload) {
        Ok((entry, [])) => Some(entry),
        _ => None,
    }
}

/// A fast 64-bit checksum (FxHash-style over 8-byte words) that catches damaged files;
/// not a cryptographic hash.
fn checksum(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut hash = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    for &byte in chunks.remainder() {
        hash = (hash.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_changes_when_one_byte_changes() {
        let mut data = vec![7u8; 1000];
        let before = checksum(&data);
        data[503] ^= 1;
        assert_ne!(before, checksum(&data));
    }

    #[test]
    fn path_is_stable_and_distinguishes_instances() {
        let cache = MetadataCache::new("/tmp/x");
        let a = cache.path_for("https://a.example.com/data");
        assert_eq!(a, cache.path_for("https://a.example.com/data"));
        assert_ne!(a, cache.path_for("https://a.example.com/data2"));
        let name = a.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.starts_with("a.example.com_data-"), "{name}");
        assert!(name.ends_with(".fbmeta"), "{name}");
    }
}
