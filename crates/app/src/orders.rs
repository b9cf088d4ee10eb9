//! Order tools (issue 26): a ticket judged by every pre-trade check against
//! the stored book and today's quotes, stored with its findings (blocked and
//! confirmed tickets are the errors prevented), paper-executed against
//! snapshots on the one event path (fills are trades, so positions, cash
//! and the watch follow), and conditional orders fired by quotes in
//! continuous trading, each firing a ticket through the same checks.

use crate::book::Booked;
use crate::{codes, Error};
use access::{AuditEntry, Principal, Role};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{ConditionalId, CustomerId, FixedPoint, Instrument, InstrumentCode, InstrumentKind, Money, OrderId, Side};
use orders::checks::verdict;
use orders::conditional::{Condition, ConditionKind, ConditionalOrder, TriggerBook};
use orders::paper::{match_quote, settle, PaperAccount, WorkingOrder};
use orders::{AccountFacts, CheckSettings, Finding, Fixed, InstrumentFacts, Moment, OrderType, Severity, Ticket};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::{ConditionalRow, Db, NewConditional, NewOrder, OrderAccount, OrderRow};
use tokio::sync::Mutex;

/// Paper trades' ids: above any brokerage's, one per order and fill (order id x 10^6 + filled before).
pub const PAPER_TRADE_BASE: i64 = 7_000_000_000_000_000_000;

/// A ticket as a person sends it (the API's body, the page's form).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TicketRequest {
    /// The account.
    pub account_id: i64,
    /// Instrument code, e.g. 600519.SH.
    pub instrument: String,
    /// `buy` or `sell`.
    pub side: String,
    /// `limit` (default) or `market`.
    #[serde(default)]
    pub order_type: Option<String>,
    /// The limit price, or a market order's protection price.
    #[serde(default)]
    pub price: Option<String>,
    /// Shares (or bond units).
    pub quantity: i64,
    /// Where the ticket was opened: ticket, instrument, position, reminder.
    #[serde(default)]
    pub source: Option<String>,
    /// The reminder it was opened from.
    #[serde(default)]
    pub reminder_id: Option<i64>,
}

/// A finding as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingView {
    /// Rule code.
    pub rule: &'static str,
    /// `block`, `confirm` or `warn`.
    pub severity: &'static str,
    /// In Chinese.
    pub message_zh: String,
    /// In English.
    pub message_en: String,
}

/// A finding in both languages.
pub fn view(f: &Finding) -> FindingView {
    let key = format!("check-{}", f.rule.code());
    FindingView {
        rule: f.rule.code(),
        severity: f.severity.as_str(),
        message_zh: messages::Locale::Zh.t_with(&key, &f.args.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()),
        message_en: messages::Locale::En.t_with(&key, &f.args.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()),
    }
}

/// A stored finding in both languages.
pub fn stored_view(rule: &str, severity: &str, args: &str) -> FindingView {
    let parsed: Vec<(String, String)> = serde_json::from_str(args).unwrap_or_default();
    let args: Vec<(&str, String)> = parsed.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let key = format!("check-{rule}");
    let rule = orders::Rule::of_code(rule).map_or("unknown", |r| r.code());
    FindingView {
        rule,
        severity: match severity {
            "block" => "block",
            "confirm" => "confirm",
            _ => "warn",
        },
        message_zh: messages::Locale::Zh.t_with(&key, &args),
        message_en: messages::Locale::En.t_with(&key, &args),
    }
}

/// What the checks made of a ticket, and the order stored for it.
#[derive(Debug, Clone, Serialize)]
pub struct Placed {
    /// The order (none for a check only).
    pub id: Option<OrderId>,
    /// `blocked`, `unconfirmed` or `working` (`checked` for a check only).
    pub status: &'static str,
    /// Every finding.
    pub findings: Vec<FindingView>,
    /// The fees the order would pay at its price, CNY.
    pub fee: Money,
}

fn field(name: &'static str, reason: impl std::fmt::Display) -> Error {
    codes::ORDER_FIELD.refuse().on(name).with("reason", reason).into()
}

/// A ticket's fields, read.
pub fn read_ticket(r: &TicketRequest) -> Result<Ticket, Error> {
    let instrument = InstrumentCode::parse(&r.instrument).map_err(|e| field("instrument", e))?;
    let side: Side = r.side.parse().map_err(|e| field("side", e))?;
    let order_type: OrderType =
        r.order_type.as_deref().unwrap_or("limit").parse().map_err(|e: String| field("order_type", e))?;
    let price = match r.price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            let m: Money = p.parse().map_err(|_| field("price", format!("'{p}' is not a price")))?;
            m.to_fixed("price").map_err(|e| field("price", e))?
        }
        None if order_type == OrderType::Market => 0,
        None => return Err(field("price", "a limit order needs a price")),
    };
    Ok(Ticket { instrument, side, order_type, quantity: r.quantity, price })
}

/// The account a principal may send orders for.
pub async fn account_for(db: &Db, principal: &Principal, account: i64) -> Result<OrderAccount, Error> {
    if matches!(principal.role, Role::Admin | Role::Compliance) {
        return Err(codes::ORDER_ROLES.refuse().with("who", principal.role.as_str()).into());
    }
    let a = db.order_account(account).await?.ok_or_else(|| codes::ACCOUNT_NOT_FOUND.refuse().on("account_id"))?;
    let visible = db.customer_name_in_scope(CustomerId(a.customer_id), principal.scope()).await?.is_some();
    if !visible {
        return Err(codes::ACCOUNT_NOT_FOUND.refuse().on("account_id").into());
    }
    Ok(a)
}

