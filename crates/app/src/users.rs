//! Adding the users who sign in: the user and its audit record are one unit
//! of work.

use access::{hash_password, new_secret, AuditEntry, PasswordError};

pub use access::Role;
use store::{Db, NewUser, StoreError};
use thiserror::Error;

/// Who is to sign in, and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRequest {
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The staff member this user is (staff roles).
    pub staff_id: Option<i64>,
    /// The customer this user is (the customer role).
    pub customer_id: Option<i64>,
    /// The password; none makes a random one.
    pub password: Option<String>,
}

/// A user added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedUser {
    /// User id.
    pub id: i64,
    /// The password made for them, when none was given (shown once).
    pub made_password: Option<String>,
}

/// Why a user could not be added.
#[derive(Debug, Error)]
pub enum UserError {
    /// The links do not fit the role.
    #[error("a customer user needs a customer id, a staff user a staff id (and not both)")]
    Links,
    /// The login is empty.
    #[error("the login must not be empty")]
    EmptyLogin,
    /// The login is taken.
    #[error("the login {0} is taken")]
    Taken(String),
    /// The password is too weak, or could not be hashed.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds a user and records who added them (`actor`), in one unit of work.
pub async fn add_user(db: &Db, actor: &str, request: UserRequest) -> Result<AddedUser, UserError> {
    let login = request.login.trim().to_owned();
    if login.is_empty() {
        return Err(UserError::EmptyLogin);
    }
    let is_customer = request.role == Role::Customer;
    if is_customer != request.customer_id.is_some() || request.staff_id.is_some() == request.customer_id.is_some() {
        return Err(UserError::Links);
    }
    let made_password = request.password.is_none().then(|| new_secret()[..16].to_owned());
    let password = request.password.as_deref().or(made_password.as_deref()).unwrap_or_default();
    let user = NewUser {
        login: login.clone(),
        password_hash: hash_password(password)?,
        role: request.role,
        staff_id: request.staff_id,
        customer_id: request.customer_id,
    };
    let mut unit = db.begin().await?;
    let id = match unit.create_user(&user).await {
        Err(StoreError::Constraint { constraint }) if constraint == "users_login_key" => {
            return Err(UserError::Taken(login))
        }
        id => id?,
    };
    unit.audit(AuditEntry {
        actor: actor.to_owned(),
        action: "create_user".into(),
        entity: "users".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "role": request.role.as_str() }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(AddedUser { id, made_password })
}
