//! How many connections and chunks a parallel download uses: the configured bounds
//! ([`ParallelConfig`]: the connection cap and the chunk size) and the adaptation of the
//! connection count to measured throughput ([`Adapt`]).

use std::time::{Duration, Instant};

/// Smallest chunk chosen automatically, and the span of the first request when the size is not
/// known in advance (Kaggle): a file of at most this size is fetched in one piece.
pub(crate) const MIN_CHUNK: u64 = 2 << 20;
/// Largest chunk chosen automatically.
pub(crate) const MAX_CHUNK: u64 = 16 << 20;
/// Connections a parallel download starts with before it measures whether more help.
const INITIAL_CONNECTIONS: usize = 2;
/// How often throughput is measured to adapt the number of connections.
pub(crate) const ADAPT_EVERY: Duration = Duration::from_millis(50);
/// Large files fetched in parallel chunks at once in one dataset: each may use up to
/// `--connections`, so more would only split the same bandwidth and multiply buffers.
pub(crate) const MAX_PARALLEL_FILES: usize = 4;

/// How large files are split into parallel ranged chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParallelConfig {
    /// Most connections for one file (`--connections`); 1 disables parallel chunks.
    pub max_connections: usize,
    /// A fixed chunk size (`DSFETCH_CHUNK_SIZE`); `None` picks one from the file size. Files
    /// larger than one chunk are split.
    pub chunk_size: Option<u64>,
}

impl Default for ParallelConfig {
    fn default() -> Self {
        ParallelConfig {
            max_connections: 16,
            chunk_size: None,
        }
    }
}

impl ParallelConfig {
    /// The span of the first request when the size is unknown; a larger file is split.
    pub fn first_span(&self) -> u64 {
        self.chunk_size.unwrap_or(MIN_CHUNK).max(1)
    }

    /// Whether a file of `total` bytes is fetched in parallel chunks.
    pub fn wants_parallel(&self, total: u64) -> bool {
        self.max_connections > 1 && total > self.first_span()
    }

    /// The chunk size for a file of `total` bytes: about eight chunks per connection (so the
    /// last chunks, which finish at different times, are short), within `MIN_CHUNK` (2 MiB) and
    /// `MAX_CHUNK` (16 MiB).
    pub fn chunk_for(&self, total: u64) -> u64 {
        if let Some(c) = self.chunk_size {
            return c.max(1);
        }
        let per = total / (8 * self.max_connections.max(1) as u64);
        per.clamp(MIN_CHUNK, MAX_CHUNK).next_multiple_of(64 << 10)
    }
}

/// Adapts the number of connections to measured throughput: doubles while each step raises
/// throughput by more than 10% (quadruples when it nearly doubled it), halves on errors, and
/// after a quiet spell probes one more. The window right after a change is not judged (new
/// connections are still connecting), and growth stops only after two judged windows without
/// gain, so one noisy window does not freeze a capped download at a few connections.
pub(crate) struct Adapt {
    /// Connections to keep busy now.
    pub target: usize,
    cap: usize,
    growing: bool,
    /// Windows left to wait before judging the last change.
    settle: u32,
    /// Judged windows in a row without gain.
    flat: u32,
    last_at: Instant,
    last_bytes: u64,
    last_errors: u32,
    /// Throughput measured at the previous level, bytes per second.
    level_rate: f64,
    quiet_ticks: u32,
    /// Throughput of the last window, bytes per second (for messages).
    pub last_rate: f64,
}

impl Adapt {
    /// Starts with a few connections, never more than `cap`.
    pub fn new(cap: usize) -> Adapt {
        Adapt {
            target: INITIAL_CONNECTIONS.min(cap),
            cap,
            growing: true,
            settle: 0,
            flat: 0,
            last_at: Instant::now(),
            last_bytes: 0,
            last_errors: 0,
            level_rate: 0.0,
            quiet_ticks: 0,
            last_rate: 0.0,
        }
    }

