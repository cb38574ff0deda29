//! `custodian assets import` and `custodian risks import`.

use crate::access::cli_actor;
use crate::args::*;
use crate::config::Config;
use crate::{Failure, app_failure, open_store};

/// Imports a spreadsheet register into a practice: the risk register if `risks`, else the
/// asset register.
pub(crate) async fn import(config: &Config, risks: bool, args: ImportArgs) -> Result<(), Failure> {
    let ImportArgs { who, file } = args;
    use custodian_app::imports::{Register, check_file, write};
    let bytes = file.read()?;
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
    let Some(mode) = file.report(
        plan.errors(),
        plan.rows(),
        plan.valid(),
        plan.invalid_rows(),
    ) else {
        return Ok(());
    };
    let n = write(&cli.app, cli.practice.id, &cli.meta, None, &plan, mode)
        .await
        .map_err(app_failure)?;
    println!(
        "{}; {n} {}{} added to {}'s register",
        file.summary(plan.rows(), plan.valid(), plan.invalid_rows()),
        if risks { "risk" } else { "asset" },
        if n == 1 { "" } else { "s" },
        cli.practice.name
    );
    Ok(())
}

impl ImportFile {
    /// The file's bytes, or why they cannot be read.
    pub(crate) fn read(&self) -> Result<Vec<u8>, Failure> {
        std::fs::read(&self.file)
            .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", self.file.display())))
    }

    /// "practices.csv: 3 rows, 2 valid, 1 with problems".
    pub(crate) fn summary(&self, rows: usize, valid: usize, bad: usize) -> String {
        format!(
            "{}: {rows} rows, {valid} valid, {bad} with problems",
            self.file.display()
        )
    }

    /// Lists each problem by row and column on standard error; on a dry run says nothing was
    /// written and answers `None`, else the mode to write with.
    pub(crate) fn report(
        &self,
        problems: &[custodian_domain::csv_import::RowError],
        rows: usize,
        valid: usize,
        bad: usize,
    ) -> Option<custodian_app::imports::ImportMode> {
        for e in problems {
            let column = if e.column.is_empty() {
                "(whole row)"
            } else {
                e.column.as_str()
            };
            eprintln!("row {}, {column}: {}", e.row, e.message);
        }
        if self.dry_run {
            println!(
                "{}; nothing written (dry run)",
                self.summary(rows, valid, bad)
            );
            return None;
        }
        Some(if self.valid_rows_only {
            custodian_app::imports::ImportMode::ValidRows
        } else {
            custodian_app::imports::ImportMode::All
        })
    }
}
