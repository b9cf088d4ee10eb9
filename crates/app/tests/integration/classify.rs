//! `brokerdesk classify` on a generated brokerage, on both backends: batch
//! and incremental agree, labels are stored, and a changed configuration
//! reports who moved and why.

use app::classify::{classify_all, features_of, given_of, stored_pairs, CustomerFeed};
use chrono::NaiveDate;
use classify::labels::label;
use classify::LabelConfig;
use domain::CustomerId;
use std::collections::HashMap;

#[tokio::test]
async fn batch_and_incremental_agree_and_a_new_configuration_reports_moves() {
    let mut all = vec![test_support::sqlite().await];
    all.extend(test_support::postgres().await);
    for mut t in all {
        test_support::load_book(&mut t, 1_300, 650).await;
        let as_of: NaiveDate = app::classify::book_day(&t.db).await.unwrap().expect("a book with trades");
        let config = LabelConfig::default();
        let first = classify_all(&t.db, &config, as_of, false).await.unwrap();
        assert_eq!(first.customers, 1_300, "{}: a page of 2,000 stored in two statements of 1,000", t.name);
        assert!(first.moves.is_empty(), "{}: nothing stored before the first run", t.name);
        assert!(first.tiers.len() >= 3, "{}: a generated book spans the tiers: {:?}", t.name, first.tiers);

        // Incremental: every customer's trades and logins fed as they happened,
        // interleaved across customers, into one feed per customer.
        let histories = t.db.customer_histories(CustomerId(i64::MIN), CustomerId(i64::MAX)).await.unwrap();
        let mut events: Vec<(chrono::DateTime<chrono::Utc>, i64, usize, Option<usize>)> = Vec::new();
        for (c, h) in histories.iter().enumerate() {
            events.extend(h.trades.iter().enumerate().map(|(k, tr)| (tr.time, tr.id.0, c, Some(k))));
            events.extend(h.logins.iter().map(|&time| (time, i64::MAX, c, None)));
        }
        events.sort();
        let mut feeds: HashMap<usize, CustomerFeed> = HashMap::new();
        for (time, _, c, trade) in events {
            let feed = feeds.entry(c).or_default();
            match trade {
                Some(k) => {
                    let _refused = feed.on_trade(histories[c].customer_id, &histories[c].trades[k]);
                }
                None => feed.on_login(time),
            }
        }
        let stored = t.db.stored_labels(CustomerId(i64::MIN), CustomerId(i64::MAX)).await.unwrap();
        assert_eq!(stored.len(), 1_300);
        // The last three months' revenue comes from the analytics counts, not the trades fed here.
        let month = analytics::Month::of(as_of);
        let revenue = t.db.revenue_of(i64::MIN, i64::MAX, month.plus(-2), month).await.unwrap();
        assert!(revenue.len() > 100, "{}: customers with revenue: {}", t.name, revenue.len());
        let mut traded = 0;
        for (c, (h, s)) in histories.iter().zip(&stored).enumerate() {
            assert_eq!(h.customer_id, s.customer_id);
            let mut incremental = feeds.get(&c).cloned().unwrap_or_default().features(h, as_of);
            let mut batch = features_of(h, as_of, &mut Vec::new());
            let earned = revenue.get(&h.customer_id.0).copied().unwrap_or(0);
            (incremental.revenue_3m, batch.revenue_3m) = (earned, earned);
            assert_eq!(incremental, batch, "{}: customer {}", t.name, h.customer_id);
            assert_eq!(serde_json::to_string(&batch).unwrap(), s.features, "{}: stored features", t.name);
            let labels = label(&incremental, given_of(h, as_of), &config);
            let pairs: Vec<(String, String)> =
                labels.labels.iter().map(|(d, l)| (d.to_string(), l.label.to_string())).collect();
            assert_eq!(pairs, stored_pairs(s).unwrap(), "{}: stored labels", t.name);
            traded += usize::from(batch.round_trips > 0);
        }
        assert!(traded > 50, "{}: the generated trades make round trips ({traded})", t.name);

        // The same configuration again: nobody moves.
        let again = classify_all(&t.db, &config, as_of, false).await.unwrap();
        assert_eq!((again.moved_customers, again.moves.len()), (0, 0), "{}", t.name);

        // Veterans from five years instead of eight: those with 5-7 years move, and say why.
        let changed = LabelConfig::from_json(r#"{"version": "test-2", "veteran_from_years": 5}"#).unwrap();
        let moved = classify_all(&t.db, &changed, as_of, false).await.unwrap();
        let expected = stored
            .iter()
            .filter(|s| {
                let years = serde_json::from_str::<serde_json::Value>(&s.features).unwrap()["years_in_market"]
                    .as_u64()
                    .unwrap();
                (5..8).contains(&years)
            })
            .count() as u64;
        assert!(expected > 0, "{}", t.name);
        let experience: Vec<_> = moved.moves.iter().filter(|(_, m)| m.dimension == "experience").collect();
        assert_eq!(experience.len() as u64, expected, "{}", t.name);
        assert!(experience.iter().all(|(_, m)| m.from == "experienced" && m.to == "veteran"));
        assert!(experience[0].1.reasons[0].to_string().ends_with(">= 5 (veteran_from_years)"), "{}", t.name);
        let version = t.text("SELECT MIN(version) FROM customer_labels").await;
        assert_eq!(version, "test-2", "{}: labels stored with their configuration's version", t.name);
    }
}
