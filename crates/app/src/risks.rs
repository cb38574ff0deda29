//! The risk register's rules that reach beyond one risk: whether the practice's risks fit a
//! risk matrix (before a practice or the provider changes it).

use custodian_domain::Invalid;
use custodian_domain::risks::{self, Matrix};
use custodian_store::RiskFilter;

use crate::{App, AppError};

/// How many of the practice's risks use a likelihood or impact beyond matrix `m` (they would
/// fall off its heat map): a practice cannot move to a smaller matrix until they are rescored.
pub async fn risks_off_matrix(
    app: &App,
    practice: custodian_domain::PracticeId,
    m: &Matrix,
) -> Result<usize, AppError> {
    let list = app
        .store
        .risks(
            practice,
            &RiskFilter {
                limit: 50_000,
                ..Default::default()
            },
        )
        .await?;
    Ok(list
        .iter()
        .filter(|r| {
            let f = &r.fields;
            [
                f.inherent_likelihood,
                f.inherent_impact,
                f.residual_likelihood,
                f.residual_impact,
                f.target_likelihood,
                f.target_impact,
            ]
            .iter()
            .any(|v| v.is_some_and(|v| v > m.size()))
        })
        .count())
}

/// Refuses a settings change to a matrix the practice's risks do not fit.
pub async fn check_matrix_change(
    app: &App,
    practice: custodian_domain::PracticeId,
    settings: &custodian_domain::settings::PracticeSettings,
) -> Result<(), AppError> {
    let m = risks::matrix(&settings.risk_matrix);
    let n = risks_off_matrix(app, practice, m).await?;
    if n > 0 {
        return Err(Invalid::one(
            "risk_matrix",
            format!(
                "{n} of the practice's risks use levels beyond the {} matrix and would fall off it: rescore them first",
                m.name
            ),
        )
        .into());
    }
    Ok(())
}
