//! Finding manifest files and parsing them into typed documents with their source index.
//!
//! Paths may be files or directories (searched recursively for `*.yaml` / `*.yml`, in sorted
//! order); a file may hold several documents separated by `---`. A file found in a directory
//! none of whose documents has `apiVersion: rolesmith/…` (`mkdocs.yml`, a compose file) is not
//! a manifest: it is skipped and listed in [`Loaded::skipped`]; a file named explicitly is
//! always read as a manifest. Every problem becomes a
//! [`Diagnostic`] with file:line:col; one bad document does not hide problems in the others.
//! How serde-saphyr's errors are reworded is in `parse_errors`.

mod discover;
mod parse_errors;

pub use discover::manifest_files;
use discover::{discover_all, is_manifest_text};

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::codes;
use crate::diagnostic::{Diagnostic, Location, did_you_mean};
use crate::manifest::model::{
    API_VERSION, ManagedPolicyManifest, OidcProviderManifest, RoleManifest, SamlProviderManifest,
    ServiceLinkedRoleManifest,
};
use crate::manifest::source::{Locate, Seg, SourceIndex, SourceText};

/// A parsed manifest document.
#[derive(Debug, Clone)]
pub enum Document {
    /// `kind: Role`.
    Role(Box<RoleManifest>),
    /// `kind: ServiceLinkedRole`.
    ServiceLinkedRole(ServiceLinkedRoleManifest),
    /// `kind: ManagedPolicy`.
    ManagedPolicy(Box<ManagedPolicyManifest>),
    /// `kind: OIDCProvider`.
    OidcProvider(OidcProviderManifest),
    /// `kind: SAMLProvider`.
    SamlProvider(SamlProviderManifest),
}

impl Document {
    /// The document as JSON, with its fields named as written.
    pub fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            Self::Role(m) => serde_json::to_value(m),
            Self::ServiceLinkedRole(m) => serde_json::to_value(m),
            Self::ManagedPolicy(m) => serde_json::to_value(m),
            Self::OidcProvider(m) => serde_json::to_value(m),
            Self::SamlProvider(m) => serde_json::to_value(m),
        }
    }

    /// The declared name (`metadata.name`).
    pub fn name(&self) -> &str {
        match self {
            Self::Role(m) => &m.metadata.name,
            Self::ServiceLinkedRole(m) => &m.metadata.name,
            Self::OidcProvider(m) => &m.metadata.name,
            Self::SamlProvider(m) => &m.metadata.name,
            Self::ManagedPolicy(m) => &m.metadata.name,
        }
    }
}

/// A parsed document with where it came from.
///
/// The source index is built on first use: valid documents never need positions, and building
/// the index costs as much as parsing, so a large clean manifest set loads at parse speed.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    /// The typed document.
    pub document: Document,
    /// The file's text.
    pub source: SourceText,
    /// Byte range of the document in the file.
    range: std::ops::Range<usize>,
    /// 1-based line where the document starts.
    pub start_line: usize,
    index: std::sync::OnceLock<SourceIndex>,
    /// Values written elsewhere in the file than their path says, as `(from, to)` path
    /// prefixes, the last matching one winning: a field an override merged over `spec` is
    /// located in the override (`spec.tags.tier` → `overrides[1].spec.tags.tier`).
    redirects: Vec<(Vec<Seg>, Vec<Seg>)>,
}

impl LoadedDocument {
    /// A lightweight handle to this document's position.
    pub fn anchor(&self) -> DocAnchor {
        DocAnchor {
            source: self.source.clone(),
            range: self.range.clone(),
            start_line: self.start_line,
        }
    }

    /// The same document in the same place with other content (e.g. account variables
    /// replaced by one account's values): diagnostics still point into the file.
    pub fn with_document(&self, document: Document) -> LoadedDocument {
        LoadedDocument {
            document,
            ..self.clone()
        }
    }

