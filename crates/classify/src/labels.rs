//! The labels an advisor works with, each with the reasons that decided it:
//! the features and the thresholds they were held against. Thresholds live
//! in a versioned configuration; [`moves`] says who changed label and why
//! when it changes.

use crate::{Amount, ClassifyError, Features};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Thresholds for every label, with the firm's defaults. Read from JSON;
/// unknown fields are refused so a typo cannot silently keep a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabelConfig {
    /// A version label, stored with every labelling.
    pub version: String,
    /// Under this many years in the market: a newcomer.
    pub newcomer_below_years: u32,
    /// From this many years: a veteran.
    pub veteran_from_years: u32,
    /// High engagement: at least this many logins in 30 days ...
    pub high_logins_30d: u32,
    /// ... or at least this many trades in 30 days.
    pub high_trades_30d: u32,
    /// Low engagement: at most this many logins in 30 days and no trade.
    pub low_logins_30d: u32,
    /// Fewer closed round trips than this: too little history to judge.
    pub min_round_trips: u32,
    /// Successful: a win rate of at least this (basis points) and a realized profit.
    pub successful_win_rate_bp: u32,
    /// Concentrated: a Herfindahl index of at least this (basis points).
    pub concentrated_hhi_bp: u32,
    /// Dispersed: at least this many positions ...
    pub dispersed_positions: u32,
    /// ... and a Herfindahl index under this.
    pub dispersed_hhi_bp: u32,
    /// Rarely trades: at most this many trades in 90 days.
    pub rare_trades_90d: u32,
    /// A rare trader is unsure (not a long-term holder) when losing, without
    /// positions, or holding at least this share of assets in cash (basis points).
    pub unsure_cash_share_bp: u32,
    /// New: opened within this many days.
    pub new_within_days: u32,
    /// Dormant: no trade for this many days (or never) ...
    pub dormant_trade_days: u32,
    /// ... and no login for this many days (or never).
    pub dormant_login_days: u32,
    /// Returning: came back (a trade after 90 days without) within this many days.
    pub returning_within_days: u32,
    /// Core: assets of at least this (0.0001 CNY) and not dormant.
    pub core_assets: Amount,
    /// Core also: revenue to the firm in the last three months of at least
    /// this (0.0001 CNY) and not dormant, whatever the assets; 0 turns it off.
    pub core_revenue_3m: Amount,
    /// Worth waking or maintaining: assets of at least this (0.0001 CNY).
    pub wake_assets: Amount,
    /// Age bands' lower edges after the first, ascending (e.g. 30, 45, 60).
    pub age_bands: Vec<u32>,
}

impl Default for LabelConfig {
    fn default() -> Self {
        LabelConfig {
            version: "firm-default-1".to_string(),
            newcomer_below_years: 2,
            veteran_from_years: 8,
            high_logins_30d: 8,
            high_trades_30d: 6,
            low_logins_30d: 1,
            min_round_trips: 5,
            successful_win_rate_bp: 5_000,
            concentrated_hhi_bp: 4_000,
            dispersed_positions: 8,
            dispersed_hhi_bp: 1_500,
            rare_trades_90d: 3,
            unsure_cash_share_bp: 6_000,
            new_within_days: 90,
            dormant_trade_days: 90,
            dormant_login_days: 30,
            returning_within_days: 60,
            core_assets: 500_000 * 10_000,
            core_revenue_3m: 1_000 * 10_000,
            wake_assets: 50_000 * 10_000,
            age_bands: vec![30, 45, 60],
        }
    }
}

