//! Ideas and where they come from: the research sources the firm
//! configures, each idea with its terms and the content item compliance
//! reviews for it, published when that item is approved; and the
//! customer-list filters advisors keep by name for outreach.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{ContentId, FixedPoint, IdeaId, Money, ProductRisk, ResearchSourceId, SavedFilterId, StaffId};
use serde::Serialize;

/// A research source ideas come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ResearchSourceRow {
    /// Id.
    pub id: ResearchSourceId,
    /// Name, e.g. "本公司研究所 House research".
    pub name: String,
    /// `desk` (the firm's own) or `institution` (outside).
    pub kind: String,
    /// Its licence number, carried by every idea from it.
    pub licence_no: String,
}

/// An idea to store (its id and times are given by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdea {
    /// The content item compliance reviews for it.
    pub content_id: ContentId,
    /// The advisor who entered it.
    pub advisor_id: StaffId,
    /// Its research source; none: the advisor's own.
    pub source_id: Option<ResearchSourceId>,
    /// Instrument code, e.g. 600519.SH.
    pub instrument: String,
    /// `long` or `short`.
    pub direction: String,
    /// The entry range, CNY.
    pub entry_low: Money,
    /// Top of the entry range.
    pub entry_high: Money,
    /// Target price.
    pub target: Money,
    /// Stop price.
    pub stop: Money,
    /// Trading days it is meant to run.
    pub horizon_days: i32,
    /// Its risk rating, for suitability.
    pub risk: ProductRisk,
    /// Why, in the author's words.
    pub rationale: String,
    /// The idea it re-recommends, if any.
    pub again_of: Option<IdeaId>,
}

/// A stored idea with its author, source and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdeaRow {
    /// Id.
    pub id: IdeaId,
    /// The reviewed content item.
    pub content_id: ContentId,
    /// The advisor who entered it.
    pub advisor_id: StaffId,
    /// The advisor's name.
    pub advisor: String,
    /// The advisor's licence number.
    pub advisor_licence: Option<String>,
    /// The research source, if not the advisor's own.
    pub source_id: Option<ResearchSourceId>,
    /// The source's name.
    pub source: Option<String>,
    /// The source's licence number.
    pub source_licence: Option<String>,
    /// Instrument code.
    pub instrument: String,
    /// The instrument's name.
    pub instrument_name: String,
    /// `long` or `short`.
    pub direction: String,
    /// Entry range, CNY.
    pub entry_low: Money,
    /// Top of the entry range.
    pub entry_high: Money,
    /// Target price.
    pub target: Money,
    /// Stop price.
    pub stop: Money,
    /// Trading days it runs.
    pub horizon_days: i32,
    /// Risk rating.
    pub risk: ProductRisk,
    /// Why.
    pub rationale: String,
    /// The idea it re-recommends.
    pub again_of: Option<IdeaId>,
    /// Entered.
    pub created_at: DateTime<Utc>,
    /// Published (compliance approved its text); none while under review.
    pub published_at: Option<DateTime<Utc>>,
}

/// A saved customer-list filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SavedFilterRow {
    /// Id.
    pub id: SavedFilterId,
    /// Whose.
    pub staff_id: StaffId,
    /// The name it was saved under.
    pub name: String,
    /// The list's query string.
    pub query: String,
}

#[derive(sqlx::FromRow)]
struct IdeaRecord {
    id: IdeaId,
    content_id: ContentId,
    advisor_id: StaffId,
    advisor: String,
    advisor_licence: Option<String>,
    source_id: Option<ResearchSourceId>,
    source: Option<String>,
    source_licence: Option<String>,
    instrument: String,
    instrument_name: String,
    direction: String,
    entry_low: i64,
    entry_high: i64,
    target: i64,
    stop: i64,
    horizon_days: i32,
    risk: ProductRisk,
    rationale: String,
    again_of: Option<IdeaId>,
    created_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
}

impl From<IdeaRecord> for IdeaRow {
    fn from(r: IdeaRecord) -> IdeaRow {
        IdeaRow {
            id: r.id,
            content_id: r.content_id,
            advisor_id: r.advisor_id,
            advisor: r.advisor,
            advisor_licence: r.advisor_licence,
            source_id: r.source_id,
            source: r.source,
            source_licence: r.source_licence,
            instrument: r.instrument,
            instrument_name: r.instrument_name,
            direction: r.direction,
            entry_low: Money::from_fixed(r.entry_low),
            entry_high: Money::from_fixed(r.entry_high),
            target: Money::from_fixed(r.target),
            stop: Money::from_fixed(r.stop),
            horizon_days: r.horizon_days,
            risk: r.risk,
            rationale: r.rationale,
            again_of: r.again_of,
            created_at: r.created_at,
            published_at: r.published_at,
        }
    }
}

