//! Writing an import under the folder the user named (`--out DIR`), and nowhere else.
//!
//! DIR may already hold files and folders (an earlier import, a checkout), and a symbolic link
//! among them would send a write outside it: `DIR/app -> /elsewhere` would put `app/web.yaml`
//! in `/elsewhere`, and a linked file would have its target overwritten. So nothing is written
//! through a link:
//!
//! * before anything is written, every existing path below DIR that a file needs is inspected
//!   with `symlink_metadata` (which never follows a link); one link anywhere refuses the whole
//!   import by name, so a refusal leaves DIR as it was;
//! * folders are then made one at a time with `create_dir` (which fails on anything already
//!   there, a link included, instead of following it) and inspected again;
//! * each file is written to a new temporary file (`O_EXCL`: never an existing name or link) in
//!   its inspected folder and renamed over its name. A rename replaces whatever has the name,
//!   even a link made in the meantime, and never touches what a link points at.
//!
//! [`write_new`] is the same walk for files that must not exist yet (`rolesmith init`): any
//! existing one refuses the whole write by name, and each file is created with `create_new`
//! (`O_EXCL`), which fails on an existing name or link instead of following it.
//!
//! DIR itself is the user's choice and may be a link to a folder. What this cannot rule out
//! without directory file descriptors (`openat`) is a folder below DIR being swapped for a link
//! between its inspection and the rename, by someone who can already write in DIR.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::{Import, SCHEMA_FILE};

/// What writing an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files that existed and were left alone (without `force`).
    pub skipped: Vec<PathBuf>,
}

/// Why an import was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A symbolic link where a manifest, the schema or a folder of them would go.
    #[error("{link} is a symbolic link; rolesmith does not write through links")]
    Symlink {
        /// The link.
        link: PathBuf,
    },
    /// A file or other non-folder where a folder of manifests would go.
    #[error("{path} is not a folder, but rolesmith needs one there for {file}")]
    NotAFolder {
        /// What is in the way.
        path: PathBuf,
        /// The file that needs the folder.
        file: PathBuf,
    },
    /// A folder (or other non-file) where a file would go.
    #[error("{path} is not a regular file, so rolesmith cannot replace it")]
    NotAFile {
        /// What is in the way.
        path: PathBuf,
    },
    /// A file that exists where [`write_new`] would create one.
    #[error("{path} already exists; nothing was written")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A file path that is absolute or climbs out of the output folder (a bug in the caller).
    #[error("{path} is not a plain relative path below the output folder")]
    Escapes {
        /// The path.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl WriteError {
    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Symlink { .. } => {
                "remove the link (rolesmith never follows one out of the folder it writes to), or write into a new folder"
            }
            Self::NotAFolder { .. } | Self::NotAFile { .. } => {
                "move it out of the way, or write into a new folder"
            }
            Self::Exists { .. } => {
                "nothing is overwritten: move the file out of the way, or write into a new folder"
            }
            Self::Escapes { .. } => "this is a bug in rolesmith; please report it",
            Self::Io { .. } => "check that the folder exists and is writable",
        }
    }
}

/// One file to write: where (relative to the output folder), what, and whether an existing file
/// is replaced.
struct Target<'a> {
    path: &'a Path,
    text: &'a str,
    replace: bool,
}

/// Writes the files (and the schema, always refreshed) under `dir`. Existing manifests are kept
/// unless `force`. Refuses, before writing anything, when a symbolic link is in the way.
pub fn write(
    import: &Import,
    dir: &Path,
    schema: &str,
    force: bool,
) -> Result<WriteReport, WriteError> {
    let schema_target = Target {
        path: Path::new(SCHEMA_FILE),
        text: schema,
        replace: true,
    };
    let targets: Vec<Target> = std::iter::once(schema_target)
        .chain(import.files.iter().map(|f| Target {
            path: &f.path,
            text: &f.text,
            replace: force,
        }))
        .collect();
    for target in &targets {
        inspect(dir, target.path)?;
    }
    fs_err::create_dir_all(dir).map_err(|source| io(dir, source))?;
    let mut report = WriteReport::default();
    for target in &targets {
        let path = dir.join(target.path);
        make_folders(dir, target.path)?;
        if inspect(dir, target.path)? && !target.replace {
            report.skipped.push(path);
            continue;
        }
        replace_file(&path, target.text)?;
        if target.path != Path::new(SCHEMA_FILE) {
            report.written.push(path);
        }
    }
    Ok(report)
}

