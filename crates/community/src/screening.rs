//! Screening that survives evasion (issue 29). Exact phrases are beaten by
//! `保 证 收 益`, `稳-赚-不-赔`, `加 V：stock888`, pinyin and full-width
//! letters, so text is normalized before it is matched: full-width to
//! half-width, letter case, traditional to simplified, separators between
//! characters, Chinese numerals in long numbers, and the lexicon's homophones
//! (威信 for 微信); phrases are also matched by sound when written in pinyin
//! or with one character swapped for a homophone. The lexicon is
//! configuration ([`Lexicon`], JSON, versioned); every [`Hit`] says what it
//! matched, in the words written, and how the text had been disguised.

use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// What kind of prohibited content a phrase or pattern is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Promising returns: 保本, 稳赚.
    GuaranteedReturns,
    /// Claiming inside information.
    InsiderTip,
    /// Pushing stocks: 必涨, 跟我买.
    StockPushing,
    /// A phone, WeChat or QQ handle: taking customers off the platform.
    OffPlatformContact,
    /// A link to another site.
    ExternalLink,
    /// Illegal stock-tip services: 荐股, 私聊领牛股, paid groups.
    IllegalTipService,
}

impl Category {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::GuaranteedReturns => "guaranteed_returns",
            Category::InsiderTip => "insider_tip",
            Category::StockPushing => "stock_pushing",
            Category::OffPlatformContact => "off_platform_contact",
            Category::ExternalLink => "external_link",
            Category::IllegalTipService => "illegal_tip_service",
        }
    }
}

/// A disguise the normalizer took off before the text matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disguise {
    /// Full-width or other compatibility forms (ｗｘ, ５).
    FullWidth,
    /// Upper-case letters.
    LetterCase,
    /// Traditional characters (保證).
    Traditional,
    /// Spaces, punctuation or symbols between the characters.
    Separators,
    /// Chinese numerals in a number (一三八...).
    ChineseNumerals,
    /// A homophone or look-alike from the lexicon (威信 for 微信).
    Homophone,
    /// Written in pinyin, or a character swapped for one that sounds the same.
    Pinyin,
}

impl Disguise {
    const ALL: [Disguise; 7] = [
        Disguise::FullWidth,
        Disguise::LetterCase,
        Disguise::Traditional,
        Disguise::Separators,
        Disguise::ChineseNumerals,
        Disguise::Homophone,
        Disguise::Pinyin,
    ];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Disguise::FullWidth => "full_width",
            Disguise::LetterCase => "letter_case",
            Disguise::Traditional => "traditional",
            Disguise::Separators => "separators",
            Disguise::ChineseNumerals => "chinese_numerals",
            Disguise::Homophone => "homophone",
            Disguise::Pinyin => "pinyin",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// One phrase of the lexicon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The phrase, as one would write it plainly.
    pub phrase: String,
    /// What it is.
    pub category: Category,
    /// Longer words that contain the phrase and are harmless (无风险利率 for 无风险).
    #[serde(default)]
    pub except: Vec<String>,
}

/// A spelling that stands for another word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Homophone {
    /// As evaders write it (威信).
    pub written: String,
    /// What it means (微信).
    pub means: String,
}

/// The firm's screening lexicon: configuration, versioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Its version, recorded with every hit.
    pub version: String,
    /// Prohibited phrases.
    pub entries: Vec<Entry>,
    /// Spellings that stand for other words.
    #[serde(default)]
    pub homophones: Vec<Homophone>,
    /// Words that, right before a phrase, make it harmless (不保证收益, 谨防荐股).
    #[serde(default)]
    pub negations: Vec<String>,
    /// Words that, just after a phrase, show it is being warned against (承诺保本的都是骗局).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Words after which a WeChat or QQ id is a contact handle.
    #[serde(default)]
    pub contact_markers: Vec<String>,
}

