//! The media fetcher: a copy of every inbound message's media, for the CRM note.
//!
//! It is a destination of the delivery worker (`scrm-sink`), which follows the
//! conversation topic from its own ledger; for each inbound
//! message with media it fetches the file through the Graph API media endpoint, brings
//! images over 5 MB under the limit as JPEG, keeps the file under its SHA-256 in the media
//! directory, and appends a `MediaStored` event with the file's reference. Meta's media
//! URLs expire, so the copy is made as soon as the message is in the log; the message
//! itself never waits for it. A media that cannot be fetched after a few tries is counted
//! (`scrm_media_stored{outcome="failed"}`) and logged; its message keeps the media id.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use scrm_events::{Content, Event, InputTopic, Payload};
use scrm_ingest::Ingest;
use scrm_log::{EventLog, StoredRecord};
use scrm_schema::{Codec, KnownSchema};
use scrm_sink::{
    Cx, Delivery, Destination, Outcome, RetryPolicy, Route, SinkError, Worker, WorkerOptions,
    WorkerParts,
};
use scrm_time::SharedClock;
use scrm_whatsapp_cloudapi::{fit_image, CloudClient, MAX_IMAGE_BYTES};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::metrics::Metrics;

/// The sink name of the media fetcher's metrics.
pub const SINK: &str = "media";

/// Everything the media fetcher's worker is made of.
#[derive(Debug)]
pub struct MediaParts {
    pub log: Arc<dyn EventLog>,
    /// The worker's ledger directory.
    pub ledger_dir: PathBuf,
    pub client: CloudClient,
    pub codec: Arc<Codec>,
    pub conversation_schema: &'static KnownSchema,
    pub conversation: Ingest,
    pub dlq: Ingest,
    pub partitions: u32,
    /// Where the copies are kept.
    pub dir: PathBuf,
    pub metrics: Metrics,
    pub clock: SharedClock,
}

/// The fetcher: the media destination of a delivery worker.
#[derive(Debug)]
pub struct MediaFetcher {
    client: CloudClient,
    codec: Arc<Codec>,
    conversation_schema: &'static KnownSchema,
    conversation: Ingest,
    dir: PathBuf,
    metrics: Metrics,
}

/// An inbound message's media, to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaItem {
    pub media_id: String,
    pub wamid: String,
    pub customer: String,
    pub occurred_at_ms: i64,
}

/// Tries of one media before it is given up (counted, logged; its message keeps the id).
const ATTEMPTS: u32 = 3;

/// A media file as kept.
struct StoredCopy {
    path: PathBuf,
    mime_type: String,
    size: i64,
    sha256: String,
    reencoded: bool,
}

impl MediaFetcher {
    /// The fetcher's delivery worker (opens its ledger, creates the media directory).
    pub fn worker(parts: MediaParts) -> Result<Worker<MediaFetcher>, SinkError> {
        std::fs::create_dir_all(&parts.dir).map_err(|source| SinkError::Dir {
            path: parts.dir.display().to_string(),
            source,
        })?;
        let topic = parts.conversation.topic().to_owned();
        let fetcher = MediaFetcher {
            client: parts.client,
            codec: parts.codec,
            conversation_schema: parts.conversation_schema,
            conversation: parts.conversation,
            dir: parts.dir,
            metrics: parts.metrics.clone(),
        };
        Worker::new(WorkerParts {
            destination: fetcher,
            log: parts.log,
            ledger_dir: parts.ledger_dir,
            topic,
            partitions: parts.partitions,
            dlq: parts.dlq,
            clock: parts.clock,
            metrics: parts.metrics.sink.clone(),
            options: WorkerOptions {
                max_batch: 16,
                retry: RetryPolicy {
                    base_ms: 500,
                    cap_ms: 10_000,
                    // Given up here, after `ATTEMPTS`, as a counted failure.
                    max_attempts: None,
                },
                ..WorkerOptions::default()
            },
        })
    }

    fn stored_event(&self, item: &MediaItem, copy: &StoredCopy) -> Vec<(String, scrm_log::Record)> {
        let json = json!({
            "event_id": format!("media:{}", item.media_id),
            "customer": item.customer,
            "occurred_at": item.occurred_at_ms,
            "source": "scrm-media",
            "payload": {"MediaStored": {
                "wamid": item.wamid,
                "media_id": item.media_id,
                "stored_url": format!("file://{}", copy.path.display()),
                "mime_type": copy.mime_type,
                "size_bytes": copy.size,
                "sha256": copy.sha256,
                "reencoded": copy.reencoded,
            }},
        });
        match self.conversation.json(&json) {
            Ok(stored) => vec![(self.conversation.topic().to_owned(), stored)],
            Err(e) => {
                tracing::error!(error = %e, "the media fetcher's event is invalid");
                Vec::new()
            }
        }
    }

