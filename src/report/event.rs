//! The events of the report (SPEC: Output, `events`): detection's plain
//! findings written in the schema's terms — names for account indices,
//! counts and times for snapshot spans, ids, rounded numbers, accounts in
//! the order people read them.

use crate::detect::{Class, Finding, Member, Scope};
use crate::grid::Grid;
use crate::input::Labels;
use crate::stats::{median, round};
use crate::time::{Timestamp, format_compact};
use serde::Serialize;

/// One account's part in an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Affected {
    pub account: String,
    /// A name for people read beside the account's (a channel's title
    /// beside its id); absent when none was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub before: u64,
    pub after: u64,
    pub lost: u64,
    pub relative_loss: f64,
    pub recovered_at: Option<Timestamp>,
    /// Hit far harder than the rest of a platform event's accounts.
    pub excess: bool,
    pub following_before: Option<u64>,
    pub following_after: Option<u64>,
    /// Not observed during the event: its loss is seen across this
    /// collection gap (its last snapshot before and first after).
    pub across_gap: Option<Gap>,
    /// The step between two of its counts as shown (a rounded count: 10
    /// for YouTube's 1,930); null when its counts are exact.
    pub count_step: Option<u64>,
}

impl Affected {
    /// The account as people read it: its name, and its display name
    /// beside it when one was read (`UCo2fY… (Daddy Famtech)`).
    pub fn shown_name(&self) -> String {
        match &self.display_name {
            Some(label) => format!("{} ({label})", self.account),
            None => self.account.clone(),
        }
    }
}

/// A collection gap of one account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// A sudden loss of followers, classified (SPEC: Output, `events`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: String,
    #[serde(flatten)]
    pub class: Class,
    pub start: Timestamp,
    pub end: Timestamp,
    pub recovered_at: Option<Timestamp>,
    pub cohort_size: u32,
    pub accounts_affected: usize,
    pub breadth: f64,
    pub followers_lost: u64,
    pub median_relative_loss: f64,
    pub score: f64,
    pub following_breadth: Option<f64>,
    /// Typical relative change of the other observed accounts across the
    /// same window (null when none was observed).
    pub cohort_change: Option<f64>,
    /// The cohort the event was judged in, when the cohort is split (by a
    /// platform column or `--cohort-by`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    pub accounts: Vec<Affected>,
    /// With `scan --state`: the kind the event was last reported as, when
    /// it has changed since (an `account_drop` now known to be an
    /// `account_purge`). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_kind: Option<String>,
}

/// What findings' indices name: the accounts (indexed as the grid's
/// tracks) and the cohorts (empty when the cohort is whole).
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub accounts: &'a [String],
    pub cohorts: &'a [String],
    pub labels: &'a Labels,
}

impl Names<'_> {
    fn cohort(&self, f: &Finding) -> Option<&str> {
        self.cohorts.get(f.cohort? as usize).map(String::as_str)
    }
}

/// The events of `findings`, sorted by start, then id.
pub fn events(findings: &[Finding], grid: &Grid, names: Names) -> Vec<Event> {
    let mut events: Vec<Event> = findings.iter().map(|f| event(f, grid, names)).collect();
    events.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    events
}

/// One finding as an event.
fn event(f: &Finding, grid: &Grid, names: Names) -> Event {
    let mut accounts: Vec<Affected> = f.members.iter().map(|m| affected(m, grid, names)).collect();
    accounts.sort_by(|a, b| b.lost.cmp(&a.lost).then_with(|| a.account.cmp(&b.account)));
    let mut relative: Vec<f64> = f.members.iter().map(|m| m.loss.relative).collect();
    Event {
        id: id(f, grid.bucket, names),
        class: f.class(),
        start: Timestamp(f.start),
        end: Timestamp(f.end),
        recovered_at: f.outcome.recovered_at.map(Timestamp),
        cohort_size: f.cohort_size,
        accounts_affected: accounts.len(),
        breadth: round(f.breadth, 4),
        followers_lost: accounts.iter().map(|a| a.lost).sum(),
        median_relative_loss: round(median(&mut relative).unwrap_or(0.0), 5),
        score: round(f.score, 1),
        following_breadth: f.following_breadth.map(|b| round(b, 4)),
        cohort_change: f.cohort_change.map(|c| round(c, 5)),
        cohort: names.cohort(f).map(str::to_string),
        accounts,
        previous_kind: None,
    }
}

/// An event's id (SPEC: stable when snapshots are appended): a platform
/// event is named by the grid point where its core starts (`p-…`), not a
/// snapshot's second, since which accounts count among its members can
/// change as later snapshots sharpen their models; an account's own event
/// by its start and account (`a-…-name`, or `u-…-name` when its scope is
/// unknown).
pub(crate) fn id(f: &Finding, bucket: i64, names: Names) -> String {
    let name = |m: &Member| names.accounts.get(m.account).map_or("", String::as_str);
    match (f.scope, f.members.first()) {
        // Two platforms' events may share a start: the cohort tells them apart.
        (Scope::Platform, _) | (_, None) => match names.cohort(f) {
            Some(c) => format!("p-{c}-{}", format_compact(f.core.from * bucket)),
            None => format!("p-{}", format_compact(f.core.from * bucket)),
        },
        (scope, Some(m)) => {
            let prefix = if scope == Scope::Account { "a" } else { "u" };
            format!("{prefix}-{}-{}", format_compact(f.start), name(m))
        }
    }
}

/// One member as an affected account.
fn affected(m: &Member, grid: &Grid, names: Names) -> Affected {
    let t = &grid.tracks[m.account];
    let span = m.loss.span;
    let before = t.count(span.before);
    let step = m.count_step;
    Affected {
        account: names.accounts[m.account].clone(),
        display_name: names.labels.get(m.account).map(str::to_string),
        before,
        after: t.count(span.after),
        lost: m.loss.lost,
        relative_loss: round(m.loss.relative, 5),
        recovered_at: m.recovered_at.map(Timestamp),
        excess: m.excess,
        following_before: t.following.get(span.before),
        following_after: t.following.get(span.after),
        across_gap: m.across_gap.then(|| Gap {
            from: Timestamp(t.time(span.before)),
            to: Timestamp(t.time(span.after)),
        }),
        count_step: (step > 1).then_some(step),
    }
}
