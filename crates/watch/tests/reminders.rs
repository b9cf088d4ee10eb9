//! After every step of a random sequence of quotes, sweeps, trades,
//! compactions and day (and month) closes, the reminders the monitor answers
//! are exactly those a brute-force judge finds new: every account judged from
//! the plain model's figures, every signal recomputed from the whole price
//! history, and a plain list for a ledger.

mod common;

use common::*;
use market::indicators::{batch, Macd, Ohlcv};
use proptest::prelude::*;
use watch::rules::{bp, steps, AccountState, InstrumentState, Rule, RuleConfig, Thresholds, Trigger};
use watch::{HoldingDetail, InstrumentProfile, Monitor, Period, Watch};

/// Thresholds small enough for a random book of a few thousand CNY to reach.
fn config() -> RuleConfig {
    let firm = Thresholds {
        concentration_min_value: 5_000_000,
        month_loss_care: 2_000_000,
        trapped_days: 1,
        take_profit_bp: 500,
        ..Thresholds::default()
    };
    let strict = Thresholds { stock_drop_bp: 300, stock_drop_step_bp: 100, drawdown_bp: 500, ..firm.clone() };
    RuleConfig {
        version: "test".into(),
        firm,
        accounts: [(1, strict)].into_iter().collect(),
        // Half the accounts (one with its own thresholds) are of the take-profit classes.
        take_profit_accounts: (0..ACCOUNTS).filter(|a| a % 2 == 1).collect(),
        ..RuleConfig::default()
    }
}

fn is_stock(i: u32) -> bool {
    i != 3
}

fn outstanding(i: u32) -> i64 {
    if i == 2 {
        20_000
    } else {
        0
    }
}

fn limit_down(prev_close: i32) -> Option<i32> {
    Some(prev_close - prev_close / 10)
}

fn limit_up(prev_close: i32) -> Option<i32> {
    Some(prev_close + prev_close / 10)
}

fn limits(prev_close: i32) -> watch::DayLimits {
    watch::DayLimits { down: limit_down(prev_close), up: limit_up(prev_close) }
}

/// The rules as first written: every measure divided out, then compared. The
/// judge uses this plain form, so the monitor's faster checks are held to it.
fn reference_evaluate(
    config: &RuleConfig,
    account: &AccountState,
    instrument: impl Fn(u32) -> InstrumentState,
) -> Vec<Trigger> {
    let mut out = Vec::new();
    {
        let t = config.for_account(account.account);
        let f = &account.figures;
        let mut fire = |rule, instrument, step: u32, measure| {
            if step > 0 {
                let step = u16::try_from(step).unwrap_or(u16::MAX);
                out.push(Trigger { account: account.account, rule, instrument, step, measure });
            }
        };
        let day_loss = bp(-f.day_pnl, f.value - f.day_pnl);
        fire(Rule::AccountDayLoss, None, steps(day_loss, t.account_day_loss_bp, t.account_day_loss_step_bp), day_loss);
        let drawdown = bp(f.peak - f.value, f.peak);
        fire(Rule::Drawdown, None, steps(drawdown, t.drawdown_bp, t.drawdown_step_bp), drawdown);
        if account.month_pnl <= -t.month_loss_care && t.month_loss_care > 0 {
            fire(Rule::MonthLossCare, None, 1, -account.month_pnl);
        }
        for h in account.holdings {
            if h.quantity <= 0 {
                continue;
            }
            let s = instrument(h.instrument);
            let value = i64::from(h.quantity) * i64::from(s.price);
            let weight = bp(value, f.value);
            let i = Some(h.instrument);
            if s.is_stock {
                let drop = bp(i64::from(s.prev_close) - i64::from(s.price), i64::from(s.prev_close));
                fire(Rule::StockDrop, i, steps(drop, t.stock_drop_bp, t.stock_drop_step_bp), drop);
                if s.limit_down.is_some_and(|limit| s.price <= limit) {
                    fire(Rule::LimitDown, i, 1, i64::from(s.price));
                }
            }
            if weight >= t.concentration_bp && f.value >= t.concentration_min_value {
                fire(Rule::Concentration, i, 1, weight);
            }
            if weight >= t.heavy_bp {
                if s.crossed_below_ma20 {
                    fire(Rule::HeavyBelowMa20, i, 1, weight);
                }
                if s.macd_death_cross {
                    fire(Rule::HeavyMacdDeathCross, i, 1, weight);
                }
            }
            let below_cost = bp(i64::from(h.cost) - i64::from(s.price), i64::from(h.cost));
            if below_cost >= t.trapped_below_cost_bp && h.trapped_days >= t.trapped_days {
                fire(Rule::Trapped, i, 1, below_cost);
            }
            if s.outstanding_shares > 0 && bp(i64::from(h.quantity), s.outstanding_shares) >= t.disclosure_bp {
                fire(Rule::Disclosure, i, 1, bp(i64::from(h.quantity), s.outstanding_shares));
            }
            if config.take_profit_accounts.contains(&account.account) && h.cost > 0 {
                let gain = bp(i64::from(s.price) - i64::from(h.cost), i64::from(h.cost));
                let upside = s.limit_up.is_some_and(|limit| s.price >= limit) || s.top_signal;
                if gain >= t.take_profit_bp || (s.price > h.cost && upside) {
                    fire(Rule::TakeProfit, i, 1, gain);
                }
            }
        }
    }
    out
}

