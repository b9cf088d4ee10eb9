//! Referrals (issue 27): invite codes, who says they were referred by whom,
//! each referral's judgement, the review queue, the leaderboard and the
//! figures of the Matthew effect.

use crate::customers::push_scope;
use crate::{with_pool, with_tx, Db, StoreError, Tx};
use access::Scope;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::QueryBuilder;

/// A referral waiting to be judged.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NewReferral {
    /// Its number.
    pub seq: i64,
    /// The friend.
    pub referee_id: i64,
    /// The inviter as given.
    pub inviter_given: String,
    /// The friend's opening.
    pub attributed_at: DateTime<Utc>,
}

/// A referral as the inviter and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReferralRow {
    /// Its number.
    pub seq: i64,
    /// The friend.
    pub referee_id: i64,
    /// The friend's name (masked before it is shown to a customer).
    pub referee_name: String,
    /// The inviter, when the given id or code named one.
    pub inviter_id: Option<i64>,
    /// The inviter's name.
    pub inviter_name: Option<String>,
    /// How it came: import, link or share.
    pub via: String,
    /// The friend's opening.
    pub attributed_at: DateTime<Utc>,
    /// new, rewarded or refused.
    pub state: String,
    /// A refusal's code.
    pub refusal: Option<String>,
    /// The reward's state in the ledger: pending, posted or voided.
    pub reward_state: Option<String>,
    /// Why it waits for review.
    pub review: Option<String>,
}

const ROW: &str = "SELECT r.seq, r.referee_id, f.name AS referee_name, r.inviter_id, c.name AS inviter_name, r.via, \
                   r.attributed_at, r.state, r.refusal, t.state AS reward_state, r.review \
                   FROM referrals r JOIN customers f ON f.id = r.referee_id \
                   LEFT JOIN customers c ON c.id = r.inviter_id \
                   LEFT JOIN points_transfers t ON t.id = r.transfer_id";

/// One line of the leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LeaderRow {
    /// The inviter.
    pub inviter_id: i64,
    /// Their name.
    pub name: String,
    /// Friends referred (not refused).
    pub referred: i64,
    /// Of them, those who qualified (reward posted).
    pub qualified: i64,
}

/// What shares of one kind did, over the sharers in a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareFigures {
    /// content, idea or portfolio.
    pub kind: String,
    /// Opens of shared links.
    pub opens: i64,
    /// Account openings attributed to a share.
    pub openings: i64,
}

/// A customer's week-one invite prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InvitePrompt {
    /// The customer.
    pub customer_id: i64,
    /// The group they joined.
    pub group_id: i64,
    /// Its name.
    pub group_name: String,
    /// When they joined it.
    pub joined_at: DateTime<Utc>,
    /// When they were prompted.
    pub prompted_at: DateTime<Utc>,
    /// When they first saw it.
    pub seen_at: Option<DateTime<Utc>>,
    /// Whether a referral of theirs followed.
    pub converted: bool,
}

/// How week-one prompts converted, over the customers in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PromptConversion {
    /// Customers prompted.
    pub prompted: i64,
    /// Of them, those who saw it.
    pub seen: i64,
    /// Of them, those who referred a friend after it.
    pub converted: i64,
}

const PROMPT: &str = "SELECT p.customer_id, p.group_id, g.name AS group_name, p.joined_at, p.prompted_at, p.seen_at, \
    EXISTS (SELECT 1 FROM referrals r WHERE r.inviter_id = p.customer_id AND r.state = 'rewarded' \
            AND r.attributed_at >= p.prompted_at) AS converted \
    FROM invite_prompts p JOIN chat_groups g ON g.id = p.group_id";

