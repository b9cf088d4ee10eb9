//! Ideas on files (issue 25, first slice): an idea tracked on a bars
//! directory (`data/ashare-daily` or the full set) against the
//! equal-weighted benchmark of every stock there, and a CSV of ideas ranked
//! by source. The store, pages and outreach come next.

use chrono::NaiveDate;
use ideas::record::{rank, record, Record};
use ideas::{track, Direction, IdeaTerms, Track};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why ideas could not be read or tracked.
#[derive(Debug, Error)]
pub enum IdeasFileError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A bars file does not read.
    #[error("{path}: {source}")]
    Bars {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: market::BarError,
    },
    /// A line of the ideas file does not read.
    #[error("line {line}: {reason}")]
    Line {
        /// Line number, from 1 with the header.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// No bars for the instrument on or after the publication day.
    #[error("no bars of {instrument} on or after {published}")]
    NoBars {
        /// The instrument.
        instrument: String,
        /// The day.
        published: NaiveDate,
    },
}

fn read_bars(path: &Path) -> Result<Vec<market::Candle>, IdeasFileError> {
    let file = std::fs::File::open(path).map_err(|source| IdeasFileError::Read { path: path.to_owned(), source })?;
    market::read_daily_bars(file).map_err(|source| IdeasFileError::Bars { path: path.to_owned(), source })
}

/// Every stock's bars in a directory (files named by their code), by code.
pub fn bars_of_dir(dir: &Path) -> Result<BTreeMap<String, Vec<market::Candle>>, IdeasFileError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IdeasFileError::Read { path: dir.to_owned(), source })?;
    let mut out = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|source| IdeasFileError::Read { path: dir.to_owned(), source })?.path();
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if path.extension().is_some_and(|e| e == "csv") && name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty()
        {
            out.insert(name, read_bars(&path)?);
        }
    }
    Ok(out)
}

/// The instrument's digits (600519.SH or 600519).
fn digits(instrument: &str) -> &str {
    instrument.split('.').next().unwrap_or(instrument)
}

/// Tracks one idea on a directory's bars against its equal-weighted benchmark.
pub fn track_on_dir(
    dir: &Path,
    instrument: &str,
    published: NaiveDate,
    terms: &IdeaTerms,
) -> Result<Track, IdeasFileError> {
    let all = bars_of_dir(dir)?;
    let benchmark = ideas::benchmark::equal_weighted(&all.values().cloned().collect::<Vec<_>>());
    let bars = all.get(digits(instrument)).map(Vec::as_slice).unwrap_or_default();
    track(terms, published, bars, &benchmark)
        .ok_or_else(|| IdeasFileError::NoBars { instrument: instrument.to_owned(), published })
}

/// Reads a CSV of ideas (source, instrument, published, direction long or
/// short, target, stop, horizon_days), tracks each on the directory's bars,
/// and ranks the sources.
pub fn rank_file(file: &Path, dir: &Path) -> Result<Vec<Record>, IdeasFileError> {
    let text =
        std::fs::read_to_string(file).map_err(|source| IdeasFileError::Read { path: file.to_owned(), source })?;
    let all = bars_of_dir(dir)?;
    let benchmark = ideas::benchmark::equal_weighted(&all.values().cloned().collect::<Vec<_>>());
    let mut by_source: BTreeMap<String, Vec<Track>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let bad = |reason: String| IdeasFileError::Line { line: n + 1, reason };
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let [source, instrument, published, direction, target, stop, horizon] = f[..] else {
            return Err(bad(format!("{} fields; want 7", f.len())));
        };
        let published: NaiveDate = published.parse().map_err(|_| bad(format!("'{published}' is not a date")))?;
        let direction = match direction {
            "long" => Direction::Long,
            "short" => Direction::Short,
            other => return Err(bad(format!("direction '{other}': long or short"))),
        };
        let price = |v: &str| v.parse::<Decimal>().map_err(|_| bad(format!("'{v}' is not a price")));
        let terms = IdeaTerms {
            direction,
            target: price(target)?,
            stop: price(stop)?,
            horizon_days: horizon.parse().map_err(|_| bad(format!("'{horizon}' is not a number of days")))?,
        };
        let bars = all.get(digits(instrument)).map(Vec::as_slice).unwrap_or_default();
        let tracked = track(&terms, published, bars, &benchmark)
            .ok_or_else(|| bad(format!("no bars of {instrument} on or after {published}")))?;
        by_source.entry(source.to_owned()).or_default().push(tracked);
    }
    Ok(rank(by_source.iter().map(|(s, t)| record(s, t)).collect()))
}

