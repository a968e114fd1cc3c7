//! The subscription handshake: when a webhook URL is saved in the Meta app dashboard, Meta
//! sends `GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<challenge>` and
//! expects the challenge echoed back with status 200 if the token is the one configured.
//!
//! The HTTP server decodes the query string and hands the three values here; on `Ok` it
//! answers 200 with the challenge as a `text/plain` body, on `Err` 403.

use subtle::ConstantTimeEq;
use thiserror::Error;

/// The longest challenge echoed back. Meta's are short decimal strings; the bound keeps a
/// caller from using the endpoint as a reflector for large payloads.
pub const MAX_CHALLENGE_LEN: usize = 256;

/// Why a subscription handshake was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// `hub.mode` is absent.
    #[error("hub.mode is missing: not a webhook verification request")]
    MissingMode,
    /// `hub.mode` is something other than `subscribe`.
    #[error("hub.mode is `{found}`, expected `subscribe`")]
    WrongMode {
        /// The mode received, cut at 32 characters.
        found: String,
    },
    /// The service has no verify token configured, so no request can match it.
    #[error("no verify token is configured: set one here and in the Meta app dashboard")]
    NoTokenConfigured,
    /// `hub.verify_token` is absent.
    #[error("hub.verify_token is missing")]
    MissingToken,
    /// `hub.verify_token` differs from the configured token.
    #[error(
        "hub.verify_token does not match: the token in the Meta app dashboard must equal the \
         configured verify token"
    )]
    TokenMismatch,
    /// `hub.challenge` is absent or empty.
    #[error("hub.challenge is missing or empty")]
    MissingChallenge,
    /// `hub.challenge` is longer than [`MAX_CHALLENGE_LEN`].
    #[error("hub.challenge is {len} characters long; at most {MAX_CHALLENGE_LEN} are echoed")]
    ChallengeTooLong {
        /// Its length in characters.
        len: usize,
    },
    /// `hub.challenge` holds whitespace, control or non-ASCII characters, which Meta never
    /// sends and which have no business in a reflected response.
    #[error("hub.challenge must be printable ASCII without spaces")]
    ChallengeNotPrintable,
}

/// Answers Meta's verification request: returns the challenge to echo when `mode` is
/// `subscribe`, `token` equals `expected_token` (compared in constant time) and the
/// challenge is present, non-empty, at most [`MAX_CHALLENGE_LEN`] characters and printable
/// ASCII.
///
/// ```
/// use scrm_whatsapp_webhook::{verify_subscription, HandshakeError};
///
/// let echo = verify_subscription(Some("subscribe"), Some("s3cr3t"), Some("1158201444"), "s3cr3t");
/// assert_eq!(echo.as_deref(), Ok("1158201444"));
/// assert_eq!(
///     verify_subscription(Some("subscribe"), Some("guess"), Some("1158201444"), "s3cr3t"),
///     Err(HandshakeError::TokenMismatch)
/// );
/// ```
pub fn verify_subscription(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_token: &str,
) -> Result<String, HandshakeError> {
    match mode {
        None => return Err(HandshakeError::MissingMode),
        Some("subscribe") => {}
        Some(other) => {
            return Err(HandshakeError::WrongMode {
                found: other.chars().take(32).collect(),
            })
        }
    }
    if expected_token.is_empty() {
        return Err(HandshakeError::NoTokenConfigured);
    }
    let token = token.ok_or(HandshakeError::MissingToken)?;
    if !bool::from(token.as_bytes().ct_eq(expected_token.as_bytes())) {
        return Err(HandshakeError::TokenMismatch);
    }
    let challenge = challenge
        .filter(|c| !c.is_empty())
        .ok_or(HandshakeError::MissingChallenge)?;
    let len = challenge.chars().count();
    if len > MAX_CHALLENGE_LEN {
        return Err(HandshakeError::ChallengeTooLong { len });
    }
    if !challenge.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HandshakeError::ChallengeNotPrintable);
    }
    Ok(challenge.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "scrm-verify-7f3a9c";

    fn verify(
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Result<String, HandshakeError> {
        verify_subscription(mode, token, challenge, TOKEN)
    }

    #[test]
    fn echoes_the_challenge() {
        assert_eq!(
            verify(Some("subscribe"), Some(TOKEN), Some("1158201444")),
            Ok("1158201444".to_owned())
        );
        let longest = "9".repeat(MAX_CHALLENGE_LEN);
        assert_eq!(
            verify(Some("subscribe"), Some(TOKEN), Some(&longest)),
            Ok(longest.clone())
        );
    }

    #[test]
    fn refuses_a_missing_or_wrong_mode() {
        assert_eq!(
            verify(None, Some(TOKEN), Some("1")),
            Err(HandshakeError::MissingMode)
        );
        assert_eq!(
            verify(Some("unsubscribe"), Some(TOKEN), Some("1")),
            Err(HandshakeError::WrongMode {
                found: "unsubscribe".into()
            })
        );
        assert!(matches!(
            verify(Some("Subscribe"), Some(TOKEN), Some("1")),
            Err(HandshakeError::WrongMode { .. })
        ));
    }

    #[test]
    fn refuses_a_missing_or_wrong_token() {
        assert_eq!(
            verify(Some("subscribe"), None, Some("1")),
            Err(HandshakeError::MissingToken)
        );
        for wrong in [
            "",
            "scrm-verify-7f3a9",
            "scrm-verify-7f3a9c ",
            "SCRM-VERIFY-7F3A9C",
        ] {
            assert_eq!(
                verify(Some("subscribe"), Some(wrong), Some("1")),
                Err(HandshakeError::TokenMismatch),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn refuses_everything_when_no_token_is_configured() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some(""), Some("1"), ""),
            Err(HandshakeError::NoTokenConfigured)
        );
    }

    #[test]
    fn refuses_a_missing_empty_long_or_unprintable_challenge() {
        let ok = (Some("subscribe"), Some(TOKEN));
        assert_eq!(
            verify(ok.0, ok.1, None),
            Err(HandshakeError::MissingChallenge)
        );
        assert_eq!(
            verify(ok.0, ok.1, Some("")),
            Err(HandshakeError::MissingChallenge)
        );
        let long = "1".repeat(MAX_CHALLENGE_LEN + 1);
        assert_eq!(
            verify(ok.0, ok.1, Some(&long)),
            Err(HandshakeError::ChallengeTooLong { len: 257 })
        );
        for bad in ["12 34", "<script>\n", "挑戰", "a\u{0}b"] {
            assert_eq!(
                verify(ok.0, ok.1, Some(bad)),
                Err(HandshakeError::ChallengeNotPrintable),
                "{bad:?}"
            );
        }
    }
}
