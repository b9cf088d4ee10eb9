//! Products and suitability, the use cases: the questionnaire taken (by the
//! customer, or staff on their behalf), a professional investor's tests
//! recorded, the gate at sale, recommendations, the warning before a group
//! message names an unsuitable product, and the funnel. Each write is one
//! unit of work with its audit record; every refusal, warning and
//! confirmation of the gate is logged with the questionnaire it relied on.

use crate::{codes, customers, Error};
use access::{AuditEntry, Principal, Role};
use advice::matching::{judge, Investor, Judgement, ProductTerms, ReasonText};
use advice::professional::{self, Evidence, ProfessionalTest};
use advice::recommend::{self, Because, Known, Offer};
use advice::{Answers, Questionnaire};
use chrono::{DateTime, Months, NaiveDate, Utc};
use domain::{CustomerId, InvestorClass, ProductId, ProductState, PurchaseId, TaskId, TaskKind, Verdict};
use rust_decimal::Decimal;
use serde::Serialize;
use std::sync::OnceLock;
use store::{AssessmentRow, CustomerDetail, Db, GateStep, ProductRow, ProfessionalRow};

/// The questionnaire in force: one installed at start, else the one built in.
static IN_FORCE: OnceLock<Questionnaire> = OnceLock::new();

/// The questionnaire in force.
pub fn questionnaire() -> &'static Questionnaire {
    IN_FORCE.get_or_init(Questionnaire::standard)
}

/// Puts a questionnaire in force for this process (`serve --questionnaire`);
/// false when one is in force already (it is read once, at start).
pub fn install_questionnaire(q: Questionnaire) -> bool {
    IN_FORCE.set(q).is_ok()
}

/// Exact age on a day.
fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    day.years_since(birth).unwrap_or(0)
}

/// The product's terms for the gate.
pub fn terms(p: &ProductRow) -> ProductTerms {
    ProductTerms { risk: p.risk, horizon: Some(p.horizon), variety: Some(p.variety) }
}

/// What the gate knows of a customer now.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// The newest questionnaire result, if any.
    pub assessment: Option<AssessmentRow>,
    /// Whether it still holds.
    pub assessment_current: bool,
    /// The newest professional test, if any.
    pub professional_test: Option<ProfessionalRow>,
    /// A professional investor now: an unexpired qualifying test, or (never tested here) the book's flag.
    pub professional: bool,
    /// Age today.
    pub age: u32,
}

impl Profile {
    /// The investor the gate judges, if they may be judged: a professional,
    /// or an ordinary investor whose questionnaire holds.
    pub fn investor(&self) -> Option<Investor> {
        let age = Some(self.age);
        if self.professional {
            let class = self.assessment.as_ref().map_or(InvestorClass::C5, |a| a.class);
            return Some(Investor { class, professional: true, horizon: None, varieties: None, age });
        }
        let a = self.assessment.as_ref().filter(|_| self.assessment_current)?;
        Some(Investor {
            class: a.class,
            professional: false,
            horizon: Some(a.horizon),
            varieties: Some(a.varieties.clone()),
            age,
        })
    }
}

/// A professional investor now: the newest test here decides while it holds
/// (qualified, expires at); a customer never tested here keeps the book's flag.
fn professional_now(test: Option<(bool, DateTime<Utc>)>, book_flag: bool, now: DateTime<Utc>) -> bool {
    match test {
        Some((qualified, expires)) => qualified && expires > now,
        None => book_flag,
    }
}

/// The customer's suitability profile, read for the gate.
pub async fn profile(db: &Db, customer: &CustomerDetail) -> Result<Profile, Error> {
    let now = db.now();
    let id = customer.summary.id;
    let assessment = db.latest_assessment(id).await?;
    let assessment_current = assessment.as_ref().is_some_and(|a| a.valid_until > now);
    let professional_test = db.latest_professional_test(id).await?;
    let test = professional_test.as_ref().map(|t| (t.qualified, t.expires_at));
    let professional = professional_now(test, customer.professional, now);
    let age = age_on(customer.birth_date, book::trading_day(now));
    Ok(Profile { assessment, assessment_current, professional_test, professional, age })
}

/// The customer a principal may act for in suitability: their own record,
/// or one in a staff member's scope.
async fn customer_for(db: &Db, principal: &Principal, id: CustomerId) -> Result<CustomerDetail, Error> {
    customers::record(db, principal, id).await
}

