//! What a group's rules prohibit in a message, and the ladder of sanctions.
//! Every finding names the rule and the words that broke it, so the member
//! sees why and can appeal, and the moderation log can say it.

use crate::screening::{Category, Screen};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use domain::{CustomerId, GroupId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// A rule a message can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Violation {
    /// Promising returns: 保本, 稳赚, "guaranteed return".
    GuaranteedReturns,
    /// Claiming inside information.
    InsiderTip,
    /// A phone, WeChat or QQ number: taking customers off the platform.
    OffPlatformContact,
    /// A link to another site.
    ExternalLink,
    /// Pushing stocks: many codes at once, or a pusher's phrases.
    StockPushing,
    /// Illegal stock-tip services: 荐股, paid tip groups.
    IllegalTipService,
    /// Too many messages too fast.
    Flood,
    /// Talking stocks outside trading hours, where the group's policy forbids it.
    StocksOutsideTradingHours,
}

impl Violation {
    /// The stable text form (as stored and sent).
    pub fn as_str(self) -> &'static str {
        match self {
            Violation::GuaranteedReturns => "guaranteed_returns",
            Violation::InsiderTip => "insider_tip",
            Violation::OffPlatformContact => "off_platform_contact",
            Violation::ExternalLink => "external_link",
            Violation::StockPushing => "stock_pushing",
            Violation::IllegalTipService => "illegal_tip_service",
            Violation::Flood => "flood",
            Violation::StocksOutsideTradingHours => "stocks_outside_trading_hours",
        }
    }
}

/// One broken rule and the words that broke it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule.
    pub violation: Violation,
    /// The offending words, as written.
    pub excerpt: String,
    /// What they matched and how they were disguised ("保证收益 (separators)").
    pub reason: String,
}

/// A group's content rules; the defaults are the firm's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupRules {
    /// Phrases that promise returns (besides the firm's lexicon).
    pub guaranteed_returns: Vec<String>,
    /// Phrases that claim inside information (besides the firm's lexicon).
    pub insider_tips: Vec<String>,
    /// Phrases of stock pushers (besides the firm's lexicon).
    pub pushing_phrases: Vec<String>,
    /// This many distinct stock codes in one message is pushing.
    pub max_stock_codes: usize,
    /// At most this many messages ...
    pub flood_messages: usize,
    /// ... in this many seconds.
    pub flood_seconds: i64,
    /// Stocks may be discussed only during trading hours.
    pub stocks_only_in_trading_hours: bool,
}

impl Default for GroupRules {
    fn default() -> Self {
        // The phrases are the firm's lexicon (crate::screening); a group adds its own.
        GroupRules {
            guaranteed_returns: Vec::new(),
            insider_tips: Vec::new(),
            pushing_phrases: Vec::new(),
            max_stock_codes: 3,
            flood_messages: 5,
            flood_seconds: 10,
            stocks_only_in_trading_hours: false,
        }
    }
}

/// Runs of digits.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// An A-share code: 6 digits on a board's prefix.
fn is_stock_code(digits: &str) -> bool {
    digits.len() == 6 && ["60", "00", "30", "68"].iter().any(|p| digits.starts_with(p))
}

impl From<Category> for Violation {
    fn from(category: Category) -> Violation {
        match category {
            Category::GuaranteedReturns => Violation::GuaranteedReturns,
            Category::InsiderTip => Violation::InsiderTip,
            Category::StockPushing => Violation::StockPushing,
            Category::OffPlatformContact => Violation::OffPlatformContact,
            Category::ExternalLink => Violation::ExternalLink,
            Category::IllegalTipService => Violation::IllegalTipService,
        }
    }
}

