//! The catalog's text: tantivy indexes each program's title, profile, organization and
//! description with Russian stemming, and a query is scored here, straight from tantivy's
//! postings with tantivy's BM25.
//!
//! Why not tantivy's query engine: a catalog search needs every match (to filter and count
//! them), not the top ten, and it runs once per request. tantivy's boolean union with
//! scorers, prefix automatons, a doc-id column read per hit and a collector cost 70–80 % of
//! a text search; adding postings into a table indexed by document costs a few nanoseconds
//! per posting. The scores are the ones tantivy's `BooleanQuery` of the same clauses gives
//! (tested against it below). The index lives in memory, so reading it cannot fail short of
//! a bug; a term that cannot be read counts as absent.

use std::sync::{Arc, Mutex};

use tantivy::directory::RamDirectory;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::TermInfo;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    TokenizerManager,
};
use tantivy::{Index, IndexWriter, InvertedIndexReader, Searcher, TantivyDocument};

/// The indexed fields, in the order `TextWriter::add` takes their texts, with the weight
/// of a match in each: a match in the title weighs more than one in the description.
pub(super) const FIELDS: [(&str, f32); 4] = [
    ("title", 3.0),
    ("profile", 2.0),
    ("organization", 1.0),
    ("description", 1.0),
];

/// A query word also matches as the start of a longer word («робот» finds
/// «робототехника») in fields that weigh more than 1, at half their weight: in
/// descriptions prefixes would match half the catalog.
fn prefixes_in(boost: f32) -> bool {
    boost > 1.0
}

/// Words shorter than this match only whole.
const MIN_PREFIX_CHARS: usize = 3;
/// Words of a query beyond this are ignored: nobody types more, and each costs.
const MAX_WORDS: usize = 8;

/// Folds ё to е, the way people type: «Ёлочка» is found by «елочка».
pub(super) fn normalize(text: &str) -> String {
    text.replace(['ё', 'Ё'], "е")
}

/// The distinct stems of `text` as the search index makes them (ё folded, lowercased, stop
/// words dropped, Russian stemming), space-separated in order of appearance: what the static
/// copy's filter matches a query's word starts against.
pub fn stems(text: &str) -> String {
    Stems::new().of(text)
}

/// `stems` for many texts: the analyzer (its stop-word set, its stemmer) built once, not
/// per text, which matters to a copy of 100 000 programs.
pub struct Stems(TextAnalyzer);

impl Stems {
    pub fn new() -> Self {
        Self(analyzer())
    }

    /// See [`stems`].
    pub fn of(&mut self, text: &str) -> String {
        let normalized = normalize(text);
        let mut stream = self.0.token_stream(&normalized);
        let mut seen: Vec<String> = Vec::new();
        while stream.advance() {
            let stem = &stream.token().text;
            if !seen.iter().any(|s| s == stem) {
                seen.push(stem.clone());
            }
        }
        seen.join(" ")
    }
}

impl Default for Stems {
    fn default() -> Self {
        Self::new()
    }
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Russian).expect("Russian stop words"))
        .filter(Stemmer::new(Language::Russian))
        .build()
}

/// Counts a text's tokens as tantivy does when it indexes it (every token the analyzer
/// gives; stemming maps one token to one, so it is left out). BM25 averages field lengths
/// over the catalog: a change must take out exactly what the replaced document put in.
fn counter() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Russian).expect("Russian stop words"))
        .build()
}

/// The texts of one program, in the order of `FIELDS`.
pub(super) type Texts = [String; 4];

/// A catalog position no document has any more: its program changed or left the catalog.
pub(super) const GONE: u32 = u32::MAX;

/// Changes since the full build are kept in small indexes of their own; past this many, they
/// are merged into one, so a search does not look words up in dozens of them.
const MAX_CHANGE_PARTS: usize = 8;

/// The memory budget of a change's writer (see `TextWriter::small`): a table of 32 K terms.
const SMALL_BUDGET: usize = 1_000_000;