/// Takes the questionnaire for a customer: scored, stored with its answers
/// and version, made their risk level and horizon in the book, audited, and
/// the points it earns (once a day) posted in the same unit of work.
pub async fn take_questionnaire(
    db: &Db,
    principal: &Principal,
    customer: CustomerId,
    answers: &Answers,
    earning: &growth::earning::EarningRules,
) -> Result<AssessmentRow, Error> {
    customer_for(db, principal, customer).await?;
    if principal.role == Role::Compliance || principal.role == Role::Admin {
        return Err(codes::QUESTIONNAIRE_ROLES.refuse().with("who", principal.role.as_str()).into());
    }
    record_answers_earning(db, &principal.actor(), customer, answers, Some(earning)).await
}

/// Scores and stores a customer's answers as `actor` (see [`take_questionnaire`]).
pub async fn record_answers(
    db: &Db,
    actor: &str,
    customer: CustomerId,
    answers: &Answers,
) -> Result<AssessmentRow, Error> {
    record_answers_earning(db, actor, customer, answers, None).await
}

async fn record_answers_earning(
    db: &Db,
    actor: &str,
    customer: CustomerId,
    answers: &Answers,
    earning: Option<&growth::earning::EarningRules>,
) -> Result<AssessmentRow, Error> {
    let q = questionnaire();
    let scored = q.score(answers)?;
    let answers_json = serde_json::to_string(&scored.answers).expect("answers serialize");
    let mut unit = db.begin().await?;
    let valid_until = q.valid_until(unit.now());
    let id = unit
        .record_assessment(
            customer,
            &scored.version,
            &answers_json,
            scored.score,
            scored.class,
            scored.horizon,
            &scored.varieties,
            valid_until,
            actor,
        )
        .await?;
    unit.audit(AuditEntry {
        actor: actor.to_owned(),
        action: "risk_assessment".into(),
        entity: "customers".into(),
        entity_id: customer.to_string(),
        detail: serde_json::json!({
            "assessment": id, "version": scored.version, "score": scored.score, "class": scored.class,
            "horizon": scored.horizon, "varieties": scored.varieties, "answers": scored.answers,
        })
        .to_string(),
    })
    .await?;
    if let Some(rules) = earning {
        // Taken again the same day: the same transfer, which moves nothing more.
        let day = domain::to_shanghai(unit.now()).date_naive();
        crate::growth::earn_in(&mut unit, rules, &growth::earning::Activity::Questionnaire { customer, day }).await?;
    }
    unit.commit().await?;
    db.latest_assessment(customer).await?.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse().into())
}

/// What staff declare for a professional investor test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Financial assets held elsewhere, CNY.
    pub assets_elsewhere: Decimal,
    /// Average yearly income over three years, CNY.
    pub income_3y: Decimal,
    /// Months of relevant work.
    pub work_months: u32,
    /// The documents that show them.
    pub documents: String,
}

/// Staff test a customer as a professional investor, from the book (assets
/// here, months since market entry) and what was declared; stored with the
/// evidence and an expiry, audited.
pub async fn test_professional(
    db: &Db,
    principal: &Principal,
    customer: CustomerId,
    declared: &Declared,
) -> Result<(ProfessionalTest, ProfessionalRow), Error> {
    crate::tasks::staff_only(principal)?;
    let c = customer_for(db, principal, customer).await?;
    let today = book::trading_day(db.now());
    let documents = domain::Note::parse(&declared.documents)?;
    let evidence = Evidence {
        assets_here: c.summary.assets,
        assets_elsewhere: declared.assets_elsewhere,
        income_3y: declared.income_3y,
        experience_months: months_between(c.market_entry_date, today),
        work_months: declared.work_months,
        documents: documents.to_string(),
    };
    let outcome = professional::test(&evidence);
    let detail = serde_json::json!({ "evidence": evidence, "outcome": outcome });
    let mut unit = db.begin().await?;
    let expires = unit.now().checked_add_months(Months::new(professional::VALID_MONTHS)).expect("in range");
    unit.record_professional_test(customer, outcome.qualified, &detail.to_string(), expires, &principal.actor())
        .await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "professional_test".into(),
        entity: "customers".into(),
        entity_id: customer.to_string(),
        detail: detail.to_string(),
    })
    .await?;
    unit.commit().await?;
    let row = db.latest_professional_test(customer).await?.expect("just stored");
    Ok((outcome, row))
}

