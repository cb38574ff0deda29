//! Email's queries: choices, digests, the outbox and its delivery log. A module of
//! `queries.rs`, compiled with it for each backend.

use async_trait::async_trait;
use custodian_domain::notifications::{Delivery, MailKind, MailStatus, NoticeKind};
use custodian_domain::{MailId, NoticeId, PersonId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::super::*;
use crate::queries::HasDb;
use crate::*;

type Conn = <<ThisStore as HasDb>::Db as sqlx::Database>::Connection;

/// Queues a just-raised notice for email as its person chose, in the notice's transaction.
pub(super) async fn queue_notice(
    conn: &mut Conn,
    practice: PracticeId,
    person: PersonId,
    notice: NoticeId,
    delivery: Delivery,
    now: Timestamp,
) -> Result<()> {
    if delivery == Delivery::Off {
        return Ok(());
    }
    // Someone with no email address on their record has their notices in Custodian only.
    let email: Option<Option<String>> =
        sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut *conn)
            .await?;
    if email.flatten().is_none_or(|e| e.is_empty()) {
        return Ok(());
    }
    match delivery {
        Delivery::Off => {}
        Delivery::Immediate => {
            let id = Uuid::now_v7();
            insert_message(
                &mut *conn,
                id,
                person,
                Some(practice),
                MailKind::Notice,
                None,
                now,
            )
            .await?;
            sqlx::query("INSERT INTO mail_message_notices (message_id, notice_id) VALUES ($1, $2)")
                .bind(id)
                .bind(notice.0)
                .execute(&mut *conn)
                .await?;
        }
        Delivery::Digest => {
            sqlx::query(
                "INSERT INTO digest_queue (notice_id, practice_id, person_id, queued_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(notice.0)
            .bind(practice.0)
            .bind(person.0)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Queues one email; an alert carries its line and path (`alert`), the others their notices.
async fn insert_message(
    conn: &mut Conn,
    id: Uuid,
    person: PersonId,
    practice: Option<PracticeId>,
    kind: MailKind,
    alert: Option<(&str, &str)>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_messages (id, person_id, practice_id, kind, status, alert_text, alert_path, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(person.0)
    .bind(practice.map(|p| p.0))
    .bind(kind.as_str())
    .bind(alert.map(|a| a.0))
    .bind(alert.map(|a| a.1))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn parse<T>(word: String, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<T> {
    f(&word).ok_or_else(|| StoreError::Corrupt(format!("{what} {word}")))
}

const LOG_QUERY: &str = "SELECT m.id, m.kind, m.status, pe.full_name AS recipient, pr.name AS practice, \
     m.alert_text, m.attempts, m.last_answer, m.created_at, m.sent_at, m.next_attempt_at, \
     (SELECT COUNT(*) FROM mail_message_notices mn WHERE mn.message_id = m.id) AS notices, \
     (SELECT MIN(n.text) FROM mail_message_notices mn JOIN notices n ON n.id = mn.notice_id \
      WHERE mn.message_id = m.id) AS first_text \
     FROM mail_messages m JOIN people pe ON pe.id = m.person_id \
     LEFT JOIN practices pr ON pr.id = m.practice_id";

fn log_line(r: &DbRow) -> Result<MailLogLine> {
    let kind = parse(r.try_get("kind")?, "mail kind", MailKind::parse)?;
    let notices: i64 = r.try_get("notices")?;
    let about = match kind {
        MailKind::Alert => r.try_get::<Option<String>, _>("alert_text")?,
        MailKind::Digest => Some(format!("{notices} notice(s)")),
        MailKind::Notice => r.try_get("first_text")?,
    };
    Ok(MailLogLine {
        id: MailId(r.try_get("id")?),
        kind,
        status: parse(r.try_get("status")?, "mail status", MailStatus::parse)?,
        recipient: r.try_get("recipient")?,
        practice: r.try_get("practice")?,
        about: about.unwrap_or_default(),
        attempts: r.try_get::<i64, _>("attempts")?,
        last_answer: r.try_get("last_answer")?,
        queued_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
    })
}

async fn log_attempt(
    conn: &mut Conn,
    id: Uuid,
    outcome: &str,
    answer: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_attempts (message_id, at, outcome, answer) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(now)
    .bind(outcome)
    .bind(answer)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl MailStore for ThisStore {
    async fn notice_choices(&self, person: PersonId) -> Result<Vec<(NoticeKind, Delivery)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, delivery FROM notice_choices WHERE person_id = $1")
                .bind(person.0)
                .fetch_all(&self.pool)
                .await?;
        // A kind no longer known is passed over, not an error: its choice means nothing now.
        Ok(rows
            .into_iter()
            .filter_map(|(k, d)| Some((NoticeKind::parse(&k)?, Delivery::parse(&d)?)))
            .collect())
    }

    async fn all_notice_choices(&self) -> Result<Vec<(PersonId, NoticeKind, Delivery)>> {
        let rows: Vec<(Uuid, String, String)> =
            sqlx::query_as("SELECT person_id, kind, delivery FROM notice_choices")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(p, k, d)| {
                Some((PersonId(p), NoticeKind::parse(&k)?, Delivery::parse(&d)?))
            })
            .collect())
    }

    async fn set_notice_choices(
        &self,
        person: PersonId,
        choices: &[(NoticeKind, Delivery)],
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("DELETE FROM notice_choices WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        for (kind, delivery) in choices {
            sqlx::query(
                "INSERT INTO notice_choices (person_id, kind, delivery) VALUES ($1, $2, $3)",
            )
            .bind(person.0)
            .bind(kind.as_str())
            .bind(delivery.as_str())
            .execute(&mut *tx)
            .await?;
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn build_digest(
        &self,
        practice: PracticeId,
        day: &str,
        now: Timestamp,
    ) -> Result<Option<usize>> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let claimed = sqlx::query(
            "INSERT INTO digest_runs (practice_id, day, built_at) VALUES ($1, $2, $3) \
             ON CONFLICT (practice_id, day) DO NOTHING",
        )
        .bind(practice.0)
        .bind(day)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        // What was done before the digest went out is not worth an email.
        sqlx::query(
            "DELETE FROM digest_queue WHERE practice_id = $1 AND notice_id IN \
             (SELECT id FROM notices WHERE practice_id = $1 AND done_at IS NOT NULL)",
        )
        .bind(practice.0)
        .execute(&mut *tx)
        .await?;
        let people: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT person_id FROM digest_queue WHERE practice_id = $1 ORDER BY person_id",
        )
        .bind(practice.0)
        .fetch_all(&mut *tx)
        .await?;
        for person in &people {
            let id = Uuid::now_v7();
            let (to, of) = (PersonId(*person), Some(practice));
            insert_message(&mut tx, id, to, of, MailKind::Digest, None, now).await?;
            sqlx::query(
                "INSERT INTO mail_message_notices (message_id, notice_id) \
                 SELECT $1, notice_id FROM digest_queue WHERE practice_id = $2 AND person_id = $3",
            )
            .bind(id)
            .bind(practice.0)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM digest_queue WHERE practice_id = $1")
            .bind(practice.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(people.len()))
    }

    async fn provider_administrators(&self) -> Result<Vec<PersonId>> {
        let people: Vec<Uuid> = sqlx::query_scalar(
            "SELECT p.id FROM provider_roles r JOIN people p ON p.id = r.person_id \
             WHERE r.role = 'provider_administrator' AND p.status = 'active' ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(people.into_iter().map(PersonId).collect())
    }

    async fn queue_alert(
        &self,
        people: &[PersonId],
        text: &str,
        path: &str,
        now: Timestamp,
    ) -> Result<usize> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        for person in people {
            let id = Uuid::now_v7();
            let alert = Some((text, path));
            insert_message(&mut tx, id, *person, None, MailKind::Alert, alert, now).await?;
        }
        tx.commit().await?;
        Ok(people.len())
    }

    async fn claim_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutgoingMail>> {
        let claimed = sqlx::query(&format!(
            "UPDATE mail_messages SET status = 'sending', claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM mail_messages \
               WHERE (status = 'queued' AND next_attempt_at <= $1) \
                  OR (status = 'sending' AND claimed_until < $1) \
               ORDER BY next_attempt_at, id LIMIT $3{SKIP_LOCKED}) \
             RETURNING id, person_id, kind, attempts, alert_text, alert_path"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(claimed.len());
        for r in &claimed {
            let id: Uuid = r.try_get("id")?;
            let person = PersonId(r.try_get("person_id")?);
            let to: Option<String> = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
                .bind(person.0)
                .fetch_optional(&self.pool)
                .await?
                .flatten();
            let notices = sqlx::query(
                "SELECT p.id AS practice_id, p.name AS practice_name, n.topic, n.text, n.done_at \
                 FROM mail_message_notices mn JOIN notices n ON n.id = mn.notice_id \
                 JOIN practices p ON p.id = n.practice_id WHERE mn.message_id = $1 \
                 ORDER BY p.name, n.raised_at, n.id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|n| {
                Ok(MailNotice {
                    practice_id: PracticeId(n.try_get("practice_id")?),
                    practice_name: n.try_get("practice_name")?,
                    topic: n.try_get("topic")?,
                    text: n.try_get("text")?,
                    done: n.try_get::<Option<Timestamp>, _>("done_at")?.is_some(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let alert_text: Option<String> = r.try_get("alert_text")?;
            let alert_path: Option<String> = r.try_get("alert_path")?;
            out.push(OutgoingMail {
                id: MailId(id),
                kind: parse(r.try_get("kind")?, "mail kind", MailKind::parse)?,
                person_id: person,
                to,
                attempt: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                notices,
                alert: alert_text.zip(alert_path),
            });
        }
        Ok(out)
    }

    async fn renew_mail_claim(&self, ids: &[MailId], lease_until: Timestamp) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        for id in ids {
            sqlx::query(
                "UPDATE mail_messages SET claimed_until = $2 WHERE id = $1 AND status = 'sending'",
            )
            .bind(id.0)
            .bind(lease_until)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn mail_sent(&self, sent: &[(MailId, String)], now: Timestamp) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        for (id, answer) in sent {
            sqlx::query(
                "UPDATE mail_messages SET status = 'sent', sent_at = $2, last_answer = $3, \
                 claimed_until = NULL WHERE id = $1",
            )
            .bind(id.0)
            .bind(now)
            .bind(answer)
            .execute(&mut *tx)
            .await?;
            log_attempt(&mut tx, id.0, "sent", answer, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn mail_not_sent(
        &self,
        id: MailId,
        answer: &str,
        retry_at: Option<Timestamp>,
        dropped: bool,
        now: Timestamp,
    ) -> Result<()> {
        let (status, outcome) = match (dropped, retry_at) {
            (true, _) => ("dropped", "dropped"),
            (false, Some(_)) => ("queued", "retry"),
            (false, None) => ("failed", "failed"),
        };
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query(
            "UPDATE mail_messages SET status = $2, last_answer = $3, claimed_until = NULL, \
             next_attempt_at = COALESCE($4, next_attempt_at) WHERE id = $1",
        )
        .bind(id.0)
        .bind(status)
        .bind(answer)
        .bind(retry_at)
        .execute(&mut *tx)
        .await?;
        log_attempt(&mut tx, id.0, outcome, answer, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mail_log(&self, practice: Option<PracticeId>, limit: u32) -> Result<Vec<MailLogLine>> {
        let rows = match practice {
            Some(p) => {
                sqlx::query(&format!(
                    "{LOG_QUERY} WHERE m.practice_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2"
                ))
                .bind(p.0)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{LOG_QUERY} ORDER BY m.created_at DESC, m.id DESC LIMIT $1"
                ))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(log_line).collect()
    }

    async fn mail_attempts(
        &self,
        id: MailId,
        practice: Option<PracticeId>,
    ) -> Result<Option<Vec<MailAttempt>>> {
        let of: Option<Option<Uuid>> =
            sqlx::query_scalar("SELECT practice_id FROM mail_messages WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        match (of, practice) {
            (None, _) => return Ok(None),
            (Some(p), Some(want)) if p != Some(want.0) => return Ok(None),
            _ => {}
        }
        let rows: Vec<(Timestamp, String, String)> = sqlx::query_as(
            "SELECT at, outcome, answer FROM mail_attempts WHERE message_id = $1 ORDER BY at",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(
            rows.into_iter()
                .map(|(at, outcome, answer)| MailAttempt {
                    at,
                    outcome,
                    answer,
                })
                .collect(),
        ))
    }
}
