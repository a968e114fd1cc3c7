//! The wall clock, behind a trait so tests move it by hand instead of sleeping.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// The clock reached the deadline.
    Elapsed,
    /// The cancellation token fired first.
    Cancelled,
}

/// Milliseconds since the Unix epoch, and waiting for a later time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// Waits until the clock shows `deadline_ms` or later, or until `cancel` fires.
    fn wait_until<'a>(
        &'a self,
        deadline_ms: i64,
        cancel: &'a CancellationToken,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Wait> + Send + 'a>>;

    /// Waits `delay` (from now), or until `cancel` fires.
    fn wait<'a>(
        &'a self,
        delay: Duration,
        cancel: &'a CancellationToken,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Wait> + Send + 'a>> {
        let deadline = self
            .now_ms()
            .saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
        self.wait_until(deadline, cancel)
    }
}

/// A clock shared by the parts of one process.
pub type SharedClock = Arc<dyn Clock>;

/// The system's clock; waits are tokio sleeps (so `tokio::time::pause()` applies too).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl SystemClock {
    /// The system clock as a [`SharedClock`].
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    fn wait_until<'a>(
        &'a self,
        deadline_ms: i64,
        cancel: &'a CancellationToken,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Wait> + Send + 'a>> {
        let ms = deadline_ms.saturating_sub(self.now_ms()).max(0);
        let delay = Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        Box::pin(async move {
            tokio::select! {
                biased;
                () = cancel.cancelled() => Wait::Cancelled,
                () = tokio::time::sleep(delay) => Wait::Elapsed,
            }
        })
    }
}

/// A clock that only moves when told to. Clones share one time; a wait on any clone ends
/// when [`ManualClock::set`] or [`ManualClock::advance`] moves it past the deadline.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
    moved: Arc<watch::Sender<i64>>,
    /// Deadlines of the waits in progress (deadline → how many), so a test can move the
    /// clock exactly to the next one instead of guessing.
    waits: Arc<Mutex<BTreeMap<i64, usize>>>,
}

/// Removes a wait's deadline from its clock's list when the wait ends or is dropped.
struct Pending {
    waits: Arc<Mutex<BTreeMap<i64, usize>>>,
    deadline_ms: i64,
}

impl Pending {
    fn new(waits: &Arc<Mutex<BTreeMap<i64, usize>>>, deadline_ms: i64) -> Self {
        *waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(deadline_ms)
            .or_default() += 1;
        Pending {
            waits: waits.clone(),
            deadline_ms,
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut waits = self.waits.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = waits.get_mut(&self.deadline_ms) {
            *n -= 1;
            if *n == 0 {
                waits.remove(&self.deadline_ms);
            }
        }
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new(0)
    }
}

impl ManualClock {
    pub fn new(now_ms: i64) -> Self {
        let (moved, _) = watch::channel(now_ms);
        ManualClock {
            now: Arc::new(AtomicI64::new(now_ms)),
            moved: Arc::new(moved),
            waits: Arc::default(),
        }
    }

    /// The earliest deadline anyone is waiting for on this clock, if anyone is. A test
    /// that drives a worker moves the clock to it to let exactly the next wait end.
    pub fn next_deadline(&self) -> Option<i64> {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .next()
            .copied()
    }

    /// This clock as a [`SharedClock`] (sharing its time with `self`).
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }

    pub fn set(&self, now_ms: i64) {
        self.now.store(now_ms, Ordering::SeqCst);
        self.moved.send_replace(now_ms);
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let now = self.now.fetch_add(by, Ordering::SeqCst).saturating_add(by);
        self.moved.send_replace(now);
    }

    /// Moves the clock by `by_ms` milliseconds (negative moves it back).
    pub fn advance_ms(&self, by_ms: i64) {
        let now = self
            .now
            .fetch_add(by_ms, Ordering::SeqCst)
            .saturating_add(by_ms);
        self.moved.send_replace(now);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn wait_until<'a>(
        &'a self,
        deadline_ms: i64,
        cancel: &'a CancellationToken,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Wait> + Send + 'a>> {
        let mut moved = self.moved.subscribe();
        Box::pin(async move {
            let _pending = Pending::new(&self.waits, deadline_ms);
            loop {
                if self.now_ms() >= deadline_ms {
                    return Wait::Elapsed;
                }
                tokio::select! {
                    biased;
                    () = cancel.cancelled() => return Wait::Cancelled,
                    changed = moved.changed() => {
                        if changed.is_err() {
                            // No clone can move the clock any more.
                            cancel.cancelled().await;
                            return Wait::Cancelled;
                        }
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_wait_ends_when_the_clock_is_moved_past_its_deadline() {
        let clock = ManualClock::new(1_000);
        let cancel = CancellationToken::new();
        let waiter = {
            let clock = clock.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move { clock.wait(Duration::from_secs(60), &cancel).await })
        };
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(30));
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        assert_eq!(clock.next_deadline(), Some(61_000));
        clock.advance(Duration::from_secs(30));
        assert_eq!(waiter.await.unwrap(), Wait::Elapsed);
        assert_eq!(clock.now_ms(), 61_000);
        assert_eq!(
            clock.next_deadline(),
            None,
            "an ended wait is no longer listed"
        );
    }

    #[tokio::test]
    async fn cancellation_ends_a_wait_at_once() {
        let clock = ManualClock::new(0);
        let cancel = CancellationToken::new();
        let waiter = {
            let clock = clock.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move { clock.wait(Duration::from_secs(3_600), &cancel).await })
        };
        cancel.cancel();
        assert_eq!(waiter.await.unwrap(), Wait::Cancelled);
        let system = SystemClock;
        assert_eq!(
            system.wait(Duration::from_secs(3_600), &cancel).await,
            Wait::Cancelled
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_system_clock_waits_on_tokio_time() {
        let cancel = CancellationToken::new();
        let started = tokio::time::Instant::now();
        assert_eq!(
            SystemClock.wait(Duration::from_secs(5), &cancel).await,
            Wait::Elapsed
        );
        assert!(started.elapsed() >= Duration::from_secs(5));
    }
}
