//! Advisor communities' membership: groups, their co-admins, members,
//! applications, invite links and advisor-wide bans. The rules of who may
//! enter live in the `community` crate; this module stores what they decide.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, Utc};
use domain::{ApplicationId, ApplicationStatus, BranchId, CustomerId, GroupDescription, GroupId, GroupName, StaffId};
use serde::Serialize;

/// A group as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GroupRow {
    /// Id.
    pub id: GroupId,
    /// The advisor who owns it.
    pub advisor_id: StaffId,
    /// The advisor's name.
    pub advisor: String,
    /// The advisor's licence number, shown on published content.
    pub licence_no: Option<String>,
    /// The advisor's branch.
    pub branch_id: BranchId,
    /// Name.
    pub name: String,
    /// What the group is for.
    pub description: String,
    /// The group's content rules (JSON, `community::GroupRules`).
    pub rules: String,
    /// Most members it holds.
    pub capacity: i64,
    /// Members now (not removed).
    pub members: i64,
    /// Made.
    pub created_at: DateTime<Utc>,
}

/// A group to make.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// Owner.
    pub advisor_id: StaffId,
    /// Name.
    pub name: GroupName,
    /// What it is for.
    pub description: GroupDescription,
    /// Content rules (JSON).
    pub rules: String,
    /// Most members.
    pub capacity: i64,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    /// Customer id.
    pub customer_id: CustomerId,
    /// Name.
    pub name: String,
    /// Joined.
    pub joined_at: DateTime<Utc>,
    /// Muted until, if muted.
    pub muted_until: Option<DateTime<Utc>>,
    /// Removed, if removed.
    pub removed_at: Option<DateTime<Utc>>,
}

/// What admission needs to know of a customer and a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryFacts {
    /// Real-name verified; none when no such customer exists.
    pub verified: Option<bool>,
    /// Banned by the group's advisor.
    pub banned: bool,
    /// A member now.
    pub member: bool,
    /// Members now.
    pub members: i64,
    /// Most members.
    pub capacity: i64,
}

/// An application to enter a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApplicationRow {
    /// Id.
    pub id: ApplicationId,
    /// The group.
    pub group_id: GroupId,
    /// The applicant.
    pub customer_id: CustomerId,
    /// The applicant's name.
    pub customer: String,
    /// What they wrote.
    pub note: String,
    /// pending, approved or rejected.
    pub status: ApplicationStatus,
    /// The advisor's reason, once decided.
    pub reason: Option<String>,
    /// Applied.
    pub created_at: DateTime<Utc>,
    /// Decided.
    pub decided_at: Option<DateTime<Utc>>,
}

/// An application as its applicant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OwnApplication {
    /// The group.
    pub group_id: GroupId,
    /// Its name.
    pub group_name: String,
    /// pending, approved or rejected.
    pub status: ApplicationStatus,
    /// The advisor's reason, once decided.
    pub reason: Option<String>,
    /// Applied.
    pub created_at: DateTime<Utc>,
}

const GROUP_COLUMNS: &str = "SELECT g.id, g.advisor_id, s.name AS advisor, s.licence_no, s.branch_id, g.name, \
     g.description, g.rules, g.capacity, \
     (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.removed_at IS NULL) AS members, \
     g.created_at FROM chat_groups g JOIN staff s ON s.id = g.advisor_id";