/// Everything in `text` the rules prohibit (before the flood and the hours,
/// which need the sender and time): the firm's screen, the group's own
/// phrases on top, and its limit on stock codes.
pub fn findings(rules: &GroupRules, text: &str) -> Vec<Finding> {
    let extra: Vec<(Category, &str)> = rules
        .guaranteed_returns
        .iter()
        .map(|p| (Category::GuaranteedReturns, p.as_str()))
        .chain(rules.insider_tips.iter().map(|p| (Category::InsiderTip, p.as_str())))
        .chain(rules.pushing_phrases.iter().map(|p| (Category::StockPushing, p.as_str())))
        .collect();
    let mut out: Vec<Finding> = Screen::firm()
        .check(text, &extra)
        .into_iter()
        .map(|hit| Finding { violation: hit.category.into(), reason: hit.reason(), excerpt: hit.matched })
        .collect();
    let runs = digit_runs(text);
    let mut codes: Vec<&str> = runs.iter().map(String::as_str).filter(|d| is_stock_code(d)).collect();
    codes.sort_unstable();
    codes.dedup();
    if rules.max_stock_codes > 0 && codes.len() >= rules.max_stock_codes {
        let pushing = Finding {
            violation: Violation::StockPushing,
            excerpt: codes.join(" "),
            reason: format!("{} stock codes", codes.len()),
        };
        out.retain(|f| f.violation != Violation::StockPushing);
        out.push(pushing);
    }
    out
}

/// Whether a message mentions a stock code (for the trading-hours policy).
pub fn mentions_stock(text: &str) -> bool {
    digit_runs(text).iter().any(|d| is_stock_code(d))
}

/// Whether `at` is in an A-share trading session (09:30-11:30, 13:00-15:00,
/// Beijing time) of a day the exchanges open (`open`: the trading calendar's
/// answer for a Beijing date, so holidays are closed too).
pub fn in_trading_hours(at: DateTime<Utc>, open: impl Fn(NaiveDate) -> bool) -> bool {
    let local = at.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"));
    if matches!(local.weekday(), Weekday::Sat | Weekday::Sun) || !open(local.date_naive()) {
        return false;
    }
    let t = local.time();
    let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a valid time");
    (hm(9, 30) <= t && t < hm(11, 30)) || (hm(13, 0) <= t && t < hm(15, 0))
}

/// A member's recent messages, for the flood limit.
#[derive(Debug, Clone, Default)]
pub struct FloodWindow {
    recent: VecDeque<DateTime<Utc>>,
    // The window's length under the rules of the last message counted.
    span: Duration,
}

impl FloodWindow {
    /// Records a message at `at`; false when it breaks the limit (it is not counted then).
    pub fn admit(&mut self, rules: &GroupRules, at: DateTime<Utc>) -> bool {
        let window = Duration::seconds(rules.flood_seconds);
        self.span = window;
        while self.recent.front().is_some_and(|&t| at - t >= window) {
            self.recent.pop_front();
        }
        if self.recent.len() >= rules.flood_messages {
            return false;
        }
        self.recent.push_back(at);
        true
    }

    /// Nothing it counted is still in the window at `at`: forgetting it changes nothing.
    pub fn lapsed(&self, at: DateTime<Utc>) -> bool {
        self.recent.back().is_none_or(|&t| at - t >= self.span)
    }
}

/// Windows kept before the first sweep of lapsed ones.
const FLOOD_WINDOWS_BEFORE_SWEEP: usize = 1024;

/// Every member's flood window, by (group, customer). Windows with nothing
/// left in them are forgotten whenever the map has doubled since the last
/// sweep, so a long-running server holds only the members writing lately.
#[derive(Debug, Default)]
pub struct FloodWindows {
    windows: HashMap<(GroupId, CustomerId), FloodWindow>,
    sweep_at: usize,
}

impl FloodWindows {
    /// Records a member's message at `at` in their window; false when it breaks the limit.
    pub fn admit(&mut self, group_id: GroupId, customer_id: CustomerId, rules: &GroupRules, at: DateTime<Utc>) -> bool {
        if self.windows.len() >= self.sweep_at.max(FLOOD_WINDOWS_BEFORE_SWEEP) {
            self.windows.retain(|_, w| !w.lapsed(at));
            self.sweep_at = 2 * self.windows.len();
        }
        self.windows.entry((group_id, customer_id)).or_default().admit(rules, at)
    }