// ---------------------------------------------------------------------------
// Ideas in the store: proposed by advisors (their own or a research
// source's), reviewed by compliance as content, tracked from publication,
// ranked by source and horizon.
// ---------------------------------------------------------------------------

use crate::{codes, Error};
use access::{AuditEntry, Principal, Role};
use chrono::{DateTime, Utc};
use domain::{
    ContentBody, ContentKind, ContentStatus, ContentTitle, FixedPoint, IdeaId, InstrumentKind, Money, ProductRisk,
    ResearchSourceId,
};
use ideas::record::HorizonBand;
use serde::{Deserialize, Serialize};
use store::{Db, IdeaRow, NewIdea};

/// What an advisor proposes.
#[derive(Debug, Clone, Deserialize)]
pub struct IdeaRequest {
    /// Instrument code, e.g. 600519.SH.
    pub instrument: String,
    /// `long` or `short`.
    pub direction: String,
    /// Bottom of the entry range, CNY.
    pub entry_low: Money,
    /// Top of the entry range, CNY.
    pub entry_high: Money,
    /// Target price, CNY.
    pub target: Money,
    /// Stop price, CNY.
    pub stop: Money,
    /// Trading days it is meant to run (1 to 750).
    pub horizon_days: i32,
    /// Why, in a few lines.
    pub rationale: String,
    /// The research source it comes from; none: the advisor's own.
    pub source_id: Option<ResearchSourceId>,
    /// A rating above the instrument's own (R1..R5); never below it.
    pub risk: Option<ProductRisk>,
}

/// The least rating an idea on an instrument may carry: bonds R2; main-board
/// stocks, ETFs and convertibles R3; ChiNext, STAR and Beijing stocks R4 (they
/// need a trading permission too); ST stocks R5.
pub fn risk_floor(instrument: &domain::Instrument) -> ProductRisk {
    use domain::Board;
    match instrument.kind {
        InstrumentKind::Bond => ProductRisk::R2,
        InstrumentKind::Etf | InstrumentKind::ConvertibleBond => ProductRisk::R3,
        InstrumentKind::Stock if instrument.st => ProductRisk::R5,
        InstrumentKind::Stock => match instrument.board {
            Board::Star | Board::ChiNext | Board::Bse => ProductRisk::R4,
            Board::SseMain | Board::SzseMain => ProductRisk::R3,
        },
    }
}

/// The variety an idea on an instrument is, for the suitability match.
pub fn variety_of(kind: InstrumentKind) -> domain::Variety {
    match kind {
        InstrumentKind::Stock => domain::Variety::Stocks,
        InstrumentKind::Etf => domain::Variety::Funds,
        InstrumentKind::Bond | InstrumentKind::ConvertibleBond => domain::Variety::Bonds,
    }
}

/// The direction's words.
fn direction_words(direction: &str) -> &'static str {
    if direction == "short" {
        "看空/减持 Short"
    } else {
        "看多 Long"
    }
}

/// An idea's terms checked: the stop on the losing side of the entry
/// range and the target on the winning side.
fn check_prices(r: &IdeaRequest) -> Result<Direction, Error> {
    let direction = match r.direction.as_str() {
        "long" => Direction::Long,
        "short" => Direction::Short,
        other => {
            return Err(domain::codes::NOT_ONE_OF
                .refuse()
                .on("direction")
                .with("value", other)
                .with("options", "long, short")
                .into())
        }
    };
    let positive = [("entry_low", r.entry_low), ("entry_high", r.entry_high), ("target", r.target), ("stop", r.stop)];
    for (field, price) in positive {
        if price <= Money::ZERO {
            return Err(domain::codes::OUT_OF_RANGE
                .refuse()
                .on(field)
                .with("value", price)
                .with("min", "0.01")
                .with("max", "-")
                .into());
        }
        price.to_fixed(field)?;
    }
    let ordered = r.entry_low <= r.entry_high
        && match direction {
            Direction::Long => r.stop < r.entry_low && r.entry_high < r.target,
            Direction::Short => r.target < r.entry_low && r.entry_high < r.stop,
        };
    if !ordered {
        return Err(codes::IDEA_PRICES.refuse().on("stop").with("direction", &r.direction).into());
    }
    if !(1..=750).contains(&r.horizon_days) {
        return Err(domain::codes::OUT_OF_RANGE
            .refuse()
            .on("horizon_days")
            .with("value", r.horizon_days)
            .with("min", 1)
            .with("max", 750)
            .into());
    }
    Ok(direction)
}