/// The trading day and local time of a moment.
pub fn moment_of(now: DateTime<Utc>) -> Moment {
    let local = domain::to_shanghai(now);
    Moment { day: local.date_naive(), time: local.time() }
}

/// The start (UTC) of the Shanghai day of a moment.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(8)
}

/// What the checks know of an instrument on the day of `now`.
pub async fn instrument_facts(
    db: &Db,
    code: &InstrumentCode,
    now: DateTime<Utc>,
) -> Result<(Instrument, InstrumentFacts), Error> {
    let i = db.instrument(code).await?.ok_or_else(|| codes::INSTRUMENT_NOT_FOUND.refuse().on("instrument"))?;
    let at = moment_of(now);
    let quote = db.latest_quote(&code.to_string(), day_start(at.day)).await?;
    let calendar = market::TradingCalendar::current();
    let listing_day = calendar.trading_days_between(i.list_date, at.day);
    let delisting_day =
        i.delisting_from.filter(|from| *from <= at.day).map(|from| calendar.trading_days_between(from, at.day));
    let close = i.last_close.to_fixed("last_close").unwrap_or(0);
    let facts = InstrumentFacts {
        board: i.board,
        kind: i.kind,
        st: i.st,
        delisting: i.name.contains('退') || delisting_day.is_some(),
        delisting_day,
        listing_day,
        previous_close: quote.map_or(close, |q| q.1),
        last: quote.map_or(0, |q| q.0),
        outstanding_shares: i.outstanding_shares,
        fund: i.fund_class,
    };
    Ok((i, facts))
}

/// What the checks know of an account for a ticket on `instrument`.
pub async fn account_facts(
    db: &Db,
    a: &OrderAccount,
    instrument: &Instrument,
    settings: &CheckSettings,
    day: NaiveDate,
) -> Result<AccountFacts, Error> {
    let mut tx = db.begin().await?;
    let held = tx.holdings_of(&[a.account_id]).await?;
    drop(tx);
    let h = held.get(&(a.account_id, instrument.code.to_string())).copied().unwrap_or(book::Holding::NONE);
    let customer = CustomerId(a.customer_id);
    let level = usize::try_from(a.risk_level.clamp(1, 5) - 1).unwrap_or(0);
    let risk = crate::ideas::risk_floor(instrument);
    let (signed, bought) = if instrument.st {
        (
            db.disclosure_signed(a.customer_id, "st").await?,
            db.bought_since(a.account_id, &instrument.code.to_string(), day_start(day)).await?,
        )
    } else {
        (true, 0)
    };
    Ok(AccountFacts {
        cash: a.cash,
        held: h.quantity,
        sellable: h.sellable_on(day),
        assets: a.assets,
        concentration_limit_bp: settings.concentration_bp[level],
        board_permitted: crate::advice::may_trade_on(db, customer, instrument.board).await?,
        above_tolerance: (i32::from(risk.rank()) > a.risk_level)
            .then(|| (format!("C{}", a.risk_level), risk.to_string())),
        st_disclosure_signed: signed,
        bought_today: bought,
    })
}

/// The fee a ticket would pay at its price (or the reference).
fn fee_of(t: &Ticket, facts: &InstrumentFacts, settings: &CheckSettings) -> Money {
    let price = if t.price > 0 { t.price } else { facts.reference() };
    orders::money(settings.fees.fee(facts.kind, t.side, price.saturating_mul(t.quantity.max(0))))
}

/// Judges a ticket with no account (the rules of the instrument and the moment only).
pub async fn check_instrument_only(
    db: &Db,
    ticket: &Ticket,
    settings: &CheckSettings,
    now: DateTime<Utc>,
) -> Result<Placed, Error> {
    let (_, facts) = instrument_facts(db, &ticket.instrument, now).await?;
    let findings = orders::check(ticket, &facts, None, moment_of(now), settings);
    Ok(Placed {
        id: None,
        status: "checked",
        fee: fee_of(ticket, &facts, settings),
        findings: findings.iter().map(view).collect(),
    })
}

/// The status a ticket's findings give it.
fn status_of(findings: &[Finding], confirmed: bool) -> &'static str {
    match verdict(findings) {
        Some(Severity::Block) => "blocked",
        Some(Severity::Confirm) if !confirmed => "unconfirmed",
        _ => "working",
    }
}

fn stored_findings(findings: &[Finding]) -> Vec<(String, String, String)> {
    findings
        .iter()
        .map(|f| {
            let args: Vec<(&str, &str)> = f.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            (f.rule.code().to_owned(), f.severity.as_str().to_owned(), serde_json::to_string(&args).unwrap_or_default())
        })
        .collect()
}

/// The paper exchange and the conditional orders, in memory, loaded from the store.
#[derive(Debug, Default)]
struct Exchange {
    loaded: bool,
    /// Working orders per instrument, in time priority.
    working: HashMap<String, Vec<WorkingOrder>>,
    /// The day's cumulative volume (lots) last seen per instrument.
    volumes: HashMap<String, (NaiveDate, Money)>,
    /// Conditional orders by trigger price.
    triggers: TriggerBook,
    /// Instruments' index in the trigger book, and back.
    index: HashMap<String, u32>,
    codes: Vec<String>,
    /// Board and kind per instrument seen.
    kinds: HashMap<String, (domain::Board, InstrumentKind, Option<domain::FundClass>)>,
}

