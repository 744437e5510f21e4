//! Minimal base64 (RFC 4648) encoding and decoding for `Edm.Binary`, both alphabets.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes with the standard alphabet and `=` padding (what .NET servers read in JSON).
pub fn encode_standard(bytes: &[u8]) -> String {
    encode(bytes, STANDARD)
}

/// Encodes with the URL-safe alphabet and padding (the OData URL literal form).
pub fn encode_url_safe(bytes: &[u8]) -> String {
    encode(bytes, URL_SAFE)
}

fn encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes either alphabet, padding optional, ASCII whitespace ignored; `None` when invalid.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let unpadded: &[u8] = {
        let end = symbols
            .iter()
            .rposition(|&b| b != b'=')
            .map_or(0, |p| p + 1);
        if symbols.len() - end > 2 || (symbols.len() != end && !symbols.len().is_multiple_of(4)) {
            return None;
        }
        &symbols[..end]
    };
    if unpadded.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() * 3 / 4);
    for chunk in unpadded.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                _ => return None,
            };
            n |= u32::from(v) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode_standard(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode(encoded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
        }
    }

    #[test]
    fn both_alphabets() {
        let bytes = [0xfb, 0xff, 0xbf];
        assert_eq!(encode_standard(&bytes), "+/+/");
        assert_eq!(encode_url_safe(&bytes), "-_-_");
        assert_eq!(decode("-_-_").unwrap(), bytes);
        assert_eq!(decode("+/+/").unwrap(), bytes);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["Z", "Zm9v!", "Zg===", "Z=g="] {
            assert!(decode(bad).is_none(), "{bad}");
        }
    }
}
