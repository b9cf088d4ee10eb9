use crate::{with_pool, with_tx, Db, StoreError, Tx};
use access::{Principal, Role};
use chrono::{DateTime, Utc};
use domain::{BranchId, CustomerId, LoginName, StaffId, UserId};

/// What sign-in needs to know about a login.
#[derive(Debug, Clone)]
pub struct SignInRecord {
    /// User id.
    pub user_id: UserId,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Failures since the last success or lockout.
    pub failed_sign_ins: i64,
    /// Locked until then, if locked.
    pub locked_until: Option<DateTime<Utc>>,
}

/// A new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub login: LoginName,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// The staff member, for staff roles.
    pub staff_id: Option<StaffId>,
    /// The customer, for the customer role.
    pub customer_id: Option<CustomerId>,
}

type PrincipalRow = (UserId, String, String, Option<StaffId>, Option<BranchId>, Option<CustomerId>, String);

impl Db {
    /// The sign-in facts of a login, if it exists.
    pub async fn sign_in_record(&self, login: &str) -> Result<Option<SignInRecord>, StoreError> {
        let sql = "SELECT id, password_hash, failed_sign_ins, locked_until FROM users WHERE login = $1";
        with_pool!(self, pool => {
            let row: Option<(UserId, String, i64, Option<DateTime<Utc>>)> =
                sqlx::query_as(sql).bind(login).fetch_optional(pool).await?;
            Ok(row.map(|(user_id, password_hash, failed_sign_ins, locked_until)| SignInRecord {
                user_id, password_hash, failed_sign_ins, locked_until,
            }))
        })
    }

    /// The principal and CSRF token of a live session; an expired session is
    /// deleted and answers None.
    pub async fn session(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Principal, String)>, StoreError> {
        let sql = "SELECT u.id, u.login, u.role, u.staff_id, s.branch_id, u.customer_id, x.csrf_token \
                   FROM sessions x JOIN users u ON u.id = x.user_id LEFT JOIN staff s ON s.id = u.staff_id \
                   WHERE x.token_digest = $1 AND x.expires_at > $2";
        with_pool!(self, pool => {
            let row: Option<PrincipalRow> = sqlx::query_as(sql).bind(token_digest).bind(now).fetch_optional(pool).await?;
            let Some((user_id, login, role, staff_id, branch_id, customer_id, csrf)) = row else {
                sqlx::query("DELETE FROM sessions WHERE token_digest = $1 AND expires_at <= $2")
                    .bind(token_digest).bind(now).execute(pool).await?;
                return Ok(None);
            };
            let role: Role = role.parse().map_err(|reason| StoreError::Corrupt { what: "users.role", reason })?;
            Ok(Some((Principal { user_id, login, role, staff_id, branch_id, customer_id }, csrf)))
        })
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_digest: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_digest = $1").bind(token_digest).execute(pool).await?;
            Ok(())
        })
    }
}

impl Db {
    /// For the demo: the manager of an advisor's branch, a compliance
    /// officer, an admin, and the advisor's first customer.
    pub async fn demo_links(
        &self,
        advisor: StaffId,
    ) -> Result<(Option<StaffId>, Option<StaffId>, Option<StaffId>, Option<CustomerId>), StoreError> {
        let sql = "SELECT \
            (SELECT MIN(m.id) FROM staff m JOIN staff a ON a.branch_id = m.branch_id WHERE a.id = $1 AND m.role = 'manager'), \
            (SELECT MIN(id) FROM staff WHERE role = 'compliance'), \
            (SELECT MIN(id) FROM staff WHERE role = 'admin'), \
            (SELECT MIN(id) FROM customers WHERE advisor_id = $2)";
        with_pool!(self, pool => Ok(sqlx::query_as(sql).bind(advisor).bind(advisor).fetch_one(pool).await?))
    }
}

impl Db {
    /// [`Tx::create_user`] as a unit of work of its own (tests and tools;
    /// `app::users` records who added the user in the same unit).
    pub async fn create_user(&self, user: &NewUser) -> Result<UserId, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.create_user(user).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Tx::create_session`] as a unit of work of its own (tools).
    pub async fn create_session(
        &self,
        token_digest: &str,
        user_id: UserId,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.create_session(token_digest, user_id, csrf_token, expires_at).await?;
        tx.commit().await
    }
}

impl Tx {
    /// Creates a user and returns its id; a taken login is a
    /// `users_login_key` constraint error.
    pub async fn create_user(&mut self, user: &NewUser) -> Result<UserId, StoreError> {
        with_tx!(self, conn => {
            let id: UserId = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetch_one(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO users (id, login, password_hash, role, staff_id, customer_id) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&user.login)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(user.staff_id)
            .bind(user.customer_id)
            .execute(&mut *conn)
            .await?;
            Ok(id)
        })
    }

    /// Stores the failure count and lockout after a sign-in attempt.
    pub async fn set_sign_in_failures(
        &mut self,
        user_id: UserId,
        failed: i64,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE users SET failed_sign_ins = $1, locked_until = $2 WHERE id = $3";
        with_tx!(self, conn => {
            sqlx::query(sql).bind(failed).bind(locked_until).bind(user_id).execute(&mut *conn).await?;
            Ok(())
        })
    }

    /// Opens a session; only the token's digest is stored.
    pub async fn create_session(
        &mut self,
        token_digest: &str,
        user_id: UserId,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO sessions (token_digest, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)";
        with_tx!(self, conn => {
            sqlx::query(sql).bind(token_digest).bind(user_id).bind(csrf_token).bind(expires_at).execute(&mut *conn).await?;
            Ok(())
        })
    }
}
