//! Reading every partition of a topic, on a thread of its own.
//!
//! Log reads block (RocksDB, librdkafka), so they never run on the tokio runtime: the
//! follower thread reads from the ledger's offsets, gathers up to a batch across the
//! partitions and hands it over a channel of one batch. The worker awaits that channel
//! together with its clock and its cancellation, so a wait for new records never holds up
//! due work or shutdown. Records of one partition stay in offset order.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use scrm_log::{EventLog, LogError, PartitionReader, StoredRecord};
use tokio::sync::mpsc;

/// The thread and its channel; dropping it stops the thread (within one poll wait).
#[derive(Debug)]
pub(crate) struct Follower {
    pub(crate) rx: mpsc::Receiver<Result<Vec<StoredRecord>, LogError>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Follower {
    /// Follows `topic` from `offsets[p]` for each partition `p`.
    pub(crate) fn start(
        log: Arc<dyn EventLog>,
        topic: String,
        offsets: Vec<u64>,
        max: usize,
        wait: Duration,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("scrm-follow-{topic}"))
                .spawn(move || {
                    if let Err(e) = follow(log.as_ref(), &topic, &offsets, max, wait, &stop, &tx) {
                        let _ = tx.blocking_send(Err(e));
                    }
                })?
        };
        Ok(Follower {
            rx,
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for it (at most one poll wait), off the runtime.
    pub(crate) async fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.rx.close();
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn follow(
    log: &dyn EventLog,
    topic: &str,
    offsets: &[u64],
    max: usize,
    wait: Duration,
    stop: &AtomicBool,
    tx: &mpsc::Sender<Result<Vec<StoredRecord>, LogError>>,
) -> Result<(), LogError> {
    let mut readers: Vec<Box<dyn PartitionReader>> = Vec::with_capacity(offsets.len());
    for (partition, from) in offsets.iter().enumerate() {
        let partition = u32::try_from(partition).expect("partition numbers fit u32");
        readers.push(log.reader(topic, partition, *from)?);
    }
    let n = readers.len();
    if n == 0 {
        // Nothing to follow; the worker still does its due work.
        return Ok(());
    }
    let mut next = 0;
    while !stop.load(Ordering::SeqCst) {
        // A batch gathered across partitions, starting where the last one stopped so
        // no partition starves.
        let mut batch = Vec::new();
        for _ in 0..n {
            let room = max - batch.len();
            if room == 0 {
                break;
            }
            batch.extend(readers[next].next_batch(room, Duration::ZERO)?);
            next = (next + 1) % n;
        }
        if batch.is_empty() {
            // Nothing anywhere: wait on one partition, in turn, so a new record is seen
            // soon and the stop flag is looked at every `wait`.
            batch = readers[next].next_batch(max, wait / n as u32)?;
            next = (next + 1) % n;
        }
        if !batch.is_empty() && tx.blocking_send(Ok(batch)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}
