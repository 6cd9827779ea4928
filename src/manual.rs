//! The command line's own documentation, generated from its definition ([`crate::cli::Cli`]):
//! shell completion scripts (`edgelint completions SHELL`) and the man page (`edgelint man`).

use clap::CommandFactory;

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "edgelint", &mut out);
    out
}

/// The man page, section 1, in roff.
pub fn man_page() -> Vec<u8> {
    let cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd).render(&mut out);
    out
}