/// Whole months from `from` to `today`.
fn months_between(from: NaiveDate, today: NaiveDate) -> u32 {
    let mut m = 0u32;
    while from.checked_add_months(Months::new(m + 1)).is_some_and(|d| d <= today) {
        m += 1;
    }
    m
}

/// Checks a customer's permissions for the STAR Market, ChiNext and the
/// Beijing Stock Exchange from the book: the daily assets of the previous
/// 20 trading days (rebuilt from today's holdings and cash by undoing the
/// trades and cash flows since) and the months since the first trade. Each
/// check is stored with its evidence and audited (staff, or the customer
/// asking for their own).
pub async fn check_permissions(
    db: &Db,
    principal: &Principal,
    customer: CustomerId,
) -> Result<Vec<advice::permissions::PermissionCheck>, Error> {
    use advice::permissions::{self, Movement};
    use std::collections::HashMap;
    let c = customer_for(db, principal, customer).await?;
    let calendar = market::TradingCalendar::current();
    let today = book::trading_day(db.now());
    let mut days = Vec::with_capacity(permissions::DAYS);
    let mut day = today;
    for _ in 0..permissions::DAYS {
        day = calendar.previous_trading_day(day);
        days.push(day);
    }
    let (first, last) = (*days.last().expect("20 days"), days[0]);
    let midnight = first.and_hms_opt(0, 0, 0).expect("midnight");
    let since = midnight.and_local_timezone(domain::shanghai()).single().expect("a fixed offset").with_timezone(&Utc);
    let movements: Vec<Movement> = db
        .movements_since(customer, since)
        .await?
        .into_iter()
        .map(|m| Movement {
            day: book::trading_day(m.time),
            instrument: m.instrument,
            quantity: m.quantity,
            cash: domain::FixedPoint::from_fixed(m.cash),
        })
        .collect();
    let mut holdings: HashMap<String, i64> = HashMap::new();
    for p in &c.positions {
        *holdings.entry(p.instrument.clone()).or_insert(0) += p.quantity;
    }
    let mut instruments: Vec<String> = holdings.keys().cloned().collect();
    for m in &movements {
        if let Some(code) = m.instrument.as_ref().filter(|c| !instruments.contains(c)) {
            instruments.push(code.clone());
        }
    }
    let (bars, before) = db.closes_of(&instruments, first, last).await?;
    let closes: HashMap<(String, NaiveDate), Decimal> =
        bars.into_iter().map(|(code, d, close)| ((code, d), domain::FixedPoint::from_fixed(close))).collect();
    let before: HashMap<String, Decimal> =
        before.into_iter().map(|(code, close)| (code, domain::FixedPoint::from_fixed(close))).collect();
    let daily = permissions::daily_assets(&holdings, c.cash, &movements, &days, &closes, &before);
    let experience = months_between(c.market_entry_date, today);
    let mut checks = Vec::new();
    let mut unit = db.begin().await?;
    for board in domain::RestrictedBoard::ALL {
        let check = permissions::check(*board, daily.clone(), experience);
        let evidence = serde_json::to_string(&check).expect("a check serializes");
        unit.record_permission(customer, *board, check.granted, &evidence, &principal.actor()).await?;
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "trading_permission".into(),
            entity: "customers".into(),
            entity_id: customer.to_string(),
            detail: serde_json::json!({
                "board": board, "granted": check.granted, "average_assets": check.average_assets.to_string(),
                "experience_months": experience,
            })
            .to_string(),
        })
        .await?;
        checks.push(check);
    }
    unit.commit().await?;
    Ok(checks)
}

/// Whether a customer may trade on a board: their last check granted it
/// (the order ticket's check; boards without a permission are always open).
pub async fn may_trade_on(db: &Db, customer: CustomerId, board: domain::Board) -> Result<bool, Error> {
    let Some(restricted) = domain::RestrictedBoard::of(board) else { return Ok(true) };
    Ok(db.permissions(customer).await?.iter().any(|p| p.board == restricted && p.granted))
}

/// The catalogue: what is on sale (staff see closed products too).
pub async fn products(db: &Db, principal: &Principal) -> Result<Vec<ProductRow>, Error> {
    Ok(db.products(principal.role == Role::Customer).await?)
}