enum Writer {
    /// The full build: several threads, several segments.
    Full(Box<IndexWriter>),
    /// A change: a few documents, one segment, no threads.
    Small(Box<tantivy::SingleSegmentIndexWriter>),
}

/// Builds the text index; documents are added with their catalog position.
pub(super) struct TextWriter {
    /// The index of a full build (a small writer makes its own).
    index: Option<Index>,
    writer: Writer,
    position: Field,
    fields: [Field; 4],
    counter: TextAnalyzer,
    /// Per position added: its token counts, and its texts when kept (see `small`).
    tokens: Vec<(u32, [u32; 4])>,
    texts: Option<Vec<(u32, Texts)>>,
}

impl TextWriter {
    pub fn new() -> tantivy::Result<Self> {
        let (schema, position, fields) = Self::schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register("ru", analyzer());
        let writer = index.writer_with_num_threads(2, 128 * 1024 * 1024)?;
        // Written once, searched until replaced: merging segments would only spend CPU.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(Self::with(
            Some(index),
            Writer::Full(Box::new(writer)),
            position,
            fields,
            None,
        ))
    }

    /// A writer for the programs of a change; keeps their texts, to merge changes later.
    /// One segment written on the caller's thread: an ordinary writer starts threads.
    /// Its memory budget sizes the writer's table of terms (a third of it, in powers of
    /// two): a change of a few programs has hundreds of terms, and the 15 MB of an
    /// ordinary writer made a table of 512 K slots to zero and walk on every edit, a good
    /// part of an apply. (A single-segment writer does not flush on its budget; the table
    /// grows if a merge of changes needs it.)
    fn small() -> tantivy::Result<Self> {
        let (schema, position, fields) = Self::schema();
        let tokenizers = TokenizerManager::default();
        tokenizers.register("ru", analyzer());
        let writer = Index::builder()
            .schema(schema)
            .tokenizers(tokenizers)
            .single_segment_index_writer(RamDirectory::create(), SMALL_BUDGET)?;
        Ok(Self::with(
            None,
            Writer::Small(Box::new(writer)),
            position,
            fields,
            Some(Vec::new()),
        ))
    }

    fn schema() -> (Schema, Field, [Field; 4]) {
        let mut schema = Schema::builder();
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("ru")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let position = schema.add_u64_field("position", FAST);
        let fields = FIELDS.map(|(name, _)| schema.add_text_field(name, options.clone()));
        (schema.build(), position, fields)
    }

    fn with(
        index: Option<Index>,
        writer: Writer,
        position: Field,
        fields: [Field; 4],
        texts: Option<Vec<(u32, Texts)>>,
    ) -> Self {
        Self {
            index,
            writer,
            position,
            fields,
            counter: counter(),
            tokens: Vec::new(),
            texts,
        }
    }

    /// Adds the texts of the program at `position`, in the order of `FIELDS`.
    pub fn add(&mut self, position: u32, texts: [&str; 4]) -> tantivy::Result<()> {
        let mut doc = TantivyDocument::default();
        doc.add_u64(self.position, u64::from(position));
        let mut counts = [0u32; 4];
        for ((field, text), count) in self.fields.iter().zip(texts).zip(&mut counts) {
            let text = normalize(text);
            {
                let mut stream = self.counter.token_stream(&text);
                while stream.advance() {
                    *count += 1;
                }
            }
            doc.add_text(*field, text);
        }
        self.tokens.push((position, counts));
        if let Some(kept) = &mut self.texts {
            kept.push((position, texts.map(str::to_owned)));
        }
        match &mut self.writer {
            Writer::Full(w) => {
                w.add_document(doc)?;
            }
            Writer::Small(w) => w.add_document(doc)?,
        }
        Ok(())
    }

    /// Commits and opens the index.
    pub fn finish(self) -> tantivy::Result<TextIndex> {
        let segments = self.segments()?;
        Ok(TextIndex::of(segments))
    }

    /// Commits and reads the segments written, each doc with its catalog position.
    fn segments(self) -> tantivy::Result<Vec<SegmentText>> {
        let index = match self.writer {
            Writer::Full(mut w) => {
                w.commit()?;
                self.index.expect("a full build has its index")
            }
            Writer::Small(w) => (*w).finalize()?,
        };
        let searcher = index.reader()?.searcher();
        let by_position: std::collections::HashMap<u32, usize> = self
            .tokens
            .iter()
            .enumerate()
            .map(|(k, (p, _))| (*p, k))
            .collect();
        let mut texts = self.texts;
        let mut segments = Vec::new();
        for reader in searcher.segment_readers() {
            let column = reader.fast_fields().u64("position")?;
            let positions: Vec<u32> = (0..reader.max_doc())
                .map(|doc| column.first(doc).unwrap_or_default() as u32)
                .collect();
            let fields = self
                .fields
                .iter()
                .map(|&field| {
                    Ok((
                        reader.inverted_index(field)?,
                        reader.get_fieldnorms_reader(field)?,
                    ))
                })
                .collect::<tantivy::Result<Vec<_>>>()?;
            let tokens: Vec<[u32; 4]> = positions
                .iter()
                .map(|p| self.tokens[by_position[p]].1)
                .collect();
            debug_assert!(
                (0..4).all(|f| fields[f].0.total_num_tokens()
                    == tokens.iter().map(|t| u64::from(t[f])).sum::<u64>()),
                "token counts are tantivy's"
            );
            let kept = texts.as_mut().map(|all| {
                positions
                    .iter()
                    .map(|p| std::mem::take(&mut all[by_position[p]].1))
                    .collect()
            });
            segments.push(SegmentText {
                data: Arc::new(SegmentData {
                    _searcher: searcher.clone(),
                    fields,
                    tokens,
                    texts: kept,
                }),
                positions,
                gone: 0,
            });
        }
        Ok(segments)
    }
}

