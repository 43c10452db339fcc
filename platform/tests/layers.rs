//! The modules of `platform` form layers, and each layer may only import the ones below it.
//!
//! Values (`domain`, `time`, `tenant_id`) know nothing; infrastructure (`db`, `cache`, …) knows values;
//! each capability's core knows the infrastructure and the capabilities before it; the web
//! kernels know the cores; pages and handlers ("faces") know everything beneath them; the
//! wiring (`routes`, `app`, `cli`) sits on top. Keeping the arrows one way is what lets a
//! capability be read, tested and moved on its own, and what keeps `cargo` from rebuilding
//! the world after a change to a page.
//!
//! The check reads the sources as text: a small lexer drops comments and literals, then every
//! `crate::…` and `super::…` path (grouped `use` trees included) is resolved to the file it
//! names and judged against [`LAYERS`]. It needs no dependency and no compilation of the crate.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first, each a name and its units. Within a layer the order counts too: a
/// unit may import the units listed before it, never those after. This table is the
/// architecture: extend it rather than work around it.
const LAYERS: &[(&str, &[&str])] = &[
    // 1. Plain values: no I/O, no framework.
    ("values", &["domain", "time", "tenant_id"]),
    // 2. Adapters to the outside world.
    (
        "infrastructure",
        &[
            "db",
            "cache",
            "templates",
            "mail",
            "telemetry",
            "storage",
            "spreadsheet",
        ],
    ),
    // 3. Capability cores, one way. New capabilities (authoring, imports, statistics, reviews,
    //    feeds, operator, …) are appended here; their face files land in layer 5 by themselves.
    (
        "cores",
        &[
            "service_error",
            "regions",
            "catalog",
            "accounts",
            "organizations",
            "photos",
            "children",
            "certificates",
            "applications",
            "groups",
            "programs",
            "reviews",
            "favourites",
            "timetable",
            "sheets",
            "school_year",
            "staff",
            "sync",
            "administration",
            "audit_log",
            "exports",
            "statistics",
            "region_settings",
            "help",
            "visitors",
            "demo",
        ],
    ),
    // 4. What every page and endpoint is built on.
    ("web kernels", &["settings", "web", "api"]),
    // 5. Pages and handlers: the face files of every capability (in the cores' order), then these.
    ("faces", &["health"]),
    // 6. The wiring.
    ("top", &["routes", "app", "cli", "main", "lib"]),
];
const CORES: usize = 2;
const FACES: usize = 4;
/// Inside a capability folder, these file stems and subfolders are faces (they take the
/// process state and speak HTTP); the rest is core. `views.rs` is core: the read models both
/// faces show, built from the database alone.
const FACE_STEMS: &[&str] = &["pages", "api", "read", "cabinets"];
/// External crates that belong to a layer and those above it: the HTTP framework to the web
/// kernels, its OpenAPI derives to the cores (the read models describe their own schema).
/// Below them a crate would tie a value or a store to the web, and `sitegen` to poem.
const FRAMEWORKS: &[(&str, usize)] = &[("poem", 3), ("poem_openapi", CORES)];
const FACE_DIRS: &[&str] = &["pages", "api"];

// ---------------------------------------------------------------------------------------------
// Where a file sits. Files are named by their path under the source root, `catalog/store.rs`.

fn unit_of(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn is_capability_face(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    let Some((file, dirs)) = parts.split_last() else {
        return false;
    };
    LAYERS[CORES].1.contains(&parts[0])
        && parts.len() > 1
        && (FACE_STEMS.contains(&file.trim_end_matches(".rs"))
            || dirs[1..].iter().any(|d| FACE_DIRS.contains(d)))
}

/// (layer, position in that layer's order), or `None` for a unit missing from [`LAYERS`].
fn place(rel: &str) -> Option<(usize, usize)> {
    let unit = unit_of(rel);
    let (layer, pos) = LAYERS
        .iter()
        .enumerate()
        .find_map(|(l, (_, units))| units.iter().position(|u| *u == unit).map(|p| (l, p)))?;
    Some(match layer {
        CORES if is_capability_face(rel) => (FACES, pos),
        FACES => (FACES, LAYERS[CORES].1.len() + pos),
        _ => (layer, pos),
    })
}

/// The order a layer's units must keep; faces follow the order of their cores.
fn order_of(layer: usize) -> Vec<&'static str> {
    let mut order = LAYERS[layer].1.to_vec();
    if layer == FACES {
        order.splice(0..0, LAYERS[CORES].1.iter().copied());
    }
    order
}

