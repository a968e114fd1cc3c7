//! The HTTP side: sending messages, downloading media, probing the API.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::{check_segment, CloudApiConfig, ConfigError};
use crate::errors::{MediaError, SendError};
use crate::health::EndpointHealth;
use crate::message::{request_json, OutgoingMessage};
use scrm_identity::mask_key;

const SEND: &str = "POST messages";
const MEDIA_URL: &str = "GET media url";
const MEDIA_DOWNLOAD: &str = "GET media download";
const PROBE: &str = "GET phone number";

/// A message the Cloud API accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// WhatsApp message id (`wamid.…`); status webhooks refer to it.
    pub wamid: String,
}

/// A downloaded media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// The file.
    pub bytes: Vec<u8>,
    /// MIME type from the lookup, e.g. `image/jpeg`.
    pub mime_type: String,
    /// SHA-256 announced by the lookup, as Meta sent it.
    pub sha256: Option<String>,
    /// Size announced by the lookup.
    pub file_size: Option<u64>,
}

/// Cloud API client of one business phone number. Cheap to clone; clones share the
/// connection pool and the [`EndpointHealth`].
#[derive(Debug, Clone)]
pub struct CloudClient {
    http: reqwest::Client,
    config: Arc<CloudApiConfig>,
    health: Arc<EndpointHealth>,
}

#[derive(Deserialize)]
struct SendAnswer {
    #[serde(default)]
    messages: Vec<MessageId>,
}

#[derive(Deserialize)]
struct MessageId {
    id: String,
}

#[derive(Deserialize)]
struct MediaLookup {
    url: String,
    #[serde(default)]
    mime_type: String,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default, deserialize_with = "number_or_string")]
    file_size: Option<u64>,
}