/// What one segment holds, shared by the text indexes of successive catalog versions.
struct SegmentData {
    /// Keeps the segment the readers below read from.
    _searcher: Searcher,
    /// Per field of `FIELDS`: its terms and postings, and its length per document.
    fields: Vec<(Arc<InvertedIndexReader>, FieldNormReader)>,
    /// Per document, its exact token count in each field.
    tokens: Vec<[u32; 4]>,
    /// Per document, its texts: kept for the segments of changes, which are merged.
    texts: Option<Vec<Texts>>,
}

struct SegmentText {
    data: Arc<SegmentData>,
    /// The catalog position of each document of the segment at this version (`GONE`
    /// when its program changed or left the catalog since).
    positions: Vec<u32>,
    /// How many of its documents are `GONE`.
    gone: u32,
}

impl SegmentText {
    fn fields(&self) -> &[(Arc<InvertedIndexReader>, FieldNormReader)] {
        &self.data.fields
    }
}

pub(super) struct TextIndex {
    analyzer: TextAnalyzer,
    segments: Vec<SegmentText>,
    /// Documents that are not `GONE`, and their tokens per field: BM25's statistics, the
    /// same as a fresh build of this version's catalog gives.
    total_docs: u64,
    average_fieldnorm: [f32; 4],
    /// Score tables of finished searches, reused: a fresh one would be zeroed page by page.
    scratch: Mutex<Vec<Scratch>>,
    /// Per (segment, field, word): how many `GONE` documents have the word, which BM25's
    /// document frequency leaves out. Counted the first time a word is searched.
    gone_freq: Mutex<std::collections::HashMap<(usize, usize, String), u32>>,
}

