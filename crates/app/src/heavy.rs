//! Work that takes more than a moment of CPU (reading a 10 MiB spreadsheet, laying out a PDF)
//! runs here: on tokio's blocking threads, at most [`AT_ONCE`] at a time, so the async workers
//! go on answering everyone else (`/healthz` included) however large the input.

use tokio::sync::Semaphore;

use crate::AppError;

/// How many heavy jobs run at once; the rest wait their turn without holding a worker.
pub const AT_ONCE: usize = 2;

static HEAVY: Semaphore = Semaphore::const_new(AT_ONCE);

/// Runs `work` off the async workers and answers its result.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _turn = HEAVY
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("heavy work queue closed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("heavy work failed: {e}")))
}
