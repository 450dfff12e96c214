//! The report: one [`Report`] value built once from the data set and the
//! events, then written as text, JSON, NDJSON or CSV (SPEC: Output).
//!
//! Where the bytes go (stdout or an atomically replaced file) is
//! [`crate::output`]'s business.

mod csv;
pub mod event;
pub mod html;
pub mod show;
pub mod sparkline;
mod text;

pub use text::thousands;

use crate::dataset::{Dataset, Warning};
use crate::detect::{Scope, Settings};
use crate::grid::Grid;
use crate::time::Timestamp;
use anyhow::Result;
use event::{Affected, Event};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};

/// Version of the JSON schema of `scan` and `show` (SPEC: fields never
/// change meaning within it).
const SCHEMA_VERSION: u32 = 1;

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// For people, 80 columns wide.
    Text,
    /// One JSON document.
    Json,
    /// One event object a line.
    Ndjson,
    /// One row per (event, affected account).
    Csv,
    /// One self-contained page, with pictures, for people.
    Html,
}

impl OutputFormat {
    /// The format a report file's name asks for, for `-o` without
    /// `--format`: `.json`, `.ndjson` or `.jsonl`, `.csv`, `.html` or
    /// `.htm`; `None` (text)
    /// for any other name. A `report.json` holding a text report would
    /// surprise whoever opens it.
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        let ext = std::path::Path::new(name).extension()?.to_str()?;
        match ext.to_ascii_lowercase().as_str() {
            "json" => Some(OutputFormat::Json),
            "ndjson" | "jsonl" => Some(OutputFormat::Ndjson),
            "csv" => Some(OutputFormat::Csv),
            "html" | "htm" => Some(OutputFormat::Html),
            _ => None,
        }
    }
}

/// Which events to report (`--since`, `--until`, `--account`, `--scope`).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub accounts: Vec<String>,
    pub scopes: Vec<Scope>,
    /// Accounts never reported: those only in `--reference` inputs.
    pub references: HashSet<String>,
}

impl Filters {
    /// No filter but the one every command reporting events applies: the
    /// accounts of `ds` that come only from `--reference` inputs left out
    /// (they judge others, and are never reported as hit). `scan` adds its
    /// options to these; `show` and `plot` use them as they are, so that
    /// they list events as `scan` does.
    pub fn without_references(ds: &Dataset) -> Filters {
        Filters {
            references: ds.names[ds.first_reference..].iter().cloned().collect(),
            ..Filters::default()
        }
    }

    /// The events that pass the filters (see [`Filters::apply`]).
    pub fn apply_all(&self, events: Vec<Event>) -> Vec<Event> {
        events.into_iter().filter_map(|e| self.apply(e)).collect()
    }

    /// Applies the filters to one event. With `--account`, an event is kept
    /// when one of the named accounts is among its affected, and its account
    /// list is cut to those; reference accounts are cut from every list, and
    /// an event left with none is dropped. Its totals still describe the
    /// whole event.
    fn apply(&self, mut event: Event) -> Option<Event> {
        let start = event.start.0;
        if self.since.is_some_and(|t| start < t) || self.until.is_some_and(|t| start > t) {
            return None;
        }
        if !self.scopes.is_empty() && !self.scopes.contains(&event.class.scope) {
            return None;
        }
        if !self.accounts.is_empty() || !self.references.is_empty() {
            event.accounts.retain(|a| {
                (self.accounts.is_empty() || self.accounts.contains(&a.account))
                    && !self.references.contains(&a.account)
            });
            if event.accounts.is_empty() {
                return None;
            }
        }
        Some(event)
    }
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    /// This program's name and version.
    pub fn ours() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct InputSummary {
    pub files: Vec<String>,
    pub rows: usize,
    pub accounts: usize,
    pub first: Timestamp,
    pub last: Timestamp,
    pub bucket_seconds: i64,
    /// Accounts only in `--reference` inputs (in `accounts`, never in
    /// events); the field is left out when there are none.
    #[serde(skip_serializing_if = "is_zero")]
    pub reference_accounts: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub events: usize,
    pub platform_events: usize,
    pub account_events: usize,
    pub unknown_scope_events: usize,
    pub followers_lost: u64,
}

impl InputSummary {
    /// What was read: files (stdin as `<stdin>`), snapshots, accounts, span
    /// and grid.
    pub fn new(ds: &Dataset, bucket: i64) -> InputSummary {
        InputSummary {
            files: ds
                .files
                .iter()
                .map(|f| {
                    if f == "-" {
                        "<stdin>".to_string()
                    } else {
                        f.clone()
                    }
                })
                .collect(),
            rows: ds.rows,
            accounts: ds.names.len(),
            first: Timestamp(ds.first),
            last: Timestamp(ds.last),
            bucket_seconds: bucket,
            reference_accounts: ds.names.len() - ds.first_reference,
        }
    }
}

/// Everything a report says (SPEC: Output, `json`).
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub input: InputSummary,
    pub settings: Settings,
    pub summary: Summary,
    pub events: Vec<Event>,
    pub warnings: Vec<Warning>,
    /// Sparklines for the text report only (never serialized): empty, or
    /// one per event, see [`Report::add_sparklines`].
    #[serde(skip)]
    pub sparklines: Vec<EventSparklines>,
    /// The `--state` file in cron mode (then `events` are only the new or
    /// changed ones); for the text report's wording, not in the JSON.
    #[serde(skip)]
    pub state: Option<String>,
    /// The HTML report's pictures and drill-downs (never serialized):
    /// see [`html::Page::new`].
    #[serde(skip)]
    pub page: Option<html::Page>,
}

