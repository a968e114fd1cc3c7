//! `[processor]`: the stateful processor's settings, its state store's among them.

use std::path::PathBuf;
use std::time::Duration;

use scrm_config::{ConfigError, Env, Section};
use scrm_state::RocksOptions;
use scrm_time::TimeBounds;
use serde::{Deserialize, Serialize};

use crate::{ProcessorOptions, TimeMode};

/// The stateful processor (`scrm process`, `scrm serve`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessorConfig {
    /// Consumer group shared by the processor instances on Kafka (default `scrm-processor`).
    /// Env: `SCRM_GROUP_ID`.
    pub group_id: String,
    /// Records applied per commit (default 2000). A commit writes state, offsets and
    /// outputs in one RocksDB batch, then appends the outputs and the changelog.
    pub batch_records: usize,
    /// Longest time a batch stays open before it is committed, ms (default 200).
    pub commit_interval_ms: u64,
    /// `live` (default): timers also fire on the wall clock when a partition is idle, and a
    /// record waits at most `grace_ms` for a silent input that might hold an earlier one.
    /// `event`: time is event time only (replays; deterministic).
    pub time: Time,
    /// How late, in ms, a record may arrive on one input relative to the others and still
    /// be applied in event-time order (default 2000); an idle partition's stream time
    /// follows the wall clock minus this. Env: `SCRM_GRACE_MS`.
    pub grace_ms: i64,
    /// fsync the state store at every commit (default true). Without it, a power loss (not
    /// a process crash) can lose the last commits; outputs are then re-sent with the same
    /// ids.
    pub fsync: bool,
    /// Block cache of the state store, MiB (default 64): bounds its read memory.
    pub block_cache_mib: usize,
    /// Memtable size per state table, MiB (default 16; 4 tables, up to
    /// `max_write_buffers` each): bounds its write memory.
    pub write_buffer_mib: usize,
    /// Memtables per state table before writes wait for a flush (default 2).
    pub max_write_buffers: i32,
    /// The rule pack (TOML, docs/rules.md); the built-in default pack when unset. Reloaded
    /// on SIGHUP. Env: `SCRM_RULE_PACK`.
    pub rule_pack: Option<PathBuf>,
}

/// How the processor tells time, as the file says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Time {
    Live,
    Event,
}

impl Default for ProcessorConfig {
    fn default() -> Self {
        let options = ProcessorOptions::default();
        let store = RocksOptions::default();
        let (time, grace_ms) = match options.time {
            TimeMode::Live { grace_ms } => (Time::Live, grace_ms),
            TimeMode::Event => (Time::Event, 0),
        };
        Self {
            group_id: options.group_id,
            batch_records: options.batch_records,
            commit_interval_ms: u64::try_from(options.commit_interval.as_millis())
                .unwrap_or(u64::MAX),
            time,
            grace_ms,
            fsync: options.fsync,
            block_cache_mib: store.block_cache_bytes >> 20,
            write_buffer_mib: store.write_buffer_bytes >> 20,
            max_write_buffers: store.max_write_buffers,
            rule_pack: None,
        }
    }
}