/// Why a lexicon cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// Not JSON of a lexicon.
    #[error("the lexicon is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// No version.
    #[error("the lexicon has no version")]
    NoVersion,
    /// A phrase that normalizes to nothing.
    #[error("entry {index}: the phrase {phrase:?} is empty once spaces and punctuation are removed")]
    EmptyPhrase {
        /// Its position (from 1).
        index: usize,
        /// As written.
        phrase: String,
    },
}

impl Lexicon {
    /// The lexicon that ships with Brokerdesk.
    pub fn firm_default() -> Lexicon {
        Lexicon::parse(include_str!("../lexicon.json")).expect("the shipped lexicon is valid")
    }

    /// A lexicon from its JSON, checked.
    pub fn parse(json: &str) -> Result<Lexicon, LexiconError> {
        let lexicon: Lexicon = serde_json::from_str(json)?;
        if lexicon.version.trim().is_empty() {
            return Err(LexiconError::NoVersion);
        }
        for (k, e) in lexicon.entries.iter().enumerate() {
            if normalize(&e.phrase, &[]).chars.iter().all(|c| c.c == BREAK) {
                return Err(LexiconError::EmptyPhrase { index: k + 1, phrase: e.phrase.clone() });
            }
        }
        Ok(lexicon)
    }
}

/// One thing the screen found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// What it is.
    pub category: Category,
    /// The lexicon's phrase, or the pattern (`mobile number`, `wechat or qq id`, `link`).
    pub rule: String,
    /// The words as written.
    pub matched: String,
    /// The disguises taken off before it matched.
    pub disguises: Vec<Disguise>,
}

impl Hit {
    /// "保证收益 (separators, full_width)": the rule and how it was hidden.
    pub fn reason(&self) -> String {
        if self.disguises.is_empty() {
            return self.rule.clone();
        }
        let how: Vec<&str> = self.disguises.iter().map(|d| d.as_str()).collect();
        format!("{} ({})", self.rule, how.join(", "))
    }
}

/// Stands where punctuation divides two words: nothing matches across it.
const BREAK: char = '\u{1}';

/// A character of the normalized text and where it came from.
#[derive(Debug, Clone, Copy)]
struct Normal {
    c: char,
    /// The first and last original characters (indices) it stands for.
    from: usize,
    to: usize,
    /// Disguise bits.
    how: u8,
}

/// Normalized text.
#[derive(Debug, Clone)]
struct Normalized {
    chars: Vec<Normal>,
    /// The original characters.
    original: Vec<char>,
}

/// Separators dropped wherever they stand.
fn always_dropped(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}')
        || "-_·•*|/\\~+=^`'\"．.:：、“”‘’()（）[]【】{}<>《》〈〉…—–-～#@&$￥¥丶°".contains(c)
        || (c as u32 >= 0x2500 && c as u32 <= 0x27bf) // box drawing, shapes, dingbats
        || (c as u32 >= 0x1f300 && c as u32 <= 0x1faff && c != '🐂') // emoji between characters
}

/// Sentence punctuation: a break between words, dropped only beside a lone character (稳，赚，不，赔).
fn sentence_mark(c: char) -> bool {
    ",.!?;，。！？；\n".contains(c)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff)
}

