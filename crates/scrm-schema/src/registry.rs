//! A client for the subset of the Confluent Schema Registry API scrm needs: register a
//! schema under a subject (`POST /subjects/{subject}/versions`) and fetch a schema by id
//! (`GET /schemas/ids/{id}`). Answers are cached by the codec, so the registry is asked once
//! per schema and process.
//!
//! The client is blocking; call it off the async runtime (the event-log calls already are).

use std::time::Duration;

use scrm_config::Secret;
use serde::Deserialize;

use crate::CodecError;

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// Where the registry is and how to log in. Credentials come from the environment or a
/// file, never the command line.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    pub url: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub timeout: Duration,
}

/// Blocking HTTP client of one schema registry.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    config: RegistryConfig,
    http: reqwest::blocking::Client,
}

#[derive(Deserialize)]
struct IdAnswer {
    id: u32,
}

#[derive(Deserialize)]
struct SchemaAnswer {
    schema: String,
    #[serde(rename = "schemaType", default)]
    schema_type: Option<String>,
}

impl RegistryClient {
    pub fn new(config: RegistryConfig) -> Result<Self, CodecError> {
        let http = reqwest::blocking::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| CodecError::Registry {
                url: config.url.clone(),
                reason: format!("cannot build HTTP client: {e}"),
                retriable: false,
            })?;
        Ok(Self { config, http })
    }

    pub fn url(&self) -> &str {
        &self.config.url
    }

    fn request(
        &self,
        builder: reqwest::blocking::RequestBuilder,
    ) -> reqwest::blocking::RequestBuilder {
        match &self.config.username {
            Some(user) => {
                builder.basic_auth(user, self.config.password.as_ref().map(Secret::expose))
            }
            None => builder,
        }
    }

    fn error(&self, path: &str, reason: String, retriable: bool) -> CodecError {
        CodecError::Registry {
            url: format!("{}{path}", self.config.url.trim_end_matches('/')),
            reason,
            retriable,
        }
    }

    fn send<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        builder: reqwest::blocking::RequestBuilder,
    ) -> Result<T, CodecError> {
        let response = self
            .request(builder)
            .send()
            .map_err(|e| self.error(path, e.to_string(), true))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().unwrap_or_default();
            let retriable =
                status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408;
            return Err(self.error(
                path,
                format!(
                    "HTTP {status}: {}",
                    body.chars().take(300).collect::<String>()
                ),
                retriable,
            ));
        }
        response
            .json()
            .map_err(|e| self.error(path, format!("unexpected answer: {e}"), false))
    }

    /// Registers `schema_text` under `subject` (idempotent on the registry's side) and
    /// returns its global id.
    pub fn register(&self, subject: &str, schema_text: &str) -> Result<u32, CodecError> {
        let path = format!("/subjects/{subject}/versions");
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        let body = serde_json::json!({ "schema": schema_text });
        let answer: IdAnswer = self.send(
            &path,
            self.http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                .json(&body),
        )?;
        Ok(answer.id)
    }

    /// The schema text with this id.
    pub fn schema_by_id(&self, id: u32) -> Result<String, CodecError> {
        let path = format!("/schemas/ids/{id}");
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        let answer: SchemaAnswer = self.send(
            &path,
            self.http
                .get(url)
                .header(reqwest::header::ACCEPT, CONTENT_TYPE),
        )?;
        match answer.schema_type.as_deref() {
            None | Some("AVRO") => Ok(answer.schema),
            Some(other) => {
                Err(self.error(&path, format!("schema {id} is {other}, not AVRO"), false))
            }
        }
    }
}