const IDEA_COLUMNS: &str =
    "SELECT d.id, d.content_id, d.advisor_id, s.name AS advisor, s.licence_no AS advisor_licence, \
     d.source_id, r.name AS source, r.licence_no AS source_licence, d.instrument, i.name AS instrument_name, \
     d.direction, d.entry_low, d.entry_high, d.target, d.stop, d.horizon_days, d.risk, d.rationale, d.again_of, \
     d.created_at, d.published_at FROM ideas d JOIN staff s ON s.id = d.advisor_id \
     JOIN instruments i ON i.code = d.instrument LEFT JOIN research_sources r ON r.id = d.source_id";

fn fixed(amount: Money, field: &'static str) -> Result<i64, StoreError> {
    amount.to_fixed(field).map_err(|e| StoreError::Corrupt { what: field, reason: e.to_string() })
}

impl Db {
    /// Every research source, by name.
    pub async fn research_sources(&self) -> Result<Vec<ResearchSourceRow>, StoreError> {
        let sql = "SELECT id, name, kind, licence_no FROM research_sources ORDER BY name";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// One idea.
    pub async fn idea(&self, id: IdeaId) -> Result<Option<IdeaRow>, StoreError> {
        let sql = format!("{IDEA_COLUMNS} WHERE d.id = $1");
        let row: Option<IdeaRecord> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(IdeaRow::from))
    }

    /// The idea a content item is the text of, if it is one.
    pub async fn idea_of_content(&self, content: ContentId) -> Result<Option<IdeaId>, StoreError> {
        let sql = "SELECT id FROM ideas WHERE content_id = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(content).fetch_optional(pool).await?))
    }

    /// Ideas, newest first: only published ones, or (staff) every one; one
    /// advisor's (as author, own ideas only) or all.
    pub async fn ideas(&self, published_only: bool, advisor: Option<StaffId>) -> Result<Vec<IdeaRow>, StoreError> {
        let sql = format!(
            "{IDEA_COLUMNS} WHERE ($1 = 0 OR d.published_at IS NOT NULL) AND ($2 IS NULL OR d.advisor_id = $2) \
             ORDER BY d.id DESC"
        );
        let rows: Vec<IdeaRecord> = with_pool!(self, pool =>
            sqlx::query_as(&sql).bind(i64::from(published_only)).bind(advisor.map(|a| a.0)).fetch_all(pool).await?);
        Ok(rows.into_iter().map(IdeaRow::from).collect())
    }