impl Exchange {
    fn ix(&mut self, code: &str) -> u32 {
        if let Some(i) = self.index.get(code) {
            return *i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(code.to_owned());
        self.index.insert(code.to_owned(), i);
        i
    }
}

/// A snapshot as the order desk takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Instrument code.
    pub code: String,
    /// When.
    pub time: DateTime<Utc>,
    /// Last price.
    pub last: Money,
    /// The day's volume so far, lots.
    pub volume: Money,
}

/// A conditional order as a person places it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ConditionalRequest {
    /// The account.
    pub account_id: i64,
    /// Instrument code.
    pub instrument: String,
    /// price_trigger, rebound_buy, take_profit, stop_loss, trailing_stop, grid.
    pub kind: String,
    /// `buy` or `sell` (price triggers; the others know their side).
    #[serde(default)]
    pub side: Option<String>,
    /// Shares per firing.
    pub quantity: i64,
    /// The trigger price (price trigger, take-profit, stop-loss).
    #[serde(default)]
    pub price: Option<String>,
    /// Percent: the rebound (rebound buy), the trail (trailing stop), the step (grid).
    #[serde(default)]
    pub percent: Option<String>,
    /// Percent the price must fall first (rebound buy).
    #[serde(default)]
    pub fall_percent: Option<String>,
    /// A grid's lowest buy and highest sell.
    #[serde(default)]
    pub floor: Option<String>,
    /// A grid's highest sell.
    #[serde(default)]
    pub ceiling: Option<String>,
    /// The last day it may fire (at most a year ahead).
    pub valid_until: String,
}

fn price_field(name: &'static str, v: Option<&str>) -> Result<Fixed, Error> {
    let v = v.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| field(name, "required"))?;
    let m: Money = v.parse().map_err(|_| field(name, format!("'{v}' is not a price")))?;
    m.to_fixed(name).map_err(|e| field(name, e))
}

fn bp_field(name: &'static str, v: Option<&str>) -> Result<i64, Error> {
    let v = v.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| field(name, "required"))?;
    let m: Money = v.parse().map_err(|_| field(name, format!("'{v}' is not a percentage")))?;
    (m * Money::from(100)).round().try_into().map_err(|_| field(name, "out of range"))
}

/// The condition of a request, starting from the reference price `reference`.
fn condition_of(r: &ConditionalRequest, kind: ConditionKind, reference: Fixed) -> Result<(Side, Condition), Error> {
    let price = || price_field("price", r.price.as_deref());
    let pct = || bp_field("percent", r.percent.as_deref());
    let (side, condition) = match kind {
        ConditionKind::PriceTrigger => {
            let side: Side = r.side.as_deref().unwrap_or("").parse().map_err(|e| field("side", e))?;
            let p = price()?;
            // A price above today's rises to it; below, falls to it.
            (side, if p >= reference { Condition::RisesTo { price: p } } else { Condition::FallsTo { price: p } })
        }
        ConditionKind::TakeProfit => (Side::Sell, Condition::RisesTo { price: price()? }),
        ConditionKind::StopLoss => (Side::Sell, Condition::FallsTo { price: price()? }),
        ConditionKind::ReboundBuy => {
            let fall = bp_field("fall_percent", r.fall_percent.as_deref())?;
            let fall_to = (i128::from(reference) * i128::from(10_000 - fall.clamp(0, 10_000)) / 10_000) as Fixed;
            (Side::Buy, Condition::ReboundFromLow { bp: pct()?, low: reference, fall_to })
        }
        ConditionKind::TrailingStop => (Side::Sell, Condition::TrailFromHigh { bp: pct()?, high: reference }),
        ConditionKind::Grid => (
            Side::Buy,
            Condition::Grid {
                bp: pct()?,
                base: reference,
                floor: price_field("floor", r.floor.as_deref())?,
                ceiling: price_field("ceiling", r.ceiling.as_deref())?,
            },
        ),
    };
    condition.validate().map_err(|reason| Error::from(codes::CONDITION_INVALID.refuse().with("reason", reason)))?;
    Ok((side, condition))
}

/// Paper execution and conditional orders, on the event path.
#[derive(Debug)]
pub struct OrderDesk {
    db: Db,
    settings: CheckSettings,
    exchange: Mutex<Exchange>,
    // The tiers, whose fee discount takes off the commission (issue 27).
    tiers: growth::tier::TierRules,
}

impl OrderDesk {
    /// A desk over the store, with the firm's check settings.
    pub fn new(db: Db, settings: CheckSettings) -> OrderDesk {
        OrderDesk { db, settings, exchange: Mutex::new(Exchange::default()), tiers: Default::default() }
    }

    /// This desk with the firm's tiers, whose fee discount applies to tickets and fills.
    pub fn with_tiers(mut self, tiers: growth::tier::TierRules) -> OrderDesk {
        self.tiers = tiers;
        self
    }

    /// The commission discount (basis points) of each of these customers' tiers.
    async fn discounts(&self, customers: &[i64]) -> Result<HashMap<i64, u32>, Error> {
        Ok(self
            .db
            .tiers_of(customers)
            .await?
            .into_iter()
            .map(|(c, tier)| (c, self.tiers.named(&tier).benefits.fee_discount_bp))
            .collect())
    }

    /// A ticket's fee for a customer: the schedule's, less their tier's discount on the commission.
    async fn fee_for(&self, t: &Ticket, facts: &InstrumentFacts, customer: i64) -> Result<Money, Error> {
        let bp = self.discounts(&[customer]).await?.get(&customer).copied().unwrap_or(0);
        let price = if t.price > 0 { t.price } else { facts.reference() };
        let off = self.settings.fees.commission_discount(facts.kind, price.saturating_mul(t.quantity.max(0)), bp);
        Ok(fee_of(t, facts, &self.settings) - orders::money(off))
    }

