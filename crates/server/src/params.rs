//! Query parameters shared by pages and the API, checked into store queries.
//! Parameters arrive as text so that a bad value gets our own 400 message.

use crate::HttpError;
use access::Scope;
use serde::Deserialize;
use store::{CustomerQuery, CustomerSort, HistoryCursor, HistoryKind, ListCursor, ListPage};
use utoipa::IntoParams;

/// Customer list parameters: what a bookmarked list's URL carries.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ListParams {
    /// Part of a name, a customer id, or an exact phone number or national ID.
    pub q: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub per_page: Option<String>,
    /// Only this advisor's customers.
    pub advisor: Option<String>,
    /// Only this branch's customers.
    pub branch: Option<String>,
    /// Only this risk level: C1..C5.
    pub risk: Option<String>,
    /// Only this service tier (as classification labels it, e.g. core).
    pub tier: Option<String>,
    /// Only customers with this label, as dimension:label (e.g. lifecycle:dormant).
    pub label: Option<String>,
    /// Only dormant customers (true) or only active ones (false).
    pub dormant: Option<String>,
    /// Only customers with reminders since their last contact (true), or without (false).
    pub reminders: Option<String>,
    /// Only current members of this group.
    pub group: Option<String>,
    /// With `stage`: the month (YYYY-MM) whose customers to list.
    pub month: Option<String>,
    /// With `month`: active, paying, new, returning, resurrected or dormant in it.
    pub stage: Option<String>,
    /// Only members of this saved segment (made on the customer map).
    pub segment: Option<String>,
    /// Sort: id, assets, last_trade, last_contact, open_reminders or relevance
    /// (the default with a search: the whole name, then its start, then elsewhere).
    pub sort: Option<String>,
    /// asc or desc (default: asc for id, desc for the others).
    pub dir: Option<String>,
    /// The page after this row (a cursor from a previous page's `next`).
    pub after: Option<String>,
    /// The page before this row (a cursor from a page's `prev`).
    pub before: Option<String>,
    /// `last` for the last page.
    pub at: Option<String>,
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

/// An optional text field, trimmed; None when empty.
fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A 400 naming the field, its value and the values it may take.
fn not_one_of(field: &'static str, value: &str, options: &str) -> HttpError {
    HttpError::of(domain::codes::NOT_ONE_OF).on(field).with("value", value).with("options", options)
}

/// An optional yes/no.
fn flag(field: &'static str, value: &Option<String>) -> Result<Option<bool>, HttpError> {
    match text(value) {
        None => Ok(None),
        Some("true" | "1" | "yes") => Ok(Some(true)),
        Some("false" | "0" | "no") => Ok(Some(false)),
        Some(other) => Err(not_one_of(field, other, "true, false")),
    }
}

