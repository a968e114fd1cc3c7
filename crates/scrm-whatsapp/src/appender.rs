//! Group commit: many concurrent requests, one durable append.
//!
//! Every webhook request must be answered only after its events are durable, and a durable
//! append (an fsync on the embedded log, an acknowledged produce on Kafka) costs about the
//! same for one record as for a thousand. The [`Appender`] runs one thread that takes every
//! job waiting in its queue, appends them together (one call per topic, in arrival order)
//! and then answers each job. Under load the batches grow by themselves; an idle gateway
//! appends each request at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use scrm_log::{EventLog, Record};
use tokio::sync::{mpsc, oneshot};

/// Records for one topic.
pub type Write = (String, Record);

struct Job {
    writes: Vec<Write>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle requests append through; cheap to clone. When the last clone is dropped,
/// the thread finishes what it has and stops, and the drop waits for it: the log is never
/// still in use when the process exits.
#[derive(Clone)]
pub struct Appender {
    inner: Arc<Inner>,
}

struct Inner {
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Appender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Appender")
    }
}

/// The append failed; nothing of the job may be assumed durable.
#[derive(Debug, thiserror::Error)]
#[error("appending to the log failed: {0}")]
pub struct AppendError(pub String);

impl Appender {
    /// Starts the appending thread; it stops when every handle is dropped. A batch takes at
    /// most `max_records` records (a single larger job still goes whole).
    pub fn start(log: Arc<dyn EventLog>, max_records: usize) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(4096);
        let thread = std::thread::Builder::new()
            .name("scrm-appender".into())
            .spawn(move || run(log.as_ref(), &mut rx, max_records.max(1)))
            .expect("spawning the appender thread");
        Appender {
            inner: Arc::new(Inner {
                tx: Some(tx),
                thread: Some(thread),
            }),
        }
    }

    /// Appends `writes` durably; returns once they are (or the append failed).
    pub async fn append(&self, writes: Vec<Write>) -> Result<(), AppendError> {
        if writes.is_empty() {
            return Ok(());
        }
        let (done, answer) = oneshot::channel();
        let tx = self
            .inner
            .tx
            .clone()
            .ok_or_else(|| AppendError("the appender has stopped".into()))?;
        // The queue is bounded: under overload requests wait here, without blocking the
        // runtime.
        tx.send(Job { writes, done })
            .await
            .map_err(|_| AppendError("the appender has stopped".into()))?;
        answer
            .await
            .map_err(|_| AppendError("the appender has stopped".into()))?
            .map_err(AppendError)
    }
}

fn run(log: &dyn EventLog, rx: &mut mpsc::Receiver<Job>, max_records: usize) {
    while let Some(first) = rx.blocking_recv() {
        let mut records = first.writes.len();
        let mut jobs = vec![first];
        while records < max_records {
            match rx.try_recv() {
                Ok(job) => {
                    records += job.writes.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let mut by_topic: BTreeMap<String, Vec<Record>> = BTreeMap::new();
        let mut answers = Vec::with_capacity(jobs.len());
        for job in jobs {
            for (topic, record) in job.writes {
                by_topic.entry(topic).or_default().push(record);
            }
            answers.push(job.done);
        }
        let result = by_topic
            .into_iter()
            .try_for_each(|(topic, records)| log.append(&topic, records).map(drop))
            .map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, jobs = answers.len(), "group append failed");
        }
        for answer in answers {
            let _ = answer.send(result.clone());
        }
    }
}