    /// The check settings.
    pub fn settings(&self) -> &CheckSettings {
        &self.settings
    }

    /// Loads the working and conditional orders at start (else the first quote or ticket does);
    /// the number loaded.
    pub async fn warm_start(&self) -> Result<usize, Error> {
        let ex = self.loaded().await?;
        Ok(ex.triggers.len() + ex.working.values().map(Vec::len).sum::<usize>())
    }

    /// Loads working and conditional orders from the store, once.
    async fn loaded(&self) -> Result<tokio::sync::MutexGuard<'_, Exchange>, Error> {
        let mut ex = self.exchange.lock().await;
        if !ex.loaded {
            for o in self.db.working_orders().await? {
                let w = working_of(&o);
                ex.working.entry(o.instrument.clone()).or_default().push(w);
            }
            for c in self.db.active_conditionals().await? {
                if let Some(order) = conditional_of(&mut ex, &c) {
                    ex.triggers.insert(order);
                }
            }
            ex.loaded = true;
        }
        Ok(ex)
    }

    /// Every finding of a ticket for an account at `now`, with what the checks knew of its instrument.
    async fn judge(
        &self,
        a: &OrderAccount,
        ticket: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<(InstrumentFacts, Vec<Finding>), Error> {
        let (i, facts) = instrument_facts(&self.db, &ticket.instrument, now).await?;
        let at = moment_of(now);
        let account = account_facts(&self.db, a, &i, &self.settings, at.day).await?;
        let findings = orders::check(ticket, &facts, Some(&account), at, &self.settings);
        Ok((facts, findings))
    }

    /// Puts a stored order on the paper exchange (a market order works at its protection price, else the reference).
    async fn work(&self, id: OrderId, account: i64, ticket: &Ticket, facts: &InstrumentFacts) -> Result<(), Error> {
        let price = if ticket.price > 0 { ticket.price } else { facts.reference() };
        self.loaded().await?.working.entry(ticket.instrument.to_string()).or_default().push(WorkingOrder {
            id: id.0,
            account,
            side: ticket.side,
            order_type: ticket.order_type,
            price,
            quantity: ticket.quantity,
            filled: 0,
        });
        Ok(())
    }

    /// Judges a ticket for an account the principal serves, without storing it.
    pub async fn check(&self, principal: &Principal, r: &TicketRequest, now: DateTime<Utc>) -> Result<Placed, Error> {
        let ticket = read_ticket(r)?;
        let a = account_for(&self.db, principal, r.account_id).await?;
        let (facts, findings) = self.judge(&a, &ticket, now).await?;
        Ok(Placed {
            id: None,
            status: "checked",
            fee: self.fee_for(&ticket, &facts, a.customer_id).await?,
            findings: findings.iter().map(view).collect(),
        })
    }

    /// Sends a ticket: judged, stored with its findings and audited in one
    /// unit of work; working (on the paper exchange) unless a check blocks it
    /// or one needs confirming first.
    pub async fn place(&self, principal: &Principal, r: &TicketRequest, now: DateTime<Utc>) -> Result<Placed, Error> {
        let ticket = read_ticket(r)?;
        let source = match r.source.as_deref().unwrap_or("ticket") {
            "ticket" => "ticket",
            "instrument" => "instrument",
            "position" => "position",
            "reminder" => "reminder",
            other => {
                return Err(field("source", format!("'{other}' is not one of ticket, instrument, position, reminder")))
            }
        };
        let a = account_for(&self.db, principal, r.account_id).await?;
        let (facts, findings) = self.judge(&a, &ticket, now).await?;
        let status = status_of(&findings, false);
        let id = self
            .store(
                &a,
                &ticket,
                status,
                (source, r.reminder_id.filter(|_| source == "reminder"), None),
                &principal.actor(),
                &findings,
            )
            .await?;
        if status == "working" {
            self.work(id, a.account_id, &ticket, &facts).await?;
        }
        Ok(Placed {
            id: Some(id),
            status,
            fee: self.fee_for(&ticket, &facts, a.customer_id).await?,
            findings: findings.iter().map(view).collect(),
        })
    }

    async fn store(
        &self,
        a: &OrderAccount,
        t: &Ticket,
        status: &'static str,
        (source, reminder, conditional): (&'static str, Option<i64>, Option<i64>),
        actor: &str,
        findings: &[Finding],
    ) -> Result<OrderId, Error> {
        let mut unit = self.db.begin().await?;
        let id = unit
            .insert_order(&NewOrder {
                account: a.clone(),
                instrument: t.instrument.to_string(),
                side: t.side.as_str(),
                order_type: t.order_type.as_str(),
                price: t.price,
                quantity: t.quantity,
                status,
                source,
                reminder_id: reminder,
                conditional_id: conditional,
                placed_by: actor.to_owned(),
                findings: stored_findings(findings),
            })
            .await?;
        unit.audit(AuditEntry {
            actor: actor.to_owned(),
            action: "send_order".into(),
            entity: "orders".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "account_id": a.account_id, "instrument": t.instrument, "side": t.side, "price": orders::money(t.price),
                "quantity": t.quantity, "status": status, "rules": findings.iter().map(|f| f.rule.code()).collect::<Vec<_>>(),
            })
            .to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(id)
    }

    /// Confirms an order waiting for it: judged again now; working unless a check now blocks it.
    pub async fn confirm(&self, principal: &Principal, id: OrderId, now: DateTime<Utc>) -> Result<Placed, Error> {
        let o = self.db.order(id, principal.scope()).await?.ok_or_else(|| codes::ORDER_NOT_FOUND.refuse())?;
        if o.status != "unconfirmed" {
            return Err(codes::ORDER_STATE.refuse().with("status", &o.status).into());
        }
        let a = account_for(&self.db, principal, o.account_id).await?;
        let ticket = Ticket {
            instrument: InstrumentCode::parse(&o.instrument)?,
            side: o.side.parse()?,
            order_type: o.order_type.parse().map_err(|e: String| field("order_type", e))?,
            quantity: o.quantity,
            price: o.price,
        };
        let (facts, findings) = self.judge(&a, &ticket, now).await?;
        let status = status_of(&findings, true);
        let mut unit = self.db.begin().await?;
        if !unit.move_order(id, "unconfirmed", status, "").await? {
            return Err(codes::ORDER_STATE.refuse().with("status", &o.status).into());
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "confirm_order".into(),
            entity: "orders".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "status": status }).to_string(),
        })
        .await?;
        unit.commit().await?;
        if status == "working" {
            self.work(id, a.account_id, &ticket, &facts).await?;
        }
        Ok(Placed {
            id: Some(id),
            status,
            fee: self.fee_for(&ticket, &facts, a.customer_id).await?,
            findings: findings.iter().map(view).collect(),
        })
    }

    /// Cancels a working order (or abandons one waiting for confirmation).
    pub async fn cancel(&self, principal: &Principal, id: OrderId) -> Result<(), Error> {
        let o = self.db.order(id, principal.scope()).await?.ok_or_else(|| codes::ORDER_NOT_FOUND.refuse())?;
        account_for(&self.db, principal, o.account_id).await?;
        let to = match o.status.as_str() {
            "working" => "cancelled",
            "unconfirmed" => "abandoned",
            other => return Err(codes::ORDER_STATE.refuse().with("status", other).into()),
        };
        let mut ex = self.loaded().await?;
        let mut unit = self.db.begin().await?;
        if !unit.move_order(id, &o.status, to, "").await? {
            return Err(codes::ORDER_STATE.refuse().with("status", &o.status).into());
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "cancel_order".into(),
            entity: "orders".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "status": to }).to_string(),
        })
        .await?;
        unit.commit().await?;
        if let Some(list) = ex.working.get_mut(&o.instrument) {
            list.retain(|w| w.id != id.0);
        }
        Ok(())
    }

    /// Places a conditional order (valid at most a year), stored, audited and indexed.
    pub async fn place_conditional(
        &self,
        principal: &Principal,
        r: &ConditionalRequest,
        now: DateTime<Utc>,
    ) -> Result<ConditionalId, Error> {
        let kind: ConditionKind = r.kind.parse().map_err(|e: String| field("kind", e))?;
        let code = InstrumentCode::parse(&r.instrument).map_err(|e| field("instrument", e))?;
        let valid_until: NaiveDate = r
            .valid_until
            .trim()
            .parse()
            .map_err(|_| field("valid_until", format!("'{}' is not a date", r.valid_until)))?;
        let at = moment_of(now);
        let latest = at.day + chrono::Duration::days(365);
        if valid_until < at.day || valid_until > latest {
            return Err(codes::VALID_UNTIL.refuse().on("valid_until").with("latest", latest).into());
        }
        if r.quantity <= 0 {
            return Err(field("quantity", "must be positive"));
        }
        let a = account_for(&self.db, principal, r.account_id).await?;
        let (_, facts) = instrument_facts(&self.db, &code, now).await?;
        let (side, condition) = condition_of(r, kind, facts.reference())?;
        let mut unit = self.db.begin().await?;
        let id = unit
            .insert_conditional(&NewConditional {
                account: a.clone(),
                instrument: code.to_string(),
                kind: kind.as_str(),
                side: side.as_str(),
                quantity: r.quantity,
                condition: serde_json::to_string(&condition).unwrap_or_default(),
                valid_until,
                placed_by: principal.actor(),
            })
            .await?;
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "place_conditional".into(),
            entity: "conditional_orders".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "kind": kind.as_str(), "instrument": code, "condition": condition, "valid_until": valid_until }).to_string(),
        })
        .await?;
        unit.commit().await?;
        let mut ex = self.loaded().await?;
        let ix = ex.ix(&code.to_string());
        ex.triggers.insert(ConditionalOrder {
            id: id.0,
            account: a.account_id,
            instrument: ix,
            kind,
            side,
            quantity: r.quantity,
            valid_until,
            condition,
        });
        Ok(id)
    }

    /// Cancels an active conditional order.
    pub async fn cancel_conditional(&self, principal: &Principal, id: ConditionalId) -> Result<(), Error> {
        let c =
            self.db.conditional(id, principal.scope()).await?.ok_or_else(|| codes::CONDITIONAL_NOT_FOUND.refuse())?;
        account_for(&self.db, principal, c.account_id).await?;
        let mut ex = self.loaded().await?;
        let mut unit = self.db.begin().await?;
        if !unit.end_conditional(id, "cancelled").await? {
            return Err(codes::ORDER_STATE.refuse().with("status", &c.status).into());
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "cancel_conditional".into(),
            entity: "conditional_orders".into(),
            entity_id: id.to_string(),
            detail: "{}".into(),
        })
        .await?;
        unit.commit().await?;
        ex.triggers.remove(id.0);
        Ok(())
    }

    /// Snapshots on the event path: conditional orders fire (in continuous
    /// trading) into tickets through every check, then working orders fill
    /// against the quotes by the volume traded since the last snapshot. Fills
    /// are booked as trades (positions and cash in one unit of work); the
    /// booked trades are answered for the watch.
    pub async fn on_ticks(&self, ticks: &[Tick]) -> Result<Vec<Booked>, Error> {
        let mut booked = Vec::new();
        if ticks.is_empty() {
            return Ok(booked);
        }
        let mut ex = self.loaded().await?;
        for t in ticks {
            let Ok(last) = t.last.to_fixed("last") else { continue };
            let waiting = ex.index.contains_key(&t.code) || ex.working.get(&t.code).is_some_and(|w| !w.is_empty());
            if !waiting {
                // Nothing waits on it: only the day's volume is kept, for the orders to come.
                let day = moment_of(t.time).day;
                let seen = ex.volumes.get(&t.code).filter(|(d, _)| *d == day).map_or(Money::ZERO, |v| v.1);
                ex.volumes.insert(t.code.clone(), (day, t.volume.max(seen)));
                continue;
            }
            if !ex.kinds.contains_key(&t.code) {
                let Ok(code) = InstrumentCode::parse(&t.code) else { continue };
                let Some(i) = self.db.instrument(&code).await? else { continue };
                ex.kinds.insert(t.code.clone(), (i.board, i.kind, i.fund_class));
            }
            let (board, kind, fund) = ex.kinds[&t.code];
            let at = moment_of(t.time);
            // Conditional orders, in continuous trading only.
            if market::rules::phase_on(board, kind, at.day, at.time) == market::rules::Phase::Continuous {
                if let Some(&ix) = ex.index.get(&t.code) {
                    let out = ex.triggers.on_quote(ix, last, at.day);
                    for id in out.expired {
                        let mut unit = self.db.begin().await?;
                        unit.end_conditional(ConditionalId(id), "expired").await?;
                        unit.commit().await?;
                    }
                    for f in out.fired {
                        if let Some(w) = self.fire(&f, &t.code, t.time).await? {
                            ex.working.entry(t.code.clone()).or_default().push(w);
                        }
                    }
                }
            }
            // The volume traded since the last snapshot, in shares.
            let before = match ex.volumes.get(&t.code) {
                Some((day, v)) if *day == at.day => *v,
                _ => Money::ZERO,
            };
            ex.volumes.insert(t.code.clone(), (at.day, t.volume.max(before)));
            let traded: i64 = ((t.volume - before).max(Money::ZERO) * Money::from(100)).floor().try_into().unwrap_or(0);
            let Some(list) = ex.working.get_mut(&t.code) else { continue };
            let mut fills = match_quote(list, last, traded, kind, &self.settings.fees);
            if fills.is_empty() {
                continue;
            }
            let filled_before: HashMap<i64, i64> = list.iter().map(|w| (w.id, w.filled)).collect();
            let code = InstrumentCode::parse(&t.code)?;
            // Each owner's tier discount off the commission (issue 27).
            let accounts: Vec<i64> = fills.iter().map(|f| f.account).collect();
            let owners: HashMap<i64, i64> = self.db.account_owners(&accounts).await?.into_iter().collect();
            let discounts = self.discounts(&owners.values().copied().collect::<Vec<_>>()).await?;
            for f in &mut fills {
                let bp = owners.get(&f.account).and_then(|c| discounts.get(c)).copied().unwrap_or(0);
                f.fee -= self.settings.fees.commission_discount(kind, f.price.saturating_mul(f.quantity), bp);
            }
            // One unit of work: the accounts' cash and holdings read, the fills settled against them
            // by the book's rules, booked as trades, and the orders' fills recorded.
            let mut unit = self.db.begin().await?;
            let accounts: Vec<i64> = fills.iter().map(|f| f.account).collect();
            let holdings = unit.holdings_of(&accounts).await?;
            let cash = unit.cash_of(&accounts).await?;
            let mut papers: HashMap<i64, PaperAccount> = HashMap::new();
            for id in &accounts {
                let mut p = PaperAccount { cash: cash.get(id).copied().unwrap_or(0), ..Default::default() };
                if let Some(h) = holdings.get(&(*id, t.code.clone())) {
                    p.holdings.insert(t.code.clone(), *h);
                }
                papers.insert(*id, p);
            }
            let settlement = market::rules::settlement_of(kind, fund);
            let outcomes = settle(&mut papers, &code, settlement, at.day, &fills);
            let mut trades = Vec::new();
            let mut refused = Vec::new();
            // Each order's fills within this quote: the trade id counts from what was filled before it.
            let mut running: HashMap<i64, i64> = HashMap::new();
            for (f, outcome) in fills.iter().zip(outcomes) {
                let start = *running.entry(f.order).or_insert_with(|| filled_before[&f.order] - f.quantity);
                running.insert(f.order, start + f.quantity);
                match outcome {
                    Ok(_) => trades.push((
                        f.order,
                        domain::Trade {
                            id: domain::TradeId(PAPER_TRADE_BASE + f.order * 1_000_000 + start),
                            account_id: domain::AccountId(f.account),
                            instrument: code.clone(),
                            side: f.side,
                            quantity: f.quantity,
                            price: orders::money(f.price),
                            fee: orders::money(f.fee),
                            time: t.time,
                        },
                    )),
                    Err(why) => refused.push((f.order, why)),
                }
            }
            let booking: Vec<domain::Trade> = trades.iter().map(|(_, t)| t.clone()).collect();
            let outcome = crate::book::take_in(&mut unit, &booking, &[]).await?;
            let stored: std::collections::HashSet<i64> = outcome.booked.iter().map(|b| b.trade.id.0).collect();
            for (order, trade) in &trades {
                if stored.contains(&trade.id.0) {
                    let fixed = |m: Money| m.to_fixed("fill").unwrap_or(0);
                    unit.record_fill(
                        OrderId(*order),
                        trade.id.0,
                        (trade.quantity, fixed(trade.price), fixed(trade.fee)),
                        trade.time,
                    )
                    .await?;
                }
            }
            for (order, why) in &refused {
                let note = match why {
                    orders::paper::Refused::CashShort => "cash_short",
                    orders::paper::Refused::NotSellable => "sellable_today",
                };
                unit.move_order(OrderId(*order), "working", "cancelled", note).await?;
            }
            unit.commit().await?;
            let gone: std::collections::HashSet<i64> = refused.iter().map(|r| r.0).collect();
            list.retain(|w| w.open() > 0 && !gone.contains(&w.id));
            booked.extend(outcome.booked);
        }
        Ok(booked)
    }

    /// A fired conditional order: its ticket through every check, stored
    /// (working unless blocked: the customer confirmed when placing it), the
    /// firing logged, the conditional order moved on.
    async fn fire(&self, f: &orders::Fired, code: &str, time: DateTime<Utc>) -> Result<Option<WorkingOrder>, Error> {
        let id = ConditionalId(f.id);
        let Some(a) = self.db.order_account(f.account).await? else { return Ok(None) };
        let ticket = Ticket {
            instrument: InstrumentCode::parse(code)?,
            side: f.side,
            order_type: OrderType::Limit,
            quantity: f.quantity,
            price: f.price,
        };
        let (_, findings) = self.judge(&a, &ticket, time).await?;
        let status = status_of(&findings, true);
        let order =
            self.store(&a, &ticket, status, ("conditional", None, Some(f.id)), "system:conditional", &findings).await?;
        let outcome = if status == "blocked" {
            findings
                .iter()
                .filter(|x| x.severity == Severity::Block)
                .map(|x| x.rule.code())
                .collect::<Vec<_>>()
                .join(",")
        } else {
            "placed".to_owned()
        };
        let mut unit = self.db.begin().await?;
        unit.insert_trigger(id, f.price, Some(order), &outcome).await?;
        unit.keep_conditional(id, &serde_json::to_string(&f.condition).unwrap_or_default()).await?;
        if f.done {
            unit.end_conditional(id, "fired").await?;
        }
        unit.commit().await?;
        Ok((status == "working").then_some(WorkingOrder {
            id: order.0,
            account: a.account_id,
            side: ticket.side,
            order_type: OrderType::Limit,
            price: ticket.price,
            quantity: ticket.quantity,
            filled: 0,
        }))
    }
}

