//! Detection: from the grid to plain findings, in stages that can be read
//! and tested one by one.
//!
//! 1. [`model`]: each account's usual movement (local trend, the spread of
//!    its changes over a step and over a day, the rounding of its counts).
//! 2. Stage a, [`losses`]: each account's candidate losses at every width
//!    from one bucket to about two days, located tightly and measured
//!    against a trend found from outside them.
//! 3. Stage b, [`cohort`]: the windows in which the cohort fell together
//!    beyond chance, judged on the cohort as a whole.
//! 4. Stage c, [`platform`] then [`account`]: each platform event's core
//!    and members (observed, or seen across a gap; excess), then the
//!    accounts' own losses that belong to no platform event.
//! 5. Stage d, [`persistence`]: whether the followers came back.
//!
//! Findings are plain: account indices, snapshot spans, unrounded numbers.
//! The report turns them into the JSON schema, times and rounding
//! ([`crate::report::event`]), so that a change of rule and a change of
//! output never touch the same file. [`explain`] replays the stages for one
//! account (`followdrop show`).

mod account;
mod cohort;
pub mod explain;
mod losses;
mod model;
mod persistence;
mod platform;
mod rolling;

pub use cohort::{CohortWindow, MAX_CHANCE, Tally};
pub use losses::Check;
pub use persistence::{Outcome, Persistence};

use crate::grid::{Grid, Track};
use cohort::{Baseline, Movements};
use losses::Measured;
use model::Model;
use platform::Platform;
use serde::Serialize;

/// The detection thresholds (SPEC: options of `scan`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Smallest relative loss reported.
    pub min_drop: f64,
    /// Smallest absolute loss reported.
    pub min_lost: u64,
    /// How abnormal an account's own drop must be, in robust standard
    /// deviations of its usual movement. Inside a platform event half of
    /// this suffices: the cohort's fall is evidence too.
    pub sensitivity: f64,
    /// Floor on the estimated share of the observed cohort affected for a
    /// platform-wide event.
    pub min_breadth: f64,
    /// Fewest accounts observed for a scope to be judged.
    pub min_cohort: usize,
    #[serde(rename = "recovery_window_seconds")]
    pub recovery_window: i64,
    /// Share of the lost followers that must come back for a revert.
    pub recovery_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_drop: 0.005,
            min_lost: 10,
            sensitivity: 6.0,
            min_breadth: 0.15,
            min_cohort: 5,
            recovery_window: 3 * crate::time::DAY,
            recovery_share: 0.8,
        }
    }
}

/// Who a drop hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Much of the cohort fell together.
    Platform,
    /// The account fell while its cohort did not.
    Account,
    /// Too few accounts were observed to tell.
    Unknown,
}

/// An event's scope and persistence; its kind follows from the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub scope: Scope,
    pub persistence: Persistence,
}

impl Class {
    /// The SPEC's kind name (`platform_glitch`, `account_purge`, `drop`, …).
    pub fn kind(&self) -> &'static str {
        use Persistence::*;
        use Scope::*;
        match (self.scope, self.persistence) {
            (Platform, Reverted) => "platform_glitch",
            (Platform, Persistent) => "platform_purge",
            (Platform, Undetermined) => "platform_drop",
            (Account, Reverted) => "account_glitch",
            (Account, Persistent) => "account_purge",
            (Account, Undetermined) => "account_drop",
            (Unknown, Reverted) => "glitch",
            (Unknown, Persistent) => "purge",
            (Unknown, Undetermined) => "drop",
        }
    }
}

impl Serialize for Class {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("kind", self.kind())?;
        map.serialize_entry("scope", &self.scope)?;
        map.serialize_entry("persistence", &self.persistence)?;
        map.end()
    }
}

/// The snapshots of one account a loss spans: the last before the loss
/// began and the first at which it was complete (indices into its track).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub before: usize,
    pub after: usize,
}

impl Span {
    /// Whether the two spans share a step.
    pub fn overlaps(&self, o: &Span) -> bool {
        self.before < o.after && o.before < self.after
    }
}