/// The text compliance reviews and customers receive: terms, source,
/// licence numbers and the risk disclosure.
pub fn idea_text(
    instrument: &domain::Instrument,
    r: &IdeaRequest,
    risk: ProductRisk,
    by: (&str, &str),
    source: Option<(&str, &str)>,
) -> (String, String) {
    let title = format!("{} {} {}", direction_words(&r.direction), instrument.name, instrument.code);
    let from = match source {
        Some((name, licence)) => format!(
            "来源 Source: {name}（执业编号 Licence No. {licence}）\n转述 Passed on by: {}（执业编号 Licence No. {}）",
            by.0, by.1
        ),
        None => format!("来源 Source: 投资顾问 {}（执业编号 Licence No. {}）", by.0, by.1),
    };
    let body = format!(
        "方向 Direction: {}\n买入区间 Entry: {} – {}\n目标价 Target: {} · 止损价 Stop: {}\n周期 Horizon: {} 个交易日 trading days\n\
         风险等级 Risk rating: {risk}\n{from}\n理由 Rationale: {}\n\n{}",
        direction_words(&r.direction),
        r.entry_low.round_dp(2),
        r.entry_high.round_dp(2),
        r.target.round_dp(2),
        r.stop.round_dp(2),
        r.horizon_days,
        r.rationale.trim(),
        crate::community::content::DISCLAIMER,
    );
    (title, body)
}

/// Who may propose ideas: advisors, as authors.
fn author(principal: &Principal) -> Result<domain::StaffId, Error> {
    match (principal.role, principal.staff_id) {
        (Role::Advisor, Some(s)) => Ok(s),
        _ => Err(codes::ADVISORS_WRITE_CONTENT.refuse().into()),
    }
}

/// An advisor proposes an idea: checked, written as a content item and put
/// straight into compliance's queue with the idea itself, one unit of work
/// with its audit record. It is published (and tracked from) when
/// compliance approves the text. Answers the idea and its content item.
pub async fn propose(
    db: &Db,
    principal: &Principal,
    request: &IdeaRequest,
    again_of: Option<IdeaId>,
) -> Result<(IdeaId, domain::ContentId), Error> {
    let advisor = author(principal)?;
    check_prices(request)?;
    let code = domain::InstrumentCode::parse(&request.instrument).map_err(|e| {
        let r: domain::Refusal = e.into();
        r.on("instrument")
    })?;
    let instrument = db
        .instrument(&code)
        .await?
        .ok_or_else(|| codes::INSTRUMENT_NOT_FOUND.refuse().on("instrument").with("code", &code))?;
    let risk = {
        let floor = risk_floor(&instrument);
        request.risk.filter(|r| r.rank() > floor.rank()).unwrap_or(floor)
    };
    let rationale = request.rationale.trim();
    if rationale.is_empty() {
        return Err(domain::codes::REASON_REQUIRED.refuse().on("rationale").into());
    }
    let me = db.staff_member(advisor).await?.ok_or_else(|| codes::ADVISOR_NOT_FOUND.refuse())?;
    let licence = me.1.filter(|l| !l.trim().is_empty()).ok_or_else(|| codes::NO_LICENCE.refuse())?;
    let source = match request.source_id {
        None => None,
        Some(id) => Some(
            db.research_sources()
                .await?
                .into_iter()
                .find(|s| s.id == id)
                .ok_or_else(|| codes::SOURCE_NOT_FOUND.refuse().on("source_id"))?,
        ),
    };
    let (title, body) = idea_text(
        &instrument,
        request,
        risk,
        (&me.0, &licence),
        source.as_ref().map(|s| (s.name.as_str(), s.licence_no.as_str())),
    );
    let found = crate::community::content::banned_phrases(&format!("{title}\n{body}"));
    if let Some(f) = found.first() {
        return Err(codes::BANNED_PHRASES.refuse().on("rationale").with("phrases", &f.excerpt).into());
    }
    let (title, body) = (ContentTitle::parse(&title)?, ContentBody::parse(&body)?);
    let mut unit = db.begin().await?;
    let content_id =
        unit.insert_content(advisor, ContentKind::Article, &title, &body, ContentStatus::Submitted).await?;
    let idea = unit
        .insert_idea(&NewIdea {
            content_id,
            advisor_id: advisor,
            source_id: request.source_id,
            instrument: code.to_string(),
            direction: request.direction.clone(),
            entry_low: request.entry_low,
            entry_high: request.entry_high,
            target: request.target,
            stop: request.stop,
            horizon_days: request.horizon_days,
            risk,
            rationale: rationale.to_owned(),
            again_of,
        })
        .await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "propose_idea".into(),
        entity: "ideas".into(),
        entity_id: idea.to_string(),
        detail: serde_json::json!({ "instrument": code.to_string(), "content_id": content_id, "again_of": again_of })
            .to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok((idea, content_id))
}

