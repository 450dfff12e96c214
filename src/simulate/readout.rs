//! How counts reach the file beyond what the scenario did to them: rounded
//! to a few significant figures as some platforms show them, missing or
//! read as 0 by a failed collection, and accounts suspended for good. None
//! of these is an event, so the truth does not list them; the one thing
//! they change there is that a loss smaller than one rounding step is not
//! listed, as it is not there to be found in the data.

use super::population::Account;
use super::rng::Rng;

/// What is done to the counts on their way out (nothing by default).
#[derive(Debug, Clone, Default)]
pub struct Readout {
    /// Counts rounded down to this many significant figures, as YouTube
    /// shows subscribers (1,934 → 1,930; 1,576,312 → 1,570,000).
    pub significant_figures: Option<u32>,
    /// Share of snapshots written with no followers count; a fifth as many
    /// again are written as 0.
    pub hidden: f64,
    /// How many accounts not involved in any event are suspended: their
    /// counts drop to 0 for good at a random time in the second half.
    pub vanish: usize,
}

/// The rounding step of `count` at `figures` significant figures: 1 for
/// counts below 10^figures.
fn step(count: u64, figures: u32) -> u64 {
    let digits = count.checked_ilog10().map_or(1, |d| d + 1);
    10u64.pow(digits.saturating_sub(figures))
}

/// `count` rounded down to `figures` significant figures. Down, as YouTube
/// does: 1,999 subscribers show as 1,990, never as 2,000 before they are.
pub fn round_down(count: u64, figures: u32) -> u64 {
    let step = step(count, figures);
    count / step * step
}

impl Readout {
    /// Whether a loss of `lost` followers from `before` survives the
    /// rounding (always, without rounding): at least one rounding step.
    pub fn shows_loss(&self, before: f64, lost: f64) -> bool {
        self.significant_figures
            .is_none_or(|n| lost >= step(before.round() as u64, n) as f64)
    }
}

/// Reads the counts of a run out as the options say.
pub struct Reader<'a> {
    readout: &'a Readout,
    /// When each account is suspended, if it is.
    suspended: Vec<Option<i64>>,
    /// Decides which snapshots are hidden: a stream of its own, so that
    /// hiding some leaves every other row as it was.
    rng: Rng,
}

impl<'a> Reader<'a> {
    pub fn new(readout: &'a Readout, suspended: Vec<Option<i64>>, rng: Rng) -> Reader<'a> {
        Reader {
            readout,
            suspended,
            rng,
        }
    }

    /// The followers count (none: missing) and following count written for
    /// `account` at `t`.
    pub fn read(
        &mut self,
        account: usize,
        t: i64,
        followers: u64,
        following: u64,
    ) -> (Option<u64>, u64) {
        let (followers, following) = if self.suspended[account].is_some_and(|at| t >= at) {
            (0, 0)
        } else {
            let figures = self.readout.significant_figures;
            (
                figures.map_or(followers, |n| round_down(followers, n)),
                following,
            )
        };
        (self.hide(followers), following)
    }

    /// `followers`, missing or 0 for a failed collection.
    fn hide(&mut self, followers: u64) -> Option<u64> {
        let hidden = self.readout.hidden;
        if hidden <= 0.0 {
            return Some(followers);
        }
        let u = self.rng.unit();
        if u < hidden {
            None
        } else if u < hidden * 1.2 {
            Some(0)
        } else {
            Some(followers)
        }
    }
}

/// When each account is suspended, if it is: `vanish` accounts (or as many
/// as there are) not `involved` in any event, each from a random time in
/// the second half of the data while it is collected.
pub fn suspensions(
    vanish: usize,
    accounts: &[Account],
    involved: &dyn Fn(usize) -> bool,
    (start, end): (i64, i64),
    rng: &mut Rng,
) -> Vec<Option<i64>> {
    let half = start + (end - start) / 2;
    let from = |a: &Account| half.max(a.begin);
    let mut candidates: Vec<usize> = (0..accounts.len())
        .filter(|&i| !involved(i) && from(&accounts[i]) < accounts[i].end)
        .collect();
    let mut suspended = vec![None; accounts.len()];
    for _ in 0..vanish.min(candidates.len()) {
        let i = candidates.swap_remove(rng.below(0, candidates.len() as i64) as usize);
        let a = &accounts[i];
        suspended[i] = Some(rng.below(from(a), a.end));
    }
    suspended
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_to_significant_figures() {
        let cases = [
            (0, 3, 0),
            (7, 3, 7),
            (999, 3, 999),
            (1_000, 3, 1_000),
            (1_934, 3, 1_930),
            (1_999, 3, 1_990),
            (19_349, 3, 19_300),
            (1_576_312, 3, 1_570_000),
            (999_999, 3, 999_000),
            (12_345, 1, 10_000),
            (12_345, 2, 12_000),
            (12_345, 5, 12_345),
            (12_345, 9, 12_345),
            (u64::MAX, 3, 18_400_000_000_000_000_000),
        ];
        for (count, figures, rounded) in cases {
            assert_eq!(round_down(count, figures), rounded, "{count} to {figures}");
        }
    }

    #[test]
    fn a_loss_under_one_rounding_step_is_not_shown() {
        let three = Readout {
            significant_figures: Some(3),
            ..Readout::default()
        };
        assert!(three.shows_loss(1_576_312.0, 10_000.0));
        assert!(!three.shows_loss(1_576_312.0, 9_999.0));
        assert!(three.shows_loss(950.0, 10.0));
        assert!(Readout::default().shows_loss(1_576_312.0, 1.0));
    }
}