impl LabelConfig {
    /// Reads a configuration from JSON and checks it.
    pub fn from_json(text: &str) -> Result<LabelConfig, ClassifyError> {
        let config: LabelConfig = serde_json::from_str(text).map_err(|e| ClassifyError::Config(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Checks that the thresholds make sense together.
    pub fn check(&self) -> Result<(), ClassifyError> {
        let fail = |why: &str| Err(ClassifyError::Config(why.to_string()));
        if self.newcomer_below_years > self.veteran_from_years {
            return fail("newcomer_below_years is above veteran_from_years");
        }
        if self.dispersed_hhi_bp > self.concentrated_hhi_bp {
            return fail("dispersed_hhi_bp is above concentrated_hhi_bp");
        }
        for (name, bp) in [
            ("successful_win_rate_bp", self.successful_win_rate_bp),
            ("concentrated_hhi_bp", self.concentrated_hhi_bp),
            ("dispersed_hhi_bp", self.dispersed_hhi_bp),
            ("unsure_cash_share_bp", self.unsure_cash_share_bp),
        ] {
            if bp > 10_000 {
                return Err(ClassifyError::Config(format!("{name} is {bp}, over 10,000 basis points")));
            }
        }
        if self.wake_assets > self.core_assets {
            return fail("wake_assets is above core_assets");
        }
        if self.core_revenue_3m < 0 {
            return fail("core_revenue_3m is below 0");
        }
        if self.age_bands.windows(2).any(|w| w[0] >= w[1]) {
            return fail("age_bands must be ascending");
        }
        Ok(())
    }
}

/// One comparison that decided a label: a feature, its value, and the threshold it met or missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The feature's name, as in [`Features`].
    pub feature: &'static str,
    /// Its value (empty for "none").
    pub value: String,
    /// How it compared: `<`, `>=`, `=`, ...
    pub test: &'static str,
    /// The threshold's name in the configuration (or a fixed value).
    pub threshold: &'static str,
    /// The threshold's value.
    pub limit: String,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.value.is_empty() { "none" } else { &self.value };
        write!(f, "{} {} {} {} ({})", self.feature, value, self.test, self.limit, self.threshold)
    }
}

/// A label with the reasons that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Labelled {
    /// The label, in its stable text form (e.g. `newcomer`).
    pub label: &'static str,
    /// What decided it.
    pub reasons: Vec<Reason>,
}

/// The dimensions a customer is labelled on, in display order.
pub const DIMENSIONS: [&str; 10] = [
    "experience",
    "engagement",
    "track_record",
    "concentration",
    "position_pnl",
    "trading_style",
    "age_band",
    "gender",
    "lifecycle",
    "service_tier",
];

/// Every label of one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Labelling {
    /// The configuration's version.
    pub version: String,
    /// Label per dimension, in the order of [`DIMENSIONS`].
    pub labels: Vec<(&'static str, Labelled)>,
}

impl Labelling {
    /// The label of a dimension.
    pub fn get(&self, dimension: &str) -> Option<&Labelled> {
        self.labels.iter().find(|(d, _)| *d == dimension).map(|(_, l)| l)
    }

    /// The label text of a dimension ("" when missing).
    pub fn label(&self, dimension: &str) -> &'static str {
        self.get(dimension).map_or("", |l| l.label)
    }
}

/// What the labels read beyond the features: as given by the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given {
    /// Age in the year (the year minus the birth year).
    pub age: u32,
    /// Gender's stable text (`female`, `male`).
    pub gender: &'static str,
}