impl TextIndex {
    fn of(segments: Vec<SegmentText>) -> Self {
        let live = |s: &SegmentText| s.positions.iter().filter(|&&p| p != GONE).count() as u64;
        let total_docs: u64 = segments.iter().map(live).sum();
        // BM25's statistics as tantivy's `Searcher` computes them, over live documents.
        let average_fieldnorm = std::array::from_fn(|f| {
            let tokens: u64 = segments
                .iter()
                .map(|s| {
                    let all = s.fields()[f].0.total_num_tokens();
                    if s.gone == 0 {
                        return all;
                    }
                    let gone: u64 = s
                        .positions
                        .iter()
                        .zip(&s.data.tokens)
                        .filter(|(p, _)| **p == GONE)
                        .map(|(_, t)| u64::from(t[f]))
                        .sum();
                    all - gone
                })
                .sum();
            tokens as f32 / total_docs as f32
        });
        Self {
            analyzer: analyzer(),
            segments,
            total_docs,
            average_fieldnorm,
            scratch: Mutex::default(),
            gone_freq: Mutex::default(),
        }
    }

    /// The text index of the next catalog version: `moved[p]` is the new position of the
    /// document at position `p` (`GONE` if its program changed or left), and `added` the
    /// texts of the changed and new programs at their new positions. The full build's
    /// segments are shared; the added programs go to a small index of their own.
    pub fn apply(&self, moved: &[u32], added: Vec<(u32, Texts)>) -> tantivy::Result<Self> {
        let mut segments: Vec<SegmentText> = self
            .segments
            .iter()
            .map(|s| {
                let positions: Vec<u32> = s
                    .positions
                    .iter()
                    .map(|&p| if p == GONE { GONE } else { moved[p as usize] })
                    .collect();
                let gone = positions.iter().filter(|&&p| p == GONE).count() as u32;
                SegmentText {
                    data: s.data.clone(),
                    positions,
                    gone,
                }
            })
            .collect();
        let changes = segments.iter().filter(|s| s.data.texts.is_some()).count();
        let mut added = added;
        if changes >= MAX_CHANGE_PARTS {
            // Merge the indexes of changes: their live documents are written again.
            segments.retain_mut(|s| {
                let Some(texts) = &s.data.texts else {
                    return true;
                };
                for (&p, t) in s.positions.iter().zip(texts) {
                    if p != GONE {
                        added.push((p, t.clone()));
                    }
                }
                false
            });
        }
        if !added.is_empty() {
            let mut writer = TextWriter::small()?;
            for (position, t) in &added {
                writer.add(*position, [&t[0], &t[1], &t[2], &t[3]])?;
            }
            segments.extend(writer.segments()?);
        }
        Ok(Self::of(segments))
    }

