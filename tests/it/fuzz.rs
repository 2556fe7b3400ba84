//! Property-based fuzzing (proptest) of the two parsers that take untrusted text: the manifest
//! loader (`load_text` + `validate`) and the policy normalizer (`Policy::from_json_str`,
//! `Policy::from_iam_encoded`). Every input must come back as documents, diagnostics or an
//! error: never a panic, never a hang (each input is timed), never a crash, and never
//! unbounded memory (a counting allocator holds each input to a memory budget).
//!
//! 256 cases a property by default; `PROPTEST_CASES=100000 cargo test --release --test it fuzz::`
//! runs longer (see docs/TESTING.md). A failing case is shrunk to a minimal input and printed;
//! nothing is written to the tree (`failure_persistence: None`), so add the printed input as a
//! plain test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rolesmith::check::{ResolveContext, validate};
use rolesmith::manifest::Loaded;
use rolesmith::manifest::load::load_text;
use rolesmith::policy::{NormalizeContext, Policy};

/// Longest any single input may take (generous: debug build, shared CI machine).
const BUDGET: Duration = Duration::from_secs(2);

/// Most memory any single input may hold at once, beyond what it started with: a fixed
/// allowance plus a multiple of the input's length. Parsing is linear; this catches an input
/// that makes memory grow without bound (quadratic expansion, aliases, runaway recursion).
fn memory_budget(input_len: usize) -> usize {
    (16 << 20) + 512 * input_len
}

/// The system allocator, counting what each thread holds and the most it held (the parsers
/// under test run on the calling thread).
struct Counting;

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: allocations during thread teardown are simply not counted.
    let _ = HELD.try_with(|held| {
        let now = held.get() + delta;
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are plain thread-local
// cells that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` on `input_len` bytes of input and fails if it took longer than [`BUDGET`] or
/// held more than [`memory_budget`] at any moment.
fn within_budget<T>(what: &str, input_len: usize, f: impl FnOnce() -> T) -> T {
    let start = HELD.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let started = Instant::now();
    let out = f();
    let elapsed = started.elapsed();
    let peak = usize::try_from(PEAK.with(Cell::get) - start).unwrap_or(0);
    assert!(
        elapsed < BUDGET,
        "{what} of {input_len} bytes took {elapsed:?}"
    );
    assert!(
        peak <= memory_budget(input_len),
        "{what} of {input_len} bytes held {peak} bytes at once (budget {})",
        memory_budget(input_len)
    );
    out
}

/// The example manifests: the seeds that structured mutations start from.
fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/manifests");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/manifests")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| std::fs::read_to_string(p).expect("read example"))
        .collect();
    texts.sort();
    assert!(!texts.is_empty());
    texts
}

/// Loads and validates `text` as one manifest file; returns how many documents and diagnostics
/// came out (so the work is not optimized away) and fails when it took too long or held too
/// much memory.
fn load(text: &str) -> usize {
    within_budget("loading", text.len(), || {
        let mut loaded = Loaded::default();
        load_text(Path::new("fuzz.yaml"), text, &mut loaded);
        let (desired, diagnostics) = validate(&loaded, &ResolveContext::offline());
        loaded.documents.len() + diagnostics.len() + desired.roles.len()
    })
}

fn normalize_json(text: &str) {
    within_budget("from_json_str", text.len(), || {
        Policy::from_json_str(text, &NormalizeContext::default()).is_ok()
    });
}

fn normalize_encoded(text: &str) {
    within_budget("from_iam_encoded", text.len(), || {
        Policy::from_iam_encoded(text, &NormalizeContext::default()).is_ok()
    });
}

/// One edit of a manifest's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the line at this index (mod line count).
    DeleteLine(usize),
    /// Repeat the line at this index.
    DuplicateLine(usize),
    /// Insert the token at this byte position (moved to a char boundary).
    Insert(usize, String),
    /// Cut the text at this byte position.
    Truncate(usize),
    /// Change the indentation of a line by this many spaces (negative: dedent).
    Reindent(usize, i8),
    /// Replace a line's value (after the first `:`) with the token.
    ReplaceValue(usize, String),
}

