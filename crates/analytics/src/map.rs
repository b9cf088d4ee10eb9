//! The customer map: customers as points by two features the viewer picks,
//! and a region of it saved as a segment (seed 000 finds its seed users in
//! such scatter plots of stock users' characteristics).

use serde::{Deserialize, Serialize};

/// A feature a customer can be placed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapFeature {
    /// Assets now (cash and market value), CNY.
    Assets,
    /// Whole years since the customer entered the market.
    YearsInMarket,
    /// Trades per month over the last 90 days.
    TradesPerMonth,
    /// Share of closed round trips that made money, % (the track record).
    WinRate,
    /// Average days a sold share was held.
    HoldingDays,
    /// Herfindahl index of the holdings' weights, % (100: one position).
    Concentration,
    /// Holdings' value less their cost, CNY.
    UnrealizedPnl,
    /// Profit of closed round trips, CNY.
    RealizedPnl,
    /// Amount traded in the last 90 days over assets, %.
    Turnover,
    /// Revenue to the firm in the last three months, CNY.
    Revenue,
}

impl MapFeature {
    /// Every feature, in the order the page offers them.
    pub const ALL: [MapFeature; 10] = [
        MapFeature::Assets,
        MapFeature::YearsInMarket,
        MapFeature::TradesPerMonth,
        MapFeature::WinRate,
        MapFeature::HoldingDays,
        MapFeature::Concentration,
        MapFeature::UnrealizedPnl,
        MapFeature::RealizedPnl,
        MapFeature::Turnover,
        MapFeature::Revenue,
    ];

    /// Its name in the API and the catalogues.
    pub fn code(self) -> &'static str {
        match self {
            MapFeature::Assets => "assets",
            MapFeature::YearsInMarket => "years_in_market",
            MapFeature::TradesPerMonth => "trades_per_month",
            MapFeature::WinRate => "win_rate",
            MapFeature::HoldingDays => "holding_days",
            MapFeature::Concentration => "concentration",
            MapFeature::UnrealizedPnl => "unrealized_pnl",
            MapFeature::RealizedPnl => "realized_pnl",
            MapFeature::Turnover => "turnover",
            MapFeature::Revenue => "revenue",
        }
    }

    /// Reads a feature's name.
    pub fn parse(text: &str) -> Option<MapFeature> {
        MapFeature::ALL.into_iter().find(|f| f.code() == text)
    }

    /// Whether the axis reads better on a log scale (money spans six orders).
    pub fn logarithmic(self) -> bool {
        matches!(self, MapFeature::Assets)
    }
}

/// A rectangle of the map, in the features' own units, bounds included.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Least x.
    pub x_min: f64,
    /// Most x.
    pub x_max: f64,
    /// Least y.
    pub y_min: f64,
    /// Most y.
    pub y_max: f64,
}

/// Why a region cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// A bound is not a number.
    #[error("a bound of the region is not a finite number")]
    NotFinite,
    /// A least bound above its most.
    #[error("a region's least bound is above its most")]
    Backwards,
}

impl Region {
    /// A region from its bounds, checked.
    pub fn new(x_min: f64, x_max: f64, y_min: f64, y_max: f64) -> Result<Region, RegionError> {
        if ![x_min, x_max, y_min, y_max].iter().all(|v| v.is_finite()) {
            return Err(RegionError::NotFinite);
        }
        if x_min > x_max || y_min > y_max {
            return Err(RegionError::Backwards);
        }
        Ok(Region { x_min, x_max, y_min, y_max })
    }

    /// Whether a point lies in it.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (self.x_min..=self.x_max).contains(&x) && (self.y_min..=self.y_max).contains(&y)
    }
}

/// Every how-many-th customer the map draws so that at most `most` of
/// `total` are drawn (1: all of them).
pub fn sample_stride(total: u64, most: u64) -> u64 {
    total.div_ceil(most.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_read_back_by_name() {
        for f in MapFeature::ALL {
            assert_eq!(MapFeature::parse(f.code()), Some(f));
        }
        assert_eq!(MapFeature::parse("height"), None);
    }

    #[test]
    fn a_region_holds_its_bounds_and_refuses_nonsense() {
        let r = Region::new(0.0, 10.0, -5.0, 5.0).unwrap();
        assert!(r.contains(0.0, 5.0) && r.contains(10.0, -5.0) && !r.contains(10.1, 0.0));
        assert_eq!(Region::new(1.0, 0.0, 0.0, 1.0), Err(RegionError::Backwards));
        assert_eq!(Region::new(f64::NAN, 0.0, 0.0, 1.0), Err(RegionError::NotFinite));
    }

    #[test]
    fn the_sample_keeps_the_map_drawable() {
        assert_eq!(sample_stride(3_000, 5_000), 1);
        assert_eq!(sample_stride(10_000_000, 5_000), 2_000);
        assert_eq!(sample_stride(0, 5_000), 1);
    }
}
