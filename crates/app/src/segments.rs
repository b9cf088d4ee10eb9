//! The customer map and saved segments (issue 28): customers in scope
//! placed by two features the viewer picks and coloured by a tier; a region
//! of the map saved as a segment (its members fixed when saved, audited),
//! which the customer list filters by and the advisor acts on: a follow-up
//! task for each member, or an invitation to one of their groups.

use crate::{codes, Error};
use access::{AuditEntry, Principal, Role};
use analytics::map::sample_stride;
use analytics::{MapFeature, Region};
use domain::{CustomerId, GroupId, TaskKind};
use serde::{Deserialize, Serialize};
use store::{Db, MapRow};

/// The most points a map draws; past it, every n-th customer by id.
pub const MOST_POINTS: u64 = 5_000;
/// Rows read per query while walking the scope.
const PAGE: i64 = 20_000;

/// What colours a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colouring {
    /// The service tier of the last classification.
    ServiceTier,
    /// The points tier.
    Tier,
    /// The risk level, C1..C5.
    Risk,
}

impl Colouring {
    /// Reads a colouring's name.
    pub fn parse(text: &str) -> Result<Colouring, Error> {
        match text {
            "service_tier" => Ok(Colouring::ServiceTier),
            "tier" => Ok(Colouring::Tier),
            "risk" => Ok(Colouring::Risk),
            _ => Err(codes::MAP_FIELD.refuse().on("colour").with("given", text).into()),
        }
    }

    /// Its name.
    pub fn code(self) -> &'static str {
        match self {
            Colouring::ServiceTier => "service_tier",
            Colouring::Tier => "tier",
            Colouring::Risk => "risk",
        }
    }
}

/// Reads a feature's name for an axis.
pub fn feature(text: &str, field: &'static str) -> Result<MapFeature, Error> {
    MapFeature::parse(text).ok_or_else(|| codes::MAP_FIELD.refuse().on(field).with("given", text).into())
}

/// One customer on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPoint {
    /// Customer id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Where on the x axis.
    pub x: f64,
    /// Where on the y axis.
    pub y: f64,
    /// The colouring's value (a tier's name, C1..C5, or "none").
    pub colour: String,
}

/// The map of the customers in scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerMap {
    /// The x axis.
    pub x: MapFeature,
    /// The y axis.
    pub y: MapFeature,
    /// The colouring.
    pub colour: Colouring,
    /// The points drawn.
    pub points: Vec<MapPoint>,
    /// Customers in scope.
    pub in_scope: i64,
    /// Every how-many-th customer (by id) is drawn: 1 is all.
    pub stride: u64,
    /// Customers read who lack a feature (never classified, never traded): not drawn.
    pub without_features: u64,
}

/// A customer's value of a feature (None when they have none).
pub fn value(feature: MapFeature, row: &MapRow, features: Option<&serde_json::Value>) -> Option<f64> {
    let int = |name: &str| features.and_then(|f| f.get(name)).and_then(serde_json::Value::as_i64);
    let yuan = |units: i64| units as f64 / 10_000.0;
    match feature {
        MapFeature::Assets => Some(yuan(row.assets)),
        MapFeature::YearsInMarket => int("years_in_market").map(|v| v as f64),
        MapFeature::TradesPerMonth => int("trades_90d").map(|v| v as f64 / 3.0),
        MapFeature::WinRate => int("win_rate_bp").map(|v| v as f64 / 100.0),
        MapFeature::HoldingDays => int("avg_holding_days").map(|v| v as f64),
        MapFeature::Concentration => int("hhi_bp").map(|v| v as f64 / 100.0),
        MapFeature::UnrealizedPnl => int("unrealized_pnl").map(yuan),
        MapFeature::RealizedPnl => int("realized_pnl").map(yuan),
        MapFeature::Turnover => int("turnover_90d_bp").map(|v| v as f64 / 100.0),
        MapFeature::Revenue => int("revenue_3m").map(yuan),
    }
}

fn colour_of(colour: Colouring, row: &MapRow) -> String {
    match colour {
        Colouring::ServiceTier => row.service_tier.clone().unwrap_or_else(|| "none".into()),
        Colouring::Tier => row.tier.clone().unwrap_or_else(|| "none".into()),
        Colouring::Risk => format!("C{}", row.risk_level),
    }
}

fn staff_only(principal: &Principal) -> Result<(), Error> {
    if principal.role == Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().with("what", "analytics").into());
    }
    Ok(())
}