impl Db {
    /// Makes a group; its id.
    pub async fn create_group(&self, group: &NewGroup) -> Result<GroupId, StoreError> {
        let now = self.now();
        let sql = "INSERT INTO chat_groups (advisor_id, name, description, rules, capacity, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(group.advisor_id)
            .bind(&group.name)
            .bind(&group.description)
            .bind(&group.rules)
            .bind(group.capacity)
            .bind(now)
            .fetch_one(pool)
            .await?))
    }

    /// One group.
    pub async fn group(&self, id: GroupId) -> Result<Option<GroupRow>, StoreError> {
        let sql = format!("{GROUP_COLUMNS} WHERE g.id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Groups a staff member runs (owns or co-admins), by id.
    pub async fn groups_run_by(&self, staff_id: StaffId) -> Result<Vec<GroupRow>, StoreError> {
        let sql = format!(
            "{GROUP_COLUMNS} WHERE g.advisor_id = $1 OR EXISTS \
             (SELECT 1 FROM group_admins a WHERE a.group_id = g.id AND a.staff_id = $1) ORDER BY g.id"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(staff_id).fetch_all(pool).await?))
    }

    /// Groups of one branch's advisors (a manager's view), by id; none: the whole firm.
    pub async fn groups_of_branch(&self, branch_id: Option<BranchId>) -> Result<Vec<GroupRow>, StoreError> {
        let sql = format!("{GROUP_COLUMNS} WHERE $1 IS NULL OR s.branch_id = $1 ORDER BY g.id");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(branch_id).fetch_all(pool).await?))
    }

    /// Groups a customer is in, by id.
    pub async fn groups_joined(&self, customer_id: CustomerId) -> Result<Vec<GroupRow>, StoreError> {
        let sql = format!(
            "{GROUP_COLUMNS} WHERE EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id \
             AND m.customer_id = $1 AND m.removed_at IS NULL) ORDER BY g.id"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(customer_id).fetch_all(pool).await?))
    }

    /// Groups of a customer's own advisor that the customer is not in (to apply to), by id.
    pub async fn groups_open_to(&self, customer_id: CustomerId) -> Result<Vec<GroupRow>, StoreError> {
        let sql = format!(
            "{GROUP_COLUMNS} WHERE g.advisor_id = (SELECT advisor_id FROM customers WHERE id = $1) \
             AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id \
             AND m.customer_id = $1 AND m.removed_at IS NULL) ORDER BY g.id"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(customer_id).fetch_all(pool).await?))
    }

    /// The co-admins of a group (staff ids).
    pub async fn group_admins(&self, group_id: GroupId) -> Result<Vec<StaffId>, StoreError> {
        let sql = "SELECT staff_id FROM group_admins WHERE group_id = $1 ORDER BY staff_id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(group_id).fetch_all(pool).await?))
    }

    /// Adds a co-admin (already one: nothing changes).
    pub async fn add_group_admin(&self, group_id: GroupId, staff_id: StaffId) -> Result<(), StoreError> {
        let sql = "INSERT INTO group_admins (group_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        with_pool!(self, pool => sqlx::query(sql).bind(group_id).bind(staff_id).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Whether a staff member exists (any staff role).
    pub async fn staff_exists(&self, staff_id: StaffId) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM staff WHERE id = $1";
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(sql).bind(staff_id).fetch_one(pool).await?);
        Ok(n == 1)
    }

    /// A customer's name, when they exist.
    pub async fn customer_name(&self, customer_id: CustomerId) -> Result<Option<String>, StoreError> {
        let sql = "SELECT name FROM customers WHERE id = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(customer_id).fetch_optional(pool).await?))
    }

    /// A customer's advisor, when the customer exists.
    pub async fn advisor_of(&self, customer_id: CustomerId) -> Result<Option<StaffId>, StoreError> {
        let sql = "SELECT advisor_id FROM customers WHERE id = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(customer_id).fetch_optional(pool).await?))
    }

    /// Up to `limit` of an advisor's customers, by id.
    pub async fn customers_of_advisor(&self, advisor_id: StaffId, limit: i64) -> Result<Vec<CustomerId>, StoreError> {
        let sql = "SELECT id FROM customers WHERE advisor_id = $1 ORDER BY id LIMIT $2";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(advisor_id).bind(limit).fetch_all(pool).await?))
    }

    /// A staff member's name, when they exist.
    pub async fn staff_name(&self, staff_id: StaffId) -> Result<Option<String>, StoreError> {
        let sql = "SELECT name FROM staff WHERE id = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(staff_id).fetch_optional(pool).await?))
    }

    /// What admission needs to know of `customer_id` and the group.
    pub async fn entry_facts(
        &self,
        group_id: GroupId,
        customer_id: CustomerId,
    ) -> Result<Option<EntryFacts>, StoreError> {
        let Some(group) = self.group(group_id).await? else { return Ok(None) };
        let sql = "SELECT real_name_verified FROM customers WHERE id = $1";
        let verified: Option<bool> =
            with_pool!(self, pool => sqlx::query_scalar(sql).bind(customer_id).fetch_optional(pool).await?);
        let banned = "SELECT COUNT(*) FROM advisor_bans WHERE advisor_id = $1 AND customer_id = $2";
        let banned: i64 = with_pool!(self, pool => sqlx::query_scalar(banned)
            .bind(group.advisor_id).bind(customer_id).fetch_one(pool).await?);
        let member = self.membership(group_id, customer_id).await?.is_some_and(|m| m.removed_at.is_none());
        Ok(Some(EntryFacts { verified, banned: banned > 0, member, members: group.members, capacity: group.capacity }))
    }

    /// A customer's membership of a group (removed members too).
    pub async fn membership(
        &self,
        group_id: GroupId,
        customer_id: CustomerId,
    ) -> Result<Option<MemberRow>, StoreError> {
        let sql = "SELECT m.customer_id, c.name, m.joined_at, m.muted_until, m.removed_at FROM group_members m \
                   JOIN customers c ON c.id = m.customer_id WHERE m.group_id = $1 AND m.customer_id = $2";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(group_id).bind(customer_id).fetch_optional(pool).await?))
    }

    /// The members of a group now, by name.
    pub async fn members(&self, group_id: GroupId) -> Result<Vec<MemberRow>, StoreError> {
        let sql = "SELECT m.customer_id, c.name, m.joined_at, m.muted_until, m.removed_at FROM group_members m \
                   JOIN customers c ON c.id = m.customer_id WHERE m.group_id = $1 AND m.removed_at IS NULL \
                   ORDER BY c.name, m.customer_id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(group_id).fetch_all(pool).await?))
    }

    /// Puts many customers in a group at once (a migration from another tool, a benchmark).
    pub async fn add_members(
        &self,
        group_id: GroupId,
        customers: &[CustomerId],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for chunk in customers.chunks(crate::book::ROWS_PER_STATEMENT) {
            with_pool!(self, pool => {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO group_members (group_id, customer_id, joined_at) ");
                q.push_values(chunk, |mut b, c| {
                    b.push_bind(group_id).push_bind(*c).push_bind(at);
                });
                q.push(" ON CONFLICT (group_id, customer_id) DO UPDATE SET removed_at = NULL, muted_until = NULL");
                q.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Files an application; its id. A pending one already filed is returned instead.
    pub async fn apply_to_group(
        &self,
        group_id: GroupId,
        customer_id: CustomerId,
        note: &str,
    ) -> Result<ApplicationId, StoreError> {
        let now = self.now();
        let pending =
            "SELECT id FROM group_applications WHERE group_id = $1 AND customer_id = $2 AND status = 'pending'";
        let existing: Option<ApplicationId> = with_pool!(self, pool => sqlx::query_scalar(pending)
            .bind(group_id).bind(customer_id).fetch_optional(pool).await?);
        if let Some(id) = existing {
            return Ok(id);
        }
        let sql = "INSERT INTO group_applications (group_id, customer_id, note, status, created_at) \
                   VALUES ($1, $2, $3, 'pending', $4) RETURNING id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(group_id).bind(customer_id).bind(note).bind(now).fetch_one(pool).await?))
    }

    /// A group's applications with a status (none: all), oldest first.
    pub async fn applications(
        &self,
        group_id: GroupId,
        status: Option<ApplicationStatus>,
    ) -> Result<Vec<ApplicationRow>, StoreError> {
        let sql = "SELECT a.id, a.group_id, a.customer_id, c.name AS customer, a.note, a.status, a.reason, \
                   a.created_at, a.decided_at FROM group_applications a JOIN customers c ON c.id = a.customer_id \
                   WHERE a.group_id = $1 AND ($2 IS NULL OR a.status = $2) ORDER BY a.id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(group_id).bind(status).fetch_all(pool).await?))
    }

    /// A customer's own applications, newest first.
    pub async fn applications_of(&self, customer_id: CustomerId) -> Result<Vec<OwnApplication>, StoreError> {
        let sql = "SELECT a.group_id, g.name AS group_name, a.status, a.reason, a.created_at \
                   FROM group_applications a JOIN chat_groups g ON g.id = a.group_id \
                   WHERE a.customer_id = $1 ORDER BY a.id DESC";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(customer_id).fetch_all(pool).await?))
    }

    /// One application.
    pub async fn application(&self, id: ApplicationId) -> Result<Option<ApplicationRow>, StoreError> {
        let sql = "SELECT a.id, a.group_id, a.customer_id, c.name AS customer, a.note, a.status, a.reason, \
                   a.created_at, a.decided_at FROM group_applications a JOIN customers c ON c.id = a.customer_id \
                   WHERE a.id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
    }

    /// [`Tx::create_invite`] as a unit of work of its own.
    pub async fn create_invite(
        &self,
        token: &str,
        group_id: GroupId,
        staff_id: StaffId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.create_invite(token, group_id, staff_id, expires_at).await?;
        tx.commit().await
    }

    /// The group and expiry of an invite token.
    pub async fn invite(&self, token: &str) -> Result<Option<(GroupId, DateTime<Utc>)>, StoreError> {
        let sql = "SELECT group_id, expires_at FROM group_invites WHERE token = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(token).fetch_optional(pool).await?))
    }

    /// Bans a customer from all of an advisor's groups and removes them from
    /// each; the groups they were removed from.
    pub async fn ban_from_advisor(
        &self,
        advisor_id: StaffId,
        customer_id: CustomerId,
        reason: &str,
    ) -> Result<Vec<GroupId>, StoreError> {
        let now = self.now();
        let ban = "INSERT INTO advisor_bans (advisor_id, customer_id, reason, at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (advisor_id, customer_id) DO UPDATE SET reason = excluded.reason, at = excluded.at";
        let groups = "SELECT m.group_id FROM group_members m JOIN chat_groups g ON g.id = m.group_id \
                      WHERE g.advisor_id = $1 AND m.customer_id = $2 AND m.removed_at IS NULL ORDER BY m.group_id";
        let remove = "UPDATE group_members SET removed_at = $1 WHERE customer_id = $2 AND removed_at IS NULL \
                      AND group_id IN (SELECT id FROM chat_groups WHERE advisor_id = $3)";
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(ban).bind(advisor_id).bind(customer_id).bind(reason).bind(now).execute(&mut *tx).await?;
            let left: Vec<GroupId> =
                sqlx::query_scalar(groups).bind(advisor_id).bind(customer_id).fetch_all(&mut *tx).await?;
            sqlx::query(remove).bind(now).bind(customer_id).bind(advisor_id).execute(&mut *tx).await?;
            tx.commit().await?;
            left
        }))
    }

    /// Lifts an advisor's ban (members do not come back by themselves); false when there was none.
    pub async fn lift_advisor_ban(&self, advisor_id: StaffId, customer_id: CustomerId) -> Result<bool, StoreError> {
        let sql = "DELETE FROM advisor_bans WHERE advisor_id = $1 AND customer_id = $2";
        let n = with_pool!(self, pool => sqlx::query(sql).bind(advisor_id).bind(customer_id)
            .execute(pool).await?.rows_affected());
        Ok(n == 1)
    }
}

