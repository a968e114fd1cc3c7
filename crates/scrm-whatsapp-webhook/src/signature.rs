//! The `X-Hub-Signature-256` check: Meta signs every webhook POST with HMAC-SHA256 of the
//! raw body, keyed with the app secret, and sends `sha256=<64 hex digits>`.
//!
//! The check runs on the bytes as received, before any JSON parsing: re-serialising the
//! body would change whitespace or escapes and break the signature. The digest comparison
//! is constant-time (`hmac`'s `verify_slice`), so a forger learns nothing from how long a
//! rejection takes.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

type HmacSha256 = Hmac<Sha256>;

/// The header Meta puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// The prefix of the header value, naming the algorithm.
const PREFIX: &str = "sha256=";

/// Hex digits in a SHA-256 digest.
const HEX_LEN: usize = 64;

/// Why a webhook POST failed the signature check. Every case means "do not process the
/// body"; answer 401 or 403 and let Meta retry. The messages say what an operator should
/// look at.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header (or an empty one).
    #[error(
        "missing X-Hub-Signature-256 header: the request was not signed by Meta, or a proxy \
         dropped the header"
    )]
    Missing,
    /// The header does not start with `sha256=`.
    #[error(
        "X-Hub-Signature-256 must start with `sha256=`, found `{found}`: is this the \
         X-Hub-Signature (SHA-1) header?"
    )]
    WrongPrefix {
        /// The start of the header value, cut at 16 characters.
        found: String,
    },
    /// The part after `sha256=` is not 64 hexadecimal digits.
    #[error("X-Hub-Signature-256 is not `sha256=` followed by 64 hex digits: {reason}")]
    NotHex {
        /// What is wrong with it (length or a non-hex character).
        reason: String,
    },
    /// A well-formed signature that does not match the body.
    #[error(
        "X-Hub-Signature-256 does not match the body: check that the app secret is the one \
         of the Meta app that owns this webhook, and that nothing re-encoded the body"
    )]
    Mismatch,
}

/// The keyed MAC. `None` cannot happen (HMAC takes keys of any length, hashing long ones),
/// but keeping it an `Option` keeps every function here total without a panic path.
fn keyed(app_secret: &[u8]) -> Option<HmacSha256> {
    HmacSha256::new_from_slice(app_secret).ok()
}

/// Checks the `X-Hub-Signature-256` header of a webhook POST against the raw `body`.
///
/// `header` is the header value as received (`None` when absent). The prefix and the hex
/// digits may be in either case; surrounding whitespace is ignored.
///
/// ```
/// use scrm_whatsapp_webhook::{sign, verify_signature, SignatureError};
///
/// let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
/// let header = sign(b"app-secret", body);
/// assert!(verify_signature(b"app-secret", Some(&header), body).is_ok());
/// assert_eq!(
///     verify_signature(b"other-secret", Some(&header), body),
///     Err(SignatureError::Mismatch)
/// );
/// ```
pub fn verify_signature(
    app_secret: &[u8],
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let header = header.map(str::trim).unwrap_or_default();
    if header.is_empty() {
        return Err(SignatureError::Missing);
    }
    let hex_digits = match header.get(..PREFIX.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(PREFIX) => {
            header.get(PREFIX.len()..).unwrap_or_default()
        }
        _ => {
            return Err(SignatureError::WrongPrefix {
                found: header.chars().take(16).collect(),
            })
        }
    };
    let expected = decode_digest(hex_digits)?;
    let mut mac = keyed(app_secret).ok_or(SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The 32 digest bytes of 64 hex digits, either case.
fn decode_digest(digits: &str) -> Result<[u8; 32], SignatureError> {
    if digits.len() != HEX_LEN {
        return Err(SignatureError::NotHex {
            reason: format!("expected {HEX_LEN} hex digits, found {}", digits.len()),
        });
    }
    let mut digest = [0u8; 32];
    hex::decode_to_slice(digits, &mut digest).map_err(|e| SignatureError::NotHex {
        reason: e.to_string(),
    })?;
    Ok(digest)
}

/// The `X-Hub-Signature-256` header value Meta would send for `body`: `sha256=` followed
/// by the lowercase hex HMAC-SHA256. For tests, benchmarks and replaying captured bodies.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let digest = keyed(app_secret)
        .map(|mut mac| {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        })
        .unwrap_or_default();
    format!("{PREFIX}{digest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"6f1c0d6e2b7a4c55a0f3b9d2e1c8a7f4";
    const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;

    #[test]
    fn signs_like_the_rfc_4231_vectors() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block size is hashed first.
        assert_eq!(
            sign(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn accepts_a_valid_signature_in_either_case() {
        let header = sign(SECRET, BODY);
        assert_eq!(verify_signature(SECRET, Some(&header), BODY), Ok(()));
        let upper = format!("sha256={}", header[7..].to_ascii_uppercase());
        assert_eq!(verify_signature(SECRET, Some(&upper), BODY), Ok(()));
        let padded = format!("  {header}\t");
        assert_eq!(verify_signature(SECRET, Some(&padded), BODY), Ok(()));
    }

    #[test]
    fn rejects_a_missing_or_empty_header() {
        assert_eq!(
            verify_signature(SECRET, None, BODY),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(SECRET, Some("  "), BODY),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn rejects_the_wrong_secret_and_a_tampered_body() {
        let header = sign(SECRET, BODY);
        assert_eq!(
            verify_signature(b"not-the-secret", Some(&header), BODY),
            Err(SignatureError::Mismatch)
        );
        let mut tampered = BODY.to_vec();
        if let Some(b) = tampered.get_mut(10) {
            *b ^= 0x01;
        }
        assert_eq!(
            verify_signature(SECRET, Some(&header), &tampered),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(SECRET, Some(&header), b""),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn rejects_a_sha1_header() {
        let err = verify_signature(
            SECRET,
            Some("sha1=2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
            BODY,
        );
        assert_eq!(
            err,
            Err(SignatureError::WrongPrefix {
                found: "sha1=2fd4e1c67a2".into()
            })
        );
        let message = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("X-Hub-Signature (SHA-1)"), "{message}");
    }

    #[test]
    fn rejects_digits_that_are_not_hex_or_the_wrong_length() {
        let header = sign(SECRET, BODY);
        let bad_char = format!("{}g", &header[..header.len() - 1]);
        assert!(matches!(
            verify_signature(SECRET, Some(&bad_char), BODY),
            Err(SignatureError::NotHex { .. })
        ));
        let short = &header[..header.len() - 2];
        let err = verify_signature(SECRET, Some(short), BODY);
        assert_eq!(
            err,
            Err(SignatureError::NotHex {
                reason: "expected 64 hex digits, found 62".into()
            })
        );
        // A multi-byte character must not split a slice boundary.
        assert!(verify_signature(SECRET, Some("sha25é"), BODY).is_err());
        assert!(verify_signature(SECRET, Some("sha256=é"), BODY).is_err());
    }
}
