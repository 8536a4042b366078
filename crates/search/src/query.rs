//! Turning the public's query text into a tantivy query.
//!
//! The text is never given to tantivy's `QueryParser`: what a citizen types
//! is words, not query syntax, and `(`, `:` or `AND` must not change the
//! meaning or cause an error. Instead the text is cut with the same jieba
//! instance the index uses and the query is assembled from term queries.
//!
//! A hit is any of these alternatives, scores added up:
//!
//! * **words**: every meaningful word of the query in the name or the body
//!   ([`Mode::All`]); when that finds nothing, any of them ([`Mode::Any`]).
//!   Each word may also match through its abbreviation expansions
//!   ([`ABBREVIATIONS`]) and through the dictionary parts that make it up.
//!   A word found in the name earns a fixed bonus on top of the
//!   name-boosted BM25 score, so name hits outrank body-only hits;
//! * **initials**: a query of ASCII letters only is also looked up among the
//!   pinyin initials of item names;
//! * **exact / prefix**: the normalized query equals or begins the
//!   normalized name; these bonuses are large so such items come first.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::schema::{Fields, INITIALS_MAX, INITIALS_MIN, PREFIX_MAX_CHARS};
use crate::text::{coarse_words, covering_sub_words, initials, normalize_name};

/// Abbreviations the public types and the words item names use instead.
///
/// Expansion runs one way, at query time: a query for `社保` also matches
/// `社会保险` and `社会保障`, but a query for `社会保险` does not match an
/// item that only says `社保`, since catalogue names use the full forms.
/// Only true abbreviations belong here, not related services (`营业执照` is
/// not an abbreviation of `设立登记`).
pub(crate) const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("社保", &["社会保险", "社会保障"]),
    ("社保卡", &["社会保障卡"]),
    ("医保", &["医疗保险", "医疗保障"]),
    ("医保卡", &["医疗保障卡"]),
    ("公积金", &["住房公积金"]),
    ("身份证", &["居民身份证"]),
    ("网约车", &["网络预约出租汽车"]),
    ("个体户", &["个体工商户"]),
    ("低保", &["最低生活保障"]),
    ("驾照", &["驾驶证"]),
    ("房产证", &["不动产权证书"]),
    ("出生证", &["出生医学证明"]),
    ("残疾证", &["残疾人证"]),
];

/// Words that carry no meaning in a service search ("怎么办理营业执照").
/// They are dropped from a query unless nothing else is left.
const QUERY_STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "我", "要", "想", "在", "怎么", "怎样", "如何", "哪里",
    "在哪", "什么", "需要", "办", "办理", "吗", "呢", "请问",
];

/// How many characters of the query are looked at. It bounds the size of
/// the query built from text that anyone can send; no real search for a
/// service is longer.
const QUERY_MAX_CHARS: usize = 64;

/// Bonus for a query equal to the item's normalized name.
const EXACT_BONUS: f32 = 2000.0;
/// Bonus for a query the item's normalized name starts with.
const PREFIX_BONUS: f32 = 1000.0;
/// Bonus for each query word (or its part or expansion) found in the name.
const NAME_WORD_BONUS: f32 = 20.0;
/// Weight of the name's BM25 score against the body's.
const NAME_BOOST: f32 = 3.0;

/// Whether a hit needs all of the query's words or any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    All,
    Any,
}

/// What a query text means for the search.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// The query as compared with names for exact and prefix hits.
    normalized: String,
    /// Meaningful words, in order, without duplicates.
    words: Vec<String>,
    /// Initials patterns to look up, when the query is ASCII letters only.
    initials: Vec<String>,
}

impl Analysis {
    /// Analyses query text (any text: it cannot fail).
    pub(crate) fn new(text: &str) -> Analysis {
        let text: String = text.chars().take(QUERY_MAX_CHARS).collect();
        let normalized = normalize_name(&text);
        let mut words = coarse_words(&normalized);
        if words
            .iter()
            .any(|w| !QUERY_STOP_WORDS.contains(&w.as_str()))
        {
            words.retain(|w| !QUERY_STOP_WORDS.contains(&w.as_str()));
        }
        let initials = initials_patterns(&normalized);
        Analysis {
            normalized,
            words,
            initials,
        }
    }