    /// The byte range of the document in its file (a leading `---` line included).
    pub fn byte_range(&self) -> std::ops::Range<usize> {
        self.range.clone()
    }

    /// The document's own text.
    pub fn text(&self) -> &str {
        &self.source.text[self.range.clone()]
    }

    /// Node positions of this document (built on first use).
    pub fn index(&self) -> &SourceIndex {
        self.index.get_or_init(|| {
            let padded = pad(&self.source.text[self.range.clone()], self.start_line);
            SourceIndex::build(&padded).unwrap_or_default()
        })
    }

    /// This document with the values under `from` located under `to` (see `redirects`).
    pub fn with_redirect(mut self, from: Vec<Seg>, to: Vec<Seg>) -> LoadedDocument {
        self.redirects.push((from, to));
        self
    }

    /// `path` as it is written in the file.
    fn written_at<'p>(&self, path: &'p [Seg]) -> std::borrow::Cow<'p, [Seg]> {
        for (from, to) in self.redirects.iter().rev() {
            if path.starts_with(from) {
                let mut moved = to.clone();
                moved.extend_from_slice(&path[from.len()..]);
                return std::borrow::Cow::Owned(moved);
            }
        }
        std::borrow::Cow::Borrowed(path)
    }

    /// The location of the value at `path` (or of the nearest enclosing node).
    pub fn locate(&self, path: &[Seg]) -> Location {
        let path = &*self.written_at(path);
        match self.index().find(path) {
            Some((span, _)) => {
                let (l, c, n) = span.value;
                self.source.location(l, c, n)
            }
            None => self.source.location(self.start_line, 1, 1),
        }
    }

    /// The location of the key at `path` (falls back to the value, then the ancestors).
    pub fn locate_key(&self, path: &[Seg]) -> Location {
        match self.index().find(&self.written_at(path)) {
            Some((span, true)) => {
                let (l, c, n) = span.key.unwrap_or(span.value);
                self.source.location(l, c, n)
            }
            _ => self.locate(path),
        }
    }
}

impl Locate for LoadedDocument {
    fn locate(&self, path: &[Seg]) -> Location {
        LoadedDocument::locate(self, path)
    }

    fn locate_key(&self, path: &[Seg]) -> Location {
        LoadedDocument::locate_key(self, path)
    }
}

/// Where a document is, without its parsed content: enough to point at it later (e.g. the first
/// declaration of a duplicate) while the document itself has been dropped.
#[derive(Debug, Clone)]
pub struct DocAnchor {
    source: SourceText,
    range: std::ops::Range<usize>,
    start_line: usize,
}

impl DocAnchor {
    /// The location of the value at `path` (the index is rebuilt; anchors are for rare cases).
    pub fn locate(&self, path: &[Seg]) -> Location {
        let padded = pad(&self.source.text[self.range.clone()], self.start_line);
        let index = SourceIndex::build(&padded).unwrap_or_default();
        match index.find(path) {
            Some((span, _)) => {
                let (l, c, n) = span.value;
                self.source.location(l, c, n)
            }
            None => self.source.location(self.start_line, 1, 1),
        }
    }
}

/// The result of loading: documents that parsed, and every diagnostic.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Documents that parsed into manifest types.
    pub documents: Vec<LoadedDocument>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read, in order.
    pub files: Vec<PathBuf>,
    /// YAML files found in a directory that hold no rolesmith document, in order; not read as
    /// manifests (and not in `files`).
    pub skipped: Vec<PathBuf>,
}

/// Loads every manifest under the given paths (the current directory when empty).
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut all = Loaded::default();
    load_each_file(paths, |one| {
        all.documents.extend(one.documents);
        all.diagnostics.extend(one.diagnostics);
        all.files.extend(one.files);
        all.skipped.extend(one.skipped);
    });
    all
}