/// Meta's reference shows `"file_size": "303833"`; accept a number as well.
fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Number(u64),
        Text(String),
    }
    match Option::<Size>::deserialize(d)? {
        None => Ok(None),
        Some(Size::Number(n)) => Ok(Some(n)),
        Some(Size::Text(s)) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl CloudClient {
    /// A client for `config`, starting on its primary endpoint.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an invalid configuration or when TLS cannot be set up.
    pub fn new(config: CloudApiConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let health = EndpointHealth::new(config.base_url.clone(), config.backup_url.clone())
            .with_threshold(config.slow_probe);
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(ConfigError::Http)?;
        Ok(Self {
            http,
            config: Arc::new(config),
            health: Arc::new(health),
        })
    }

    /// The endpoint health this client routes by; feed it with [`run_prober`].
    ///
    /// [`run_prober`]: crate::run_prober
    pub fn health(&self) -> &Arc<EndpointHealth> {
        &self.health
    }

    /// The configuration.
    pub fn config(&self) -> &CloudApiConfig {
        &self.config
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.config.access_token.expose())
    }

    fn graph_url(&self, base: &str, path: &str) -> String {
        format!("{base}/{}/{path}", self.config.api_version)
    }

    /// Sends one message to the current endpoint.
    ///
    /// # Errors
    ///
    /// [`SendError`]; [`SendError::class`] says what to do about it.
    pub async fn send(&self, msg: &OutgoingMessage) -> Result<Sent, SendError> {
        let body = request_json(msg)?;
        let url = self.graph_url(
            self.health.current(),
            &format!("{}/messages", self.config.phone_number_id),
        );
        let answer = self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(&body)
            .send()
            .await
            .map_err(|e| SendError::transport(SEND, e))?;
        let status = answer.status().as_u16();
        let bytes = answer
            .bytes()
            .await
            .map_err(|e| SendError::transport(SEND, e))?;
        if !(200..300).contains(&status) {
            let err = SendError::from_answer(SEND, status, &bytes);
            tracing::debug!(to = %mask_key(&msg.to), error = %err, "cloud api send failed");
            return Err(err);
        }
        let wamid = serde_json::from_slice::<SendAnswer>(&bytes)
            .ok()
            .and_then(|a| a.messages.into_iter().next())
            .map(|m| m.id)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| SendError::unparseable(SEND, status, &bytes))?;
        tracing::debug!(to = %mask_key(&msg.to), %wamid, "cloud api send accepted");
        Ok(Sent { wamid })
    }

    /// Probes the primary endpoint (not the current one) with
    /// `GET /{version}/{phone-number-id}?fields=id` and returns how long it took.
    ///
    /// # Errors
    ///
    /// [`SendError`] when the probe fails or answers something else than the id.
    pub async fn probe(&self) -> Result<Duration, SendError> {
        let url = self.graph_url(self.health.primary(), &self.config.phone_number_id);
        let started = tokio::time::Instant::now();
        let answer = self
            .http
            .get(url)
            .query(&[("fields", "id")])
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|e| SendError::transport(PROBE, e))?;
        let status = answer.status().as_u16();
        let bytes = answer
            .bytes()
            .await
            .map_err(|e| SendError::transport(PROBE, e))?;
        let latency = started.elapsed();
        if !(200..300).contains(&status) {
            return Err(SendError::from_answer(PROBE, status, &bytes));
        }
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        match serde_json::from_slice::<Id>(&bytes) {
            Ok(id) if id.id == self.config.phone_number_id => Ok(latency),
            _ => Err(SendError::unparseable(PROBE, status, &bytes)),
        }
    }

    /// Downloads an inbound media file: looks up its URL on the current endpoint, then
    /// fetches it with the bearer token and checks size and SHA-256 when announced.
    ///
    /// # Errors
    ///
    /// [`MediaError`]: a failed call, a file over `max_media_bytes`, or a size or hash
    /// that does not match the announcement.
    pub async fn fetch_media(&self, media_id: &str) -> Result<MediaFile, MediaError> {
        if check_segment(media_id).is_err() {
            return Err(MediaError::InvalidId {
                id: media_id.to_owned(),
            });
        }
        let request_failed = |source| MediaError::Request {
            media_id: media_id.to_owned(),
            source: Box::new(source),
        };
        let limit = self.config.max_media_bytes;
        let too_large = |size| MediaError::TooLarge {
            media_id: media_id.to_owned(),
            size,
            limit,
        };

        let url = self.graph_url(self.health.current(), media_id);
        let answer = self
            .http
            .get(url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|e| request_failed(SendError::transport(MEDIA_URL, e)))?;
        let status = answer.status().as_u16();
        let bytes = answer
            .bytes()
            .await
            .map_err(|e| request_failed(SendError::transport(MEDIA_URL, e)))?;
        if !(200..300).contains(&status) {
            return Err(request_failed(SendError::from_answer(
                MEDIA_URL, status, &bytes,
            )));
        }
        let lookup: MediaLookup = serde_json::from_slice(&bytes)
            .map_err(|_| request_failed(SendError::unparseable(MEDIA_URL, status, &bytes)))?;
        if let Some(size) = lookup.file_size.filter(|s| *s > limit) {
            return Err(too_large(size));
        }

        let mut answer = self
            .http
            .get(&lookup.url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|e| request_failed(SendError::transport(MEDIA_DOWNLOAD, e)))?;
        let status = answer.status().as_u16();
        if !(200..300).contains(&status) {
            let body = answer.bytes().await.unwrap_or_default();
            return Err(request_failed(SendError::from_answer(
                MEDIA_DOWNLOAD,
                status,
                &body,
            )));
        }
        if let Some(size) = answer.content_length().filter(|s| *s > limit) {
            return Err(too_large(size));
        }
        let mut data = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| request_failed(SendError::transport(MEDIA_DOWNLOAD, e)))?
        {
            if (data.len() + chunk.len()) as u64 > limit {
                return Err(too_large((data.len() + chunk.len()) as u64));
            }
            data.extend_from_slice(&chunk);
        }

        if let Some(expected) = lookup.file_size {
            if expected != data.len() as u64 {
                return Err(MediaError::SizeMismatch {
                    media_id: media_id.to_owned(),
                    expected,
                    actual: data.len() as u64,
                });
            }
        }
        if let Some(expected) = &lookup.sha256 {
            let digest = Sha256::digest(&data);
            if !hash_matches(expected, &digest) {
                return Err(MediaError::HashMismatch {
                    media_id: media_id.to_owned(),
                    expected: expected.clone(),
                    actual: hex::encode(digest),
                });
            }
        }
        Ok(MediaFile {
            bytes: data,
            mime_type: lookup.mime_type,
            sha256: lookup.sha256,
            file_size: lookup.file_size,
        })
    }
}

/// Meta's media lookup shows the SHA-256 as hex; webhook payloads have carried it as
/// base64. Accept either encoding of the same digest.
fn hash_matches(expected: &str, digest: &[u8]) -> bool {
    let expected = expected.trim();
    expected.eq_ignore_ascii_case(&hex::encode(digest))
        || expected == base64::engine::general_purpose::STANDARD.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_accepts_hex_and_base64() {
        let digest = Sha256::digest(b"abc");
        let hex_upper = hex::encode_upper(digest);
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(hash_matches(&hex_upper, &digest));
        assert!(hash_matches(&b64, &digest));
        assert!(!hash_matches("00", &digest));
    }

    #[test]
    fn file_size_as_string_or_number() {
        for body in [
            r#"{"url":"u","mime_type":"image/jpeg","file_size":"303833","id":"1"}"#,
            r#"{"url":"u","mime_type":"image/jpeg","file_size":303833,"id":"1"}"#,
        ] {
            let l: MediaLookup = serde_json::from_str(body).expect("lookup");
            assert_eq!(l.file_size, Some(303833));
        }
        let l: MediaLookup = serde_json::from_str(r#"{"url":"u"}"#).expect("lookup");
        assert_eq!((l.file_size, l.sha256), (None, None));
    }

    #[test]
    fn rejects_bad_config_and_media_ids() {
        let mut cfg = CloudApiConfig::new("123", crate::Secret::new("t"));
        cfg.api_version = "v21.0/../x".into();
        assert!(CloudClient::new(cfg).is_err());
    }
}