fn working_of(o: &OrderRow) -> WorkingOrder {
    WorkingOrder {
        id: o.id.0,
        account: o.account_id,
        side: if o.side == "sell" { Side::Sell } else { Side::Buy },
        order_type: o.order_type.parse().unwrap_or(OrderType::Limit),
        price: o.price,
        quantity: o.quantity,
        filled: o.filled,
    }
}

fn conditional_of(ex: &mut Exchange, c: &ConditionalRow) -> Option<ConditionalOrder> {
    let condition: Condition = serde_json::from_str(&c.condition).ok()?;
    Some(ConditionalOrder {
        id: c.id.0,
        account: c.account_id,
        instrument: ex.ix(&c.instrument),
        kind: c.kind.parse().ok()?,
        side: c.side.parse().ok()?,
        quantity: c.quantity,
        valid_until: c.valid_until,
        condition,
    })
}

/// Orders in the reader's scope (one account's when given), newest first.
pub async fn list(db: &Db, principal: &Principal, account: Option<i64>) -> Result<Vec<OrderRow>, Error> {
    Ok(db.orders(principal.scope(), account, 200).await?)
}

/// One order with its findings.
pub async fn one(db: &Db, principal: &Principal, id: OrderId) -> Result<(OrderRow, Vec<FindingView>), Error> {
    let o = db.order(id, principal.scope()).await?.ok_or_else(|| codes::ORDER_NOT_FOUND.refuse())?;
    let findings = db.order_findings(id).await?.iter().map(|f| stored_view(&f.rule, &f.severity, &f.args)).collect();
    Ok((o, findings))
}