fn label(rel: &str) -> String {
    match place(rel) {
        Some(_) if is_capability_face(rel) => format!("{} faces", unit_of(rel)),
        Some((layer, _)) => LAYERS[layer].0.to_string(),
        None => "no layer".to_string(),
    }
}

/// A node of the cycle graph: a unit, with a capability's faces apart from its core, since a
/// page of `catalog` may use `accounts` while `accounts` uses `catalog`'s core.
fn node(rel: &str) -> String {
    if is_capability_face(rel) {
        format!("{} faces", unit_of(rel))
    } else {
        unit_of(rel).to_string()
    }
}

/// The module a file is: `catalog/index/mod.rs` is `catalog::index`, `lib.rs` the crate root.
fn module_of(rel: &str) -> Vec<String> {
    if rel == "lib.rs" || rel == "main.rs" {
        return Vec::new();
    }
    let mut segs: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if segs.last().map(String::as_str) == Some("mod") {
        segs.pop();
    }
    segs
}

fn module_name(rel: &str) -> String {
    match module_of(rel) {
        segs if segs.is_empty() => unit_of(rel).to_string(),
        segs => segs.join("::"),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer: just enough Rust to tell code from comments, strings and char literals.

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Colons,
    Punct(char),
}

struct Token {
    tok: Tok,
    line: usize,
}

fn lex(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let mut emit = |tok, line| out.push(Token { tok, line });
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        let start = line;
        match c[i] {
            '\n' => (line, i) = (line + 1, i + 1),
            ch if ch.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => i += c[i..].iter().take_while(|&&ch| ch != '\n').count(),
            '/' if at(i + 1) == '*' => i = skip_block_comment(&c, i, &mut line),
            '"' => i = skip_string(&c, i + 1, &mut line),
            '\'' => i = skip_char_or_lifetime(&c, i),
            ch if ch.is_alphabetic() || ch == '_' => {
                let s = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                let word: String = c[s..i].iter().collect();
                match (word.as_str(), at(i)) {
                    ("b" | "c", '"') => i = skip_string(&c, i + 1, &mut line),
                    ("b", '\'') => i = skip_char_or_lifetime(&c, i),
                    // `r"…"`, `r#"…"#`; but `r#type` is a raw identifier.
                    ("r" | "br" | "cr", '"' | '#')
                        if c[i..].iter().find(|&&ch| ch != '#') == Some(&'"') =>
                    {
                        i = skip_raw_string(&c, i, &mut line)
                    }
                    ("r", '#') => i += 1, // lex `type` of `r#type` next
                    _ => emit(Tok::Ident(word), start),
                }
            }
            ch if ch.is_ascii_digit() => {
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
            ':' if at(i + 1) == ':' => {
                emit(Tok::Colons, line);
                i += 2;
            }
            ch => {
                emit(Tok::Punct(ch), line);
                i += 1;
            }
        }
    }
    out
}

/// Block comments nest in Rust: `/* a /* b */ still a comment */`.
fn skip_block_comment(c: &[char], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0;
    while i < c.len() {
        match (c[i], c.get(i + 1).copied()) {
            ('/', Some('*')) => (depth, i) = (depth + 1, i + 2),
            ('*', Some('/')) => (depth, i) = (depth - 1, i + 2),
            (ch, _) => {
                *line += usize::from(ch == '\n');
                i += 1;
            }
        }
        if depth == 0 {
            break;
        }
    }
    i
}

/// From just after the opening quote to just after the closing one.
fn skip_string(c: &[char], start: usize, line: &mut usize) -> usize {
    let mut i = start;
    while i < c.len() && c[i] != '"' {
        i += if c[i] == '\\' { 2 } else { 1 };
    }
    *line += newlines(&c[start..i.min(c.len())]);
    i + 1
}

fn newlines(c: &[char]) -> usize {
    c.iter().filter(|&&ch| ch == '\n').count()
}

/// `r"…"`, `r#"…"#`, `br##"…"##`: no escapes, ends at a quote followed by as many `#`.
fn skip_raw_string(c: &[char], start: usize, line: &mut usize) -> usize {
    let hashes = c[start..].iter().take_while(|&&ch| ch == '#').count();
    let closing: Vec<char> = std::iter::once('"')
        .chain("#".repeat(hashes).chars())
        .collect();
    let body = start + hashes + 1;
    let end = (body..c.len())
        .find(|&k| c[k..].starts_with(&closing))
        .unwrap_or(c.len());
    *line += newlines(&c[body.min(end)..end]);
    end + closing.len()
}

/// `'x'`, `'\n'`, `'\u{1F600}'` are literals; `'a` in `&'a str` is a lifetime and is left
/// for the lexer to read as a plain word.
fn skip_char_or_lifetime(c: &[char], i: usize) -> usize {
    match (c.get(i + 1), c.get(i + 2)) {
        (Some('\\'), _) => {
            let rest = c.get(i + 3..).unwrap_or_default();
            i + 4 + rest.iter().take_while(|&&ch| ch != '\'').count()
        }
        (Some(_), Some('\'')) => i + 3,
        _ => i + 1,
    }
}

// ---------------------------------------------------------------------------------------------
// Paths: every `crate::…` and `super::…` in the code, `use` trees flattened to their leaves.

struct Reference {
    /// As written: `["super", "store", "Certificate"]`.
    written: Vec<String>,
    /// The module the path is written in, inline `mod tests { … }` included.
    module: Vec<String>,
    line: usize,
}

fn word(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(w)) => Some(w),
        _ => None,
    }
}