/// One product; a customer's view of it is counted for the funnel.
pub async fn product(db: &Db, principal: &Principal, id: ProductId) -> Result<ProductRow, Error> {
    let p = db.product(id).await?.ok_or_else(|| Error::from(codes::PRODUCT_NOT_FOUND.refuse()))?;
    if let (Role::Customer, Some(c)) = (principal.role, principal.customer_id) {
        if p.state == ProductState::Closed {
            return Err(codes::PRODUCT_NOT_FOUND.refuse().into());
        }
        db.record_product_view(id, c).await?;
    }
    Ok(p)
}

/// Adds a product to the catalogue (administrators), audited.
pub async fn add_product(db: &Db, principal: &Principal, p: &store::NewProduct) -> Result<ProductId, Error> {
    if principal.role != Role::Admin {
        return Err(codes::ADMIN_ONLY.refuse().with("what", "products").into());
    }
    add_product_as(db, &principal.actor(), p).await
}

/// Adds a product to the catalogue as `actor`, audited.
pub async fn add_product_as(db: &Db, actor: &str, p: &store::NewProduct) -> Result<ProductId, Error> {
    use domain::FixedPoint;
    p.price.to_fixed("price")?;
    p.minimum.to_fixed("minimum")?;
    let mut unit = db.begin().await?;
    let id = unit.insert_product(p).await?;
    unit.audit(AuditEntry {
        actor: actor.to_owned(),
        action: "add_product".into(),
        entity: "products".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "code": p.code, "risk": p.risk, "state": p.state }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(id)
}

/// Opens or closes a product to purchases (administrators), audited.
pub async fn set_product_state(
    db: &Db,
    principal: &Principal,
    id: ProductId,
    state: ProductState,
) -> Result<(), Error> {
    if principal.role != Role::Admin {
        return Err(codes::ADMIN_ONLY.refuse().with("what", "products").into());
    }
    let mut unit = db.begin().await?;
    if !unit.set_product_state(id, state).await? {
        return Err(codes::PRODUCT_NOT_FOUND.refuse().into());
    }
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "product_state".into(),
        entity: "products".into(),
        entity_id: id.to_string(),
        detail: serde_json::json!({ "state": state }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(())
}

/// What the gate says of a customer and a product, before any purchase.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in both languages.
    pub reasons: Vec<ReasonText>,
    /// Whether the questionnaire must be taken (again) first.
    pub questionnaire_required: bool,
}

fn check_of(profile: &Profile, product: &ProductRow) -> (Option<Judgement>, Check) {
    match profile.investor() {
        None => (None, Check { verdict: Verdict::Refused, reasons: Vec::new(), questionnaire_required: true }),
        Some(investor) => {
            let j = judge(&investor, &terms(product));
            let check = Check { verdict: j.verdict, reasons: j.texts(), questionnaire_required: false };
            (Some(j), check)
        }
    }
}

/// The gate's verdict for a customer and a product, without buying.
pub async fn check(db: &Db, principal: &Principal, customer: CustomerId, product: ProductId) -> Result<Check, Error> {
    let c = customer_for(db, principal, customer).await?;
    let p = db.product(product).await?.ok_or_else(|| Error::from(codes::PRODUCT_NOT_FOUND.refuse()))?;
    Ok(check_of(&profile(db, &c).await?, &p).1)
}

/// A purchase asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRequest {
    /// Whose.
    pub customer: CustomerId,
    /// Of what.
    pub product: ProductId,
    /// How much, CNY.
    pub amount: Decimal,
    /// The investor confirms the warning they were shown.
    pub confirmed: bool,
}

/// A purchase made.
#[derive(Debug, Clone, Serialize)]
pub struct Purchased {
    /// Its id.
    pub id: PurchaseId,
    /// The gate's verdict.
    pub verdict: Verdict,
    /// Why, in both languages.
    pub reasons: Vec<ReasonText>,
    /// Confirmed after a warning.
    pub confirmed: bool,
    /// The return visit set for the advisor (enhanced care), if one.
    pub return_visit: Option<TaskId>,
}

/// Days after an elderly customer's risky purchase by which the advisor visits back.
const RETURN_VISIT_DAYS: i64 = 2;

