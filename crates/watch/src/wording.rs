//! A reminder in plain words, in Chinese and in English.

use crate::rules::{Bp, Rule, Trigger};

/// What a sentence names besides the trigger's own figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context<'a> {
    /// The instrument's short name (empty for account rules).
    pub name: &'a str,
    /// The instrument's code.
    pub code: &'a str,
    /// The instrument's price now (0.001 CNY).
    pub price: i32,
    /// Trading days the holding has been trapped below cost.
    pub trapped_days: u16,
    /// The account's loss on the day (0.001 CNY, positive for a loss).
    pub day_loss: i64,
}

/// Basis points as a percentage with two decimals: 512 -> "5.12".
fn percent(bp: Bp) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", bp.abs() / 100, bp.abs() % 100)
}

/// 0.001 CNY as yuan: two decimals unless the third is needed.
fn yuan(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let m = milli.unsigned_abs();
    if m.is_multiple_of(10) {
        format!("{sign}{}.{:02}", m / 1000, (m % 1000) / 10)
    } else {
        format!("{sign}{}.{:03}", m / 1000, m % 1000)
    }
}

/// The reminder's sentence as (Chinese, English).
pub fn sentences(trigger: &Trigger, c: &Context) -> (String, String) {
    let (name, code, m) = (c.name, c.code, trigger.measure);
    let price = yuan(i64::from(c.price));
    match trigger.rule {
        Rule::StockDrop => (
            format!("您持有的{name}（{code}）今日下跌{}%，现价{price}元，请留意风险。", percent(m)),
            format!(
                "{name} ({code}), which you hold, is down {}% today at {price} CNY. Please mind the risk.",
                percent(m)
            ),
        ),
        Rule::LimitDown => (
            format!("您持有的{name}（{code}）已跌停，现价{price}元。"),
            format!("{name} ({code}), which you hold, is at its limit-down price of {price} CNY."),
        ),
        Rule::AccountDayLoss => (
            // It measures the holdings' value, not the cash beside it: say so.
            format!("您的持仓市值今日下跌{}%（{}元，不含现金）。", percent(m), yuan(c.day_loss)),
            format!("Your holdings (cash not included) are down {}% today ({} CNY).", percent(m), yuan(c.day_loss)),
        ),
        Rule::Drawdown => (
            format!("您的持仓较20日高点回撤{}%。", percent(m)),
            format!("Your holdings are {}% below their 20-day peak.", percent(m)),
        ),
        Rule::Concentration => (
            format!("{name}（{code}）占您账户市值的{}%，持仓集中，请注意分散风险。", percent(m)),
            format!(
                "{name} ({code}) is {}% of your account: a concentrated position; consider spreading the risk.",
                percent(m)
            ),
        ),
        Rule::HeavyBelowMa20 => (
            format!("您的重仓股{name}（{code}）跌破20日均线，现价{price}元。"),
            format!("Your heavy holding {name} ({code}) fell below its 20-day average, now {price} CNY."),
        ),
        Rule::HeavyMacdDeathCross => (
            format!("您的重仓股{name}（{code}）MACD出现死叉。"),
            format!("Your heavy holding {name} ({code}) made a MACD death cross."),
        ),
        Rule::Trapped => (
            format!("{name}（{code}）已低于您的成本{}%，持续{}个交易日。", percent(m), c.trapped_days),
            format!("{name} ({code}) has been {}% below your cost for {} trading days.", percent(m), c.trapped_days),
        ),
        Rule::Disclosure => match crate::holders::of_step(trigger.step) {
            (level, crate::holders::Disclosure::Report) if level < crate::holders::DISCLOSE_AT_PERCENT => (
                format!(
                    "您名下各账户合计持有{name}（{code}）已发行有表决权股份的{}%，已降至5%以下：应在3个交易日内报告并公告，期间不得再买卖该股票。",
                    percent(m)
                ),
                format!(
                    "Your accounts together now hold {}% of the voting shares of {name} ({code}), below 5%: report and announce it within 3 trading days, and do not trade the stock until then.",
                    percent(m)
                ),
            ),
            (level, crate::holders::Disclosure::Report) => (
                format!(
                    "您名下各账户合计持有{name}（{code}）已发行有表决权股份的{}%，达到{}%：应在3个交易日内向证监会和交易所报告并公告，期间不得再买卖该股票。",
                    percent(m),
                    level / 5 * 5
                ),
                format!(
                    "Your accounts together hold {}% of the voting shares of {name} ({code}), past {}%: report to the CSRC and the exchange and announce it within 3 trading days, and do not trade the stock until then.",
                    percent(m),
                    level / 5 * 5
                ),
            ),
            (level, crate::holders::Disclosure::Notice) => (
                format!(
                    "您名下各账户合计持有{name}（{code}）已发行有表决权股份的{}%，较上次变动达1%（现{}%档）：应在次一交易日公告。",
                    percent(m),
                    level
                ),
                format!(
                    "Your accounts together hold {}% of the voting shares of {name} ({code}), a 1% step (now the {}% level): announce it by the next trading day.",
                    percent(m),
                    level
                ),
            ),
        },
        Rule::MonthLossCare => (
            format!("本月至今亏损{}元，您的投资顾问将与您联系。", yuan(m)),
            format!("Down {} CNY this month; your advisor will be in touch.", yuan(m)),
        ),
        Rule::TakeProfit => (
            format!(
                "您持有的{name}（{code}）现价{price}元，较您的成本上涨{}%，可考虑分批止盈、锁定收益。",
                percent(m)
            ),
            format!(
                "{name} ({code}), which you hold, is at {price} CNY, {}% over your cost: consider taking some profit.",
                percent(m)
            ),
        ),
    }
}

/// The title of the advisor's care task for a month's loss.
pub fn care_task_title(trigger: &Trigger) -> String {
    format!("关怀 Care: 本月亏损 down {} CNY this month", yuan(trigger.measure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_loss_says_it_measures_the_holdings_without_cash() {
        let t = Trigger { account: 1, rule: Rule::AccountDayLoss, instrument: None, step: 1, measure: 520 };
        let (zh, en) = sentences(&t, &Context { day_loss: 12_345_000, ..Context::default() });
        assert_eq!(zh, "您的持仓市值今日下跌5.20%（12345.00元，不含现金）。");
        assert!(en.contains("holdings (cash not included)"), "{en}");
    }

    #[test]
    fn a_stock_drop_reads_plainly_in_both_languages() {
        let t = Trigger { account: 1, rule: Rule::StockDrop, instrument: Some(0), step: 2, measure: 712 };
        let c = Context { name: "贵州茅台", code: "600519.SH", price: 1_402_500, ..Context::default() };
        let (zh, en) = sentences(&t, &c);
        assert_eq!(zh, "您持有的贵州茅台（600519.SH）今日下跌7.12%，现价1402.50元，请留意风险。");
        assert_eq!(
            en,
            "贵州茅台 (600519.SH), which you hold, is down 7.12% today at 1402.50 CNY. Please mind the risk."
        );
    }

    #[test]
    fn amounts_and_percentages() {
        assert_eq!(percent(500), "5.00");
        assert_eq!(percent(-7), "-0.07");
        assert_eq!(yuan(57_700_000), "57700.00");
        assert_eq!(yuan(3_141), "3.141");
        let t = Trigger { account: 1, rule: Rule::MonthLossCare, instrument: None, step: 1, measure: 57_700_000 };
        assert_eq!(
            sentences(&t, &Context::default()).1,
            "Down 57700.00 CNY this month; your advisor will be in touch."
        );
    }
}