    /// Fetches, fits and stores one media.
    async fn fetch(&self, item: &MediaItem, attempt: u32, cx: &Cx<'_>) -> Outcome {
        let media_id = item.media_id.as_str();
        let file = match self.client.fetch_media(media_id).await {
            Ok(file) => file,
            Err(e) if attempt + 1 < ATTEMPTS => {
                tracing::warn!(media_id, error = %e, attempt, "media fetch failed; retrying");
                return Outcome::retry_at(cx.retry.next_at(attempt, cx.now_ms()), e.to_string());
            }
            Err(e) => {
                tracing::error!(media_id, error = %e, "media fetch failed; the message keeps its media id only");
                Metrics::outcome(&self.metrics.media, "failed");
                return Outcome::done("failed");
            }
        };
        // Re-encoding and the synced file write block: off the runtime.
        let dir = self.dir.clone();
        let id = media_id.to_owned();
        let kept = tokio::task::spawn_blocking(move || keep(&dir, &id, file))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        match kept {
            Ok(copy) => {
                Metrics::outcome(
                    &self.metrics.media,
                    if copy.reencoded {
                        "reencoded"
                    } else {
                        "stored"
                    },
                );
                Outcome::Done {
                    events: self.stored_event(item, &copy),
                    note: copy.sha256,
                }
            }
            Err(e) => {
                tracing::error!(media_id, dir = %self.dir.display(), error = %e, "the media copy could not be written; retrying");
                Outcome::retry_at(cx.retry.next_at(attempt, cx.now_ms()), e.to_string())
            }
        }
    }
}

impl Destination for MediaFetcher {
    type Item = MediaItem;

    fn name(&self) -> &str {
        SINK
    }

    fn route(&self, record: &StoredRecord) -> Route<MediaItem> {
        // Records the processor can't read go to its dead letters; here they are skipped.
        let Ok(value) = self.codec.decode(&record.value, self.conversation_schema) else {
            return Route::Skip {
                reason: "undecodable",
            };
        };
        let Ok(event) = Event::from_avro(InputTopic::Conversation, &value) else {
            return Route::Skip {
                reason: "undecodable",
            };
        };
        let Payload::Inbound(message) = &event.payload else {
            return Route::Skip {
                reason: "not_media",
            };
        };
        let Content::Media { media_id, .. } = &message.content else {
            return Route::Skip {
                reason: "not_media",
            };
        };
        Route::Deliver {
            id: format!("media:{media_id}"),
            item: MediaItem {
                media_id: media_id.clone(),
                wamid: message.wamid.clone(),
                customer: event.customer.clone(),
                occurred_at_ms: event.occurred_at_ms,
            },
        }
    }

    async fn deliver(&mut self, batch: Vec<Delivery<MediaItem>>, cx: Cx<'_>) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(batch.len());
        for d in batch {
            if cx.is_cancelled() {
                out.push(Outcome::retry_at(cx.now_ms(), "shutdown"));
                continue;
            }
            out.push(self.fetch(&d.item, d.attempt, &cx).await);
        }
        out
    }
}

/// Fits and keeps one fetched file under its SHA-256.
fn keep(
    dir: &Path,
    media_id: &str,
    file: scrm_whatsapp_cloudapi::MediaFile,
) -> std::io::Result<StoredCopy> {
    let fitted = match fit_image(&file.bytes, &file.mime_type, MAX_IMAGE_BYTES) {
        Ok(fitted) => fitted,
        Err(e) => {
            tracing::warn!(media_id, error = %e, "media kept as received: it could not be re-encoded");
            scrm_whatsapp_cloudapi::Fitted {
                bytes: file.bytes,
                mime_type: file.mime_type,
                reencoded: false,
            }
        }
    };
    let sha = hex::encode(Sha256::digest(&fitted.bytes));
    let path = dir.join(format!("{sha}.{}", extension(&fitted.mime_type)));
    write_durably(&path, &fitted.bytes)?;
    Ok(StoredCopy {
        path,
        mime_type: fitted.mime_type,
        size: fitted.bytes.len() as i64,
        sha256: sha,
        reencoded: fitted.reencoded,
    })
}

fn extension(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or("").trim() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "video/mp4" => "mp4",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

/// Writes to a temporary file, syncs it and renames it into place.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("part");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