/// Builds reasons tersely.
fn why(
    feature: &'static str,
    value: impl ToString,
    test: &'static str,
    threshold: &'static str,
    limit: impl ToString,
) -> Reason {
    Reason { feature, value: value.to_string(), test, threshold, limit: limit.to_string() }
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Labels a customer from their features.
pub fn label(features: &Features, given: Given, config: &LabelConfig) -> Labelling {
    let (f, c) = (features, config);
    let mut labels = Vec::with_capacity(DIMENSIONS.len());

    let years = f.years_in_market;
    let experience = if years < c.newcomer_below_years {
        Labelled {
            label: "newcomer",
            reasons: vec![why("years_in_market", years, "<", "newcomer_below_years", c.newcomer_below_years)],
        }
    } else if years < c.veteran_from_years {
        Labelled {
            label: "experienced",
            reasons: vec![
                why("years_in_market", years, ">=", "newcomer_below_years", c.newcomer_below_years),
                why("years_in_market", years, "<", "veteran_from_years", c.veteran_from_years),
            ],
        }
    } else {
        Labelled {
            label: "veteran",
            reasons: vec![why("years_in_market", years, ">=", "veteran_from_years", c.veteran_from_years)],
        }
    };
    labels.push(("experience", experience));

    let engagement = if f.logins_30d >= c.high_logins_30d {
        Labelled {
            label: "high",
            reasons: vec![why("logins_30d", f.logins_30d, ">=", "high_logins_30d", c.high_logins_30d)],
        }
    } else if f.trades_30d >= c.high_trades_30d {
        Labelled {
            label: "high",
            reasons: vec![why("trades_30d", f.trades_30d, ">=", "high_trades_30d", c.high_trades_30d)],
        }
    } else if f.logins_30d <= c.low_logins_30d && f.trades_30d == 0 {
        Labelled {
            label: "low",
            reasons: vec![
                why("logins_30d", f.logins_30d, "<=", "low_logins_30d", c.low_logins_30d),
                why("trades_30d", f.trades_30d, "=", "none", 0),
            ],
        }
    } else {
        Labelled {
            label: "medium",
            reasons: vec![
                why("logins_30d", f.logins_30d, "<", "high_logins_30d", c.high_logins_30d),
                why("trades_30d", f.trades_30d, "<", "high_trades_30d", c.high_trades_30d),
            ],
        }
    };
    let engaged_low = engagement.label == "low";
    labels.push(("engagement", engagement));

    let track = if f.round_trips < c.min_round_trips {
        Labelled {
            label: "too_little_history",
            reasons: vec![why("round_trips", f.round_trips, "<", "min_round_trips", c.min_round_trips)],
        }
    } else {
        let rate = f.win_rate_bp.unwrap_or(0);
        let reasons = vec![
            why("round_trips", f.round_trips, ">=", "min_round_trips", c.min_round_trips),
            why(
                "win_rate_bp",
                rate,
                if rate >= c.successful_win_rate_bp { ">=" } else { "<" },
                "successful_win_rate_bp",
                c.successful_win_rate_bp,
            ),
            why("realized_pnl", f.realized_pnl, if f.realized_pnl > 0 { ">" } else { "<=" }, "none", 0),
        ];
        let good = rate >= c.successful_win_rate_bp && f.realized_pnl > 0;
        Labelled { label: if good { "successful" } else { "unsuccessful" }, reasons }
    };
    labels.push(("track_record", track));

    let concentration = if f.positions == 0 {
        Labelled { label: "no_positions", reasons: vec![why("positions", 0, "=", "none", 0)] }
    } else if f.hhi_bp >= c.concentrated_hhi_bp {
        Labelled {
            label: "concentrated",
            reasons: vec![why("hhi_bp", f.hhi_bp, ">=", "concentrated_hhi_bp", c.concentrated_hhi_bp)],
        }
    } else if f.positions >= c.dispersed_positions && f.hhi_bp < c.dispersed_hhi_bp {
        Labelled {
            label: "dispersed",
            reasons: vec![
                why("positions", f.positions, ">=", "dispersed_positions", c.dispersed_positions),
                why("hhi_bp", f.hhi_bp, "<", "dispersed_hhi_bp", c.dispersed_hhi_bp),
            ],
        }
    } else {
        Labelled {
            label: "balanced",
            reasons: vec![why("hhi_bp", f.hhi_bp, "<", "concentrated_hhi_bp", c.concentrated_hhi_bp)],
        }
    };
    labels.push(("concentration", concentration));

    let losing = f.unrealized_pnl < 0;
    let pnl = if f.positions == 0 {
        Labelled { label: "no_positions", reasons: vec![why("positions", 0, "=", "none", 0)] }
    } else {
        let test = if losing { "<" } else { ">=" };
        Labelled {
            label: if losing { "losing" } else { "profitable" },
            reasons: vec![why("unrealized_pnl", f.unrealized_pnl, test, "none", 0)],
        }
    };
    labels.push(("position_pnl", pnl));

    // The seeds insist: a long-term holder and one who rarely trades because unsure look alike
    // by their trades; what they hold tells them apart (sitting on losses or in cash, or holding nothing).
    let style = if f.trades_90d > c.rare_trades_90d {
        Labelled {
            label: "active_trader",
            reasons: vec![why("trades_90d", f.trades_90d, ">", "rare_trades_90d", c.rare_trades_90d)],
        }
    } else {
        let rare = why("trades_90d", f.trades_90d, "<=", "rare_trades_90d", c.rare_trades_90d);
        if f.positions == 0 {
            Labelled { label: "unsure", reasons: vec![rare, why("positions", 0, "=", "none", 0)] }
        } else if losing {
            Labelled { label: "unsure", reasons: vec![rare, why("unrealized_pnl", f.unrealized_pnl, "<", "none", 0)] }
        } else if f.cash_share_bp >= c.unsure_cash_share_bp {
            Labelled {
                label: "unsure",
                reasons: vec![
                    rare,
                    why("cash_share_bp", f.cash_share_bp, ">=", "unsure_cash_share_bp", c.unsure_cash_share_bp),
                ],
            }
        } else {
            Labelled {
                label: "long_term_holder",
                reasons: vec![
                    rare,
                    why("unrealized_pnl", f.unrealized_pnl, ">=", "none", 0),
                    why("cash_share_bp", f.cash_share_bp, "<", "unsure_cash_share_bp", c.unsure_cash_share_bp),
                ],
            }
        }
    };
    labels.push(("trading_style", style));

    let band = c.age_bands.iter().rposition(|&edge| given.age >= edge);
    let age_label = age_band_label(&c.age_bands, band);
    let age_reason = match band {
        Some(k) => why("age", given.age, ">=", "age_bands", c.age_bands[k]),
        None => why("age", given.age, "<", "age_bands", c.age_bands.first().copied().unwrap_or(0)),
    };
    labels.push(("age_band", Labelled { label: age_label, reasons: vec![age_reason] }));
    labels.push((
        "gender",
        Labelled { label: given.gender, reasons: vec![why("gender", given.gender, "=", "as given", given.gender)] },
    ));

    let no_trade = f.days_since_last_trade.is_none_or(|d| d >= c.dormant_trade_days);
    let no_login = f.days_since_last_login.is_none_or(|d| d >= c.dormant_login_days);
    let lifecycle = if f.days_since_opened < c.new_within_days {
        Labelled {
            label: "new",
            reasons: vec![why("days_since_opened", f.days_since_opened, "<", "new_within_days", c.new_within_days)],
        }
    } else if no_trade && no_login {
        Labelled {
            label: "dormant",
            reasons: vec![
                why(
                    "days_since_last_trade",
                    opt(f.days_since_last_trade),
                    ">=",
                    "dormant_trade_days",
                    c.dormant_trade_days,
                ),
                why(
                    "days_since_last_login",
                    opt(f.days_since_last_login),
                    ">=",
                    "dormant_login_days",
                    c.dormant_login_days,
                ),
            ],
        }
    } else if f.days_since_return.is_some_and(|d| d < c.returning_within_days) {
        Labelled {
            label: "returning",
            reasons: vec![why(
                "days_since_return",
                opt(f.days_since_return),
                "<",
                "returning_within_days",
                c.returning_within_days,
            )],
        }
    } else {
        let reason = if no_trade {
            why("days_since_last_login", opt(f.days_since_last_login), "<", "dormant_login_days", c.dormant_login_days)
        } else {
            why("days_since_last_trade", opt(f.days_since_last_trade), "<", "dormant_trade_days", c.dormant_trade_days)
        };
        Labelled { label: "active", reasons: vec![reason] }
    };
    let dormant = lifecycle.label == "dormant";
    labels.push(("lifecycle", lifecycle));

    // Seed 003: advisors' time goes 60% to core and dormant customers, 30% to
    // maintaining, 10% to precipitating (small and quiet: served by the platform).
    let assets = |test, threshold, limit: Amount| why("assets", f.assets, test, threshold, limit);
    let tier = if dormant && f.assets >= c.wake_assets {
        Labelled {
            label: "dormant",
            reasons: vec![
                why("lifecycle", "dormant", "=", "lifecycle", "dormant"),
                assets(">=", "wake_assets", c.wake_assets),
            ],
        }
    } else if !dormant && f.assets >= c.core_assets {
        Labelled { label: "core", reasons: vec![assets(">=", "core_assets", c.core_assets)] }
    } else if !dormant && c.core_revenue_3m > 0 && f.revenue_3m >= c.core_revenue_3m {
        // Seed 002: equal assets, unequal value; the one who trades brings the firm more.
        Labelled {
            label: "core",
            reasons: vec![why("revenue_3m", f.revenue_3m, ">=", "core_revenue_3m", c.core_revenue_3m)],
        }
    } else if f.assets < c.wake_assets && (dormant || engaged_low) {
        let quiet = if dormant {
            why("lifecycle", "dormant", "=", "lifecycle", "dormant")
        } else {
            why("engagement", "low", "=", "engagement", "low")
        };
        Labelled { label: "precipitating", reasons: vec![assets("<", "wake_assets", c.wake_assets), quiet] }
    } else {
        Labelled { label: "maintaining", reasons: vec![assets("<", "core_assets", c.core_assets)] }
    };
    labels.push(("service_tier", tier));

    Labelling { version: c.version.clone(), labels }
}

/// The text of an age band: `under_30`, `30_44`, ..., `60_plus` (for the default edges).
fn age_band_label(edges: &[u32], band: Option<usize>) -> &'static str {
    // Labels are `&'static str`; a band's text is made and leaked once per distinct text.
    static BANDS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let text = match band {
        None => format!("under_{}", edges.first().copied().unwrap_or(0)),
        Some(k) if k + 1 == edges.len() => format!("{}_plus", edges[k]),
        Some(k) => format!("{}_{}", edges[k], edges[k + 1] - 1),
    };
    let mut bands = BANDS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = bands.iter().find(|b| **b == text) {
        return known;
    }
    let made: &'static str = Box::leak(text.into_boxed_str());
    bands.push(made);
    made
}

