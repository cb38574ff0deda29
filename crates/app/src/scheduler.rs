//! The scheduler inside `custodian serve`: time-driven work that each capability registers as a
//! [`Job`] in [`crate::jobs`]. Every job is safe to run again and on several servers at once (the
//! store's writes are idempotent and claim their rows).

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::{App, AppError};

/// A job's future, borrowing the [`App`] it runs against.
pub type JobFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<String>, AppError>> + Send + 'a>>;

/// How often a job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    /// At every tick (a minute in `custodian serve`): work whose moment has come.
    EveryTick,
    /// On the long cycle (`[audit] verify_every_hours`): heavy work over the whole store.
    LongCycle,
}

/// A piece of time-driven work. `run` returns a summary of what it did, or `None` when there
/// was nothing to do.
#[derive(Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub cadence: Cadence,
    pub run: for<'a> fn(&'a App) -> JobFuture<'a>,
}

/// Runs `jobs` until the process ends: the tick's jobs every `tick`, the long cycle's at the
/// first tick and then every `long_cycle`. A failing job is logged and tried again next time.
pub async fn run(app: App, jobs: Vec<Job>, tick: Duration, long_cycle: Duration) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_long: Option<Instant> = None;
    loop {
        interval.tick().await;
        let long = last_long.is_none_or(|t| t.elapsed() >= long_cycle);
        if long {
            last_long = Some(Instant::now());
        }
        for job in &jobs {
            if job.cadence == Cadence::LongCycle && !long {
                continue;
            }
            match (job.run)(&app).await {
                Ok(None) => {}
                Ok(Some(summary)) => tracing::info!(job = job.name, %summary, "scheduler"),
                Err(e) => tracing::error!(job = job.name, error = %e, "scheduler: job failed"),
            }
        }
    }
}