    /// The query's words as indexed: stemmed, stop words dropped, each once.
    fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
        let normalized = normalize(text);
        let mut stream = analyzer.token_stream(&normalized);
        let mut words: Vec<String> = Vec::new();
        while stream.advance() {
            let word = &stream.token().text;
            if !words.contains(word) && words.len() < MAX_WORDS {
                words.push(word.clone());
            }
        }
        words
    }

    /// Catalog positions matching every word of `text` in some field, with their scores;
    /// `None` when the text has no searchable word. Built from tokens, never parsed, so
    /// no input can make it fail.
    ///
    /// Segment by segment, so the score table is as long as a segment (it stays in the
    /// core's cache), and each posting list walks it in order.
    pub fn hits(&self, text: &str) -> Option<Vec<(u32, f32)>> {
        let words = self.words(text);
        if words.is_empty() {
            return None;
        }
        // BM25 weighs a term by how many documents of all segments have it.
        let terms: Vec<Term> = words
            .iter()
            .enumerate()
            .flat_map(|(k, word)| {
                FIELDS
                    .iter()
                    .enumerate()
                    .map(move |(f, &(_, boost))| self.term(k as u8, f, boost, word))
            })
            .collect();
        let mut scratch = self
            .scratch
            .lock()
            .expect("scratch lock")
            .pop()
            .unwrap_or_else(|| Scratch::new(self.longest_segment()));
        let mut hits = Vec::new();
        for (s, segment) in self.segments.iter().enumerate() {
            scratch.begin();
            for term in &terms {
                let (inverted, norms) = &segment.fields()[term.field];
                if let (Some(weight), Some(info)) = (&term.weight, &term.infos[s]) {
                    each_posting(inverted, info, IndexRecordOption::WithFreqs, |doc, freq| {
                        let score = weight.score(norms.fieldnorm_id(doc), freq);
                        scratch.add(doc, term.word, score);
                    });
                }
                if let Some(score) = term.prefix_score {
                    let pass = scratch.next_pass();
                    let prefix = words[usize::from(term.word)].as_bytes();
                    let Ok(mut stream) = inverted.terms().range().ge(prefix).into_stream() else {
                        continue;
                    };
                    while stream.advance() && stream.key().starts_with(prefix) {
                        each_posting(
                            inverted,
                            stream.value(),
                            IndexRecordOption::Basic,
                            |doc, _| scratch.add_once(doc, term.word, pass, score),
                        );
                    }
                }
            }
            hits.extend(
                scratch
                    .matching(words.len() as u8)
                    .map(|(doc, score)| (segment.positions[doc as usize], score))
                    .filter(|(position, _)| *position != GONE),
            );
        }
        self.scratch.lock().expect("scratch lock").push(scratch);
        Some(hits)
    }

    fn longest_segment(&self) -> usize {
        self.segments
            .iter()
            .map(|s| s.positions.len())
            .max()
            .unwrap_or(0)
    }

    /// Word `k` in field `f`: its postings in each segment and its BM25 weight, and the
    /// score a prefix match adds where the field takes prefixes.
    fn term(&self, k: u8, f: usize, boost: f32, word: &str) -> Term {
        let infos: Vec<Option<TermInfo>> = self
            .segments
            .iter()
            .map(|s| s.fields()[f].0.terms().get(word.as_bytes()).ok().flatten())
            .collect();
        let doc_freq: u64 = infos
            .iter()
            .enumerate()
            .filter_map(|(s, info)| Some((s, info.as_ref()?)))
            .map(|(s, info)| u64::from(info.doc_freq) - u64::from(self.gone_with(s, f, word, info)))
            .sum();
        let weight = (doc_freq > 0).then(|| {
            Bm25Weight::for_one_term_without_explain(
                doc_freq,
                self.total_docs,
                self.average_fieldnorm[f],
            )
            .boost_by(boost)
        });
        let prefixes = prefixes_in(boost) && word.chars().count() >= MIN_PREFIX_CHARS;
        Term {
            word: k,
            field: f,
            infos,
            weight,
            prefix_score: prefixes.then_some(boost * 0.5),
        }
    }

    /// How many `GONE` documents of segment `s` have `word` in field `f`: one walk of its
    /// postings, the first time this version is asked.
    fn gone_with(&self, s: usize, f: usize, word: &str, info: &TermInfo) -> u32 {
        let segment = &self.segments[s];
        if segment.gone == 0 {
            return 0;
        }
        let key = (s, f, word.to_owned());
        if let Some(&n) = self.gone_freq.lock().expect("gone lock").get(&key) {
            return n;
        }
        let mut n = 0;
        each_posting(
            &segment.fields()[f].0,
            info,
            IndexRecordOption::Basic,
            |doc, _| n += u32::from(segment.positions[doc as usize] == GONE),
        );
        self.gone_freq.lock().expect("gone lock").insert(key, n);
        n
    }
}

/// One query word in one field (see `TextIndex::term`).
struct Term {
    word: u8,
    field: usize,
    infos: Vec<Option<TermInfo>>,
    weight: Option<Bm25Weight>,
    prefix_score: Option<f32>,
}

