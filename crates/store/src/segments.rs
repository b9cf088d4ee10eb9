//! The customer map's rows and saved segments (issue 28): each customer in
//! scope with their assets, classification features and tiers, read in id
//! order (every n-th for a drawable sample); a segment stored with its
//! members in one unit of work.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use access::Scope;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// What the map places and colours a customer by.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MapRow {
    /// Customer id.
    pub id: i64,
    /// Name (staff only see their own scope's).
    pub name: String,
    /// Cash plus market value, 0.0001 CNY.
    pub assets: i64,
    /// The classification's features (JSON), none before a classification.
    pub features: Option<String>,
    /// The service tier the classification gave.
    pub service_tier: Option<String>,
    /// The points tier.
    pub tier: Option<String>,
    /// Risk level 1..5.
    pub risk_level: i32,
}

/// A stored segment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct SegmentRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its definition (JSON).
    pub definition: String,
    /// The user who saved it.
    pub created_by: i64,
    /// Customers in it.
    pub members: i64,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Db {
    /// Customers in scope for the map with ids above `after`, in id order,
    /// every `stride`-th id only (by id remainder), at most `limit`.
    pub async fn map_rows(&self, scope: Scope, stride: i64, after: i64, limit: i64) -> Result<Vec<MapRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT c.id, c.name, COALESCE(f.assets, 0) AS assets, l.features, l.service_tier, t.tier, c.risk_level \
                 FROM customers c LEFT JOIN customer_figures f ON f.customer_id = c.id \
                 LEFT JOIN customer_labels l ON l.customer_id = c.id \
                 LEFT JOIN customer_tiers t ON t.customer_id = c.id WHERE c.id > ",
            );
            q.push_bind(after);
            if stride > 1 {
                q.push(" AND c.id % ").push_bind(stride).push(" = 0");
            }
            crate::customers::push_scope(&mut q, scope);
            q.push(" ORDER BY c.id LIMIT ").push_bind(limit);
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// A segment by id.
    pub async fn segment(&self, id: i64) -> Result<Option<SegmentRow>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT id, name, definition, created_by, members, created_at FROM segments WHERE id = $1",
        ).bind(id).fetch_optional(pool).await?))
    }

    /// The segments a user saved, newest first.
    pub async fn segments_of(&self, user: i64) -> Result<Vec<SegmentRow>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT id, name, definition, created_by, members, created_at FROM segments WHERE created_by = $1 ORDER BY id DESC",
        ).bind(user).fetch_all(pool).await?))
    }

    /// A segment's members within a scope, in id order.
    pub async fn segment_members(&self, segment: i64, scope: Scope) -> Result<Vec<i64>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT c.id FROM segment_members m JOIN customers c ON c.id = m.customer_id WHERE m.segment_id = ",
            );
            q.push_bind(segment);
            crate::customers::push_scope(&mut q, scope);
            q.push(" ORDER BY c.id");
            q.build_query_scalar().fetch_all(pool).await?
        }))
    }
}

impl Tx {
    /// Stores a segment and its members; its id.
    pub async fn insert_segment(
        &mut self,
        name: &str,
        definition: &str,
        created_by: i64,
        members: &[i64],
    ) -> Result<i64, StoreError> {
        let id = self.next_id("segments").await?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO segments (id, name, definition, created_by, members, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id).bind(name).bind(definition).bind(created_by).bind(members.len() as i64).bind(now)
            .execute(&mut *conn).await?;
        });
        for chunk in members.chunks(1_000) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new("INSERT INTO segment_members (segment_id, customer_id) ");
                q.push_values(chunk, |mut row, c| {
                    row.push_bind(id).push_bind(*c);
                });
                q.build().execute(&mut *conn).await?;
            });
        }
        Ok(id)
    }
}