/// Re-recommends a published idea after its price fell back: the same
/// terms, linked to the first idea of the chain, through compliance again.
pub async fn again(db: &Db, principal: &Principal, id: IdeaId) -> Result<(IdeaId, domain::ContentId), Error> {
    let first = visible(db, principal, id).await?;
    if first.published_at.is_none() {
        return Err(codes::NOT_APPROVED.refuse().into());
    }
    let request = IdeaRequest {
        instrument: first.instrument.clone(),
        direction: first.direction.clone(),
        entry_low: first.entry_low,
        entry_high: first.entry_high,
        target: first.target,
        stop: first.stop,
        horizon_days: first.horizon_days,
        rationale: format!("再次推荐 Re-recommended (#{}): {}", first.again_of.unwrap_or(first.id), first.rationale),
        source_id: first.source_id,
        risk: Some(first.risk),
    };
    propose(db, principal, &request, Some(first.again_of.unwrap_or(first.id))).await
}

/// An idea the principal may see: published ones by everyone; one under
/// review by its author and by compliance, managers and administrators.
pub async fn visible(db: &Db, principal: &Principal, id: IdeaId) -> Result<IdeaRow, Error> {
    let idea = db.idea(id).await?.ok_or_else(|| codes::IDEA_NOT_FOUND.refuse())?;
    let may = idea.published_at.is_some()
        || match principal.role {
            Role::Customer => false,
            Role::Advisor => principal.staff_id == Some(idea.advisor_id),
            _ => true,
        };
    if may {
        Ok(idea)
    } else {
        Err(codes::IDEA_NOT_FOUND.refuse().into())
    }
}

/// An idea with how it has done since publication.
#[derive(Debug, Clone, Serialize)]
pub struct TrackedIdea {
    /// The idea.
    #[serde(flatten)]
    pub idea: IdeaRow,
    /// Its horizon's band.
    pub band: HorizonBand,
    /// Its record (none: unpublished, or no bar since).
    pub track: Option<Track>,
    /// A research source's reasoning held back: professional content, a
    /// benefit of the higher tiers the reader is not in (issue 27).
    pub professional_locked: bool,
}

/// The day an idea published at `at` is entered: that day's close, or the
/// next session's when it came after the close (15:00 Shanghai).
pub fn entry_day(at: DateTime<Utc>) -> NaiveDate {
    let local = domain::to_shanghai(at);
    let day = local.date_naive();
    let close = chrono::NaiveTime::from_hms_opt(15, 0, 0).expect("a time");
    if local.time() >= close {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    }
}

fn candles(rows: Vec<(String, NaiveDate, [i64; 4])>) -> BTreeMap<String, Vec<market::Candle>> {
    let mut by_code: BTreeMap<String, Vec<market::Candle>> = BTreeMap::new();
    for (code, date, [open, high, low, close]) in rows {
        by_code.entry(code).or_default().push(market::Candle {
            date,
            open: Money::from_fixed(open),
            high: Money::from_fixed(high),
            low: Money::from_fixed(low),
            close: Money::from_fixed(close),
            volume: Money::ZERO,
        });
    }
    by_code
}