impl Section for ProcessorConfig {
    const NAME: &'static str = "processor";

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        env.set("SCRM_GROUP_ID", &mut self.group_id);
        env.parse("SCRM_GRACE_MS", &mut self.grace_ms)?;
        if let Some(pack) = env.get("SCRM_RULE_PACK") {
            self.rule_pack = Some(pack.into());
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.batch_records == 0 {
            return Err(ConfigError::invalid(
                "processor.batch_records",
                "must be at least 1",
            ));
        }
        if self.grace_ms < 0 {
            return Err(ConfigError::invalid(
                "processor.grace_ms",
                "must not be negative",
            ));
        }
        if self.max_write_buffers < 1 {
            return Err(ConfigError::invalid(
                "processor.max_write_buffers",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// How one run of the processor differs from the configured service.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunMode {
    /// Event time only, whatever `processor.time` says (`--event-time`).
    pub event_time: bool,
    /// Return once caught up (`--exit-when-caught-up`).
    pub exit_when_caught_up: bool,
}

impl ProcessorConfig {
    /// The processor's options for one run, with the event times believed.
    pub fn options(&self, time_bounds: TimeBounds, run: RunMode) -> ProcessorOptions {
        let time = if run.event_time || self.time == Time::Event {
            TimeMode::Event
        } else {
            TimeMode::Live {
                grace_ms: self.grace_ms,
            }
        };
        ProcessorOptions {
            group_id: self.group_id.clone(),
            batch_records: self.batch_records,
            commit_interval: Duration::from_millis(self.commit_interval_ms),
            time,
            fsync: self.fsync,
            exit_when_caught_up: run.exit_when_caught_up,
            time_bounds,
        }
    }

    /// The state store's settings.
    pub fn store(&self) -> RocksOptions {
        RocksOptions {
            block_cache_bytes: self.block_cache_mib << 20,
            write_buffer_bytes: self.write_buffer_mib << 20,
            max_write_buffers: self.max_write_buffers,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn the_defaults_are_the_processors_and_the_stores_own() {
        let c: ProcessorConfig = scrm_config::parse_str("", Path::new("s.toml")).unwrap();
        let options = c.options(TimeBounds::default(), RunMode::default());
        let theirs = ProcessorOptions::default();
        assert_eq!(options.group_id, theirs.group_id);
        assert_eq!(options.batch_records, theirs.batch_records);
        assert_eq!(options.commit_interval, theirs.commit_interval);
        assert_eq!(options.time, theirs.time);
        assert_eq!(options.fsync, theirs.fsync);
        let (store, theirs) = (c.store(), RocksOptions::default());
        assert_eq!(store.block_cache_bytes, theirs.block_cache_bytes);
        assert_eq!(store.write_buffer_bytes, theirs.write_buffer_bytes);
        assert_eq!(store.max_write_buffers, theirs.max_write_buffers);
    }

    #[test]
    fn event_time_comes_from_the_file_or_the_run() {
        let mut c: ProcessorConfig =
            scrm_config::parse_str("grace_ms = 500\n", Path::new("s.toml")).unwrap();
        let run = |event_time| RunMode {
            event_time,
            exit_when_caught_up: false,
        };
        let live = c.options(TimeBounds::default(), run(false)).time;
        assert_eq!(live, TimeMode::Live { grace_ms: 500 });
        let replay = c.options(TimeBounds::default(), run(true)).time;
        assert_eq!(replay, TimeMode::Event);
        c.time = Time::Event;
        assert_eq!(
            c.options(TimeBounds::default(), run(false)).time,
            TimeMode::Event
        );
    }

    #[test]
    fn env_and_bad_values_name_their_source() {
        let mut c = ProcessorConfig::default();
        c.apply_env(&Env::from_pairs(&[
            ("SCRM_GROUP_ID", "shop1"),
            ("SCRM_GRACE_MS", "750"),
            ("SCRM_RULE_PACK", "pack.toml"),
        ]))
        .unwrap();
        assert_eq!((c.group_id.as_str(), c.grace_ms), ("shop1", 750));
        assert_eq!(c.rule_pack.as_deref(), Some(Path::new("pack.toml")));
        let err = c
            .apply_env(&Env::from_pairs(&[("SCRM_GRACE_MS", "2s")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SCRM_GRACE_MS") && err.contains("2s"), "{err}");
        c.batch_records = 0;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("processor.batch_records"), "{err}");
        let err =
            scrm_config::parse_str::<ProcessorConfig>("time = \"wall\"\n", Path::new("s.toml"))
                .unwrap_err()
                .to_string();
        assert!(err.contains("line 1") && err.contains("wall"), "{err}");
    }
}