    /// Windows held.
    pub fn len(&self) -> usize {
        self.windows.len()
    }

    /// No window is held.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }
}

/// What happens to a member who breaks a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    /// A warning; the message is withheld.
    Warn,
    /// Muted for an hour.
    MuteHour,
    /// Muted for a day.
    MuteDay,
    /// Removed from the group.
    Remove,
}

impl Sanction {
    /// Every sanction, mildest first.
    pub const ALL: [Sanction; 4] = [Sanction::Warn, Sanction::MuteHour, Sanction::MuteDay, Sanction::Remove];

    /// The stable text form (as stored and sent).
    pub fn as_str(self) -> &'static str {
        match self {
            Sanction::Warn => "warn",
            Sanction::MuteHour => "mute_hour",
            Sanction::MuteDay => "mute_day",
            Sanction::Remove => "remove",
        }
    }

    /// Reads the text form; none for anything else.
    pub fn parse(text: &str) -> Option<Sanction> {
        Sanction::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The ladder: the first offence warns, then an hour's mute, a day's, then removal.
    /// `prior` counts the member's earlier sanctions in the group that stand (not overturned on appeal).
    pub fn for_offence(prior: u32) -> Sanction {
        match prior {
            0 => Sanction::Warn,
            1 => Sanction::MuteHour,
            2 => Sanction::MuteDay,
            _ => Sanction::Remove,
        }
    }

    /// How long the member is muted, if they are.
    pub fn mute(self) -> Option<Duration> {
        match self {
            Sanction::MuteHour => Some(Duration::hours(1)),
            Sanction::MuteDay => Some(Duration::hours(24)),
            Sanction::Warn | Sanction::Remove => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken(text: &str) -> Vec<Violation> {
        findings(&GroupRules::default(), text).into_iter().map(|f| f.violation).collect()
    }

    #[test]
    fn each_kind_of_prohibited_content_is_found_with_its_words() {
        assert_eq!(broken("这只票保本稳赚，放心买"), vec![Violation::GuaranteedReturns]);
        assert_eq!(broken("I have an Insider Tip for you"), vec![Violation::InsiderTip]);
        assert_eq!(broken("加我微信：abc12345 细聊"), vec![Violation::OffPlatformContact]);
        assert_eq!(broken("电话 138 1234 5678"), vec![Violation::OffPlatformContact]);
        assert_eq!(broken("QQ号 123456789"), vec![Violation::OffPlatformContact]);
        assert_eq!(broken("看这里 https://example.com/x"), vec![Violation::ExternalLink]);
        assert_eq!(broken("details at stocks.xyz/today"), vec![Violation::ExternalLink]);
        assert_eq!(broken("600519 000001 300750 都能买"), vec![Violation::StockPushing]);
        assert_eq!(broken("明天必涨，跟我买"), vec![Violation::StockPushing]);
        let f = findings(&GroupRules::default(), "电话13812345678");
        assert_eq!(f[0].excerpt, "13812345678", "the member sees the words that broke the rule");
    }

    #[test]
    fn text_forms_match_what_is_serialized() {
        for s in Sanction::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(Sanction::parse(s.as_str()), Some(s));
        }
        assert_eq!(Sanction::parse("ban"), None);
        let v = Violation::StocksOutsideTradingHours;
        assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
    }

    #[test]
    fn ordinary_talk_passes() {
        for ok in [
            "老师，600519今天怎么看？",
            "收到，谢谢",
            "MACD 金叉了，成交量 12345 手",
            "我的持仓亏了 5%，需要止损吗",
            "the index closed at 3,300.5 today",
        ] {
            assert!(broken(ok).is_empty(), "{ok}: {:?}", broken(ok));
        }
    }

    #[test]
    fn a_group_can_tighten_or_loosen_its_rules() {
        let rules = GroupRules { max_stock_codes: 0, ..GroupRules::default() };
        assert!(findings(&rules, "600519 000001 300750").is_empty());
        assert_eq!(broken("必涨"), vec![Violation::StockPushing], "the firm's lexicon holds in every group");
        let rules: GroupRules = serde_json::from_str(r#"{"guaranteed_returns": ["翻倍"]}"#).unwrap();
        assert_eq!(findings(&rules, "三个月翻倍")[0].violation, Violation::GuaranteedReturns);
        assert!(serde_json::from_str::<GroupRules>(r#"{"flood": 3}"#).is_err(), "typos are refused");
    }

    #[test]
    fn flood_limit_counts_a_sliding_window() {
        let rules = GroupRules::default(); // 5 in 10 s
        let mut w = FloodWindow::default();
        let t0 = DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z").unwrap().to_utc();
        for s in 0..5 {
            assert!(w.admit(&rules, t0 + Duration::seconds(s)));
        }
        assert!(!w.admit(&rules, t0 + Duration::seconds(5)), "the sixth in 10 s");
        assert!(w.admit(&rules, t0 + Duration::seconds(10)), "the first has left the window");
        assert!(!w.lapsed(t0 + Duration::seconds(19)) && w.lapsed(t0 + Duration::seconds(20)));
    }

    #[test]
    fn lapsed_flood_windows_are_forgotten_and_live_ones_kept() {
        let rules = GroupRules::default(); // 5 in 10 s
        let t0 = DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z").unwrap().to_utc();
        let mut windows = FloodWindows::default();
        // A flooder fills their window; 2,047 others write once each.
        for _ in 0..5 {
            assert!(windows.admit(GroupId(1), CustomerId(0), &rules, t0));
        }
        for c in 1..2048 {
            assert!(windows.admit(GroupId(1), CustomerId(c), &rules, t0 + Duration::seconds(5)));
        }
        assert_eq!(windows.len(), 2048);
        // 12 s on, the flooder's window has lapsed and so have the others'...
        assert!(windows.admit(GroupId(2), CustomerId(1), &rules, t0 + Duration::seconds(16)));
        assert_eq!(windows.len(), 1, "only the newest window is held");
        // ... while a window still counting survives a sweep with its count.
        for _ in 0..5 {
            assert!(windows.admit(GroupId(3), CustomerId(7), &rules, t0 + Duration::seconds(20)));
        }
        for c in 0..2048 {
            windows.admit(GroupId(4), CustomerId(c), &rules, t0 + Duration::seconds(21));
        }
        assert_eq!(windows.len(), 2 + 2048, "nothing had lapsed: every window kept");
        assert!(
            !windows.admit(GroupId(3), CustomerId(7), &rules, t0 + Duration::seconds(22)),
            "the sixth in 10 s is still refused"
        );
    }

    #[test]
    fn trading_hours_and_the_ladder() {
        let weekday = |_: NaiveDate| true;
        let bj = |s: &str| DateTime::parse_from_rfc3339(&format!("{s}+08:00")).unwrap().to_utc();
        assert!(in_trading_hours(bj("2026-11-23T10:00:00"), weekday));
        assert!(!in_trading_hours(bj("2026-11-23T12:00:00"), weekday));
        assert!(!in_trading_hours(bj("2026-11-23T15:00:00"), weekday));
        assert!(!in_trading_hours(bj("2026-11-22T10:00:00"), weekday), "a Sunday");
        let holiday = |d: NaiveDate| d != NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(!in_trading_hours(bj("2026-11-23T10:00:00"), holiday), "a weekday the exchanges close");
        assert!(mentions_stock("说说 600519") && !mentions_stock("说说茅台"));
        let ladder: Vec<Sanction> = (0..5).map(Sanction::for_offence).collect();
        assert_eq!(ladder, [Sanction::Warn, Sanction::MuteHour, Sanction::MuteDay, Sanction::Remove, Sanction::Remove]);
        assert_eq!(Sanction::MuteDay.mute(), Some(Duration::hours(24)));
    }
}
