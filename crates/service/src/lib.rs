//! Service, the pure part (issue 29): customers' feedback and complaints as
//! tickets ([`ticket`]: kinds, categories, routing, the SLA and its
//! escalation, the states a ticket passes through), incidents ([`incident`]:
//! a burst of complaints or messages about one area, its CSRC-style grade and
//! the deadlines of its report), what an attachment may be
//! ([`attachment`]), and the firm's settings for all of it. No I/O.

pub mod attachment;
pub mod codes;
pub mod incident;
pub mod ticket;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The firm's service settings: one JSON file (`serve --service-settings`), checked at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSettings {
    /// Hours to a first reply, by category (absent: `default_sla_hours`).
    pub sla_hours: BTreeMap<ticket::Category, i64>,
    /// Hours to a first reply for a category not listed.
    pub default_sla_hours: i64,
    /// Past the SLA a ticket goes to the branch manager; past this many times the SLA, to compliance.
    pub compliance_after_slas: i64,
    /// Complaints or messages about one area within `burst_minutes` that open an incident.
    pub burst_count: i64,
    /// The window of a burst, in minutes.
    pub burst_minutes: i64,
    /// The largest attachment, in bytes.
    pub attachment_max_bytes: usize,
    /// Attachments on one ticket at most.
    pub attachments_per_ticket: usize,
    /// Years records are kept before they may be deleted (Chinese rules: at least 20).
    pub retention_years: i64,
    /// Points credited to each author of an adopted suggestion.
    pub adoption_points: i64,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        use ticket::Category::*;
        ServiceSettings {
            sla_hours: [(Trading, 2), (Login, 2), (Quotes, 2), (Data, 2), (Advice, 24), (Fees, 48), (Product, 48)]
                .into_iter()
                .collect(),
            default_sla_hours: 72,
            compliance_after_slas: 2,
            burst_count: 50,
            burst_minutes: 10,
            attachment_max_bytes: 2 * 1024 * 1024,
            attachments_per_ticket: 5,
            retention_years: 20,
            adoption_points: 500,
        }
    }
}

/// Why settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Not JSON of the settings.
    #[error("the service settings are not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// A value out of range.
    #[error("{field} must be {rule}")]
    Range {
        /// The setting.
        field: &'static str,
        /// What it must be.
        rule: &'static str,
    },
}

impl ServiceSettings {
    /// Settings from their JSON, checked.
    pub fn parse(json: &str) -> Result<ServiceSettings, SettingsError> {
        let s: ServiceSettings = serde_json::from_str(json)?;
        let range = |ok: bool, field, rule| if ok { Ok(()) } else { Err(SettingsError::Range { field, rule }) };
        range(s.sla_hours.values().all(|h| *h > 0) && s.default_sla_hours > 0, "sla_hours", "at least 1 hour")?;
        range(s.compliance_after_slas >= 2, "compliance_after_slas", "at least 2")?;
        range(s.burst_count >= 2, "burst_count", "at least 2")?;
        range(s.burst_minutes >= 1, "burst_minutes", "at least 1 minute")?;
        // The server takes request bodies of 2 MiB at most (axum's default limit).
        range(
            (1024..=2 * 1024 * 1024).contains(&s.attachment_max_bytes),
            "attachment_max_bytes",
            "from 1024 to 2097152 (the server's body limit)",
        )?;
        range(s.retention_years >= 20, "retention_years", "at least 20 (the rules' minimum)")?;
        range(s.adoption_points >= 0, "adoption_points", "0 or more")?;
        Ok(s)
    }

    /// The SLA of a category.
    pub fn sla(&self, category: ticket::Category) -> chrono::Duration {
        chrono::Duration::hours(*self.sla_hours.get(&category).unwrap_or(&self.default_sla_hours))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_retention_cannot_go_below_twenty_years() {
        assert_eq!(ServiceSettings::parse("{}").unwrap(), ServiceSettings::default());
        assert_eq!(
            ServiceSettings::parse(r#"{"sla_hours":{"fees":6}}"#).unwrap().sla(ticket::Category::Fees).num_hours(),
            6
        );
        let err = ServiceSettings::parse(r#"{"retention_years": 5}"#).unwrap_err().to_string();
        assert!(err.contains("retention_years must be at least 20"), "{err}");
        assert!(ServiceSettings::parse(r#"{"burst": 3}"#).is_err(), "typos are refused");
        assert!(ServiceSettings::parse(r#"{"attachment_max_bytes": 10000000}"#).is_err(), "above the body limit");
    }
}
