//! Disclosing personal data: the audited reveal of a full value, and exact
//! searches by phone number or national ID, audited and limited, since each
//! confirms or denies a guess at a masked number.

use crate::audit::audited;
use crate::customers::{CustomerPage, CustomerQuery};
use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, PiiField, Principal};
use chrono::{DateTime, Duration, Utc};
use domain::CustomerId;
use sqlx::QueryBuilder;

impl Db {
    /// The customer list for a search. A search that is a well-formed phone
    /// number or national ID is an exact lookup through the keyed hash: it
    /// confirms or denies a guess at a masked number, so it is audited (who,
    /// which field, which customers in scope it found; never the number) and
    /// refused with [`StoreError::LookupLimit`] once the asker has made
    /// `per_minute` lookups in the last minute. Other searches (name, id) are
    /// [`Db::customers`], neither audited nor limited.
    pub async fn find_customers(
        &self,
        asker: &Principal,
        query: &CustomerQuery,
        per_minute: i64,
    ) -> Result<CustomerPage, StoreError> {
        let lookups = self.lookup_terms_of(query);
        if !lookups.is_empty() {
            self.admit_lookup(asker, query, &lookups, per_minute).await?;
        }
        self.customer_page(query, &lookups).await
    }

    /// Records a lookup, or refuses it past the limit (recording the refusal).
    /// The count and the record are one transaction under the audit trail's
    /// lock, so parallel requests cannot slip past the limit together.
    async fn admit_lookup(
        &self,
        asker: &Principal,
        query: &CustomerQuery,
        lookups: &[(&'static str, String)],
        per_minute: i64,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let since = now - Duration::seconds(60);
        let actor = asker.actor();
        let fields: Vec<&str> = lookups
            .iter()
            .map(
                |(column, _)| {
                    if column.contains("phone") {
                        PiiField::Phone.as_str()
                    } else {
                        PiiField::NationalId.as_str()
                    }
                },
            )
            .collect();
        let ((admitted, oldest, _found), _) = audited!(self, tx => {
            let (recent, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
                "SELECT COUNT(*), MIN(at) FROM audit_log WHERE actor = $1 AND action = 'lookup' AND at > $2",
            )
            .bind(&actor)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;
            let admitted = recent < per_minute;
            let mut found: Vec<i64> = Vec::new();
            if admitted {
                let mut q = QueryBuilder::new("SELECT c.id FROM customers c WHERE (1 = 0");
                crate::personal::push_lookup_terms(&mut q, lookups.to_vec());
                q.push(")");
                crate::customers::push_scope(&mut q, query.scope);
                q.push(" ORDER BY c.id LIMIT 20");
                found = q.build_query_scalar().fetch_all(&mut *tx).await?;
            }
            (admitted, oldest, found)
        }, |v| AuditEntry {
            actor: actor.clone(),
            action: if v.0 { "lookup" } else { "lookup_refused" }.into(),
            entity: "customers".into(),
            entity_id: v.2.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
            detail: serde_json::json!({ "fields": fields, "found": v.2.len() }).to_string(),
        })?;
        if admitted {
            return Ok(());
        }
        // The oldest lookup in the window leaves it first.
        let frees_at = oldest.unwrap_or(now) + Duration::seconds(60);
        let retry_after_s = u64::try_from((frees_at - now).num_seconds() + 1).unwrap_or(1).clamp(1, 60);
        tracing::warn!(actor = %actor, "exact personal-data lookups over the limit: refused");
        Err(StoreError::LookupLimit { per_minute, retry_after_s })
    }

    /// The full value of a customer's personal data field, if the customer
    /// is in scope; the reveal is recorded in the audit trail first.
    pub async fn reveal(
        &self,
        principal: &Principal,
        customer_id: CustomerId,
        field: PiiField,
    ) -> Result<Option<String>, StoreError> {
        // Column names come from the enum, never from input.
        let column = match field {
            PiiField::NationalId => "c.national_id",
            PiiField::Phone => "c.phone",
        };
        let value: Option<String> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!("SELECT {column} FROM customers c WHERE c.id = "));
            q.push_bind(customer_id);
            crate::customers::push_scope(&mut q, principal.scope());
            q.build_query_scalar().fetch_optional(pool).await?
        });
        let Some(stored) = value else { return Ok(None) };
        // Open before auditing, so that a missing keyring records no reveal.
        let plain = self.open_personal(&stored, field, customer_id)?;
        {
            let entry = AuditEntry {
                actor: principal.actor(),
                action: "reveal".into(),
                entity: "customers".into(),
                entity_id: customer_id.to_string(),
                detail: format!("{{\"field\":\"{}\"}}", field.as_str()),
            };
            self.append_audit(&entry).await?;
        }
        Ok(Some(plain))
    }
}