/// The brute-force side: the book model, whole histories, month figures and a plain ledger.
struct Judge {
    model: Model,
    history: Vec<Vec<i32>>,
    limit: Vec<watch::DayLimits>,
    month_prior: Vec<i64>,
    day: u32,
    month: u32,
    sent: Vec<(u32, watch::rules::Rule, Option<u32>, u32, u16)>, // account, rule, instrument, period, step
}

fn close_bar(c: i32) -> Ohlcv {
    let c = f64::from(c) / 1000.0;
    Ohlcv { open: c, high: c, low: c, close: c, volume: 0.0 }
}

impl Judge {
    fn state(&self, i: u32) -> InstrumentState {
        let h = &self.history[i as usize];
        let price = self.model.price[i as usize];
        let n = h.len();
        let sum = |from: usize| h[from..].iter().map(|&c| i64::from(c)).sum::<i64>();
        let crossed_below_ma20 = n >= 20
            && i64::from(h[n - 1]) * 20 >= sum(n - 20)
            && i64::from(price) * 20 < sum(n - 19) + i64::from(price);
        let mut bars: Vec<Ohlcv> = h.iter().map(|&c| close_bar(c)).collect();
        bars.push(close_bar(price));
        let macd = batch(Macd::new(12, 26, 9), &bars);
        let macd_death_cross =
            macd[n - 1].is_some_and(|v| v.macd >= v.signal) && macd[n].is_some_and(|v| v.macd < v.signal);
        InstrumentState {
            price,
            prev_close: *h.last().unwrap(),
            limit_down: self.limit[i as usize].down,
            limit_up: self.limit[i as usize].up,
            top_signal: watch::top_signal(h),
            is_stock: is_stock(i),
            crossed_below_ma20,
            macd_death_cross,
            outstanding_shares: outstanding(i),
        }
    }

    /// Every account judged; the triggers not yet sent at their step this day (month).
    fn new_triggers(&mut self, config: &RuleConfig) -> Vec<Trigger> {
        let mut fresh = Vec::new();
        for a in 0..ACCOUNTS {
            let holdings: Vec<HoldingDetail> = self
                .model
                .held
                .iter()
                .filter(|((b, _), _)| *b == a)
                .map(|(&(_, i), h)| HoldingDetail {
                    instrument: i,
                    quantity: h.quantity,
                    cost: h.cost,
                    trapped_days: h.trapped_days,
                })
                .collect();
            let figures = self.model.figures(a);
            let state = AccountState {
                account: a,
                figures,
                holdings: &holdings,
                month_pnl: self.month_prior[a as usize] + figures.day_pnl,
            };
            for t in reference_evaluate(config, &state, |i| self.state(i)) {
                let period = if t.rule.monthly() { self.month } else { self.day };
                let worse_or_new = !self
                    .sent
                    .iter()
                    .any(|s| (s.0, s.1, s.2, s.3) == (t.account, t.rule, t.instrument, period) && s.4 >= t.step);
                if worse_or_new {
                    self.sent.push((t.account, t.rule, t.instrument, period, t.step));
                    fresh.push(t);
                }
            }
        }
        fresh
    }
}

