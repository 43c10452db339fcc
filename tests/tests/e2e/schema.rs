//! The two migration dialects give one schema.
//!
//! Every migration exists twice, `migrations/sqlite/` and `migrations/postgres/`, and the
//! queries are written once for both (see `platform::db`). So a column, key or index that
//! one dialect has and the other lacks is a bug that only one kind of deployment hits:
//! NULLs accepted on one backend only, a unique constraint that guards against races on
//! one only, a query that is fast on one only. Nothing else compares the two dialects, so
//! this test migrates an empty database of each through `Db::migrate` (what the server
//! runs), reads the schema back from each catalog, normalizes the dialect spellings (see
//! `sqlite_type`, `postgres_type`, `loose_sql`), and reports every difference at once.
//!
//! It needs PostgreSQL (`TEST_DATABASE_URL`); without it, it says so and passes. The
//! comparer itself is proven on SQLite alone by
//! `the_comparison_reports_a_deliberate_difference`, which runs everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use platform::db::Db;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use tests::TestEnv;

// ---------------------------------------------------------------------------------------
// The normalized description: what both readers produce and the comparer compares.

/// Tables by name.
type Schema = BTreeMap<String, Table>;

#[derive(Debug, Default)]
struct Table {
    /// In declaration order.
    columns: Vec<Column>,
    /// In key order.
    primary_key: Vec<String>,
    /// Column lists of the unique constraints (not of unique indexes: those are indexes).
    uniques: BTreeSet<Vec<String>>,
    foreign_keys: BTreeSet<ForeignKey>,
    /// Indexes created by `CREATE INDEX`, by name; the ones behind the primary key and the
    /// unique constraints are described above, and their names are the dialect's own.
    indexes: BTreeMap<String, Index>,
}

#[derive(Debug)]
struct Column {
    name: String,
    ty: String,
    nullable: bool,
    /// The database assigns the value when an insert leaves the column out.
    identity: bool,
    /// `loose_sql` of the default expression.
    default: Option<String>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
    /// "no action", "restrict", "cascade", "set null" or "set default".
    on_update: String,
    on_delete: String,
}

#[derive(Debug)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    /// `loose_sql` of the WHERE of a partial index.
    predicate: Option<String>,
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ty)?;
        if self.identity {
            write!(f, " identity")?;
        }
        write!(f, "{}", if self.nullable { " null" } else { " not null" })?;
        if let Some(default) = &self.default {
            write!(f, " default {default}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} → {} {}",
            list(&self.columns),
            self.table,
            list(&self.references)
        )?;
        for (event, action) in [("update", &self.on_update), ("delete", &self.on_delete)] {
            if action != "no action" {
                write!(f, " on {event} {action}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unique {
            write!(f, "unique ")?;
        }
        write!(f, "{}", list(&self.columns))?;
        if let Some(predicate) = &self.predicate {
            write!(f, " where {predicate}")?;
        }
        Ok(())
    }
}

/// `(a, b)`.
fn list(names: &[String]) -> String {
    format!("({})", names.join(", "))
}

// ---------------------------------------------------------------------------------------
// Normalization of dialect spellings.

/// SQLite keeps a column's type as declared. Only the spellings our migrations use are
/// mapped; any other one stays visibly unmapped, so it cannot match PostgreSQL until
/// someone decides what it corresponds to.
/// - INTEGER, BIGINT → integer: both have INTEGER affinity and SQLite stores 64 bits.
/// - TEXT → text; BLOB → bytes; DOUBLE PRECISION → double (REAL affinity, 8 bytes).
///
/// There is no boolean rule: flags are BIGINT 0/1 in both dialects.
fn sqlite_type(declared: &str) -> String {
    let ty = match declared.to_ascii_uppercase().as_str() {
        "INTEGER" | "BIGINT" => "integer",
        "TEXT" => "text",
        "BLOB" => "bytes",
        "DOUBLE PRECISION" => "double",
        _ => return format!("unmapped SQLite type {declared:?}"),
    };
    ty.to_owned()
}

/// PostgreSQL's `format_type` spelling, mapped to the vocabulary of `sqlite_type`:
/// bigint → integer, text → text, bytea → bytes, double precision → double. PostgreSQL's
/// `integer` (int4) is deliberately not mapped: it holds 32 bits where SQLite holds 64,
/// so an int4 column is a real difference.
fn postgres_type(formatted: &str) -> String {
    let ty = match formatted {
        "bigint" => "integer",
        "text" => "text",
        "bytea" => "bytes",
        "double precision" => "double",
        _ => return format!("unmapped PostgreSQL type {formatted:?}"),
    };
    ty.to_owned()
}

/// A loose form of an SQL expression (index predicate, default), for comparing what the
/// two dialects print for the same source text. PostgreSQL prints its parse tree back:
/// `x IN ('a', 'b')` comes out as `x = ANY (ARRAY['a'::text, 'b'::text])`, with casts and
/// parentheses added. So: keywords and names are lowercased, `::type` casts dropped,
/// `= ANY (ARRAY[…])` read as `IN (…)`, and parentheses, brackets and commas dropped.
/// That last step is what makes it loose: it cannot tell `a AND (b OR c)` from
/// `(a AND b) OR c`. String literals are kept as written.
fn loose_sql(sql: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut tokens = sql_tokens(sql).into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token.as_str() {
            "::" => {
                tokens.next(); // the type name
            }
            "(" | ")" | "[" | "]" | "," | "array" => {}
            "=" if tokens.peek().map(String::as_str) == Some("any") => {
                tokens.next();
                out.push("in".to_owned());
            }
            _ => out.push(token),
        }
    }
    out.join(" ")
}