/// Calls `f(doc, term frequency)` for each document of a posting list, block by block.
fn each_posting(
    inverted: &InvertedIndexReader,
    info: &TermInfo,
    option: IndexRecordOption,
    mut f: impl FnMut(u32, u32),
) {
    let Ok(mut postings) = inverted.read_block_postings_from_terminfo(info, option) else {
        return;
    };
    while !postings.docs().is_empty() {
        match option {
            IndexRecordOption::Basic => postings.docs().iter().for_each(|&doc| f(doc, 1)),
            _ => postings
                .docs()
                .iter()
                .zip(postings.freqs())
                .for_each(|(&doc, &freq)| f(doc, freq)),
        }
        postings.advance();
    }
}

/// Per document of a segment during one search: the score so far, how many query words
/// it matched, and the last prefix pass that scored it. `epoch` tells this search's
/// entries from older ones, so the table is never cleared. 8 bytes: a table for 50 000
/// documents fits in a core's cache.
#[derive(Clone, Copy, Default)]
struct Slot {
    score: f32,
    epoch: u16,
    words: u8,
    pass: u8,
}

struct Scratch {
    slots: Vec<Slot>,
    epoch: u16,
    pass: u8,
    /// Documents that matched the first word: the only candidates.
    touched: Vec<u32>,
}

impl Scratch {
    fn new(docs: usize) -> Self {
        Self {
            slots: vec![Slot::default(); docs],
            epoch: 0,
            pass: 0,
            touched: Vec::new(),
        }
    }

    fn begin(&mut self) {
        if self.epoch == u16::MAX {
            self.slots.fill(Slot::default());
            self.epoch = 0;
        }
        self.epoch += 1;
        self.pass = 0;
        self.touched.clear();
    }

    fn next_pass(&mut self) -> u8 {
        self.pass += 1;
        self.pass
    }

    /// The slot of `doc` if it can still match word `k`: it matched every earlier word.
    /// Counts word `k` as matched.
    #[inline]
    fn candidate(&mut self, doc: u32, k: u8) -> Option<&mut Slot> {
        let slot = &mut self.slots[doc as usize];
        if slot.epoch != self.epoch {
            if k > 0 {
                return None;
            }
            *slot = Slot {
                epoch: self.epoch,
                ..Slot::default()
            };
            self.touched.push(doc);
        }
        if slot.words == k {
            slot.words = k + 1;
        } else if slot.words != k + 1 {
            return None;
        }
        Some(slot)
    }

    #[inline]
    fn add(&mut self, doc: u32, k: u8, score: f32) {
        if let Some(slot) = self.candidate(doc, k) {
            slot.score += score;
        }
    }

    #[inline]
    fn add_once(&mut self, doc: u32, k: u8, pass: u8, score: f32) {
        if let Some(slot) = self.candidate(doc, k) {
            if slot.pass != pass {
                slot.pass = pass;
                slot.score += score;
            }
        }
    }

    /// Documents that matched all `words`, with their scores.
    fn matching(&self, words: u8) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.touched.iter().filter_map(move |&doc| {
            let slot = &self.slots[doc as usize];
            (slot.words == words).then_some((doc, slot.score))
        })
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Collector;
    use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
    use tantivy::{DocId, Score, SegmentReader, Term};

    use super::*;

    #[test]
    fn stems_are_the_index_s_distinct_word_stems() {
        assert_eq!(
            stems("Шахматный клуб «Ладья» для шахматистов"),
            "шахматн клуб лад шахматист"
        );
        assert_eq!(stems("Ёлочка и ёлочки"), "елочк");
    }

