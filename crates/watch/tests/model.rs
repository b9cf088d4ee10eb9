//! After every step of a random sequence of quotes, sweeps, trades,
//! compactions and day closes, every account's figures equal a brute-force
//! recomputation from a plain model of the book.

use proptest::prelude::*;
use watch::{BookInput, InstrumentInput, PositionInput, Watch, HISTORY_DAYS};

mod common;
use common::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn figures_equal_a_brute_force_recomputation((closes, positions) in book(HISTORY_DAYS + 2), steps in proptest::collection::vec(step(), 1..40)) {
        let input = book_input(&closes, &positions, 0);
        let mut watch = Watch::build(&input).unwrap();
        let mut model = Model::new(&closes, &positions);
        for a in 0..ACCOUNTS {
            prop_assert_eq!(watch.figures(a), model.figures(a), "after build, account {}", a);
        }
        for (n, step) in steps.iter().enumerate() {
            let step = match step {
                Step::Nudge(i, bp) => &Step::Quote(*i, nudged(model.price[*i as usize], *bp)),
                other => other,
            };
            match step {
                Step::Nudge(..) => unreachable!("a nudge is a quote"),
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
                    let result = watch.trade(*a, *i, *q, *p);
                    if model.trade(*a, *i, *q, *p) {
                        result.unwrap();
                    } else {
                        prop_assert!(result.is_err(), "overselling is refused");
                    }
                }
                Step::Compact => watch.compact(),
                Step::CloseDay(_) => {
                    watch.roll_day();
                    model.close_day();
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
    fn a_streamed_build_equals_a_whole_build((closes, positions) in book(HISTORY_DAYS + 2), shuffle in any::<u64>()) {
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