impl Db {
    /// Members who joined a group between 14 and 7 days before `now` and
    /// were never prompted: (customer, their first such group, when they joined it).
    pub async fn due_invite_prompts(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(i64, i64, DateTime<Utc>)>, StoreError> {
        let sql = "SELECT m.customer_id, MIN(m.group_id), MIN(m.joined_at) FROM group_members m \
                   WHERE m.removed_at IS NULL AND m.joined_at <= $1 AND m.joined_at > $2 \
                   AND NOT EXISTS (SELECT 1 FROM invite_prompts p WHERE p.customer_id = m.customer_id) \
                   GROUP BY m.customer_id ORDER BY m.customer_id LIMIT $3";
        let (week, fortnight) = (now - chrono::Days::new(7), now - chrono::Days::new(14));
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(week).bind(fortnight).bind(limit).fetch_all(pool).await?))
    }

    /// A customer's prompt, if they had one.
    pub async fn invite_prompt(&self, customer: i64) -> Result<Option<InvitePrompt>, StoreError> {
        let sql = format!("{PROMPT} WHERE p.customer_id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(customer).fetch_optional(pool).await?))
    }

    /// Notes that the customer saw their prompt (the first time only).
    pub async fn mark_invite_prompt_seen(&self, customer: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sql = "UPDATE invite_prompts SET seen_at = $2 WHERE customer_id = $1 AND seen_at IS NULL";
        with_pool!(self, pool => sqlx::query(sql).bind(customer).bind(now).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Counts an open of a shared link.
    pub async fn record_share_open(
        &self,
        kind: &str,
        item: i64,
        sharer: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO share_opens (kind, item_id, sharer_id, opened_at) VALUES ($1, $2, $3, $4)";
        with_pool!(self, pool => sqlx::query(sql).bind(kind).bind(item).bind(sharer).bind(now).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Opens and attributed openings per kind of share, over the sharers in `scope`.
    pub async fn share_figures(&self, scope: Scope) -> Result<Vec<ShareFigures>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT s.kind, COUNT(*) FROM share_opens s JOIN customers c ON c.id = s.sharer_id WHERE 1 = 1",
            );
            push_scope(&mut q, scope);
            q.push(" GROUP BY s.kind");
            let opens: Vec<(String, i64)> = q.build_query_as().fetch_all(pool).await?;
            let mut q = QueryBuilder::new(
                "SELECT r.share_kind, COUNT(*) FROM referrals r JOIN customers c ON c.id = r.inviter_id \
                 WHERE r.via = 'share' AND r.state = 'rewarded'",
            );
            push_scope(&mut q, scope);
            q.push(" GROUP BY r.share_kind");
            let openings: Vec<(Option<String>, i64)> = q.build_query_as().fetch_all(pool).await?;
            Ok(["content", "idea", "portfolio"].into_iter().map(|kind| ShareFigures {
                kind: kind.to_owned(),
                opens: opens.iter().find(|o| o.0 == kind).map_or(0, |o| o.1),
                openings: openings.iter().find(|o| o.0.as_deref() == Some(kind)).map_or(0, |o| o.1),
            }).collect())
        })
    }

    /// How prompts converted, over the customers in `scope`.
    pub async fn invite_prompt_conversion(&self, scope: Scope) -> Result<PromptConversion, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT COUNT(*), COUNT(p.seen_at), \
                 SUM(CASE WHEN EXISTS (SELECT 1 FROM referrals r WHERE r.inviter_id = p.customer_id \
                     AND r.state = 'rewarded' AND r.attributed_at >= p.prompted_at) THEN 1 ELSE 0 END) \
                 FROM invite_prompts p JOIN customers c ON c.id = p.customer_id WHERE 1 = 1",
            );
            push_scope(&mut q, scope);
            let (prompted, seen, converted): (i64, i64, Option<i64>) = q.build_query_as().fetch_one(pool).await?;
            Ok(PromptConversion { prompted, seen, converted: converted.unwrap_or(0) })
        })
    }

    /// Records who says they were referred by whom; an attribution already
    /// recorded (the same friend and inviter) is not recorded twice. How many new.
    pub async fn record_referrals(&self, rows: &[(i64, String, &str, DateTime<Utc>)]) -> Result<u64, StoreError> {
        let sql = "INSERT INTO referrals (referee_id, inviter_given, via, attributed_at, state) \
                   SELECT $1, $2, $3, $4, 'new' WHERE EXISTS (SELECT 1 FROM customers WHERE id = $1) \
                   AND NOT EXISTS (SELECT 1 FROM referrals WHERE referee_id = $1 AND inviter_given = $2)";
        let mut tx = self.begin().await?;
        let mut n = 0;
        for (referee, given, via, at) in rows {
            n += with_tx!(tx, conn => sqlx::query(sql).bind(referee).bind(given).bind(*via).bind(at)
                .execute(&mut *conn).await?.rows_affected());
        }
        tx.commit().await?;
        Ok(n)
    }

    /// A customer's invite code, if they have one.
    pub async fn invite_code(&self, customer: i64) -> Result<Option<String>, StoreError> {
        let sql = "SELECT code FROM invite_codes WHERE customer_id = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(customer).fetch_optional(pool).await?))
    }

    /// Gives a customer `code` unless they have one or another holds it (then nothing is written).
    pub async fn give_invite_code(&self, customer: i64, code: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sql = "INSERT INTO invite_codes (customer_id, code, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        with_pool!(self, pool => sqlx::query(sql).bind(customer).bind(code).bind(now).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The customer an invite code belongs to.
    pub async fn inviter_by_code(&self, code: &str) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT customer_id FROM invite_codes WHERE code = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(code).fetch_optional(pool).await?))
    }

    /// Referrals naming `inviter`, newest first.
    pub async fn referrals_by(&self, inviter: i64, limit: i64) -> Result<Vec<ReferralRow>, StoreError> {
        let sql = format!("{ROW} WHERE r.inviter_id = $1 ORDER BY r.seq DESC LIMIT $2");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(inviter).bind(limit).fetch_all(pool).await?))
    }

    /// Referrals waiting for a person, of inviters in `scope`, oldest first.
    pub async fn referral_review_queue(&self, scope: Scope, limit: i64) -> Result<Vec<ReferralRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(ROW);
            q.push(" WHERE r.state = 'rewarded' AND r.review IS NOT NULL AND t.state = 'pending'");
            push_scope(&mut q, scope);
            q.push(" ORDER BY r.seq LIMIT ").push_bind(limit);
            Ok(q.build_query_as().fetch_all(pool).await?)
        })
    }

    /// A referral by number, if its inviter is in `scope`.
    pub async fn referral(&self, seq: i64, scope: Scope) -> Result<Option<ReferralRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(ROW);
            q.push(" WHERE r.seq = ").push_bind(seq);
            push_scope(&mut q, scope);
            Ok(q.build_query_as().fetch_optional(pool).await?)
        })
    }

    /// The inviters in `scope` with the most qualified friends.
    pub async fn referral_leaders(&self, scope: Scope, limit: i64) -> Result<Vec<LeaderRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT r.inviter_id, c.name, COUNT(*) AS referred, \
                 SUM(CASE WHEN t.state = 'posted' THEN 1 ELSE 0 END) AS qualified \
                 FROM referrals r JOIN customers c ON c.id = r.inviter_id \
                 LEFT JOIN points_transfers t ON t.id = r.transfer_id WHERE r.state = 'rewarded'",
            );
            push_scope(&mut q, scope);
            q.push(" GROUP BY r.inviter_id, c.name ORDER BY qualified DESC, referred DESC, r.inviter_id LIMIT ").push_bind(limit);
            let rows: Vec<(i64, String, i64, Option<i64>)> = q.build_query_as().fetch_all(pool).await?;
            Ok(rows.into_iter().map(|(inviter_id, name, referred, qualified)| LeaderRow {
                inviter_id, name, referred, qualified: qualified.unwrap_or(0),
            }).collect())
        })
    }

    /// For each inviter in `scope`: friends referred (not refused), their
    /// first referral, and when they first joined a group (if ever).
    #[allow(clippy::type_complexity)]
    pub async fn inviter_histories(
        &self,
        scope: Scope,
    ) -> Result<Vec<(i64, i64, DateTime<Utc>, Option<DateTime<Utc>>)>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT r.inviter_id, COUNT(*), MIN(r.attributed_at), \
                 (SELECT MIN(g.joined_at) FROM group_members g WHERE g.customer_id = r.inviter_id) \
                 FROM referrals r JOIN customers c ON c.id = r.inviter_id WHERE r.state = 'rewarded'",
            );
            push_scope(&mut q, scope);
            q.push(" GROUP BY r.inviter_id");
            Ok(q.build_query_as().fetch_all(pool).await?)
        })
    }
}

