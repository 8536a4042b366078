//! Full-text search over published service items (事项) for the public
//! service-guide pages.
//!
//! The index lives in memory only: it is rebuilt from the database when the
//! server starts ([`SearchIndex::replace_all`]) and kept current as items
//! are published or withdrawn ([`SearchIndex::upsert`],
//! [`SearchIndex::remove`]). The database stays the source of truth; the
//! index only answers "which item ids match, in what order".
//!
//! What a search understands:
//!
//! * Chinese words, cut with jieba in search mode and a small dictionary of
//!   government words, so `营业执照`, `营业` and `执照` all find
//!   `企业设立登记（营业执照核发）`;
//! * common abbreviations, expanded at query time (`社保` also looks for
//!   `社会保险` and `社会保障`);
//! * pinyin initials: `yyzz` finds items whose name reads 营业执照;
//! * filters by department, item type and online handling, combined with
//!   the text.
//!
//! Query text is treated as plain words and never as query syntax, so no
//! input from the public can make a search fail. The index is sized for a
//! service catalogue (thousands of items): a search ranks every match, which
//! keeps paging and the total exact.

mod query;
mod schema;
mod text;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, Term};

use crate::query::{Analysis, Mode};
use crate::schema::Fields;
pub use crate::text::initials;

/// A published service item as the search index sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDoc {
    /// The item's database id; searches return these.
    pub id: i64,
    /// The item name, e.g. "企业设立登记（营业执照核发）". Matches here rank
    /// above matches in the body.
    pub name: String,
    /// Id of the department that handles the item, for filtering.
    pub department_id: i64,
    /// Name of that department (short or full), searchable like the body.
    pub department_name: String,
    /// GB/T 39046 item type code such as "01" or "20", for filtering.
    pub item_type: String,
    /// Whether the item can be handled online, for filtering.
    pub online: bool,
    /// Other searchable text: conditions, result, material names.
    pub body: String,
}

/// One search request from the public pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchQuery<'a> {
    /// What the user typed. Any text is accepted; empty, whitespace or
    /// punctuation only means "everything the filters allow".
    pub text: &'a str,
    /// Only items of this department.
    pub department_id: Option<i64>,
    /// Only items of this type code (compared after trimming spaces).
    pub item_type: Option<&'a str>,
    /// Only items that can (or cannot) be handled online.
    pub online: Option<bool>,
    /// Number of ranked hits to skip.
    pub offset: usize,
    /// Largest number of ids to return.
    pub limit: usize,
}

/// One page of search results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchHits {
    /// Item ids of the requested page, best match first (or by ascending id
    /// when the text was empty).
    pub ids: Vec<i64>,
    /// Number of items matching the query and filters, over all pages.
    pub total: usize,
}

/// An in-memory search index of service items.
///
/// Cloning is cheap and every clone is the same index, so one can be shared
/// between request handlers and the code that publishes items. Writes are
/// serialized; each one is committed and visible to searches when it
/// returns. Searches never wait for writes.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

/// Why an index operation failed. Query text never causes one: these are
/// faults of the index itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// Tantivy failed to build, write or read the index.
    #[error("search index failure: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// Memory the single indexing thread may buffer before flushing a segment;
/// tantivy's minimum, ample for a catalogue of service items.
const WRITER_MEMORY_BYTES: usize = 15_000_000;

struct Inner {
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
}