/// Walks the customers in scope (every `stride`-th), placing each by `x` and `y`.
async fn walk(
    db: &Db,
    principal: &Principal,
    x: MapFeature,
    y: MapFeature,
    stride: u64,
    mut each: impl FnMut(&MapRow, Option<(f64, f64)>),
) -> Result<(), Error> {
    let mut after = 0;
    loop {
        let rows = db.map_rows(principal.scope(), stride as i64, after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in &rows {
            let features: Option<serde_json::Value> =
                row.features.as_deref().and_then(|f| serde_json::from_str(f).ok());
            let at = value(x, row, features.as_ref()).zip(value(y, row, features.as_ref()));
            each(row, at);
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    Ok(())
}

/// The map of the caller's customers by `x` and `y`, coloured by `colour`;
/// a sample of at most [`MOST_POINTS`] when the scope is larger.
pub async fn map(
    db: &Db,
    principal: &Principal,
    x: MapFeature,
    y: MapFeature,
    colour: Colouring,
) -> Result<CustomerMap, Error> {
    staff_only(principal)?;
    let in_scope = db.customers_in_scope(principal.scope()).await?;
    let stride = sample_stride(in_scope.max(0) as u64, MOST_POINTS);
    let mut points = Vec::new();
    let mut without_features = 0;
    walk(db, principal, x, y, stride, |row, at| match at {
        Some((px, py)) => {
            points.push(MapPoint { id: row.id, name: row.name.clone(), x: px, y: py, colour: colour_of(colour, row) })
        }
        None => without_features += 1,
    })
    .await?;
    Ok(CustomerMap { x, y, colour, points, in_scope, stride, without_features })
}

/// What a saved segment is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentDefinition {
    /// The x axis.
    pub x: MapFeature,
    /// The y axis.
    pub y: MapFeature,
    /// The region.
    pub region: Region,
}

/// A saved segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The map's region it was made from.
    pub definition: SegmentDefinition,
    /// Customers in it when saved.
    pub members: i64,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn segment_of(row: store::SegmentRow) -> Result<Segment, Error> {
    let definition: SegmentDefinition = serde_json::from_str(&row.definition)
        .map_err(|e| store::StoreError::Corrupt { what: "segments.definition", reason: e.to_string() })?;
    Ok(Segment { id: row.id, name: row.name, definition, members: row.members, created_at: row.created_at })
}

/// Saves the caller's customers (every one in scope, not only the map's
/// sample) in a region of the map as a segment, audited; the segment.
pub async fn save_segment(
    db: &Db,
    principal: &Principal,
    name: &str,
    x: MapFeature,
    y: MapFeature,
    region: Region,
) -> Result<Segment, Error> {
    staff_only(principal)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(codes::MAP_FIELD.refuse().on("name").with("given", name).into());
    }
    let mut members = Vec::new();
    walk(db, principal, x, y, 1, |row, at| {
        if at.is_some_and(|(px, py)| region.contains(px, py)) {
            members.push(row.id);
        }
    })
    .await?;
    let definition = SegmentDefinition { x, y, region };
    let text = serde_json::to_string(&definition).expect("a definition serializes");
    let mut unit = db.begin().await?;
    let id = unit.insert_segment(name, &text, principal.user_id.0, &members).await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "create".into(),
        entity: "segment".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "name": name, "definition": definition, "members": members.len() }).to_string(),
    })
    .await?;
    unit.commit().await?;
    let row = db.segment(id).await?.ok_or_else(|| codes::SEGMENT_NOT_FOUND.refuse())?;
    segment_of(row)
}

/// A segment the caller saved (managers and admins see any), or not found.
pub async fn segment(db: &Db, principal: &Principal, id: i64) -> Result<Segment, Error> {
    staff_only(principal)?;
    let row = db.segment(id).await?.ok_or_else(|| codes::SEGMENT_NOT_FOUND.refuse())?;
    let anyone = matches!(principal.role, Role::Manager | Role::Admin | Role::Compliance);
    if row.created_by != principal.user_id.0 && !anyone {
        return Err(codes::SEGMENT_NOT_FOUND.refuse().into());
    }
    segment_of(row)
}

/// The segments the caller saved, newest first.
pub async fn segments(db: &Db, principal: &Principal) -> Result<Vec<Segment>, Error> {
    staff_only(principal)?;
    db.segments_of(principal.user_id.0).await?.into_iter().map(segment_of).collect()
}

/// What acting on a segment did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acted {
    /// Tasks made, one per member in the caller's scope.
    pub tasks: usize,
}

/// A follow-up task for each member of the segment in the caller's scope
/// (to their advisor), in one unit of work with its audit record.
pub async fn follow_up_each(db: &Db, principal: &Principal, id: i64) -> Result<Acted, Error> {
    let segment = segment(db, principal, id).await?;
    let members = db.segment_members(id, principal.scope()).await?;
    let title = format!("客户分群「{}」：逐一跟进", segment.name);
    let mut unit = db.begin().await?;
    let due = Some(unit.now() + chrono::Days::new(7));
    for c in &members {
        unit.add_task(CustomerId(*c), TaskKind::FollowUp, &title, due).await?;
    }
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "follow_up".into(),
        entity: "segment".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "tasks": members.len() }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(Acted { tasks: members.len() })
}

/// Invites the segment's members in the caller's scope to one of the
/// caller's groups: an invitation link is made (as the group's admins
/// make one) and each member's advisor gets a task to pass it on, in one
/// unit of work with its audit record. Members already in it are skipped.
pub async fn invite_to_group(
    db: &Db,
    principal: &Principal,
    id: i64,
    group: GroupId,
    community: &crate::community::Communities,
) -> Result<Acted, Error> {
    let segment = segment(db, principal, id).await?;
    let members = db.segment_members(id, principal.scope()).await?;
    let present: std::collections::HashSet<i64> =
        db.members(group).await?.into_iter().filter(|m| m.removed_at.is_none()).map(|m| m.customer_id.0).collect();
    let invited: Vec<i64> = members.into_iter().filter(|c| !present.contains(c)).collect();
    let name = db.group(group).await?.map(|g| g.name).unwrap_or_default();
    let mut unit = db.begin().await?;
    // Only a group's admins make invitation links: the community refuses anyone else.
    let (token, _) = community.invite_in(&mut unit, principal, group, None).await?;
    let title = format!("客户分群「{}」：邀请加入社群「{name}」，入群链接 /join/{token}", segment.name);
    let due = Some(unit.now() + chrono::Days::new(7));
    for c in &invited {
        unit.add_task(CustomerId(*c), TaskKind::FollowUp, &title, due).await?;
    }
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "invite".into(),
        entity: "segment".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "group": group.0, "tasks": invited.len() }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(Acted { tasks: invited.len() })
}
