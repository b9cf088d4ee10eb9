//! TUV, total user value: users x monthly active rate x conversion rate x
//! ARPU, which multiplies out to the month's revenue. Its change from one
//! month to the next is split among the four factors by their Shapley
//! values: each factor's contribution is its effect averaged over every
//! order in which the factors could have changed. The parts are symmetric
//! (no factor is favoured by coming first), they sum to the change exactly,
//! and unlike the log (LMDI) split they hold when a factor is zero (a new
//! branch with no paying users yet, a group nobody paid in last month).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Revenue is kept in 0.0001 CNY, as money is everywhere in the store.
pub const UNITS_PER_YUAN: i64 = 10_000;

/// One month's funnel for some set of customers: how many there are, how
/// many did something, how many paid, and what they paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    /// Customers whose account was open by the month's end.
    pub users: u64,
    /// Of those, who logged in, traded, wrote in a group or bought in the month.
    pub active: u64,
    /// Of those, who brought revenue in the month.
    pub paying: u64,
    /// The revenue, 0.0001 CNY: commission by the fee schedule, product and subscription fees.
    pub revenue: i64,
}

/// Why a funnel's figures cannot be: each stage is part of the one before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FunnelError {
    /// More active users than users.
    #[error("{active} active users out of {users} users: the active are some of the users")]
    MoreActiveThanUsers {
        /// Active users.
        active: u64,
        /// Users.
        users: u64,
    },
    /// More paying users than active ones.
    #[error("{paying} paying users out of {active} active: whoever pays is active")]
    MorePayingThanActive {
        /// Paying users.
        paying: u64,
        /// Active users.
        active: u64,
    },
    /// Revenue without payers, or payers without revenue, or revenue below zero.
    #[error(
        "revenue {revenue} (0.0001 CNY) from {paying} paying users: revenue is positive exactly when someone paid"
    )]
    RevenueWithoutPayers {
        /// Revenue.
        revenue: i64,
        /// Paying users.
        paying: u64,
    },
}

/// A funnel's TUV figures: the four factors and their product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tuv {
    /// Users.
    pub users: u64,
    /// Monthly active users.
    pub active: u64,
    /// Active users / users (0 with no users).
    pub active_rate: Decimal,
    /// Paying users.
    pub paying: u64,
    /// Paying users / active users (0 with none active).
    pub conversion: Decimal,
    /// Revenue / paying users, CNY (0 with nobody paying).
    pub arpu: Decimal,
    /// Users x active rate x conversion x ARPU = the month's revenue, CNY.
    pub tuv: Decimal,
}

/// Where the change of TUV from one month to the next came from, CNY; the
/// four parts sum to `change` exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decomposition {
    /// TUV after less TUV before.
    pub change: Decimal,
    /// What the change in the number of users contributed.
    pub users: Decimal,
    /// What the change in the active rate contributed.
    pub active_rate: Decimal,
    /// What the change in conversion contributed.
    pub conversion: Decimal,
    /// What the change in ARPU contributed.
    pub arpu: Decimal,
}

/// `a / b`, or 0 when `b` is 0 (a rate of nothing is nothing).
fn ratio(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        Decimal::ZERO
    } else {
        a / b
    }
}

fn yuan(units: i64) -> Decimal {
    Decimal::new(units, 4)
}

impl Funnel {
    /// Checks that each stage is part of the one before.
    pub fn check(&self) -> Result<(), FunnelError> {
        if self.active > self.users {
            return Err(FunnelError::MoreActiveThanUsers { active: self.active, users: self.users });
        }
        if self.paying > self.active {
            return Err(FunnelError::MorePayingThanActive { paying: self.paying, active: self.active });
        }
        if self.revenue < 0 || (self.revenue > 0) != (self.paying > 0) {
            return Err(FunnelError::RevenueWithoutPayers { revenue: self.revenue, paying: self.paying });
        }
        Ok(())
    }

    /// The four factors in revenue units: users, active rate, conversion,
    /// revenue per payer (0.0001 CNY). Their product is the revenue.
    fn factors(&self) -> [Decimal; 4] {
        let (u, a, p) = (Decimal::from(self.users), Decimal::from(self.active), Decimal::from(self.paying));
        [u, ratio(a, u), ratio(p, a), ratio(Decimal::from(self.revenue), p)]
    }