/// Creates `files` (paths relative to `dir`, with their text) under `dir`, which is made if
/// missing. All or nothing up front: before anything is written, an existing file (or anything
/// else) at any of the paths, or a link on the way, refuses the whole write by name. Each file is
/// then created with `create_new`, so one that appears in the meantime is an error, never
/// written through. Returns the files written, in order.
pub fn write_new(dir: &Path, files: &[(&Path, &str)]) -> Result<Vec<PathBuf>, WriteError> {
    for (rel, _) in files {
        let path = dir.join(rel);
        match inspect(dir, rel) {
            Ok(true) | Err(WriteError::NotAFile { .. }) => {
                return Err(WriteError::Exists { path });
            }
            Ok(false) => {}
            Err(e) => return Err(e),
        }
    }
    fs_err::create_dir_all(dir).map_err(|source| io(dir, source))?;
    let mut written = Vec::new();
    for (rel, text) in files {
        make_folders(dir, rel)?;
        let path = dir.join(rel);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => WriteError::Exists { path: path.clone() },
                _ => io(&path, source),
            })?;
        file.write_all(text.as_bytes())
            .map_err(|source| io(&path, source))?;
        written.push(path);
    }
    Ok(written)
}

/// Whether `dir/rel` exists as a regular file; an error for a link on the way or at the end,
/// for a non-folder on the way and for a non-file at the end.
fn inspect(dir: &Path, rel: &Path) -> Result<bool, WriteError> {
    let parts = components(rel)?;
    let mut path = dir.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(source) => return Err(io(&path, source)),
        };
        let last = i + 1 == parts.len();
        if meta.file_type().is_symlink() {
            return Err(WriteError::Symlink { link: path });
        }
        if !last && !meta.is_dir() {
            return Err(WriteError::NotAFolder {
                path,
                file: dir.join(rel),
            });
        }
        if last && !meta.is_file() {
            return Err(WriteError::NotAFile { path });
        }
    }
    Ok(true)
}

/// The folders of `rel` below `dir`, made one at a time; each must be a real folder afterwards.
fn make_folders(dir: &Path, rel: &Path) -> Result<(), WriteError> {
    let parts = components(rel)?;
    let mut path = dir.to_path_buf();
    for part in &parts[..parts.len() - 1] {
        path.push(part);
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(io(&path, source)),
        }
        let meta = std::fs::symlink_metadata(&path).map_err(|source| io(&path, source))?;
        if meta.file_type().is_symlink() {
            return Err(WriteError::Symlink { link: path });
        }
        if !meta.is_dir() {
            return Err(WriteError::NotAFolder {
                path,
                file: dir.join(rel),
            });
        }
    }
    Ok(())
}

/// `rel` as plain names; anything else (absolute, `..`, `.`, empty) is refused.
fn components(rel: &Path) -> Result<Vec<&std::ffi::OsStr>, WriteError> {
    let parts: Option<Vec<_>> = rel
        .components()
        .map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    match parts {
        Some(parts) if !parts.is_empty() => Ok(parts),
        _ => Err(WriteError::Escapes {
            path: rel.to_path_buf(),
        }),
    }
}

/// Writes `text` to a new temporary file beside `path` and renames it over `path`. The
/// temporary name starts with a dot, so the manifest loader never reads a leftover one.
fn replace_file(path: &Path, text: &str) -> Result<(), WriteError> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rolesmith-").suffix(".tmp");
    // As `fs::write` would create it: 0666 less the umask (tempfile's default is 0600).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(folder)
        .map_err(|source| io(folder, source))?;
    tmp.write_all(text.as_bytes())
        .map_err(|source| io(path, source))?;
    tmp.persist(path).map_err(|e| io(path, e.error))?;
    Ok(())
}