    /// Published ideas on an instrument, newest first.
    pub async fn ideas_on(&self, instrument: &str) -> Result<Vec<IdeaRow>, StoreError> {
        let sql = format!("{IDEA_COLUMNS} WHERE d.instrument = $1 AND d.published_at IS NOT NULL ORDER BY d.id DESC");
        let rows: Vec<IdeaRecord> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(instrument).fetch_all(pool).await?);
        Ok(rows.into_iter().map(IdeaRow::from).collect())
    }

    /// Every stock's closes from `from` on, as (code, date, open, high, low, close in 0.0001 CNY), by code then date.
    pub async fn bars_since(&self, from: NaiveDate) -> Result<Vec<(String, NaiveDate, [i64; 4])>, StoreError> {
        let sql = "SELECT b.instrument, b.date, b.open, b.high, b.low, b.close FROM daily_bars b \
                   JOIN instruments i ON i.code = b.instrument WHERE i.kind = 'stock' AND b.date >= $1 \
                   ORDER BY b.instrument, b.date";
        let rows: Vec<(String, NaiveDate, i64, i64, i64, i64)> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(from).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(c, d, o, h, l, cl)| (c, d, [o, h, l, cl])).collect())
    }

    /// The stored benchmark's levels (day, level as decimal text), by day.
    pub async fn benchmark_levels(&self) -> Result<Vec<(NaiveDate, String)>, StoreError> {
        let sql = "SELECT day, level FROM benchmark_levels ORDER BY day";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// Replaces the stored benchmark with these levels, in one unit of work.
    pub async fn replace_benchmark(&self, levels: &[(NaiveDate, String)]) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM benchmark_levels").execute(&mut *tx).await?;
            for chunk in levels.chunks(crate::book::ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO benchmark_levels (day, level) ");
                q.push_values(chunk, |mut row, (day, level)| {
                    row.push_bind(*day).push_bind(level.as_str());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// These instruments' bars from `from` on, as (code, date, [open, high, low, close] in 0.0001 CNY), by code then
    /// date: one statement for them all (a page tracks a few dozen ideas at once).
    pub async fn bars_of(
        &self,
        codes: &[String],
        from: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, [i64; 4])>, StoreError> {
        let mut out = Vec::new();
        for chunk in codes.chunks(crate::book::ROWS_PER_STATEMENT) {
            let rows: Vec<(String, NaiveDate, i64, i64, i64, i64)> = with_pool!(self, pool => {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT instrument, date, open, high, low, close FROM daily_bars WHERE date >= ",
                );
                q.push_bind(from).push(" AND instrument IN (");
                let mut list = q.separated(", ");
                for code in chunk {
                    list.push_bind(code.as_str());
                }
                q.push(") ORDER BY instrument, date");
                q.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows.into_iter().map(|(c, d, o, h, l, cl)| (c, d, [o, h, l, cl])));
        }
        Ok(out)
    }

    /// A member of staff's name and licence number.
    pub async fn staff_member(&self, id: StaffId) -> Result<Option<(String, Option<String>)>, StoreError> {
        let sql = "SELECT name, licence_no FROM staff WHERE id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
    }

    /// An advisor's profile: declared experience and the introduction's content item.
    pub async fn advisor_profile(&self, staff: StaffId) -> Result<Option<(i32, ContentId)>, StoreError> {
        let sql = "SELECT experience_years, content_id FROM advisor_profiles WHERE staff_id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(staff).fetch_optional(pool).await?))
    }

    /// An advisor's saved filters, by name.
    pub async fn saved_filters(&self, staff: StaffId) -> Result<Vec<SavedFilterRow>, StoreError> {
        let sql = "SELECT id, staff_id, name, query FROM saved_filters WHERE staff_id = $1 ORDER BY name";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(staff).fetch_all(pool).await?))
    }

    /// One saved filter.
    pub async fn saved_filter(&self, id: SavedFilterId) -> Result<Option<SavedFilterRow>, StoreError> {
        let sql = "SELECT id, staff_id, name, query FROM saved_filters WHERE id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
    }
}

impl Tx {
    /// Adds a research source; its id. A name already used is refused by the store.
    pub async fn insert_research_source(
        &mut self,
        name: &str,
        kind: &str,
        licence_no: &str,
    ) -> Result<ResearchSourceId, StoreError> {
        let id = ResearchSourceId(self.next_id("research_sources").await?);
        let now = self.now();
        let sql = "INSERT INTO research_sources (id, name, kind, licence_no, created_at) VALUES ($1, $2, $3, $4, $5)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(name).bind(kind).bind(licence_no).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        Ok(id)
    }

    /// Stores an idea, unpublished; its id.
    pub async fn insert_idea(&mut self, idea: &NewIdea) -> Result<IdeaId, StoreError> {
        let id = IdeaId(self.next_id("ideas").await?);
        let now = self.now();
        let prices = [
            fixed(idea.entry_low, "entry_low")?,
            fixed(idea.entry_high, "entry_high")?,
            fixed(idea.target, "target")?,
            fixed(idea.stop, "stop")?,
        ];
        let sql = "INSERT INTO ideas (id, content_id, advisor_id, source_id, instrument, direction, entry_low, \
                   entry_high, target, stop, horizon_days, risk, rationale, again_of, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(idea.content_id).bind(idea.advisor_id)
            .bind(idea.source_id).bind(&idea.instrument).bind(&idea.direction).bind(prices[0]).bind(prices[1])
            .bind(prices[2]).bind(prices[3]).bind(idea.horizon_days).bind(idea.risk).bind(&idea.rationale)
            .bind(idea.again_of).bind(now).execute(&mut *conn).await?.rows_affected());
        Ok(id)
    }

    /// Publishes the idea whose text is this content item, now, if it is one
    /// and not yet published; true when one was.
    pub async fn publish_idea_of(&mut self, content: ContentId) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE ideas SET published_at = $1 WHERE content_id = $2 AND published_at IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(now).bind(content).execute(&mut *conn).await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Sets an advisor's profile: declared experience and a new introduction (under review).
    pub async fn set_advisor_profile(
        &mut self,
        staff: StaffId,
        years: i32,
        content: ContentId,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let sql = "INSERT INTO advisor_profiles (staff_id, experience_years, content_id, updated_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (staff_id) DO UPDATE SET experience_years = excluded.experience_years, \
                   content_id = excluded.content_id, updated_at = excluded.updated_at";
        with_tx!(self, conn => sqlx::query(sql).bind(staff).bind(years).bind(content).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Saves (or replaces, by name) a filter of the customer list; its id.
    pub async fn save_filter(&mut self, staff: StaffId, name: &str, query: &str) -> Result<SavedFilterId, StoreError> {
        let existing: Option<SavedFilterId> = with_tx!(self, conn => sqlx::query_scalar(
            "SELECT id FROM saved_filters WHERE staff_id = $1 AND name = $2")
            .bind(staff).bind(name).fetch_optional(&mut *conn).await?);
        if let Some(id) = existing {
            with_tx!(self, conn => sqlx::query("UPDATE saved_filters SET query = $1 WHERE id = $2")
                .bind(query).bind(id).execute(&mut *conn).await?.rows_affected());
            return Ok(id);
        }
        let id = SavedFilterId(self.next_id("saved_filters").await?);
        let now = self.now();
        let sql = "INSERT INTO saved_filters (id, staff_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(staff).bind(name).bind(query).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        Ok(id)
    }
}