/// Loads the manifests file by file, handing each file's result to `each` (so a caller can
/// validate and drop documents as it goes, keeping memory flat for large manifest sets).
///
/// Files are parsed on all cores; `each` still receives them one at a time, in file order, so
/// results (and which of two duplicates counts as "first") do not depend on timing.
pub fn load_each_file(paths: &[PathBuf], each: impl FnMut(Loaded)) {
    load_each_file_with(paths, |loaded| loaded, each);
}

/// Like [`load_each_file`], with `work` applied to each file's result on the parsing thread
/// (e.g. validating its documents) before `each` receives it, in file order.
pub fn load_each_file_with<R: Send>(
    paths: &[PathBuf],
    work: impl Fn(Loaded) -> R + Sync,
    mut each: impl FnMut(R),
) {
    let mut missing = Vec::new();
    let files = discover_all(paths, &mut missing);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(files.len())
        .max(1);
    if workers == 1 {
        files
            .iter()
            .for_each(|(f, found)| each(work(logged(load_file(f, *found)))));
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, R)>(workers * 2);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (tx, next, files, work) = (tx.clone(), &next, &files, &work);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((file, found)) = files.get(i) else {
                            break;
                        };
                        if tx.send((i, work(logged(load_file(file, *found))))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Hand results over in file order.
            let mut pending = std::collections::BTreeMap::new();
            let mut expected = 0;
            for (i, loaded) in rx {
                pending.insert(i, loaded);
                while let Some(loaded) = pending.remove(&expected) {
                    each(loaded);
                    expected += 1;
                }
            }
        });
    }
    if !missing.is_empty() {
        each(work(Loaded {
            diagnostics: missing,
            ..Loaded::default()
        }));
    }
}

/// How a file came to be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Named on the command line or in the config: a manifest, whatever it holds.
    Named,
    /// Found in a directory: a manifest only if one of its documents is rolesmith's.
    InDirectory,
}

/// Logs a skipped file (at info, so `-v` lists them) and passes the result on.
fn logged(loaded: Loaded) -> Loaded {
    for path in &loaded.skipped {
        tracing::info!(
            "skipped {}: no document has `apiVersion: rolesmith/…`",
            path.display()
        );
    }
    loaded
}

/// Reads and parses one file (or skips it, if found in a directory and not a manifest).
fn load_file(file: &Path, found: Found) -> Loaded {
    let mut loaded = Loaded::default();
    match fs_err::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) if found == Found::InDirectory && !is_manifest_text(&text) => {
                loaded.skipped.push(file.to_path_buf());
                return loaded;
            }
            Ok(text) => load_text(file, &text, &mut loaded),
            Err(e) => loaded.diagnostics.push(
                Diagnostic::new(
                    codes::INVALID_UTF8,
                    format!("{} is not UTF-8 text", file.display()),
                )
                .with_help(format!(
                    "the first invalid byte is at offset {}",
                    e.utf8_error().valid_up_to()
                )),
            ),
        },
        Err(e) => loaded
            .diagnostics
            .push(Diagnostic::new(codes::UNREADABLE_FILE, e.to_string())),
    }
    loaded.files.push(file.to_path_buf());
    loaded
}

/// Whether a document holds nothing but blank lines, comments and markers.
fn is_blank(body: &str) -> bool {
    body.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    })
}

/// Loads the documents of one file's text.
pub fn load_text(path: &Path, text: &str, loaded: &mut Loaded) {
    let source = SourceText::new(path, text);
    for (start_line, range) in split_documents(text) {
        if is_blank(&text[range.clone()]) {
            continue;
        }
        match load_document(&source, start_line, range) {
            Ok(doc) => loaded.documents.push(doc),
            Err(d) => loaded.diagnostics.push(*d),
        }
    }
}

