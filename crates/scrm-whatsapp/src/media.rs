//! The media fetcher: a copy of every inbound message's media, for the CRM note.
//!
//! It follows the conversation topic (from its own [`Ledger`]), and for each inbound
//! message with media it fetches the file through the Graph API media endpoint, brings
//! images over 5 MB under the limit as JPEG, keeps the file under its SHA-256 in the media
//! directory, and appends a `MediaStored` event with the file's reference. Meta's media
//! URLs expire, so the copy is made as soon as the message is in the log; the message
//! itself never waits for it. A media that cannot be fetched after a few tries is counted
//! (`scrm_media_stored{outcome="failed"}`) and logged; its message keeps the media id.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use scrm_cloudapi::{fit_image, Backoff, CloudClient, MAX_IMAGE_BYTES};
use scrm_events::{Content, Event, InputTopic, Payload};
use scrm_ingest::Ingest;
use scrm_log::{EventLog, StoredRecord};
use scrm_schema::{Codec, KnownSchema};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::follow::{Follower, WorkerError};
use crate::ledger::{Ledger, LedgerBatch};
use crate::metrics::Metrics;

/// Everything a [`MediaFetcher`] is made of.
#[derive(Debug)]
pub struct MediaParts {
    pub log: Arc<dyn EventLog>,
    pub ledger: Arc<Ledger>,
    pub client: CloudClient,
    pub codec: Arc<Codec>,
    pub conversation_schema: &'static KnownSchema,
    pub conversation: Ingest,
    pub partitions: u32,
    pub dir: PathBuf,
    pub metrics: Metrics,
    pub runtime: tokio::runtime::Handle,
}

/// The fetcher, run on a thread of its own.
#[derive(Debug)]
pub struct MediaFetcher {
    ledger: Arc<Ledger>,
    parts: MediaParts,
    follower: Follower,
    backoff: Backoff,
}

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
    pub fn new(parts: MediaParts) -> Result<Self, WorkerError> {
        std::fs::create_dir_all(&parts.dir).map_err(|source| WorkerError::Dir {
            path: parts.dir.display().to_string(),
            source,
        })?;
        let follower = Follower::start(
            &parts.log,
            &parts.ledger,
            parts.conversation.topic(),
            parts.partitions,
        )?;
        Ok(MediaFetcher {
            ledger: parts.ledger.clone(),
            parts,
            follower,
            backoff: Backoff::new()
                .with_bounds(Duration::from_millis(500), Duration::from_secs(10)),
        })
    }

    /// Fetches until `stop` says so.
    pub fn run(&mut self, stop: &dyn Fn() -> bool) -> Result<(), WorkerError> {
        while !stop() {
            self.step(Duration::from_millis(200))?;
        }
        self.flush()
    }

    fn flush(&self) -> Result<(), WorkerError> {
        self.parts
            .ledger
            .flush(self.parts.log.as_ref())
            .map_err(|(topic, error)| WorkerError::Append { topic, error })
    }

    /// One batch of the conversation topic; returns how many media it stored.
    pub fn step(&mut self, wait: Duration) -> Result<usize, WorkerError> {
        self.flush()?;
        let mut stored = 0;
        let ledger = self.ledger.clone();
        let topic = self.follower.topic().to_owned();
        for record in self.follower.poll(64, wait)? {
            let mut batch = ledger.batch();
            batch.offset(&topic, record.partition, record.offset + 1);
            stored += usize::from(self.take(&mut batch, &record)?);
            ledger.write(batch)?;
        }
        self.flush()?;
        Ok(stored)
    }

    fn take(
        &mut self,
        batch: &mut LedgerBatch<'_>,
        record: &StoredRecord,
    ) -> Result<bool, WorkerError> {
        // Records the processor can't read go to its dead letters; here they are skipped.
        let Ok(value) = self
            .parts
            .codec
            .decode(&record.value, self.parts.conversation_schema)
        else {
            return Ok(false);
        };
        let Ok(event) = Event::from_avro(InputTopic::Conversation, &value) else {
            return Ok(false);
        };
        let Payload::Inbound(message) = &event.payload else {
            return Ok(false);
        };
        let Content::Media { media_id, .. } = &message.content else {
            return Ok(false);
        };
        let done_id = format!("media:{media_id}");
        if self.parts.ledger.done(&done_id)?.is_some() {
            return Ok(false);
        }
        let Some(copy) = self.fetch(media_id)? else {
            batch.done(&done_id, "failed");
            Metrics::outcome(&self.parts.metrics.media, "failed");
            return Ok(false);
        };
        let json = json!({
            "event_id": done_id,
            "customer": event.customer,
            "occurred_at": event.occurred_at_ms,
            "source": "scrm-media",
            "payload": {"MediaStored": {
                "wamid": message.wamid,
                "media_id": media_id,
                "stored_url": format!("file://{}", copy.path.display()),
                "mime_type": copy.mime_type,
                "size_bytes": copy.size,
                "sha256": copy.sha256,
                "reencoded": copy.reencoded,
            }},
        });
        match self.parts.conversation.json(&json) {
            Ok(stored) => {
                batch.owe(self.parts.conversation.topic(), &stored);
            }
            Err(e) => tracing::error!(error = %e, "the media fetcher's event is invalid"),
        }
        batch.done(&done_id, &copy.sha256);
        Metrics::outcome(
            &self.parts.metrics.media,
            if copy.reencoded {
                "reencoded"
            } else {
                "stored"
            },
        );
        Ok(true)
    }

    /// Fetches, fits and stores one media; `None` when it could not be fetched.
    fn fetch(&mut self, media_id: &str) -> Result<Option<StoredCopy>, WorkerError> {
        let mut attempt = 0;
        let file = loop {
            attempt += 1;
            match self
                .parts
                .runtime
                .block_on(self.parts.client.fetch_media(media_id))
            {
                Ok(file) => break file,
                Err(e) if attempt < ATTEMPTS => {
                    tracing::warn!(media_id, error = %e, attempt, "media fetch failed; retrying");
                    std::thread::sleep(self.backoff.delay(attempt));
                }
                Err(e) => {
                    tracing::error!(media_id, error = %e, "media fetch failed; the message keeps its media id only");
                    return Ok(None);
                }
            }
        };
        let fitted = match fit_image(&file.bytes, &file.mime_type, MAX_IMAGE_BYTES) {
            Ok(fitted) => fitted,
            Err(e) => {
                tracing::warn!(media_id, error = %e, "media kept as received: it could not be re-encoded");
                scrm_cloudapi::Fitted {
                    bytes: file.bytes,
                    mime_type: file.mime_type,
                    reencoded: false,
                }
            }
        };
        let sha = hex::encode(Sha256::digest(&fitted.bytes));
        let path = self
            .parts
            .dir
            .join(format!("{sha}.{}", extension(&fitted.mime_type)));
        write_durably(&path, &fitted.bytes).map_err(|source| WorkerError::Dir {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Some(StoredCopy {
            path,
            mime_type: fitted.mime_type,
            size: fitted.bytes.len() as i64,
            sha256: sha,
            reencoded: fitted.reencoded,
        }))
    }
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
