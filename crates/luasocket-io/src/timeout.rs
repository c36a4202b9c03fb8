//! Block and total timeouts, ported from LuaSocket's arithmetic onto a monotonic clock.
//!
//! A socket has a *block* timeout (the limit for each wait, `settimeout(t)` or
//! `settimeout(t, "b")`) and a *total* timeout (the limit for a whole method call,
//! `settimeout(t, "t")`). Negative means no limit. Each method call marks its start; each
//! wait asks [`Timeout::retry`] how long it may last.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The timeouts of one socket and the start of the method call under way.
#[derive(Debug, Clone, Copy)]
pub struct Timeout {
    block: f64,
    total: f64,
    start: Instant,
}

impl Default for Timeout {
    fn default() -> Self {
        Timeout::new(-1.0, -1.0)
    }
}

impl Timeout {
    /// A timeout with the given block and total limits in seconds (negative: none).
    pub fn new(block: f64, total: f64) -> Self {
        Timeout {
            block: normalize(block),
            total: normalize(total),
            start: Instant::now(),
        }
    }

    /// Backs `settimeout(t)` / `settimeout(t, "b")`. NaN counts as no limit.
    pub fn set_block(&mut self, seconds: f64) {
        self.block = normalize(seconds);
    }

    /// Backs `settimeout(t, "t")` / `settimeout(t, "r")`. NaN counts as no limit.
    pub fn set_total(&mut self, seconds: f64) {
        self.total = normalize(seconds);
    }

    /// The block timeout as `gettimeout()` reports it (-1 when unset).
    pub fn block(&self) -> f64 {
        self.block
    }

    /// The total timeout as `gettimeout()` reports it (-1 when unset).
    pub fn total(&self) -> f64 {
        self.total
    }

    /// Records that an operation starts now (LuaSocket's `timeout_markstart`). With no
    /// limit at all the start is never read, so the clock is not consulted.
    pub fn mark_start(&mut self) {
        if self.block >= 0.0 || self.total >= 0.0 {
            self.mark_start_at(Instant::now());
        }
    }

    /// Marks the start of a method call at `now` (for tests with an injected clock).
    pub fn mark_start_at(&mut self, now: Instant) {
        self.start = now;
    }

    /// True when the socket must never block (`settimeout(0)`): callers skip waiting.
    pub fn is_zero(&self) -> bool {
        self.block == 0.0
    }

    /// How long the next wait may last, now; `None` means without limit.
    pub fn retry(&self) -> Option<Duration> {
        self.retry_at(Instant::now())
    }

    /// How long a wait starting at `now` may last; `None` means without limit.
    ///
    /// With only a block limit, it counts from the start of the method call; with both,
    /// the smaller of the block limit and what is left of the total.
    pub fn retry_at(&self, now: Instant) -> Option<Duration> {
        let elapsed = now.saturating_duration_since(self.start).as_secs_f64();
        let secs = match (self.block < 0.0, self.total < 0.0) {
            (true, true) => return None,
            (true, false) => (self.total - elapsed).max(0.0),
            (false, true) => (self.block - elapsed).max(0.0),
            (false, false) => self.block.min((self.total - elapsed).max(0.0)),
        };
        // Absurdly large limits (1e300 seconds) mean "no limit" in practice.
        Duration::try_from_secs_f64(secs).ok()
    }
}

fn normalize(seconds: f64) -> f64 {
    if seconds.is_nan() || seconds < 0.0 {
        -1.0
    } else {
        seconds
    }
}

/// Seconds since the Unix epoch, as `socket.gettime()` returns them.
pub fn wall_clock() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Option<Duration>) -> Option<f64> {
        d.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0)
    }

    #[test]
    fn no_limits_means_wait_forever() {
        let tm = Timeout::default();
        assert_eq!(tm.retry(), None);
        assert_eq!((tm.block(), tm.total()), (-1.0, -1.0));
        assert!(!tm.is_zero());
    }

    #[test]
    fn block_only_counts_from_the_call_start() {
        let t0 = Instant::now();
        let mut tm = Timeout::new(2.0, -1.0);
        tm.mark_start_at(t0);
        assert_eq!(secs(tm.retry_at(t0)), Some(2.0));
        assert_eq!(
            secs(tm.retry_at(t0 + Duration::from_millis(500))),
            Some(1.5)
        );
        assert_eq!(secs(tm.retry_at(t0 + Duration::from_secs(5))), Some(0.0));
    }

    #[test]
    fn total_only_shrinks() {
        let t0 = Instant::now();
        let mut tm = Timeout::new(-1.0, 1.0);
        tm.mark_start_at(t0);
        assert_eq!(
            secs(tm.retry_at(t0 + Duration::from_millis(250))),
            Some(0.75)
        );
        assert_eq!(secs(tm.retry_at(t0 + Duration::from_secs(3))), Some(0.0));
    }

    #[test]
    fn both_take_the_smaller() {
        let t0 = Instant::now();
        let mut tm = Timeout::new(0.5, 2.0);
        tm.mark_start_at(t0);
        assert_eq!(secs(tm.retry_at(t0)), Some(0.5));
        assert_eq!(
            secs(tm.retry_at(t0 + Duration::from_millis(1800))),
            Some(0.2)
        );
        assert_eq!(secs(tm.retry_at(t0 + Duration::from_secs(9))), Some(0.0));
    }

    #[test]
    fn odd_values() {
        let mut tm = Timeout::default();
        tm.set_block(f64::NAN);
        assert_eq!(tm.block(), -1.0);
        tm.set_block(0.0);
        assert!(tm.is_zero());
        tm.set_block(1e300);
        assert_eq!(tm.retry(), None);
        tm.set_total(-5.0);
        assert_eq!(tm.total(), -1.0);
        assert!(wall_clock() > 1.6e9);
    }
}