    /// The TUV figures.
    pub fn tuv(&self) -> Tuv {
        let [_, active_rate, conversion, arpu] = self.factors();
        Tuv {
            users: self.users,
            active: self.active,
            active_rate: active_rate.round_dp(6),
            paying: self.paying,
            conversion: conversion.round_dp(6),
            arpu: (arpu / Decimal::from(UNITS_PER_YUAN)).round_dp(4),
            tuv: yuan(self.revenue),
        }
    }

    /// Adds another set of customers' funnel (disjoint from this one's).
    pub fn add(&mut self, other: &Funnel) {
        self.users += other.users;
        self.active += other.active;
        self.paying += other.paying;
        self.revenue += other.revenue;
    }
}

/// Splits the change of TUV from `before` to `after` among the four factors
/// by their Shapley values, to the 0.0001 CNY; the parts add up to the
/// change exactly (the remainder of rounding goes to the parts whose
/// fractions were largest).
pub fn decompose(before: &Funnel, after: &Funnel) -> Decomposition {
    let x0 = before.factors();
    let x1 = after.factors();
    // The weight of a coalition of k other factors already changed, among
    // 4 factors: k! (3 - k)! / 4!.
    let weight = |k: u32| match k {
        0 | 3 => Decimal::new(25, 2),
        _ => Decimal::ONE / Decimal::from(12),
    };
    let mut exact = [Decimal::ZERO; 4];
    for (i, part) in exact.iter_mut().enumerate() {
        for set in 0u32..16 {
            if set & (1 << i) != 0 {
                continue;
            }
            let mut product = x1[i] - x0[i];
            for j in (0..4).filter(|&j| j != i) {
                product *= if set & (1 << j) != 0 { x1[j] } else { x0[j] };
            }
            *part += weight(set.count_ones()) * product;
        }
    }
    let change = i128::from(after.revenue) - i128::from(before.revenue);
    let units = apportion(exact, change);
    let yuan = |units: i128| Decimal::from_i128_with_scale(units, 4);
    Decomposition {
        change: yuan(change),
        users: yuan(units[0]),
        active_rate: yuan(units[1]),
        conversion: yuan(units[2]),
        arpu: yuan(units[3]),
    }
}