/// Computes the equal-weighted benchmark from every stock's stored bars and
/// stores it (the import does this whenever it loads daily bars); the days.
pub async fn refresh_benchmark(db: &Db) -> Result<usize, Error> {
    let all = candles(db.bars_since(NaiveDate::from_ymd_opt(1, 1, 1).expect("a date")).await?);
    let levels: Vec<(NaiveDate, String)> = ideas::benchmark::equal_weighted(&all.into_values().collect::<Vec<_>>())
        .into_iter()
        .map(|(day, level)| (day, level.to_string()))
        .collect();
    db.replace_benchmark(&levels).await?;
    Ok(levels.len())
}

/// The stored benchmark; computed and stored first if there is none yet
/// while bars are stored (a database loaded before the benchmark was kept).
pub async fn benchmark(db: &Db) -> Result<Vec<(NaiveDate, Decimal)>, Error> {
    let mut stored = db.benchmark_levels().await?;
    if stored.is_empty() && refresh_benchmark(db).await? > 0 {
        stored = db.benchmark_levels().await?;
    }
    stored
        .into_iter()
        .map(|(day, level)| {
            level.parse::<Decimal>().map(|l| (day, l)).map_err(|e| {
                Error::Store(store::StoreError::Corrupt { what: "benchmark_levels.level", reason: e.to_string() })
            })
        })
        .collect()
}

/// These instruments' bars from `from` on, by code, and the benchmark.
pub(crate) async fn bars_and_benchmark(
    db: &Db,
    codes: &[String],
    from: NaiveDate,
) -> Result<(BTreeMap<String, Vec<market::Candle>>, Vec<(NaiveDate, Decimal)>), Error> {
    Ok((candles(db.bars_of(codes, from).await?), benchmark(db).await?))
}

/// Tracks ideas on the stored bars against the equal-weighted benchmark.
pub async fn track_all(db: &Db, rows: Vec<IdeaRow>) -> Result<Vec<TrackedIdea>, Error> {
    let Some(from) = rows.iter().filter_map(|i| i.published_at).map(entry_day).min() else {
        return Ok(rows
            .into_iter()
            .map(|idea| TrackedIdea {
                band: HorizonBand::of(idea.horizon_days as u32),
                idea,
                track: None,
                professional_locked: false,
            })
            .collect());
    };
    let mut codes: Vec<String> = rows.iter().map(|i| i.instrument.clone()).collect();
    codes.sort();
    codes.dedup();
    let (bars, benchmark) = bars_and_benchmark(db, &codes, from).await?;
    Ok(rows
        .into_iter()
        .map(|idea| {
            let terms = IdeaTerms {
                direction: if idea.direction == "short" { Direction::Short } else { Direction::Long },
                target: idea.target,
                stop: idea.stop,
                horizon_days: idea.horizon_days as u32,
            };
            let track = idea.published_at.and_then(|at| {
                let series = bars.get(&idea.instrument).map(Vec::as_slice).unwrap_or_default();
                track(&terms, entry_day(at), series, &benchmark)
            });
            TrackedIdea { band: HorizonBand::of(idea.horizon_days as u32), idea, track, professional_locked: false }
        })
        .collect())
}

/// Ideas as the principal may list them, newest first, with their records:
/// customers the published ones; an advisor those and their own under
/// review; compliance, managers and administrators every one.
pub async fn list(db: &Db, principal: &Principal) -> Result<Vec<TrackedIdea>, Error> {
    let mut rows = db.ideas(principal.role == Role::Customer, None).await?;
    if principal.role == Role::Advisor {
        rows.retain(|i| i.published_at.is_some() || principal.staff_id == Some(i.advisor_id));
    }
    track_all(db, rows).await
}

/// Ideas as a reader of a tier sees them: a research source's reasoning
/// (professional content) is held back from customers whose tier does not
/// give it; the terms, the risk and the record stay for everyone.
pub async fn for_tier(
    db: &Db,
    tiers: &growth::tier::TierRules,
    principal: &Principal,
    mut ideas: Vec<TrackedIdea>,
) -> Result<Vec<TrackedIdea>, Error> {
    let Some(customer) = principal.customer_id.filter(|_| principal.role == Role::Customer) else {
        return Ok(ideas);
    };
    let tier = db.tiers_of(&[customer.0]).await?.pop().map(|(_, t)| t).unwrap_or_default();
    if tiers.named(&tier).benefits.professional_content {
        return Ok(ideas);
    }
    for t in ideas.iter_mut().filter(|t| t.idea.source_id.is_some()) {
        t.idea.rationale.clear();
        t.professional_locked = true;
    }
    Ok(ideas)
}

