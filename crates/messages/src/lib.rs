//! The message catalogues (`locales/zh.ftl`, `locales/en.ftl`) read by
//! Fluent, and numbers and money the way each language's reader expects them.
//! Pages, API errors and the command line take every word from here, never
//! from string literals; an error's message is the catalogue entry
//! `error-<its code>`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::sync::OnceLock;

/// A reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Simplified Chinese (the default).
    Zh,
    /// English.
    En,
}

/// The catalogue of one language.
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    keys: Vec<String>,
}

impl Catalogue {
    fn load(tag: &str, source: &str) -> Catalogue {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("locales/{tag}.ftl does not parse: {errors:?}"));
        let keys = resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        let language: unic_langid::LanguageIdentifier = tag.parse().expect("a language tag");
        let mut bundle = FluentBundle::new_concurrent(vec![language]);
        // No Unicode isolation marks around placeholders: the texts are all left to right.
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).unwrap_or_else(|errors| panic!("locales/{tag}.ftl: {errors:?}"));
        Catalogue { bundle, keys }
    }
}

impl Locale {
    /// Both languages.
    pub const ALL: [Locale; 2] = [Locale::Zh, Locale::En];

    /// From a language tag such as `en`, `en-US` or `zh-CN`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        match tag.trim().get(..2) {
            Some("en") => Some(Locale::En),
            Some("zh") => Some(Locale::Zh),
            _ => None,
        }
    }

    /// The first of: an explicit choice (`?lang=`), a remembered one (a
    /// cookie), the first language the browser asks for; Chinese otherwise.
    pub fn negotiate(chosen: Option<&str>, remembered: Option<&str>, accept_language: Option<&str>) -> Locale {
        chosen
            .and_then(Locale::from_tag)
            .or_else(|| remembered.and_then(Locale::from_tag))
            .or_else(|| accept_language.and_then(|v| v.split(',').next()).and_then(Locale::from_tag))
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

    fn catalogue(self) -> &'static Catalogue {
        static ZH: OnceLock<Catalogue> = OnceLock::new();
        static EN: OnceLock<Catalogue> = OnceLock::new();
        match self {
            Locale::Zh => ZH.get_or_init(|| Catalogue::load("zh", include_str!("../locales/zh.ftl"))),
            Locale::En => EN.get_or_init(|| Catalogue::load("en", include_str!("../locales/en.ftl"))),
        }
    }

    /// Every message key of this language's catalogue.
    pub fn keys(self) -> &'static [String] {
        &self.catalogue().keys
    }

    /// Whether the catalogue has a message for the key.
    pub fn has(self, key: &str) -> bool {
        self.catalogue().bundle.has_message(key)
    }

    /// The message for `prefix-value`, or the value as stored when there is
    /// none (a stored kind, channel or label the catalogue does not name).
    pub fn term(self, prefix: &str, value: &str) -> String {
        let key = format!("{prefix}-{value}");
        if self.has(&key) {
            self.t(&key)
        } else {
            value.to_owned()
        }
    }

    /// The message for a key; the key itself if missing (a test checks none is).
    pub fn t(self, key: &str) -> String {
        self.t_with(key, &[])
    }

    /// The message with its variables: a value that reads as a number is
    /// passed as one, so that plural selectors (`[one]`, `*[other]`) choose by it.
    pub fn t_with(self, key: &str, args: &[(&str, String)]) -> String {
        let bundle = &self.catalogue().bundle;
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else { return key.to_owned() };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value.parse::<f64>() {
                Ok(n) if !value.is_empty() => fluent_args.set(*name, FluentValue::from(n)),
                _ => fluent_args.set(*name, FluentValue::from(value.as_str())),
            }
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let zh: BTreeSet<_> = Locale::Zh.keys().iter().collect();
        let en: BTreeSet<_> = Locale::En.keys().iter().collect();
        assert_eq!(zh.symmetric_difference(&en).collect::<Vec<_>>(), Vec::<&&String>::new());
        assert!(zh.len() > 40);
    }

    #[test]
    fn every_message_formats_in_both_languages_without_errors() {
        for locale in Locale::ALL {
            let bundle = &locale.catalogue().bundle;
            for key in locale.keys() {
                let pattern = bundle.get_message(key).and_then(|m| m.value()).expect(key);
                // Variables left unset are reported as errors; the text itself must resolve.
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, None, &mut errors);
                assert!(!text.trim().is_empty(), "{key}");
                for e in &errors {
                    let unset_variable = matches!(
                        e,
                        fluent_bundle::FluentError::ResolverError(fluent_bundle::resolver::ResolverError::Reference(_))
                    );
                    assert!(unset_variable, "{}: {key}: {e:?}", locale.tag());
                }
            }
        }
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
    fn placeholders_are_filled_and_plurals_chosen() {
        let s = Locale::En.t_with("customers-more-than", &[("count", "10000".into())]);
        assert_eq!(s, "More than 10000 customers");
        assert_eq!(Locale::En.t_with("plan-hours-saved", &[("hours", "1".into())]), "Saved: 1 hour a week.");
        assert_eq!(Locale::En.t_with("plan-hours-saved", &[("hours", "20".into())]), "Saved: 20 hours a week.");
        assert_eq!(Locale::Zh.t_with("plan-hours-saved", &[("hours", "1".into())]), "已保存：每周 1 小时。");
    }

    #[test]
    fn the_language_is_negotiated_in_order() {
        assert_eq!(Locale::negotiate(Some("en"), Some("zh"), Some("zh-CN")), Locale::En);
        assert_eq!(Locale::negotiate(None, Some("en"), Some("zh-CN")), Locale::En);
        assert_eq!(Locale::negotiate(None, None, Some("en-US,en;q=0.9")), Locale::En);
        assert_eq!(Locale::negotiate(Some("fr"), None, None), Locale::Zh);
    }
}