/// Rounds the parts to whole units so that they sum to `total`: each down,
/// then one more unit to the parts with the largest fractions until the sum
/// is reached (largest remainder).
fn apportion(parts: [Decimal; 4], total: i128) -> [i128; 4] {
    use rust_decimal::prelude::ToPrimitive;
    // A part may be far larger than the change (a factor up, another down): i128 holds any Decimal's integer part.
    let mut units = parts.map(|p| p.floor().to_i128().unwrap_or(0));
    let mut order: Vec<usize> = (0..4).collect();
    order.sort_by(|&a, &b| (parts[b] - parts[b].floor()).cmp(&(parts[a] - parts[a].floor())));
    let mut short = total - units.iter().sum::<i128>();
    // Past 28 significant digits the parts carry rounding of their own: spread any large gap evenly first.
    let each = short / 4;
    for u in units.iter_mut() {
        *u += each;
    }
    short -= each * 4;
    // The exact parts sum to the total, so `short` is 0..=3; rounding in the
    // last digit of a 28-digit product could make it -1 or 4 at worst.
    let mut k = 0;
    while short != 0 {
        let i = order[k % 4];
        units[i] += short.signum();
        short -= short.signum();
        k += 1;
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn funnel(users: u64, active: u64, paying: u64, yuan: i64) -> Funnel {
        Funnel { users, active, paying, revenue: yuan * UNITS_PER_YUAN }
    }

    #[test]
    fn the_four_factors_multiply_out_to_the_revenue() {
        let f = funnel(1000, 400, 100, 25_000);
        let t = f.tuv();
        assert_eq!(t.active_rate, Decimal::new(4, 1));
        assert_eq!(t.conversion, Decimal::new(25, 2));
        assert_eq!(t.arpu, Decimal::from(250));
        assert_eq!(t.tuv, Decimal::from(25_000));
        assert_eq!(Decimal::from(t.users) * t.active_rate * t.conversion * t.arpu, t.tuv);
    }

    /// Worked by hand (the sums are in the comments below): users 100 -> 120,
    /// active 50 -> 60 (the rate 1/2 stays), paying 10 -> 20 (conversion 1/5
    /// -> 1/3), revenue 1,000 -> 3,000 CNY (ARPU 100 -> 150).
    #[test]
    fn the_change_splits_into_its_shapley_parts_by_hand() {
        let before = funnel(100, 50, 10, 1_000);
        let after = funnel(120, 60, 20, 3_000);
        let d = decompose(&before, &after);
        // Three factors change: U 100 -> 120, c 1/5 -> 1/3, r 100 -> 150; a = 1/2.
        // Shapley with three factors, weights 1/3 (alone or last), 1/6 (second):
        // users = a dU [c0 r0 /3 + (c1 r0 + c0 r1)/6 + c1 r1 /3]
        //       = 10 [20/3 + (100/3 + 30)/6 + 50/3] = 10 [20/3 + 95/9 + 50/3] = 3050/9 = 338.8888..
        // conversion = a dc [U0 r0/3 + (U1 r0 + U0 r1)/6 + U1 r1/3], dc = 2/15
        //       = (1/15) [10000/3 + 27000/6 + 18000/3] = (1/15)(3333.33.. + 4500 + 6000) = 922.2222..
        // arpu = a dr [U0 c0/3 + (U1 c0 + U0 c1)/6 + U1 c1/3], dr = 50
        //       = 25 [20/3 + (24 + 100/3)/6 + 40/3] = 25 [20 + 172/18] = 25 * 532/18 = 738.8888..
        // Sum: 338.888.. + 922.222.. + 738.888.. = 2000 exactly.
        assert_eq!(d.change, Decimal::from(2_000));
        assert_eq!(d.active_rate, Decimal::ZERO);
        assert_eq!(d.users, Decimal::new(3_388_889, 4));
        assert_eq!(d.conversion, Decimal::new(9_222_222, 4));
        assert_eq!(d.arpu, Decimal::new(7_388_889, 4));
        assert_eq!(d.users + d.active_rate + d.conversion + d.arpu, d.change);
    }

    #[test]
    fn a_factor_at_zero_still_splits() {
        // Nobody paid before: the log split has no answer; Shapley has one.
        let d = decompose(&funnel(10, 0, 0, 0), &funnel(10, 5, 2, 100));
        assert_eq!(d.users, Decimal::ZERO);
        assert_eq!(d.users + d.active_rate + d.conversion + d.arpu, Decimal::from(100));
        assert_eq!(decompose(&funnel(0, 0, 0, 0), &funnel(0, 0, 0, 0)).change, Decimal::ZERO);
    }

    #[test]
    fn refuses_funnels_that_cannot_be() {
        assert!(matches!(funnel(5, 6, 0, 0).check(), Err(FunnelError::MoreActiveThanUsers { .. })));
        assert!(matches!(funnel(5, 3, 4, 1).check(), Err(FunnelError::MorePayingThanActive { .. })));
        assert!(matches!(funnel(5, 3, 0, 1).check(), Err(FunnelError::RevenueWithoutPayers { .. })));
        assert!(funnel(5, 3, 2, 1).check().is_ok());
    }

    fn any_funnel() -> impl Strategy<Value = Funnel> {
        (0u64..10_000_000).prop_flat_map(|users| {
            (0..=users).prop_flat_map(move |active| {
                (0..=active).prop_flat_map(move |paying| {
                    let revenue = if paying == 0 { Just(0i64).boxed() } else { (1i64..1_000_000_000_000_000).boxed() };
                    revenue.prop_map(move |revenue| Funnel { users, active, paying, revenue })
                })
            })
        })
    }

    proptest! {
        #[test]
        fn the_parts_always_sum_to_the_change(before in any_funnel(), after in any_funnel()) {
            let d = decompose(&before, &after);
            prop_assert_eq!(d.users + d.active_rate + d.conversion + d.arpu, d.change);
            prop_assert_eq!(d.change, yuan(after.revenue - before.revenue));
        }

        #[test]
        fn an_unchanged_factor_contributes_nothing(before in any_funnel()) {
            // The same rates on more users: all the change is the users'.
            let after = Funnel { users: before.users * 2, active: before.active * 2, paying: before.paying * 2, revenue: before.revenue * 2 };
            let d = decompose(&before, &after);
            prop_assert_eq!(d.users, d.change);
            prop_assert_eq!(d.active_rate + d.conversion + d.arpu, Decimal::ZERO);
        }
    }
}