fn io(path: &Path, source: std::io::Error) -> WriteError {
    WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportedFile;

    fn import_of(files: &[&str]) -> Import {
        Import {
            files: files
                .iter()
                .map(|p| ImportedFile {
                    path: PathBuf::from(p),
                    kind: crate::import::FileKind::Role,
                    name: "r".into(),
                    text: format!("{p}\n"),
                })
                .collect(),
            notes: vec![],
        }
    }

    #[test]
    fn writes_files_and_keeps_existing_ones_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let import = import_of(&["a/b/web.yaml", "batch.yaml"]);
        let report = write(&import, dir.path(), "{}", false).unwrap();
        assert_eq!(report.written.len(), 2);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b/web.yaml")).unwrap(),
            "a/b/web.yaml\n"
        );
        std::fs::write(dir.path().join("batch.yaml"), "edited\n").unwrap();
        let report = write(&import, dir.path(), "{}", false).unwrap();
        assert_eq!(report.skipped.len(), 2);
        let kept = std::fs::read_to_string(dir.path().join("batch.yaml")).unwrap();
        assert_eq!(kept, "edited\n");
        write(&import, dir.path(), "{}", true).unwrap();
        let replaced = std::fs::read_to_string(dir.path().join("batch.yaml")).unwrap();
        assert_eq!(replaced, "batch.yaml\n");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_anywhere_on_the_way_refuses_everything() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("a/b")).unwrap();
        let err = write(
            &import_of(&["first.yaml", "a/b/c/web.yaml"]),
            &out,
            "{}",
            true,
        )
        .unwrap_err();
        assert!(
            matches!(&err, WriteError::Symlink { link } if *link == out.join("a/b")),
            "{err}"
        );
        assert!(!out.join("first.yaml").exists());
        assert!(!out.join(SCHEMA_FILE).exists());
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn a_file_where_a_folder_goes_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app"), "").unwrap();
        let err = write(&import_of(&["app/web.yaml"]), dir.path(), "{}", false).unwrap_err();
        assert!(matches!(&err, WriteError::NotAFolder { path, .. } if path.ends_with("app")));
        std::fs::create_dir(dir.path().join("web.yaml")).unwrap();
        let err = write(&import_of(&["web.yaml"]), dir.path(), "{}", true).unwrap_err();
        assert!(matches!(&err, WriteError::NotAFile { .. }), "{err}");
    }

    #[test]
    fn write_new_refuses_an_existing_file_before_writing_any() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("m")).unwrap();
        std::fs::write(dir.path().join("m/b.yaml"), "mine\n").unwrap();
        let files: [(&Path, &str); 2] =
            [(Path::new("a.toml"), "a\n"), (Path::new("m/b.yaml"), "b\n")];
        let err = write_new(dir.path(), &files).unwrap_err();
        assert!(
            matches!(&err, WriteError::Exists { path } if path.ends_with("m/b.yaml")),
            "{err}"
        );
        assert!(!dir.path().join("a.toml").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("m/b.yaml")).unwrap(),
            "mine\n"
        );
        let fresh = dir.path().join("new");
        let written = write_new(&fresh, &files).unwrap();
        assert_eq!(written, [fresh.join("a.toml"), fresh.join("m/b.yaml")]);
        assert_eq!(
            std::fs::read_to_string(fresh.join("m/b.yaml")).unwrap(),
            "b\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn write_new_never_writes_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("m")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("x"), out.join("dangling.toml")).unwrap();
        let err = write_new(&out, &[(Path::new("m/b.yaml"), "b")]).unwrap_err();
        assert!(
            matches!(&err, WriteError::Symlink { link } if *link == out.join("m")),
            "{err}"
        );
        let err = write_new(&out, &[(Path::new("dangling.toml"), "b")]).unwrap_err();
        assert!(matches!(&err, WriteError::Symlink { .. }), "{err}");
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for bad in ["../x.yaml", "/tmp/x.yaml", "./x.yaml", "a/../../x.yaml", ""] {
            let err = write(&import_of(&[bad]), &out, "{}", true).unwrap_err();
            assert!(matches!(err, WriteError::Escapes { .. }), "{bad}: {err}");
        }
        assert!(!dir.path().join("x.yaml").exists());
    }
}
