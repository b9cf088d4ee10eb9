//! After every step of a random sequence of quotes, sweeps, trades,
//! compactions and day closes, every account's figures equal a brute-force
//! recomputation from a plain model of the book.

use proptest::prelude::*;
use std::collections::BTreeMap;
use watch::{AccountFigures, BookInput, InstrumentInput, PositionInput, Watch, HISTORY_DAYS};

const ACCOUNTS: u32 = 6;
const INSTRUMENTS: u32 = 4;

#[derive(Debug, Clone)]
enum Step {
    Quote(u32, i32),
    MarketSweep(Vec<i32>),
    Trade(u32, u32, i32, i32),
    Compact,
    CloseDay,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..INSTRUMENTS, 1_000..20_000i32).prop_map(|(i, p)| Step::Quote(i, p)),
        1 => proptest::collection::vec(1_000..20_000i32, INSTRUMENTS as usize).prop_map(Step::MarketSweep),
        4 => (0..ACCOUNTS, 0..INSTRUMENTS, -300..300i32, 1_000..20_000i32)
            .prop_filter("a trade has a quantity", |t| t.2 != 0)
            .prop_map(|(a, i, q, p)| Step::Trade(a, i, q, p)),
        1 => Just(Step::Compact),
        1 => Just(Step::CloseDay),
    ]
}

/// One holding of the model: shares, average cost, trapped days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Holding {
    quantity: i32,
    cost: i32,
    trapped_days: u16,
}

/// The trapped threshold the model and the engine are built with.
const TRAPPED_BP: i64 = 3000;

/// The book as plainly as it can be kept.
#[derive(Debug, Clone)]
struct Model {
    price: Vec<i32>,
    closes: Vec<Vec<i32>>, // per instrument, the last HISTORY_DAYS closes
    held: BTreeMap<(u32, u32), Holding>,
    open_value: Vec<i64>,
    trade_net: Vec<i64>,
}

impl Model {
    fn value_at(&self, account: u32, price: impl Fn(u32) -> i32) -> i64 {
        self.held
            .iter()
            .filter(|((a, _), _)| *a == account)
            .map(|(&(_, i), h)| i64::from(h.quantity) * i64::from(price(i)))
            .sum()
    }

    fn figures(&self, account: u32) -> AccountFigures {
        let value = self.value_at(account, |i| self.price[i as usize]);
        let peak_prior =
            (0..HISTORY_DAYS).map(|d| self.value_at(account, |i| self.closes[i as usize][d])).max().unwrap();
        let largest = self
            .held
            .iter()
            .filter(|((a, _), _)| *a == account)
            .map(|(&(_, i), h)| i64::from(h.quantity) * i64::from(self.price[i as usize]))
            .max()
            .unwrap_or(0)
            .max(0);
        AccountFigures {
            value,
            day_pnl: value - self.open_value[account as usize] - self.trade_net[account as usize],
            peak: peak_prior.max(value),
            largest,
        }
    }
}

/// Each instrument's closes, and (account, instrument, shares, cost) holdings.
type RandomBook = (Vec<Vec<i32>>, Vec<(u32, u32, i32, i32)>);

