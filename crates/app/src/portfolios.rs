//! Model portfolios: an advisor runs a paper portfolio; its description
//! and first weights, and each later rebalance, go through compliance as
//! content and take effect when approved, when the followers are told (a
//! send to each, as outreach delivers it). A customer follows one as a
//! subscription, judged by the suitability gate; followers and staff see
//! its performance against the benchmark.

use crate::{codes, Error};
use access::{AuditEntry, Principal, Role};
use advice::matching::{judge, ProductTerms};
use domain::{
    ContentBody, ContentKind, ContentStatus, ContentTitle, CustomerId, Horizon, PortfolioId, ProductId, ProductRisk,
    RebalanceId, Verdict,
};
use ideas::portfolio::{perform, Performance, Rebalance};
use rust_decimal::Decimal;
use serde::Serialize;
use store::{Db, PortfolioRow, RebalanceRow};

/// Most instruments one portfolio holds.
pub const MAX_HOLDINGS: usize = 30;

/// Target weights asked for: (instrument code, percent of the value).
pub type Weights = Vec<(String, Decimal)>;

fn author(principal: &Principal) -> Result<domain::StaffId, Error> {
    match (principal.role, principal.staff_id) {
        (Role::Advisor, Some(s)) => Ok(s),
        _ => Err(codes::ADVISORS_WRITE_CONTENT.refuse().into()),
    }
}

/// Weights checked: instruments that exist, each above 0, at most 100% in
/// all (the rest is cash), two decimals of a percent; in basis points, with
/// the rating the holdings call for (the highest of their own).
async fn checked_weights(db: &Db, weights: &Weights) -> Result<(Vec<(String, i32)>, ProductRisk, String), Error> {
    if weights.is_empty() || weights.len() > MAX_HOLDINGS {
        return Err(domain::codes::OUT_OF_RANGE
            .refuse()
            .on("weights")
            .with("value", weights.len())
            .with("min", 1)
            .with("max", MAX_HOLDINGS)
            .into());
    }
    let mut out = Vec::new();
    let mut risk = ProductRisk::R1;
    let mut lines = Vec::new();
    for (code, pct) in weights {
        let parsed = domain::InstrumentCode::parse(code).map_err(|e| domain::Refusal::from(e).on("weights"))?;
        let i = db
            .instrument(&parsed)
            .await?
            .ok_or_else(|| codes::INSTRUMENT_NOT_FOUND.refuse().on("weights").with("code", &parsed))?;
        let bp = (*pct * Decimal::ONE_HUNDRED).normalize();
        if bp <= Decimal::ZERO || bp.scale() > 0 || bp > Decimal::from(10_000) {
            return Err(domain::codes::OUT_OF_RANGE
                .refuse()
                .on("weights")
                .with("value", pct)
                .with("min", "0.01")
                .with("max", 100)
                .into());
        }
        let floor = crate::ideas::risk_floor(&i);
        if floor.rank() > risk.rank() {
            risk = floor;
        }
        lines.push(format!("{} {} {}%", i.code, i.name, pct.round_dp(2)));
        out.push((i.code.to_string(), bp.mantissa() as i32));
    }
    out.sort();
    if out.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(domain::codes::NOT_ONE_OF
            .refuse()
            .on("weights")
            .with("value", "twice")
            .with("options", "each instrument once")
            .into());
    }
    let total: i32 = out.iter().map(|(_, bp)| *bp).sum();
    if total > 10_000 {
        return Err(domain::codes::OUT_OF_RANGE
            .refuse()
            .on("weights")
            .with("value", Decimal::new(i64::from(total), 2))
            .with("min", 0)
            .with("max", 100)
            .into());
    }
    lines.push(format!("现金 Cash {}%", Decimal::new(i64::from(10_000 - total), 2)));
    Ok((out, risk, lines.join("\n")))
}

/// The text compliance reviews for a portfolio or a rebalance.
fn text_of(
    heading: &str,
    name: &str,
    note: &str,
    risk: ProductRisk,
    weights: &str,
    advisor: (&str, &str),
) -> (String, String) {
    let title = format!("{heading} {name}");
    let body = format!(
        "{}\n\n目标权重 Target weights:\n{weights}\n风险等级 Risk rating: {risk}\n—— {}（执业编号 Licence No. {}）\n\n{}",
        note.trim(),
        advisor.0,
        advisor.1,
        crate::community::content::DISCLAIMER
    );
    (title, body)
}