fn numeral(c: char) -> Option<char> {
    let digits = ["〇零", "一壹幺", "二贰两", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖"];
    digits.iter().position(|set| set.contains(c)).map(|d| char::from(b'0' + d as u8))
}

/// The normalized form of `text`, homophones replaced.
fn normalize(text: &str, homophones: &[(Vec<char>, Vec<char>)]) -> Normalized {
    let original: Vec<char> = text.chars().collect();
    // Full width, case.
    let mut folded: Vec<Normal> = Vec::with_capacity(original.len());
    for (i, &c) in original.iter().enumerate() {
        let mut buf = [0u8; 4];
        let nfkc: String = c.encode_utf8(&mut buf).nfkc().collect();
        let width = if nfkc.chars().eq(std::iter::once(c)) { 0 } else { Disguise::FullWidth.bit() };
        for n in nfkc.chars() {
            for l in n.to_lowercase() {
                let case = if l != n { Disguise::LetterCase.bit() } else { 0 };
                folded.push(Normal { c: l, from: i, to: i, how: width | case });
            }
        }
    }
    // Traditional to simplified: the converter keeps one character for one.
    let as_text: String = folded.iter().map(|n| n.c).collect();
    let simplified: Vec<char> = fast2s::convert(&as_text).chars().collect();
    if simplified.len() == folded.len() {
        for (n, s) in folded.iter_mut().zip(simplified) {
            if n.c != s {
                n.c = s;
                n.how |= Disguise::Traditional.bit();
            }
        }
    }
    // Separators: dropped; sentence marks kept as breaks unless beside a lone character.
    let word = |n: &Normal| !always_dropped(n.c) && !sentence_mark(n.c);
    let mut joined: Vec<Normal> = Vec::with_capacity(folded.len());
    let mut k = 0;
    while k < folded.len() {
        let n = folded[k];
        if word(&n) {
            joined.push(n);
            k += 1;
            continue;
        }
        let start = k;
        while k < folded.len() && !word(&folded[k]) {
            k += 1;
        }
        let marks = folded[start..k].iter().any(|n| sentence_mark(n.c));
        if marks && !joined.is_empty() && k < folded.len() {
            // Lone: the word run on one side is a single character.
            let left_lone = joined.len() == 1 || !word_before(&folded, start, 2);
            let right_lone = k + 1 >= folded.len() || !word(&folded[k + 1]);
            if !(left_lone || right_lone) {
                joined.push(Normal { c: BREAK, from: start, to: k - 1, how: 0 });
            }
        }
    }
    // Chinese numerals inside long numbers (a phone written 一三八...).
    let mut k = 0;
    while k < joined.len() {
        let start = k;
        while k < joined.len() && (joined[k].c.is_ascii_digit() || numeral(joined[k].c).is_some()) {
            k += 1;
        }
        if k - start >= 7 && joined[start..k].iter().any(|n| numeral(n.c).is_some()) {
            for n in &mut joined[start..k] {
                if let Some(d) = numeral(n.c) {
                    n.c = d;
                    n.how |= Disguise::ChineseNumerals.bit();
                }
            }
        }
        k = k.max(start + 1);
    }
    // Homophones, longest first, left to right.
    let mut out: Vec<Normal> = Vec::with_capacity(joined.len());
    let mut k = 0;
    'chars: while k < joined.len() {
        for (written, means) in homophones {
            if joined.len() - k >= written.len()
                && joined[k..k + written.len()].iter().zip(written).all(|(n, w)| n.c == *w)
            {
                let (from, to) = (joined[k].from, joined[k + written.len() - 1].to);
                let how = joined[k..k + written.len()].iter().fold(Disguise::Homophone.bit(), |a, n| a | n.how);
                out.extend(means.iter().map(|&c| Normal { c, from, to, how }));
                k += written.len();
                continue 'chars;
            }
        }
        out.push(joined[k]);
        k += 1;
    }
    Normalized { chars: out, original }
}

/// Whether the two characters before `at` (skipping nothing) are both word characters.
fn word_before(folded: &[Normal], at: usize, count: usize) -> bool {
    at >= count && folded[at - count..at].iter().all(|n| !always_dropped(n.c) && !sentence_mark(n.c))
}

/// The text as pinyin letters, each remembering its normalized character:
/// built once per text, when it has Latin letters (pinyin can match only then).
#[derive(Debug)]
struct Letters {
    letters: String,
    owner: Vec<usize>,
    boundary: Vec<bool>,
}