    /// True when the text holds nothing to search for (empty, whitespace or
    /// punctuation only): the search then lists everything the filters allow.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty() && self.initials.is_empty()
    }

    /// True when [`Mode::Any`] could find more than [`Mode::All`] did.
    pub(crate) fn has_several_words(&self) -> bool {
        self.words.len() > 1
    }

    /// Builds the text query in the given mode. Call only when
    /// [`Analysis::is_empty`] is false.
    pub(crate) fn to_query(&self, fields: &Fields, mode: Mode) -> Box<dyn Query> {
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        if !self.words.is_empty() {
            let clauses = self
                .words
                .iter()
                .map(|w| word_clause(fields, w, true))
                .collect();
            alternatives.push(match mode {
                Mode::All => all_of(clauses),
                Mode::Any => any_of(clauses),
            });
        }
        for pattern in &self.initials {
            alternatives.push(initials_clause(fields, pattern));
        }
        alternatives.push(constant(
            term_query(fields.name_exact, &self.normalized),
            EXACT_BONUS,
        ));
        if self.normalized.chars().count() <= PREFIX_MAX_CHARS {
            alternatives.push(constant(
                term_query(fields.name_prefix, &self.normalized),
                PREFIX_BONUS,
            ));
        }
        any_of(alternatives)
    }
}

/// The initials patterns of a normalized query: the query itself when it is
/// ASCII letters only, plus the query with each abbreviation's initials
/// replaced by those of its expansions (`sbk` → `shbzk`), since item names
/// use the full forms.
fn initials_patterns(normalized: &str) -> Vec<String> {
    if normalized.len() < INITIALS_MIN || !normalized.bytes().all(|b| b.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut patterns = vec![normalized.to_string()];
    for (abbreviation, expansions) in ABBREVIATIONS {
        let short = initials(abbreviation);
        if !normalized.contains(&short) {
            continue;
        }
        for expansion in *expansions {
            let pattern = normalized.replace(&short, &initials(expansion));
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
    }
    patterns
}

/// Matches one query word: the word itself, all of its dictionary parts
/// (when a document's context cut it differently), or, when `expand`, any
/// of its abbreviation expansions.
fn word_clause(fields: &Fields, word: &str, expand: bool) -> Box<dyn Query> {
    let mut alternatives = vec![term_clause(fields, word)];
    let parts = covering_sub_words(word);
    if !parts.is_empty() {
        alternatives.push(all_of(
            parts.iter().map(|p| term_clause(fields, p)).collect(),
        ));
    }
    if expand {
        let expansions = ABBREVIATIONS
            .iter()
            .filter(|(abbreviation, _)| *abbreviation == word)
            .flat_map(|(_, expansions)| expansions.iter());
        for expansion in expansions {
            // An expansion is itself one or more words; none is expanded
            // again, so the table cannot loop.
            let words = coarse_words(expansion);
            alternatives.push(all_of(
                words
                    .iter()
                    .map(|w| word_clause(fields, w, false))
                    .collect(),
            ));
        }
    }
    any_of(alternatives)
}

/// Matches one term in the name or the body, the name weighing more.
fn term_clause(fields: &Fields, word: &str) -> Box<dyn Query> {
    any_of(vec![
        constant(term_query(fields.name, word), NAME_WORD_BONUS),
        Box::new(BoostQuery::new(term_query(fields.name, word), NAME_BOOST)),
        term_query(fields.body, word),
    ])
}

/// Matches names whose initials contain `pattern`. Patterns longer than the
/// indexed n-grams need all of their n-gram windows: nearly always the same
/// thing as containing the pattern, and never missing a real match.
fn initials_clause(fields: &Fields, pattern: &str) -> Box<dyn Query> {
    let windows: Vec<&str> = if pattern.len() <= INITIALS_MAX {
        vec![pattern]
    } else {
        (0..=pattern.len() - INITIALS_MAX)
            .map(|start| &pattern[start..start + INITIALS_MAX])
            .collect()
    };
    all_of(
        windows
            .into_iter()
            .map(|w| {
                any_of(vec![
                    constant(term_query(fields.name_initials, w), NAME_WORD_BONUS),
                    Box::new(BoostQuery::new(
                        term_query(fields.name_initials, w),
                        NAME_BOOST,
                    )),
                ])
            })
            .collect(),
    )
}

/// A term query on a text field.
fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Gives every match of `query` the same score.
fn constant(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score))
}