/// Buys a product (on paper) through the gate: the customer for themself,
/// or their advisor or manager on their behalf. An expired questionnaire
/// is asked again first; a refusal, and a warning not yet confirmed, are
/// logged and audited and answered with their reasons; a purchase is
/// recorded with its step of the gate, and an elderly customer's purchase
/// above R3 sets a return visit for the advisor.
pub async fn purchase(db: &Db, principal: &Principal, request: &PurchaseRequest) -> Result<Purchased, Error> {
    if matches!(principal.role, Role::Compliance | Role::Admin)
        || (principal.role == Role::Customer && principal.customer_id != Some(request.customer))
    {
        return Err(codes::PURCHASE_ROLES.refuse().with("who", principal.role.as_str()).into());
    }
    let c = customer_for(db, principal, request.customer).await?;
    let p = db.product(request.product).await?.ok_or_else(|| Error::from(codes::PRODUCT_NOT_FOUND.refuse()))?;
    if p.state == ProductState::Closed {
        return Err(codes::PRODUCT_CLOSED.refuse().into());
    }
    if request.amount <= Decimal::ZERO || request.amount < p.minimum {
        return Err(codes::BELOW_MINIMUM.refuse().on("amount").with("minimum", p.minimum.round_dp(2)).into());
    }
    let profile = profile(db, &c).await?;
    let (judgement, check) = check_of(&profile, &p);
    let Some(judgement) = judgement else {
        let until = profile.assessment.as_ref().map(|a| domain::to_shanghai(a.valid_until).date_naive().to_string());
        return Err(codes::QUESTIONNAIRE_REQUIRED
            .refuse()
            .with("until", until.unwrap_or_else(|| "none".into()))
            .into());
    };
    let step = match (judgement.verdict, request.confirmed) {
        (Verdict::Refused, _) => "refused",
        (Verdict::NeedsConfirmation, false) => "warned",
        (Verdict::NeedsConfirmation, true) => "confirmed",
        (Verdict::Allowed, _) => "allowed",
    };
    let assessment = profile.assessment.as_ref().filter(|_| profile.assessment_current);
    let reasons = serde_json::to_string(&check.reasons).expect("reasons serialize");
    let mut unit = db.begin().await?;
    let record = unit
        .audit(AuditEntry {
            actor: principal.actor(),
            action: format!("suitability_{step}"),
            entity: "customers".into(),
            entity_id: request.customer.to_string(),
            detail: serde_json::json!({
                "product": p.id, "code": p.code, "risk": p.risk, "amount": request.amount.to_string(),
                "verdict": judgement.verdict, "reasons": judgement.reasons.iter().map(|r| r.code()).collect::<Vec<_>>(),
                "professional": profile.professional,
                "assessment": assessment.map(|a| a.id), "version": assessment.map(|a| &a.version),
                "score": assessment.map(|a| a.score), "class": assessment.map(|a| a.class),
                "answers": assessment.map(|a| serde_json::from_str::<serde_json::Value>(&a.answers).unwrap_or_default()),
            })
            .to_string(),
        })
        .await?;
    let log_id = unit
        .log_gate_step(&GateStep {
            customer_id: request.customer,
            product_id: p.id,
            actor: principal.actor(),
            step,
            verdict: judgement.verdict,
            reasons,
            assessment_id: assessment.map(|a| a.id),
            audit_seq: record.seq,
        })
        .await?;
    let said = |locale| judgement.said(locale);
    match step {
        "refused" | "warned" => {
            // The refusal or warning is on the record before it is answered.
            unit.commit().await?;
            let code = if step == "refused" { codes::UNSUITABLE } else { codes::CONFIRMATION_REQUIRED };
            return Err(code
                .refuse()
                .with("reasons_zh", said(messages::Locale::Zh))
                .with("reasons_en", said(messages::Locale::En))
                .into());
        }
        _ => {}
    }
    let id = unit
        .insert_purchase(
            request.customer,
            p.id,
            request.amount,
            &principal.actor(),
            judgement.verdict,
            request.confirmed,
            log_id,
        )
        .await?;
    let elderly = judgement.reasons.iter().any(|r| matches!(r, advice::Reason::ElderlyAboveR3 { .. }));
    let return_visit = if elderly {
        let due = unit.now() + chrono::Duration::days(RETURN_VISIT_DAYS);
        let title = format!("回访 Return visit: {} ({}), bought by a customer aged {}", p.name, p.risk, profile.age);
        Some(unit.add_task(request.customer, TaskKind::FollowUp, &title, Some(due)).await?)
    } else {
        None
    };
    unit.commit().await?;
    Ok(Purchased { id, verdict: judgement.verdict, reasons: check.reasons, confirmed: request.confirmed, return_visit })
}