    /// What the index scored with tantivy's own engine: for each word, a `Should` of the
    /// term in every field (and the prefix where `prefixes_in`), all words `Must`.
    fn tantivy_query(index: &TextIndex, words: &[String]) -> Box<dyn Query> {
        let schema = index.segments[0].data._searcher.schema();
        let musts = words
            .iter()
            .map(|word| {
                let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (name, boost) in FIELDS {
                    let term = Term::from_field_text(schema.get_field(name).unwrap(), word);
                    let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                    shoulds.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(exact), boost)),
                    ));
                    if prefixes_in(boost) && word.chars().count() >= MIN_PREFIX_CHARS {
                        let prefix = FuzzyTermQuery::new_prefix(term, 0, true);
                        shoulds.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(prefix), boost * 0.5)),
                        ));
                    }
                }
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(shoulds)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(musts))
    }

    struct All;
    struct SegmentAll(tantivy::columnar::Column<u64>, Vec<(u32, f32)>);

    impl Collector for All {
        type Fruit = Vec<(u32, f32)>;
        type Child = SegmentAll;
        fn for_segment(&self, _: u32, reader: &SegmentReader) -> tantivy::Result<SegmentAll> {
            Ok(SegmentAll(
                reader.fast_fields().u64("position")?,
                Vec::new(),
            ))
        }
        fn requires_scoring(&self) -> bool {
            true
        }
        fn merge_fruits(&self, fruits: Vec<Vec<(u32, f32)>>) -> tantivy::Result<Self::Fruit> {
            Ok(fruits.concat())
        }
    }

    impl tantivy::collector::SegmentCollector for SegmentAll {
        type Fruit = Vec<(u32, f32)>;
        fn collect(&mut self, doc: DocId, score: Score) {
            self.1.push((self.0.first(doc).unwrap() as u32, score));
        }
        fn harvest(self) -> Self::Fruit {
            self.1
        }
    }

    const WORDS: [&str; 16] = [
        "шахматы",
        "шахматный",
        "клуб",
        "робототехника",
        "роботы",
        "танцы",
        "танцевальная",
        "студия",
        "юный",
        "эколог",
        "экология",
        "природы",
        "вокал",
        "вокальный",
        "ансамбль",
        "Ёлочка",
    ];

    /// A few thousand documents of words from `WORDS`, in two segments or more.
    fn index() -> TextIndex {
        let mut writer = TextWriter::new().unwrap();
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let docs = 3000;
        for position in 0..docs {
            let mut phrase = |len: usize| {
                (0..1 + next(len))
                    .map(|_| WORDS[next(WORDS.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let texts = [phrase(3), phrase(2), phrase(3), phrase(12)];
            writer
                .add(
                    position as u32,
                    [&texts[0], &texts[1], &texts[2], &texts[3]],
                )
                .unwrap();
        }
        writer.finish().unwrap()
    }

    #[test]
    fn scores_are_tantivys_boolean_query_scores() {
        let index = index();
        for text in [
            "шахматы",
            "клуб",
            "робот",
            "танц",
            "шахматный клуб",
            "юный эколог природы",
            "елочка",
            "вокал ансамбль студия",
            "нет такого слова",
            "и в на",
        ] {
            let words = index.words(text);
            let mut ours = index.hits(text).unwrap_or_default();
            let mut theirs = index.segments[0]
                .data
                ._searcher
                .search(tantivy_query(&index, &words).as_ref(), &All)
                .unwrap();
            ours.sort_by_key(|h| h.0);
            theirs.sort_by_key(|h| h.0);
            assert_eq!(
                ours.iter().map(|h| h.0).collect::<Vec<_>>(),
                theirs.iter().map(|h| h.0).collect::<Vec<_>>(),
                "{text}: the same documents"
            );
            for (a, b) in ours.iter().zip(&theirs) {
                assert!(
                    (a.1 - b.1).abs() <= 1e-4 * b.1.abs(),
                    "{text}: {a:?} vs {b:?}"
                );
            }
            if text.starts_with("нет") {
                assert!(ours.is_empty());
            } else if !text.starts_with('и') {
                assert!(!ours.is_empty(), "{text} finds something");
            }
        }
        // A search right after another reuses its table without mixing the two up.
        assert_eq!(
            index.hits("роботы").unwrap().len(),
            index.hits("роботы").unwrap().len()
        );
    }
}
