//! Errors of the processor, classified: what goes to the dead-letter topic (the record is
//! at fault) and what stops a partition task (the system is).

use scrm_log::LogError;
use scrm_state::StoreError;
use thiserror::Error;

/// Why a record could not be applied; it goes to the DLQ and the partition moves on.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The bytes are not a record of a known schema.
    #[error("{0}")]
    Decode(String),
    /// A well-formed record whose content is not acceptable.
    #[error("{0}")]
    Validation(String),
    /// An event time that is not believed (too far ahead of the wall clock, or before any
    /// plausible date); it must not move stream time.
    #[error("{0}")]
    Time(String),
}

impl Rejection {
    /// The `error_kind` of the dead letter.
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::Decode(_) => "DECODE",
            Rejection::Validation(_) => "VALIDATION",
            Rejection::Time(_) => "TIME",
        }
    }
}

/// A failure of the system rather than of a record: the partition task stops (and is
/// restarted from its last commit).
#[derive(Debug, Error)]
pub enum ProcessError {
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("partition {partition}: corrupt state: {reason}")]
    CorruptState { partition: u32, reason: String },
    #[error("{0}")]
    Internal(String),
}

impl ProcessError {
    /// True when trying again may succeed (a broker away for a while).
    pub fn is_retriable(&self) -> bool {
        matches!(self, ProcessError::Log(e) if e.is_retriable())
    }
}
