//! Whether a member's message is a question the advisor owes an answer:
//! a question mark (full-width or not), or a question word in Chinese or
//! English. Questions can also be asked explicitly (the page's "ask" button),
//! which needs no detection.

/// Chinese words and particles that make a sentence a question.
const CHINESE: [&str; 17] = [
    "吗",
    "什么",
    "怎么",
    "为什么",
    "为何",
    "如何",
    "哪",
    "是否",
    "能不能",
    "可不可以",
    "会不会",
    "要不要",
    "多少",
    "几时",
    "啥",
    "咋",
    "请问",
];

/// English words that open a question.
const ENGLISH: [&str; 16] = [
    "what", "why", "how", "when", "which", "who", "where", "should", "can", "could", "is", "are", "do", "does", "will",
    "would",
];

/// True when the text reads as a question.
pub fn is_question(text: &str) -> bool {
    let text = text.trim();
    if text.contains('?') || text.contains('？') {
        return true;
    }
    if CHINESE.iter().any(|w| text.contains(w)) {
        return true;
    }
    let first = text.split(|c: char| !c.is_ascii_alphabetic()).find(|w| !w.is_empty()).unwrap_or("");
    ENGLISH.iter().any(|w| first.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_in_both_languages_and_statements_that_are_not() {
        for q in [
            "明天还能买吗",
            "这只股票怎么看？",
            "请问ETF怎么申购",
            "为什么跌停了",
            "How do I read MACD",
            "should I sell now",
            "Is 600519 a buy?",
            "half-width?",
        ] {
            assert!(is_question(q), "{q}");
        }
        for s in ["收到，谢谢老师", "今天大盘涨了1%", "Thanks, got it", "This is fine", "showcase of the day"]
        {
            assert!(!is_question(s), "{s}");
        }
    }
}
