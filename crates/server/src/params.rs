//! Query parameters shared by pages and the API, checked into store queries.
//! Parameters arrive as text so that a bad value gets our own 400 message.

use crate::AppError;
use access::Scope;
use serde::Deserialize;
use store::CustomerQuery;
use utoipa::IntoParams;

/// Customer list parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListParams {
    /// Part of a name, a customer id, or an exact phone number or national ID.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub per_page: Option<String>,
    /// Only this advisor's customers.
    pub advisor: Option<String>,
    /// Only this branch's customers.
    pub branch: Option<String>,
    /// Page language (zh or en); pages only.
    pub lang: Option<String>,
}

fn number(field: &'static str, value: &Option<String>, min: i64, max: i64) -> Result<Option<i64>, AppError> {
    let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let n: i64 =
        text.parse().map_err(|_| AppError::BadRequest { field, reason: format!("'{text}' is not a whole number") })?;
    if n < min || n > max {
        return Err(AppError::BadRequest { field, reason: format!("{n} is not between {min} and {max}") });
    }
    Ok(Some(n))
}

impl ListParams {
    /// The store query these parameters ask for, within the asker's scope.
    pub fn query(&self, scope: Scope) -> Result<CustomerQuery, AppError> {
        Ok(CustomerQuery {
            scope,
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            page: number("page", &self.page, 1, 10_000_000)?.unwrap_or(1) as u32,
            per_page: number("per_page", &self.per_page, 1, 200)?.unwrap_or(50) as u32,
            advisor_id: number("advisor", &self.advisor, 1, i64::MAX)?,
            branch_id: number("branch", &self.branch, 1, i64::MAX)?,
        })
    }
}

/// A path id, or a 400 naming what it should have been.
pub fn path_id(text: &str, what: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::BadRequest { field: "id", reason: format!("'{text}' is not a {what} id") })
}