/// A recommended product with why.
#[derive(Debug, Clone, Serialize)]
pub struct Recommended {
    /// The product.
    pub product: ProductRow,
    /// Why it is recommended.
    pub because: Because,
}

/// Labels of a customer by dimension, if classified.
async fn known_labels(db: &Db, customer: CustomerId) -> Result<Vec<(String, String)>, Error> {
    let stored = db.stored_labels(customer, customer).await?;
    match stored.first() {
        Some(s) => Ok(crate::classify::stored_pairs(s)?),
        None => Ok(Vec::new()),
    }
}

/// Recommendations for a customer: suitable products on sale only, ranked
/// by what classification knows. None until the customer can be judged
/// (a current questionnaire, or a professional investor).
pub async fn recommendations(db: &Db, principal: &Principal, customer: CustomerId) -> Result<Vec<Recommended>, Error> {
    let c = customer_for(db, principal, customer).await?;
    let profile = profile(db, &c).await?;
    let Some(investor) = profile.investor() else { return Ok(Vec::new()) };
    let catalogue = db.products(true).await?;
    Ok(rank(&investor, &known_labels(db, customer).await?, &catalogue))
}

/// Ranks the catalogue for one investor.
pub fn rank(investor: &Investor, labels: &[(String, String)], catalogue: &[ProductRow]) -> Vec<Recommended> {
    let label = |d: &str| labels.iter().find(|(k, _)| k == d).map_or("", |(_, v)| v.as_str());
    let known = Known {
        experience: label("experience"),
        track_record: label("track_record"),
        service_tier: label("service_tier"),
    };
    let offers: Vec<Offer> = catalogue.iter().map(|p| Offer { id: p.id, terms: terms(p), ladder: p.ladder }).collect();
    recommend::recommend(investor, known, &offers)
        .into_iter()
        .filter_map(|r| {
            catalogue.iter().find(|p| p.id == r.product).map(|p| Recommended { product: p.clone(), because: r.because })
        })
        .collect()
}

/// A customer's suitability as their page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Suitability {
    /// The profile.
    pub profile: Profile,
    /// Recommendations.
    pub recommendations: Vec<Recommended>,
    /// The gate's trail, newest first.
    pub trail: Vec<store::GateLogRow>,
    /// Purchases, newest first.
    pub purchases: Vec<store::PurchaseRow>,
    /// Board permissions as last checked.
    pub permissions: Vec<store::PermissionRow>,
}

/// Steps of the trail shown.
const TRAIL_SHOWN: i64 = 50;

/// A customer's suitability: profile, recommendations, trail, purchases, permissions.
pub async fn suitability(db: &Db, principal: &Principal, customer: CustomerId) -> Result<Suitability, Error> {
    let c = customer_for(db, principal, customer).await?;
    suitability_of(db, &c).await
}

/// The suitability of a customer whose record the caller has read already
/// (through the scope, as [`suitability`] reads it).
pub async fn suitability_of(db: &Db, c: &CustomerDetail) -> Result<Suitability, Error> {
    let customer = c.summary.id;
    let profile = profile(db, c).await?;
    let recommendations = match profile.investor() {
        Some(investor) => rank(&investor, &known_labels(db, customer).await?, &db.products(true).await?),
        None => Vec::new(),
    };
    Ok(Suitability {
        profile,
        recommendations,
        trail: db.gate_log(customer, TRAIL_SHOWN).await?,
        purchases: db.purchases(customer).await?,
        permissions: db.permissions(customer).await?,
    })
}

/// The products a text names, by code or by name.
pub fn products_named<'a>(text: &str, catalogue: &'a [ProductRow]) -> Vec<&'a ProductRow> {
    catalogue.iter().filter(|p| text.contains(&p.code) || text.contains(&p.name)).collect()
}

