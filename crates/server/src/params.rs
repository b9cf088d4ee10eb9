//! Query parameters shared by pages and the API, checked into store queries.
//! Parameters arrive as text so that a bad value gets our own 400 message.

use crate::HttpError;
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

/// An optional whole number from `min` to `max`, or a 400 naming the field.
pub fn number(field: &'static str, value: &Option<String>, min: i64, max: i64) -> Result<Option<i64>, HttpError> {
    let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let n: i64 = text.parse().map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on(field).with("value", text))?;
    if n < min || n > max {
        return Err(HttpError::of(domain::codes::OUT_OF_RANGE)
            .on(field)
            .with("value", n)
            .with("min", min)
            .with("max", max));
    }
    Ok(Some(n))
}

impl ListParams {
    /// The store query these parameters ask for, within the asker's scope.
    pub fn query(&self, scope: Scope) -> Result<CustomerQuery, HttpError> {
        Ok(CustomerQuery {
            scope,
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            page: number("page", &self.page, 1, 10_000_000)?.unwrap_or(1) as u32,
            per_page: number("per_page", &self.per_page, 1, 200)?.unwrap_or(50) as u32,
            advisor_id: number("advisor", &self.advisor, 1, i64::MAX)?.map(domain::StaffId),
            branch_id: number("branch", &self.branch, 1, i64::MAX)?.map(domain::BranchId),
        })
    }
}

/// A path id, or a 400 naming the path's id as the field to blame.
pub fn path_id<Id: std::str::FromStr>(text: &str, _what: &str) -> Result<Id, HttpError> {
    text.parse().map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on("id").with("value", text))
}

/// Which plan.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PlanParams {
    /// The advisor (managers and above; an advisor always gets their own).
    pub advisor: Option<String>,
    /// A day of the week (YYYY-MM-DD; default today).
    pub week: Option<String>,
    /// The page's language (pages only).
    pub lang: Option<String>,
}