/// Conditional orders in the reader's scope.
pub async fn conditionals(db: &Db, principal: &Principal) -> Result<Vec<ConditionalRow>, Error> {
    Ok(db.conditionals(principal.scope(), 200).await?)
}

/// One conditional order with its firings.
pub async fn conditional(
    db: &Db,
    principal: &Principal,
    id: ConditionalId,
) -> Result<(ConditionalRow, Vec<store::TriggerRow>), Error> {
    let c = db.conditional(id, principal.scope()).await?.ok_or_else(|| codes::CONDITIONAL_NOT_FOUND.refuse())?;
    Ok((c, db.triggers_of(id).await?))
}

/// Errors prevented: tickets a rule blocked or made confirm, per rule, for
/// the firm (or the reader's scope) and per advisor.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Prevented {
    /// Per rule: (rule, severity, tickets).
    pub by_rule: Vec<(String, String, i64)>,
    /// Per advisor and rule: (advisor id, rule, severity, tickets).
    pub by_advisor: Vec<(i64, String, String, i64)>,
}

/// The errors the checks prevented, in the reader's scope (staff only).
pub async fn prevented(db: &Db, principal: &Principal) -> Result<Prevented, Error> {
    if principal.role == Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().into());
    }
    let rows = db.prevented(principal.scope()).await?;
    let mut by_rule: std::collections::BTreeMap<(String, String), i64> = Default::default();
    for (_, rule, severity, n) in &rows {
        *by_rule.entry((rule.clone(), severity.clone())).or_default() += n;
    }
    Ok(Prevented { by_rule: by_rule.into_iter().map(|((r, s), n)| (r, s, n)).collect(), by_advisor: rows })
}