impl Db {
    /// [`Tx::add_member`] as a unit of work of its own.
    pub async fn add_member(
        &self,
        group_id: GroupId,
        customer_id: CustomerId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.add_member(group_id, customer_id, at).await?;
        tx.commit().await
    }
}

impl Tx {
    /// Stores an invite link's token for a group, made by one of its admins.
    pub async fn create_invite(
        &mut self,
        token: &str,
        group_id: GroupId,
        staff_id: StaffId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO group_invites (token, group_id, created_by, expires_at) VALUES ($1, $2, $3, $4)";
        with_tx!(self, conn => sqlx::query(sql).bind(token).bind(group_id).bind(staff_id).bind(expires_at)
            .execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Puts a customer in a group (back in, unmuted, if they had been removed).
    pub async fn add_member(
        &mut self,
        group_id: GroupId,
        customer_id: CustomerId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO group_members (group_id, customer_id, joined_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (group_id, customer_id) DO UPDATE SET joined_at = excluded.joined_at, \
                   muted_until = NULL, removed_at = NULL";
        with_tx!(self, conn => sqlx::query(sql).bind(group_id).bind(customer_id).bind(at).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Mutes a member until a moment (none: unmutes).
    pub async fn set_muted_until(
        &mut self,
        group_id: GroupId,
        customer_id: CustomerId,
        until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE group_members SET muted_until = $1 WHERE group_id = $2 AND customer_id = $3";
        with_tx!(self, conn => sqlx::query(sql).bind(until).bind(group_id).bind(customer_id).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Removes a member (none: puts a removed member back).
    pub async fn set_removed(
        &mut self,
        group_id: GroupId,
        customer_id: CustomerId,
        at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let sql =
            "UPDATE group_members SET removed_at = $1, muted_until = NULL WHERE group_id = $2 AND customer_id = $3";
        with_tx!(self, conn => sqlx::query(sql).bind(at).bind(group_id).bind(customer_id).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Records the advisor's decision on a pending application; false when it was not pending.
    pub async fn decide_application(
        &mut self,
        id: ApplicationId,
        approved: bool,
        reason: &str,
        staff_id: StaffId,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE group_applications SET status = $1, reason = $2, decided_by = $3, decided_at = $4 \
                   WHERE id = $5 AND status = 'pending'";
        let status = if approved { "approved" } else { "rejected" };
        let n = with_tx!(self, conn => sqlx::query(sql)
            .bind(status).bind(reason).bind(staff_id).bind(now).bind(id)
            .execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }
}