impl SearchIndex {
    /// Creates an empty index.
    pub fn new() -> Result<Self, SearchError> {
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_ram(schema);
        Fields::register_tokenizers(&index)?;
        // One indexing thread: items are published one at a time, and the
        // start-up rebuild of a few thousand items is quick even so.
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        // Reloaded by hand after each commit, so a write is visible as soon
        // as it returns rather than after a file-watch delay.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                fields,
                reader,
                writer: Mutex::new(writer),
            }),
        })
    }

    /// Drops every indexed item and indexes `docs` instead.
    ///
    /// If `docs` holds several items with the same id, the last one wins,
    /// as if they had been upserted in order.
    pub fn replace_all(&self, docs: Vec<ItemDoc>) -> Result<(), SearchError> {
        let latest: BTreeMap<i64, ItemDoc> = docs.into_iter().map(|doc| (doc.id, doc)).collect();
        self.write(|writer, fields| {
            writer.delete_all_documents()?;
            for doc in latest.values() {
                writer.add_document(fields.document(doc))?;
            }
            Ok(())
        })
    }

    /// Indexes `doc`, replacing any item with the same id.
    pub fn upsert(&self, doc: ItemDoc) -> Result<(), SearchError> {
        self.write(|writer, fields| {
            // Tantivy applies a delete only to documents added before it, so
            // the new version added next survives it.
            writer.delete_term(Term::from_field_i64(fields.id, doc.id));
            writer.add_document(fields.document(&doc))?;
            Ok(())
        })
    }

    /// Removes the item with this id; removing an absent id is not an error.
    pub fn remove(&self, id: i64) -> Result<(), SearchError> {
        self.write(|writer, fields| {
            writer.delete_term(Term::from_field_i64(fields.id, id));
            Ok(())
        })
    }

    /// Finds the items matching the query text and filters.
    ///
    /// A hit must contain every meaningful word of the text, in its name or
    /// body (or through an abbreviation's expansion or its pinyin
    /// initials); only when no item does is any single word enough. The
    /// strict pass keeps "户口迁移" from listing every item that mentions
    /// 户口, and the loose pass still gives a citizen whose wording is off
    /// something to look at instead of an empty page.
    pub fn search(&self, q: &SearchQuery<'_>) -> Result<SearchHits, SearchError> {
        let fields = &self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let analysis = Analysis::new(q.text);
        let hits = if analysis.is_empty() {
            let mut hits = collect(&searcher, &filtered(fields, q, Box::new(AllQuery)))?;
            hits.sort_unstable_by_key(|&(_, id)| id);
            hits
        } else {
            let mut hits = collect(
                &searcher,
                &filtered(fields, q, analysis.to_query(fields, Mode::All)),
            )?;
            if hits.is_empty() && analysis.has_several_words() {
                hits = collect(
                    &searcher,
                    &filtered(fields, q, analysis.to_query(fields, Mode::Any)),
                )?;
            }
            // Ties go to the lower id so the order, and so paging, is stable.
            hits.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            hits
        };
        let total = hits.len();
        let ids = hits
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|(_, id)| id)
            .collect();
        Ok(SearchHits { ids, total })
    }

    /// Ids of the best items for what the user has typed so far, for a
    /// type-ahead list.
    ///
    /// This is [`SearchIndex::search`] without filters, where prefix hits on
    /// the name already rank first, so an unfinished word ("营业执") finds
    /// the names that start with it. A prefix with nothing searchable in it
    /// suggests nothing rather than everything.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<i64>, SearchError> {
        if Analysis::new(prefix).is_empty() {
            return Ok(Vec::new());
        }
        let hits = self.search(&SearchQuery {
            text: prefix,
            department_id: None,
            item_type: None,
            online: None,
            offset: 0,
            limit,
        })?;
        Ok(hits.ids)
    }

    /// Runs `ops` on the writer, then commits and reloads the reader; on
    /// failure, rolls back so no half-done write is committed later.
    fn write<F>(&self, ops: F) -> Result<(), SearchError>
    where
        F: FnOnce(&mut IndexWriter, &Fields) -> tantivy::Result<()>,
    {
        let mut writer = self.lock_writer()?;
        let result = ops(&mut writer, &self.inner.fields).and_then(|()| writer.commit());
        if let Err(error) = result {
            // The original error is the one worth reporting; if the rollback
            // fails too, the next write will say so.
            let _ = writer.rollback();
            return Err(error.into());
        }
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Locks the writer. A panic during an earlier write leaves the lock
    /// poisoned and possibly uncommitted operations queued; rolling those
    /// back restores the last committed state, so the index stays usable.
    fn lock_writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        match self.inner.writer.lock() {
            Ok(writer) => Ok(writer),
            Err(poisoned) => {
                let mut writer = poisoned.into_inner();
                writer.rollback()?;
                self.inner.writer.clear_poison();
                Ok(writer)
            }
        }
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.inner.reader.searcher().num_docs())
            .finish_non_exhaustive()
    }
}

