//! One user of each role for the demo, with fresh random passwords.

use crate::users::{add_user, UserRequest};
use access::Role;
use domain::StaffId;
use store::{Db, KeySet, StoreError};
use thiserror::Error;

/// A demo sign-in to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// Role.
    pub role: Role,
    /// Login name.
    pub login: String,
    /// Password, shown once.
    pub password: String,
}

/// Why demo users could not be made.
#[derive(Debug, Error)]
pub enum DemoUsersError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The book lacks someone to link a user to.
    #[error("the book has no {0} to sign in as")]
    Missing(&'static str),
    /// A user could not be added.
    #[error(transparent)]
    User(#[from] crate::Error),
}

/// Creates `admin`, `compliance`, `manager`, `advisor` and `customer`, linked
/// to the first advisor, their branch's manager and their first customer.
pub async fn create_demo_users(db: &Db) -> Result<Vec<DemoUser>, DemoUsersError> {
    let first = |set: std::collections::HashSet<i64>| set.into_iter().min();
    let advisor = first(db.key_set(KeySet::Advisors).await?).map(StaffId).ok_or(DemoUsersError::Missing("advisor"))?;
    let links = db.demo_links(advisor).await?;
    let (manager, compliance, admin, customer) = links;
    let mut users = Vec::new();
    for (role, staff_id, customer_id) in [
        (Role::Admin, admin, None),
        (Role::Compliance, compliance, None),
        (Role::Manager, manager, None),
        (Role::Advisor, Some(advisor), None),
        (Role::Customer, None, customer),
    ] {
        if staff_id.is_none() && customer_id.is_none() {
            return Err(DemoUsersError::Missing(role.as_str()));
        }
        let login = role.as_str().to_owned();
        let request = UserRequest { login: login.clone(), role, staff_id, customer_id, password: None };
        let added = add_user(db, "system:demo", request).await?;
        let password = added.made_password.unwrap_or_default();
        users.push(DemoUser { role, login, password });
    }
    Ok(users)
}
