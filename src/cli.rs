//! The command line: options (clap derive; their doc comments are the help
//! text) and [`run`], which wires input → grid → detect → report.

use crate::dataset::Dataset;
use crate::detect::{self, Scope, Settings};
use crate::grid;
use crate::input::{self, ColumnOverrides, Format, ReadOptions};
use crate::report::{self, Filters, OutputFormat, Report};
use crate::time::{self, Zone};
use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status: 0 no event reported, 1 at least one event reported, 2 error.

Examples:
  followdrop scan snapshots.csv
  followdrop scan --format json daily/*.csv.gz > report.json
  followdrop scan --format ndjson --scope platform - < export.ndjson";

/// When followers vanish: was it the platform or the account, and will they come back?
#[derive(Debug, Parser)]
#[command(name = "followdrop", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find every sudden loss of followers and say whether it was the platform or the account.
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
}

/// Options of `followdrop scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Snapshot files (CSV, JSON, NDJSON, optionally .gz); `-` reads stdin. Several are one data set.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, help_heading = "Output")]
    pub format: OutputFormat,
    /// Write the report to FILE instead of stdout (replaced only when the scan succeeds).
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<String>,
    /// Colour in the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorChoice,

    /// Time grid, e.g. 1h, 6h, 1d [default: the data's median spacing, rounded].
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", help_heading = "Detection")]
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
    /// Share of the observed cohort that must fall together for a platform-wide event.
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

    /// Report only events that start at or after TIME (all data is still used as history).
    #[arg(long, value_name = "TIME", help_heading = "Filters")]
    pub since: Option<String>,
    /// Report only events that start at or before TIME.
    #[arg(long, value_name = "TIME", help_heading = "Filters")]
    pub until: Option<String>,
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
    /// Time zone of times written without an offset (UTC, +02:00, Europe/Paris).
    #[arg(long, value_parser = Zone::parse, default_value = "UTC", value_name = "ZONE", help_heading = "Input")]
    pub tz: Zone,
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
pub enum Verdict {
    /// No event reported (exit 0).
    Quiet,
    /// At least one event reported (exit 1).
    Events,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Verdict> {
    match cli.command {
        Command::Scan(args) => scan(args),
    }
}

fn scan(args: ScanArgs) -> Result<Verdict> {
    let filters = Filters {
        since: args
            .since
            .as_deref()
            .map(|s| parse_filter_time("--since", s, args.tz))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| parse_filter_time("--until", s, args.tz))
            .transpose()?,
        accounts: args.accounts.clone(),
        scopes: args.scopes.clone(),
    };
    let settings = Settings {
        min_drop: args.min_drop,
        min_lost: args.min_lost,
        sensitivity: args.sensitivity,
        min_breadth: args.min_breadth,
        min_cohort: args.min_cohort,
        recovery_window: args.recovery_window,
        recovery_share: args.recovery_share,
    };
    let opts = ReadOptions {
        format: args.input_format,
        delimiter: args.delimiter,
        columns: ColumnOverrides {
            time: args.time_col.clone(),
            account: args.account_col.clone(),
            followers: args.followers_col.clone(),
            following: args.following_col.clone(),
        },
        zone: args.tz,
    };
    let (names, rows, files) = input::read_all(&args.inputs, &opts)?.finish();
    let dataset = Dataset::build(names, rows, files);
    for w in &dataset.warnings {
        eprintln!("followdrop: warning: {}", w.message);
    }
    let bucket = args.bucket.unwrap_or_else(|| grid::auto_bucket(&dataset));
    let grid = grid::build(&dataset, bucket);
    let events = detect::detect(&grid, &dataset.names, &settings);
    let report = Report::new(&dataset, bucket, settings, events, &filters);
    let verdict = if report.events.is_empty() {
        Verdict::Quiet
    } else {
        Verdict::Events
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => args.output.is_none() && report::stdout_wants_color(),
    };
    report::emit(&report, args.format, color, args.output.as_deref())?;
    Ok(verdict)
}

fn parse_filter_time(flag: &str, s: &str, zone: Zone) -> Result<i64> {
    time::parse_time(s, zone).map_err(|e| anyhow::anyhow!("{flag} {s:?}: {e}"))
}
