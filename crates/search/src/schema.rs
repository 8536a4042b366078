//! The index schema: which field holds what, and how each is analysed.
//!
//! One item is one document. Besides the jieba-cut `name` and `body`, the
//! name is indexed three more ways so that the query side can reward exact
//! and prefix hits and match pinyin initials without any scan.

use tantivy::Index;
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STRING, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::{NgramTokenizer, TextAnalyzer};

use crate::ItemDoc;
use crate::text::{JIEBA_TOKENIZER, JiebaTokenizer, fold_width, initials, normalize_name};

/// Tokenizer of `name_initials`: every 2..=10-letter substring.
const INITIALS_TOKENIZER: &str = "govhall_initials";
/// Tokenizer of `name_prefix`: every prefix of 1..=[`PREFIX_MAX_CHARS`] chars.
const PREFIX_TOKENIZER: &str = "govhall_prefix";

/// Shortest initials query that is matched against `name_initials`.
pub(crate) const INITIALS_MIN: usize = 2;
/// Longest initials n-gram indexed; longer queries are split into windows.
pub(crate) const INITIALS_MAX: usize = 10;
/// Longest name prefix indexed. Item names are rarely longer, and a query
/// longer than this can still hit through `name_exact` or its words.
pub(crate) const PREFIX_MAX_CHARS: usize = 64;

/// Handles to the schema's fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// Item id: indexed to delete by it, fast to read it back from a hit.
    pub id: Field,
    /// Item name, jieba search-mode words.
    pub name: Field,
    /// Body text and department name, jieba search-mode words.
    pub body: Field,
    /// Whole normalized name, one term, for exact hits.
    pub name_exact: Field,
    /// Prefixes of the normalized name, for prefix hits and type-ahead.
    pub name_prefix: Field,
    /// N-grams of the name's pinyin initials.
    pub name_initials: Field,
    /// Filter: owning department.
    pub department_id: Field,
    /// Filter: GB/T 39046 item type code, one term.
    pub item_type: Field,
    /// Filter: can be handled online.
    pub online: Field,
}

impl Fields {
    /// Builds the schema and returns it with its field handles.
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        // Frequencies without positions: ranking uses BM25 but no query is a
        // phrase query, so positions would only cost memory.
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(JIEBA_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let ngrams = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let fields = Fields {
            id: builder.add_i64_field("id", INDEXED | tantivy::schema::FAST),
            name: builder.add_text_field("name", words.clone()),
            body: builder.add_text_field("body", words),
            name_exact: builder.add_text_field("name_exact", STRING),
            name_prefix: builder.add_text_field("name_prefix", ngrams(PREFIX_TOKENIZER)),
            name_initials: builder.add_text_field("name_initials", ngrams(INITIALS_TOKENIZER)),
            department_id: builder.add_i64_field("department_id", INDEXED),
            item_type: builder.add_text_field("item_type", STRING),
            online: builder.add_bool_field("online", INDEXED),
        };
        (builder.build(), fields)
    }

    /// Registers the tokenizers the schema names.
    pub(crate) fn register_tokenizers(index: &Index) -> tantivy::Result<()> {
        let tokenizers = index.tokenizers();
        tokenizers.register(JIEBA_TOKENIZER, TextAnalyzer::from(JiebaTokenizer));
        tokenizers.register(
            INITIALS_TOKENIZER,
            TextAnalyzer::from(NgramTokenizer::all_ngrams(INITIALS_MIN, INITIALS_MAX)?),
        );
        tokenizers.register(
            PREFIX_TOKENIZER,
            TextAnalyzer::from(NgramTokenizer::prefix_only(1, PREFIX_MAX_CHARS)?),
        );
        Ok(())
    }

    /// Turns an item into the document indexed for it.
    pub(crate) fn document(&self, item: &ItemDoc) -> TantivyDocument {
        let name = fold_width(&item.name);
        let mut doc = TantivyDocument::default();
        doc.add_i64(self.id, item.id);
        doc.add_text(self.name, &name);
        doc.add_text(self.body, fold_width(&item.body));
        // The department name is searchable so that "市场监管局" lists that
        // department's items, but as body text: it says who handles an item,
        // not what the item is.
        doc.add_text(self.body, fold_width(&item.department_name));
        let normalized = normalize_name(&name);
        doc.add_text(self.name_exact, &normalized);
        doc.add_text(self.name_prefix, &normalized);
        doc.add_text(self.name_initials, initials(&name));
        doc.add_i64(self.department_id, item.department_id);
        doc.add_text(self.item_type, item.item_type.trim());
        doc.add_bool(self.online, item.online);
        doc
    }
}
