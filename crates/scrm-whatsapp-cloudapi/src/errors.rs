//! What went wrong talking to the Cloud API, and what the caller should do about it.
//!
//! Meta recommends building error handling on `error.code` (and `details`), not on the
//! HTTP status or the deprecated `error_subcode`; [`classify`] does that, falling back to
//! the status only for codes it does not know.

use serde::Deserialize;
use thiserror::Error;

use crate::message::ValidationError;

/// What the caller should do after a failed send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// 131047: the 24-hour customer service window is closed; send a template instead.
    OutsideWindow,
    /// 130429 (and the other throughput codes): back off, then retry.
    RateLimited,
    /// 131026: the message cannot be delivered to this user; terminal.
    Undeliverable,
    /// 131049: Meta held a marketing message back for ecosystem health; retry after 24 h.
    MarketingCap,
    /// 131056: too many messages to this one user; slow down for that recipient.
    PairRateLimit,
    /// Server errors, 408, 429 without a known code, transport errors and timeouts:
    /// retry with backoff.
    Transient,
    /// Our request was wrong (code 100, other 4xx): terminal, a bug or bad data.
    Invalid,
    /// 401/403, code 190 and other permission or account-level blocks: stop sending and
    /// report, since every further request will fail the same way.
    Auth,
}

impl ErrorClass {
    /// Whether retrying the same request later can succeed.
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::MarketingCap | Self::PairRateLimit | Self::Transient
        )
    }
}

/// Classifies a Meta error answer by its code, then by HTTP status.
pub fn classify(status: u16, code: i64) -> ErrorClass {
    match code {
        131047 => ErrorClass::OutsideWindow,
        // 4: app call limit; 80007: WABA rate limit; 131048: spam rate limit.
        130429 | 4 | 80007 | 131048 => ErrorClass::RateLimited,
        131026 => ErrorClass::Undeliverable,
        131049 => ErrorClass::MarketingCap,
        131056 => ErrorClass::PairRateLimit,
        // 0 AuthException, 3 capability, 10 and 200-299 permissions, 190 expired token;
        // 368 and 131031 are account blocks, which also stop all sending.
        0 | 3 | 10 | 190 | 200..=299 | 368 | 131031 => ErrorClass::Auth,
        // 2 API service down, 131000 something went wrong, 131016 service unavailable,
        // 133004 server temporarily unavailable.
        2 | 131000 | 131016 | 133004 => ErrorClass::Transient,
        100 => ErrorClass::Invalid,
        _ => classify_status(status),
    }
}

/// Classifies by HTTP status alone, for answers without a Meta error code.
pub(crate) fn classify_status(status: u16) -> ErrorClass {
    match status {
        401 | 403 => ErrorClass::Auth,
        408 | 429 | 500..=599 => ErrorClass::Transient,
        _ => ErrorClass::Invalid,
    }
}

/// The `error` object of a Graph API error answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiError {
    /// Meta's error code, e.g. 131047.
    pub code: i64,
    /// Graph API subcode; deprecated, absent from v16.0 on.
    #[serde(default, rename = "error_subcode")]
    pub subcode: Option<i64>,
    /// Graph API exception type, e.g. `OAuthException`.
    #[serde(default, rename = "type")]
    pub error_type: Option<String>,
    /// Message, usually `(#code) Title`.
    #[serde(default)]
    pub message: String,
    /// Title, where Meta sends one (webhook errors and some API errors).
    #[serde(default, alias = "error_user_title")]
    pub title: Option<String>,
    /// `error_data.details`: the most useful part, e.g. which parameter is wrong.
    #[serde(default, rename = "error_data", deserialize_with = "details")]
    pub details: Option<String>,
    /// Meta's trace id, to quote to Meta support.
    #[serde(default)]
    pub fbtrace_id: Option<String>,
}

fn details<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct ErrorData {
        #[serde(default)]
        details: Option<String>,
    }
    Ok(Option::<ErrorData>::deserialize(d)?.and_then(|e| e.details))
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiError,
}

impl ApiError {
    /// Parses a Graph API error body `{"error":{…}}`; `None` when it is not one.
    pub fn parse(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<ErrorEnvelope>(body)
            .ok()
            .map(|e| e.error)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Meta error {}", self.code)?;
        if let Some(sub) = self.subcode {
            write!(f, "/{sub}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(title) = self.title.as_deref().filter(|t| !self.message.contains(t)) {
            write!(f, " [{title}]")?;
        }
        if let Some(details) = &self.details {
            write!(f, " ({details})")?;
        }
        if let Some(trace) = &self.fbtrace_id {
            write!(f, " fbtrace_id={trace}")?;
        }
        Ok(())
    }
}

/// A call to the Cloud API that did not succeed.
#[derive(Debug, Error)]
pub enum SendError {
    /// The message breaks a Cloud API rule; nothing was sent.
    #[error("not sent: {0}")]
    Invalid(#[from] ValidationError),
    /// Meta answered with an error.
    #[error("{endpoint}: HTTP {status}: {error}")]
    Api {
        /// What was called, e.g. `POST messages` (no token, no recipient).
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// Meta's error object.
        error: ApiError,
    },
    /// No answer: connect failure, reset, timeout.
    #[error("{endpoint}: {}: {source}", if *.timeout { "timed out" } else { "transport error" })]
    Transport {
        /// What was called.
        endpoint: &'static str,
        /// Whether the request timed out.
        timeout: bool,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// An answer that is neither the expected success body nor a Graph API error.
    #[error("{endpoint}: HTTP {status}: unexpected answer: {snippet:?}")]
    Unparseable {
        /// What was called.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
}

impl SendError {
    /// What the caller should do next.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Invalid(_) => ErrorClass::Invalid,
            Self::Api { status, error, .. } => classify(*status, error.code),
            Self::Transport { .. } => ErrorClass::Transient,
            // A 200 we cannot read may still have sent the message: do not retry it.
            Self::Unparseable { status, .. } => classify_status(*status),
        }
    }

    /// Meta's error code, when Meta sent one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Unparseable { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn transport(endpoint: &'static str, source: reqwest::Error) -> Self {
        Self::Transport {
            endpoint,
            timeout: source.is_timeout(),
            source,
        }
    }