/// One idea with its record.
pub async fn one(db: &Db, principal: &Principal, id: IdeaId) -> Result<TrackedIdea, Error> {
    let idea = visible(db, principal, id).await?;
    Ok(track_all(db, vec![idea]).await?.remove(0))
}

/// Who an idea is from, as the ranking groups them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// An advisor's own ideas.
    Advisor {
        /// Staff id.
        id: i64,
    },
    /// A research source's.
    Research {
        /// Research source id.
        id: i64,
    },
}

/// A source's record over all its ideas or one horizon band.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    /// Who: an advisor or a research source.
    pub from: Source,
    /// All horizons (none), or one band.
    pub band: Option<HorizonBand>,
    /// The record (its `source` is the name).
    #[serde(flatten)]
    pub record: Record,
}

/// Every source's record over all horizons, best first, then per band.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    /// All horizons, ranked.
    pub overall: Vec<SourceRecord>,
    /// Per band (short, medium, long), each ranked.
    pub by_horizon: Vec<SourceRecord>,
}

/// Ranks the sources of tracked ideas, over all horizons and per band.
pub fn rank_sources(tracked: &[TrackedIdea]) -> Ranking {
    let mut groups: BTreeMap<(Source, Option<HorizonBand>), (String, Vec<Track>)> = BTreeMap::new();
    for t in tracked {
        let Some(track) = &t.track else { continue };
        let (source, name) = match (t.idea.source_id, &t.idea.source) {
            (Some(id), Some(name)) => (Source::Research { id: id.0 }, name.clone()),
            _ => (Source::Advisor { id: t.idea.advisor_id.0 }, t.idea.advisor.clone()),
        };
        for band in [None, Some(t.band)] {
            let entry = groups.entry((source.clone(), band)).or_insert_with(|| (name.clone(), Vec::new()));
            entry.1.push(track.clone());
        }
    }
    let ranked = |band: Option<HorizonBand>| -> Vec<SourceRecord> {
        let mut records: Vec<(Source, Record)> = groups
            .iter()
            .filter(|((_, b), _)| *b == band)
            .map(|((s, _), (name, tracks))| (s.clone(), record(name, tracks)))
            .collect();
        let order: Vec<Record> = rank(records.iter().map(|(_, r)| r.clone()).collect());
        let mut out = Vec::with_capacity(order.len());
        for r in order {
            let k = records.iter().position(|(_, x)| *x == r).expect("ranked from these");
            let (source, record) = records.remove(k);
            out.push(SourceRecord { from: source, band, record });
        }
        out
    };
    let overall = ranked(None);
    let by_horizon = HorizonBand::ALL.into_iter().flat_map(|b| ranked(Some(b))).collect();
    Ranking { overall, by_horizon }
}

/// The ranking of every source by its published ideas' records.
pub async fn ranking(db: &Db) -> Result<Ranking, Error> {
    let tracked = track_all(db, db.ideas(true, None).await?).await?;
    Ok(rank_sources(&tracked))
}

/// Adds a research source (administrators); its id.
pub async fn add_source(
    db: &Db,
    principal: &Principal,
    name: &str,
    kind: &str,
    licence_no: &str,
) -> Result<ResearchSourceId, Error> {
    if principal.role != Role::Admin {
        return Err(codes::ADMIN_ONLY.refuse().into());
    }
    if !matches!(kind, "desk" | "institution") {
        return Err(domain::codes::NOT_ONE_OF
            .refuse()
            .on("kind")
            .with("value", kind)
            .with("options", "desk, institution")
            .into());
    }
    let (name, licence_no) = (name.trim(), licence_no.trim());
    if name.is_empty() {
        return Err(domain::codes::EMPTY.refuse().on("name").into());
    }
    if licence_no.is_empty() {
        return Err(domain::codes::EMPTY.refuse().on("licence_no").into());
    }
    let mut unit = db.begin().await?;
    let id = unit.insert_research_source(name, kind, licence_no).await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "add_research_source".into(),
        entity: "research_sources".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "name": name, "kind": kind, "licence_no": licence_no }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(id)
}

