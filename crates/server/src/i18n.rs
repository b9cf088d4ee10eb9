//! Message catalogues (`locales/*.ftl`, simple Fluent messages with `{ $var }`
//! placeholders) and Chinese-style number formatting. Pages take every word
//! from here, never from string literals.

use axum::http::HeaderMap;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

impl Locale {
    /// From `?lang=`, else the `lang` cookie, else Accept-Language; Chinese by default.
    pub fn choose(query_lang: Option<&str>, headers: &HeaderMap) -> Locale {
        let from_tag = |t: &str| match t.trim().get(..2) {
            Some("en") => Some(Locale::En),
            Some("zh") => Some(Locale::Zh),
            _ => None,
        };
        if let Some(l) = query_lang.and_then(from_tag) {
            return l;
        }
        let cookie = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix("lang=").and_then(from_tag));
        if let Some(l) = cookie {
            return l;
        }
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(from_tag)
            .unwrap_or(Locale::Zh)
    }

    /// The tag used in URLs and the html lang attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Locale {
        match self {
            Locale::Zh => Locale::En,
            Locale::En => Locale::Zh,
        }
    }

    fn catalogue(self) -> &'static HashMap<String, String> {
        static ZH: OnceLock<HashMap<String, String>> = OnceLock::new();
        static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
        match self {
            Locale::Zh => ZH.get_or_init(|| parse(include_str!("../locales/zh.ftl"))),
            Locale::En => EN.get_or_init(|| parse(include_str!("../locales/en.ftl"))),
        }
    }

    /// The message for a key; the key itself if missing (a test checks none is).
    pub fn t(self, key: &str) -> String {
        self.catalogue().get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    /// Whether the catalogue has a message for the key.
    pub fn has(self, key: &str) -> bool {
        self.catalogue().contains_key(key)
    }

    /// The message with `{ $name }` placeholders filled.
    pub fn t_with(self, key: &str, args: &[(&str, String)]) -> String {
        args.iter().fold(self.t(key), |s, (name, value)| s.replace(&format!("{{ ${name} }}"), value))
    }

    /// Money the way a reader of this language expects: 万 and 亿 in Chinese.
    pub fn money(self, amount: Decimal) -> String {
        let yuan = amount.round_dp(2);
        let abs = yuan.abs();
        match self {
            Locale::Zh if abs >= Decimal::new(100_000_000, 0) => {
                format!("¥{}亿", group((yuan / Decimal::new(100_000_000, 0)).round_dp(2)))
            }
            Locale::Zh if abs >= Decimal::new(10_000, 0) => {
                format!("¥{}万", group((yuan / Decimal::new(10_000, 0)).round_dp(2)))
            }
            Locale::Zh => format!("¥{}", group(yuan)),
            Locale::En => format!("CNY {}", group(yuan)),
        }
    }

    /// A share as a percentage with one decimal.
    pub fn percent(self, part: i64, whole: i64) -> String {
        if whole == 0 {
            return "0.0%".into();
        }
        format!("{:.1}%", (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).to_f64().unwrap_or(0.0))
    }
}

/// Groups an amount's integer digits in threes with two decimals: 1,234,567.80.
pub fn group(value: Decimal) -> String {
    let text = format!("{:.2}", value.round_dp(2));
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

fn parse(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let zh: std::collections::BTreeSet<_> = Locale::Zh.catalogue().keys().collect();
        let en: std::collections::BTreeSet<_> = Locale::En.catalogue().keys().collect();
        assert_eq!(zh, en);
        assert!(zh.len() > 40);
    }

    #[test]
    fn chinese_money_uses_wan_and_yi() {
        assert_eq!(Locale::Zh.money(Decimal::new(12_345_678_900, 2)), "¥1.23亿");
        assert_eq!(Locale::Zh.money(Decimal::new(45_678_900, 2)), "¥45.68万");
        assert_eq!(Locale::Zh.money(Decimal::new(999_950, 2)), "¥9,999.50");
        assert_eq!(Locale::En.money(Decimal::new(12_345_678_900, 2)), "CNY 123,456,789.00");
        assert_eq!(group(Decimal::new(-100_000, 2)), "-1,000.00");
    }

    #[test]
    fn placeholders_are_filled() {
        let s = Locale::En.t_with("page-of", &[("page", "2".into()), ("pages", "9".into())]);
        assert_eq!(s, "Page 2 of 9");
    }
}