    /// The error for a non-success answer: Meta's error if the body is one.
    pub(crate) fn from_answer(endpoint: &'static str, status: u16, body: &[u8]) -> Self {
        match ApiError::parse(body) {
            Some(error) => Self::Api {
                endpoint,
                status,
                error,
            },
            None => Self::unparseable(endpoint, status, body),
        }
    }

    pub(crate) fn unparseable(endpoint: &'static str, status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        Self::Unparseable {
            endpoint,
            status,
            snippet: text.chars().take(200).collect(),
        }
    }
}

/// Downloading or re-encoding media failed.
#[derive(Debug, Error)]
pub enum MediaError {
    /// The media id cannot be used in a URL path.
    #[error("media id {id:?} is not a Graph API id")]
    InvalidId {
        /// The id as given.
        id: String,
    },
    /// The URL lookup or the download failed.
    #[error("media {media_id}: {source}")]
    Request {
        /// The media id.
        media_id: String,
        /// What failed (boxed: it is large, and media errors are rare).
        #[source]
        source: Box<SendError>,
    },
    /// The media is larger than the configured maximum.
    #[error("media {media_id}: {size} bytes or more, limit {limit}")]
    TooLarge {
        /// The media id.
        media_id: String,
        /// The size announced or read so far.
        size: u64,
        /// The configured maximum.
        limit: u64,
    },
    /// The download's length differs from the announced `file_size`.
    #[error("media {media_id}: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        /// The media id.
        media_id: String,
        /// `file_size` from the lookup.
        expected: u64,
        /// Bytes received.
        actual: u64,
    },
    /// The download's SHA-256 differs from the announced `sha256`.
    #[error("media {media_id}: sha256 mismatch: expected {expected}, got {actual}")]
    HashMismatch {
        /// The media id.
        media_id: String,
        /// `sha256` from the lookup.
        expected: String,
        /// Hex SHA-256 of the bytes received.
        actual: String,
    },
    /// The bytes are not a decodable image of the declared type.
    #[error("cannot decode {mime_type} image: {source}")]
    Decode {
        /// The declared MIME type.
        mime_type: String,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },
    /// JPEG encoding failed.
    #[error("cannot encode JPEG: {0}")]
    Encode(#[source] image::ImageError),
    /// Even the smallest re-encoding tried is over the limit.
    #[error("cannot bring image under {max_bytes} bytes (smallest try: {smallest} bytes)")]
    CannotFit {
        /// The limit.
        max_bytes: usize,
        /// Size of the smallest encoding produced.
        smallest: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        use ErrorClass::*;
        let table: &[(u16, i64, ErrorClass)] = &[
            (400, 131047, OutsideWindow),
            (429, 130429, RateLimited),
            (400, 130429, RateLimited),
            (400, 80007, RateLimited),
            (400, 131026, Undeliverable),
            (400, 131049, MarketingCap),
            (400, 131056, PairRateLimit),
            (401, 190, Auth),
            (400, 190, Auth),
            (403, 10, Auth),
            (403, 200, Auth),
            (403, 99999, Auth),
            (400, 100, Invalid),
            (500, 100, Invalid),
            (400, 131051, Invalid),
            (404, 99999, Invalid),
            (500, 131000, Transient),
            (503, 131016, Transient),
            (500, 99999, Transient),
            (502, 99999, Transient),
            (408, 99999, Transient),
            (429, 99999, Transient),
        ];
        for &(status, code, want) in table {
            assert_eq!(classify(status, code), want, "HTTP {status} code {code}");
        }
        assert!(RateLimited.is_retriable() && !Undeliverable.is_retriable());
    }

    #[test]
    fn parses_meta_error_json() {
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException",
            "code":131047,"error_subcode":2494010,"title":"Re-engagement message",
            "error_data":{"messaging_product":"whatsapp","details":"More than 24 hours have passed"},
            "fbtrace_id":"Az8or2yhqkZfEZ"}}"#;
        let e = ApiError::parse(body).expect("meta error");
        assert_eq!(e.code, 131047);
        assert_eq!(e.subcode, Some(2494010));
        assert_eq!(e.error_type.as_deref(), Some("OAuthException"));
        assert_eq!(e.details.as_deref(), Some("More than 24 hours have passed"));
        assert_eq!(e.fbtrace_id.as_deref(), Some("Az8or2yhqkZfEZ"));
        let err = SendError::from_answer("POST messages", 400, body);
        assert_eq!(err.class(), ErrorClass::OutsideWindow);
        assert!(
            err.to_string().contains("fbtrace_id=Az8or2yhqkZfEZ"),
            "{err}"
        );

        let minimal = ApiError::parse(br#"{"error":{"code":100}}"#).expect("minimal");
        assert_eq!(minimal.details, None);
        assert!(ApiError::parse(b"<html>502</html>").is_none());
        let bad = SendError::from_answer("POST messages", 502, b"<html>502</html>");
        assert_eq!(bad.class(), ErrorClass::Transient);
        let odd_ok = SendError::unparseable("POST messages", 200, b"{}");
        assert_eq!(odd_ok.class(), ErrorClass::Invalid);
    }
}
