//! The audit trail's commands: verify, public key, checkpoint, export.

use custodian_store::AuditMeta;

use crate::args::*;
use crate::config::Config;
use crate::{Failure, app_failure, app_for, open_store};

/// `custodian audit …`.
pub(crate) async fn run(config: &Config, command: AuditCommand) -> Result<(), Failure> {
    // Reading a log that is not there must not create an empty one and call it intact.
    let file = config.data_dir.join("custodian.db");
    if matches!(command, AuditCommand::Verify { .. })
        && config.database_url.is_empty()
        && !file.exists()
    {
        return Err(Failure::Failed(format!(
            "no audit log here: {} does not exist. Point data_dir (or CUSTODIAN_DATA_DIR) at the folder Custodian runs from; the demo's is ./custodian-demo",
            file.display()
        )));
    }
    let store = open_store(config).await?;
    let app = app_for(store.clone(), config)?;
    let audit = &app.audit;
    match command {
        AuditCommand::PublicKey => {
            println!("{}", audit.public_key());
            Ok(())
        }
        AuditCommand::Checkpoint => {
            let c = audit
                .checkpoint(&store)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            match c {
                Some(c) => print!("{}", c.note),
                None => println!("the log is empty: nothing to sign"),
            }
            Ok(())
        }
        AuditCommand::Verify { .. } => {
            let report = custodian_app::audit::verify_and_record(&app)
                .await
                .map_err(app_failure)?;
            if report.ok && report.leaves == 0 {
                // A running Custodian records its own start, so an empty log is the wrong one.
                Err(Failure::Failed(format!(
                    "the audit log in {} is empty: nothing was verified. Is this the database Custodian runs on?",
                    custodian_store::redact_url(&config.database())
                )))
            } else if report.ok {
                println!("{}", report.summary());
                Ok(())
            } else {
                Err(Failure::Failed(report.summary()))
            }
        }
        AuditCommand::Export {
            practice,
            from,
            to,
            output,
        } => {
            let p = store
                .practice_by_ods(&practice)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?
                .ok_or_else(|| {
                    Failure::Failed(format!("no practice has the ODS code {practice}"))
                })?;
            let date = |s: &Option<String>,
                        name: &str,
                        end: bool|
             -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
                match s {
                    None => Ok(None),
                    Some(s) => {
                        let d = custodian_domain::identity::parse_date(s).ok_or_else(|| {
                            Failure::Usage(format!("--{name}: '{s}' is not a date like 2026-11-01"))
                        })?;
                        Ok(Some(custodian_domain::identity::start_of_day(if end {
                            d + chrono::Duration::days(1)
                        } else {
                            d
                        })))
                    }
                }
            };
            let from = date(&from, "from", false)?.unwrap_or_else(|| {
                custodian_domain::identity::start_of_day(
                    chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
                )
            });
            let to = date(&to, "to", true)?
                .unwrap_or_else(|| chrono::Utc::now() + chrono::Duration::days(1));
            let export = audit
                .export(&store, p.id, from, to)
                .await
                .map_err(app_failure)?;
            let meta = AuditMeta {
                user_agent: Some("custodian-cli".into()),
                ..AuditMeta::cli()
            };
            let event = meta.event(Some(p.id), "audit.export", "audit_event", None).details(serde_json::json!({ "records": export.count, "file": output.display().to_string() }));
            store
                .append_event(&event)
                .await
                .map_err(|e| Failure::Failed(e.to_string()))?;
            let text = serde_json::to_string_pretty(&export)
                .map_err(|e| Failure::Failed(e.to_string()))?;
            std::fs::write(&output, text)
                .map_err(|e| Failure::Failed(format!("cannot write {}: {e}", output.display())))?;
            println!(
                "exported {} events of {} to {}",
                export.count,
                p.name,
                output.display()
            );
            println!(
                "check it with: custodian audit verify --export {} --public-key {}",
                output.display(),
                audit.public_key()
            );
            Ok(())
        }
    }
}