impl Tx {
    /// Records a customer's prompt in this unit of work (once per customer);
    /// false, writing nothing, if they had one.
    pub async fn record_invite_prompt(
        &mut self,
        customer: i64,
        group: i64,
        joined_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql = "INSERT INTO invite_prompts (customer_id, group_id, joined_at, prompted_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(customer).bind(group).bind(joined_at).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }

    /// Links a customer's prompt to the task it put in their advisor's queue.
    pub async fn set_invite_prompt_task(&mut self, customer: i64, task: i64) -> Result<(), StoreError> {
        let sql = "UPDATE invite_prompts SET task_id = $2 WHERE customer_id = $1";
        with_tx!(self, conn => sqlx::query(sql).bind(customer).bind(task).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Up to `limit` referrals waiting to be judged, oldest first.
    pub async fn new_referrals(&mut self, limit: i64) -> Result<Vec<NewReferral>, StoreError> {
        let sql = "SELECT seq, referee_id, inviter_given, attributed_at FROM referrals WHERE state = 'new' \
                   ORDER BY seq LIMIT $1";
        Ok(with_tx!(self, conn => sqlx::query_as(sql).bind(limit).fetch_all(&mut *conn).await?))
    }

    /// The customer an invite code belongs to.
    pub async fn inviter_by_code(&mut self, code: &str) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT customer_id FROM invite_codes WHERE code = $1";
        Ok(with_tx!(self, conn => sqlx::query_scalar(sql).bind(code).fetch_optional(&mut *conn).await?))
    }

    /// Whether a customer exists.
    pub async fn customer_exists(&mut self, id: i64) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM customers WHERE id = $1";
        let n: i64 = with_tx!(self, conn => sqlx::query_scalar(sql).bind(id).fetch_one(&mut *conn).await?);
        Ok(n > 0)
    }

    /// The facts of a referral from `inviter` of `referee`: the same person
    /// (a shared national ID or phone, by lookup hash); the friend known
    /// before their opening (another customer with their ID or phone opened
    /// earlier); the friend referred and rewarded before.
    pub async fn referral_facts(&mut self, inviter: i64, referee: i64) -> Result<(bool, bool, bool), StoreError> {
        let sql = "SELECT \
            EXISTS (SELECT 1 FROM customers a, customers b WHERE a.id = $1 AND b.id = $2 \
                    AND (a.national_id_lookup = b.national_id_lookup OR a.phone_lookup = b.phone_lookup)), \
            EXISTS (SELECT 1 FROM customers c, customers o WHERE c.id = $2 AND o.national_id_lookup = c.national_id_lookup \
                    AND o.id <> c.id AND o.opened_at < c.opened_at) \
            OR EXISTS (SELECT 1 FROM customers c, customers o WHERE c.id = $2 AND o.phone_lookup = c.phone_lookup \
                    AND o.id <> c.id AND o.opened_at < c.opened_at), \
            EXISTS (SELECT 1 FROM referrals WHERE referee_id = $2 AND state = 'rewarded')";
        Ok(with_tx!(self, conn => sqlx::query_as(sql).bind(inviter).bind(referee).fetch_one(&mut *conn).await?))
    }

    /// Referrals by `inviter` rewarded with an opening in `from..to`.
    pub async fn referrals_between(
        &mut self,
        inviter: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM referrals WHERE inviter_id = $1 AND state = 'rewarded' \
                   AND attributed_at >= $2 AND attributed_at < $3";
        Ok(
            with_tx!(self, conn => sqlx::query_scalar(sql).bind(inviter).bind(from).bind(to).fetch_one(&mut *conn).await?),
        )
    }

    /// Attributes a referral to the inviter's share opened last in `from..=to`, if any; the share.
    pub async fn attribute_to_share(
        &mut self,
        seq: i64,
        inviter: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let sql = "SELECT kind, item_id FROM share_opens WHERE sharer_id = $1 AND opened_at >= $2 AND opened_at <= $3 \
                   ORDER BY opened_at DESC, seq DESC LIMIT 1";
        let share: Option<(String, i64)> = with_tx!(self, conn => sqlx::query_as(sql).bind(inviter).bind(from).bind(to).fetch_optional(&mut *conn).await?);
        if let Some((kind, item)) = &share {
            let sql = "UPDATE referrals SET via = 'share', share_kind = $2, share_item = $3 WHERE seq = $1";
            with_tx!(self, conn => sqlx::query(sql).bind(seq).bind(kind).bind(item).execute(&mut *conn).await?.rows_affected());
        }
        Ok(share)
    }

    /// Records a referral's judgement.
    #[allow(clippy::too_many_arguments)]
    pub async fn judge_referral(
        &mut self,
        seq: i64,
        inviter: Option<i64>,
        refusal: Option<&str>,
        transfer_id: Option<&str>,
        review: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let state = if refusal.is_some() { "refused" } else { "rewarded" };
        let sql = "UPDATE referrals SET inviter_id = $2, state = $3, refusal = $4, transfer_id = $5, review = $6, \
                   decided_at = $7 WHERE seq = $1 AND state = 'new'";
        with_tx!(self, conn => sqlx::query(sql).bind(seq).bind(inviter).bind(state).bind(refusal).bind(transfer_id)
            .bind(review).bind(now).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Referrals whose friend qualified (real-name verified, a deposit of at
    /// least `min_deposit` in fixed point before the reward's window closed)
    /// and whose reward is still pending and not held for review: the friends.
    /// `among` narrows the search to these friends (those who just deposited).
    pub async fn qualified_referrals(
        &mut self,
        min_deposit: i64,
        limit: i64,
        among: Option<&[i64]>,
    ) -> Result<Vec<i64>, StoreError> {
        // The friends as a bound JSON list ($1), or no narrowing ($1 unused, so the numbers move up).
        let (narrow, min, lim) = match among {
            Some(_) => {
                (format!(" AND r.referee_id IN {}", crate::points::json_in(self.on_postgres(), "::bigint")), 2, 3)
            }
            None => (String::new(), 1, 2),
        };
        let sql = format!(
            "SELECT r.referee_id FROM referrals r \
             JOIN points_transfers t ON t.id = r.transfer_id AND t.state = 'pending' \
             JOIN customers f ON f.id = r.referee_id \
             WHERE r.state = 'rewarded' AND r.review IS NULL AND f.real_name_verified{narrow} \
             AND EXISTS (SELECT 1 FROM accounts a JOIN cash_flows d ON d.account_id = a.id \
                         WHERE a.customer_id = r.referee_id AND d.kind = 'deposit' AND d.amount >= ${min} \
                         AND d.time <= t.pending_until) \
             ORDER BY r.seq LIMIT ${lim}"
        );
        Ok(with_tx!(self, conn => {
            let mut q = sqlx::query_scalar(&sql);
            if let Some(ids) = among {
                q = q.bind(serde_json::to_string(ids).expect("ids serialize"));
            }
            q.bind(min_deposit).bind(limit).fetch_all(&mut *conn).await?
        }))
    }

    /// Clears a referral's review (a reviewer let it through), by whom.
    pub async fn clear_referral_review(&mut self, seq: i64, by: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE referrals SET review = NULL, reviewed_by = $2 WHERE seq = $1 AND review IS NOT NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(seq).bind(by).execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }

    /// Marks a referral's review done by a rejection (its reward voided alongside).
    pub async fn reject_referral_review(&mut self, seq: i64, by: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE referrals SET review = 'rejected: ' || review, reviewed_by = $2 \
                   WHERE seq = $1 AND review IS NOT NULL AND reviewed_by IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(seq).bind(by).execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }
}
