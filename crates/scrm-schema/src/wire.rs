//! The two framings of an Avro datum on the wire.
//!
//! - Avro single-object encoding (the default): `C3 01`, then the writer schema's
//!   CRC-64-AVRO fingerprint as 8 little-endian bytes, then the datum. Records name their
//!   schema without a registry.
//! - Confluent wire format (when a registry is configured): `00`, then the registry's
//!   schema id as 4 big-endian bytes, then the datum.

use crate::CodecError;

const SINGLE_OBJECT_MAGIC: [u8; 2] = [0xC3, 0x01];
const CONFLUENT_MAGIC: u8 = 0x00;

/// Which writer schema a record names in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriterRef {
    Fingerprint(u64),
    RegistryId(u32),
}

/// Splits a framed record into its writer reference and its datum.
pub fn split(bytes: &[u8]) -> Result<(WriterRef, &[u8]), CodecError> {
    match bytes {
        [] => Err(CodecError::Empty),
        [0xC3, 0x01, rest @ ..] => {
            let fp: [u8; 8] =
                rest.get(..8)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(CodecError::Truncated {
                        what: "single-object header",
                        needed: 10,
                        available: bytes.len(),
                    })?;
            Ok((WriterRef::Fingerprint(u64::from_le_bytes(fp)), &rest[8..]))
        }
        [CONFLUENT_MAGIC, rest @ ..] => {
            let id: [u8; 4] =
                rest.get(..4)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(CodecError::Truncated {
                        what: "Confluent header",
                        needed: 5,
                        available: bytes.len(),
                    })?;
            Ok((WriterRef::RegistryId(u32::from_be_bytes(id)), &rest[4..]))
        }
        _ => Err(CodecError::UnknownMagic {
            found: bytes
                .iter()
                .take(2)
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" "),
        }),
    }
}

/// Writes the header for `writer` into a fresh buffer, leaving room for the datum.
pub fn header(writer: WriterRef, datum_len_hint: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 + datum_len_hint);
    match writer {
        WriterRef::Fingerprint(fp) => {
            out.extend_from_slice(&SINGLE_OBJECT_MAGIC);
            out.extend_from_slice(&fp.to_le_bytes());
        }
        WriterRef::RegistryId(id) => {
            out.push(CONFLUENT_MAGIC);
            out.extend_from_slice(&id.to_be_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn headers_round_trip(fp in any::<u64>(), id in any::<u32>(), body in proptest::collection::vec(any::<u8>(), 0..64)) {
            for writer in [WriterRef::Fingerprint(fp), WriterRef::RegistryId(id)] {
                let mut framed = header(writer, body.len());
                framed.extend_from_slice(&body);
                let (back, datum) = split(&framed).unwrap();
                prop_assert_eq!(back, writer);
                prop_assert_eq!(datum, &body[..]);
            }
        }

        #[test]
        fn split_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
            let _ = split(&bytes);
        }
    }

    #[test]
    fn short_and_foreign_headers_are_named() {
        assert!(matches!(split(&[]), Err(CodecError::Empty)));
        assert!(matches!(
            split(&[0xC3, 0x01, 1, 2]),
            Err(CodecError::Truncated { needed: 10, .. })
        ));
        assert!(matches!(
            split(&[0, 1]),
            Err(CodecError::Truncated { needed: 5, .. })
        ));
        let err = split(b"{\"json\": true}").unwrap_err().to_string();
        assert!(err.contains("7B 22"), "{err}");
    }
}
