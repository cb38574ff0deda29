//! Notifications' queries.
//!
//! Compiled once for each backend (`crates/store/src/backends/sqlite.rs` and `postgres.rs`
//! include it with `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`.

use async_trait::async_trait;
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{NoticeId, PersonId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::queries::now;
use crate::*;

// The rest of notifications' queries, beside this file.
#[path = "mail_queries.rs"]
mod mail;

const NOTICE_QUERY: &str = "SELECT n.id, n.practice_id, p.name AS practice_name, n.kind, n.topic, n.text, \
     n.raised_at, n.read_at, n.done_at FROM notices n JOIN practices p ON p.id = n.practice_id WHERE n.person_id = $1";

fn notice_from(row: &DbRow) -> Result<Notice> {
    Ok(Notice {
        id: NoticeId(row.try_get("id")?),
        practice_id: PracticeId(row.try_get("practice_id")?),
        practice_name: row.try_get("practice_name")?,
        kind: kind_from(row)?,
        topic: row.try_get("topic")?,
        text: row.try_get("text")?,
        raised_at: row.try_get("raised_at")?,
        read_at: row.try_get("read_at")?,
        done_at: row.try_get("done_at")?,
    })
}

fn kind_from(row: &DbRow) -> Result<NoticeKind> {
    let kind: String = row.try_get("kind")?;
    NoticeKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("notice kind {kind}")))
}

#[async_trait]
impl NoticeStore for ThisStore {
    async fn sync_notices(
        &self,
        practice: PracticeId,
        wanted: &[(PersonId, Vec<WantedNotice>)],
        now: Timestamp,
    ) -> Result<usize> {
        let current: Vec<(Uuid, Uuid, String, String)> = sqlx::query_as(
            "SELECT id, person_id, topic, text FROM notices WHERE practice_id = $1 AND done_at IS NULL",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        let live = |person: PersonId, topic: &str| {
            current
                .iter()
                .find(|(_, p, t, _)| *p == person.0 && t == topic)
        };
        let mut raise: Vec<(PersonId, &WantedNotice)> = Vec::new();
        let mut retext: Vec<(Uuid, &str)> = Vec::new();
        for (person, items) in wanted {
            for item in items {
                match live(*person, &item.topic) {
                    Some((_, _, _, old)) if *old == item.text => {}
                    Some((id, ..)) => retext.push((*id, &item.text)),
                    None => raise.push((*person, item)),
                }
            }
        }
        let settle: Vec<Uuid> = current
            .iter()
            .filter(|(_, p, t, _)| {
                !wanted
                    .iter()
                    .any(|(w, items)| w.0 == *p && items.iter().any(|i| i.topic == *t))
            })
            .map(|(id, ..)| *id)
            .collect();
        if raise.is_empty() && retext.is_empty() && settle.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let mut raised = 0;
        for (person, item) in raise {
            // Another server raising the same notice at the same moment is not an error: the
            // live notice is unique, and the second insert does nothing (nor queues an email).
            let id = Uuid::now_v7();
            let inserted = sqlx::query(
                "INSERT INTO notices (id, practice_id, person_id, kind, topic, text, raised_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (person_id, practice_id, topic) WHERE done_at IS NULL DO NOTHING",
            )
            .bind(id)
            .bind(practice.0)
            .bind(person.0)
            .bind(item.kind.as_str())
            .bind(&item.topic)
            .bind(&item.text)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 1 {
                raised += 1;
                mail::queue_notice(&mut tx, practice, person, NoticeId(id), item.delivery, now)
                    .await?;
            }
        }
        for (id, text) in retext {
            sqlx::query("UPDATE notices SET text = $2 WHERE id = $1")
                .bind(id)
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        for id in settle {
            sqlx::query("UPDATE notices SET done_at = $2 WHERE id = $1 AND done_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(raised)
    }

    async fn notices(
        &self,
        person: PersonId,
        with_settled: bool,
        limit: u32,
    ) -> Result<Vec<Notice>> {
        let settled = if with_settled {
            ""
        } else {
            " AND n.done_at IS NULL"
        };
        let rows = sqlx::query(&format!(
            "{NOTICE_QUERY}{settled} ORDER BY n.raised_at DESC, n.id DESC LIMIT $2"
        ))
        .bind(person.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(notice_from).collect()
    }

    async fn practice_notices(&self) -> Result<Vec<PracticeNotices>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.ods_code, COUNT(n.id) AS live, \
             COUNT(CASE WHEN n.read_at IS NULL THEN n.id END) AS unread, MIN(n.raised_at) AS oldest, \
             (SELECT COUNT(*) FROM mail_messages m WHERE m.practice_id = p.id \
              AND m.status IN ('queued', 'sending')) AS mail_waiting, \
             (SELECT COUNT(*) FROM mail_messages m WHERE m.practice_id = p.id \
              AND m.status = 'failed') AS mail_failed \
             FROM practices p LEFT JOIN notices n ON n.practice_id = p.id AND n.done_at IS NULL \
             GROUP BY p.id, p.name, p.ods_code ORDER BY p.name, p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PracticeNotices {
                    practice_id: PracticeId(r.try_get("id")?),
                    practice: r.try_get("name")?,
                    ods_code: r.try_get("ods_code")?,
                    live: r.try_get("live")?,
                    unread: r.try_get("unread")?,
                    oldest: r.try_get("oldest")?,
                    mail_waiting: r.try_get("mail_waiting")?,
                    mail_failed: r.try_get("mail_failed")?,
                })
            })
            .collect()
    }

    async fn unread_notices(&self, person: PersonId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notices WHERE person_id = $1 AND done_at IS NULL AND read_at IS NULL",
        )
        .bind(person.0)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn open_calendar_feed(
        &self,
        person: PersonId,
        token_hash: &str,
        event: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let at = now();
        sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(person.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, person_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(person.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn close_calendar_feed(&self, person: PersonId, event: &AuditEvent) -> Result<bool> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let ended = sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(person.0)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if ended.rows_affected() == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn has_calendar_feed(&self, person: PersonId) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM calendar_feeds WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(person.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<PersonId>> {
        let person: Option<Uuid> = sqlx::query_scalar(
            "SELECT f.person_id FROM calendar_feeds f JOIN people p ON p.id = f.person_id \
             WHERE f.token_hash = $1 AND f.revoked_at IS NULL AND p.status = 'active'",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(person.map(PersonId))
    }

    async fn mark_notice_read(
        &self,
        person: PersonId,
        id: NoticeId,
        now: Timestamp,
    ) -> Result<Option<Notice>> {
        let done = sqlx::query(
            "UPDATE notices SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND person_id = $2",
        )
        .bind(id.0)
        .bind(person.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        let row = sqlx::query(&format!("{NOTICE_QUERY} AND n.id = $2"))
            .bind(person.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(notice_from).transpose()
    }
}