    /// Judges the window since the last tick: `bytes` and `errors` received and counted so far in
    /// the download, `active` connections busy now.
    pub fn tick(&mut self, bytes: u64, errors: u32, active: usize) {
        let now = Instant::now();
        let dt = now.duration_since(self.last_at).as_secs_f64().max(1e-3);
        let rate = (bytes - self.last_bytes) as f64 / dt;
        self.last_at = now;
        self.last_bytes = bytes;
        self.last_rate = rate;
        if errors != self.last_errors {
            self.last_errors = errors;
            self.target = (self.target / 2).max(1);
            self.growing = false;
            self.quiet_ticks = 0;
            return;
        }
        self.quiet_ticks += 1;
        if active < self.target {
            // Not enough chunks left to use more connections: nothing to learn.
            return;
        }
        if self.growing {
            if self.settle > 0 {
                self.settle -= 1;
                return;
            }
            // Near-linear gain from the last doubling means each connection is capped (not the
            // link or the CPU): jump further; a small gain doubles; none, twice, stops the growth.
            let factor = if self.level_rate == 0.0 {
                2
            } else if rate > self.level_rate * 1.7 {
                4
            } else if rate > self.level_rate * 1.1 {
                2
            } else {
                self.flat += 1;
                if self.flat >= 2 {
                    self.growing = false;
                }
                1
            };
            if factor > 1 {
                self.flat = 0;
                self.settle = 1;
                self.level_rate = rate;
                self.target = (self.target * factor).min(self.cap);
            }
        } else if self.quiet_ticks >= 10 && self.target < self.cap {
            // After errors stopped, probe upwards again slowly.
            self.quiet_ticks = 0;
            self.level_rate = rate;
            self.target += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes() {
        let c = ParallelConfig::default();
        assert!(!c.wants_parallel(MIN_CHUNK));
        assert!(c.wants_parallel(MIN_CHUNK + 1));
        assert_eq!(c.chunk_for(1 << 30), 8 << 20);
        assert_eq!(c.chunk_for(40_000_000), MIN_CHUNK);
        assert_eq!(c.chunk_for(1 << 40), MAX_CHUNK);
        let fixed = ParallelConfig {
            max_connections: 4,
            chunk_size: Some(1000),
        };
        assert!(fixed.wants_parallel(1001));
        assert_eq!(fixed.chunk_for(1 << 30), 1000);
        let single = ParallelConfig {
            max_connections: 1,
            chunk_size: None,
        };
        assert!(!single.wants_parallel(1 << 30));
    }

    #[test]
    fn adapt_grows_while_throughput_grows_and_backs_off_on_errors() {
        // One judged window of one second; a window after a change only settles.
        fn window(a: &mut Adapt, bytes: u64, errors: u32, active: usize) {
            a.last_at = Instant::now() - Duration::from_secs(1);
            a.tick(bytes, errors, active);
        }
        let mut a = Adapt::new(16);
        assert_eq!(a.target, 2);
        window(&mut a, 50, 0, 2);
        assert_eq!(a.target, 4);
        window(&mut a, 100, 0, 4);
        assert_eq!(a.target, 4, "the window after a change is not judged");
        window(&mut a, 160, 0, 4);
        assert_eq!(a.target, 8, "+20%: doubles");
        window(&mut a, 230, 0, 8);
        window(&mut a, 340, 0, 8);
        assert_eq!(a.target, 16, "linear gain: would quadruple, capped");
        window(&mut a, 500, 0, 16);
        window(&mut a, 700, 0, 16);
        assert_eq!(a.target, 16, "capped");
        a.tick(800, 1, 16);
        assert_eq!(a.target, 8, "halved on errors");

        let mut flat = Adapt::new(16);
        window(&mut flat, 100, 0, 2);
        assert_eq!(flat.target, 4);
        window(&mut flat, 200, 0, 4);
        window(&mut flat, 300, 0, 4);
        assert!(
            flat.growing,
            "one window without gain is not enough to stop"
        );
        window(&mut flat, 400, 0, 4);
        assert_eq!(flat.target, 4, "no gain from 2 to 4, twice: stays");
        assert!(!flat.growing);
    }
}