/// Before an advisor's message goes to a group: a product rated R4 or R5
/// may be named only in content compliance has reviewed; another product
/// named is judged for every member, and unless the advisor confirms, the
/// count of members for whom it is unsuitable is answered first.
pub async fn group_message_check(db: &Db, group: domain::GroupId, text: &str, confirmed: bool) -> Result<(), Error> {
    let catalogue = db.products(false).await?;
    let named = products_named(text, &catalogue);
    if named.is_empty() {
        return Ok(());
    }
    if let Some(risky) = named.iter().find(|p| p.risk.rank() > 3) {
        return Err(codes::RISKY_PRODUCT_IN_CHAT
            .refuse()
            .on("text")
            .with("product", &risky.name)
            .with("risk", risky.risk)
            .into());
    }
    if confirmed {
        return Ok(());
    }
    let members = db.group_investors(group).await?;
    let now = db.now();
    for p in named {
        let unsuitable = members.iter().filter(|m| !member_suits(m, p, now)).count();
        if unsuitable > 0 {
            return Err(codes::UNSUITABLE_FOR_MEMBERS
                .refuse()
                .with("count", unsuitable)
                .with("members", members.len())
                .with("product", &p.name)
                .into());
        }
    }
    Ok(())
}

/// The investor a stored customer is, now: judged by their current
/// questionnaire, or (`book_fallback`) without one by the book's risk level
/// and horizon; None when neither will do.
fn stored_investor(m: &store::StoredInvestor, now: DateTime<Utc>, book_fallback: bool) -> Option<Investor> {
    let age = Some(age_on(m.birth_date, book::trading_day(now)));
    let professional = professional_now(m.professional_test, m.professional, now);
    match &m.assessed {
        Some((class, horizon, varieties, until)) if *until > now => Some(Investor {
            class: *class,
            professional,
            horizon: Some(*horizon),
            varieties: Some(varieties.clone()),
            age,
        }),
        _ if professional => Some(Investor {
            class: InvestorClass::from_risk_level(m.risk_level),
            professional,
            horizon: None,
            varieties: None,
            age,
        }),
        _ if book_fallback => Some(Investor {
            class: InvestorClass::from_risk_level(m.risk_level),
            professional,
            horizon: Some(m.horizon),
            varieties: None,
            age,
        }),
        _ => None,
    }
}

/// Whether a product suits a member without a warning.
fn member_suits(m: &store::StoredInvestor, p: &ProductRow, now: DateTime<Utc>) -> bool {
    suits(m, &terms(p), now)
}

/// Whether terms suit a stored customer without a warning: judged by their
/// current questionnaire, or without one by the book's risk level.
pub fn suits(m: &store::StoredInvestor, terms: &ProductTerms, now: DateTime<Utc>) -> bool {
    stored_investor(m, now, true).is_some_and(|investor| judge(&investor, terms).verdict == Verdict::Allowed)
}

/// The first recommendation for each of these customers (those who can be
/// judged), read in bulk: for the advisor's weekly plan.
pub async fn first_recommendations(
    db: &Db,
    customers: &[CustomerId],
) -> Result<std::collections::HashMap<CustomerId, Recommended>, Error> {
    let now = db.now();
    let catalogue = db.products(true).await?;
    let mut out = std::collections::HashMap::new();
    if catalogue.is_empty() || customers.is_empty() {
        return Ok(out);
    }
    let labels: std::collections::HashMap<CustomerId, String> = db.labels_of(customers).await?.into_iter().collect();
    for m in db.investors(customers).await? {
        let Some(investor) = stored_investor(&m, now, false) else { continue };
        let pairs = match labels.get(&m.customer_id) {
            Some(json) => crate::classify::label_pairs(m.customer_id, json)?,
            None => Vec::new(),
        };
        if let Some(first) = rank(&investor, &pairs, &catalogue).into_iter().next() {
            out.insert(m.customer_id, first);
        }
    }
    Ok(out)
}

/// Exceptions listed at most.
const EXCEPTIONS_SHOWN: i64 = 200;

/// The gate's refusals, warnings and confirmations in the viewer's scope,
/// newest first: what compliance reviews (staff only).
pub async fn exceptions(db: &Db, principal: &Principal) -> Result<Vec<store::GateException>, Error> {
    crate::tasks::staff_only(principal)?;
    Ok(db.gate_exceptions(principal.scope(), EXCEPTIONS_SHOWN).await?)
}

/// The funnel (content read, product viewed, purchased) by product, advisor
/// and group: staff of the firm only (an advisor reads their own lines).
pub async fn funnel(db: &Db, principal: &Principal) -> Result<Vec<store::FunnelRow>, Error> {
    crate::tasks::staff_only(principal)?;
    let mut rows = db.funnel().await?;
    if principal.role == Role::Advisor {
        let Some(me) = principal.staff_id else { return Ok(Vec::new()) };
        let own_groups: Vec<i64> = db.groups_run_by(me).await?.iter().map(|g| g.id.0).collect();
        rows.retain(|r| match r.by.as_str() {
            "advisor" => r.by_id == me.0,
            "group" => own_groups.contains(&r.by_id),
            _ => false,
        });
    }
    Ok(rows)
}