/// Puts back the text of each tag value YAML typed as a number or boolean (`0042`, `1.50`,
/// `on`): a tag's value is the string written, as IAM stores it.
fn tag_values_as_written(doc: &mut LoadedDocument) {
    let Document::Role(m) = &doc.document else {
        return;
    };
    let typed: Vec<String> = m
        .spec
        .tags
        .iter()
        .filter(|(_, v)| matches!(v, crate::manifest::model::TagValue::Typed(_)))
        .map(|(k, _)| k.clone())
        .collect();
    let mut written = Vec::new();
    for key in typed {
        let at = doc.locate(&[
            Seg::from("spec"),
            Seg::from("tags"),
            Seg::from(key.as_str()),
        ]);
        let text = doc
            .source
            .text
            .get(at.offset..at.offset + at.len)
            .map(|t| t.trim().to_owned());
        written.push((key, text));
    }
    if let Document::Role(m) = &mut doc.document {
        for (key, text) in written {
            if let (Some(text), Some(v)) = (text, m.spec.tags.get_mut(&key)) {
                *v = crate::manifest::model::TagValue::Value(text);
            }
        }
    }
}

/// Splits a multi-document stream at `---` / `...` lines into (first line, byte range) pieces;
/// a piece that starts with a `---` marker includes the marker's line.
fn split_documents(text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut docs = Vec::new();
    let mut current: Option<(usize, std::ops::Range<usize>)> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let span = offset..offset + line.len();
        offset = span.end;
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_start = bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t");
        if is_start || bare == "..." {
            docs.extend(current.take());
            if is_start {
                current = Some((i + 1, span));
            }
            continue;
        }
        match &mut current {
            Some((_, range)) => range.end = span.end,
            None => current = Some((i + 1, span)),
        }
    }
    docs.extend(current);
    docs
}

/// A document's text padded with blank lines so that positions inside it are the file's, with
/// a leading `---` marker blanked out (keeping what follows it at its column).
fn pad(body: &str, start_line: usize) -> String {
    let mut padded = "\n".repeat(start_line.saturating_sub(1));
    match body.strip_prefix("---") {
        Some(rest) => {
            padded.push_str("   ");
            padded.push_str(rest);
        }
        None => padded.push_str(body),
    }
    padded
}

#[derive(Deserialize)]
struct Header {
    #[serde(rename = "apiVersion")]
    api_version: Option<serde_json::Value>,
    kind: Option<serde_json::Value>,
}

const KINDS: [&str; 5] = [
    "Role",
    "ServiceLinkedRole",
    "ManagedPolicy",
    "OIDCProvider",
    "SAMLProvider",
];

/// Most YAML nodes one document may expand to. IAM's own size limits keep a real role document
/// to a few thousand; the cap stops runaway documents and alias bombs ("billion laughs", where
/// each alias repeats everything it names) long before they cost memory.
const MAX_NODES: usize = 50_000;
/// Most aliases (`*name`) one document may use.
const MAX_ALIASES: usize = 1_000;

/// Deserializes one document within the node and alias budget.
fn parse<'de, T: serde::Deserialize<'de>>(text: &'de str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(
        text,
        serde_saphyr::options! {
            budget: serde_saphyr::budget! {
                max_nodes: MAX_NODES,
                max_aliases: MAX_ALIASES,
            },
        },
    )
}

