//! The audit trail's use cases: the log service (integration, checkpoints, proofs, exports,
//! verification) and retention.

/// Checkpoints, retention and verification of the log.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[CHECKPOINT, RETENTION, VERIFICATION],
    attention: None,
};

pub mod inappropriate_use;
pub mod service;

pub use service::{
    AuditService, ProvenEvent, SharedAudit, VerifyReport, furthest_prune, record_of, verify_log,
};

use crate::{App, AppError};

/// Retention: removes the audit events older than the retention setting (none when it is 0,
/// the default), as a prefix of the log that keeps its hashes. Returns how many were removed.
pub async fn prune_audit_trail(app: &App) -> Result<u64, AppError> {
    let years = app.audit_retention_years;
    if years == 0 {
        return Ok(0);
    }
    let now = app.clock.now();
    let before = now
        .checked_sub_months(chrono::Months::new(12 * years))
        .unwrap_or(now);
    Ok(app.audit.prune(&app.store, before).await?)
}

/// Verifies the whole log from the store against the deployment's key and records the result
/// (the audit page shows the last one).
pub async fn verify_and_record(app: &App) -> Result<VerifyReport, AppError> {
    let report = verify_log(&app.store, &app.audit.public_key()).await?;
    let _ = app
        .store
        .record_verification(report.ok, &report.summary())
        .await;
    Ok(report)
}

/// The scheduler's job: a signed checkpoint whenever the log has grown.
pub const CHECKPOINT: crate::scheduler::Job = crate::scheduler::Job {
    name: "audit checkpoint",
    cadence: crate::scheduler::Cadence::EveryTick,
    run: |app| {
        Box::pin(async move {
            app.audit.checkpoint(&app.store).await?;
            Ok(None)
        })
    },
};

/// The scheduler's job: events past the retention period removed (before verification, so
/// verification sees the log as it now is).
pub const RETENTION: crate::scheduler::Job = crate::scheduler::Job {
    name: "audit retention",
    cadence: crate::scheduler::Cadence::LongCycle,
    run: |app| {
        Box::pin(async move {
            let n = prune_audit_trail(app).await?;
            Ok((n > 0).then(|| format!("{n} audit events past retention removed")))
        })
    },
};

/// The scheduler's job: the whole log verified from the store; a failure is logged loudly and
/// shown on the audit page.
pub const VERIFICATION: crate::scheduler::Job = crate::scheduler::Job {
    name: "audit verification",
    cadence: crate::scheduler::Cadence::LongCycle,
    run: |app| {
        Box::pin(async move {
            let report = verify_and_record(app).await?;
            if report.ok {
                Ok(Some(report.summary()))
            } else {
                tracing::error!(summary = %report.summary(), "AUDIT LOG VERIFICATION FAILED");
                // The provider's administrators hear of it at once, by email.
                crate::notifications::mail::alert_provider(
                    app,
                    "The audit trail failed its verification: see the audit page",
                    "/provider/audit",
                )
                .await?;
                Err(AppError::Internal(report.summary()))
            }
        })
    },
};
