//! Text analysis shared by indexing and querying.
//!
//! Both sides must cut Chinese text the same way, or a word indexed as
//! `营业执照` could never be found by a query cut into `营业` + `执照`. So
//! everything that turns text into terms lives here: the one shared jieba
//! instance with its government user dictionary, the tantivy tokenizer built
//! on it, width folding, name normalization and pinyin initials.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use pinyin::ToPinyin;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which [`JiebaTokenizer`] is registered with the index.
pub(crate) const JIEBA_TOKENIZER: &str = "govhall_jieba";

/// Words of the service-guide domain that jieba's general dictionary lacks
/// or would split, so that they are indexed as whole words.
///
/// Search mode still emits the dictionary sub-words (`营业`, `执照`), so
/// adding a word here never makes its parts unfindable; it only adds the
/// whole word as a term. The targets of the abbreviation table are listed
/// too, so an expansion is searched as the word it is.
const USER_WORDS: &[&str] = &[
    "营业执照",
    "社保",
    "社保卡",
    "社会保障卡",
    "社会保险",
    "社会保障",
    "医保",
    "医保卡",
    "医疗保险",
    "医疗保障",
    "医疗保障卡",
    "公积金",
    "住房公积金",
    "不动产",
    "不动产权证书",
    "网约车",
    "网络预约出租汽车",
    "食品经营",
    "个体工商户",
    "个体户",
    "身份证",
    "居民身份证",
    "户口",
    "一次性告知",
    "承诺件",
    "即办件",
    "告知承诺",
    "容缺受理",
    "设立登记",
    "变更登记",
    "注销登记",
    "执业登记",
    "失业登记",
    "就业登记",
    "统一社会信用代码",
    "电子证照",
    "一网通办",
    "跨省通办",
    "最低生活保障",
    "低保",
    "驾驶证",
    "驾照",
    "房产证",
    "出生证",
    "残疾证",
    "出生医学证明",
    "残疾人证",
    "居住证",
    "港澳通行证",
    "灵活就业",
    "退役军人",
    "建设工程",
    "规划许可证",
    "卫生许可证",
];

/// The jieba instance every tokenization in the crate uses.
///
/// Loading the dictionary takes a noticeable fraction of a second, so it is
/// built once per process and shared; `Jieba` is read-only after that.
pub(crate) fn jieba() -> &'static Jieba {
    static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
        let mut jieba = Jieba::new();
        for word in USER_WORDS {
            // No frequency given: jieba then suggests one just high enough
            // for the word to win over its split, without making it swallow
            // neighbouring characters elsewhere.
            jieba.add_word(word, None, None);
        }
        jieba
    });
    &JIEBA
}

/// Coarse words of `text` (jieba's default cut), lowercased, punctuation and
/// whitespace dropped, duplicates removed in order of first appearance.
pub(crate) fn coarse_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for token in jieba().cut(text, false) {
        if let Some(word) = clean(token.word)
            && !words.contains(&word)
        {
            words.push(word);
        }
    }
    words
}

/// The dictionary sub-words search mode emits for `word`, if together they
/// cover every character of it; otherwise empty.
///
/// A document whose context made jieba cut `营业执照` differently still holds
/// these parts, so a query word may match through them. Parts that leave a
/// character uncovered would loosen the match (`社保卡` through `社保` alone),
/// so they are not offered.
pub(crate) fn covering_sub_words(word: &str) -> Vec<String> {
    let char_count = word.chars().count();
    let mut covered = vec![false; char_count];
    let mut parts: Vec<String> = Vec::new();
    for token in jieba().cut_for_search(word, false) {
        if token.end - token.start == char_count {
            continue;
        }
        let Some(part) = clean(token.word) else {
            continue;
        };
        covered[token.start..token.end].fill(true);
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if covered.iter().all(|&c| c) {
        parts
    } else {
        Vec::new()
    }
}

/// Folds full-width ASCII forms (`ＡＢＣ１２３（）`) and the ideographic space
/// to their ASCII equivalents.
///
/// Chinese input methods produce both forms, and an item name typed with
/// `（` must still be found by a query typed with `(`.
pub(crate) fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => {
                // The full-width block mirrors U+0021..=U+007E at a fixed
                // distance, so the subtraction always lands on printable ASCII.
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            other => other,
        })
        .collect()
}

/// The form of an item name (or query) compared for exact and prefix hits:
/// width-folded, lowercased, whitespace removed.
pub(crate) fn normalize_name(text: &str) -> String {
    fold_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Pinyin initials of `text`: the first letter of each Han character's
/// pinyin, lowercase; ASCII letters and digits are kept (lowercased); every
/// other character is dropped.
///
/// A character with several readings takes its most common one (`行` in
/// `银行` gives `x`, not `h`), which is what the `pinyin` crate lists first.
///
/// ```
/// assert_eq!(search::initials("营业执照"), "yyzz");
/// assert_eq!(search::initials("5G 基站（新建）"), "5gjzxj");
/// ```
pub fn initials(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 3 + 1);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(pinyin) = c.to_pinyin() {
            // A reading's first letter is ASCII in practice; the filter keeps
            // the output ASCII even if the table ever says otherwise.
            out.extend(
                pinyin
                    .first_letter()
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .map(|l| l.to_ascii_lowercase()),
            );
        }
    }
    out
}