fn load_document(
    source: &SourceText,
    start_line: usize,
    range: std::ops::Range<usize>,
) -> Result<LoadedDocument, Box<Diagnostic>> {
    // Fast path: a valid Role parses in one pass (without padding) and never needs its index.
    let body = &source.text[range.clone()];
    let unmarked = pad(body, 1);
    if let Ok(role) = parse::<RoleManifest>(&unmarked) {
        let mut doc = LoadedDocument {
            document: Document::Role(Box::new(role)),
            source: source.clone(),
            range,
            start_line,
            index: std::sync::OnceLock::new(),
            redirects: Vec::new(),
        };
        tag_values_as_written(&mut doc);
        return Ok(doc);
    }
    let padded = pad(body, start_line);
    let text = padded.as_str();
    let index = SourceIndex::build(text).map_err(|(line, col, message)| {
        Box::new(
            Diagnostic::new(codes::YAML_SYNTAX, format!("invalid YAML: {message}"))
                .at(source.location(line, col, 1), "here")
                .with_help("check indentation, quoting and brackets around this point"),
        )
    })?;
    let doc = LoadedDocument {
        document: Document::Role(Box::new(placeholder_role())),
        source: source.clone(),
        range,
        start_line,
        index: index.into(),
        redirects: Vec::new(),
    };
    let header: Header =
        parse(text).map_err(|e| Box::new(parse_errors::diagnostic(source, doc.index(), &e)))?;
    match header.api_version.as_ref().and_then(|v| v.as_str()) {
        Some(API_VERSION) => {}
        Some(other) => {
            return Err(Box::new(
                Diagnostic::new(
                    codes::UNSUPPORTED_API_VERSION,
                    format!("unsupported apiVersion `{other}`"),
                )
                .at(doc.locate(&[Seg::from("apiVersion")]), "not supported")
                .with_help(format!("use `apiVersion: {API_VERSION}`")),
            ));
        }
        None => {
            return Err(Box::new(
                Diagnostic::new(
                    codes::MISSING_API_VERSION,
                    "the document has no `apiVersion` string",
                )
                .at(
                    doc.locate(&[Seg::from("apiVersion")]),
                    "expected `apiVersion` here",
                )
                .with_help(format!(
                    "start every manifest with `apiVersion: {API_VERSION}`"
                )),
            ));
        }
    }
    let kind = header.kind.as_ref().and_then(|v| v.as_str());
    let document = match kind {
        Some("Role") => {
            let role =
                Document::Role(Box::new(parse(text).map_err(|e| {
                    Box::new(parse_errors::diagnostic(source, doc.index(), &e))
                })?));
            let mut typed = LoadedDocument {
                document: role,
                ..doc.clone()
            };
            tag_values_as_written(&mut typed);
            typed.document
        }
        Some("ServiceLinkedRole") => Document::ServiceLinkedRole(
            parse(text).map_err(|e| Box::new(parse_errors::diagnostic(source, doc.index(), &e)))?,
        ),
        Some("OIDCProvider") => Document::OidcProvider(
            parse(text).map_err(|e| Box::new(parse_errors::diagnostic(source, doc.index(), &e)))?,
        ),
        Some("SAMLProvider") => Document::SamlProvider(
            parse(text).map_err(|e| Box::new(parse_errors::diagnostic(source, doc.index(), &e)))?,
        ),
        Some("ManagedPolicy") => Document::ManagedPolicy(Box::new(
            parse(text).map_err(|e| Box::new(parse_errors::diagnostic(source, doc.index(), &e)))?,
        )),
        Some(other) => {
            let mut d = Diagnostic::new(codes::UNKNOWN_KIND, format!("unknown kind `{other}`"))
                .at(doc.locate(&[Seg::from("kind")]), "not a rolesmith kind");
            d = match did_you_mean(other, KINDS) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("kind is one of {}", KINDS.join(", "))),
            };
            return Err(Box::new(d));
        }
        None => {
            return Err(Box::new(
                Diagnostic::new(codes::MISSING_KIND, "the document has no `kind` string")
                    .at(doc.locate(&[Seg::from("kind")]), "expected `kind` here")
                    .with_help(format!("add `kind:` with one of {}", KINDS.join(", "))),
            ));
        }
    };
    Ok(LoadedDocument { document, ..doc })
}

