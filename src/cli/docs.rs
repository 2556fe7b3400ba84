//! Shell completions and man pages, generated from the clap definition by clap's own crates
//! (`clap_complete`, `clap_mangen`), so they cannot disagree with `--help`. The committed copies
//! (`completions/`, `docs/man/`) are checked against these functions by freshness tests.
//!
//! Man pages carry the package version only, not the commit and date of `--version`: a page
//! that changed with every commit could never be committed fresh.

use clap::CommandFactory;

use super::args::{Cli, CompletionShell};
use super::{BoxError, ExitStatus, UserError};

/// The completion script for `shell`.
pub fn completion_script(shell: CompletionShell) -> String {
    let shell = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
        CompletionShell::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rolesmith", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Every man page, as (file name, roff): `rolesmith.1`, then `rolesmith-<command>.1` for each
/// visible subcommand, in the order `--help` lists them.
pub fn man_pages() -> Vec<(String, String)> {
    let version = env!("CARGO_PKG_VERSION");
    let mut cmd = Cli::command()
        .version(version)
        .disable_help_subcommand(true);
    cmd.build();
    let source = format!("rolesmith {version}");
    let page = |cmd: clap::Command| {
        let man = clap_mangen::Man::new(cmd).source(source.clone());
        let mut out = Vec::new();
        // Rendering into memory cannot fail.
        let _ = man.render(&mut out);
        (
            man.get_filename(),
            String::from_utf8_lossy(&out).into_owned(),
        )
    };
    let subcommands: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    std::iter::once(page(cmd))
        .chain(subcommands.into_iter().map(page))
        .collect()
}

/// The man page of `command` (`None`: rolesmith's own), if there is such a command.
pub fn man_page(command: Option<&str>) -> Option<String> {
    let file = match command {
        None => "rolesmith.1".to_owned(),
        Some(c) => format!("rolesmith-{c}.1"),
    };
    man_pages()
        .into_iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| text)
}

/// The visible subcommands, in the order `--help` lists them.
fn command_names() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_owned())
        .collect()
}

/// `rolesmith man [COMMAND]`, or with `list` the commands that have a page.
pub(super) fn man_command(command: Option<&str>, list: bool) -> Result<ExitStatus, BoxError> {
    if list {
        for name in command_names() {
            println!("{name}");
        }
        return Ok(ExitStatus::Success);
    }
    if let Some(page) = man_page(command) {
        print!("{page}");
        return Ok(ExitStatus::Success);
    }
    let command = command.unwrap_or_default();
    let names = command_names();
    let hint = match crate::diagnostic::did_you_mean(command, names.iter().map(String::as_str)) {
        Some(c) => format!("did you mean `rolesmith man {c}`?"),
        None => format!("the commands are: {}", names.join(", ")),
    };
    Err(Box::new(UserError::new(
        format!("`{command}` is not a rolesmith command"),
        hint,
    )))
}