fn sorted(mut v: Vec<Trigger>) -> Vec<(u32, watch::rules::Rule, Option<u32>, u16, i64)> {
    let mut out: Vec<_> = v.drain(..).map(|t| (t.account, t.rule, t.instrument, t.step, t.measure)).collect();
    out.sort_unstable();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn reminders_equal_a_brute_force_judgement((closes, positions) in book(45), steps in proptest::collection::vec(step(), 1..80)) {
        let config = config();
        let input = book_input(&closes, &positions, 0);
        let profiles = closes
            .iter()
            .enumerate()
            .map(|(i, c)| InstrumentProfile {
                is_stock: is_stock(i as u32),
                limit_down: limit_down(*c.last().unwrap()),
                limit_up: limit_up(*c.last().unwrap()),
                outstanding_shares: outstanding(i as u32),
                closes: c.clone(),
            })
            .collect();
        let month_prior: Vec<i64> = (0..ACCOUNTS).map(|a| -(i64::from(a) * 700_000)).collect();
        let period = Period { day: 3, month: 1 };
        let mut monitor = Monitor::new(Watch::build(&input).unwrap(), profiles, month_prior.clone(), config.clone(), period).unwrap();
        let mut judge = Judge {
            model: Model::new(&closes, &positions),
            history: closes.clone(),
            limit: closes.iter().map(|c| limits(*c.last().unwrap())).collect(),
            month_prior,
            day: 3,
            month: 1,
            sent: Vec::new(),
        };
        prop_assert_eq!(sorted(monitor.judge_everyone(2)), sorted(judge.new_triggers(&config)), "at the start");
        for (n, step) in steps.iter().enumerate() {
            let nudge;
            let step = match step {
                Step::Nudge(i, bp) => {
                    nudge = Step::Quote(*i, nudged(judge.model.price[*i as usize], *bp));
                    &nudge
                }
                other => other,
            };
            let answered = match step {
                Step::Nudge(..) => unreachable!("a nudge is a quote"),
                Step::Quote(i, p) => {
                    judge.model.price[*i as usize] = *p;
                    monitor.quote(*i, *p).unwrap()
                }
                Step::MarketSweep(prices) => {
                    judge.model.price.clone_from(prices);
                    let prices: Vec<(u32, i32)> = prices.iter().enumerate().map(|(i, p)| (i as u32, *p)).collect();
                    monitor.sweep(&prices, 2).unwrap()
                }
                Step::Trade(a, i, q, p) => {
                    let result = monitor.trade(*a, *i, *q, *p);
                    if judge.model.trade(*a, *i, *q, *p) {
                        result.unwrap()
                    } else {
                        prop_assert!(result.is_err());
                        Vec::new()
                    }
                }
                Step::Compact => {
                    monitor.compact();
                    Vec::new()
                }
                Step::CloseDay(new_month) => {
                    for a in 0..ACCOUNTS {
                        let day_pnl = judge.model.figures(a).day_pnl;
                        let prior = &mut judge.month_prior[a as usize];
                        *prior = if *new_month { 0 } else { *prior + day_pnl };
                    }
                    for i in 0..INSTRUMENTS as usize {
                        judge.history[i].push(judge.model.price[i]);
                    }
                    judge.model.close_day();
                    judge.limit = judge.model.price.iter().map(|&p| limits(p)).collect();
                    judge.day += 1;
                    judge.month += u32::from(*new_month);
                    monitor.roll_day(&judge.limit, *new_month, 2).unwrap()
                }
            };
            let expected = judge.new_triggers(&config);
            prop_assert_eq!(sorted(answered), sorted(expected), "after step {} {:?}", n, step);
        }
    }
}