/// An advisor starts a model portfolio with its description and first
/// weights: one content item into compliance's queue; published, and the
/// weights in effect, when approved. Answers the portfolio and the item.
pub async fn create(
    db: &Db,
    principal: &Principal,
    name: &str,
    description: &str,
    weights: &Weights,
    product: Option<ProductId>,
) -> Result<(PortfolioId, domain::ContentId), Error> {
    let advisor = author(principal)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(domain::codes::LENGTH.refuse().on("name").with("min", 1).with("max", 80).into());
    }
    if description.trim().is_empty() {
        return Err(domain::codes::EMPTY.refuse().on("description").into());
    }
    if let Some(p) = product {
        db.product(p).await?.ok_or_else(|| codes::PRODUCT_NOT_FOUND.refuse().on("product_id"))?;
    }
    let (weights, risk, lines) = checked_weights(db, weights).await?;
    let (me, licence) = db.staff_member(advisor).await?.ok_or_else(|| codes::ADVISOR_NOT_FOUND.refuse())?;
    let licence = licence.filter(|l| !l.trim().is_empty()).ok_or_else(|| codes::NO_LICENCE.refuse())?;
    let (title, body) = text_of("模拟组合 Model portfolio", name, description, risk, &lines, (&me, &licence));
    let (title, body) = (ContentTitle::parse(&title)?, ContentBody::parse(&body)?);
    let mut unit = db.begin().await?;
    let content = unit.insert_content(advisor, ContentKind::Article, &title, &body, ContentStatus::Submitted).await?;
    let id = unit.insert_portfolio(advisor, name, risk, content, product).await?;
    // The first weights take effect with the portfolio's approval: the same reviewed text.
    unit.insert_rebalance(id, content, description.trim(), &weights).await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "create_portfolio".into(),
        entity: "model_portfolios".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "name": name, "content_id": content, "weights": weights }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok((id, content))
}

/// The advisor proposes a rebalance to new weights: into compliance's
/// queue; in effect, and told to the followers, when approved.
pub async fn rebalance(
    db: &Db,
    principal: &Principal,
    id: PortfolioId,
    weights: &Weights,
    note: &str,
) -> Result<(RebalanceId, domain::ContentId), Error> {
    let advisor = author(principal)?;
    let p = db
        .portfolio(id)
        .await?
        .filter(|p| p.advisor_id == advisor)
        .ok_or_else(|| codes::PORTFOLIO_NOT_FOUND.refuse())?;
    if p.published_at.is_none() {
        return Err(codes::NOT_APPROVED.refuse().into());
    }
    if note.trim().is_empty() {
        return Err(domain::codes::REASON_REQUIRED.refuse().on("note").into());
    }
    let (weights, risk, lines) = checked_weights(db, weights).await?;
    if risk.rank() > p.risk.rank() {
        // Followers were judged against the portfolio's rating: it does not rise under them.
        return Err(codes::PORTFOLIO_RISK.refuse().on("weights").with("risk", p.risk).with("needs", risk).into());
    }
    let (me, licence) = db.staff_member(advisor).await?.ok_or_else(|| codes::ADVISOR_NOT_FOUND.refuse())?;
    let licence = licence.unwrap_or_default();
    let (title, body) = text_of("调仓 Rebalance", &p.name, note, p.risk, &lines, (&me, &licence));
    let (title, body) = (ContentTitle::parse(&title)?, ContentBody::parse(&body)?);
    let mut unit = db.begin().await?;
    let content = unit.insert_content(advisor, ContentKind::Article, &title, &body, ContentStatus::Submitted).await?;
    let r = unit.insert_rebalance(id, content, note.trim(), &weights).await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "rebalance_portfolio".into(),
        entity: "model_portfolios".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "rebalance": r, "content_id": content, "weights": weights }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok((r, content))
}

/// Portfolios the principal may list: published ones, and (staff) those
/// under review (an advisor: their own).
pub async fn list(db: &Db, principal: &Principal) -> Result<Vec<PortfolioRow>, Error> {
    let mut rows = db.portfolios().await?;
    rows.retain(|p| {
        p.published_at.is_some()
            || match principal.role {
                Role::Customer => false,
                Role::Advisor => principal.staff_id == Some(p.advisor_id),
                _ => true,
            }
    });
    Ok(rows)
}

/// A portfolio as the principal sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioView {
    /// The portfolio.
    #[serde(flatten)]
    pub portfolio: PortfolioRow,
    /// Its rebalances in effect, oldest first (its author and staff: those under review too).
    pub rebalances: Vec<RebalanceRow>,
    /// The viewer (a customer) follows it.
    pub following: bool,
    /// Its value and record against the benchmark: for its followers and staff.
    pub performance: Option<Performance>,
}

