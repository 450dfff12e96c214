//! The command line: options (clap derive; their doc comments are the help
//! text) and [`run`], which wires input → grid → detect → report.

use crate::detect::{Scope, Settings, explain};
use crate::input::{ColumnOverrides, Format, HeaderError, OnError, ReadOptions, Thousands};
use crate::output;
use crate::report::show::{ShowFormat, ShowReport, Shown};
use crate::report::sparkline::Style as SparklineStyle;
use crate::report::{self, Filters, InputSummary, OutputFormat, Report};
use crate::sanitize::escaped;
use crate::simulate::{Kind as SimKind, Readout, Scenario, SimFormat, SimOptions};
use crate::state::State;
use crate::time::{self, TimeForm, TimeFormat, Zone};
use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal};

const AFTER_HELP: &str = "\
Exit status: 0 no event reported, 1 at least one event reported, 2 error.

Examples:
  followdrop scan snapshots.csv
  followdrop scan --format json daily/*.csv.gz > report.json
  followdrop scan --format ndjson --scope platform - < export.ndjson";

const TOP_HELP: &str = "\
Exit status of scan: 0 no event reported, 1 at least one event reported, 2 error
(show: the same for its one account; plot, simulate, completions and man: 0 done, 2 error).

Examples:
  followdrop scan snapshots.csv
  followdrop scan --format json daily/*.csv.gz > report.json
  followdrop scan --format ndjson --scope platform - < export.ndjson
  followdrop show kimkardashian snapshots.csv
  followdrop plot snapshots.csv --account kimkardashian -o picture.svg";

/// When followers vanish: was it the platform or the account, and will they come back?
#[derive(Debug, Parser)]
#[command(name = "followdrop", version, about, after_help = TOP_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print no warnings, progress or notices on stderr (errors still are).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour in the text of scan and show: auto colours only on a terminal, and not when NO_COLOR
    /// is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find every sudden loss of followers and say whether it was the platform or the account.
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
    /// Explain one account's drops: its snapshots around them, the cohort then, and why each was
    /// or was not reported.
    #[command(after_help = SHOW_HELP)]
    Show(ShowArgs),
    /// Draw the cohort's followers over time with the events marked, as an SVG picture.
    #[command(after_help = PLOT_HELP)]
    Plot(PlotArgs),
    /// Write realistic labelled snapshot data (and its truth) for demos, trials and benchmarks.
    #[command(after_help = SIMULATE_HELP)]
    Simulate(SimulateArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), of followdrop or of one of its commands.
    #[command(after_help = MAN_HELP)]
    Man {
        /// The command whose page to print [default: followdrop itself].
        command: Option<String>,
    },
}

const SHOW_HELP: &str = "\
Exit status: 0 no event reported for the account, 1 at least one, 2 error (an unknown account
among them: the error suggests close names).

Examples:
  followdrop show justinbieber fixtures/instagram-2019-02-13.csv
  followdrop show --min-drop 0.01 someinfluencer daily/*.csv.gz
  followdrop show --format json nytimes data/*.csv > nytimes.json";

/// Options of `followdrop show`: the account, then the same inputs and
/// detection options as `scan` (the judgement must be the same).
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The account to explain, exactly as it is named in the data.
    #[arg(value_name = "ACCOUNT")]
    pub account: String,
    /// Snapshot files (CSV, JSON, NDJSON, optionally .gz); `-` reads stdin. Several are one data set.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text, help_heading = "Output")]
    pub format: ShowFormat,
    /// How many of its unreported falls to show, the most abnormal first (its reported drops and
    /// its falls during platform events are always shown).
    #[arg(long, default_value_t = 3, value_name = "N", help_heading = "Output")]
    pub falls: usize,

    #[command(flatten)]
    pub detection: DetectionArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

const COMPLETIONS_HELP: &str = "\
Exit status: 0 the script was written, 2 error.

Examples:
  followdrop completions bash > ~/.local/share/bash-completion/completions/followdrop
  followdrop completions zsh > ~/.zfunc/_followdrop      # with fpath+=(~/.zfunc)
  followdrop completions fish > ~/.config/fish/completions/followdrop.fish
  followdrop completions powershell >> $PROFILE";

const MAN_HELP: &str = "\
Exit status: 0 the page was written, 2 error.

Examples:
  followdrop man > ~/.local/share/man/man1/followdrop.1 && man followdrop
  followdrop man scan > ~/.local/share/man/man1/followdrop-scan.1";

const SIMULATE_HELP: &str = "\
Exit status: 0 the data (and its truth) was written, 2 error.

Examples:
  followdrop simulate --scenario mixed --seed 7 | followdrop scan -
  followdrop simulate --accounts 500 --days 365 --interval 1d --truth truth.json -o data.csv.gz
  followdrop simulate --scenario quiet --inject platform_glitch@2024-01-20T14:00 -o demo.csv";

/// Options of `followdrop simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Number of accounts.
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub accounts: usize,
    /// Length of the data, in days (ignored with --end).
    #[arg(long, default_value_t = 30.0, value_name = "DAYS")]
    pub days: f64,
    /// First snapshot time (UTC unless it carries an offset).
    #[arg(long, value_parser = parse_utc_time, default_value = "2024-01-01", value_name = "TIME")]
    pub start: i64,
    /// Last snapshot time [default: --start plus --days].
    #[arg(long, value_parser = parse_utc_time, value_name = "TIME")]
    pub end: Option<i64>,
    /// Time between snapshots (1h, 6h, 1d, …).
    #[arg(long, value_parser = parse_duration, default_value = "1h", value_name = "DURATION")]
    pub interval: i64,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Which events to inject.
    #[arg(long, value_enum, default_value_t = Scenario::Mixed)]
    pub scenario: Scenario,
    /// Inject an event by hand: KIND@TIME or KIND@TIME@ACCOUNT (repeatable), e.g. platform_glitch@2024-01-20T14:00.
    #[arg(long, value_parser = parse_injection, value_name = "KIND@TIME[@ACCOUNT]")]
    pub inject: Vec<(SimKind, i64, Option<String>)>,
    /// Write follower counts rounded down to N significant figures, as YouTube shows subscribers (1,934 → 1,930; 1,576,312 → 1,570,000); counts below 10^N are written exactly. Applied after noise and events; the truth then lists only losses of at least one rounding step.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=19))]
    pub significant_figures: Option<u32>,
    /// Write this share of snapshots with the followers count missing (an empty cell, null in JSON) and a fifth as many with 0, as failed collections do; which ones follows from the seed. Not events: the truth is unchanged.
    #[arg(long, value_parser = parse_fraction, default_value_t = 0.0, value_name = "FRACTION")]
    pub hidden: f64,
    /// Suspend N accounts not involved in any event: from a random time in the second half their counts are 0 for good. Not events: the truth is unchanged.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub vanish: usize,
    /// Leave out the following column.
    #[arg(long)]
    pub no_following: bool,
    /// Output format [default: csv, or as the extension of -o FILE says].
    #[arg(long, value_enum)]
    pub format: Option<SimFormat>,
    /// Write the snapshots to FILE (gzip-compressed when it ends in .gz) instead of stdout.
    /// Without --format, FILE's extension gives the format: data.json writes JSON, .ndjson or
    /// .jsonl NDJSON (data.json.gz too), any other CSV.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,
    /// Write the injected events (the truth) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<String>,
}

fn parse_injection(s: &str) -> Result<(SimKind, i64, Option<String>), String> {
    let mut parts = s.splitn(3, '@');
    let kind = parts.next().unwrap_or_default();
    let kind = SimKind::from_str(&kind.replace('_', "-"), true).map_err(|_| {
        format!("unknown event kind {kind:?} (expected platform_glitch, platform_purge, account_purge, account_glitch or excess_purge)")
    })?;
    let when = parts
        .next()
        .ok_or_else(|| format!("expected KIND@TIME[@ACCOUNT], got {s:?}"))?;
    let when = time::parse_time(when, Zone::Utc).map_err(|e| format!("{when:?}: {e}"))?;
    Ok((kind, when, parts.next().map(str::to_string)))
}

/// Options of `followdrop scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Snapshot files (CSV, JSON, NDJSON, optionally .gz); `-` reads stdin. Several are one data set.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Report format [default: text, or as the extension of -o FILE says].
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<OutputFormat>,
    /// Write the report to FILE instead of stdout (replaced only when the scan succeeds). Without
    /// --format, FILE's extension gives the format: -o report.json writes JSON, .ndjson or .jsonl
    /// NDJSON, .csv CSV, .html (or .htm) a self-contained page, any other text.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<String>,
    /// Cron mode: report only events new or changed since the last run with this state FILE
    /// (created if missing; locked while in use; see docs/GUIDE.md, "Cron mode").
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub state: Option<String>,
    /// Sparklines of each listed account's followers around its event in the text report: auto
    /// draws Unicode blocks, or ASCII on a terminal whose locale is not UTF-8.
    #[arg(long, value_enum, default_value_t = SparklineStyle::Auto, value_name = "STYLE", help_heading = "Output")]
    pub sparkline: SparklineStyle,

    /// Fail (status 2) when the newest snapshot is older than DURATION: a collector that stopped
    /// writing is not a quiet week. For cron, say a little more than the collector's period
    /// (e.g. 2d for a daily scraper).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", help_heading = "Input")]
    pub max_age: Option<i64>,

    #[command(flatten)]
    pub detection: DetectionArgs,

    /// Report only events that start at or after TIME (all data is still used as history).
    #[arg(long, value_parser = parse_time_form, value_name = "TIME", help_heading = "Filters")]
    pub since: Option<TimeForm>,
    /// Report only events that start at or before TIME (a bare date includes that whole day).
    #[arg(long, value_parser = parse_time_form, value_name = "TIME", help_heading = "Filters")]
    pub until: Option<TimeForm>,
    /// Report only events of this account (repeatable; the cohort is still everyone).
    #[arg(long = "account", value_name = "NAME", help_heading = "Filters")]
    pub accounts: Vec<String>,
    /// Report only events of this scope (repeatable).
    #[arg(
        long = "scope",
        value_enum,
        value_name = "SCOPE",
        help_heading = "Filters"
    )]
    pub scopes: Vec<Scope>,

    #[command(flatten)]
    pub input: InputArgs,
}

/// The detection options, shared by every command that detects (`scan`,
/// `show`): the same names, defaults and help everywhere.
#[derive(Debug, Clone, Args)]
pub struct DetectionArgs {
    /// Time grid, e.g. 1h, 6h, 1d [default: the data's median spacing, rounded].
    #[arg(long, value_parser = parse_bucket, value_name = "DURATION", help_heading = "Detection")]
    pub bucket: Option<i64>,
    /// Smallest relative loss reported (0.005 = 0.5 %).
    #[arg(long, value_parser = parse_fraction, default_value_t = Settings::default().min_drop, value_name = "FRACTION", help_heading = "Detection")]
    pub min_drop: f64,
    /// Smallest number of followers lost reported.
    #[arg(long, default_value_t = Settings::default().min_lost, value_name = "N", help_heading = "Detection")]
    pub min_lost: u64,
    /// How abnormal a drop must be, in robust standard deviations of the account's usual movement.
    #[arg(long, value_parser = parse_positive, default_value_t = Settings::default().sensitivity, value_name = "Z", help_heading = "Detection")]
    pub sensitivity: f64,
    /// Floor on the estimated share of the observed cohort affected, for a platform-wide event.
    #[arg(long, value_parser = parse_fraction, default_value_t = Settings::default().min_breadth, value_name = "FRACTION", help_heading = "Detection")]
    pub min_breadth: f64,
    /// Fewest accounts observed around a drop for its scope to be judged.
    #[arg(long, default_value_t = Settings::default().min_cohort, value_name = "N", help_heading = "Detection")]
    pub min_cohort: usize,
    /// How long lost followers have to come back for a drop to count as reverted.
    #[arg(long, value_parser = parse_duration, default_value = "3d", value_name = "DURATION", help_heading = "Detection")]
    pub recovery_window: i64,
    /// Share of the lost followers that must come back.
    #[arg(long, value_parser = parse_fraction, default_value_t = Settings::default().recovery_share, value_name = "FRACTION", help_heading = "Detection")]
    pub recovery_share: f64,
}

impl DetectionArgs {
    /// The thresholds (everything but the grid).
    pub fn settings(&self) -> Settings {
        Settings {
            min_drop: self.min_drop,
            min_lost: self.min_lost,
            sensitivity: self.sensitivity,
            min_breadth: self.min_breadth,
            min_cohort: self.min_cohort,
            recovery_window: self.recovery_window,
            recovery_share: self.recovery_share,
        }
    }
}

/// How to read the inputs, shared by every command that reads snapshots.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input format [default: from the file name, else from the content].
    #[arg(long, value_enum, value_name = "FORMAT", help_heading = "Input")]
    pub input_format: Option<Format>,
    /// CSV delimiter [default: sniffed among , ; and tab].
    #[arg(long, value_parser = parse_delimiter, value_name = "CHAR", help_heading = "Input")]
    pub delimiter: Option<u8>,
    /// Column holding the snapshot time.
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub time_col: Option<String>,
    /// Column holding the account (without one, each file is one account named after the file).
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub account_col: Option<String>,
    /// Column holding the follower count (a dotted path into nested JSON, e.g. public_metrics.followers_count).
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub followers_col: Option<String>,
    /// Column holding the following count.
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub following_col: Option<String>,
    /// Split the cohort: accounts are judged against the others of their own cohort, named by
    /// this column (found by itself as `platform`, `network`, `site` or `source`), or by each
    /// input file with `file` (one export per platform). A platform's glitch is not diluted by
    /// the accounts of the others, and the same handle on two platforms is two accounts. `none`
    /// keeps one cohort (a `source` column that names the collector, not the platform).
    #[arg(long, value_name = "COLUMN|file|none", help_heading = "Input")]
    pub cohort_by: Option<String>,
    /// Column of display names shown beside the accounts (found by itself as display_name,
    /// channel_title, page_name, full_name, title or name, beside an account column).
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub label_col: Option<String>,
    /// Wide CSV: a time column, then one column of follower counts per account, named after it
    /// [default: when the header has a time column but no followers or account column].
    #[arg(long, help_heading = "Input")]
    pub wide: bool,
    /// Snapshots of reference accounts (repeatable): they join the cohort that judges
    /// platform-wide events but are never reported.
    #[arg(long = "reference", value_name = "INPUT", help_heading = "Input")]
    pub references: Vec<String>,
    /// What to do with an invalid record: fail (status 2, naming file, line and field) or skip it
    /// (counted in the warnings with the first few locations; for cron jobs fed by flaky scrapers).
    #[arg(long, value_enum, default_value_t = OnError::Fail, value_name = "POLICY", help_heading = "Input")]
    pub on_error: OnError,
    /// The most snapshots to read: more is an error (status 2) rather than a run out of memory.
    /// By default as many as fit in four fifths of the memory available, at about 40 bytes each.
    #[arg(long, value_name = "N", help_heading = "Input")]
    pub max_rows: Option<u64>,
    /// Time zone of times written without an offset (UTC, +02:00, Europe/Paris).
    #[arg(long, value_parser = Zone::parse, default_value = "UTC", value_name = "ZONE", help_heading = "Input")]
    pub tz: Zone,
    /// How the time column is written, when not in a form read by default: a strftime pattern
    /// such as '%d/%m/%Y %H:%M' (day-first and month-first dates are never guessed), or `excel`
    /// for Excel serial dates (45292.25 = 2024-01-01 06:00).
    #[arg(long, value_parser = TimeFormat::parse, value_name = "FORMAT", help_heading = "Input")]
    pub time_format: Option<TimeFormat>,
    /// The character that groups thousands in counts: `,` (1,234; read by default too), `.`
    /// (1.234, whose decimal mark is then `,`) or `space` (1 234). 17.7K, 1.2M and 3B are read
    /// whatever it is.
    #[arg(long, value_enum, default_value_t = Thousands::Comma, value_name = "CHAR", help_heading = "Input")]
    pub thousands: Thousands,
    /// Where the records of a JSON document are, as a dotted path (`data`, `response.items`):
    /// found by itself when there is one array of objects, or one under data, items, users,
    /// profiles, results or records.
    #[arg(long, value_name = "PATH", help_heading = "Input")]
    pub records: Option<String>,
    /// Take the snapshot time of each JSON file from a date in its name (2026-01-17T06:00Z.json,
    /// 20260117.json), for API responses saved without one.
    #[arg(long, help_heading = "Input")]
    pub time_from_name: bool,
    /// The sheet of an Excel workbook (.xlsx) to read; by default the first whose header names a
    /// time and the followers.
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub sheet: Option<String>,
    /// The table (or view) of a SQLite database to read; by default the only one whose columns
    /// name a time and the followers.
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub table: Option<String>,
}

impl InputArgs {
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            format: self.input_format,
            delimiter: self.delimiter,
            columns: ColumnOverrides {
                time: self.time_col.clone(),
                account: self.account_col.clone(),
                followers: self.followers_col.clone(),
                following: self.following_col.clone(),
                cohort: self
                    .cohort_by
                    .clone()
                    .filter(|c| c != "file" && c != "none"),
                whole_cohort: self.cohort_by.as_deref() == Some("none"),
                label: self.label_col.clone(),
            },
            zone: self.tz,
            time_format: self.time_format.clone(),
            thousands: self.thousands,
            records: self.records.clone(),
            time_from_name: self.time_from_name,
            cohort_by_file: self.cohort_by.as_deref() == Some("file"),
            sheet: self.sheet.clone(),
            table: self.table.clone(),
            on_error: self.on_error,
            wide: self.wide,
            references: self.references.clone(),
            max_rows: self.max_rows.or_else(crate::input::default_max_rows),
            progress: true,
        }
    }
}

const PLOT_HELP: &str = "\
Exit status: 0 the picture was written, 2 error.

Examples:
  followdrop plot snapshots.csv -o cohort.svg
  followdrop plot daily/*.csv.gz --account kimkardashian --account selenagomez -o kim.svg
  followdrop simulate --scenario mixed | followdrop plot - > mixed.svg";

/// Options of `followdrop plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Snapshot files (CSV, JSON, NDJSON, optionally .gz); `-` reads stdin. Several are one data set.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Write the SVG to FILE instead of stdout (replaced only when the plot succeeds).
    #[arg(short, long, value_name = "FILE", help_heading = "Picture")]
    pub output: Option<String>,
    /// Draw this account's own curve beside the cohort's (repeatable).
    #[arg(long = "account", value_name = "NAME", help_heading = "Picture")]
    pub accounts: Vec<String>,
    /// Draw from TIME on [default: the first snapshot] (all data is still used for detection).
    #[arg(long, value_parser = parse_time_form, value_name = "TIME", help_heading = "Picture")]
    pub since: Option<TimeForm>,
    /// Draw up to TIME [default: the last snapshot] (a bare date includes that whole day).
    #[arg(long, value_parser = parse_time_form, value_name = "TIME", help_heading = "Picture")]
    pub until: Option<TimeForm>,

    #[command(flatten)]
    pub detection: DetectionArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

/// When to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

fn parse_duration(s: &str) -> Result<i64, String> {
    time::parse_duration(s)
}

fn parse_bucket(s: &str) -> Result<i64, String> {
    match time::parse_duration(s)? {
        b if b > crate::grid::MAX_BUCKET => Err(format!("a grid of {s} is longer than a year")),
        b => Ok(b),
    }
}

/// Checks the form of a `--since`/`--until` time; the `--tz` zone is applied
/// once all options are known.
fn parse_time_form(s: &str) -> Result<TimeForm, String> {
    TimeForm::parse(s).map_err(|e| e.to_string())
}

fn parse_utc_time(s: &str) -> Result<i64, String> {
    time::parse_time(s, Zone::Utc).map_err(|e| e.to_string())
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "expected a fraction between 0 and 1 (e.g. 0.3), got {s:?}"
        )),
    }
}

fn parse_positive(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("expected a positive number, got {s:?}")),
    }
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("expected one ASCII character (or \\t), got {s:?}")),
    }
}

/// What a finished run found, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No event reported (exit 0).
    Quiet,
    /// At least one event reported (exit 1).
    Events,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Scan(args) => scan(args, cli.quiet, cli.color),
        Command::Show(args) => show(args, cli.quiet, cli.color),
        Command::Plot(args) => plot(args, cli.quiet).map(|()| Exit::Quiet),
        Command::Simulate(args) => simulate(args).map(|()| Exit::Quiet),
        Command::Completions { shell } => completions(shell).map(|()| Exit::Quiet),
        Command::Man { command } => man(command.as_deref()).map(|()| Exit::Quiet),
    }
}

/// Writes the completion script of `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cli = <Cli as clap::CommandFactory>::command();
    output::write_to(None, false, |out| {
        clap_complete::generate(shell, &mut cli, "followdrop", out);
        Ok(())
    })?;
    Ok(())
}

/// Writes the manual page of followdrop, or of its subcommand `name`
/// (`followdrop-scan(1)`), to stdout.
fn man(name: Option<&str>) -> Result<()> {
    // `followdrop help` has no page of its own: left out of COMMANDS.
    let mut cli = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cli.build();
    let page = match name {
        None => cli,
        Some(name) => {
            let Some(sub) = cli.find_subcommand(name) else {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                anyhow::bail!("no command {name:?} (commands: {})", names.join(", "));
            };
            let full = format!("followdrop-{name}");
            // The version too: the page's title and VERSION show it.
            let version = cli.get_version().unwrap_or_default().to_string();
            sub.clone()
                .name(full.clone())
                .bin_name(full)
                .version(version)
        }
    };
    output::write_to(None, false, |out| crate::manpage::write(&page, out))?;
    Ok(())
}

fn simulate(args: SimulateArgs) -> Result<()> {
    let start = args.start;
    let end = match args.end {
        Some(end) => end,
        None => start + (args.days * 86_400.0).round() as i64,
    };
    anyhow::ensure!(end > start, "--end must be after --start");
    anyhow::ensure!(
        time::parse_time(&time::format_rfc3339(end), Zone::Utc) == Ok(end),
        "--days or --end reaches past the year 9999"
    );
    anyhow::ensure!(
        (end - start) / args.interval <= 1_000_000,
        "more than a million snapshots per account: use a longer --interval"
    );
    let opts = SimOptions {
        accounts: args.accounts,
        start,
        end,
        interval: args.interval,
        seed: args.seed,
        scenario: args.scenario,
        inject: args.inject.clone(),
        following: !args.no_following,
        format: args.format.unwrap_or_else(|| {
            args.output
                .as_deref()
                .map_or(SimFormat::Csv, SimFormat::from_name)
        }),
        readout: Readout {
            significant_figures: args.significant_figures,
            hidden: args.hidden,
            vanish: args.vanish,
        },
    };
    let written = [
        ("-o", args.output.as_deref()),
        ("--truth", args.truth.as_deref()),
    ];
    output::refuse_overwrites(&written, &[])?;
    let gzip = args.output.as_deref().is_some_and(|o| o.ends_with(".gz"));
    let simulated = output::write_to(args.output.as_deref(), gzip, |out| {
        crate::simulate::write(&opts, out)
    })?;
    // With stdout closed early (`| head`) there is no whole data set to describe.
    if let (Some(path), Some(simulated)) = (&args.truth, simulated) {
        let truth = simulated.truth();
        output::write_to(Some(path), false, |out| {
            serde_json::to_writer_pretty(&mut *out, &truth)?;
            writeln!(out)
        })?;
    }
    Ok(())
}

fn scan(args: ScanArgs, quiet: bool, color: ColorChoice) -> Result<Exit> {
    let (since, until) = time_range(args.since, args.until, args.input.tz)?;
    let settings = args.detection.settings();
    let inputs = read_files(&args.inputs, &args.input);
    let written = [
        ("-o", args.output.as_deref()),
        ("--state", args.state.as_deref()),
    ];
    output::refuse_overwrites(&written, &inputs)?;
    anyhow::ensure!(
        args.state.as_deref() != Some("-"),
        "--state -: the state must be a file (it is read, locked and replaced), not stdout"
    );
    if args.state.is_some() && args.output.is_none() {
        output::refuse_closed_stdout()?;
    }
    // Opened (and locked) first: a damaged state file fails before the
    // scan, and an overlapping run waits its turn.
    let mut state = args
        .state
        .as_deref()
        .map(|path| State::open(path, quiet))
        .transpose()?;
    let reading = (!quiet)
        .then(|| crate::notice::fifo_inputs(&inputs, state.as_ref().map(State::lock_name)))
        .flatten();
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(OutputFormat::from_name))
        .unwrap_or(OutputFormat::Text);
    if format == OutputFormat::Html && args.output.is_none() && io::stdout().is_terminal() {
        anyhow::bail!(
            "not writing an HTML page to a terminal: give -o FILE.html or redirect stdout (> report.html)"
        );
    }
    // The page's drill-downs are `show`'s explanations, made while each
    // cohort's detection is at hand.
    let analyze = if format == OutputFormat::Html {
        crate::analyze_explained
    } else {
        crate::analyze
    };
    let mut analysis = read_inputs(
        "scan",
        &args.input,
        quiet,
        |opts| analyze(&args.inputs, opts, &settings, args.detection.bucket),
        |a: &crate::Analysis| &a.dataset,
    )?;
    drop(reading);
    let filters = Filters {
        since,
        until,
        accounts: args.accounts.clone(),
        scopes: args.scopes.clone(),
        ..Filters::without_references(&analysis.dataset)
    };
    if let Some(max_age) = args.max_age {
        fresh_enough(analysis.dataset.last, max_age, now())?;
    }
    let mut events = filters.apply_all(std::mem::take(&mut analysis.events));
    if let Some(state) = &mut state {
        state.forget_before(analysis.dataset.first);
        events = state.select(events);
    }
    let mut report = Report {
        state: args.state.clone(),
        ..Report::new(&analysis.dataset, analysis.bucket, settings, events)
    };
    if format == OutputFormat::Html {
        report.page = Some(report::html::Page::new(
            &analysis,
            &report.events,
            &report.settings,
        ));
    }
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    if format == OutputFormat::Text
        && let Some(charset) = args
            .sparkline
            .charset(to_terminal, |v| std::env::var(v).ok())
    {
        report.add_sparklines(&analysis.grid, &analysis.dataset.names, charset);
    }
    let verdict = if report.events.is_empty() {
        Exit::Quiet
    } else {
        Exit::Events
    };
    let color = wants_color(color, args.output.as_deref());
    let delivered = report::emit(&report, format, color, args.output.as_deref())?;
    // Remembered only once reported: a report lost to a closed pipe or a
    // failed write is reported again by the next run.
    if let (Some(state), true) = (state, delivered) {
        state.save()?;
    }
    Ok(verdict)
}

/// The time now, in seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Fails when the newest snapshot (`newest`) is more than `max_age` seconds
/// before `now` (`--max-age`): a dead collector must not look like a quiet
/// week to a cron job.
fn fresh_enough(newest: i64, max_age: i64, now: i64) -> Result<()> {
    let age = now - newest;
    if age > max_age {
        anyhow::bail!(
            "no snapshot since {} ({} ago, more than --max-age {}): is the collector still writing?",
            time::format_with(newest, "%Y-%m-%dT%H:%M:%SZ"),
            roughly(age),
            time::format_duration(max_age)
        );
    }
    Ok(())
}

/// A long duration in the largest whole unit: `89 days`, `5 hours`.
fn roughly(secs: i64) -> String {
    let (n, unit) = match secs {
        s if s >= 2 * time::DAY => (s / time::DAY, "days"),
        s if s >= 2 * 3600 => (s / 3600, "hours"),
        s => (s / 60, "minutes"),
    };
    format!("{n} {unit}")
}

fn show(args: ShowArgs, quiet: bool, color: ColorChoice) -> Result<Exit> {
    let settings = args.detection.settings();
    let loaded = read_inputs(
        "show",
        &args.input,
        quiet,
        |opts| crate::load(&args.inputs, opts, args.detection.bucket),
        |l: &crate::Loaded| &l.dataset,
    )?;
    let Some(i) = loaded.dataset.account(&args.account) else {
        let close = loaded.dataset.close_names(&args.account);
        let hint = match close.as_slice() {
            [] => String::new(),
            [one] => format!("; did you mean {one:?}?"),
            many => format!(
                "; did you mean one of {}?",
                many.iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        anyhow::bail!(
            "no account named {:?} in the data ({} accounts){hint}",
            args.account,
            loaded.dataset.names.len()
        );
    };
    let cohort = loaded.dataset.cohorts.of.get(i).copied();
    let (loaded, i) = loaded.cohort_of(i);
    let names = crate::report::event::Names {
        accounts: &loaded.dataset.names,
        cohorts: &loaded.dataset.cohorts.names,
        labels: &loaded.dataset.labels,
    };
    let mut detection = crate::detect::run(&loaded.grid, &settings);
    detection
        .findings
        .iter_mut()
        .for_each(|f| f.cohort = cohort);
    let explanation = explain::explain(&detection, &loaded.grid, &settings, i, args.falls);
    let shown = Shown::new(&explanation, &loaded.grid, names, &detection.findings);
    let all = crate::report::event::events(&detection.findings, &loaded.grid, names);
    let events = Filters::without_references(&loaded.dataset).apply_all(all);
    let report = ShowReport::new(
        InputSummary::new(&loaded.dataset, loaded.bucket),
        &settings,
        shown,
        i >= loaded.dataset.first_reference,
        &events,
    );
    let verdict = if report.has_events() {
        Exit::Events
    } else {
        Exit::Quiet
    };
    let color = wants_color(color, None);
    output::write_to(None, false, |out| {
        report::show::write(&report, args.format, color, out)
    })?;
    Ok(verdict)
}

fn plot(args: PlotArgs, quiet: bool) -> Result<()> {
    if args.output.is_none() && io::stdout().is_terminal() {
        anyhow::bail!(
            "not writing an SVG picture to a terminal: give -o FILE.svg or redirect stdout (> plot.svg)"
        );
    }
    let (since, until) = time_range(args.since, args.until, args.input.tz)?;
    output::refuse_overwrites(
        &[("-o", args.output.as_deref())],
        &read_files(&args.inputs, &args.input),
    )?;
    let settings = args.detection.settings();
    let analysis = read_inputs(
        "plot",
        &args.input,
        quiet,
        |opts| crate::analyze(&args.inputs, opts, &settings, args.detection.bucket),
        |a: &crate::Analysis| &a.dataset,
    )?;
    let events = Filters::without_references(&analysis.dataset).apply_all(analysis.events.clone());
    let view = crate::plot::View {
        since,
        until,
        accounts: args.accounts.clone(),
        min_cohort: settings.min_cohort,
        max_points: crate::plot::MAX_POINTS,
    };
    let picture = crate::plot::Picture::new(&analysis, &events, &view)?;
    let svg = crate::plot::svg(&picture, crate::plot::Layout::FILE)?;
    output::write_to(args.output.as_deref(), false, |out| {
        out.write_all(svg.as_bytes())
    })?;
    Ok(())
}

/// Reads a command's inputs with `read` (`analyze` or `load`) as its flags
/// say: a progress bar and the status line of the steps after it (cleared
/// before the warnings and the output) unless `--quiet`, a `--*-col` naming no column
/// reported as a usage error of `command`, and the data set's warnings on
/// stderr unless `--quiet`.
fn read_inputs<T>(
    command: &str,
    input: &InputArgs,
    quiet: bool,
    read: impl FnOnce(&ReadOptions) -> Result<T>,
    dataset: impl Fn(&T) -> &crate::dataset::Dataset,
) -> Result<T> {
    let opts = ReadOptions {
        progress: !quiet,
        ..input.read_options()
    };
    if !quiet {
        crate::progress::show_status();
    }
    let value = read(&opts).map_err(|e| named_column_usage_error(e, command))?;
    if !quiet {
        // Lines of their own, not written over the status line.
        crate::progress::clear_status();
        warn(dataset(&value));
    }
    Ok(value)
}

/// Every file a command reads: its inputs and `--reference` inputs.
fn read_files(inputs: &[String], input: &InputArgs) -> Vec<String> {
    inputs.iter().chain(&input.references).cloned().collect()
}

/// `--since` and `--until` as instants, times without an offset read in
/// `tz` (a bare `--until` date takes in that whole day).
fn time_range(
    since: Option<TimeForm>,
    until: Option<TimeForm>,
    tz: Zone,
) -> Result<(Option<i64>, Option<i64>)> {
    let since = since
        .map(|t| in_zone("--since", t, t.resolve(tz)))
        .transpose()?;
    let until = until
        .map(|t| in_zone("--until", t, t.resolve_end(tz)))
        .transpose()?;
    Ok((since, until))
}

/// The data set's warnings, on stderr.
fn warn(dataset: &crate::dataset::Dataset) {
    for w in &dataset.warnings {
        eprintln!("followdrop: warning: {}", escaped(&w.message));
    }
}

/// Whether to colour text written to `output` (stdout when `None`).
fn wants_color(choice: ColorChoice, output: Option<&str>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => output.is_none() && report::stdout_wants_color(),
    }
}

/// An input without the column a `--*-col` option names: a usage error,
/// reported as clap reports a bad option value (exit status 2, `--help`
/// hint), though it is only found once the input's header is read.
fn named_column_usage_error(e: anyhow::Error, command: &str) -> anyhow::Error {
    let Some(header) = e
        .chain()
        .find_map(|c| c.downcast_ref::<HeaderError>())
        .filter(|h| h.is_usage())
    else {
        return e;
    };
    let mut cli = <Cli as clap::CommandFactory>::command();
    cli.build();
    let Some(sub) = cli.find_subcommand_mut(command) else {
        return e;
    };
    let message = escaped(&header.to_string()).into_owned();
    clap::Error::raw(clap::error::ErrorKind::ValueValidation, message)
        .format(sub)
        .into()
}

/// A filter time placed in the `--tz` zone; only a local time skipped by a
/// daylight-saving change can fail here, the form was checked by clap.
fn in_zone(flag: &str, t: TimeForm, resolved: Result<i64, time::TimeError>) -> Result<i64> {
    resolved.map_err(|e| anyhow::anyhow!("{flag} {t}: {e}"))
}
