//! News and corporate events on holdings: a notice event on the event path
//! (title, text or link, instruments, time, source) is stored once per
//! event id, listed on its instruments' pages, and reaches every account
//! holding one of them, and so its advisor, as a reminder. The dated
//! corporate events that cost holders money when missed carry their
//! deadline and say what to do before it.

use crate::risk_desk::{DeskError, RiskDesk};
use crate::Error;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use domain::NoticeId;
use serde_json::Value;
use store::{Db, NewNotice, NewReminder, NoticeRow};

/// The event type of a notice on the events feed.
pub const EVENT_TYPE: &str = "notice";

/// The rule name notices' reminders are stored under.
pub const RULE: &str = "notice";

/// The kinds of notice, with what a holder should do before the deadline.
pub const KINDS: [&str; 6] =
    ["news", "forced_redemption", "rights_payment", "allotment_payment", "st_designation", "delisting_consolidation"];

/// What a dated corporate event asks of a holder, in Chinese and English.
pub fn what_to_do(kind: &str, deadline: NaiveDate) -> Option<(String, String)> {
    let (zh, en) = match kind {
        "forced_redemption" => (
            format!("可转债将被强制赎回：请在 {deadline} 前卖出或转股，否则将按约面值被赎回，可能损失大部分市值。"),
            format!(
                "The convertible will be redeemed: sell or convert by {deadline}, or it is redeemed near par and most of its market value can be lost."
            ),
        ),
        "rights_payment" => (
            format!("配股缴款截止 {deadline}：未缴款的配股权失效，持仓按除权价被摊薄。"),
            format!("Rights issue payment is due by {deadline}: unpaid rights lapse and the holding is diluted at the ex-rights price."),
        ),
        "allotment_payment" => (
            format!("中签缴款截止 {deadline}：请确保账户资金充足，否则视为放弃认购。"),
            format!("Payment for the allotted new shares or bonds is due by {deadline}: keep enough cash in the account, or the allotment is forfeited."),
        ),
        "st_designation" => (
            format!("自 {deadline} 起实施风险警示（ST），涨跌幅限制随之改变，请留意风险。"),
            format!("The stock is designated ST from {deadline}: its price band changes; mind the risk."),
        ),
        "delisting_consolidation" => (
            format!("将进入退市整理期，最后交易日 {deadline}，之后将难以卖出。"),
            format!("The stock enters its delisting period; its last trading day is {deadline}, after which selling is hard."),
        ),
        _ => return None,
    };
    Some((zh, en))
}