/// A tantivy tokenizer that cuts text with the shared jieba instance in
/// search mode: every dictionary word plus its dictionary sub-words,
/// lowercased, punctuation and whitespace dropped.
///
/// HMM new-word discovery is off on purpose: it glues unknown characters
/// together depending on their neighbours, so the same characters could
/// become different terms in a document and in a query. Without it an
/// unknown stretch always falls back to single characters on both sides.
#[derive(Clone, Debug, Default)]
pub(crate) struct JiebaTokenizer;

/// The token stream of [`JiebaTokenizer`]: the cut is done up front, since
/// jieba works on whole sentences anyway.
pub(crate) struct JiebaTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        let tokens = jieba()
            .cut_for_search(text, false)
            .into_iter()
            .filter_map(|token| {
                clean(token.word).map(|word| (token.byte_start, token.byte_end, word))
            })
            .enumerate()
            .map(|(position, (from, to, word))| Token {
                offset_from: from,
                offset_to: to,
                // Ordinal positions: the fields are indexed without
                // positions (no phrase queries), so they only need to be
                // distinct.
                position,
                text: word,
                position_length: 1,
            })
            .collect();
        JiebaTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        // `index` is one past the current token, so it starts at 0 and the
        // first `advance` makes token 0 current.
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

/// Lowercases a jieba word, or drops it when it has no letter, digit or Han
/// character (punctuation, spaces): such tokens only add noise terms.
fn clean(word: &str) -> Option<String> {
    if word.chars().any(char::is_alphanumeric) {
        Some(word.to_lowercase())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_words(text: &str) -> Vec<String> {
        let mut tokenizer = JiebaTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
        words
    }

    #[test]
    fn user_words_stay_whole_and_search_mode_adds_parts() {
        let words = stream_words("企业设立登记（营业执照核发）");
        for expected in ["营业执照", "营业", "执照", "企业", "设立", "登记"] {
            assert!(
                words.iter().any(|w| w == expected),
                "{expected} missing in {words:?}"
            );
        }
        let words = stream_words("申领社会保障卡");
        assert!(words.iter().any(|w| w == "社会保障卡"), "{words:?}");
        let words = stream_words("住房公积金提取");
        assert!(words.iter().any(|w| w == "住房公积金"), "{words:?}");
        assert!(words.iter().any(|w| w == "公积金"), "{words:?}");
    }

    #[test]
    fn every_user_word_is_cut_whole() {
        for word in USER_WORDS {
            assert_eq!(coarse_words(word), vec![word.to_string()], "{word}");
        }
    }

    #[test]
    fn tokens_drop_punctuation_and_lowercase_ascii() {
        let words = stream_words("（ABC）：身份证，");
        assert!(words.contains(&"abc".to_string()), "{words:?}");
        assert!(words.contains(&"身份证".to_string()), "{words:?}");
        assert!(words.iter().all(|w| w.chars().any(char::is_alphanumeric)));
    }

    #[test]
    fn coarse_words_are_deduplicated() {
        assert_eq!(coarse_words("户口 户口"), vec!["户口".to_string()]);
    }

    #[test]
    fn sub_words_cover_the_word_or_are_not_offered() {
        assert_eq!(covering_sub_words("营业执照"), vec!["营业", "执照"]);
        // Single-character and unsplittable words have nothing to offer.
        assert!(covering_sub_words("证").is_empty());
        assert!(covering_sub_words("户口").is_empty());
    }

    #[test]
    fn fold_width_maps_full_width_ascii() {
        assert_eq!(fold_width("ＳＢＫ（１）\u{3000}a"), "SBK(1) a");
        assert_eq!(fold_width("营业执照"), "营业执照");
    }

    #[test]
    fn normalize_name_folds_lowercases_and_drops_spaces() {
        assert_eq!(
            normalize_name(" 企业设立登记（营业执照 核发）"),
            "企业设立登记(营业执照核发)"
        );
        assert_eq!(normalize_name("ＡＢ c"), "abc");
    }

    #[test]
    fn initials_of_han_ascii_and_other() {
        assert_eq!(initials("营业执照"), "yyzz");
        assert_eq!(initials("社会保障卡申领"), "shbzksl");
        assert_eq!(initials("企业设立登记（营业执照核发）"), "qysldjyyzzhf");
        assert_eq!(initials("5G基站 ABC-1"), "5gjzabc1");
        assert_eq!(initials("（）：，。 "), "");
        assert_eq!(initials(""), "");
    }
}