fn placeholder_role() -> RoleManifest {
    RoleManifest {
        api_version: crate::manifest::model::ApiVersion::V1,
        kind: crate::manifest::model::RoleKind::Role,
        metadata: crate::manifest::model::Metadata {
            name: String::new(),
        },
        accounts: None,
        overrides: Vec::new(),
        spec: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostics(text: &str) -> Vec<Diagnostic> {
        let mut loaded = Loaded::default();
        load_text(Path::new("t.yaml"), text, &mut loaded);
        loaded.diagnostics
    }

    const HEAD: &str = "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\n";

    #[test]
    fn manifest_files_are_the_files_loading_reads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("web.yaml"), HEAD).unwrap();
        std::fs::write(dir.path().join("mkdocs.yml"), "site_name: docs\n").unwrap();
        std::fs::write(dir.path().join("binary.yaml"), [0xff, 0xfe]).unwrap();
        let named = dir.path().join("mkdocs.yml");
        for paths in [vec![dir.path().to_path_buf()], vec![named]] {
            let files = manifest_files(&paths);
            assert_eq!(files, load_paths(&paths).files, "{paths:?}");
            assert!(!files.is_empty());
        }
    }

    #[test]
    fn missing_field_points_at_the_mapping_that_lacks_it() {
        let text = format!(
            "{HEAD}spec:\n  trust:\n    - service: ec2.amazonaws.com\n  inlinePolicies:\n    p:\n      Statement:\n        - Action: s3:GetObject\n          Resource: \"*\"\n"
        );
        let d = &diagnostics(&text)[0];
        assert_eq!(d.code, codes::MISSING_FIELD.code);
        let at = &d.primary.as_ref().unwrap().location;
        // The statement starts at line 11, column 11; `Resource` (line 12) is a sibling.
        assert_eq!((at.line, at.column), (11, 11));
        assert!(d.help.as_deref().unwrap().contains("`Effect:`"));
    }

    #[test]
    fn missing_top_level_field_points_at_the_document() {
        let d = &diagnostics(&format!("# c\n---\n{HEAD}"))[0];
        assert_eq!(d.message, "missing field `spec`");
        let at = &d.primary.as_ref().unwrap().location;
        assert_eq!((at.line, at.column), (3, 1));
    }

    #[test]
    fn duplicate_key_message_has_no_library_advice() {
        let text = format!("{HEAD}spec:\n  tags:\n    team: a\n    team: b\n");
        let d = &diagnostics(&text)[0];
        assert_eq!(d.code, codes::DUPLICATE_KEY.code);
        assert_eq!(d.message, "duplicate key `team`");
        assert_eq!(d.primary.as_ref().unwrap().location.line, 8);
    }

    #[test]
    fn bad_scalars_quote_the_value() {
        let text = format!("{HEAD}spec:\n  maxSessionDuration: 12h # twelve hours\n");
        let d = &diagnostics(&text)[0];
        assert_eq!(d.code, codes::INVALID_TYPE.code);
        assert_eq!(d.message, "`12h` is not a non-negative whole number");
        let text = format!("{HEAD}spec:\n  trust: ec2.amazonaws.com\n");
        let d = &diagnostics(&text)[0];
        assert_eq!(d.message, "expected a list here");
    }

    #[test]
    fn only_rolesmith_documents_make_a_file_a_manifest() {
        // Other YAML: skipped when found in a directory.
        for other in [
            "site_name: rolesmith\nrepo_url: https://github.com/x/rolesmith/\n",
            "services:\n  web:\n    image: nginx\n",
            "apiVersion: v1\nkind: ConfigMap\n",
            "items:\n  - apiVersion: rolesmith/v1\n",
            "{apiVersion: apps/v1, kind: Deployment}\n",
            "# only\n---\nname: x\n",
        ] {
            assert!(!is_manifest_text(other), "{other:?}");
        }
        // Rolesmith's (also broken ones): read as manifests.
        for manifest in [
            HEAD,
            "--- apiVersion: rolesmith/v1\n",
            "\"apiVersion\": 'rolesmith/v2' # newer\n",
            "{apiVersion: rolesmith/v1, kind: Role}\n",
            "kind: Role\nmetadata:\n  name: web\n",
            "name: x\n---\napiVersion: rolesmith/v1\nkind: Role\n",
            "apiVersion: rolesmith/v1\nspec: [\n",
            "# an empty file\n",
        ] {
            assert!(is_manifest_text(manifest), "{manifest:?}");
        }
    }
}