/// One portfolio, with its performance for followers and staff.
pub async fn view(db: &Db, principal: &Principal, id: PortfolioId) -> Result<PortfolioView, Error> {
    let portfolio = list(db, principal)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| codes::PORTFOLIO_NOT_FOUND.refuse())?;
    let mut rebalances = db.rebalances(id).await?;
    let staff = principal.role != Role::Customer;
    if !staff {
        rebalances.retain(|r| r.effective_at.is_some());
    }
    let following = match principal.customer_id {
        Some(c) => db.follows(id, c).await?,
        None => false,
    };
    let performance = if staff || following { performance(db, &rebalances).await? } else { None };
    Ok(PortfolioView { portfolio, rebalances, following, performance })
}

/// A portfolio's value over the stored bars from its first rebalance in effect.
async fn performance(db: &Db, rebalances: &[RebalanceRow]) -> Result<Option<Performance>, Error> {
    let in_effect: Vec<Rebalance> = rebalances
        .iter()
        .filter_map(|r| {
            let on = crate::ideas::entry_day(r.effective_at?);
            let weights = r.weights.iter().map(|(c, bp)| (c.clone(), *bp as u32)).collect();
            Some(Rebalance { on, weights })
        })
        .collect();
    let Some(from) = in_effect.iter().map(|r| r.on).min() else { return Ok(None) };
    let held: std::collections::BTreeSet<String> =
        in_effect.iter().flat_map(|r| r.weights.iter().map(|(c, _)| c.clone())).collect();
    let codes: Vec<String> = held.into_iter().collect();
    let (bars, benchmark) = crate::ideas::bars_and_benchmark(db, &codes, from).await?;
    Ok(perform(&in_effect, &bars, &benchmark))
}

/// A customer follows a published portfolio: for themself, or their advisor
/// or manager on their behalf. Judged by the gate as a product of the
/// portfolio's rating (medium horizon, stocks): refused above what they may
/// ever hold; above their match, only once confirmed. True when new.
pub async fn follow(
    db: &Db,
    principal: &Principal,
    id: PortfolioId,
    customer: CustomerId,
    confirmed: bool,
) -> Result<bool, Error> {
    if matches!(principal.role, Role::Compliance | Role::Admin)
        || (principal.role == Role::Customer && principal.customer_id != Some(customer))
    {
        return Err(codes::PURCHASE_ROLES.refuse().with("who", principal.role.as_str()).into());
    }
    let c = crate::customers::record(db, principal, customer).await?;
    let p = db
        .portfolio(id)
        .await?
        .filter(|p| p.published_at.is_some())
        .ok_or_else(|| codes::PORTFOLIO_NOT_FOUND.refuse())?;
    let profile = crate::advice::profile(db, &c).await?;
    let Some(investor) = profile.investor() else {
        return Err(codes::QUESTIONNAIRE_REQUIRED.refuse().with("until", "none").into());
    };
    let j = judge(
        &investor,
        &ProductTerms { risk: p.risk, horizon: Some(Horizon::Medium), variety: Some(domain::Variety::Stocks) },
    );
    match (j.verdict, confirmed) {
        (Verdict::Refused, _) => {
            return Err(codes::UNSUITABLE
                .refuse()
                .with("reasons_zh", j.said(messages::Locale::Zh))
                .with("reasons_en", j.said(messages::Locale::En))
                .into())
        }
        (Verdict::NeedsConfirmation, false) => {
            return Err(codes::CONFIRMATION_REQUIRED
                .refuse()
                .with("reasons_zh", j.said(messages::Locale::Zh))
                .with("reasons_en", j.said(messages::Locale::En))
                .into())
        }
        _ => {}
    }
    let mut unit = db.begin().await?;
    let new = unit.follow(id, customer, j.verdict == Verdict::NeedsConfirmation).await?;
    if new {
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "follow_portfolio".into(),
            entity: "customers".into(),
            entity_id: customer.to_string(),
            detail: serde_json::json!({ "portfolio": id, "risk": p.risk, "verdict": j.verdict }).to_string(),
        })
        .await?;
    }
    unit.commit().await?;
    Ok(new)
}

/// A customer stops following (themself, or staff on their behalf).
pub async fn unfollow(db: &Db, principal: &Principal, id: PortfolioId, customer: CustomerId) -> Result<bool, Error> {
    if principal.role == Role::Customer && principal.customer_id != Some(customer) {
        return Err(codes::PURCHASE_ROLES.refuse().with("who", principal.role.as_str()).into());
    }
    crate::customers::record(db, principal, customer).await?;
    let mut unit = db.begin().await?;
    let was = unit.unfollow(id, customer).await?;
    unit.commit().await?;
    Ok(was)
}