/// A label that changed on a dimension, and why the customer has the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The dimension, as in [`DIMENSIONS`].
    pub dimension: &'static str,
    /// The label before ("" when there was none).
    pub from: String,
    /// The label now.
    pub to: &'static str,
    /// What decided the new label.
    pub reasons: Vec<Reason>,
}

/// How a customer's labels moved: `before` as (dimension, label) pairs, as stored.
pub fn moves(before: &[(String, String)], after: &Labelling) -> Vec<Move> {
    after
        .labels
        .iter()
        .filter_map(|(dimension, now)| {
            let was = before.iter().find(|(d, _)| d == dimension).map_or("", |(_, l)| l.as_str());
            (was != now.label).then(|| Move {
                dimension,
                from: was.to_string(),
                to: now.label,
                reasons: now.reasons.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A middle-of-the-road customer; tests change what they are about.
    fn features() -> Features {
        Features {
            years_in_market: 5,
            days_since_opened: 400,
            logins_30d: 4,
            logins_90d: 10,
            trades_30d: 2,
            trades_90d: 6,
            days_since_last_trade: Some(3),
            days_since_last_login: Some(1),
            days_since_return: None,
            turnover_90d_bp: 5_000,
            realized_pnl: 1_000_000,
            round_trips: 10,
            win_rate_bp: Some(6_000),
            avg_holding_days: Some(20),
            untracked_shares_sold: 0,
            positions: 4,
            largest_weight_bp: 4_000,
            hhi_bp: 3_000,
            unrealized_pnl: 500_000,
            assets: 200_000 * 10_000,
            cash_share_bp: 2_000,
            commission: 10_000,
            revenue_3m: 0,
        }
    }

    const GIVEN: Given = Given { age: 41, gender: "female" };

    fn labels_of(f: &Features) -> Labelling {
        label(f, GIVEN, &LabelConfig::default())
    }

    #[test]
    fn a_middle_customer() {
        let l = labels_of(&features());
        let got: Vec<_> = DIMENSIONS.iter().map(|d| l.label(d)).collect();
        assert_eq!(
            got,
            [
                "experienced",
                "medium",
                "successful",
                "balanced",
                "profitable",
                "active_trader",
                "30_44",
                "female",
                "active",
                "maintaining"
            ]
        );
        assert_eq!(l.get("experience").unwrap().reasons[1].to_string(), "years_in_market 5 < 8 (veteran_from_years)");
    }

    #[test]
    fn experience_and_engagement_at_their_edges() {
        let mut f = features();
        f.years_in_market = 1;
        assert_eq!(labels_of(&f).label("experience"), "newcomer");
        f.years_in_market = 8;
        assert_eq!(labels_of(&f).label("experience"), "veteran");
        f.logins_30d = 8;
        assert_eq!(labels_of(&f).label("engagement"), "high");
        (f.logins_30d, f.trades_30d) = (0, 6);
        assert_eq!(labels_of(&f).label("engagement"), "high");
        (f.logins_30d, f.trades_30d) = (1, 0);
        assert_eq!(labels_of(&f).label("engagement"), "low");
        (f.logins_30d, f.trades_30d) = (2, 0);
        assert_eq!(labels_of(&f).label("engagement"), "medium");
    }

    #[test]
    fn track_record_needs_history_and_both_a_win_rate_and_a_profit() {
        let mut f = features();
        f.round_trips = 4;
        assert_eq!(labels_of(&f).label("track_record"), "too_little_history");
        f.round_trips = 5;
        f.realized_pnl = -1;
        assert_eq!(labels_of(&f).label("track_record"), "unsuccessful", "wins more often but loses more");
        (f.realized_pnl, f.win_rate_bp) = (1, Some(4_999));
        assert_eq!(labels_of(&f).label("track_record"), "unsuccessful");
    }

    #[test]
    fn positions_concentrated_balanced_dispersed_and_their_pnl() {
        let mut f = features();
        f.hhi_bp = 4_000;
        assert_eq!(labels_of(&f).label("concentration"), "concentrated");
        (f.hhi_bp, f.positions) = (1_400, 8);
        assert_eq!(labels_of(&f).label("concentration"), "dispersed");
        f.positions = 7;
        assert_eq!(labels_of(&f).label("concentration"), "balanced");
        f.unrealized_pnl = -1;
        assert_eq!(labels_of(&f).label("position_pnl"), "losing");
        f.positions = 0;
        assert_eq!(labels_of(&f).label("position_pnl"), "no_positions");
    }

    #[test]
    fn rare_traders_are_told_apart_by_what_they_hold() {
        let mut f = features();
        f.trades_90d = 3;
        assert_eq!(labels_of(&f).label("trading_style"), "long_term_holder");
        f.unrealized_pnl = -200_000;
        let l = labels_of(&f);
        assert_eq!(l.label("trading_style"), "unsure");
        assert_eq!(l.get("trading_style").unwrap().reasons[1].feature, "unrealized_pnl");
        (f.unrealized_pnl, f.cash_share_bp) = (0, 6_000);
        assert_eq!(labels_of(&f).label("trading_style"), "unsure", "mostly in cash");
        (f.cash_share_bp, f.positions) = (0, 0);
        assert_eq!(labels_of(&f).label("trading_style"), "unsure", "holds nothing");
    }

    #[test]
    fn lifecycle_and_service_tier() {
        let mut f = features();
        f.days_since_opened = 30;
        assert_eq!(labels_of(&f).label("lifecycle"), "new");
        f.days_since_opened = 400;
        (f.days_since_last_trade, f.days_since_last_login) = (Some(90), None);
        let l = labels_of(&f);
        assert_eq!((l.label("lifecycle"), l.label("service_tier")), ("dormant", "dormant"), "200,000 CNY asleep");
        f.assets = 40_000 * 10_000;
        assert_eq!(labels_of(&f).label("service_tier"), "precipitating");
        (f.days_since_last_trade, f.days_since_last_login, f.days_since_return) = (Some(2), Some(0), Some(2));
        assert_eq!(labels_of(&f).label("lifecycle"), "returning");
        f.assets = 500_000 * 10_000;
        assert_eq!(labels_of(&f).label("service_tier"), "core");
    }

    #[test]
    fn equal_assets_unequal_value_seed_002() {
        // Two customers with 100,000 CNY each: one trades once a month (15 CNY
        // of commission a quarter), the other every day (1,200 CNY).
        let mut monthly = features();
        (monthly.assets, monthly.revenue_3m) = (100_000 * 10_000, 15 * 10_000);
        let mut daily = monthly;
        daily.revenue_3m = 1_200 * 10_000;
        assert_eq!(labels_of(&monthly).label("service_tier"), "maintaining");
        let l = labels_of(&daily);
        assert_eq!(l.label("service_tier"), "core", "the daily trader brings the firm more");
        let reasons = &l.labels.iter().find(|(d, _)| *d == "service_tier").unwrap().1.reasons;
        assert!(reasons.iter().any(|r| r.feature == "revenue_3m"), "{reasons:?}");
        // Turned off, assets alone decide.
        let c = LabelConfig { core_revenue_3m: 0, ..LabelConfig::default() };
        assert_eq!(label(&daily, GIVEN, &c).label("service_tier"), "maintaining");
    }

    #[test]
    fn age_bands_follow_the_configuration() {
        let f = features();
        for (age, band) in [(18, "under_30"), (30, "30_44"), (44, "30_44"), (59, "45_59"), (60, "60_plus")] {
            assert_eq!(label(&f, Given { age, gender: "male" }, &LabelConfig::default()).label("age_band"), band);
        }
    }

    #[test]
    fn configuration_is_checked_and_a_change_reports_who_moved_and_why() {
        let err = LabelConfig::from_json(r#"{"veteran_from_yrs": 10}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = LabelConfig::from_json(r#"{"newcomer_below_years": 9}"#).unwrap_err();
        assert!(err.to_string().contains("veteran_from_years"), "{err}");
        let stricter = LabelConfig::from_json(r#"{"version": "2", "veteran_from_years": 5}"#).unwrap();
        let before = labels_of(&features());
        let stored: Vec<(String, String)> =
            before.labels.iter().map(|(d, l)| (d.to_string(), l.label.to_string())).collect();
        let after = label(&features(), GIVEN, &stricter);
        let moved = moves(&stored, &after);
        assert_eq!(moved.len(), 1);
        assert_eq!((moved[0].dimension, moved[0].from.as_str(), moved[0].to), ("experience", "experienced", "veteran"));
        assert_eq!(moved[0].reasons[0].to_string(), "years_in_market 5 >= 5 (veteran_from_years)");
        assert!(moves(&stored, &before).is_empty());
    }
}