/// A stretch of the grid, in grid points: the time in which an event's
/// accounts actually fell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Core {
    pub from: i64,
    pub to: i64,
}

impl Core {
    /// Whether the step from grid point `a` to `c` overlaps this stretch
    /// (a core of one point is overlapped by the steps across it).
    pub fn overlaps(&self, a: i64, c: i64) -> bool {
        a < self.to.max(self.from + 1) && c > self.from
    }
}

/// One account's part in a finding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    /// Index of the account (into the grid's tracks and the names).
    pub account: usize,
    pub loss: losses::Loss,
    /// When its followers came back (real time), if they did.
    pub recovered_at: Option<i64>,
    /// Hit far harder than the rest of a platform event's members.
    pub excess: bool,
    /// Not observed during the event's core: its loss is across a
    /// collection gap (the loss's span is the gap).
    pub across_gap: bool,
    /// The rounding step of its count before the loss (1 when exact).
    pub count_step: u64,
}

/// A sudden loss of followers, found and classified: plain numbers, for the
/// report to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub scope: Scope,
    pub outcome: Outcome,
    /// The last snapshot before the loss began and the first at which it
    /// was complete (real times; for a platform event, of its core).
    pub start: i64,
    pub end: i64,
    /// Where it lies on the grid (its core, for a platform event).
    pub core: Core,
    /// Accounts observed around it.
    pub cohort_size: u32,
    /// Estimated share of the observed cohort affected (of the other
    /// accounts, for an account's own event).
    pub breadth: f64,
    /// How sure, in standard deviations: of the cohort's evidence for a
    /// platform event, of the account's own loss otherwise.
    pub score: f64,
    pub following_breadth: Option<f64>,
    /// Typical relative change of the other observed accounts across it.
    pub cohort_change: Option<f64>,
    /// The cohort it was judged in, when the cohort is split (an index
    /// into the data set's cohorts).
    pub cohort: Option<u32>,
    /// In order of account index.
    pub members: Vec<Member>,
}

impl Finding {
    /// Where a finding sorts among the others: by start, then scope, then
    /// its first account (the same order whether the cohort is split or not).
    fn order(&self) -> (i64, Scope, Option<usize>) {
        (
            self.start,
            self.scope,
            self.members.first().map(|m| m.account),
        )
    }

    /// Account `i`'s part in it, if it has one (members are in order of
    /// account index).
    pub fn member(&self, i: usize) -> Option<&Member> {
        let k = self.members.binary_search_by_key(&i, |m| m.account).ok()?;
        Some(&self.members[k])
    }

    pub fn class(&self) -> Class {
        Class {
            scope: self.scope,
            persistence: self.outcome.persistence,
        }
    }
}

/// Everything the stages read.
pub struct Ctx<'a> {
    pub tracks: &'a [Track],
    models: &'a [Model],
    pub settings: &'a Settings,
    movements: &'a Movements,
    baselines: &'a [Baseline],
}

impl Ctx<'_> {
    /// The cohort's baseline of the width nearest to `width` buckets.
    fn baseline(&self, width: i64) -> Option<&Baseline> {
        self.baselines
            .iter()
            .min_by_key(|b| (b.width - width.max(1)).abs())
    }
}

/// A finished detection: the findings, and what they were judged with
/// (each account's model and distinct losses, the platform events, the
/// cohort's baselines and movements), kept so that [`explain`] can replay
/// the judgement of one account without detecting again.
pub struct Detection {
    /// Every finding, in order of start.
    pub findings: Vec<Finding>,
    models: Vec<Model>,
    own: Vec<Vec<Measured>>,
    platforms: Vec<Platform>,
    /// The index in `findings` of each platform event's finding.
    platform_findings: Vec<usize>,
    baselines: Vec<Baseline>,
    movements: Movements,
}

impl Detection {
    /// The stages' view of this detection of `grid`.
    fn ctx<'a>(&'a self, grid: &'a Grid, settings: &'a Settings) -> Ctx<'a> {
        Ctx {
            tracks: &grid.tracks,
            models: &self.models,
            settings,
            movements: &self.movements,
            baselines: &self.baselines,
        }
    }
}

