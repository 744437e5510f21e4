//! A `$metadata` document parsed as it is read (`parse_metadata_streamed`): for every real
//! fixture and for generated documents, at many piece sizes, on one thread and on two, the
//! model is the one `parse_metadata` gives; whenever the usual parse reports an error, a
//! warning or something the pieces cannot vouch for, the streamed parse declines (`None`)
//! instead of answering differently.

mod support;

use std::io;

use flowbench::odata::metadata::{
    ByteSource, Model, ParseOptions, StreamOptions, parse_metadata, parse_metadata_streamed,
    parse_metadata_with,
};
use support::metadata_fixtures;

/// Piece sizes from absurdly small (a piece grows until a `Schema` child starts in it)
/// to larger than any fixture.
const PIECES: [usize; 5] = [64, 300, 1000, 4096, 1 << 20];

fn options(piece_bytes: usize, two_threads: bool) -> StreamOptions {
    StreamOptions {
        piece_bytes,
        two_threads_from: if two_threads { 0 } else { u64::MAX },
    }
}

/// Every way of streaming `bytes`, each checked against the usual parse. Returns how many
/// of them answered (the others declined).
fn streamed_matches_usual(bytes: &[u8], what: &str) -> usize {
    let usual = parse_metadata(bytes);
    let single = parse_metadata_with(
        bytes,
        &ParseOptions {
            parallel_min_bytes: usize::MAX,
        },
    );
    assert_eq!(usual, single, "{what}: the usual parse is deterministic");
    let mut answered = 0;
    for piece in PIECES {
        for two_threads in [false, true] {
            let streamed =
                parse_metadata_streamed(bytes, bytes.len() as u64, &options(piece, two_threads));
            if let Some(model) = streamed {
                answered += 1;
                let usual = usual.as_ref().unwrap_or_else(|e| {
                    panic!("{what}: streamed answered where the usual parse fails: {e}")
                });
                assert_eq!(
                    &model, usual,
                    "{what}: piece {piece}, two threads {two_threads}"
                );
            }
        }
    }
    answered
}

#[test]
fn every_fixture_streams_to_the_usual_model() {
    let fixtures = metadata_fixtures();
    assert!(fixtures.len() >= 10, "fixtures found: {}", fixtures.len());
    let mut clean = 0;
    for path in fixtures {
        let bytes = std::fs::read(&path).expect("fixture");
        let what = path.display().to_string();
        let answered = streamed_matches_usual(&bytes, &what);
        let usual = parse_metadata(&bytes).expect("fixtures parse");
        if usual.warnings.is_empty() {
            clean += 1;
        }
        // No fixture has a comment a piece could end in, or a warning: each is streamed
        // every way.
        assert_eq!(answered, PIECES.len() * 2, "{what}: streamed every way");
    }
    assert!(clean >= 5, "clean fixtures: {clean}");
}

/// An F&O-shaped document: byte-order mark, enums, many entity types with annotated
/// properties, an out-of-line annotation block, a comment, a container and a second
/// schema.
fn generated(types: usize) -> String {
    let mut text = String::from("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    text.push_str("<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>\n");
    text.push_str(
        "<Schema Namespace=\"D\" Alias=\"d\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
    );
    text.push_str("<EnumType Name=\"NoYes\"><Member Name=\"No\" Value=\"0\"/><Member Name=\"Yes\" Value=\"1\"><Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS1\"/></Member></EnumType>\n");
    for i in 0..types {
        text.push_str(&format!(
            "  <EntityType Name=\"T{i}\">\n    <Key><PropertyRef Name=\"Id\"/></Key>\n    \
             <Property Name=\"Id\" Type=\"Edm.String\" Nullable=\"false\" MaxLength=\"20\">\n      \
             <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS{i}\"/>\n    </Property>\n    \
             <Property Name=\"Flag\" Type=\"d.NoYes\"/>\n    \
             <Property Name=\"Note\" Type=\"Edm.String\"><Annotation Term=\"Core.Description\"><String>A &amp; B, line\n two</String></Annotation></Property>\n    \
             <NavigationProperty Name=\"Next\" Type=\"D.T{}\"/>\n  </EntityType>\n",
            (i + 1) % types
        ));
        if i == types / 3 {
            text.push_str("  <!-- a comment between two types -->\n");
            text.push_str("  <Annotations Target=\"D.T0\"><Annotation Term=\"Core.Description\" String=\"first\"/></Annotations>\n");
        }
        if i == types / 2 {
            text.push_str("  <ComplexType Name=\"Address\"><Property Name=\"City\" Type=\"Edm.String\"/></ComplexType>\n");
            text.push_str("  <Action Name=\"Post\" IsBound=\"true\"><Parameter Name=\"it\" Type=\"D.T0\"/><ReturnType Type=\"d.Address\"/></Action>\n");
        }
    }
    text.push_str("  <EntityContainer Name=\"C\">\n");
    for i in 0..types {
        text.push_str(&format!(
            "    <EntitySet Name=\"T{i}s\" EntityType=\"D.T{i}\"/>\n"
        ));
    }
    text.push_str("  </EntityContainer>\n</Schema>\n");
    text.push_str(
        "<Schema Namespace=\"Second\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
    );
    text.push_str(
        "  <EntityType Name=\"Other\"><Property Name=\"Ref\" Type=\"D.T0\"/></EntityType>\n",
    );
    text.push_str("  <Term Name=\"Hint\" Type=\"Edm.String\"/>\n</Schema>\n");
    text.push_str("</edmx:DataServices></edmx:Edmx>\n");
    text
}

#[test]
fn generated_documents_stream_to_the_usual_model_every_way() {
    for types in [1, 2, 7, 60] {
        let text = generated(types);
        let what = format!("generated, {types} types");
        let answered = streamed_matches_usual(text.as_bytes(), &what);
        assert_eq!(answered, PIECES.len() * 2, "{what}");
    }
    // Lines of the second thread's types are the document's.
    let text = generated(60);
    let model = parse_metadata_streamed(text.as_bytes(), text.len() as u64, &options(300, true))
        .expect("streamed");
    let last = model.schemas[0].entity_types.last().expect("types");
    let expected = text[..text.find("<EntityType Name=\"T59\"").expect("T59")]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(last.line as usize, expected);
}

/// The pieces do not write down which element refers to a type (half the memory of an
/// F&O document's references), and a warning names it: a dangling reference makes the
/// streamed parse decline, and the usual parse words the warning.
#[test]
fn dangling_references_make_the_streamed_parse_decline() {
    let text = generated(40).replace("Type=\"D.T5\"", "Type=\"D.Missing\"");
    let usual = parse_metadata(text.as_bytes()).expect("valid");
    // The navigation property of T4 and the entity set T5s.
    let expected: Vec<u32> = text
        .match_indices("D.Missing")
        .map(|(at, _)| text[..at].matches('\n').count() as u32 + 1)
        .collect();
    assert_eq!(expected.len(), 2);
    let lines: Vec<u32> = usual.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, expected, "{:?}", usual.warnings);
    assert!(
        usual.warnings[0]
            .message
            .contains("navigation property 'Next' of 'T4'"),
        "{:?}",
        usual.warnings
    );
    for piece in PIECES {
        for two_threads in [false, true] {
            let streamed = parse_metadata_streamed(
                text.as_bytes(),
                text.len() as u64,
                &options(piece, two_threads),
            );
            assert_eq!(streamed, None, "piece {piece}, two threads {two_threads}");
        }
    }
}

