//! The manual pages of `followdrop man`: clap_mangen's page of a command,
//! with the parts a man page reader looks for that it leaves out, as
//! ripgrep's page has them — a synopsis that names each option's value,
//! EXIT STATUS, ENVIRONMENT and EXAMPLES. The synopsis, the exit status and
//! the examples come from the definitions that make `--help`, so the two
//! cannot drift apart; the environment variables are listed here.

use clap::{Arg, ArgAction, Command};
use roff::{Roff, bold, roman};
use std::io::{self, Write};

/// The environment variables followdrop reads, what they do, and the
/// commands whose page lists them (followdrop's own page lists them all).
const ENVIRONMENT: [(&str, &str, &[&str]); 5] = [
    (
        "NO_COLOR",
        "When set and not empty, --color auto does not colour the text of scan and show.",
        &["scan", "show"],
    ),
    (
        "TERM",
        "When dumb, --color auto does not colour either.",
        &["scan", "show"],
    ),
    (
        "LC_ALL, LC_CTYPE, LANG",
        "The first one set is the locale (unset: C). On a terminal whose locale does not name \
         UTF-8, --sparkline auto draws ASCII instead of block elements.",
        &["scan"],
    ),
    (
        "FOLLOWDROP_TIMING",
        "When set, each step's time (wall and CPU) and the peak memory so far are printed on \
         stderr, for benchmarks.",
        &["scan", "show", "plot"],
    ),
    (
        "RAYON_NUM_THREADS",
        "How many threads read and detect [default: one per core]. The report is the same \
         whatever the number.",
        &["scan", "show", "plot"],
    ),
];

/// Writes the manual page of `page`, followdrop itself or one of its
/// commands (built, named as its page is: `followdrop-scan`).
pub(crate) fn write(page: &Command, out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(page.clone());
    let mangen = |render: &dyn Fn(&mut dyn Write) -> io::Result<()>| {
        let mut roff = Vec::new();
        render(&mut roff).map(|()| String::from_utf8_lossy(&roff).into_owned())
    };
    let mut pieces = vec![
        mangen(&|w| man.render_title(w))?,
        mangen(&|w| man.render_name_section(w))?,
        synopsis(page),
        mangen(&|w| man.render_description_section(w))?,
        mangen(&|w| man.render_options_section(w))?,
    ];
    if page.has_subcommands() {
        pieces.push(mangen(&|w| man.render_subcommands_section(w))?);
    }
    // In place of clap_mangen's EXTRA section, which would print the
    // help's closing text as it is.
    pieces.push(closing_sections(page).render());
    pieces.push(mangen(&|w| man.render_version_section(w))?);
    // Every piece starts with roff's definition of the apostrophe; once is
    // enough.
    let preamble = Roff::new().render();
    out.write_all(preamble.as_bytes())?;
    for piece in &pieces {
        out.write_all(piece.strip_prefix(&preamble).unwrap_or(piece).as_bytes())?;
    }
    Ok(())
}

/// SYNOPSIS as man pages write it: each option in brackets with its value
/// named (`[--format FORMAT]`, `[--account NAME]...` when it can be
/// repeated), then the operands. clap_mangen's names the options alone.
/// Written as roff directly for its unbreakable space (`\~`) and its mark
/// of a word not to hyphenate (`\%`): a line is never broken inside an
/// option, nor between it and its value.
fn synopsis(page: &Command) -> String {
    let fb = |s: &str| format!("\\fB{}\\fR", escape(s));
    let fi = |s: &str| format!("\\fI{}\\fR", escape(s));
    let mut words = vec![fb(page.get_bin_name().unwrap_or(page.get_name()))];
    let (operands, options): (Vec<&Arg>, Vec<&Arg>) = page
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .partition(|a| a.is_positional());
    for arg in options {
        let short = arg.get_short().map(|s| format!("-{s}"));
        let long = arg.get_long().map(|l| format!("--{l}"));
        let names: Vec<String> = short.into_iter().chain(long).map(|n| fb(&n)).collect();
        let mut word = names.join("|");
        if arg.get_action().takes_values() {
            word = format!("{word}\\~{}", fi(&value_name(arg)));
        }
        let mut word = optional(arg, word);
        if matches!(arg.get_action(), ArgAction::Append) {
            word.push_str("...");
        }
        words.push(word);
    }
    for arg in operands {
        let mut word = fi(&value_name(arg));
        if arg.get_num_args().is_some_and(|n| n.max_values() > 1) {
            word.push_str("...");
        }
        words.push(optional(arg, word));
    }
    if page.has_subcommands() {
        words.push(fi(page.get_subcommand_value_name().unwrap_or("COMMAND")));
    }
    let line: Vec<String> = words.iter().map(|w| format!("\\%{w}")).collect();
    // Left-aligned (`.ad l`), as its words are long, then back to the page's.
    format!(".SH SYNOPSIS\n.ad l\n{}\n.ad\n", line.join(" "))
}

/// An argument that may be left out, in brackets.
fn optional(arg: &Arg, item: String) -> String {
    if arg.is_required_set() {
        item
    } else {
        format!("[{item}]")
    }
}

/// Text made safe for a roff text line: backslashes doubled, and hyphens
/// made minus signs, as in options, so that they can be searched and
/// copied.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}

/// The name of an argument's value, as `--help` shows it.
fn value_name(arg: &Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

/// EXIT STATUS, ENVIRONMENT and EXAMPLES. The first and the last are the
/// help's closing text (`after_help`: a paragraph on the exit status, then
/// `Examples:` and one indented command a line), each section left out
/// where a page has nothing for it.
fn closing_sections(page: &Command) -> Roff {
    let closing = page
        .get_after_help()
        .map(|text| text.to_string())
        .unwrap_or_default();
    let (exit, examples) = closing.split_once("Examples:\n").unwrap_or((&closing, ""));
    let mut roff = Roff::new();
    let exit = exit.split_whitespace().collect::<Vec<_>>().join(" ");
    if !exit.is_empty() {
        let exit = exit.strip_prefix("Exit status: ").unwrap_or(&exit);
        roff.control("SH", ["EXIT STATUS"]).text([roman(exit)]);
    }
    // followdrop's own page (the one with commands) lists them all.
    let name = page.get_name().trim_start_matches("followdrop-");
    let variables = ENVIRONMENT
        .iter()
        .filter(|(_, _, commands)| page.has_subcommands() || commands.contains(&name));
    for (i, (variable, meaning, _)) in variables.enumerate() {
        if i == 0 {
            roff.control("SH", ["ENVIRONMENT"]);
        }
        roff.control("TP", [])
            .text([bold(*variable)])
            .text([roman(*meaning)]);
    }
    let examples: Vec<&str> = examples
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if !examples.is_empty() {
        // One command a line, as written (no filling).
        roff.control("SH", ["EXAMPLES"])
            .control("RS", ["4"])
            .control("nf", []);
        for example in examples {
            roff.text([roman(example)]);
        }
        roff.control("fi", []).control("RE", []);
    }
    roff
}
