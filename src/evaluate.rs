//! Scoring detected events against a simulation's truth: event precision,
//! recall and F1, scope and persistence accuracy over matched events, and
//! the overlap of affected accounts for platform events.
//!
//! Matching rule (accuracy issue): a detected event matches a true one when
//! the true start lies within [start − 1 bucket, end + 1 bucket] of the
//! detected one and, where either is about one account, that account is
//! among the other's. Pairs are matched one to one, closest starts first.

use crate::detect::Scope;
use crate::report::event::Event;
use crate::simulate::TrueEvent;
use std::collections::BTreeSet;
use std::ops::AddAssign;

/// Counts from which every figure is derived; they add up across data sets.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub truth: usize,
    pub detected: usize,
    pub matched: usize,
    pub scope_right: usize,
    pub persistence_right: usize,
    /// Matched platform–platform pairs and the sum of their Jaccard indices.
    pub platform_pairs: usize,
    pub jaccard_sum: f64,
}

impl AddAssign for Score {
    fn add_assign(&mut self, o: Score) {
        self.truth += o.truth;
        self.detected += o.detected;
        self.matched += o.matched;
        self.scope_right += o.scope_right;
        self.persistence_right += o.persistence_right;
        self.platform_pairs += o.platform_pairs;
        self.jaccard_sum += o.jaccard_sum;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.detected)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.truth)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn scope_accuracy(&self) -> f64 {
        ratio(self.scope_right, self.matched)
    }
    pub fn persistence_accuracy(&self) -> f64 {
        ratio(self.persistence_right, self.matched)
    }
    pub fn jaccard(&self) -> f64 {
        if self.platform_pairs == 0 {
            1.0
        } else {
            self.jaccard_sum / self.platform_pairs as f64
        }
    }
}

fn single_account(scope: Scope) -> bool {
    scope != Scope::Platform
}

fn compatible(t: &TrueEvent, d: &Event, bucket: i64) -> bool {
    let start = t.start.0;
    if start < d.start.0 - bucket || start > d.end.0 + bucket {
        return false;
    }
    let names = |accounts: &mut dyn Iterator<Item = &String>| {
        accounts.cloned().collect::<BTreeSet<String>>()
    };
    let (ta, da) = (
        names(&mut t.accounts.iter()),
        names(&mut d.accounts.iter().map(|a| &a.account)),
    );
    if single_account(t.class.scope) || single_account(d.class.scope) {
        return !ta.is_disjoint(&da);
    }
    true
}

fn jaccard(t: &TrueEvent, d: &Event) -> f64 {
    let ta: BTreeSet<&str> = t.accounts.iter().map(String::as_str).collect();
    let da: BTreeSet<&str> = d.accounts.iter().map(|a| a.account.as_str()).collect();
    let union = ta.union(&da).count();
    if union == 0 {
        1.0
    } else {
        ta.intersection(&da).count() as f64 / union as f64
    }
}

/// Scores one data set's detected events against its truth.
pub fn score(truth: &[TrueEvent], detected: &[Event], bucket: i64) -> Score {
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for (i, t) in truth.iter().enumerate() {
        for (j, d) in detected.iter().enumerate() {
            if compatible(t, d, bucket) {
                pairs.push(((t.start.0 - d.start.0).abs(), i, j));
            }
        }
    }
    pairs.sort_unstable();
    let (mut t_used, mut d_used) = (vec![false; truth.len()], vec![false; detected.len()]);
    let mut s = Score {
        truth: truth.len(),
        detected: detected.len(),
        ..Score::default()
    };
    for (_, i, j) in pairs {
        if t_used[i] || d_used[j] {
            continue;
        }
        t_used[i] = true;
        d_used[j] = true;
        let (t, d) = (&truth[i], &detected[j]);
        s.matched += 1;
        s.scope_right += usize::from(t.class.scope == d.class.scope);
        s.persistence_right += usize::from(t.class.persistence == d.class.persistence);
        if t.class.scope == Scope::Platform && d.class.scope == Scope::Platform {
            s.platform_pairs += 1;
            s.jaccard_sum += jaccard(t, d);
        }
    }
    s
}