impl ListParams {
    /// The store query these parameters ask for, within the asker's scope.
    pub fn query(&self, scope: Scope) -> Result<CustomerQuery, HttpError> {
        let sort = match text(&self.sort) {
            // A search lists the best matches first unless another sort is asked for.
            None if text(&self.q).is_some() => CustomerSort::Relevance,
            None => CustomerSort::Id,
            Some(name) => CustomerSort::parse(name).ok_or_else(|| {
                let names: Vec<&str> = CustomerSort::ALL.iter().map(|(_, n)| *n).collect();
                not_one_of("sort", name, &names.join(", "))
            })?,
        };
        let descending = match text(&self.dir) {
            None => !matches!(sort, CustomerSort::Id | CustomerSort::Relevance),
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(not_one_of("dir", other, "asc, desc")),
        };
        let cursor = |field: &'static str, value: &Option<String>| -> Result<Option<ListCursor>, HttpError> {
            text(value)
                .map(|t| {
                    ListCursor::parse(t)
                        .ok_or_else(|| HttpError::of(domain::codes::NOT_A_NUMBER).on(field).with("value", t))
                })
                .transpose()
        };
        let page = match (cursor("after", &self.after)?, cursor("before", &self.before)?, text(&self.at)) {
            (Some(c), None, None) => ListPage::After(c),
            (None, Some(c), None) => ListPage::Before(c),
            (None, None, Some("last")) => ListPage::Last,
            (None, None, Some("first")) | (None, None, None) => ListPage::First,
            (None, None, Some(other)) => return Err(not_one_of("at", other, "first, last")),
            _ => return Err(HttpError::of(app::codes::AFTER_OR_BEFORE).on("before")),
        };
        let risk_level = match text(&self.risk) {
            None => None,
            Some(level) => Some(
                level
                    .parse::<domain::RiskLevel>()
                    .map_err(|_| not_one_of("risk", level, "C1, C2, C3, C4, C5"))?
                    .number() as i32,
            ),
        };
        let word = |field: &'static str, value: &Option<String>| -> Result<Option<String>, HttpError> {
            match text(value) {
                None => Ok(None),
                Some(t) if t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') => {
                    Ok(Some(t.to_owned()))
                }
                Some(t) => Err(HttpError::of(domain::codes::NOT_ONE_OF)
                    .on(field)
                    .with("value", t)
                    .with("options", "dimension:label, e.g. lifecycle:dormant")),
            }
        };
        Ok(CustomerQuery {
            scope,
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            advisor_id: number("advisor", &self.advisor, 1, i64::MAX)?.map(domain::StaffId),
            branch_id: number("branch", &self.branch, 1, i64::MAX)?.map(domain::BranchId),
            risk_level,
            service_tier: word("tier", &self.tier)?,
            label: word("label", &self.label)?,
            dormant: flag("dormant", &self.dormant)?,
            open_reminders: flag("reminders", &self.reminders)?,
            group_id: number("group", &self.group, 1, i64::MAX)?.map(domain::GroupId),
            month_stage: self.month_stage()?,
            segment_id: number("segment", &self.segment, 1, i64::MAX)?,
            sort,
            descending,
            page,
            per_page: number("per_page", &self.per_page, 1, 200)?.unwrap_or(50) as u32,
        })
    }

    /// The month and stage filter: both or neither.
    fn month_stage(&self) -> Result<Option<store::MonthStage>, HttpError> {
        match (text(&self.month), text(&self.stage)) {
            (None, None) => Ok(None),
            (Some(m), Some(s)) => {
                let month = app::analytics::parse_month(m, "month")?;
                let stage = store::MonthStageKind::parse(s)
                    .ok_or_else(|| not_one_of("stage", s, store::MonthStageKind::NAMES))?;
                Ok(Some(store::MonthStage { month, stage }))
            }
            (Some(_), None) => Err(not_one_of("stage", "", store::MonthStageKind::NAMES)),
            (None, Some(s)) => Err(HttpError::of(app::codes::MONTH_INVALID)
                .on("month")
                .with("given", s)
                .with("reason", "a stage needs its month")),
        }
    }

    /// The list's filters and sort as a query string (no page, no
    /// language): what a page link, a bookmark or the CSV link carries.
    pub fn filters_query(&self) -> String {
        let fields = [
            ("q", &self.q),
            ("advisor", &self.advisor),
            ("branch", &self.branch),
            ("risk", &self.risk),
            ("tier", &self.tier),
            ("label", &self.label),
            ("dormant", &self.dormant),
            ("reminders", &self.reminders),
            ("group", &self.group),
            ("month", &self.month),
            ("stage", &self.stage),
            ("segment", &self.segment),
            ("sort", &self.sort),
            ("dir", &self.dir),
            ("per_page", &self.per_page),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in fields {
            if let Some(v) = text(value) {
                out.append_pair(name, v);
            }
        }
        out.finish()
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

/// History parameters: a page of one kind of a customer's history.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct HistoryParams {
    /// The page after (older than) this line: a cursor from a page's `older`.
    pub before: Option<String>,
    /// Lines per page, 1 to 200 (default 50).
    pub per_page: Option<String>,
    /// Page language (zh or en); pages only.
    pub lang: Option<String>,
}

impl HistoryParams {
    /// The kind named in the path, the cursor and the page size, or a 400 naming the field.
    pub fn query(&self, kind: &str) -> Result<(HistoryKind, Option<HistoryCursor>, u32), HttpError> {
        let kind = HistoryKind::parse(kind).ok_or_else(|| {
            let names: Vec<&str> = HistoryKind::ALL.iter().map(|(_, n)| *n).collect();
            not_one_of("kind", kind, &names.join(", "))
        })?;
        let before = text(&self.before)
            .map(|t| {
                HistoryCursor::parse(t)
                    .ok_or_else(|| HttpError::of(domain::codes::NOT_A_NUMBER).on("before").with("value", t))
            })
            .transpose()?;
        let per_page = number("per_page", &self.per_page, 1, 200)?.unwrap_or(50) as u32;
        Ok((kind, before, per_page))
    }
}
