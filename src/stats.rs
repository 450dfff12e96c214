//! Small robust statistics: median, MAD, and the binomial tail used to
//! judge whether many accounts fell together by chance.

/// Scale factor that makes the MAD estimate the standard deviation of a
/// normal distribution.
pub const MAD_TO_SD: f64 = 1.4826;

/// Median of `values`; `None` when empty. For an even count, the mean of
/// the two middle values. (`&mut` for the callers' convenience: the values
/// are left as they are.)
///
/// The values are selected as integer keys of the same total order as
/// [`f64::total_cmp`]: a median is taken a dozen times per account in the
/// fit, and comparing keys costs a third of comparing floats that way.
pub fn median(values: &mut [f64]) -> Option<f64> {
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let n = values.len();
    if n == 0 {
        return None;
    }
    KEYS.with_borrow_mut(|keys| {
        keys.clear();
        keys.extend(values.iter().map(|&v| order_key(v)));
        let (lower, &mut mid, _) = keys.select_nth_unstable(n / 2);
        let mid = from_order_key(mid);
        if n % 2 == 1 {
            return Some(mid);
        }
        let below = lower.iter().copied().max().map_or(mid, from_order_key);
        Some((below + mid) / 2.0)
    })
}

/// A key whose integer order is [`f64::total_cmp`]'s order of the floats:
/// negative floats' bits reversed, positive floats' above them.
fn order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The float of an [`order_key`].
fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Median absolute deviation from `center` (not scaled).
pub fn mad(values: &[f64], center: f64) -> Option<f64> {
    let mut dev: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    median(&mut dev)
}

/// The `q` quantile of integers, taken as an actual member of the set (the
/// lower one), so that an event's start is the time of a real snapshot.
pub fn quantile(values: &mut [i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let k = ((values.len() - 1) as f64 * q.clamp(0.0, 1.0)).floor() as usize;
    Some(*values.select_nth_unstable(k).1)
}

/// `ln n!`, exact for small `n` and by Stirling's series beyond.
fn ln_factorial(n: u64) -> f64 {
    if n < 20 {
        return (2..=n).map(|k| (k as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (std::f64::consts::TAU * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
}

/// `ln P(X >= k)` for `X ~ Binomial(n, p)`: the chance that at least `k` of
/// `n` accounts fall when each does so with probability `p`.
pub fn ln_binomial_tail(n: u64, k: u64, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if k > n {
        return f64::NEG_INFINITY;
    }
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let ln_pmf = |j: u64| {
        ln_factorial(n) - ln_factorial(j) - ln_factorial(n - j)
            + j as f64 * lp
            + (n - j) as f64 * lq
    };
    // Sum terms from k upward in log space until they no longer matter.
    let first = ln_pmf(k);
    let mut sum = 1.0; // relative to exp(first)
    let mut term = 1.0;
    for j in k..n {
        term *= (n - j) as f64 / (j + 1) as f64 * (p / (1.0 - p));
        sum += term;
        if term < sum * 1e-17 && (j as f64) > n as f64 * p {
            break;
        }
    }
    (first + sum.ln()).min(0.0)
}

/// The number of standard deviations `z` at which a normal upper tail has
/// probability `exp(ln_p)`: a common scale for "how sure" across tests.
/// (Abramowitz & Stegun 26.2.23, accurate to 5e-4.)
pub fn z_from_ln_tail(ln_p: f64) -> f64 {
    let ln_p = ln_p.min((0.5f64).ln());
    let t = (-2.0 * ln_p).sqrt();
    t - (2.515_517 + 0.802_853 * t + 0.010_328 * t * t)
        / (1.0 + 1.432_788 * t + 0.189_269 * t * t + 0.001_308 * t.powi(3))
}

/// Rounds to `digits` decimal places, for stable, readable output.
pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0], 3.0), Some(1.0));
        assert_eq!(quantile(&mut [5, 1, 9, 3], 0.5), Some(3));
        assert_eq!(quantile(&mut [5, 1, 9, 3], 0.0), Some(1));
        assert_eq!(quantile(&mut [5, 1, 9, 3], 1.0), Some(9));
        assert_eq!(quantile(&mut [], 0.5), None);
    }

    #[test]
    fn order_keys_keep_the_total_order() {
        let v = [
            f64::NEG_INFINITY,
            -3.5,
            -1e-300,
            -0.0,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ];
        for x in v {
            assert_eq!(from_order_key(order_key(x)).to_bits(), x.to_bits());
            for y in v {
                assert_eq!(order_key(x).cmp(&order_key(y)), x.total_cmp(&y), "{x} {y}");
            }
        }
        assert_eq!(median(&mut [-2.0, -7.0, -1.0, 5.0]), Some(-1.5));
    }

    #[test]
    fn one_outlier_does_not_move_the_median() {
        let mut v = vec![0.01, -0.01, 0.0, 0.02, -0.02, -5.0];
        let m = median(&mut v).unwrap();
        assert!(m.abs() < 0.011);
        assert!(mad(&v, m).unwrap() < 0.02);
    }

    #[test]
    fn binomial_tail_matches_direct_sums() {
        // P(X >= 2), n = 5, p = 0.02: 1 - 0.98^5 - 5 * 0.02 * 0.98^4
        let direct = 1.0 - 0.98f64.powi(5) - 5.0 * 0.02 * 0.98f64.powi(4);
        assert!((ln_binomial_tail(5, 2, 0.02).exp() - direct).abs() < 1e-12);
        // P(X >= 3), n = 40, p = 0.5, by summing all terms exactly.
        let exact: f64 = (3..=40u64)
            .map(|j| {
                (ln_factorial(40) - ln_factorial(j) - ln_factorial(40 - j)).exp() * 0.5f64.powi(40)
            })
            .sum();
        assert!((ln_binomial_tail(40, 3, 0.5).exp() - exact).abs() < 1e-9);
        assert_eq!(ln_binomial_tail(10, 0, 0.1), 0.0);
        assert_eq!(ln_binomial_tail(10, 11, 0.1), f64::NEG_INFINITY);
        // Very unlikely events stay finite in log space.
        assert!(ln_binomial_tail(100_000, 90_000, 0.01).is_finite());
    }

    #[test]
    fn z_scale() {
        assert!((z_from_ln_tail((0.0227f64).ln()) - 2.0).abs() < 0.01);
        assert!((z_from_ln_tail((2.87e-7f64).ln()) - 5.0).abs() < 0.01);
        assert!(z_from_ln_tail(-1000.0) > 40.0);
    }
}