/// An advisor as customers see them: licence, declared experience, the
/// introduction compliance approved, and their own ideas' record.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisorProfile {
    /// Staff id.
    pub id: domain::StaffId,
    /// Name.
    pub name: String,
    /// Licence number (执业编号).
    pub licence_no: Option<String>,
    /// Years of experience they declare.
    pub experience_years: Option<i32>,
    /// Their introduction, as compliance last approved it.
    pub introduction: Option<String>,
    /// A newer introduction waits for compliance.
    pub introduction_pending: bool,
    /// Their own published ideas' record over all horizons.
    pub record: Option<Record>,
    /// Their own published ideas, newest first, with their records.
    pub ideas: Vec<TrackedIdea>,
    /// Their published model portfolios.
    pub portfolios: Vec<store::PortfolioRow>,
}

/// An advisor's profile, open to every signed-in user (what a customer
/// opens from a group or an idea).
pub async fn advisor_profile(db: &Db, id: domain::StaffId) -> Result<AdvisorProfile, Error> {
    let (name, licence_no) = db.staff_member(id).await?.ok_or_else(|| codes::ADVISOR_NOT_FOUND.refuse())?;
    let profile = db.advisor_profile(id).await?;
    let (introduction, introduction_pending) = match profile {
        Some((_, content)) => {
            let versions = db.content_versions(content).await?;
            let approved = versions.iter().find(|v| v.status == ContentStatus::Approved).map(|v| v.body.clone());
            let pending = versions.first().is_some_and(|v| v.status == ContentStatus::Submitted);
            (approved, pending)
        }
        None => (None, false),
    };
    let mine: Vec<IdeaRow> = db.ideas(true, Some(id)).await?.into_iter().filter(|i| i.source_id.is_none()).collect();
    let ideas = track_all(db, mine).await?;
    let tracks: Vec<Track> = ideas.iter().filter_map(|t| t.track.clone()).collect();
    let record = (!tracks.is_empty()).then(|| record(&name, &tracks));
    let portfolios =
        db.portfolios().await?.into_iter().filter(|p| p.advisor_id == id && p.published_at.is_some()).collect();
    Ok(AdvisorProfile {
        id,
        name,
        licence_no,
        experience_years: profile.map(|p| p.0),
        introduction,
        introduction_pending,
        record,
        ideas,
        portfolios,
    })
}

/// An advisor writes their introduction and declares their experience: the
/// text goes to compliance (a new version of the same item, so the approved
/// one stays shown until the new one is approved).
pub async fn write_introduction(
    db: &Db,
    principal: &Principal,
    experience_years: i32,
    introduction: &str,
) -> Result<domain::ContentId, Error> {
    let advisor = author(principal)?;
    if !(0..=60).contains(&experience_years) {
        return Err(domain::codes::OUT_OF_RANGE
            .refuse()
            .on("experience_years")
            .with("value", experience_years)
            .with("min", 0)
            .with("max", 60)
            .into());
    }
    let found = crate::community::content::banned_phrases(introduction);
    if let Some(f) = found.first() {
        return Err(codes::BANNED_PHRASES.refuse().on("introduction").with("phrases", &f.excerpt).into());
    }
    let (name, _) = db.staff_member(advisor).await?.ok_or_else(|| codes::ADVISOR_NOT_FOUND.refuse())?;
    let title = ContentTitle::parse(&format!("顾问简介 Advisor introduction · {name}"))?;
    let body = ContentBody::parse(introduction.trim())?;
    let existing = db.advisor_profile(advisor).await?;
    let mut unit = db.begin().await?;
    let content = match existing {
        Some((_, item)) => {
            unit.insert_content_version(item, &title, &body, ContentStatus::Submitted).await?;
            item
        }
        None => unit.insert_content(advisor, ContentKind::Article, &title, &body, ContentStatus::Submitted).await?,
    };
    unit.set_advisor_profile(advisor, experience_years, content).await?;
    unit.commit().await?;
    Ok(content)
}