impl Letters {
    fn of(text: &Normalized, sounds: &[Option<&'static str>]) -> Option<Letters> {
        if !text.chars.iter().any(|n| n.c.is_ascii_alphabetic()) {
            return None;
        }
        let mut letters = String::new();
        let mut owner = Vec::new();
        let mut boundary = Vec::new();
        for (k, n) in text.chars.iter().enumerate() {
            if n.c.is_ascii_alphabetic() {
                letters.push(n.c);
                owner.push(k);
                boundary.push(true);
            } else if let Some(s) = sounds[k] {
                for (j, l) in s.chars().enumerate() {
                    letters.push(l);
                    owner.push(k);
                    boundary.push(j == 0);
                }
            } else {
                letters.push(BREAK);
                owner.push(k);
                boundary.push(true);
            }
        }
        boundary.push(true);
        Some(Letters { letters, owner, boundary })
    }
}

/// A text ready to screen: normalized, each character's sound, its letters.
#[derive(Debug)]
struct Prepared {
    text: Normalized,
    sounds: Vec<Option<&'static str>>,
    letters: Option<Letters>,
}

/// A phrase ready to match.
#[derive(Debug, Clone)]
struct Phrase {
    category: Category,
    rule: String,
    chars: Vec<char>,
    /// Its syllables, when it is all Chinese characters.
    syllables: Option<Vec<&'static str>>,
    except: Vec<Vec<char>>,
}

/// How many characters before a phrase a negation of two or more characters still counts.
const NEGATION_REACH: usize = 4;

/// How many characters after a phrase a warning still counts.
const WARNING_REACH: usize = 8;

/// A compiled lexicon: what checks text.
#[derive(Debug, Clone)]
pub struct Screen {
    version: String,
    phrases: Vec<Phrase>,
    homophones: Vec<(Vec<char>, Vec<char>)>,
    negations: Vec<Vec<char>>,
    warnings: Vec<Vec<char>>,
    markers: Vec<Vec<char>>,
}

static FIRM: OnceLock<Screen> = OnceLock::new();

fn plain(text: &str) -> Vec<char> {
    normalize(text, &[]).chars.iter().map(|n| n.c).collect()
}

fn syllable(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

impl Screen {
    /// The screen for a lexicon.
    pub fn new(lexicon: &Lexicon) -> Screen {
        let mut homophones: Vec<(Vec<char>, Vec<char>)> =
            lexicon.homophones.iter().map(|h| (plain(&h.written), plain(&h.means))).collect();
        homophones.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        let phrases = lexicon
            .entries
            .iter()
            .map(|e| {
                let chars: Vec<char> = normalize(&e.phrase, &homophones).chars.iter().map(|n| n.c).collect();
                let syllables = chars
                    .iter()
                    .all(|&c| is_cjk(c))
                    .then(|| chars.iter().filter_map(|&c| syllable(c)).collect::<Vec<_>>())
                    .filter(|s| s.len() == chars.len());
                Phrase {
                    category: e.category,
                    rule: e.phrase.clone(),
                    chars,
                    syllables,
                    except: e
                        .except
                        .iter()
                        .map(|x| normalize(x, &homophones).chars.iter().map(|n| n.c).collect())
                        .collect(),
                }
            })
            .collect();
        Screen {
            version: lexicon.version.clone(),
            phrases,
            negations: lexicon.negations.iter().map(|w| plain(w)).filter(|w| !w.is_empty()).collect(),
            warnings: lexicon.warnings.iter().map(|w| plain(w)).filter(|w| !w.is_empty()).collect(),
            markers: lexicon
                .contact_markers
                .iter()
                .map(|w| normalize(w, &homophones).chars.iter().map(|n| n.c).collect())
                .collect(),
            homophones,
        }
    }

    /// The firm's screen: the lexicon installed at start-up, else the shipped one.
    pub fn firm() -> &'static Screen {
        FIRM.get_or_init(|| Screen::new(&Lexicon::firm_default()))
    }

    /// Installs the firm's lexicon (once, before the first message); false when one was already in use.
    pub fn install(lexicon: &Lexicon) -> bool {
        FIRM.set(Screen::new(lexicon)).is_ok()
    }

    /// The lexicon's phrases of a category, as written.
    pub fn phrases(&self, category: Category) -> Vec<&str> {
        self.phrases.iter().filter(|p| p.category == category).map(|p| p.rule.as_str()).collect()
    }

    /// The lexicon's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Everything prohibited in `text`, first found first; `extra` adds a group's own phrases.
    pub fn check(&self, text: &str, extra: &[(Category, &str)]) -> Vec<Hit> {
        let normal = normalize(text, &self.homophones);
        let sounds: Vec<Option<&'static str>> =
            normal.chars.iter().map(|n| if is_cjk(n.c) { syllable(n.c) } else { None }).collect();
        let letters = Letters::of(&normal, &sounds);
        let prepared = Prepared { text: normal, sounds, letters };
        let mut hits = Vec::new();
        let extras: Vec<Phrase> = extra
            .iter()
            .filter(|(_, p)| !p.trim().is_empty())
            .map(|&(category, p)| Phrase {
                category,
                rule: p.to_string(),
                chars: normalize(p, &self.homophones).chars.iter().map(|n| n.c).collect(),
                syllables: None,
                except: Vec::new(),
            })
            .collect();
        for phrase in self.phrases.iter().chain(&extras) {
            if phrase.chars.is_empty() || hits.iter().any(|h: &Hit| h.category == phrase.category) {
                continue;
            }
            if let Some(hit) = self.phrase_hit(&prepared, phrase) {
                hits.push(hit);
            }
        }
        if let Some(hit) = self.contact_hit(&prepared.text) {
            hits.push(hit);
        }
        if let Some(hit) = link_hit(text) {
            hits.push(hit);
        }
        hits
    }

    fn phrase_hit(&self, p: &Prepared, phrase: &Phrase) -> Option<Hit> {
        let text = &p.text;
        let chars = &text.chars;
        let n = phrase.chars.len();
        for start in 0..chars.len() {
            if start + n > chars.len() {
                break;
            }
            let window = &chars[start..start + n];
            let exact = window.iter().zip(&phrase.chars).all(|(a, b)| a.c == *b);
            let sounded = !exact && Self::sounds_like(window, &p.sounds[start..start + n], phrase);
            if (exact || sounded) && !self.excused(text, start, n, phrase) {
                let mut hit = hit(text, phrase.category, &phrase.rule, start, start + n);
                if sounded {
                    hit.disguises.push(Disguise::Pinyin);
                    hit.disguises.sort();
                    hit.disguises.dedup();
                }
                return Some(hit);
            }
        }
        self.pinyin_hit(p, phrase)
    }

    /// The same sounds with at least half the characters the same (保正收益), phrases of 3 or more characters.
    fn sounds_like(window: &[Normal], sounds: &[Option<&'static str>], phrase: &Phrase) -> bool {
        let Some(syllables) = &phrase.syllables else { return false };
        if syllables.len() < 3 || sounds.iter().any(Option::is_none) {
            return false;
        }
        let same = window.iter().zip(&phrase.chars).filter(|(a, b)| a.c == **b).count();
        same * 2 >= window.len() && sounds.iter().zip(syllables).all(|(a, s)| *a == Some(*s))
    }

    /// The phrase written in pinyin letters (bao zheng shou yi), perhaps mixed with characters.
    fn pinyin_hit(&self, p: &Prepared, phrase: &Phrase) -> Option<Hit> {
        let syllables = phrase.syllables.as_ref()?;
        let l = p.letters.as_ref()?;
        let text = &p.text;
        let wanted: String = syllables.concat();
        if wanted.len() < 5 {
            return None;
        }
        let mut from = 0;
        while let Some(at) = l.letters[from..].find(&wanted).map(|a| a + from) {
            // Letters are ASCII here, so byte offsets are letter offsets.
            let end = at + wanted.len();
            let typed = l.owner[at..end].iter().any(|&k| text.chars[k].c.is_ascii_alphabetic());
            if typed && l.boundary[at] && l.boundary[end] {
                let (first, last) = (l.owner[at], l.owner[end - 1]);
                if !self.excused(text, first, last + 1 - first, phrase) {
                    let mut hit = hit(text, phrase.category, &phrase.rule, first, last + 1);
                    hit.disguises.push(Disguise::Pinyin);
                    hit.disguises.sort();
                    hit.disguises.dedup();
                    return Some(hit);
                }
            }
            from = at + 1;
        }
        None
    }

    /// A harmless longer word covers the match, or a negation stands right before it.
    fn excused(&self, text: &Normalized, start: usize, len: usize, phrase: &Phrase) -> bool {
        let chars: Vec<char> = text.chars.iter().map(|n| n.c).collect();
        // A harmless word covering the match starts at most its length before it.
        let covered = phrase.except.iter().any(|x| {
            (start.saturating_sub(x.len())..=start)
                .any(|s| s + x.len() >= start + len && s + x.len() <= chars.len() && chars[s..s + x.len()] == x[..])
        });
        if covered {
            return true;
        }
        if phrase.category == Category::OffPlatformContact {
            return false;
        }
        // The clause before the match: a negation right before it, or (two
        // characters or more) a few characters before it (谨防所谓的内幕).
        let clause_start = chars[..start].iter().rposition(|&c| c == BREAK).map_or(0, |b| b + 1);
        let before = &chars[clause_start..start];
        let negated = self.negations.iter().any(|w| {
            let window = if w.len() >= 2 { NEGATION_REACH + w.len() } else { w.len() };
            let tail = &before[before.len().saturating_sub(window)..];
            (0..tail.len()).rev().any(|s| {
                tail[s..].starts_with(w)
                    && (s + w.len() == tail.len() || w.len() >= 2)
                    && (!w[0].is_ascii_alphabetic() || {
                        let at = before.len() - tail.len() + s;
                        at == 0 || !before[at - 1].is_ascii_alphanumeric()
                    })
            })
        });
        // A warning just after it, in the same clause (承诺保本的都是骗局).
        let end = start + len;
        let clause_end = chars[end..].iter().position(|&c| c == BREAK).map_or(chars.len(), |b| end + b);
        let after = &chars[end..clause_end.min(end + WARNING_REACH)];
        let warned = self.warnings.iter().any(|w| after.windows(w.len()).any(|x| x == &w[..]));
        negated || warned
    }

    /// A mobile number, or a WeChat or QQ id after its marker.
    fn contact_hit(&self, text: &Normalized) -> Option<Hit> {
        let chars = &text.chars;
        // Mobile numbers: 11 digits 1[3-9]..., perhaps after +86.
        let mut k = 0;
        while k < chars.len() {
            let start = k;
            while k < chars.len() && chars[k].c.is_ascii_digit() {
                k += 1;
            }
            let digits: String = chars[start..k].iter().map(|n| n.c).collect();
            let number = digits.strip_prefix("86").filter(|d| d.len() == 11).unwrap_or(&digits);
            if is_mobile(number) {
                return Some(hit(text, Category::OffPlatformContact, "mobile number", start, k));
            }
            k = k.max(start + 1);
        }
        for marker in &self.markers {
            let m = marker.len();
            if m == 0 {
                continue;
            }
            for start in 0..chars.len().saturating_sub(m - 1) {
                if !chars[start..start + m].iter().zip(marker).all(|(a, b)| a.c == *b) {
                    continue;
                }
                if marker[0].is_ascii_alphanumeric() {
                    // A Latin marker is a word of its own: not inside one (level5), not the start of one (Valuation).
                    let before = start > 0 && chars[start - 1].c.is_ascii_alphanumeric();
                    let next = text.original.get(chars[start + m - 1].to + 1).copied();
                    let joined = next.is_some_and(|c| c.is_alphabetic() && !is_cjk(c));
                    if before || joined {
                        continue;
                    }
                }
                let mut end = start + m;
                while end < chars.len() && matches!(chars[end].c, '号' | '是' | '为' | '码' | '账' | '户') {
                    end += 1;
                }
                let id_start = end;
                while end < chars.len() && (chars[end].c.is_ascii_alphanumeric() || chars[end].c == '_') {
                    end += 1;
                }
                if end - id_start < 5 {
                    continue;
                }
                // After a Latin marker, a word is a handle when it looks like one (a digit or an
                // underscore in it) or is announced as one (vx: zhangsan); "TG Therapeutics" is not.
                if marker[0].is_ascii_alphanumeric() {
                    let handle = chars[id_start..end].iter().any(|n| n.c.is_ascii_digit() || n.c == '_');
                    let between = &text.original[chars[start + m - 1].to + 1..chars[id_start].from];
                    let announced = between.iter().any(|c| matches!(c, ':' | '：' | '号' | '#' | '＃'));
                    if !handle && !announced {
                        continue;
                    }
                }
                return Some(hit(text, Category::OffPlatformContact, "wechat or qq id", start, end));
            }
        }
        None
    }
}

/// Whether a hit's rule names a pattern (not a phrase of the lexicon).
fn category_is_pattern(rule: &str) -> bool {
    matches!(rule, "mobile number" | "wechat or qq id" | "link")
}

/// A mainland mobile number: 11 digits, 1 then 3-9.
pub(crate) fn is_mobile(digits: &str) -> bool {
    digits.len() == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9')
}

/// Top-level domains a link's host commonly ends in.
const DOMAINS: [&str; 8] = [".com", ".cn", ".net", ".org", ".io", ".cc", ".top", ".xyz"];

/// A link, in the text folded to half width and lower case.
fn link_hit(text: &str) -> Option<Hit> {
    let folded: String = text.nfkc().collect::<String>().to_lowercase().replace('。', ".");
    let link = folded.split(|c: char| c.is_whitespace() || !c.is_ascii()).find(|token| {
        token.starts_with("http://")
            || token.starts_with("https://")
            || token.starts_with("www.")
            || DOMAINS
                .iter()
                .any(|d| token.len() > d.len() + 1 && (token.ends_with(d) || token.contains(&format!("{d}/"))))
    })?;
    let disguises =
        if folded.contains(link) && !text.to_lowercase().contains(link) { vec![Disguise::FullWidth] } else { vec![] };
    Some(Hit { category: Category::ExternalLink, rule: "link".into(), matched: link.to_string(), disguises })
}

/// The hit covering normalized characters `start..end`; the phrase's own
/// spaces (insider tip) are no disguise; a pattern's name has none that count.
fn hit(text: &Normalized, category: Category, rule: &str, start: usize, end: usize) -> Hit {
    let span = &text.chars[start..end];
    let from = span.iter().map(|n| n.from).min().unwrap_or(0);
    let to = span.iter().map(|n| n.to).max().unwrap_or(0);
    let mut bits = span.iter().fold(0u8, |a, n| a | n.how);
    let separators =
        |chars: &mut dyn Iterator<Item = char>| chars.filter(|&c| always_dropped(c) || sentence_mark(c)).count();
    let own = if category_is_pattern(rule) { 0 } else { separators(&mut rule.chars()) };
    if separators(&mut text.original[from..=to].iter().copied()) > own {
        bits |= Disguise::Separators.bit();
    }
    Hit {
        category,
        rule: rule.to_string(),
        matched: text.original[from..=to].iter().collect(),
        disguises: Disguise::ALL.into_iter().filter(|d| bits & d.bit() != 0).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<Hit> {
        Screen::firm().check(text, &[]).into_iter().next()
    }

    #[test]
    fn the_evasions_a_new_user_tried_are_caught_with_the_reason() {
        let cases = [
            ("保 证 收 益", Category::GuaranteedReturns, Disguise::Separators),
            ("稳-赚-不-赔", Category::GuaranteedReturns, Disguise::Separators),
            ("加 V：stock888", Category::OffPlatformContact, Disguise::LetterCase),
            ("荐股", Category::IllegalTipService, Disguise::Separators),
            ("私聊领牛股", Category::IllegalTipService, Disguise::Separators),
            ("无风险套利", Category::GuaranteedReturns, Disguise::Separators),
            ("bao zheng shou yi", Category::GuaranteedReturns, Disguise::Pinyin),
            ("ＩＮＳＩＤＥＲ ＴＩＰ", Category::InsiderTip, Disguise::FullWidth),
            ("保證收益", Category::GuaranteedReturns, Disguise::Traditional),
            ("加威信 abc12345", Category::OffPlatformContact, Disguise::Homophone),
            ("电话一三八一二三四五六七八", Category::OffPlatformContact, Disguise::ChineseNumerals),
            ("保正收益", Category::GuaranteedReturns, Disguise::Pinyin),
        ];
        for (text, category, disguise) in cases {
            let hit = first(text).unwrap_or_else(|| panic!("{text} passed"));
            assert_eq!(hit.category, category, "{text}: {hit:?}");
            if !matches!(text, "荐股" | "私聊领牛股" | "无风险套利") {
                assert!(hit.disguises.contains(&disguise), "{text}: {hit:?}");
            }
            assert!(!hit.matched.is_empty() && text.contains(hit.matched.trim()), "{text}: {hit:?}");
        }
        let plain = first("I have an insider tip").unwrap();
        assert_eq!(plain.reason(), "insider tip", "the phrase's own space is no disguise");
        let hit = first("这只 稳-赚-不-赔 的票").unwrap();
        assert_eq!(hit.matched, "稳-赚");
        assert_eq!(hit.rule, "稳赚");
        assert_eq!(hit.reason(), "稳赚 (separators)");
    }

    #[test]
    fn harmless_market_talk_passes() {
        for ok in [
            "融资融券保证金比例下调至80%",
            "本产品不保证收益，风险提示请阅读",
            "无风险利率上行，债券承压",
            "谨防荐股诈骗，不要相信内幕消息",
            "贵州茅台(600519)今日收涨1.38%，成交额52.3亿元",
            "关注我们的微信公众号获取研报",
            "客服电话 95555，或 400-820-8820",
            "价格稳，赚钱效应一般",
            "the index closed at 3,300.5 today, no guaranteed return here",
            "布局。Valuation near its lows",
            "TG Therapeutics is not listed in Shanghai",
        ] {
            assert_eq!(first(ok), None, "{ok}");
        }
    }

    #[test]
    fn a_lexicon_is_configuration_with_a_version() {
        let lexicon = Lexicon::parse(
            r#"{"version":"t1","entries":[{"phrase":"翻 倍","category":"stock_pushing"}],"homophones":[{"written":"番倍","means":"翻倍"}]}"#,
        )
        .unwrap();
        let screen = Screen::new(&lexicon);
        assert_eq!(screen.version(), "t1");
        assert_eq!(screen.check("三个月番倍", &[])[0].disguises, vec![Disguise::Homophone]);
        assert!(Lexicon::parse(r#"{"version":"","entries":[]}"#).is_err());
        assert!(Lexicon::parse(r#"{"version":"x","entries":[{"phrase":" - ","category":"stock_pushing"}]}"#).is_err());
        assert!(Lexicon::parse(r#"{"version":"x","entries":[],"typo":1}"#).is_err());
    }
}