/// Tokens that mean something to YAML or to the manifest schema.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(":".to_owned()),
        Just("- ".to_owned()),
        Just("---\n".to_owned()),
        Just("...\n".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("!!binary ".to_owned()),
        Just("!tag ".to_owned()),
        Just("<<: *a\n".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("|\n".to_owned()),
        Just(">-\n".to_owned()),
        Just("\t".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("~".to_owned()),
        Just("null".to_owned()),
        Just("1e999".to_owned()),
        Just("-9999999999999999999999".to_owned()),
        Just("0x1F".to_owned()),
        Just("${AWS::AccountId}".to_owned()),
        Just("${AWS::Nope".to_owned()),
        Just("trust:\n  - service: []\n".to_owned()),
        Just("instanceProfile: {name: x, path: y}\n".to_owned()),
        Just("managedPolicies: [aws:]\n".to_owned()),
        Just("Statement: [{Effect: Allow}]\n".to_owned()),
        Just("Condition: {StringEquals: {}}\n".to_owned()),
        Just("é☃😀".to_owned()),
        "[ -~]{0,12}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), token()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), -6i8..6).prop_map(|(i, d)| Mutation::Reindent(i, d)),
        (any::<usize>(), token()).prop_map(|(i, t)| Mutation::ReplaceValue(i, t)),
    ]
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply_mutation(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    match m {
        Mutation::DeleteLine(i) => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Mutation::Insert(at, token) => {
            let mut s = text.to_owned();
            let at = floor_char_boundary(&s, at % (s.len() + 1));
            s.insert_str(at, token);
            return s;
        }
        Mutation::Truncate(at) => {
            let at = floor_char_boundary(text, at % (text.len() + 1));
            return text[..at].to_owned();
        }
        Mutation::Reindent(i, by) => {
            let line = &mut lines[i % n];
            if *by >= 0 {
                line.insert_str(0, &" ".repeat(*by as usize));
            } else {
                let strip = line
                    .chars()
                    .take((-by) as usize)
                    .take_while(|c| *c == ' ')
                    .count();
                line.drain(..strip);
            }
        }
        Mutation::ReplaceValue(i, token) => {
            let line = &mut lines[i % n];
            if let Some(colon) = line.find(':') {
                line.truncate(colon + 1);
                line.push(' ');
                line.push_str(token);
            }
        }
    }
    lines.join("\n") + "\n"
}

/// JSON values shaped like policy documents: policy keys, IAM-ish strings, any nesting.
fn policy_json() -> impl Strategy<Value = serde_json::Value> {
    let key = prop_oneof![
        Just("Version"),
        Just("Id"),
        Just("Statement"),
        Just("Sid"),
        Just("Effect"),
        Just("Action"),
        Just("NotAction"),
        Just("Resource"),
        Just("NotResource"),
        Just("Principal"),
        Just("NotPrincipal"),
        Just("Condition"),
        Just("AWS"),
        Just("Service"),
        Just("Federated"),
        Just("StringEquals"),
        Just("ForAnyValue:StringLike"),
        Just("aws:SourceArn"),
        Just("x"),
    ]
    .prop_map(str::to_owned);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        prop_oneof![
            Just("2012-10-17".to_owned()),
            Just("Allow".to_owned()),
            Just("Deny".to_owned()),
            Just("*".to_owned()),
            Just("s3:Get*".to_owned()),
            Just("arn:aws:iam::123456789012:root".to_owned()),
            Just("123456789012".to_owned()),
            Just("ec2.amazonaws.com".to_owned()),
            ".{0,16}",
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// IAM's encoding of a document (RFC 3986 unreserved characters kept).
fn iam_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn loader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        load(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn loader_survives_yaml_ish_text(
        text in "([a-zA-Z0-9_:.\\-\\[\\]{},&*!|>'\"#%@` ?]{0,24}\n?){0,60}",
    ) {
        load(&text);
    }

    #[test]
    fn loader_survives_mutated_manifests(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
        copies in 1usize..4,
    ) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        // Several copies make multi-document files, duplicate names included.
        text = vec![text; copies].join("---\n");
        for m in &mutations {
            text = apply_mutation(&text, m);
        }
        load(&text);
    }

    #[test]
    fn normalizer_survives_json_ish_text(text in "[\\[\\]{}\":,0-9a-zA-Z*.\\-_ \\\\]{0,300}") {
        normalize_json(&text);
        normalize_encoded(&text);
    }

    #[test]
    fn normalizer_survives_policy_shaped_json(value in policy_json()) {
        let text = value.to_string();
        normalize_json(&text);
        normalize_encoded(&iam_encode(&text));
        normalize_encoded(&text);
    }

    #[test]
    fn normalizer_survives_url_encoded_garbage(
        text in "(%[0-9A-Fa-f]{0,2}|%|\\+|[a-zA-Z0-9{}\":,\\[\\] ]){0,200}",
    ) {
        normalize_encoded(&text);
    }
}

#[test]
#[should_panic(expected = "bytes at once")]
fn the_memory_budget_catches_runaway_allocation() {
    within_budget("allocating", 10, || vec![1u8; 64 << 20].len());
}

/// The "billion laughs": each alias level multiplies the expanded size by ten. The loader must
/// refuse it (or expand it within budget), not build 10⁹ strings.
#[test]
fn alias_bombs_stay_within_budget() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let prev = format!("*a{}", level - 1);
        text.push_str(&format!(
            "a{level}: &a{level} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    let manifest = format!(
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: bomb\nspec:\n  trust:\n    \
         - service: ec2.amazonaws.com\n  tags:\n    {}\n",
        text.trim_end().replace('\n', "\n    ")
    );
    let out = load(&manifest);
    assert!(
        out > 0,
        "the bomb produced neither documents nor diagnostics"
    );
}

/// Deep nesting is where recursive parsers overflow their stack: a crash, not a panic, and
/// proptest's small inputs rarely reach it.
#[test]
fn deep_nesting_is_refused_not_a_crash() {
    for depth in [64, 1_000, 100_000] {
        for (open, close) in [("[", "]"), ("{a: ", "}"), ("- ", "")] {
            let mut text = String::from(
                "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: deep\nspec:\n  tags: ",
            );
            if open == "- " {
                // Block sequences nest by indentation.
                for i in 0..depth.min(1_000) {
                    text.push('\n');
                    text.push_str(&" ".repeat(i + 4));
                    text.push_str(open);
                }
            } else {
                text.push_str(&open.repeat(depth));
                text.push_str(&close.repeat(depth));
            }
            text.push('\n');
            load(&text);
        }
        let json = "[".repeat(depth) + &"]".repeat(depth);
        normalize_json(&json);
        normalize_encoded(&iam_encode(&json));
        let obj = "{\"Statement\":".repeat(depth) + "1" + &"}".repeat(depth);
        normalize_json(&obj);
    }
}