/// The catalogue the demo ships: both rungs of the advisory ladder (the
/// short, cheap beginner product and the long professional one), funds from
/// money market to growth, and a structured product rated R5.
pub fn demo_catalogue() -> Vec<store::NewProduct> {
    use domain::{Horizon as H, Ladder as L, ProductKind as K, ProductRisk as R, Variety as V};
    let product = |code: &str,
                   name: &str,
                   kind,
                   risk,
                   horizon,
                   variety,
                   ladder,
                   price: i64,
                   term_days,
                   minimum: i64,
                   description: &str| {
        store::NewProduct {
            id: ProductId(0),
            code: code.into(),
            name: name.into(),
            kind,
            risk,
            horizon,
            variety,
            ladder,
            price: Decimal::from(price),
            term_days,
            minimum: Decimal::from(minimum),
            state: ProductState::OnSale,
            description: description.into(),
        }
    };
    vec![
        product("ADV-START", "启航投顾 Starter advisory", K::Advisory, R::R2, H::Short, V::Stocks, Some(L::Beginner), 99, 90, 99,
            "三个月的入门投顾：每周市场解读、选股方法与风险提示。Three months of weekly market notes, how to pick stocks, and risk reminders."),
        product("ADV-PRO", "领航专业投顾 Professional advisory", K::Advisory, R::R4, H::Long, V::Stocks, Some(L::Professional), 19_800, 365, 19_800,
            "一年期专业投顾：组合建议、调仓提示与投顾一对一服务。A year of portfolio advice, rebalancing calls and one-to-one service."),
        product("FUND-MMF", "稳盈货币基金 Money market fund", K::Fund, R::R1, H::Short, V::Funds, None, 0, 1, 1,
            "随时申赎的货币基金。A money market fund, redeemable any day."),
        product("FUND-BOND", "恒信纯债基金 Pure bond fund", K::Fund, R::R2, H::Medium, V::Bonds, None, 0, 180, 1_000,
            "投资于国债与高等级信用债。Government and high-grade credit bonds."),
        product("FUND-CSI300", "沪深300指数基金 CSI 300 index fund", K::Fund, R::R3, H::Long, V::Funds, None, 0, 365, 1_000,
            "跟踪沪深300指数。Tracks the CSI 300 index."),
        product("FUND-GROWTH", "成长优选混合基金 Growth mixed fund", K::Fund, R::R4, H::Medium, V::Funds, None, 0, 365, 1_000,
            "偏股混合基金，波动较大。A stock-heavy mixed fund; its price swings widely."),
        product("WEALTH-SNOW", "雪球结构化收益凭证 Snowball note", K::Wealth, R::R5, H::Medium, V::Derivatives, None, 0, 365, 1_000_000,
            "挂钩中证500指数的雪球结构，可能损失全部本金。A snowball note on the CSI 500 index; the whole principal can be lost."),
    ]
}

/// The demo's suitability: the catalogue, and a questionnaire taken by the
/// demo customer (a steady investor of a few years: C3, medium horizon,
/// stocks and funds). The products added.
pub async fn set_up_demo(db: &Db, customer: Option<CustomerId>) -> Result<usize, Error> {
    let catalogue = demo_catalogue();
    for p in &catalogue {
        add_product_as(db, "system:demo", p).await?;
    }
    if let Some(customer) = customer {
        let pick = |id: &str, option: &str| (id.to_owned(), vec![option.to_owned()]);
        let answers: Answers = [
            pick("income_source", "c"),
            pick("income", "b"),
            pick("share_invested", "b"),
            pick("experience", "c"),
            pick("knowledge", "b"),
            pick("goal", "c"),
            pick("loss_borne", "b"),
            pick("drawdown", "c"),
            pick("horizon", "b"),
            ("varieties".to_owned(), vec!["b".to_owned(), "c".to_owned()]),
        ]
        .into_iter()
        .collect();
        record_answers(db, "system:demo", customer, &answers).await?;
    }
    Ok(catalogue.len())
}
