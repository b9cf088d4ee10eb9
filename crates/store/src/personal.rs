//! How a customer's national ID and phone are kept: sealed, masked and
//! hashed for lookup. Every sealed value is bound to its table, column and
//! row, so it cannot be copied onto another customer.

use crate::{with_pool, Db, StoreError};
use access::{sealed_key_id, AuditEntry, Keyring, PiiField};
use domain::{Customer, CustomerId, NationalId, Phone};
use sqlx::QueryBuilder;

/// The authenticated context of a sealed field of one customer.
pub(crate) fn context(field: PiiField, customer_id: CustomerId) -> String {
    format!("customers.{}.{customer_id}", field.as_str())
}

/// A customer's personal data as it is written.
pub(crate) struct SealedPersonalData {
    pub national_id: String,
    pub phone: String,
    pub national_id_lookup: String,
    pub phone_lookup: String,
}

impl SealedPersonalData {
    /// Seals and hashes a customer's personal data under the current key.
    pub fn seal(ring: &Keyring, c: &Customer) -> SealedPersonalData {
        Self::from_plain(ring, c.id, c.national_id.expose(), c.phone.expose())
    }

    fn from_plain(ring: &Keyring, id: CustomerId, national_id: &str, phone: &str) -> SealedPersonalData {
        SealedPersonalData {
            national_id: ring.seal(national_id, &context(PiiField::NationalId, id)),
            phone: ring.seal(phone, &context(PiiField::Phone, id)),
            national_id_lookup: ring.lookup_hash(PiiField::NationalId.as_str(), national_id),
            phone_lookup: ring.lookup_hash(PiiField::Phone.as_str(), phone),
        }
    }
}

/// The lookup hashes a search text matches exactly, if it is a well-formed
/// national ID or phone number: (column, hash).
pub(crate) fn lookup_terms(ring: &Keyring, search: &str) -> Vec<(&'static str, String)> {
    let mut terms = Vec::new();
    if let Ok(id) = NationalId::parse(search) {
        terms.push(("c.national_id_lookup", ring.lookup_hash(PiiField::NationalId.as_str(), id.expose())));
    }
    if let Ok(phone) = Phone::parse(search) {
        terms.push(("c.phone_lookup", ring.lookup_hash(PiiField::Phone.as_str(), phone.expose())));
    }
    terms
}

/// What one pass of re-sealing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reseal {
    /// Customers whose personal data was re-sealed under the current key.
    pub resealed: u64,
    /// The highest customer id looked at, to continue after; None when done.
    pub next_after: Option<CustomerId>,
}

type StoredPersonalData = (CustomerId, String, String);

impl Db {
    /// Re-seals up to `limit` customers with ids above `after` whose data is
    /// not yet under the current key (or still plaintext), and fills their
    /// lookup hashes. Each row is updated only if it has not changed since it
    /// was read, so it is safe while the application serves and writes.
    pub async fn reseal_personal_data(&self, after: CustomerId, limit: i64) -> Result<Reseal, StoreError> {
        let keys = self.keys()?;
        let ring = keys.ring();
        let current = ring.current_key_id().to_owned();
        let rows: Vec<StoredPersonalData> = with_pool!(self, pool => sqlx::query_as(
            "SELECT id, national_id, phone FROM customers WHERE id > $1 ORDER BY id LIMIT $2",
        ).bind(after).bind(limit).fetch_all(pool).await?);
        let next_after = rows.last().map(|r| r.0);
        let stale: Vec<&StoredPersonalData> = rows
            .iter()
            .filter(|(_, nid, phone)| {
                sealed_key_id(nid) != Some(current.as_str()) || sealed_key_id(phone) != Some(current.as_str())
            })
            .collect();
        let mut updates = Vec::with_capacity(stale.len());
        for (id, nid, phone) in &stale {
            let plain_nid = keys.open(nid, &context(PiiField::NationalId, *id))?;
            let plain_phone = keys.open(phone, &context(PiiField::Phone, *id))?;
            let sealed = SealedPersonalData::from_plain(&ring, *id, &plain_nid, &plain_phone);
            let masks = (domain::mask_national_id(&plain_nid), domain::mask_phone(&plain_phone));
            updates.push((*id, nid.as_str(), phone.as_str(), sealed, masks));
        }
        let mut resealed = 0;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (id, old_nid, old_phone, sealed, (nid_masked, phone_masked)) in &updates {
                resealed += sqlx::query(
                    "UPDATE customers SET national_id = $1, phone = $2, national_id_lookup = $3, phone_lookup = $4, \
                     national_id_masked = $5, phone_masked = $6 WHERE id = $7 AND national_id = $8 AND phone = $9",
                )
                .bind(&sealed.national_id)
                .bind(&sealed.phone)
                .bind(&sealed.national_id_lookup)
                .bind(&sealed.phone_lookup)
                .bind(nid_masked)
                .bind(phone_masked)
                .bind(id)
                .bind(old_nid)
                .bind(old_phone)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(Reseal { resealed, next_after })
    }

    /// Customers whose personal data is not sealed under the current key.
    pub async fn personal_data_not_under_current_key(&self) -> Result<i64, StoreError> {
        let current = self.keys()?.ring().current_key_id().to_owned();
        let prefix = format!("v1.{current}.%");
        with_pool!(self, pool => Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers WHERE national_id NOT LIKE $1 OR phone NOT LIKE $1",
        ).bind(prefix).fetch_one(pool).await?))
    }

    /// Records a finished rotation in the audit trail.
    pub async fn record_rotation(&self, actor: &str, resealed: u64) -> Result<(), StoreError> {
        let current = self.keys()?.ring().current_key_id().to_owned();
        self.append_audit(&AuditEntry {
            actor: actor.to_owned(),
            action: "rotate_keys".into(),
            entity: "customers".into(),
            entity_id: "*".into(),
            detail: format!("{{\"key\":\"{current}\",\"resealed\":{resealed}}}"),
        })
        .await
        .map(|_| ())
    }

    /// Opens a stored personal-data value of one customer.
    pub(crate) fn open_personal(
        &self,
        stored: &str,
        field: PiiField,
        customer_id: CustomerId,
    ) -> Result<String, StoreError> {
        self.keys()?.open(stored, &context(field, customer_id))
    }
}

/// Adds `OR <lookup column> = <hash>` for each exact personal-data match of the search.
pub(crate) fn push_lookup_terms<DB: sqlx::Database>(q: &mut QueryBuilder<'_, DB>, terms: Vec<(&'static str, String)>)
where
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    for (column, hash) in terms {
        q.push(" OR ").push(column).push(" = ").push_bind(hash);
    }
}