/// A field of a notice event as text (absent or null: empty).
fn text(event: &Value, field: &str) -> String {
    match &event[field] {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads a notice event: (field at fault, why) when it does not read.
pub fn parse(event: &Value) -> Result<NewNotice, (&'static str, String)> {
    const FIELDS: [&str; 10] =
        ["type", "id", "kind", "title", "body", "link", "source", "time", "deadline", "instruments"];
    if let Some(unknown) = event.as_object().and_then(|o| o.keys().find(|k| !FIELDS.contains(&k.as_str()))) {
        return Err(("type", format!("'{unknown}' is not a field of a notice ({})", FIELDS[1..].join(", "))));
    }
    let event_id = text(event, "id");
    if event_id.is_empty() || event_id.len() > 128 {
        return Err(("id", "a notice needs an id of 1 to 128 characters (a repeated id is stored once)".into()));
    }
    let kind = text(event, "kind");
    let kind = if kind.is_empty() { "news".to_owned() } else { kind };
    if !KINDS.contains(&kind.as_str()) {
        return Err(("kind", format!("'{kind}' is not a kind of notice ({})", KINDS.join(", "))));
    }
    let title = text(event, "title");
    if title.is_empty() || title.chars().count() > 200 {
        return Err(("title", "a title of 1 to 200 characters".into()));
    }
    let (body, link) = (text(event, "body"), text(event, "link"));
    if body.is_empty() && link.is_empty() {
        return Err(("body", "a notice carries a text or a link".into()));
    }
    if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
        return Err(("link", format!("'{link}' is not an http(s) link")));
    }
    let source = text(event, "source");
    if source.is_empty() {
        return Err(("source", "say where the notice came from (an exchange, a wire, the issuer)".into()));
    }
    let at = domain::parse_timestamp("time", &text(event, "time")).map_err(|e| ("time", e.to_string()))?;
    let deadline = match text(event, "deadline").as_str() {
        "" => None,
        d => Some(d.parse::<NaiveDate>().map_err(|_| ("deadline", format!("'{d}' is not a date (YYYY-MM-DD)")))?),
    };
    if kind != "news" && deadline.is_none() {
        return Err(("deadline", format!("a {kind} notice needs its deadline (YYYY-MM-DD)")));
    }
    let codes: Vec<String> = match &event["instruments"] {
        Value::Array(items) => items.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect(),
        other => text(&serde_json::json!({ "x": other }), "x")
            .split([';', ',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let mut instruments = Vec::new();
    for code in codes {
        let parsed = domain::InstrumentCode::parse(&code)
            .map_err(|_| ("instruments", format!("'{code}' is not an instrument code like 600519.SH")))?;
        instruments.push(parsed.to_string());
    }
    instruments.sort();
    instruments.dedup();
    if instruments.is_empty() {
        return Err(("instruments", "name the instruments it concerns".into()));
    }
    Ok(NewNotice {
        event_id,
        kind,
        title,
        body,
        link: (!link.is_empty()).then_some(link),
        source,
        at,
        deadline,
        instruments,
    })
}

/// What taking one notice did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Stored, with the reminders made for its holders.
    Stored {
        /// The notice.
        id: NoticeId,
        /// Reminders made (one per holding account and instrument).
        reminders: usize,
    },
    /// Its event id was stored already: no second effect.
    AlreadyPresent,
    /// It names an instrument we do not know.
    UnknownInstrument(String),
}

/// Stores a notice and reminds every holder of its instruments (and,
/// through the reminders' scope, their advisors).
pub async fn take(db: &Db, desk: &RiskDesk, notice: NewNotice) -> Result<Taken, Error> {
    let known = db.known_instruments(&notice.instruments).await?;
    if let Some(unknown) = notice.instruments.iter().find(|c| !known.contains(c)) {
        return Ok(Taken::UnknownInstrument(unknown.clone()));
    }
    let mut unit = db.begin().await?;
    let Some(id) = unit.insert_notice(&notice).await? else {
        // Nothing to keep: the write lock goes before the reminders' own unit takes it.
        drop(unit);
        // A repeat remakes only reminders a crash may have kept from being
        // stored after the notice was: the store keeps one per account,
        // notice and day, so those made are not made twice.
        if let Some(stored) = db.notice_by_event(&notice.event_id).await? {
            let now = db.now();
            let reminders = reminders_for(db, desk, &notice, stored.id, now).await?;
            desk.announce(&reminders, now).await.map_err(desk_error)?;
        }
        return Ok(Taken::AlreadyPresent);
    };
    unit.commit().await?;
    let now = db.now();
    let reminders = reminders_for(db, desk, &notice, id, now).await?;
    let made = desk.announce(&reminders, now).await.map_err(desk_error)?;
    Ok(Taken::Stored { id, reminders: made })
}

fn desk_error(e: DeskError) -> Error {
    match e {
        DeskError::Store(s) => Error::Store(s),
        other => Error::Store(store::StoreError::Corrupt { what: "risk desk", reason: other.to_string() }),
    }
}

/// One reminder per account holding one of the notice's instruments.
async fn reminders_for(
    db: &Db,
    desk: &RiskDesk,
    notice: &NewNotice,
    id: NoticeId,
    now: DateTime<Utc>,
) -> Result<Vec<NewReminder>, Error> {
    let holders = db.holders_of(&notice.instruments).await?;
    let calendar = market::TradingCalendar::current();
    let trading_day = calendar.session_of(domain::to_shanghai(notice.at).date_naive());
    let local = domain::to_shanghai(now);
    let wait = desk.quiet_hours().wait((local.hour() * 60 + local.minute()) as u16);
    let mut names = std::collections::HashMap::new();
    for code in &notice.instruments {
        let name = db.instrument(&domain::InstrumentCode::parse(code)?).await?.map(|i| i.name).unwrap_or_default();
        names.insert(code.clone(), name);
    }
    let todo = notice.deadline.and_then(|d| what_to_do(&notice.kind, d));
    Ok(holders
        .into_iter()
        .map(|(account, code, quantity)| {
            let name = &names[&code];
            let (mut zh, mut en) = (
                format!("【公告】{name}（{code}）：{}", notice.title),
                format!("Notice on {name} ({code}): {}", notice.title),
            );
            if let Some((z, e)) = &todo {
                zh = format!("{zh}。{z}");
                en = format!("{en}. {e}");
            }
            NewReminder {
                account_id: domain::AccountId(account),
                rule: RULE.into(),
                instrument: Some(code),
                // A notice's reminders are one per account and notice: the step names the notice.
                step: i32::try_from(id.0).unwrap_or(i32::MAX),
                measure: quantity,
                figures: serde_json::json!({
                    "notice_id": id.0,
                    "kind": notice.kind,
                    "deadline": notice.deadline,
                    "link": notice.link,
                    "source": notice.source,
                    "quantity": quantity,
                })
                .to_string(),
                text_zh: zh,
                text_en: en,
                rule_version: "notice".into(),
                trading_day,
                created_at: now,
                deliver_at: now + Duration::minutes(i64::from(wait)),
                care_task: None,
            }
        })
        .collect())
}

/// Takes the notice events of an events-feed call (type `notice`): each
/// checked, stored once per id, and its holders reminded; answers the
/// call's report for them (none when it carried no notice).
pub async fn receive(
    db: &Db,
    desk: &RiskDesk,
    events: &[Value],
) -> Result<Option<crate::feeds::FeedFileReport>, Error> {
    let mut report = crate::feeds::FeedFileReport {
        file: "notices",
        read: 0,
        loaded: 0,
        already_present: 0,
        rejected: 0,
        rejects: Vec::new(),
    };
    for (index, event) in events.iter().enumerate().filter(|(_, e)| e["type"] == EVENT_TYPE) {
        report.read += 1;
        let reject = |column: &str, reason: String| crate::feeds::FeedReject {
            at: index as u64,
            column: column.to_owned(),
            reason,
        };
        let outcome = match parse(event) {
            Ok(notice) => take(db, desk, notice).await?,
            Err((column, reason)) => {
                report.rejected += 1;
                report.rejects.push(reject(column, reason));
                continue;
            }
        };
        match outcome {
            Taken::Stored { .. } => report.loaded += 1,
            Taken::AlreadyPresent => report.already_present += 1,
            Taken::UnknownInstrument(code) => {
                report.rejected += 1;
                report.rejects.push(reject("instruments", format!("no instrument {code}")));
            }
        }
    }
    Ok((report.read > 0).then_some(report))
}

/// Reminds the holders of dated corporate events again as the deadline
/// comes: on the session before the last day and on the last day itself,
/// once each (the store keeps one reminder per account, notice and day).
/// Run by the outbox; answers how many reminders were made.
pub async fn remind_deadlines(db: &Db, desk: &RiskDesk) -> Result<usize, Error> {
    let now = db.now();
    let calendar = market::TradingCalendar::current();
    let today = domain::to_shanghai(now).date_naive();
    if !calendar.is_trading_day(today) {
        return Ok(0);
    }
    let next = calendar.next_trading_day(today);
    let mut made = 0;
    for (n, instruments) in db.notices_due(today, next).await? {
        let notice = NewNotice {
            event_id: n.event_id.clone(),
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            source: n.source.clone(),
            // Reminded on today's session.
            at: now,
            deadline: n.deadline,
            instruments,
        };
        let reminders = reminders_for(db, desk, &notice, n.id, now).await?;
        made += desk.announce(&reminders, now).await.map_err(desk_error)?;
    }
    Ok(made)
}

/// Notices on an instrument, newest first.
pub async fn on_instrument(db: &Db, code: &str, limit: i64) -> Result<Vec<NoticeRow>, Error> {
    Ok(db.notices_on(code, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({ "type": "notice", "id": "n-1", "kind": "forced_redemption", "title": "触发有条件赎回条款",
                "body": "本公司决定行使提前赎回权", "source": "SSE", "time": "2026-11-02 08:30:00",
                "deadline": "2026-11-20", "instruments": "113050.SH" })
    }

    #[test]
    fn a_dated_notice_reads_and_says_what_to_do_by_its_deadline() {
        let n = parse(&event()).unwrap();
        assert_eq!((n.kind.as_str(), n.instruments.as_slice()), ("forced_redemption", &["113050.SH".to_owned()][..]));
        let (zh, en) = what_to_do(&n.kind, n.deadline.unwrap()).unwrap();
        assert!(zh.contains("2026-11-20") && en.contains("sell or convert by 2026-11-20"));
        assert_eq!(what_to_do("news", n.deadline.unwrap()), None);
    }

    #[test]
    fn a_bad_notice_names_its_field() {
        let with = |field: &str, value: Value| {
            let mut e = event();
            e[field] = value;
            parse(&e).unwrap_err().0
        };
        assert_eq!(with("deadline", Value::Null), "deadline");
        assert_eq!(with("kind", json!("rumour")), "kind");
        assert_eq!(with("instruments", json!("113050")), "instruments");
        assert_eq!(with("time", json!("yesterday")), "time");
        assert_eq!(with("link", json!("ftp://x")), "link");
        assert_eq!(with("id", json!("")), "id");
        let mut news = event();
        news["kind"] = json!("news");
        news["deadline"] = Value::Null;
        news["instruments"] = json!(["600519.SH", "000001.SZ", "600519.SH"]);
        assert_eq!(parse(&news).unwrap().instruments, ["000001.SZ", "600519.SH"]);
    }
}
