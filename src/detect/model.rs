//! Each account's usual movement: the drift and spread of its log changes
//! per grid bucket, estimated robustly (median and MAD), so that one drop
//! does not hide itself by inflating the yardstick it is measured with.

use crate::grid::Track;
use crate::stats::{MAD_TO_SD, mad, median};

/// Smallest spread per bucket: a perfectly smooth series (synthetic data, a
/// frozen counter) must not make every wiggle infinitely abnormal.
const MIN_SIGMA: f64 = 1e-5;

/// How an account usually moves on the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    /// Typical log change per bucket (growth or decline).
    pub drift: f64,
    /// Robust standard deviation of the log change per √bucket.
    pub sigma: f64,
}

/// An account's model: its followers' noise, its following's noise (when
/// it has a following column), and its usual sampling step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub followers: Noise,
    pub following: Option<Noise>,
    /// Median spacing of its snapshots, in buckets (at least 1).
    pub step: i64,
}

/// Log level of a count; `+1` keeps zero finite.
pub fn level(v: u64) -> f64 {
    (v as f64 + 1.0).ln()
}

impl Noise {
    /// Fits drift and spread to consecutive (grid point, count) pairs. A
    /// series with fewer than two points gets zero drift and the minimum
    /// spread, so only the integer floor in [`Noise::z`] protects it.
    pub fn fit(points: impl Iterator<Item = (i64, u64)>) -> Noise {
        let mut prev: Option<(i64, u64)> = None;
        let mut steps: Vec<(f64, f64)> = Vec::new(); // (log change, buckets)
        for (g, v) in points {
            if let Some((pg, pv)) = prev {
                let d = (g - pg) as f64;
                steps.push((level(v) - level(pv), d));
            }
            prev = Some((g, v));
        }
        let mut rates: Vec<f64> = steps.iter().map(|(r, d)| r / d).collect();
        let drift = median(&mut rates).unwrap_or(0.0);
        let resid: Vec<f64> = steps
            .iter()
            .map(|(r, d)| (r - drift * d) / d.sqrt())
            .collect();
        let center = median(&mut resid.clone()).unwrap_or(0.0);
        let sigma = mad(&resid, center).map_or(MIN_SIGMA, |m| (MAD_TO_SD * m).max(MIN_SIGMA));
        Noise { drift, sigma }
    }

    /// How abnormal a change from `va` to `vc` over `buckets` buckets is, in
    /// robust standard deviations (negative for a fall). The spread never
    /// goes below one follower's worth: for an account of 50, losing 3 is
    /// three followers, not a 6 % collapse.
    pub fn z(&self, va: u64, vc: u64, buckets: i64) -> f64 {
        let d = buckets.max(1) as f64;
        let change = level(vc) - level(va);
        let sd = (self.sigma * d.sqrt()).max(1.0 / (va as f64 + 1.0));
        (change - self.drift * d) / sd
    }
}

impl Model {
    pub fn fit(track: &Track) -> Model {
        let followers = Noise::fit(track.g.iter().copied().zip(track.followers.iter().copied()));
        let with_following = track.following.iter().filter(|f| f.is_some()).count();
        let following = (with_following >= 2).then(|| {
            Noise::fit(
                track
                    .g
                    .iter()
                    .zip(&track.following)
                    .filter_map(|(&g, f)| f.map(|f| (g, f))),
            )
        });
        let mut gaps: Vec<f64> = track.g.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
        let step = median(&mut gaps).map_or(1, |m| m.round().max(1.0) as i64);
        Model {
            followers,
            following,
            step,
        }
    }

    /// Whether a bracket from grid point `ga` to `gc` is close enough around
    /// a window of `width` buckets for this account to count as observed
    /// there: no wider than the window plus two of its usual steps.
    pub fn observes(&self, ga: i64, gc: i64, width: i64) -> bool {
        gc - ga <= width + 2 * self.step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_and_spread_ignore_one_drop() {
        // Grows 1 % a bucket with small noise, then one 20 % drop.
        let mut v = 10_000.0f64;
        let mut points = Vec::new();
        for g in 0..60 {
            let wiggle = if g % 2 == 0 { 1.001 } else { 0.999 };
            v *= 1.01 * wiggle;
            if g == 30 {
                v *= 0.8;
            }
            points.push((g, v.round() as u64));
        }
        let n = Noise::fit(points.iter().copied());
        assert!((n.drift - 0.01).abs() < 0.002, "{n:?}");
        assert!(n.sigma < 0.005, "{n:?}");
        let (a, c) = (points[29].1, points[30].1);
        assert!(n.z(a, c, 1) < -20.0);
    }

    #[test]
    fn integer_floor_protects_tiny_accounts() {
        let n = Noise {
            drift: 0.0,
            sigma: MIN_SIGMA,
        };
        // 50 followers losing 3: three followers' worth, not 6 % in 1e-5 units.
        assert!((n.z(50, 47, 1) + 3.0 * 51.0 / 51.0).abs() < 0.2);
    }

    #[test]
    fn gaps_scale_with_the_square_root() {
        let n = Noise {
            drift: 0.0,
            sigma: 0.01,
        };
        let one = n.z(100_000, 99_000, 1);
        let four = n.z(100_000, 99_000, 4);
        assert!((one / four - 2.0).abs() < 1e-9);
    }
}