/// Splits SQL into string literals (as written), lowercased words, unquoted identifiers,
/// runs of operator characters, and single punctuation characters.
fn sql_tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        i += 1;
        if c.is_whitespace() {
            continue;
        }
        if c == '\'' || c == '"' {
            // A doubled quote inside is an escaped quote, not the end.
            while i < chars.len() && (chars[i] != c || chars.get(i + 1) == Some(&c)) {
                i += if chars[i] == c { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            let text: String = chars[start..i].iter().collect();
            tokens.push(if c == '"' {
                text.trim_matches('"').to_lowercase()
            } else {
                text
            });
        } else if is_word(c) {
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else if is_operator(c) {
            while i < chars.len() && is_operator(chars[i]) {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            tokens.push(c.to_string());
        }
    }
    tokens
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn is_operator(c: char) -> bool {
    "<>=!:|+-*/%".contains(c)
}

// ---------------------------------------------------------------------------------------
// The comparer: pure, over two descriptions.

/// Every difference between two schemas, one line each: `subject: a says X, b says Y`.
fn differences(a: (&str, &Schema), b: (&str, &Schema)) -> Vec<String> {
    let mut report = Report {
        a: a.0,
        b: b.0,
        lines: Vec::new(),
    };
    for name in union(a.1.keys(), b.1.keys()) {
        match (a.1.get(name), b.1.get(name)) {
            (Some(ta), Some(tb)) => compare_tables(&mut report, name, ta, tb),
            (ta, tb) => report.differ(
                format!("table {name}"),
                presence(ta.is_some()),
                presence(tb.is_some()),
            ),
        }
    }
    report.lines
}

/// Collects the lines of `differences`. Values are compared as rendered, so a line never
/// shows two equal texts.
struct Report<'a> {
    a: &'a str,
    b: &'a str,
    lines: Vec<String>,
}

impl Report<'_> {
    fn differ(&mut self, subject: String, a: String, b: String) {
        if a != b {
            let (na, nb) = (self.a, self.b);
            self.lines
                .push(format!("{subject}: {na} says {a}, {nb} says {b}"));
        }
    }

    /// One line per member of either set that is missing from the other.
    fn sets<T: Ord + fmt::Display>(&mut self, what: &str, a: &BTreeSet<T>, b: &BTreeSet<T>) {
        for item in a.symmetric_difference(b) {
            self.differ(
                format!("{what} {item}"),
                presence(a.contains(item)),
                presence(b.contains(item)),
            );
        }
    }
}

fn compare_tables(report: &mut Report, table: &str, a: &Table, b: &Table) {
    compare_columns(report, table, &a.columns, &b.columns);
    report.differ(
        format!("{table} primary key"),
        list(&a.primary_key),
        list(&b.primary_key),
    );
    let uniques = |t: &Table| -> BTreeSet<String> { t.uniques.iter().map(|u| list(u)).collect() };
    report.sets(&format!("{table} unique"), &uniques(a), &uniques(b));
    report.sets(
        &format!("{table} foreign key"),
        &a.foreign_keys,
        &b.foreign_keys,
    );
    for name in union(a.indexes.keys(), b.indexes.keys()) {
        report.differ(
            format!("{table} index {name}"),
            shown(a.indexes.get(name)),
            shown(b.indexes.get(name)),
        );
    }
}

fn compare_columns(report: &mut Report, table: &str, a: &[Column], b: &[Column]) {
    let by_name = |cs: &[Column]| -> BTreeMap<String, String> {
        cs.iter().map(|c| (c.name.clone(), c.to_string())).collect()
    };
    let (ma, mb) = (by_name(a), by_name(b));
    for name in union(ma.keys(), mb.keys()) {
        report.differ(
            format!("{table}.{name}"),
            shown(ma.get(name)),
            shown(mb.get(name)),
        );
    }
    // Order matters too (`SELECT *`, `INSERT` without a column list); when the names
    // differ, the lines above already say so and an order line would only repeat them.
    if ma.keys().eq(mb.keys()) {
        let names = |cs: &[Column]| cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        report.differ(
            format!("{table} column order"),
            list(&names(a)),
            list(&names(b)),
        );
    }
}

fn union<'a>(
    a: impl Iterator<Item = &'a String>,
    b: impl Iterator<Item = &'a String>,
) -> BTreeSet<&'a String> {
    a.chain(b).collect()
}

