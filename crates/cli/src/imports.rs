//! `custodian assets import` and `custodian risks import`.

use crate::access::cli_actor;
use crate::args::*;
use crate::config::Config;
use crate::{Failure, app_failure, open_store};

/// Imports a spreadsheet register into a practice: the risk register if `risks`, else the
/// asset register.
pub(crate) async fn import(config: &Config, risks: bool, args: ImportArgs) -> Result<(), Failure> {
    let ImportArgs {
        who,
        file,
        valid_rows_only,
        dry_run,
    } = args;
    use custodian_app::imports::{ImportMode, Register, check_file, write};
    let bytes = std::fs::read(&file)
        .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", file.display())))?;
    let store = open_store(config).await?;
    let cli = cli_actor(store.clone(), &who).await?;
    let register = if risks {
        Register::Risks
    } else {
        Register::Assets
    };
    let importer = cli.meta.actor_id.expect("a signed-in actor");
    let plan = check_file(&cli.app, register, cli.practice.id, importer, &bytes)
        .await
        .map_err(app_failure)?;
    for e in plan.errors() {
        let column = if e.column.is_empty() {
            "(whole row)"
        } else {
            e.column.as_str()
        };
        eprintln!("row {}, {column}: {}", e.row, e.message);
    }
    let summary = format!(
        "{}: {} rows, {} valid, {} with problems",
        file.display(),
        plan.rows(),
        plan.valid(),
        plan.invalid_rows()
    );
    if dry_run {
        println!("{summary}; nothing written (dry run)");
        return Ok(());
    }
    let mode = if valid_rows_only {
        ImportMode::ValidRows
    } else {
        ImportMode::All
    };
    let n = write(&cli.app, cli.practice.id, &cli.meta, None, &plan, mode)
        .await
        .map_err(app_failure)?;
    println!(
        "{summary}; {n} {}{} added to {}'s register",
        if risks { "risk" } else { "asset" },
        if n == 1 { "" } else { "s" },
        cli.practice.name
    );
    Ok(())
}
