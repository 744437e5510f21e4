use super::*;

const CSV: &str = "dataAreaId,CustomerGroupId,Description\nusmf,BULK-1,\"First, with comma\"\nusmf,BULK-2,Second\n";

#[test]
fn a_package_built_from_csv_reads_back_the_same() {
    let package = Package::from_csv("CustomerGroups", CSV.as_bytes(), "rows.csv").unwrap();
    let zip = package.to_zip().unwrap();
    let back = Package::from_zip(&zip, "PKG.zip").unwrap();
    assert_eq!(back, package);
    let data = back.entity("customergroups").unwrap();
    assert_eq!(data.file, "CustomerGroups.csv");
    assert_eq!(
        data.header,
        ["dataAreaId", "CustomerGroupId", "Description"]
    );
    assert_eq!(data.rows[0][2], "First, with comma");
    assert_eq!(data.rows.len(), 2);
}

#[test]
fn the_zip_holds_manifest_header_and_one_csv_per_entity() {
    let zip = Package::from_csv("CustomerGroups", CSV.as_bytes(), "rows.csv")
        .unwrap()
        .to_zip()
        .unwrap();
    let mut archive = archive::Archive::open(&zip, "PKG.zip").unwrap();
    assert_eq!(
        archive.names(),
        ["Manifest.xml", "PackageHeader.xml", "CustomerGroups.csv"]
    );
    let manifest = archive.text(MANIFEST).unwrap();
    assert!(manifest.contains("<DataManagementPackageManifest"));
    assert!(manifest.contains("<InputFilePath>CustomerGroups.csv</InputFilePath>"));
    assert!(manifest.contains("<OperationType>Import</OperationType>"));
    let header = archive.text(PACKAGE_HEADER).unwrap();
    assert!(header.contains("<PackageType>Definition group</PackageType>"));
    assert!(
        archive
            .bytes("CustomerGroups.csv")
            .unwrap()
            .starts_with(b"\xEF\xBB\xBF")
    );
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, t)| ((*n).to_owned(), t.as_bytes().to_vec()))
        .collect();
    archive::write(&files).unwrap()
}

#[test]
fn a_malformed_manifest_is_named_with_its_line() {
    let zip = zip_of(&[(
        "Manifest.xml",
        "<?xml version=\"1.0\"?>\n<DataManagementPackageManifest>\n  <PackageEntityList>\n</Oops>",
    )]);
    let err = Package::from_zip(&zip, "PKG.zip").unwrap_err();
    assert!(err.at.starts_with("PKG.zip/Manifest.xml:4"), "{err}");
    assert!(err.message.contains("well-formed XML"), "{err}");
}

#[test]
fn a_missing_data_file_names_the_manifest_and_the_file() {
    let package = Package::from_csv("CustomerGroups", CSV.as_bytes(), "rows.csv").unwrap();
    let zip = zip_of(&[("Manifest.xml", &manifest_xml(&package))]);
    let err = Package::from_zip(&zip, "PKG.zip").unwrap_err();
    assert_eq!(err.at, "PKG.zip/Manifest.xml");
    assert!(err.message.contains("'CustomerGroups.csv'"), "{err}");
}

#[test]
fn a_ragged_row_names_the_data_file_and_line() {
    let package = Package::from_csv("CustomerGroups", CSV.as_bytes(), "rows.csv").unwrap();
    let zip = zip_of(&[
        ("Manifest.xml", &manifest_xml(&package)),
        (
            "CustomerGroups.csv",
            "dataAreaId,CustomerGroupId\nusmf,A\nusmf\n",
        ),
    ]);
    let err = Package::from_zip(&zip, "PKG.zip").unwrap_err();
    assert_eq!(
        err.to_string(),
        "PKG.zip/CustomerGroups.csv:3: expected 2 cells (one per header field), found 1"
    );
}

#[test]
fn no_manifest_and_not_a_zip_are_told_apart() {
    let zip = zip_of(&[("readme.txt", "hi")]);
    let err = Package::from_zip(&zip, "PKG.zip").unwrap_err();
    assert!(
        err.message.contains("expected a file named Manifest.xml"),
        "{err}"
    );
    let err = Package::from_zip(b"not a zip", "PKG.zip").unwrap_err();
    assert!(err.message.contains("zip archive"), "{err}");
}

#[test]
fn an_empty_csv_or_a_blank_field_name_is_refused() {
    let err = Package::from_csv("CustomerGroups", b"", "rows.csv").unwrap_err();
    assert!(err.message.contains("header row"), "{err}");
    let err = Package::from_csv("CustomerGroups", b"a,,c\n", "rows.csv").unwrap_err();
    assert_eq!(
        err.to_string(),
        "rows.csv:1: expected a field name in column 2, found an empty cell"
    );
}