/// All of `queries` must match; a single query is returned as it is.
fn all_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        queries.remove(0)
    } else {
        Box::new(BooleanQuery::intersection(queries))
    }
}

/// Any of `queries` may match; a single query is returned as it is.
fn any_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        queries.remove(0)
    } else {
        Box::new(BooleanQuery::union(queries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_dropped_unless_nothing_else_is_left() {
        let analysis = Analysis::new("怎么办理营业执照");
        assert_eq!(analysis.words, vec!["营业执照"]);
        let analysis = Analysis::new("办理");
        assert_eq!(analysis.words, vec!["办理"]);
    }

    #[test]
    fn punctuation_and_whitespace_are_empty() {
        assert!(Analysis::new("").is_empty());
        assert!(Analysis::new(" \t\u{3000}").is_empty());
        assert!(Analysis::new("（）：\"*").is_empty());
        assert!(!Analysis::new("户口").is_empty());
    }

    #[test]
    fn query_syntax_is_plain_words() {
        let analysis = Analysis::new("name:户口 AND (迁移*");
        assert_eq!(analysis.words, vec!["name", "户口", "and", "迁移"]);
        assert!(analysis.initials.is_empty());
    }

    #[test]
    fn only_ascii_letter_queries_get_initials() {
        assert_eq!(Analysis::new("YYZZ").initials, vec!["yyzz"]);
        assert_eq!(Analysis::new(" yy zz ").initials, vec!["yyzz"]);
        assert!(Analysis::new("y").initials.is_empty());
        assert!(Analysis::new("yyzz1").initials.is_empty());
        assert!(Analysis::new("营业yy").initials.is_empty());
    }

    #[test]
    fn initials_patterns_expand_abbreviations() {
        let patterns = Analysis::new("sbk").initials;
        assert!(patterns.contains(&"sbk".to_string()), "{patterns:?}");
        assert!(patterns.contains(&"shbzk".to_string()), "{patterns:?}");
        assert!(patterns.contains(&"shbxk".to_string()), "{patterns:?}");
    }

    #[test]
    fn long_queries_are_cut_to_bound_the_query() {
        let text = "户口".repeat(1000);
        assert_eq!(
            Analysis::new(&text).normalized.chars().count(),
            QUERY_MAX_CHARS
        );
    }

    #[test]
    fn abbreviation_table_is_well_formed() {
        for (abbreviation, expansions) in ABBREVIATIONS {
            assert!(!expansions.is_empty(), "{abbreviation}");
            for expansion in *expansions {
                assert_ne!(abbreviation, expansion);
                // Each expansion must be a whole word for jieba, or the
                // expanded query would demand unrelated parts.
                assert_eq!(coarse_words(expansion), vec![expansion.to_string()]);
            }
            // An abbreviation that jieba splits would never be looked up.
            assert_eq!(coarse_words(abbreviation), vec![abbreviation.to_string()]);
            // A duplicate key would silently shadow part of the table.
            let count = ABBREVIATIONS
                .iter()
                .filter(|(other, _)| other == abbreviation)
                .count();
            assert_eq!(count, 1, "{abbreviation}");
        }
    }
}