/// Finds every event in the grid.
pub fn detect(grid: &Grid, settings: &Settings) -> Vec<Finding> {
    run(grid, settings).findings
}

/// Detection in each cohort of `groups` (accounts by index) on its own, as
/// if each were scanned alone: a platform's glitch is judged against that
/// platform's accounts, not diluted by the others'. One group is the
/// whole grid. Each group's tracks are lent to a grid of their own and
/// given back; findings are named by their group (when there are several)
/// and their accounts by their index in `grid`. `visit` sees each group's
/// grid and detection, with the group's number (when there are several)
/// and its accounts, before they are gone: `show`'s explanations of the
/// accounts hit are made from them, for the HTML report.
pub fn detect_in_groups(
    grid: &mut Grid,
    groups: &[Vec<usize>],
    settings: &Settings,
    mut visit: impl FnMut(&Grid, &Detection, Option<u32>, &[usize]),
) -> Vec<Finding> {
    if let [members] = groups {
        let detection = run(grid, settings);
        visit(grid, &detection, None, members);
        return detection.findings;
    }
    let mut all = Vec::new();
    for (c, members) in groups.iter().enumerate() {
        let mut part = Grid {
            bucket: grid.bucket,
            tracks: members
                .iter()
                .map(|&i| std::mem::take(&mut grid.tracks[i]))
                .collect(),
        };
        let detection = run(&part, settings);
        visit(&part, &detection, Some(c as u32), members);
        let found = detection.findings;
        for (&i, track) in members.iter().zip(part.tracks.drain(..)) {
            grid.tracks[i] = track;
        }
        all.extend(found.into_iter().map(|mut f| {
            f.cohort = Some(c as u32);
            f.members
                .iter_mut()
                .for_each(|m| m.account = members[m.account]);
            f
        }));
    }
    all.sort_by_key(Finding::order);
    all
}

/// Finds every event in the grid, keeping what they were judged with.
pub fn run(grid: &Grid, settings: &Settings) -> Detection {
    let mut steps = crate::timing::Steps::start("detect: models, losses and cohort windows");
    let first = cohort::first_pass(&grid.tracks, grid.bucket, settings);
    steps.next("detect: platform events");
    let movements = Movements::default();
    let ctx = Ctx {
        tracks: &grid.tracks,
        models: &first.models,
        settings,
        movements: &movements,
        baselines: &first.baselines,
    };
    let platforms = platform::events(&ctx, &first.flagged, &first.own);
    steps.next("detect: account events");
    let mut findings = account::events(&ctx, &first.own, &platforms);
    steps.end();
    findings.extend(platforms.iter().map(|p| p.finding.clone()));
    findings.sort_by_key(Finding::order);
    let platform_findings = platforms
        .iter()
        .map(|p| {
            findings
                .iter()
                .position(|f| f.scope == Scope::Platform && f.core == p.finding.core)
                .expect("a platform event is among the findings")
        })
        .collect();
    Detection {
        findings,
        models: first.models,
        own: first.own,
        platforms,
        platform_findings,
        baselines: first.baselines,
        movements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let c = |scope, persistence| Class { scope, persistence }.kind();
        assert_eq!(c(Scope::Platform, Persistence::Reverted), "platform_glitch");
        assert_eq!(c(Scope::Account, Persistence::Persistent), "account_purge");
        assert_eq!(c(Scope::Unknown, Persistence::Undetermined), "drop");
    }

    #[test]
    fn spans_and_cores_overlap() {
        let s = |before, after| Span { before, after };
        assert!(s(2, 5).overlaps(&s(4, 6)));
        assert!(!s(2, 5).overlaps(&s(5, 6)));
        let core = Core { from: 10, to: 12 };
        assert!(core.overlaps(9, 11));
        assert!(!core.overlaps(12, 13));
        assert!(Core { from: 10, to: 10 }.overlaps(9, 11));
    }
}