fn book() -> impl Strategy<Value = RandomBook> {
    (
        proptest::collection::vec(
            proptest::collection::vec(1_000..20_000i32, 1..=HISTORY_DAYS + 2),
            INSTRUMENTS as usize,
        ),
        proptest::collection::btree_map((0..ACCOUNTS, 0..INSTRUMENTS), (0..2_000i32, 500..30_000i32), 0..12),
    )
        .prop_map(|(closes, held)| (closes, held.into_iter().map(|((a, i), (q, c))| (a, i, q, c)).collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn figures_equal_a_brute_force_recomputation((closes, positions) in book(), steps in proptest::collection::vec(step(), 1..40)) {
        let input = BookInput {
            accounts: ACCOUNTS,
            instruments: closes.iter().map(|c| InstrumentInput { closes: c.clone() }).collect(),
            positions: positions
                .iter()
                .map(|&(account, instrument, quantity, cost)| PositionInput { account, instrument, quantity, cost, trapped_days: 0 })
                .collect(),
            trapped_below_cost_bp: TRAPPED_BP,
        };
        let mut watch = Watch::build(&input).unwrap();
        let padded: Vec<Vec<i32>> = closes
            .iter()
            .map(|c| {
                let kept = &c[c.len().saturating_sub(HISTORY_DAYS)..];
                std::iter::repeat_n(kept[0], HISTORY_DAYS - kept.len()).chain(kept.iter().copied()).collect()
            })
            .collect();
        let mut model = Model {
            price: closes.iter().map(|c| *c.last().unwrap()).collect(),
            closes: padded,
            held: positions.iter().map(|&(a, i, q, c)| ((a, i), Holding { quantity: q, cost: c, trapped_days: 0 })).collect(),
            open_value: vec![0; ACCOUNTS as usize],
            trade_net: vec![0; ACCOUNTS as usize],
        };
        for a in 0..ACCOUNTS {
            model.open_value[a as usize] = model.value_at(a, |i| model.price[i as usize]);
        }
        for a in 0..ACCOUNTS {
            prop_assert_eq!(watch.figures(a), model.figures(a), "after build, account {}", a);
        }
        for (n, step) in steps.iter().enumerate() {
            match step {
                Step::Quote(i, p) => {
                    let touched = watch.quote(*i, *p).unwrap();
                    model.price[*i as usize] = *p;
                    let holders: Vec<u32> = model.held.keys().filter(|(_, j)| j == i).map(|(a, _)| *a).collect();
                    let mut touched = touched;
                    touched.sort_unstable();
                    prop_assert_eq!(touched, holders, "a quote touches exactly its holders");
                }
                Step::MarketSweep(prices) => {
                    for (i, p) in prices.iter().enumerate() {
                        watch.set_price(i as u32, *p).unwrap();
                        model.price[i] = *p;
                    }
                    watch.sweep(2);
                }
                Step::Trade(a, i, q, p) => {
                    let before = model.held.get(&(*a, *i)).copied().unwrap_or(Holding { quantity: 0, cost: 0, trapped_days: 0 });
                    let result = watch.trade(*a, *i, *q, *p);
                    let after = before.quantity + q;
                    if after < 0 {
                        prop_assert!(result.is_err(), "overselling is refused");
                    } else {
                        result.unwrap();
                        // Buys average the cost in (to the nearest 0.001, halves up); sells keep it.
                        let cost = if after == 0 {
                            0
                        } else if *q > 0 {
                            let total = i64::from(before.quantity) * i64::from(before.cost) + i64::from(*q) * i64::from(*p);
                            ((2 * total + i64::from(after)) / (2 * i64::from(after))) as i32
                        } else {
                            before.cost
                        };
                        model.held.insert((*a, *i), Holding { quantity: after, cost, trapped_days: before.trapped_days });
                        model.trade_net[*a as usize] += i64::from(*q) * i64::from(*p);
                    }
                }
                Step::Compact => watch.compact(),
                Step::CloseDay => {
                    watch.roll_day();
                    for i in 0..INSTRUMENTS as usize {
                        model.closes[i].remove(0);
                        model.closes[i].push(model.price[i]);
                    }
                    for (&(_, i), h) in model.held.iter_mut() {
                        let close = i64::from(model.price[i as usize]);
                        let below = h.quantity > 0 && close * 10_000 <= i64::from(h.cost) * (10_000 - TRAPPED_BP);
                        h.trapped_days = if below { h.trapped_days + 1 } else { 0 };
                    }
                    for a in 0..ACCOUNTS {
                        model.open_value[a as usize] = model.value_at(a, |i| model.price[i as usize]);
                        model.trade_net[a as usize] = 0;
                    }
                }
            }
            for a in 0..ACCOUNTS {
                prop_assert_eq!(watch.figures(a), model.figures(a), "after step {} {:?}, account {}", n, step, a);
                let mut details: Vec<(u32, i32, i32, u16)> =
                    watch.holding_details(a).iter().map(|h| (h.instrument, h.quantity, h.cost, h.trapped_days)).collect();
                details.sort_unstable();
                let expected: Vec<(u32, i32, i32, u16)> = model
                    .held
                    .iter()
                    .filter(|((b, _), _)| *b == a)
                    .map(|(&(_, i), h)| (i, h.quantity, h.cost, h.trapped_days))
                    .collect();
                prop_assert_eq!(details, expected, "holdings after step {} {:?}, account {}", n, step, a);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A streamed build (positions arriving account by account, in any account
    /// order) gives every account the same figures and holdings as a whole build.
    #[test]
    fn a_streamed_build_equals_a_whole_build((closes, positions) in book(), shuffle in any::<u64>()) {
        let positions: Vec<PositionInput> = positions
            .iter()
            .map(|&(account, instrument, quantity, cost)| PositionInput { account, instrument, quantity, cost, trapped_days: 3 })
            .collect();
        let instruments: Vec<InstrumentInput> = closes.iter().map(|c| InstrumentInput { closes: c.clone() }).collect();
        let whole = Watch::build(&BookInput {
            accounts: ACCOUNTS,
            instruments: instruments.clone(),
            positions: positions.clone(),
            trapped_below_cost_bp: TRAPPED_BP,
        }).unwrap();
        // Accounts in a scrambled order, each account's positions together.
        let mut accounts: Vec<u32> = (0..ACCOUNTS).collect();
        accounts.sort_by_key(|a| (u64::from(*a) ^ shuffle).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let streamed_input: Vec<PositionInput> =
            accounts.iter().flat_map(|a| positions.iter().filter(move |p| p.account == *a).copied()).collect();
        let streamed = Watch::build_streaming(ACCOUNTS, &instruments, TRAPPED_BP, 0, streamed_input).unwrap();
        for a in 0..ACCOUNTS {
            prop_assert_eq!(streamed.figures(a), whole.figures(a));
            let sorted = |mut v: Vec<watch::HoldingDetail>| { v.sort_by_key(|h| h.instrument); v };
            prop_assert_eq!(sorted(streamed.holding_details(a)), sorted(whole.holding_details(a)));
        }
    }
}

#[test]
fn a_streamed_build_refuses_an_account_split_in_two() {
    let p = |account, instrument| PositionInput { account, instrument, quantity: 100, cost: 1_000, trapped_days: 0 };
    let instruments = vec![InstrumentInput { closes: vec![1_000] }; 2];
    let err = Watch::build_streaming(3, &instruments, TRAPPED_BP, 0, [p(0, 0), p(1, 0), p(0, 1)]).unwrap_err();
    assert!(err.to_string().contains("account 0 are not together"), "{err}");
}
