//! Reading the records of a time range from a partition.

use std::time::Duration;

use crate::{EventLog, LogError, StoredRecord};

/// Record timestamps `from <= t < to`, in UTC milliseconds; either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

impl TimeRange {
    pub fn contains(&self, t: i64) -> bool {
        self.from_ms.is_none_or(|from| t >= from) && self.to_ms.is_none_or(|to| t < to)
    }
}

/// Calls `each` with every record of the partition whose timestamp is in `range`, in offset
/// order, from the records present when the call starts. Seeks by time first, then filters
/// by record time, so the answer is exact even when the broker's timestamp lookup returns
/// an earlier offset (Tansu returns the earliest) and when event times are out of order.
pub fn read_range(
    log: &dyn EventLog,
    topic: &str,
    partition: u32,
    range: TimeRange,
    mut each: impl FnMut(StoredRecord) -> Result<(), LogError>,
) -> Result<u64, LogError> {
    let marks = log.watermarks(topic, partition)?;
    let start = match range.from_ms {
        Some(from) => log.offset_for_time(topic, partition, from)?.max(marks.low),
        None => marks.low,
    };
    if start >= marks.high {
        return Ok(0);
    }
    let mut reader = log.reader(topic, partition, start)?;
    let mut matched = 0;
    let mut idle_polls = 0;
    while reader.position() < marks.high {
        let batch = reader.next_batch(1000, Duration::from_millis(500))?;
        if batch.is_empty() {
            // The records below the high watermark exist; a broker that answers nothing for
            // this long is not going to.
            idle_polls += 1;
            if idle_polls > 20 {
                return Err(LogError::Kafka {
                    context: format!("reading {topic}/{partition} from {}", reader.position()),
                    reason: format!("no records arrived below the high watermark {}", marks.high),
                    retriable: true,
                });
            }
            continue;
        }
        idle_polls = 0;
        for record in batch {
            if record.offset >= marks.high {
                return Ok(matched);
            }
            if range.contains(record.timestamp_ms) {
                matched += 1;
                each(record)?;
            }
        }
    }
    Ok(matched)
}