/// The sparklines of one event: the window they share and a line for each
/// account the text report lists (in the event's order; `None` for an
/// account with no snapshot in the window).
#[derive(Debug, Clone)]
pub struct EventSparklines {
    pub window: sparkline::Window,
    pub lines: Vec<Option<String>>,
}

impl Report {
    /// The report of `events`, already filtered ([`Filters::apply_all`]) and,
    /// in cron mode, cut to what is new ([`crate::state::State::select`]).
    pub fn new(ds: &Dataset, bucket: i64, settings: Settings, events: Vec<Event>) -> Report {
        let mut summary = Summary {
            events: events.len(),
            ..Summary::default()
        };
        for e in &events {
            match e.class.scope {
                Scope::Platform => summary.platform_events += 1,
                Scope::Account => summary.account_events += 1,
                Scope::Unknown => summary.unknown_scope_events += 1,
            }
            summary.followers_lost += e.accounts.iter().map(|a| a.lost).sum::<u64>();
        }
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::ours(),
            input: InputSummary::new(ds, bucket),
            settings,
            summary,
            events,
            warnings: ds.warnings.clone(),
            sparklines: Vec::new(),
            state: None,
            page: None,
        }
    }

    /// Draws the sparklines of the accounts the text report lists (the
    /// first few of each event) from their snapshots on the grid; `names`
    /// are the data set's account names, indexed as the grid's tracks.
    pub fn add_sparklines(&mut self, grid: &Grid, names: &[String], charset: sparkline::Charset) {
        fn listed(e: &Event) -> impl Iterator<Item = &Affected> {
            e.accounts.iter().take(text::MAX_ROWS)
        }
        let wanted: FxHashMap<&str, usize> = self
            .events
            .iter()
            .flat_map(listed)
            .map(|a| (a.account.as_str(), usize::MAX))
            .collect();
        let mut ids = wanted;
        for (i, name) in names.iter().enumerate() {
            if let Some(id) = ids.get_mut(name.as_str()) {
                *id = i;
            }
        }
        self.sparklines = self
            .events
            .iter()
            .map(|e| {
                let window = sparkline::Window::around(
                    e,
                    grid.bucket,
                    self.settings.recovery_window,
                    self.input.first.0,
                    self.input.last.0,
                );
                let lines = listed(e)
                    .map(|a| {
                        let track = grid.tracks.get(*ids.get(a.account.as_str())?)?;
                        Some(sparkline::draw(&window.lows(track), charset))
                    })
                    .collect();
                EventSparklines { window, lines }
            })
            .collect();
    }
}

/// Whether colour is wanted on stdout: a terminal, `NO_COLOR` unset, and a
/// terminal that is not `dumb`.
pub fn stdout_wants_color() -> bool {
    io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Writes the report in `format` to stdout or, atomically, to `output`.
/// Returns whether it was all written: `false` when stdout was closed by
/// its reader first.
pub fn emit(
    report: &Report,
    format: OutputFormat,
    color: bool,
    output: Option<&str>,
) -> Result<bool> {
    crate::output::write_to(output, false, |out| render(report, format, color, out))
        .map(|written| written.is_some())
}

/// Writes the report in `format` to any writer.
pub fn render(
    report: &Report,
    format: OutputFormat,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Text => text::write(report, color, out),
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        OutputFormat::Ndjson => {
            for event in &report.events {
                serde_json::to_writer(&mut *out, event)?;
                writeln!(out)?;
            }
            Ok(())
        }
        OutputFormat::Csv => csv::write(report, out),
        OutputFormat::Html => html::write(report, out),
    }
}