/// A customer signs the risk-warning stocks' disclosure (their own, or staff serving them record it).
pub async fn sign_st_disclosure(db: &Db, principal: &Principal, account: i64) -> Result<(), Error> {
    let a = account_for(db, principal, account).await?;
    let mut unit = db.begin().await?;
    unit.sign_disclosure(a.customer_id, "st").await?;
    unit.audit(AuditEntry {
        actor: principal.actor(),
        action: "sign_disclosure".into(),
        entity: "risk_disclosures".into(),
        entity_id: a.customer_id.to_string(),
        detail: serde_json::json!({ "kind": "st" }).to_string(),
    })
    .await?;
    unit.commit().await?;
    Ok(())
}

/// The demo's orders: as the demo advisor, for the demo customer's account,
/// a STAR ticket the lot rule blocks (counted among the errors prevented), a
/// limit buy working 2% under the close of their largest holding, and a
/// stop-loss 8% under it, so that the order pages and a replay have
/// something to show. Answers how many orders and conditional orders were made.
pub async fn set_up_demo(db: &Db, advisor: domain::StaffId, customer: CustomerId) -> Result<(usize, usize), Error> {
    let principal = Principal {
        user_id: domain::UserId(0),
        login: "demo-advisor".into(),
        role: Role::Advisor,
        staff_id: Some(advisor),
        branch_id: None,
        customer_id: None,
    };
    let Some(&account) = db.accounts_of_customer(customer).await?.iter().min() else { return Ok((0, 0)) };
    let mut tx = db.begin().await?;
    let held = tx.holdings_of(&[account]).await?;
    drop(tx);
    // Their largest main-board holding (no board permission needed).
    let main_board = |code: &str| {
        InstrumentCode::parse(code)
            .is_ok_and(|c| matches!(c.stock_board(), domain::Board::SseMain | domain::Board::SzseMain))
    };
    let Some(code) = held
        .into_iter()
        .filter(|(k, _)| main_board(&k.1))
        .max_by_key(|(_, h)| i128::from(h.quantity) * i128::from(h.cost))
        .map(|(k, _)| k.1)
    else {
        return Ok((0, 0));
    };
    let Some(i) = db.instrument(&InstrumentCode::parse(&code)?).await? else { return Ok((0, 0)) };
    let close = i.last_close.to_fixed("last_close").unwrap_or(0);
    let desk = OrderDesk::new(db.clone(), CheckSettings::default());
    let now = db.now();
    let at = |bp: i64| orders::money(close / 100 * bp / 10_000 * 100).to_string();
    let mut made = 0;
    let star = db.instruments(Some("688"), 1).await?.into_iter().next();
    if let Some(star) = star {
        let r = TicketRequest {
            account_id: account,
            instrument: star.code.clone(),
            side: "buy".into(),
            price: Some(star.last_close.round_dp(2).to_string()),
            quantity: 150,
            ..Default::default()
        };
        desk.place(&principal, &r, now).await?;
        made += 1;
    }
    let buy = TicketRequest {
        account_id: account,
        instrument: code.clone(),
        side: "buy".into(),
        price: Some(at(9_800)),
        quantity: 100,
        source: Some("position".into()),
        ..Default::default()
    };
    desk.place(&principal, &buy, now).await?;
    made += 1;
    let stop = ConditionalRequest {
        account_id: account,
        instrument: code,
        kind: "stop_loss".into(),
        side: None,
        quantity: 100,
        price: Some(at(9_200)),
        percent: None,
        fall_percent: None,
        floor: None,
        ceiling: None,
        valid_until: (moment_of(now).day + chrono::Duration::days(60)).to_string(),
    };
    desk.place_conditional(&principal, &stop, now).await?;
    Ok((made, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ErrorCode;

    #[test]
    fn every_rule_reads_in_both_languages_with_its_values() {
        for rule in orders::Rule::ALL {
            let key = format!("check-{}", rule.code());
            assert!(messages::Locale::En.has(&key) && messages::Locale::Zh.has(&key), "{key}");
        }
        let f = Finding {
            rule: orders::Rule::LotBelowMinimum,
            severity: Severity::Block,
            args: vec![("minimum", "200".into()), ("quantity", "150".into())],
        };
        let v = view(&f);
        assert_eq!(v.message_en, "150 is below the least order of 200");
        assert!(v.message_zh.contains("200") && v.message_zh.contains("150"));
        let stored = stored_view("lot_below_minimum", "block", r#"[["minimum","200"],["quantity","150"]]"#);
        assert_eq!(stored, v);
    }

    #[test]
    fn a_ticket_reads_or_names_the_field_at_fault() {
        let r = TicketRequest {
            account_id: 1,
            instrument: "600519.SH".into(),
            side: "buy".into(),
            price: Some("10.01".into()),
            quantity: 100,
            ..Default::default()
        };
        assert_eq!(read_ticket(&r).unwrap().price, 100_100);
        let no_price = TicketRequest { price: None, ..r.clone() };
        assert_eq!(read_ticket(&no_price).unwrap_err().field(), Some("price"));
        let market = TicketRequest { price: None, order_type: Some("market".into()), ..r.clone() };
        assert_eq!(read_ticket(&market).unwrap().price, 0);
        let bad = TicketRequest { instrument: "600519".into(), ..r };
        assert_eq!(read_ticket(&bad).unwrap_err().field(), Some("instrument"));
    }
}