fn shown(value: Option<&impl fmt::Display>) -> String {
    value.map_or_else(|| "absent".to_owned(), |v| v.to_string())
}

fn presence(present: bool) -> String {
    if present { "present" } else { "absent" }.to_owned()
}

// ---------------------------------------------------------------------------------------
// Reading SQLite: sqlite_master and the table-valued pragmas.

async fn read_sqlite(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url).await.expect("open SQLite");
    let names: Vec<String> = sqlx::query_scalar(
        r"SELECT name FROM sqlite_master WHERE type = 'table'
          AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("SQLite tables");
    let mut schema = Schema::new();
    for name in names {
        let table = sqlite_table(&mut conn, &name).await;
        schema.insert(name, table);
    }
    schema
}

async fn sqlite_table(conn: &mut SqliteConnection, table: &str) -> Table {
    let primary_key = sqlite_primary_key(conn, table).await;
    let index_list: Vec<(String, bool, String, bool)> = sqlx::query_as(
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) ORDER BY name",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .expect("SQLite index list");
    // SQLite makes an index for every primary key except the rowid: a one-column
    // INTEGER PRIMARY KEY (with or without AUTOINCREMENT) *is* the rowid, which SQLite
    // assigns when an insert leaves it out and which can never be NULL. That is what
    // PostgreSQL's identity columns do, so both read as `identity`.
    let has_pk_index = index_list.iter().any(|(_, _, origin, _)| origin == "pk");
    let rowid = match primary_key.as_slice() {
        [only] if !has_pk_index => Some(only.clone()),
        _ => None,
    };
    let mut t = Table {
        columns: sqlite_columns(conn, table, rowid.as_deref()).await,
        primary_key,
        foreign_keys: sqlite_foreign_keys(conn, table).await,
        ..Table::default()
    };
    for (name, unique, origin, partial) in index_list {
        let columns = sqlite_index_columns(conn, &name).await;
        match origin.as_str() {
            "u" => {
                t.uniques.insert(columns);
            }
            "c" => {
                let predicate = match partial {
                    true => Some(sqlite_index_predicate(conn, &name).await),
                    false => None,
                };
                let index = Index {
                    columns,
                    unique,
                    predicate,
                };
                t.indexes.insert(name, index);
            }
            _ => {} // "pk": the primary key, read from the table itself
        }
    }
    t
}