#[test]
fn problems_make_the_streamed_parse_decline() {
    let text = generated(40);
    let cases = [
        (
            "truncated",
            text[..text.find("<EntityType Name=\"T30\"").expect("T30")].to_owned(),
        ),
        (
            "malformed late",
            text.replace("<EntityType Name=\"T33\">", "<EntityType Name=\"T33\" Bad>"),
        ),
        (
            "malformed early",
            text.replace("<EntityType Name=\"T2\">", "<EntityType Name=\"T2\" <>"),
        ),
        (
            "a second container",
            text.replace(
                "  </EntityContainer>\n",
                "  </EntityContainer>\n  <EntityContainer Name=\"Again\"/>\n",
            ),
        ),
        (
            "a wrong end tag for the schema",
            text.replacen("</Schema>", "</Schemas>", 1),
        ),
        // A piece may end inside the comment: the piece before it is then malformed, and
        // the streamed parse declines rather than answer differently.
        (
            "a start tag in a comment",
            text.replace(
                "<EntityType Name=\"T20\">",
                "<!-- --><EntityType Name=\"T20\"><!-- <EntityType Name=\"X\"> -->",
            ),
        ),
    ];
    for (what, broken) in cases {
        streamed_matches_usual(broken.as_bytes(), what);
        let usual = parse_metadata(broken.as_bytes());
        if usual.as_ref().is_ok_and(|m| m.warnings.is_empty()) {
            continue;
        }
        for piece in PIECES {
            for two_threads in [false, true] {
                let streamed = parse_metadata_streamed(
                    broken.as_bytes(),
                    broken.len() as u64,
                    &options(piece, two_threads),
                );
                assert!(streamed.is_none(), "{what}: piece {piece}");
            }
        }
    }
}

/// A source that fails, or ends before its announced length.
struct Faulty {
    bytes: Vec<u8>,
    fail_from: u64,
}

impl ByteSource for Faulty {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if offset >= self.fail_from {
            return Err(io::Error::other("disk gone"));
        }
        self.bytes.as_slice().read_at(buf, offset)
    }
}

#[test]
fn read_errors_and_short_sources_decline() {
    let text = generated(40);
    let len = text.len() as u64;
    for two_threads in [false, true] {
        let failing = Faulty {
            bytes: text.clone().into_bytes(),
            fail_from: len / 3,
        };
        assert!(parse_metadata_streamed(&failing, len, &options(300, two_threads)).is_none());
        // The file shrank after its length was read.
        let short = &text.as_bytes()[..text.len() - 100];
        assert!(parse_metadata_streamed(short, len, &options(300, two_threads)).is_none());
    }
    let whole = Faulty {
        bytes: text.clone().into_bytes(),
        fail_from: u64::MAX,
    };
    let model: Model = parse_metadata_streamed(&whole, len, &options(300, true)).expect("reads");
    assert_eq!(model, parse_metadata(text.as_bytes()).expect("valid"));
}
