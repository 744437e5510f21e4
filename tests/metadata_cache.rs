//! The on-disk metadata cache: round trip, identity of the source, version mismatch and
//! damaged files.

mod support;

use flowbench::odata::metadata::cache::{
    CACHE_FORMAT_VERSION, CachedMetadata, MetadataCache, decode, encode, source_digest,
};
use flowbench::odata::metadata::parse_metadata;
use support::fixture;

const INSTANCE: &str = "https://contoso.operations.dynamics.com";

fn entry_for(relative: &str) -> (Vec<u8>, CachedMetadata) {
    let bytes = fixture(relative);
    let model = parse_metadata(&bytes).expect("fixture parses");
    let entry = CachedMetadata {
        source_sha256: source_digest(&bytes),
        etag: Some("W/\"abc123\"".to_owned()),
        last_modified: Some("Tue, 24 Nov 2026 02:00:00 GMT".to_owned()),
        model,
    };
    (bytes, entry)
}

#[test]
fn store_then_load_returns_the_same_model_and_validators() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = MetadataCache::new(dir.path().join("nested/cache"));
    let (bytes, entry) = entry_for("fno/fno_trimmed_sales_ntrtd.xml");
    assert!(cache.load(INSTANCE).is_none(), "nothing stored yet");
    cache.store(INSTANCE, &entry).expect("stored");
    let loaded = cache.load(INSTANCE).expect("loads");
    assert_eq!(loaded, entry);
    assert!(loaded.matches_source(&bytes));
    assert!(!loaded.matches_source(b"<edmx:Edmx/>"));
    assert_eq!(loaded.etag.as_deref(), Some("W/\"abc123\""));
    // only the final file remains: the temporary file was renamed
    let files: Vec<_> = std::fs::read_dir(cache.dir()).expect("dir").collect();
    assert_eq!(files.len(), 1);
    assert!(cache.load("https://other.example.com").is_none());
}

#[test]
fn storing_again_replaces_the_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = MetadataCache::new(dir.path());
    let (_, first) = entry_for("reference/trippin_v4_SimpleOData.xml");
    let (_, second) = entry_for("reference/northwind_v4_SimpleOData.xml");
    cache.store(INSTANCE, &first).expect("stored");
    cache.store(INSTANCE, &second).expect("stored again");
    assert_eq!(cache.load(INSTANCE), Some(second));
    cache.remove(INSTANCE).expect("removed");
    assert!(cache.load(INSTANCE).is_none());
    cache.remove(INSTANCE).expect("removing twice is fine");
}

#[test]
fn another_format_version_is_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = MetadataCache::new(dir.path());
    let (_, entry) = entry_for("reference/trippin_v4_SimpleOData.xml");
    cache.store(INSTANCE, &entry).expect("stored");
    let path = cache.path_for(INSTANCE);
    let mut bytes = std::fs::read(&path).expect("read");
    let version_at = 8;
    assert_eq!(
        bytes[version_at..version_at + 4],
        CACHE_FORMAT_VERSION.to_le_bytes()
    );
    bytes[version_at..version_at + 4].copy_from_slice(&(CACHE_FORMAT_VERSION + 1).to_le_bytes());
    std::fs::write(&path, &bytes).expect("write");
    assert!(cache.load(INSTANCE).is_none());
}

#[test]
fn damaged_files_load_as_none() {
    let (_, entry) = entry_for("sap/cap_library_odata2ts.xml");
    let good = encode(&entry).expect("encodes");
    assert_eq!(decode(&good), Some(entry.clone()));
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    assert!(decode(&flipped).is_none(), "one flipped byte");
    assert!(decode(&good[..good.len() - 1]).is_none(), "truncated");
    assert!(decode(&good[..10]).is_none(), "header only");
    assert!(decode(b"").is_none(), "empty");
    let mut extended = good.clone();
    extended.extend_from_slice(b"junk");
    assert!(decode(&extended).is_none(), "trailing bytes");
    let mut bad_magic = good;
    bad_magic[0] = b'X';
    assert!(decode(&bad_magic).is_none(), "magic");

    let dir = tempfile::tempdir().expect("temp dir");
    let cache = MetadataCache::new(dir.path());
    std::fs::write(cache.path_for(INSTANCE), &flipped).expect("write");
    assert!(cache.load(INSTANCE).is_none());
    std::fs::write(cache.path_for(INSTANCE), "not a cache file at all").expect("write");
    assert!(cache.load(INSTANCE).is_none());
}

#[test]
fn the_entity_sets_load_alone_before_the_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = MetadataCache::new(dir.path());
    let (_, entry) = entry_for("fno/fno_trimmed_sales_ntrtd.xml");
    cache.store(INSTANCE, &entry).expect("stores");
    let expected = flowbench::odata::entity_index::EntityIndex::from_model(&entry.model);
    let entries = cache.load_index(INSTANCE).expect("the index loads");
    assert_eq!(entries, expected.entries());
    assert!(!entries.is_empty());
    // A damaged index section is refused (and so is the whole entry).
    let path = cache.path_for(INSTANCE);
    let mut bytes = std::fs::read(&path).expect("read");
    let header = 8 + 4 + 8 * 4;
    bytes[header + 3] ^= 0x40;
    std::fs::write(&path, &bytes).expect("write");
    assert!(cache.load_index(INSTANCE).is_none());
    assert!(cache.load(INSTANCE).is_none());
    assert!(cache.load_index("https://never.stored.example").is_none());
}