async fn sqlite_columns(
    conn: &mut SqliteConnection,
    table: &str,
    rowid: Option<&str>,
) -> Vec<Column> {
    let rows: Vec<(String, String, bool, Option<String>)> = sqlx::query_as(
        "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(?1) ORDER BY cid",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .expect("SQLite columns");
    rows.into_iter()
        .map(|(name, declared, not_null, default)| {
            let identity = rowid == Some(name.as_str());
            Column {
                ty: sqlite_type(&declared),
                // Taken as SQLite enforces it: a primary key column other than the rowid
                // accepts NULL unless declared NOT NULL (SQLite's documented quirk).
                nullable: !not_null && !identity,
                identity,
                default: default.as_deref().map(loose_sql),
                name,
            }
        })
        .collect()
}

async fn sqlite_primary_key(conn: &mut SqliteConnection, table: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .expect("SQLite primary key")
}

async fn sqlite_index_columns(conn: &mut SqliteConnection, index: &str) -> Vec<String> {
    // An expression column has no name; PostgreSQL would print the expression, so such an
    // index shows up as a difference rather than passing unseen.
    sqlx::query_scalar(
        "SELECT coalesce(name, '<expression>') FROM pragma_index_info(?1) ORDER BY seqno",
    )
    .bind(index)
    .fetch_all(&mut *conn)
    .await
    .expect("SQLite index columns")
}

/// SQLite keeps only the CREATE INDEX text; the predicate is what follows the column list.
async fn sqlite_index_predicate(conn: &mut SqliteConnection, index: &str) -> String {
    let sql: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1")
            .bind(index)
            .fetch_one(&mut *conn)
            .await
            .expect("SQLite index SQL");
    let after_columns = &sql[closing_paren(&sql).map_or(sql.len(), |i| i + 1)..];
    let predicate = after_columns.trim_start();
    let predicate = match predicate.get(..5) {
        Some(w) if w.eq_ignore_ascii_case("where") => &predicate[5..],
        _ => predicate,
    };
    loose_sql(predicate)
}

/// The byte offset of the `)` that closes the first `(` in `sql`, skipping quoted text.
fn closing_paren(sql: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    for (i, c) in sql.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 1 => return Some(i),
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    None
}

async fn sqlite_foreign_keys(conn: &mut SqliteConnection, table: &str) -> BTreeSet<ForeignKey> {
    type Row = (i64, String, String, Option<String>, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .expect("SQLite foreign keys");
    // One row per column; rows of one key share its id.
    let mut keys: BTreeMap<i64, (ForeignKey, bool)> = BTreeMap::new();
    for (id, parent, from, to, on_update, on_delete) in rows {
        let (key, implicit) = keys.entry(id).or_insert_with(|| {
            let key = ForeignKey {
                columns: Vec::new(),
                table: parent,
                references: Vec::new(),
                on_update: on_update.to_lowercase(),
                on_delete: on_delete.to_lowercase(),
            };
            (key, false)
        });
        key.columns.push(from);
        match to {
            Some(to) => key.references.push(to),
            None => *implicit = true,
        }
    }
    let mut out = BTreeSet::new();
    for (_, (mut key, implicit)) in keys {
        // `REFERENCES t` without columns means t's primary key; PostgreSQL names them.
        if implicit {
            key.references = sqlite_primary_key(conn, &key.table).await;
        }
        out.insert(key);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Reading PostgreSQL: pg_catalog, in the `public` schema of the test database.

async fn read_postgres(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url).await.expect("open PostgreSQL");
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
           AND c.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("PostgreSQL tables");
    let mut schema = Schema::new();
    for name in names {
        let table = postgres_table(&mut conn, &name).await;
        schema.insert(name, table);
    }
    schema
}

/// `$1` (a table name) as the table's oid in `public`.
const PG_TABLE: &str = "format('public.%I', $1::text)::regclass";

async fn postgres_table(conn: &mut PgConnection, table: &str) -> Table {
    let mut t = Table {
        columns: postgres_columns(conn, table).await,
        indexes: postgres_indexes(conn, table).await,
        ..Table::default()
    };
    for (kind, columns, key) in postgres_constraints(conn, table).await {
        match kind.as_str() {
            "p" => t.primary_key = columns,
            "u" => {
                t.uniques.insert(columns);
            }
            _ => {
                t.foreign_keys
                    .insert(key.expect("a foreign key has a target"));
            }
        }
    }
    t
}

async fn postgres_columns(conn: &mut PgConnection, table: &str) -> Vec<Column> {
    let rows: Vec<(String, String, bool, bool, Option<String>)> = sqlx::query_as(&format!(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                a.attidentity IN ('a', 'd'), pg_get_expr(d.adbin, d.adrelid) \
         FROM pg_attribute a \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attrelid = {PG_TABLE} AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attnum"
    ))
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .expect("PostgreSQL columns");
    rows.into_iter()
        .map(|(name, formatted, not_null, identity, default)| Column {
            name,
            ty: postgres_type(&formatted),
            nullable: !not_null,
            // ALWAYS and BY DEFAULT alike: both assign the value when an insert leaves
            // it out, which is what the code relies on (see `sqlite_table`).
            identity,
            default: default.as_deref().map(loose_sql),
        })
        .collect()
}

/// Primary key, unique and foreign key constraints: kind (`p`, `u`, `f`), the columns,
/// and for a foreign key the whole key.
async fn postgres_constraints(
    conn: &mut PgConnection,
    table: &str,
) -> Vec<(String, Vec<String>, Option<ForeignKey>)> {
    // Attribute numbers to names, in key order.
    let names = |keys: &str, rel: &str| {
        format!(
            "array(SELECT a.attname::text FROM unnest(con.{keys}) WITH ORDINALITY k(n, ord) \
             JOIN pg_attribute a ON a.attrelid = con.{rel} AND a.attnum = k.n ORDER BY k.ord)"
        )
    };
    type Row = (
        String,
        Vec<String>,
        Option<String>,
        Vec<String>,
        String,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT con.contype::text, {}, \
                (SELECT r.relname::text FROM pg_class r WHERE r.oid = con.confrelid), {}, \
                con.confupdtype::text, con.confdeltype::text \
         FROM pg_constraint con \
         WHERE con.conrelid = {PG_TABLE} AND con.contype IN ('p', 'u', 'f')",
        names("conkey", "conrelid"),
        names("confkey", "confrelid"),
    ))
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .expect("PostgreSQL constraints");
    rows.into_iter()
        .map(
            |(kind, columns, parent, references, on_update, on_delete)| {
                let key = parent.map(|parent| ForeignKey {
                    columns: columns.clone(),
                    table: parent,
                    references,
                    on_update: postgres_action(&on_update),
                    on_delete: postgres_action(&on_delete),
                });
                (kind, columns, key)
            },
        )
        .collect()
}

/// pg_constraint's one-letter referential actions, spelled as SQLite's pragma spells them.
fn postgres_action(code: &str) -> String {
    let action = match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        _ => return format!("unknown action {code:?}"),
    };
    action.to_owned()
}

/// Indexes other than those behind the primary key and unique constraints.
async fn postgres_indexes(conn: &mut PgConnection, table: &str) -> BTreeMap<String, Index> {
    let rows: Vec<(String, bool, Vec<String>, Option<String>)> = sqlx::query_as(&format!(
        "SELECT ic.relname::text, i.indisunique, \
                array(SELECT coalesce(a.attname::text, \
                                      pg_get_indexdef(i.indexrelid, k.ord::int, true)) \
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, ord) \
                      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n \
                      WHERE k.ord <= i.indnkeyatts ORDER BY k.ord), \
                pg_get_expr(i.indpred, i.indrelid, true) \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
         WHERE i.indrelid = {PG_TABLE} AND NOT EXISTS ( \
             SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid \
               AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))"
    ))
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .expect("PostgreSQL indexes");
    rows.into_iter()
        .map(|(name, unique, columns, predicate)| {
            let predicate = predicate.as_deref().map(loose_sql);
            let index = Index {
                columns,
                unique,
                predicate,
            };
            (name, index)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The tests.

/// Migrates the (empty) database at `url` the way the server does.
async fn migrate(url: &str) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    db.close().await;
}

/// A fresh, migrated SQLite database in `dir`; its URL.
async fn migrated_sqlite(dir: &Path, file: &str) -> String {
    let url = format!("sqlite://{}", dir.join(file).display());
    migrate(&url).await;
    url
}

fn assert_no_differences(a: (&str, &Schema), b: (&str, &Schema)) {
    // An empty reading on both sides would compare equal; make sure there was something.
    assert!(
        a.1.contains_key("tenants") && b.1.contains_key("tenants"),
        "a schema was read empty: {} has {} tables, {} has {}",
        a.0,
        a.1.len(),
        b.0,
        b.1.len()
    );
    let lines = differences(a, b);
    assert!(
        lines.is_empty(),
        "the migrations give different schemas ({} differences):\n  {}",
        lines.len(),
        lines.join("\n  ")
    );
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_give_one_schema() {
    // The same condition under which the harness makes a PostgreSQL database.
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        eprintln!("schema comparison skipped: it needs PostgreSQL (set TEST_DATABASE_URL)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = migrated_sqlite(dir.path(), "navigator.db").await;
    let env = TestEnv::new().await; // a fresh navtest_* database
    assert!(
        env.database_url.starts_with("postgres"),
        "harness gave SQLite"
    );
    migrate(&env.database_url).await;
    let sqlite = read_sqlite(&sqlite_url).await;
    let postgres = read_postgres(&env.database_url).await;
    assert_no_differences(("sqlite", &sqlite), ("postgres", &postgres));
}

/// The comparer and the SQLite reader catch a change: a database with the real migrations
/// plus one deliberate change differs from one without, by exactly that change.
#[tokio::test]
async fn the_comparison_reports_a_deliberate_difference() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = read_sqlite(&migrated_sqlite(dir.path(), "plain.db").await).await;
    assert_no_differences(("sqlite", &plain), ("sqlite again", &plain));
    let cases = [
        (
            "ALTER TABLE children ADD COLUMN x TEXT",
            "children.x: sqlite says absent, changed says text null",
        ),
        (
            "CREATE UNIQUE INDEX children_snils_unique ON children (tenant_id, snils) \
             WHERE snils IS NOT NULL",
            "children index children_snils_unique: sqlite says absent, \
             changed says unique (tenant_id, snils) where snils is not null",
        ),
        (
            "DROP INDEX outbox_due; \
             CREATE INDEX outbox_due ON outbox (due_at) WHERE sent_at IS NULL",
            "outbox index outbox_due: \
             sqlite says (due_at) where sent_at is null and failed_at is null, \
             changed says (due_at) where sent_at is null",
        ),
    ];
    for (n, (change, expected)) in cases.into_iter().enumerate() {
        let url = migrated_sqlite(dir.path(), &format!("changed{n}.db")).await;
        let mut conn = SqliteConnection::connect(&url).await.expect("open");
        conn.execute(change).await.expect("deliberate change");
        conn.close().await.expect("close");
        let changed = read_sqlite(&url).await;
        assert_eq!(
            differences(("sqlite", &plain), ("changed", &changed)),
            [expected],
            "after {change}"
        );
    }
}

/// What PostgreSQL prints back for the predicates of our partial indexes reads as the
/// SQLite source text, and the loose form still tells different predicates apart.
#[test]
fn postgres_spellings_read_as_sqlite_ones() {
    let same = [
        (
            "status = ANY (ARRAY['new'::text, 'confirmed'::text])",
            "status IN ('new', 'confirmed')",
        ),
        (
            "((sent_at IS NULL) AND (failed_at IS NULL))",
            "sent_at IS NULL AND failed_at IS NULL",
        ),
        ("'it''s'::text", "'it''s'"),
    ];
    for (postgres, sqlite) in same {
        assert_eq!(loose_sql(postgres), loose_sql(sqlite), "{postgres}");
    }
    assert_ne!(loose_sql("x IS NULL"), loose_sql("x IS NOT NULL"));
    assert_ne!(loose_sql("x IN ('a')"), loose_sql("x IN ('A')"));
    assert_ne!(loose_sql("x <= 1"), loose_sql("x < 1"));
}