/// Adds the query's filters to `text` as required clauses that do not
/// change the score.
fn filtered(fields: &Fields, q: &SearchQuery<'_>, text: Box<dyn Query>) -> Box<dyn Query> {
    let mut terms = Vec::new();
    if let Some(department_id) = q.department_id {
        terms.push(Term::from_field_i64(fields.department_id, department_id));
    }
    if let Some(item_type) = q.item_type {
        terms.push(Term::from_field_text(fields.item_type, item_type.trim()));
    }
    if let Some(online) = q.online {
        terms.push(Term::from_field_bool(fields.online, online));
    }
    if terms.is_empty() {
        return text;
    }
    let mut clauses = vec![(Occur::Must, text)];
    for term in terms {
        let filter = TermQuery::new(term, IndexRecordOption::Basic);
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(filter), 0.0)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Every match of `query` with its score and item id, unordered.
fn collect(searcher: &Searcher, query: &dyn Query) -> Result<Vec<(Score, i64)>, SearchError> {
    // Collecting every match (the limit is the number of documents) is what
    // makes `total` exact and the id tie-break possible; for a catalogue of
    // a few thousand items it is cheap.
    let limit = usize::try_from(searcher.num_docs())
        .unwrap_or(usize::MAX)
        .max(1);
    let top = searcher.search(query, &TopDocs::with_limit(limit).order_by_score())?;
    let ids = searcher
        .segment_readers()
        .iter()
        .map(|segment| segment.fast_fields().i64("id"))
        .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(top
        .into_iter()
        .filter_map(|(score, address)| {
            ids[address.segment_ord as usize]
                .first(address.doc_id)
                .map(|id| (score, id))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MARKET: i64 = 1;
    const HRSS: i64 = 2;
    const FUND: i64 = 3;
    const HEALTH: i64 = 4;
    const MEDICAL_SECURITY: i64 = 5;
    const PLANNING: i64 = 6;
    const POLICE: i64 = 7;
    const TRANSPORT: i64 = 8;

    fn item(
        id: i64,
        name: &str,
        dept: (i64, &str),
        item_type: &str,
        online: bool,
        body: &str,
    ) -> ItemDoc {
        ItemDoc {
            id,
            name: name.to_string(),
            department_id: dept.0,
            department_name: dept.1.to_string(),
            item_type: item_type.to_string(),
            online,
            body: body.to_string(),
        }
    }

    /// A small catalogue as a city service center would publish it.
    fn catalogue() -> Vec<ItemDoc> {
        let market = (MARKET, "市场监督管理局");
        let hrss = (HRSS, "人力资源和社会保障局");
        let police = (POLICE, "公安局");
        let planning = (PLANNING, "自然资源和规划局");
        vec![
            item(
                1,
                "企业设立登记（营业执照核发）",
                market,
                "01",
                true,
                "申请条件：依法设立的企业。办理结果：营业执照。申请材料：公司登记（备案）申请书；公司章程；股东主体资格证明。",
            ),
            item(
                2,
                "营业执照遗失补领",
                market,
                "01",
                true,
                "企业营业执照遗失或者损毁的，申请补领。申请材料：补领申请书。",
            ),
            item(
                3,
                "食品经营许可",
                market,
                "01",
                true,
                "从事食品销售和餐饮服务活动，应当取得食品经营许可证。申请材料：食品经营许可申请书；营业执照复印件。",
            ),
            item(
                4,
                "个体工商户设立登记",
                market,
                "01",
                false,
                "申请材料：个体工商户登记申请书；经营者身份证明。即办件。",
            ),
            item(
                5,
                "社会保障卡申领",
                hrss,
                "20",
                true,
                "参保人员首次申领社会保障卡。申请材料：居民身份证。",
            ),
            item(
                6,
                "失业登记",
                hrss,
                "20",
                true,
                "劳动年龄内、有劳动能力、有就业要求、处于失业状态的城乡劳动者办理失业登记。",
            ),
            item(
                7,
                "城镇职工基本养老保险参保登记",
                hrss,
                "20",
                true,
                "用人单位应当自成立之日起三十日内为职工办理社会保险登记。",
            ),
            item(
                8,
                "住房公积金提取",
                (FUND, "住房公积金管理中心"),
                "20",
                true,
                "职工购买、建造、翻建、大修自住住房的，可以提取住房公积金账户内的存储余额。",
            ),
            item(
                9,
                "医疗机构执业登记",
                (HEALTH, "卫生健康委员会"),
                "01",
                false,
                "医疗机构执业，必须进行登记，领取医疗机构执业许可证。",
            ),
            item(
                10,
                "城乡居民基本医疗保险参保登记",
                (MEDICAL_SECURITY, "医疗保障局"),
                "20",
                true,
                "未参加职工基本医疗保险的城乡居民办理参保登记。",
            ),
            item(
                11,
                "建设工程规划许可证核发",
                planning,
                "01",
                false,
                "在城市规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，应当申请办理建设工程规划许可证。",
            ),
            item(
                12,
                "居民身份证申领",
                police,
                "10",
                false,
                "年满十六周岁的中国公民申领居民身份证。申请材料：居民户口簿。",
            ),
            item(
                13,
                "户口迁移",
                police,
                "10",
                false,
                "因工作调动、投靠亲属等原因迁移户口。申请材料：居民户口簿、居民身份证。",
            ),
            item(
                14,
                "网络预约出租汽车驾驶员证核发",
                (TRANSPORT, "交通运输局"),
                "01",
                true,
                "从事网络预约出租汽车经营服务的驾驶员，应当取得驾驶员证。",
            ),
            item(
                15,
                "不动产登记资料查询",
                planning,
                "20",
                true,
                "权利人、利害关系人查询不动产登记资料。申请材料：身份证明。",
            ),
        ]
    }

    fn index() -> SearchIndex {
        let index = SearchIndex::new().unwrap();
        index.replace_all(catalogue()).unwrap();
        index
    }

    fn query(text: &str) -> SearchQuery<'_> {
        SearchQuery {
            text,
            department_id: None,
            item_type: None,
            online: None,
            offset: 0,
            limit: 100,
        }
    }

    fn ids(index: &SearchIndex, text: &str) -> Vec<i64> {
        index.search(&query(text)).unwrap().ids
    }

    fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
        ids.sort_unstable();
        ids
    }

    #[test]
    fn index_is_send_sync_and_clones_share_it() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SearchIndex>();

        let index = SearchIndex::new().unwrap();
        let clone = index.clone();
        clone.replace_all(catalogue()).unwrap();
        assert_eq!(ids(&index, "户口迁移")[0], 13);
    }

    #[test]
    fn whole_words_and_their_parts_are_found() {
        let index = index();
        assert_eq!(sorted(ids(&index, "营业执照")), vec![1, 2, 3]);
        assert_eq!(sorted(ids(&index, "执照")), vec![1, 2, 3]);
        assert_eq!(sorted(ids(&index, "营业")), vec![1, 2, 3]);
        assert_eq!(ids(&index, "住房公积金"), vec![8]);
        assert_eq!(ids(&index, "食品经营"), vec![3]);
        assert_eq!(ids(&index, "即办件"), vec![4]);
    }

    #[test]
    fn all_words_must_match_across_name_and_body() {
        let index = index();
        assert_eq!(ids(&index, "户口迁移"), vec![13]);
        // 设立 is in the name of 1 and 4, 章程 only in the body of 1.
        assert_eq!(ids(&index, "设立 章程"), vec![1]);
        // Words in a different order or with filler words still match.
        assert_eq!(ids(&index, "迁移户口"), vec![13]);
        assert_eq!(ids(&index, "怎么办理户口迁移"), vec![13]);
    }

    #[test]
    fn when_no_item_has_every_word_any_word_is_enough() {
        let index = index();
        let hits = index.search(&query("户口 火星")).unwrap();
        assert_eq!(hits.ids[0], 13);
        assert!(hits.ids.contains(&12), "12 has 户口 in its body: {hits:?}");
        // One word matching nothing finds nothing: there is no looser pass.
        assert_eq!(index.search(&query("火星")).unwrap(), SearchHits::default());
    }

    #[test]
    fn department_name_is_searchable() {
        let index = index();
        assert_eq!(sorted(ids(&index, "公安局")), vec![12, 13]);
    }

    #[test]
    fn abbreviations_expand_to_full_forms() {
        let index = index();
        // No item says 社保: 7 says 社会保险, and 5, 6 and 7 belong to the
        // 人力资源和社会保障局; 5, named 社会保障卡, ranks first.
        assert_eq!(ids(&index, "社保")[0], 5);
        assert_eq!(sorted(ids(&index, "社保")), vec![5, 6, 7]);
        assert_eq!(ids(&index, "社保卡"), vec![5]);
        // 10 says 医疗保险 and its department 医疗保障局.
        assert_eq!(ids(&index, "医保"), vec![10]);
        assert_eq!(ids(&index, "网约车"), vec![14]);
        assert_eq!(ids(&index, "个体户"), vec![4]);
        // Expansion is for abbreviations only: the full form does not
        // find items that would need the reverse.
        assert!(!ids(&index, "营业执照").contains(&4));
    }

    #[test]
    fn ascii_letters_match_pinyin_initials_of_names() {
        let index = index();
        assert_eq!(
            ids(&index, "yyzz"),
            vec![2, 1],
            "prefix of the initials ranks first"
        );
        assert_eq!(sorted(ids(&index, "YYZZ")), vec![1, 2]);
        assert_eq!(ids(&index, "hkqy"), vec![13]);
        // 社保卡 → 社会保障卡 applies to initials too.
        assert_eq!(ids(&index, "sbk"), vec![5]);
        // Longer than the indexed n-grams: matched through its windows.
        assert_eq!(ids(&index, "qysldjyyzzhf"), vec![1]);
        // Initials are for names only, and a single letter is too little.
        assert!(ids(&index, "zc").is_empty(), "章程 is only in a body");
        assert!(ids(&index, "y").is_empty());
    }

    #[test]
    fn name_hits_rank_above_body_hits_and_prefix_first() {
        let index = index();
        // 2 starts with 营业执照, 1 has it inside its name, 3 only in its body.
        assert_eq!(ids(&index, "营业执照"), vec![2, 1, 3]);
        // 12 has 居民身份证 in its name, 5 and 13 only in their bodies.
        assert_eq!(ids(&index, "居民身份证")[0], 12);
        assert_eq!(ids(&index, "身份证")[0], 12);
        // 11 has it in its name, 3 and 9 in their bodies.
        assert_eq!(ids(&index, "许可证")[0], 11);
        assert_eq!(sorted(ids(&index, "许可证")), vec![3, 9, 11]);
    }

    #[test]
    fn exact_name_ranks_above_prefix() {
        let index = index();
        // 16 and 17 repeat the words in their names and bodies, so by word
        // scores alone they would outrank 13, and 17 would outrank 16.
        let heavy = "户口迁移：户口迁移、迁移户口、户口迁出、户口迁入。";
        index
            .upsert(item(
                16,
                "户口迁移（户口迁移证签发）",
                (POLICE, "公安局"),
                "10",
                false,
                "户口迁移",
            ))
            .unwrap();
        index
            .upsert(item(
                17,
                "跨省户口迁移（户口迁移证签发）",
                (POLICE, "公安局"),
                "10",
                false,
                heavy,
            ))
            .unwrap();
        assert_eq!(ids(&index, "户口迁移")[..3], [13, 16, 17]);
        assert_eq!(ids(&index, "户口迁移(户口迁移证签发)")[0], 16);
        // Width and spacing do not defeat the exact match.
        assert_eq!(ids(&index, "企业设立登记(营业执照 核发)")[0], 1);
    }

    #[test]
    fn unfinished_words_are_suggested_by_prefix() {
        let index = index();
        assert_eq!(index.suggest("营业执", 5).unwrap(), vec![2]);
        assert_eq!(index.suggest("户口", 5).unwrap()[0], 13);
        assert_eq!(index.suggest("营业执照", 2).unwrap(), vec![2, 1]);
        assert!(index.suggest(" （ ", 5).unwrap().is_empty());
        assert!(index.suggest("户口", 0).unwrap().is_empty());
    }

    #[test]
    fn filters_combine_with_text() {
        let index = index();
        let in_market = SearchQuery {
            department_id: Some(MARKET),
            ..query("登记")
        };
        assert_eq!(sorted(index.search(&in_market).unwrap().ids), vec![1, 4]);

        let offline = SearchQuery {
            online: Some(false),
            ..query("登记")
        };
        assert_eq!(sorted(index.search(&offline).unwrap().ids), vec![4, 9]);

        let public_online = SearchQuery {
            item_type: Some("20"),
            online: Some(true),
            ..query("登记")
        };
        assert_eq!(
            sorted(index.search(&public_online).unwrap().ids),
            vec![6, 7, 10, 15]
        );

        let nowhere = SearchQuery {
            department_id: Some(POLICE),
            ..query("营业执照")
        };
        assert_eq!(index.search(&nowhere).unwrap(), SearchHits::default());

        // Filters also bound the any-word pass.
        let loose = SearchQuery {
            department_id: Some(POLICE),
            ..query("户口 执照")
        };
        assert_eq!(sorted(index.search(&loose).unwrap().ids), vec![12, 13]);
    }

    #[test]
    fn filters_leave_the_ranking_alone() {
        let index = index();
        let in_market = SearchQuery {
            department_id: Some(MARKET),
            ..query("营业执照")
        };
        assert_eq!(index.search(&in_market).unwrap().ids, vec![2, 1, 3]);
    }

    #[test]
    fn empty_text_lists_filtered_items_by_id() {
        let index = index();
        for text in ["", "   ", "\u{3000}\t", "（）：。"] {
            let hits = index.search(&query(text)).unwrap();
            assert_eq!(hits.ids, (1..=15).collect::<Vec<_>>(), "{text:?}");
            assert_eq!(hits.total, 15);
        }
        let police = SearchQuery {
            department_id: Some(POLICE),
            ..query("")
        };
        assert_eq!(index.search(&police).unwrap().ids, vec![12, 13]);
        let permits = SearchQuery {
            item_type: Some(" 01 "),
            online: Some(false),
            ..query("")
        };
        assert_eq!(index.search(&permits).unwrap().ids, vec![4, 9, 11]);
    }

    #[test]
    fn total_counts_all_matches_and_ids_are_the_page() {
        let index = index();
        let all = index.search(&query("登记")).unwrap();
        assert_eq!(all.total, 7);
        let page = index
            .search(&SearchQuery {
                offset: 2,
                limit: 3,
                ..query("登记")
            })
            .unwrap();
        assert_eq!(page.total, 7);
        assert_eq!(page.ids, all.ids[2..5]);
        let past = index
            .search(&SearchQuery {
                offset: 50,
                ..query("登记")
            })
            .unwrap();
        assert_eq!((past.ids.len(), past.total), (0, 7));
        let none = index
            .search(&SearchQuery {
                limit: 0,
                ..query("")
            })
            .unwrap();
        assert_eq!((none.ids.len(), none.total), (0, 15));
        let browse = index
            .search(&SearchQuery {
                offset: 13,
                limit: 5,
                ..query("")
            })
            .unwrap();
        assert_eq!(browse.ids, vec![14, 15]);
    }

    #[test]
    fn query_syntax_is_searched_as_plain_words() {
        let index = index();
        for text in [
            "(",
            ")",
            ":",
            "\"",
            "*",
            "AND",
            "OR",
            "NOT",
            "name:户口",
            "户口 AND",
            "\"户口迁移",
            "户口*",
            "+户口 -迁移",
            "户口~2",
            "[1 TO 2]",
            "{",
            "^3",
            "\\",
            "户口^",
            "id:13",
        ] {
            let result = index.search(&query(text));
            assert!(result.is_ok(), "{text:?}: {result:?}");
        }
        // The star is dropped; 12 has 户口 in its body.
        assert_eq!(ids(&index, "户口*"), vec![13, 12]);
        assert_eq!(ids(&index, "\"户口迁移\""), vec![13]);
        assert_eq!(ids(&index, "(户口) AND (迁移)")[0], 13);
        assert_eq!(ids(&index, "name:户口")[0], 13);
    }

    #[test]
    fn upsert_replaces_the_item_with_the_same_id() {
        let index = index();
        let mut renamed = catalogue().remove(12);
        assert_eq!(renamed.id, 13);
        renamed.name = "户籍迁入".to_string();
        renamed.body = "迁入本市户籍。".to_string();
        index.upsert(renamed.clone()).unwrap();
        index.upsert(renamed).unwrap();
        assert_eq!(ids(&index, "户籍迁入"), vec![13]);
        assert!(!ids(&index, "户口迁移").contains(&13));
        assert_eq!(index.search(&query("")).unwrap().total, 15);

        index
            .upsert(item(
                16,
                "一次性告知清单查询",
                (HRSS, "人力资源和社会保障局"),
                "20",
                true,
                "",
            ))
            .unwrap();
        assert_eq!(ids(&index, "一次性告知"), vec![16]);
        assert_eq!(index.search(&query("")).unwrap().total, 16);
    }

    #[test]
    fn remove_deletes_the_item() {
        let index = index();
        index.remove(13).unwrap();
        assert!(!ids(&index, "户口迁移").contains(&13));
        assert_eq!(index.search(&query("")).unwrap().total, 14);
        // Removing what is not there is not an error.
        index.remove(13).unwrap();
        index.remove(999).unwrap();
        assert_eq!(index.search(&query("")).unwrap().total, 14);
    }

    #[test]
    fn replace_all_drops_everything_else() {
        let index = index();
        index
            .replace_all(vec![
                item(
                    20,
                    "失业保险金申领",
                    (HRSS, "人力资源和社会保障局"),
                    "20",
                    true,
                    "",
                ),
                item(21, "旧名称", (HRSS, "人力资源和社会保障局"), "20", true, ""),
                item(
                    21,
                    "就业创业证申领",
                    (HRSS, "人力资源和社会保障局"),
                    "20",
                    true,
                    "",
                ),
            ])
            .unwrap();
        assert_eq!(index.search(&query("")).unwrap().ids, vec![20, 21]);
        assert!(ids(&index, "营业执照").is_empty());
        assert_eq!(
            ids(&index, "就业创业证"),
            vec![21],
            "the last duplicate wins"
        );
        assert!(ids(&index, "旧名称").is_empty());

        index.replace_all(Vec::new()).unwrap();
        assert_eq!(index.search(&query("")).unwrap(), SearchHits::default());
    }

    /// Built once: proptest runs hundreds of searches against it.
    fn shared_index() -> &'static SearchIndex {
        static INDEX: std::sync::LazyLock<SearchIndex> = std::sync::LazyLock::new(index);
        &INDEX
    }

    /// Text drawn from query syntax, domain words and arbitrary characters.
    fn query_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            any::<String>(),
            prop::sample::select(vec![
                "(",
                ")",
                ":",
                "\"",
                "*",
                "AND",
                "OR",
                "NOT",
                "-",
                "+",
                "^",
                "~",
                "[",
                "]",
                "{",
                "}",
                "\\",
                "/",
                " ",
                "\u{3000}",
                "营业执照",
                "户口",
                "社保",
                "yyzz",
                "sbk",
                "（",
                "）",
                "\u{0}",
                "\u{FEFF}",
                "é",
                "👍",
            ])
            .prop_map(str::to_string),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn any_text_searches_without_error(
            text in query_text(),
            department_id in proptest::option::of(0i64..10),
            item_type in proptest::option::of(prop::sample::select(vec!["01", "10", "20", "", "*"])),
            online in proptest::option::of(any::<bool>()),
            offset in 0usize..20,
            limit in 0usize..20,
        ) {
            let q = SearchQuery { text: &text, department_id, item_type, online, offset, limit };
            let hits = shared_index().search(&q).unwrap();
            prop_assert!(hits.ids.len() <= limit);
            prop_assert!(hits.ids.len() <= hits.total.saturating_sub(offset));
            prop_assert!(shared_index().suggest(&text, limit).is_ok());
        }
    }
}
