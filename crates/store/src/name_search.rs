//! Searching customers by part of their name through the name-gram index
//! (`customer_name_grams`, migration 0018): every one- and two-character
//! piece of each name, ASCII letters lower-cased. A search of one or two
//! characters is one indexed lookup; a longer one intersects its
//! two-character pieces. Trigram indexes (FTS5's trigram tokenizer,
//! pg_trgm) cannot answer searches shorter than three characters, and most
//! searches for Chinese names (a surname, a given name) are one or two.

use sqlx::QueryBuilder;

/// Every one- and two-character piece of a name, ASCII letters lower-cased
/// (as SQLite's lower() and PostgreSQL's under the "C" collation fold them,
/// and as migration 0018 indexed the names stored before it), each once.
pub(crate) fn name_grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.to_ascii_lowercase().chars().collect();
    let mut grams: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
    grams.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    grams.sort();
    grams.dedup();
    grams
}

/// The pieces a name must hold to contain the search: the search itself
/// when it is one or two characters, else each two-character piece.
pub(crate) fn search_grams(search: &str) -> Vec<String> {
    let chars: Vec<char> = search.to_ascii_lowercase().chars().collect();
    if chars.len() <= 2 {
        return vec![chars.into_iter().collect()];
    }
    let mut grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    grams
}

/// How well a name matches a search, best first: 0 the whole name, 1 its
/// start, 2 elsewhere (or not at all).
pub fn rank(name: &str, search: &str) -> i64 {
    if name == search {
        0
    } else if name.starts_with(search) {
        1
    } else {
        2
    }
}

/// Pushes the SQL form of [`rank`] for the customer `c`.
pub(crate) fn push_rank<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, search: &str)
where
    for<'b> String: sqlx::Encode<'b, DB> + sqlx::Type<DB>,
    for<'b> i32: sqlx::Encode<'b, DB> + sqlx::Type<DB>,
{
    let length = i32::try_from(search.chars().count()).unwrap_or(i32::MAX);
    q.push("(CASE WHEN c.name = ").push_bind(search.to_owned());
    q.push(" THEN 0 WHEN substr(c.name, 1, ").push_bind(length).push(") = ").push_bind(search.to_owned());
    q.push(" THEN 1 ELSE 2 END)");
}

/// Past this many names holding a search's first piece, the list walks its
/// scope and sort and tests each row's name, rather than reading and
/// sorting every match: a surname matches tens of thousands at 1M customers.
pub(crate) const FEW_NAMES: i64 = 2_000;

/// How a search joins the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchDrive {
    /// From the few names that match.
    Names,
    /// Testing each row the scope and sort walk.
    Rows,
}

/// The statement counting (up to a bound) the names that hold the search's
/// first piece; bind [`first_gram`] and the bound.
pub(crate) const COUNT_FIRST_GRAM: &str =
    "SELECT COUNT(*) FROM (SELECT 1 FROM customer_name_grams WHERE gram = $1 LIMIT $2) q";

/// The piece the search is looked up by.
pub(crate) fn first_gram(search: &str) -> String {
    search_grams(search).swap_remove(0)
}

/// Pushes a SELECT of the ids of the customers whose names contain the search.
pub(crate) fn push_name_matches<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, search: &str)
where
    for<'b> String: sqlx::Encode<'b, DB> + sqlx::Type<DB>,
{
    q.push("SELECT g0.customer_id FROM customer_name_grams g0 WHERE g0.gram = ");
    push_rest(q, search);
}

/// Pushes whether the name of the customer `f.customer_id` contains the search.
pub(crate) fn push_name_test<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, search: &str)
where
    for<'b> String: sqlx::Encode<'b, DB> + sqlx::Type<DB>,
{
    q.push("EXISTS (SELECT 1 FROM customer_name_grams g0 WHERE g0.customer_id = f.customer_id AND g0.gram = ");
    push_rest(q, search);
    q.push(")");
}

/// The first piece's value and the tests of the others, on `g0.customer_id`.
fn push_rest<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, search: &str)
where
    for<'b> String: sqlx::Encode<'b, DB> + sqlx::Type<DB>,
{
    let grams = search_grams(search);
    q.push_bind(grams[0].clone());
    for (i, gram) in grams.iter().enumerate().skip(1) {
        q.push(format!(" AND EXISTS (SELECT 1 FROM customer_name_grams g{i} WHERE g{i}.gram = "))
            .push_bind(gram.clone())
            .push(format!(" AND g{i}.customer_id = g0.customer_id)"));
    }
    // Holding every piece is not yet holding them in order ("明小王小" holds
    // 王小 and 小明): a longer search is checked against the name itself.
    // LIKE folds ASCII case on SQLite only, so names with Latin letters rely
    // on the pieces alone.
    if grams.len() > 1 && !search.bytes().any(|b| b.is_ascii_alphabetic()) {
        q.push(" AND EXISTS (SELECT 1 FROM customers n WHERE n.id = g0.customer_id AND n.name LIKE ")
            .push_bind(format!("%{}%", search.replace(['%', '_'], "")))
            .push(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_s_pieces_are_its_characters_and_pairs_each_once_ascii_folded() {
        assert_eq!(name_grams("王王伟"), ["伟", "王", "王伟", "王王"]);
        assert_eq!(name_grams("Li Na"), [" ", " n", "a", "i", "i ", "l", "li", "n", "na"]);
        assert!(name_grams("").is_empty());
    }

    #[test]
    fn short_searches_are_one_piece_and_longer_ones_their_pairs() {
        assert_eq!(search_grams("王"), ["王"]);
        assert_eq!(search_grams("王伟"), ["王伟"]);
        assert_eq!(search_grams("欧阳娜娜"), ["娜娜", "欧阳", "阳娜"]);
        assert_eq!(search_grams("Li"), ["li"]);
        assert_eq!(search_grams("LiLi"), ["il", "li"]);
    }

    #[test]
    fn the_whole_name_ranks_before_its_start_before_the_rest() {
        assert_eq!(rank("王伟", "王伟"), 0);
        assert_eq!(rank("王伟华", "王伟"), 1);
        assert_eq!(rank("李王伟", "王伟"), 2);
    }
}
