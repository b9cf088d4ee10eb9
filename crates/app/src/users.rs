//! Adding the users who sign in: the user and its audit record are one unit
//! of work.

use access::{hash_password, new_secret, AuditEntry, PasswordError};
use domain::{CustomerId, StaffId, UserId};

use crate::{codes, Error};
pub use access::Role;
use store::{Db, NewUser, StoreError};

/// Who is to sign in, and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRequest {
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The staff member this user is (staff roles).
    pub staff_id: Option<StaffId>,
    /// The customer this user is (the customer role).
    pub customer_id: Option<CustomerId>,
    /// The password; none makes a random one.
    pub password: Option<String>,
}

/// A user added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedUser {
    /// User id.
    pub id: UserId,
    /// The password made for them, when none was given (shown once).
    pub made_password: Option<String>,
}

/// Adds a user and records who added them (`actor`), in one unit of work.
pub async fn add_user(db: &Db, actor: &str, request: UserRequest) -> Result<AddedUser, Error> {
    let login = domain::LoginName::parse(&request.login)?;
    let is_customer = request.role == Role::Customer;
    if is_customer != request.customer_id.is_some() || request.staff_id.is_some() == request.customer_id.is_some() {
        return Err(codes::USER_LINKS.refuse().into());
    }
    let made_password = request.password.is_none().then(|| new_secret()[..16].to_owned());
    let password = request.password.as_deref().or(made_password.as_deref()).unwrap_or_default();
    let user = NewUser {
        login: login.clone(),
        password_hash: hash_password(password).map_err(|e| match e {
            PasswordError::TooShort(n) => {
                domain::codes::LENGTH.refuse().on("password").with("min", n).with("max", 1_000)
            }
            PasswordError::Hashing(why) => domain::codes::INTERNAL.refuse().with("detail", why),
        })?,
        role: request.role,
        staff_id: request.staff_id,
        customer_id: request.customer_id,
    };
    let mut unit = db.begin().await?;
    let id = match unit.create_user(&user).await {
        Err(StoreError::Constraint { constraint }) if constraint == "users_login_key" => {
            return Err(codes::LOGIN_TAKEN.refuse().on("login").with("login", login).into())
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