fn punct(t: Option<&Token>, ch: char) -> bool {
    t.map(|t| &t.tok) == Some(&Tok::Punct(ch))
}

fn references(tokens: &[Token], file_module: &[String]) -> Vec<Reference> {
    let (mut out, mut leaves) = (Vec::new(), Vec::new());
    // Inline modules shift what `super` means; each is kept with the brace depth of its body.
    let (mut inline, mut depth): (Vec<(String, usize)>, usize) = (Vec::new(), 0);
    let mut i = 0;
    while i < tokens.len() {
        let previous = i.checked_sub(1).map(|p| &tokens[p]);
        match &tokens[i].tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(k) if k == "mod" && punct(tokens.get(i + 2), '{') => {
                if let Some(name) = word(tokens.get(i + 1)) {
                    inline.push((name.to_string(), depth + 1));
                }
            }
            // `$crate::` is macro hygiene and `a::crate` is not a path start.
            Tok::Ident(k)
                if (k == "crate" || k == "super")
                    && tokens.get(i + 1).map(|t| &t.tok) == Some(&Tok::Colons)
                    && !punct(previous, '$')
                    && previous.map(|t| &t.tok) != Some(&Tok::Colons) =>
            {
                i = use_tree(tokens, i, Vec::new(), &mut leaves);
                let mut module = file_module.to_vec();
                module.extend(inline.iter().map(|(name, _)| name.clone()));
                out.extend(leaves.drain(..).map(|(written, line)| Reference {
                    written,
                    module: module.clone(),
                    line,
                }));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads `a::b::{c, d::{e as f}, *}` (or a plain path in code, up to what follows it) and
/// pushes one leaf per imported path with the line of its last segment. Returns the index of
/// the first token after the tree.
fn use_tree(
    t: &[Token],
    mut i: usize,
    mut prefix: Vec<String>,
    leaves: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    let mut line = t[i].line;
    loop {
        if let Some(w) = word(t.get(i)) {
            prefix.push(w.to_string());
            line = t[i].line;
            i += 1;
            if t.get(i).map(|t| &t.tok) == Some(&Tok::Colons) {
                i += 1;
                continue;
            }
            if word(t.get(i)) == Some("as") {
                i += 2;
            }
        } else if punct(t.get(i), '{') {
            i += 1;
            while i < t.len() && !punct(t.get(i), '}') {
                // Always move on, even past a token the tree did not expect.
                i = use_tree(t, i, prefix.clone(), leaves).max(i + 1);
                if punct(t.get(i), ',') {
                    i += 1;
                }
            }
            return i + 1;
        } else if punct(t.get(i), '*') {
            i += 1;
        }
        // Anything else (`::<T>`, `(`, `;`) ends the path.
        leaves.push((prefix, line));
        return i;
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution: from a path to the file of the source tree it lands in.

struct Tree {
    files: BTreeSet<String>,
    /// `pub use app::{State};` in lib.rs: `State` → `["app", "State"]`.
    reexports: HashMap<String, Vec<String>>,
    /// `#[macro_export] macro_rules! try_reply` lives at the crate root, defined in its file.
    macros: HashMap<String, String>,
}

impl Tree {
    fn new(sources: &[(String, Vec<Token>)]) -> Tree {
        let mut tree = Tree {
            files: sources.iter().map(|(rel, _)| rel.clone()).collect(),
            reexports: HashMap::new(),
            macros: HashMap::new(),
        };
        for (rel, tokens) in sources {
            for i in 0..tokens.len() {
                let w = |k: usize| word(tokens.get(k));
                if rel == "lib.rs" && w(i) == Some("pub") && w(i + 1) == Some("use") {
                    let mut leaves = Vec::new();
                    use_tree(tokens, i + 2, Vec::new(), &mut leaves);
                    for (mut path, _) in leaves {
                        if path.first().map(String::as_str) == Some("crate") {
                            path.remove(0);
                        }
                        let name = path.last().cloned().unwrap_or_default();
                        tree.reexports.insert(name, path);
                    }
                }
                if w(i) == Some("macro_export") {
                    let rules = (i..tokens.len()).find(|&k| w(k) == Some("macro_rules"));
                    if let Some(name) = rules.and_then(|k| w(k + 2)) {
                        tree.macros.insert(name.to_string(), rel.clone());
                    }
                }
            }
        }
        tree
    }

    /// The longest prefix of `path` that names a file (`a/b.rs` or `a/b/mod.rs`).
    fn walk(&self, path: &[String]) -> Option<String> {
        let (mut dir, mut target) = (String::new(), None);
        for seg in path {
            if dir.is_empty() && (seg == "lib" || seg == "main") {
                break; // crate roots, not modules
            }
            let (file, folder) = (format!("{dir}{seg}.rs"), format!("{dir}{seg}/mod.rs"));
            target = Some(if self.files.contains(&folder) {
                folder
            } else if self.files.contains(&file) {
                file
            } else {
                break;
            });
            dir = format!("{dir}{seg}/");
        }
        target
    }

    fn resolve(&self, path: &[String]) -> Option<String> {
        let Some(first) = path.first() else {
            return Some("lib.rs".to_string());
        };
        if let Some(file) = self.walk(path) {
            return Some(file);
        }
        if let Some(real) = self.reexports.get(first) {
            let full: Vec<String> = real.iter().chain(&path[1..]).cloned().collect();
            return self.walk(&full);
        }
        self.macros.get(first).cloned()
    }
}

/// `super::super::x` written in `catalog::index::scan` is `catalog::x`.
fn absolute(r: &Reference) -> Option<Vec<String>> {
    let (mut base, mut rest) = match r.written.split_first() {
        Some((first, rest)) if first == "crate" => (Vec::new(), rest),
        _ => (r.module.clone(), &r.written[..]),
    };
    while let Some(("super", tail)) = rest.split_first().map(|(s, t)| (s.as_str(), t)) {
        base.pop()?;
        rest = tail;
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

// ---------------------------------------------------------------------------------------------
// The check.

/// Why `from` may not import `to`, or `None` when it may.
fn verdict(from: &str, to: &str) -> Option<String> {
    let (f, t) = (place(from)?, place(to)?);
    let (fu, tu) = (unit_of(from), unit_of(to));
    let target = format!("{} ({})", module_name(to), label(to));
    if fu == tu {
        let core_to_face = f.0 == CORES && t.0 == FACES;
        return core_to_face
            .then(|| format!("{fu} core imports {target}: a core never imports its pages"));
    }
    let why = if t.0 > f.0 {
        "upward".to_string()
    } else if t.0 == f.0 && t.1 >= f.1 {
        format!("against the order {}", order_of(f.0).join(" → "))
    } else {
        return None;
    };
    let source = if is_capability_face(from) {
        label(from)
    } else {
        format!("{fu} ({})", label(from))
    };
    Some(format!("{source} imports {target}: {why}"))
}

fn rs_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rs_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Every layering violation under the source root `root`: cycles first (they are what to
/// untangle first), then modules with no layer, then each offending reference by file and line.
fn check(root: &Path) -> Vec<String> {
    let root = fs::canonicalize(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    // Messages name files as `platform/src/catalog/store.rs`: the root and its parent.
    let shown = root
        .parent()
        .and_then(Path::parent)
        .map_or(&*root, |p| root.strip_prefix(p).unwrap());
    let shown = shown.to_string_lossy().replace('\\', "/");
    let mut rels = Vec::new();
    rs_files(&root, &root, &mut rels);
    let sources: Vec<(String, Vec<Token>)> = rels
        .into_iter()
        .map(|rel| {
            let text = fs::read_to_string(root.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            (rel, lex(&text))
        })
        .collect();
    let tree = Tree::new(&sources);

    let mut homeless: BTreeMap<&str, &str> = BTreeMap::new();
    let mut found: Vec<(String, usize, String)> = Vec::new();
    let mut edges = Graph::new();
    let mut positions: HashMap<String, (usize, usize)> = HashMap::new();
    for (rel, tokens) in &sources {
        let unit = unit_of(rel);
        let Some(here) = place(rel) else {
            // Name the unit by its module file when it has one.
            let root_file = *rel == format!("{unit}.rs") || *rel == format!("{unit}/mod.rs");
            if root_file || !homeless.contains_key(unit) {
                homeless.insert(unit, rel);
            }
            continue;
        };
        positions.insert(node(rel), here);
        found.extend(frameworks_used(tokens, here.0).map(|(line, why)| (rel.clone(), line, why)));
        for r in references(tokens, &module_of(rel)) {
            let Some(to) = absolute(&r).and_then(|path| tree.resolve(&path)) else {
                let why = format!("cannot resolve `{}`", r.written.join("::"));
                found.push((rel.clone(), r.line, why));
                continue;
            };
            if to == *rel || place(&to).is_none() {
                continue; // a module with no layer is reported once, below
            }
            if node(rel) != node(&to) {
                edges.entry(node(rel)).or_default().insert(node(&to));
            }
            if let Some(why) = verdict(rel, &to) {
                found.push((rel.clone(), r.line, why));
            }
        }
    }
    found.sort();
    found.dedup();

    let mut report = cycles(&edges, &positions);
    report.extend(homeless.iter().map(|(unit, rel)| {
        format!("{shown}/{rel}: module `{unit}` has no layer; add it to LAYERS")
    }));
    report.extend(
        found
            .into_iter()
            .map(|(rel, line, why)| format!("{shown}/{rel}:{line}: {why}")),
    );
    report
}

/// Uses of a crate of [`FRAMEWORKS`] below the layer it belongs to: `poem::…` anywhere in a
/// path, a `use` of it included.
fn frameworks_used(tokens: &[Token], layer: usize) -> impl Iterator<Item = (usize, String)> + '_ {
    tokens.windows(2).enumerate().filter_map(move |(i, pair)| {
        let Tok::Ident(name) = &pair[0].tok else {
            return None;
        };
        let &(krate, lowest) = FRAMEWORKS.iter().find(|(k, _)| k == name)?;
        let starts_path = i == 0 || !matches!(tokens[i - 1].tok, Tok::Colons);
        (matches!(pair[1].tok, Tok::Colons) && starts_path && layer < lowest).then(|| {
            (
                pair[0].line,
                format!(
                    "uses `{krate}` in {}: it belongs to {} and above",
                    LAYERS[layer].0, LAYERS[lowest].0
                ),
            )
        })
    })
}

/// Which nodes each node imports directly.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Strongly connected components of more than one node, each shown as its shortest cycle
/// through its lowest member, so that the edge against the layers comes first.
fn cycles(edges: &Graph, positions: &HashMap<String, (usize, usize)>) -> Vec<String> {
    let reach = |from: &String| -> BTreeSet<String> {
        let (mut seen, mut stack) = (BTreeSet::new(), vec![from.clone()]);
        while let Some(n) = stack.pop() {
            for next in edges.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|n| (n, reach(n))).collect();
    let mut components: BTreeSet<Vec<String>> = BTreeSet::new();
    for (n, from_n) in &reachable {
        let mut scc: Vec<String> = from_n
            .iter()
            .filter(|m| reachable.get(m).is_some_and(|r| r.contains(*n)))
            .cloned()
            .collect();
        scc.sort_by_key(|m| (positions.get(m).copied(), m.clone()));
        if scc.len() > 1 {
            components.insert(scc);
        }
    }
    components
        .into_iter()
        .map(|scc| {
            let path = shortest_cycle(&scc[0], &scc, edges);
            let rest: Vec<&String> = scc.iter().filter(|m| !path.contains(m)).collect();
            let mut line = format!("cycle between {}", path.join(" → "));
            if !rest.is_empty() {
                let rest: Vec<&str> = rest.iter().map(|s| s.as_str()).collect();
                line.push_str(&format!(" (tangled with {} too)", rest.join(", ")));
            }
            line
        })
        .collect()
}

/// Breadth first from `start` until an edge leads back to it.
fn shortest_cycle(start: &str, within: &[String], edges: &Graph) -> Vec<String> {
    let mut came_from: HashMap<&str, &str> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let nexts = edges
            .get(n)
            .into_iter()
            .flatten()
            .filter(|m| within.contains(m));
        for next in nexts {
            if next == start {
                let mut path = vec![n];
                while let Some(prev) = came_from.get(path.last().unwrap()) {
                    path.push(prev);
                }
                path.reverse();
                path.push(start);
                return path.into_iter().map(String::from).collect();
            }
            if !came_from.contains_key(next.as_str()) {
                came_from.insert(next, n);
                queue.push_back(next);
            }
        }
    }
    vec![start.to_string()]
}

// ---------------------------------------------------------------------------------------------
// Tests.

fn manifest_dir() -> PathBuf {
    // Cargo sets it both when compiling and when running tests; plain `rustc` runs only at run time.
    let dir = option_env!("CARGO_MANIFEST_DIR").map(String::from);
    PathBuf::from(
        dir.or_else(|| std::env::var("CARGO_MANIFEST_DIR").ok())
            .unwrap_or_else(|| ".".into()),
    )
}

fn fixture(case: &str) -> Vec<String> {
    check(&manifest_dir().join("tests/fixtures/layers").join(case))
}

#[test]
fn platform_src_keeps_its_layers() {
    let violations = check(&manifest_dir().join("src"));
    assert!(
        violations.is_empty(),
        "{} layering violations:\n{}\n",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn a_tree_that_keeps_its_layers_passes() {
    assert_eq!(fixture("clean"), Vec::<String>::new());
}

#[test]
fn an_upward_import_is_reported_with_file_and_line() {
    assert_eq!(
        fixture("upward"),
        ["layers/upward/domain.rs:5: domain (values) imports web::templates (web kernels): upward"]
    );
}

#[test]
fn two_cores_using_each_other_are_a_cycle() {
    let order = order_of(CORES).join(" → ");
    assert_eq!(
        fixture("cycle"),
        [
            "cycle between accounts → certificates → accounts".to_string(),
            format!(
                "layers/cycle/accounts/service.rs:3: accounts (cores) imports certificates::store (cores): against the order {order}"
            ),
        ]
    );
}

#[test]
fn a_core_may_not_import_its_own_pages() {
    assert_eq!(
        fixture("core_imports_face"),
        ["layers/core_imports_face/catalog/store.rs:3: catalog core imports catalog::pages (catalog faces): a core never imports its pages"]
    );
}

#[test]
fn a_core_may_not_speak_http() {
    assert_eq!(
        fixture("framework_in_core"),
        [
            "layers/framework_in_core/catalog/store.rs:3: uses `poem` in cores: it belongs to web kernels and above",
            "layers/framework_in_core/domain.rs:4: uses `poem_openapi` in values: it belongs to cores and above",
        ]
    );
}

#[test]
fn a_module_missing_from_the_table_is_reported() {
    assert_eq!(
        fixture("unknown_module"),
        ["layers/unknown_module/foo/mod.rs: module `foo` has no layer; add it to LAYERS"]
    );
}

#[test]
fn a_path_that_names_nothing_is_reported() {
    assert_eq!(
        fixture("unresolved"),
        [
            "layers/unresolved/domain.rs:3: cannot resolve `super::super::x`",
            "layers/unresolved/domain.rs:4: cannot resolve `crate::Missing`",
        ]
    );
}

#[test]
fn comments_strings_and_chars_are_not_code() {
    let src = r###"/* /* crate::a */ crate::b */ let s = r##"crate::c "# crate::d"##;
        fn f<'a>(x: &'a str) -> char { let q = '"'; crate::e::f(b'\'', "\" crate::g", br##"x"##) }
        // crate::h
        /// crate::i
        macro_rules! m { () => { $crate::j } }
        use crate::{k, l::{self, m as n}, o::*};"###;
    let found: Vec<(String, usize)> = references(&lex(src), &[])
        .into_iter()
        .map(|r| (r.written.join("::"), r.line))
        .collect();
    let expected = [
        ("crate::e::f", 2),
        ("crate::k", 6),
        ("crate::l::self", 6),
        ("crate::l::m", 6),
        ("crate::o", 6),
    ];
    assert_eq!(found, expected.map(|(p, l)| (p.to_string(), l)));
}
