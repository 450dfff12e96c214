#!/usr/bin/env python3
"""Deterministic generator for followdrop's test fixtures.

Usage:  python3 scripts/make_fixtures.py [OUTPUT_DIR]     (default: <repo>/fixtures)

Python 3.11+ standard library only.  Every random draw comes from a
random.Random seeded with a fixed integer, nothing iterates over a set or a
hash-ordered dict, and gzip output is written with mtime=0, so re-running the
script produces byte-identical files.

What it writes (see fixtures/README.md, which this script also writes):
  instagram-2019-02-13.csv          platform glitch, reverted
  twitter-2018-07-locked.ndjson.gz  platform purge, persistent
  influencer-purge.csv              one account purge, persistent
  quiet-viral.csv                   no events at all
  per-account/*.csv                 one account per file, irregular times, one purge
  three-accounts.csv                a purge in a cohort too small to judge scope
  end-of-data.csv                   platform drop whose outcome is undetermined
  bad/*                             malformed inputs
  nasty/*.csv                       a scraper's export with deliberately nasty rows; stray quotes
  truth/*.json                      the designed truth of every fixture

Noise model (all series): each snapshot-to-snapshot change is
    count * trend_per_day * dt_days * rhythm  +  N(0, sd_daily(count) * sqrt(dt_days))
with sd_daily(count) = max(0.5, 0.02 * count ** 0.75): about 1-1.5 followers a
day at 200-300 followers, ~600 a day at 1M, ~20,000-26,000 a day at 100-145M.
The walk is kept in floating point and rounded on output, so small accounts
move by whole followers only now and then.
"""

import gzip
import json
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

NOISE_K = 0.02
NOISE_EXP = 0.75


# ----------------------------------------------------------------- helpers

def T(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def grid(start, end, step_seconds):
    out, t, step = [], T(start), timedelta(seconds=step_seconds)
    stop = T(end)
    while t <= stop:
        out.append(t)
        t += step
    return out


def sd_daily(c):
    return max(0.5, NOISE_K * max(c, 1.0) ** NOISE_EXP)


def organic(rng, c0, times, rate, mult=None, shocks=None, factors=None, drops=None):
    """Random walk of a follower count.

    rate: daily relative trend (number, or function of the step's start time)
    mult: rhythm multiplier of the trend, function of the step's start time
    shocks: {i: fraction} -- at step i (change from i-1 to i) the count loses
            that fraction of itself, permanently (a purge)
    factors: {i: factor} -- at step i the count is multiplied (viral jump)
    drops: {i: n} -- at step i the count loses n followers, permanently
    Returns (values as floats, {i: followers removed by the shock}).
    """
    shocks = shocks or {}
    factors = factors or {}
    drops = drops or {}
    vals = [float(c0)]
    removed = {}
    for i in range(1, len(times)):
        dt = (times[i] - times[i - 1]).total_seconds() / 86400.0
        c = vals[-1]
        r = rate(times[i - 1]) if callable(rate) else rate
        m = mult(times[i - 1]) if mult else 1.0
        c = c + c * r * dt * m + rng.gauss(0.0, sd_daily(c) * math.sqrt(dt))
        if i in factors:
            c *= factors[i]
        if i in shocks:
            lost = round(c * shocks[i])
            removed[i] = lost
            c -= lost
        if i in drops:
            c -= drops[i]
        vals.append(max(0.0, c))
    return vals, removed


def anchor(vals, idx, target):
    """Shift a path so that vals[idx] == target (increments unchanged)."""
    d = target - vals[idx]
    return [max(0.0, v + d) for v in vals]


def following_path(rng, f0, times, up_per_day=0.25, down_per_day=0.1):
    vals = [int(f0)]
    for i in range(1, len(times)):
        dt = (times[i] - times[i - 1]).total_seconds() / 86400.0
        f = vals[-1]
        u = rng.random()
        if f0 > 0:
            if u < up_per_day * dt:
                f += 1
            elif u < (up_per_day + down_per_day) * dt:
                f = max(0, f - 1)
        vals.append(f)
    return vals


def log_uniform_stratified(rng, n, lo, hi):
    """n sizes spread log-uniformly over [lo, hi] (one per stratum), shuffled."""
    a, b = math.log(lo), math.log(hi)
    sizes = [round(math.exp(a + (k + rng.random()) / n * (b - a))) for k in range(n)]
    rng.shuffle(sizes)
    return sizes


def diurnal(t, amp=0.35):
    # more growth in the US/European afternoon-evening, mean 1 over a day
    return 1.0 + amp * math.sin(2 * math.pi * (t.hour - 12) / 24.0)


def ri(x):
    return int(round(x))


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def csv_text(header, rows):
    lines = [",".join(header)]
    for r in rows:
        lines.append(",".join(str(x) for x in r))
    return "\n".join(lines) + "\n"


def first_at_or_after(times, vals, i_from, threshold):
    for i in range(i_from, len(times)):
        if vals[i] >= threshold:
            return iso(times[i])
    return None


def handles(rng, n, sep="_"):
    adj = ["amber", "brisk", "cedar", "dusty", "ember", "fable", "gentle", "hazel",
           "indigo", "jolly", "kindred", "lunar", "misty", "nimble", "olive", "plum",
           "quiet", "rustic", "sunny", "tidal", "umber", "velvet", "wild", "zesty"]
    noun = ["atlas", "bakery", "canvas", "diner", "echo", "forge", "garden", "harbor",
            "island", "journal", "kitchen", "lantern", "meadow", "notes", "orchard",
            "pixel", "quarry", "rover", "studio", "trail", "valley", "workshop"]
    out = []
    while len(out) < n:
        h = rng.choice(adj) + sep + rng.choice(noun)
        if rng.random() < 0.3:
            h += str(rng.randint(2, 99))
        if h not in out:
            out.append(h)
    return out


# ------------------------------------------------------ 1. Instagram 2019

IG_NAMED = [
    # account, followers at 2019-02-13T14:00Z, following, designed follower loss,
    # designed following loss, daily trend
    ("arianagrande", 145_012_331, 612, 2_002_213, 37, 0.0007),
    ("kimkardashian", 126_101_220, 210, 1_900_216, 13, 0.0004),
    ("justinbieber", 104_093_562, 471, 1_703_880, 24, 0.0004),
    ("kyliejenner", 125_047_817, 142, 2_104_559, 9, 0.0005),
    ("selenagomez", 146_038_905, 49, 2_203_114, 3, 0.0003),
    ("jamescharles", 13_961_474, 1_043, 553_908, 58, 0.0025),
    ("itssteephh", 735_260, 1_147, 4_021, 100, 0.0005),
]

IG_ORDINARY = [
    "mossandmaple", "trailrunner.kate", "the_bread_lab", "kofi.films", "urbanfernery",
    "saltwater_sam", "nordic.knits", "bikesofbrooklyn", "tinyhousetales", "chef.amara",
    "lumen.studio", "pixelpaws", "desertbloom.co", "marco.climbs", "vintage_vinyl_vault",
    "yogawithlena", "streetfood.diaries", "the.plant.doctor", "aurora.skies",
    "coffee_and_code", "petra.paints", "wanderlust.wei", "harborlights", "miniature.worlds",
    "fitwithdre", "olive.and.thyme", "retro.rides", "skatepark.sessions", "quiet.reader",
    "monsoon.kitchen", "atelier.noor", "rooftop.garden", "snowline.photo", "bluebird.bakes",
    "hiking.hannah", "lofi.sketchbook", "ceramics.by.jo", "tidepool.science",
    "night.market.eats", "goldenhour.gabe", "woolandwillow", "citycyclist",
    "fernweh.travels", "jazz.cellar", "paper.cranes.co",
]


def make_instagram(out):
    rng = random.Random(20190213)
    times = grid("2019-02-01T00:00:00Z", "2019-02-20T23:00:00Z", 3600)
    idx = {t: i for i, t in enumerate(times)}
    i_start = idx[T("2019-02-13T14:00:00Z")]
    i_end = idx[T("2019-02-13T17:00:00Z")]
    i_rs = idx[T("2019-02-14T06:00:00Z")]
    i_re = idx[T("2019-02-14T12:00:00Z")]
    days_to_start = (times[i_start] - times[0]).total_seconds() / 86400.0

    assert len(IG_ORDINARY) == 45 and len(set(IG_ORDINARY)) == 45
    sizes = log_uniform_stratified(rng, 45, 200, 20_000_000)
    # the smallest-but-one stratum lands near 300; make sure one account is ~300
    k300 = min(range(45), key=lambda k: abs(math.log(sizes[k] / 300.0)))
    sizes[k300] = 300 + rng.randint(-15, 15)
    decliners = rng.sample([k for k in range(45) if k != k300], 3)
    unaffected = sorted(rng.sample([k for k in range(45) if k != k300], 7))

    specs = []  # dicts
    for name, size, fol, loss, floss, trend in IG_NAMED:
        specs.append(dict(account=name, size=size, following=fol, loss=loss,
                          floss=floss, trend=trend, named=True))
    for k, name in enumerate(IG_ORDINARY):
        size = sizes[k]
        trend = rng.uniform(-0.0005, -0.0001) if k in decliners else rng.uniform(0.0, 0.003)
        fol = ri(math.exp(rng.uniform(math.log(100), math.log(2000))))
        if k in unaffected:
            loss, floss = 0, 0
        else:
            loss = max(1, ri(size * rng.uniform(0.008, 0.03)))
            floss = max(1, ri(fol * rng.uniform(0.01, 0.10)))
        specs.append(dict(account=name, size=size, following=fol, loss=loss,
                          floss=floss, trend=trend, named=False))

    series = {}
    truth_aff, truth_unaff = [], []
    for s in specs:
        c0 = s["size"] / math.exp(s["trend"] * days_to_start)
        base, _ = organic(rng, c0, times, s["trend"], mult=diurnal)
        base = anchor(base, i_start, s["size"])
        fbase = following_path(rng, s["following"], times, 0.3, 0.12)
        a = rng.uniform(0.2, 0.55)
        b = min(0.92, rng.uniform(a + 0.15, 0.9))
        loss_cum = {i_start + 1: a, i_start + 2: b}
        r = rng.uniform(0.95, 1.0)
        p = rng.uniform(1.2, 2.6)
        n_rest = i_re - i_rs
        rest_cum = {i_rs + k: (1 - (1 - k / n_rest) ** p) for k in range(1, n_rest + 1)}

        def frac_lost(i, share):
            if i <= i_start:
                return 0.0
            if i < i_end:
                return loss_cum[i]
            if i <= i_rs:
                return 1.0
            if i < i_re:
                return 1.0 - share * rest_cum[i]
            return 1.0 - share

        fol_vals, fing_vals = [], []
        for i in range(len(times)):
            fol_vals.append(max(0, ri(base[i] - s["loss"] * frac_lost(i, r))))
            fing_vals.append(max(0, fbase[i] - ri(s["floss"] * frac_lost(i, 1.0))))
        series[s["account"]] = (fol_vals, fing_vals)

        before, after = fol_vals[i_start], fol_vals[i_end]
        rec = dict(
            account=s["account"],
            named=s["named"],
            designed_lost=s["loss"],
            designed_relative_loss=round(s["loss"] / s["size"], 6),
            designed_following_lost=s["floss"],
            loss_shape={iso(times[i_start + 1]): round(a, 4), iso(times[i_start + 2]): round(b, 4),
                        iso(times[i_end]): 1.0},
            designed_restored_share=round(r, 4),
            designed_restore_curve={iso(times[i]): round(r * rest_cum[i], 4)
                                    for i in range(i_rs + 1, i_re + 1)},
            before=before,
            after=after,
            observed_lost=before - after,
            observed_relative_loss=round((before - after) / before, 6) if before else None,
            following_before=fing_vals[i_start],
            following_after=fing_vals[i_end],
            observed_at_restore_end=fol_vals[i_re],
            observed_first_80pct_back=(first_at_or_after(times, fol_vals, i_end + 1,
                                                         after + 0.8 * (before - after))
                                       if before > after else None),
            daily_trend=round(s["trend"], 6),
            daily_noise_sd_at_start=round(sd_daily(s["size"]), 1),
        )
        if s["loss"] > 0:
            truth_aff.append(rec)
        else:
            truth_unaff.append(dict(account=s["account"], size=before, daily_trend=round(s["trend"], 6),
                                    change_14_to_17=after - before,
                                    following_before=fing_vals[i_start],
                                    following_after=fing_vals[i_end]))

    accounts = sorted(series)
    rows = []
    for i, t in enumerate(times):
        ts = iso(t)
        for a_ in accounts:
            rows.append((ts, a_, series[a_][0][i], series[a_][1][i]))
    write_text(os.path.join(out, "instagram-2019-02-13.csv"),
               csv_text(["timestamp", "account", "followers", "following"], rows))

    truth_aff.sort(key=lambda d: d["account"])
    truth_unaff.sort(key=lambda d: d["account"])
    n = len(accounts)
    truth = dict(
        file="instagram-2019-02-13.csv",
        rows=len(rows), accounts=n, snapshots_per_account=len(times), bucket_seconds=3600,
        first=iso(times[0]), last=iso(times[-1]),
        events=[dict(
            kind="platform_glitch", scope="platform", persistence="reverted",
            start=iso(times[i_start]), end=iso(times[i_end]),
            restoration_begins_after=iso(times[i_rs]), restoration_complete=iso(times[i_re]),
            cohort_size=n, accounts_affected=len(truth_aff),
            breadth=round(len(truth_aff) / n, 4),
            designed_followers_lost=sum(d["designed_lost"] for d in truth_aff),
            affected_accounts=[d["account"] for d in truth_aff],
            small_account_near_300=IG_ORDINARY[k300],
            unaffected_accounts=[d["account"] for d in truth_unaff],
            following_fell_in=len(truth_aff),
            notes=("Every affected account's following count falls too (1-10 %, itssteephh by "
                   "100) on the same schedule and is fully restored on the restoration "
                   "schedule. Followers: 95-100 % restored per account by 12:00Z; the "
                   "remainder stays lost."),
            affected=truth_aff,
            unaffected=truth_unaff,
        )],
        other_events=[],
    )
    write_json(os.path.join(out, "truth", "instagram-2019-02-13.json"), truth)
    return truth


# ------------------------------------------------------ 2. Twitter July 2018

TW_NAMED = [
    # username, id, name, followers at 2018-07-12T00Z, loss, share of loss by 07-13,
    # trend/day, following, tweets, tweets/day, listed
    ("twitter", "783214", "Twitter", 62_850_000, 7_700_000, 0.74, 0.0002, 24, 10_630, 1.5, 90_300),
    ("katyperry", "21447363", "KATY PERRY", 109_600_000, 2_800_000, 0.82, 0.0003, 215, 9_310, 1.2, 142_500),
    ("justinbieber", "27260086", "Justin Bieber", 106_700_000, 2_700_000, 0.71, 0.0003, 308_200, 30_710, 1.0, 556_000),
    ("barackobama", "813286", "Barack Obama", 103_700_000, 2_300_000, 1.0, 0.0005, 616_400, 15_620, 0.3, 225_300),
    ("rihanna", "79293791", "Rihanna", 89_000_000, 2_200_000, 1.0, 0.0003, 1_084, 10_420, 0.8, 118_900),
    ("taylorswift13", "17919972", "Taylor Swift", 85_000_000, 1_800_000, 1.0, 0.0002, 0, 104, 0.05, 98_100),
    ("ladygaga", "14230524", "Lady Gaga", 78_600_000, 2_500_000, 0.85, 0.0002, 127_100, 8_520, 0.6, 231_400),
    ("realdonaldtrump", "25073877", "Donald J. Trump", 53_400_000, 100_000, 1.0, 0.0006, 47, 38_120, 9.0, 99_600),
    ("britneyspears", "16409683", "Britney Spears", 58_500_000, 2_050_000, 1.0, 0.0002, 388_900, 5_830, 0.5, 162_700),
    ("jack", "12", "jack", 4_230_000, 200_000, 1.0, 0.0004, 4_230, 23_400, 4.0, 28_600),
    ("ukenyatta", "180463340", "Uhuru Kenyatta", 3_234_935, 16_071, 1.0, 0.0008, 191, 13_050, 2.0, 2_710),
]

TW_ORDINARY = [
    ("mkeller_dev", "Maya Keller"), ("riversidelib", "Riverside Library"),
    ("dr_okafor", "Dr. Chidi Okafor"), ("cafe_lumiere", "Café Lumière"),
    ("birdwatch_ed", "Ed Marsh \U0001F426"), ("lenapaints", "Lena Sørensen"),
    ("noodleguy88", "noodle guy"), ("wx_andrew", "Andrew Pike (Weather)"),
    ("bktenantunion", "Brooklyn Tenants Union"), ("sarah_codes", "Sarah Lin"),
    ("thebeekeeper", "The Beekeeper"), ("mathteachmo", "Mo Haddad"),
    ("k9_kobe", "Kobe the K9"), ("juliet_writes", "Juliet Amari"),
    ("gritty_rails", "Gritty Rails Podcast"), ("oakfield_fc", "Oakfield FC"),
    ("nightowlnews", "Night Owl News"), ("tomas_ruiz", "Tomás Ruiz"),
    ("quantum_quinn", "Quinn Adebayo"), ("hiker_hiro", "Hiro Tanaka"),
    ("the_soup_club", "The Soup Club"), ("vinylvic", "Vic Moreau"),
    ("local_wx_kc", "KC Weather Watch"), ("ferns_and_fog", "Ferns & Fog"),
    ("ana_dataviz", "Ana Petrova"), ("brassbandbeth", "Beth Okoye"),
    ("startup_sid", "Sid Rao"), ("moonlit_maps", "Moonlit Maps"),
    ("grandpa_gus", "Gus Lindqvist"),
]


def make_twitter(out):
    rng = random.Random(20180712)
    times = grid("2018-06-15T00:00:00Z", "2018-07-31T00:00:00Z", 86400)
    idx = {t: i for i, t in enumerate(times)}
    i0 = idx[T("2018-07-12T00:00:00Z")]
    i1, i2 = i0 + 1, i0 + 2
    days_to_i0 = (times[i0] - times[0]).total_seconds() / 86400.0
    assert len(TW_ORDINARY) == 29

    specs = []
    for (u, id_, name, size, loss, split, trend, fol, tw, twd, listed) in TW_NAMED:
        if size % 10_000 == 0:  # press figures are rounded; real counts are not
            size += rng.randint(-60_000, 60_000) if size > 10**7 else rng.randint(-6_000, 6_000)
        specs.append(dict(username=u, id=id_, name=name, size=size, loss=loss, split=split,
                          trend=trend, following=fol, tweets=tw, tweets_per_day=twd,
                          listed=listed, kind="named"))
    sizes = log_uniform_stratified(rng, 29, 200, 50_000)
    order = sorted(range(29), key=lambda k: sizes[k])
    mids = sorted(rng.sample([k for k in order if sizes[k] >= 3000], 5))
    rest = [k for k in range(29) if k not in mids]
    zero = sorted(rng.sample(rest, 3))
    decl = rng.sample(rest, 2)
    for k, (u, name) in enumerate(TW_ORDINARY):
        size = sizes[k]
        if k in mids:
            loss, kind = ri(size * rng.uniform(0.005, 0.03)), "mid"
        elif k in zero:
            loss, kind = 0, "unaffected"
        else:
            loss, kind = rng.randint(1, 4), "small"
        trend = rng.uniform(-0.0004, -0.0001) if k in decl else rng.uniform(0.0, 0.003)
        specs.append(dict(
            username=u, id=str(rng.randint(10**8, 10**18)), name=name, size=size, loss=loss,
            split=1.0, trend=trend,
            following=ri(math.exp(rng.uniform(math.log(80), math.log(2500)))),
            tweets=ri(math.exp(rng.uniform(math.log(150), math.log(60_000)))),
            tweets_per_day=rng.uniform(0.2, 25.0),
            listed=max(0, ri(size * rng.uniform(0.002, 0.02))), kind=kind))

    lines = []
    truth_acc = []
    for s in specs:
        c0 = s["size"] / math.exp(s["trend"] * days_to_i0)
        # The loss is permanent: it is applied inside the walk, so later growth
        # and noise act on the reduced count.
        first = ri(s["loss"] * s["split"])
        base, _ = organic(rng, c0, times, s["trend"], drops={i1: first, i2: s["loss"] - first})
        base = anchor(base, i0, s["size"])
        fol = [ri(v) for v in base]
        fing = following_path(rng, s["following"], times, 0.6 if s["kind"] != "named" else 0.3, 0.3)
        tweets, listed = [s["tweets"]], [s["listed"]]
        for i in range(1, len(times)):
            lam = s["tweets_per_day"]
            tweets.append(tweets[-1] + max(0, ri(rng.gauss(lam, math.sqrt(lam) + 0.3))))
            lr = s["listed"] * 0.0004
            listed.append(max(0, listed[-1] + ri(rng.gauss(lr, math.sqrt(lr) + 0.4))))
        for i, t in enumerate(times):
            obj = {
                "collected_at": iso(t),
                "id": s["id"],
                "username": s["username"],
                "name": s["name"],
                "public_metrics": {
                    "followers_count": fol[i],
                    "following_count": fing[i],
                    "tweet_count": tweets[i],
                    "listed_count": listed[i],
                },
            }
            lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        before, mid_, after = fol[i0], fol[i1], fol[i2]
        end_i = i1 if s["split"] >= 1.0 else i2
        truth_acc.append(dict(
            username=s["username"], id=s["id"], group=s["kind"],
            designed_lost=s["loss"],
            designed_relative_loss=round(s["loss"] / s["size"], 6),
            designed_lost_by_2018_07_13=first,
            end=iso(times[end_i]) if s["loss"] else None,
            before=before, at_2018_07_13=mid_, at_2018_07_14=after,
            observed_lost=before - fol[end_i],
            daily_trend=round(s["trend"], 6),
            daily_noise_sd=round(sd_daily(s["size"]), 1),
            loss_over_daily_sd=round(s["loss"] / sd_daily(s["size"]), 2),
        ))
    rng.shuffle(lines)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    write_bytes(os.path.join(out, "twitter-2018-07-locked.ndjson.gz"),
                gzip.compress(data, compresslevel=9, mtime=0))

    truth_acc.sort(key=lambda d: d["username"])
    aff = [d for d in truth_acc if d["designed_lost"] > 0]
    n = len(truth_acc)
    truth = dict(
        file="twitter-2018-07-locked.ndjson.gz",
        rows=len(lines), accounts=n, snapshots_per_account=len(times), bucket_seconds=86400,
        first=iso(times[0]), last=iso(times[-1]),
        account_field="username (id is also present)",
        followers_field="public_metrics.followers_count",
        following_field="public_metrics.following_count",
        events=[dict(
            kind="platform_purge", scope="platform", persistence="persistent",
            start=iso(times[i0]), end=iso(times[i2]),
            end_for_most_accounts=iso(times[i1]),
            accounts_completing_2018_07_14=[d["username"] for d in aff if d["end"] == iso(times[i2])],
            cohort_size=n, accounts_that_lost_followers=len(aff),
            breadth_of_designed_loss=round(len(aff) / n, 4),
            designed_followers_lost=sum(d["designed_lost"] for d in aff),
            accounts_that_lost_followers_list=[d["username"] for d in aff],
            accounts_not_touched=[d["username"] for d in truth_acc if d["designed_lost"] == 0],
            individually_clear=[d["username"] for d in aff
                                if d["loss_over_daily_sd"] >= 6 and d["designed_relative_loss"] >= 0.001],
            individually_invisible=[d["username"] for d in aff
                                    if d["loss_over_daily_sd"] < 6 or d["designed_relative_loss"] < 0.001],
            notes=("No recovery. 'individually_clear' = designed loss >= 6 daily noise sd and >= 0.1 %; "
                   "those are the accounts a detector should list as affected with default-like "
                   "settings (realdonaldtrump and ukenyatta are borderline by relative size: "
                   "0.19 % and 0.5 %). The small accounts lose 1-4 followers: invisible alone, "
                   "visible only as a cohort."),
            accounts_detail=truth_acc,
        )],
        other_events=[],
    )
    write_json(os.path.join(out, "truth", "twitter-2018-07-locked.json"), truth)
    return truth


# ------------------------------------------------------ 3. influencer purge

INF_OTHERS = [
    "coastal.cook", "fitbymarisol", "danny.dunks", "glowwithgrace", "urban.hiker",
    "bookish.bea", "thriftqueen.tx", "lens.by.luca", "sk8r.sol", "mindful.mina",
    "gearhead.gio", "tiny.apartment", "plantmom.priya", "dadjokes.dan", "brew.lab",
    "makeup.by.mei", "runner.rafa", "sewing.sophie", "travel.tariq", "chess.chloe",
    "street.eats.ny", "diy.dominic", "mountain.mara", "pup.pretzel", "vegan.vince",
    "comic.corner", "yoga.yuki", "retro.gamer.rob", "surf.sienna",
]


def make_influencer(out):
    rng = random.Random(20200415)
    times = grid("2020-03-01T00:00:00Z", "2020-05-31T00:00:00Z", 86400)
    idx = {t: i for i, t in enumerate(times)}
    i0 = idx[T("2020-04-15T00:00:00Z")]
    i1 = i0 + 1
    assert len(INF_OTHERS) == 29
    sizes = log_uniform_stratified(rng, 29, 1_500, 1_500_000)
    series = {}
    # someinfluencer: ~210k, growing, loses 23.5 % at step i1, then slower growth
    trend = lambda t: 0.0009 if t < times[i0] else 0.0004
    days = (times[i0] - times[0]).days
    base, removed = organic(rng, 210_180 / math.exp(0.0009 * days), times, trend,
                            shocks={i1: 0.235})
    base = anchor(base, i0, 210_180)
    f = following_path(rng, 1_850, times, 0.4, 0.2)
    series["someinfluencer"] = ([ri(v) for v in base], f)
    for k, name in enumerate(INF_OTHERS):
        tr = rng.uniform(-0.0003, -0.00005) if k % 10 == 7 else rng.uniform(0.0001, 0.0025)
        v, _ = organic(rng, sizes[k], times, tr)
        fo = following_path(rng, ri(math.exp(rng.uniform(math.log(150), math.log(2000)))), times)
        series[name] = ([ri(x) for x in v], fo)
    accounts = sorted(series)
    rows = [(iso(t), a, series[a][0][i], series[a][1][i])
            for i, t in enumerate(times) for a in accounts]
    write_text(os.path.join(out, "influencer-purge.csv"),
               csv_text(["timestamp", "account", "followers", "following"], rows))
    s = series["someinfluencer"]
    truth = dict(
        file="influencer-purge.csv", rows=len(rows), accounts=len(accounts),
        snapshots_per_account=len(times), bucket_seconds=86400,
        first=iso(times[0]), last=iso(times[-1]),
        events=[dict(
            kind="account_purge", scope="account", persistence="persistent",
            start=iso(times[i0]), end=iso(times[i1]), recovered_at=None,
            accounts=[dict(account="someinfluencer", designed_lost=removed[i1],
                           designed_relative_loss=round(removed[i1] / base[i0], 6),
                           before=s[0][i0], after=s[0][i1], observed_lost=s[0][i0] - s[0][i1],
                           observed_relative_loss=round((s[0][i0] - s[0][i1]) / s[0][i0], 6),
                           following_before=s[1][i0], following_after=s[1][i1],
                           at_end_of_data=s[0][-1])],
            notes="Following count does not move (a purge, not a platform fault). "
                  "Growth resumes at ~0.04 %/day from the lower level.",
        )],
        other_events=[],
    )
    write_json(os.path.join(out, "truth", "influencer-purge.json"), truth)
    return truth


# ------------------------------------------------------ 4. quiet + viral

def make_quiet_viral(out):
    rng = random.Random(20210101)
    times = grid("2021-01-01T00:00:00Z", "2021-03-31T18:00:00Z", 6 * 3600)
    idx = {t: i for i, t in enumerate(times)}
    names = handles(rng, 40)
    sizes = log_uniform_stratified(rng, 40, 500, 5_000_000)
    order = sorted(range(40), key=lambda k: sizes[k])
    # viral: pick among small/mid accounts; decliners among the rest
    viral_pool = [k for k in order if 2_000 <= sizes[k] <= 800_000]
    viral = rng.sample(viral_pool, 3)
    viral_spec = [  # jump, start, steps (6h each)
        (0.20, "2021-01-19T06:00:00Z", 4),
        (1.20, "2021-02-08T12:00:00Z", 8),
        (3.00, "2021-03-05T00:00:00Z", 8),
    ]
    decliners = rng.sample([k for k in range(40) if k not in viral], 3)
    slot = {0: 0.6, 6: 0.9, 12: 1.4, 18: 1.1}
    series, truth_viral, truth_decl = {}, [], []
    for k, name in enumerate(names):
        wk = rng.uniform(0.3, 2.0)
        def mult(t, wk=wk):
            w = wk if t.weekday() >= 5 else 1.0
            return w * slot[t.hour]
        factors, rate = {}, None
        if k in decliners:
            rate = -0.0005
        else:
            rate = rng.uniform(0.0002, 0.003)
        if k in viral:
            jump, start, steps = viral_spec[viral.index(k)]
            i_v = idx[T(start)]
            weights = [math.sin(math.pi * (j + 0.5) / steps) for j in range(steps)]
            tot = sum(weights)
            for j in range(steps):
                factors[i_v + 1 + j] = (1.0 + jump) ** (weights[j] / tot)
            t_end = times[i_v + steps]
            base_rate = rate
            rate = (lambda t, br=base_rate, te=t_end:
                    br + (0.004 * math.exp(-(t - te).total_seconds() / (7 * 86400)) if t >= te else 0.0))
        v, _ = organic(rng, sizes[k], times, rate, mult=mult, factors=factors)
        vals = [ri(x) for x in v]
        fo = following_path(rng, ri(math.exp(rng.uniform(math.log(100), math.log(2500)))), times)
        series[name] = (vals, fo)
        if k in viral:
            jump, start, steps = viral_spec[viral.index(k)]
            i_v = idx[T(start)]
            truth_viral.append(dict(account=name, designed_jump=jump, start=start,
                                    end=iso(times[i_v + steps]),
                                    before=vals[i_v], after=vals[i_v + steps]))
        if k in decliners:
            truth_decl.append(dict(account=name, daily_trend=-0.0005,
                                   first=vals[0], last=vals[-1]))
    # self-check: no step falls by more than 4.5 noise sd beyond trend (no events)
    worst = 0.0
    for name in names:
        v = series[name][0]
        for i in range(1, len(v)):
            z = (v[i] - v[i - 1]) / (sd_daily(v[i - 1]) * 0.5)
            worst = min(worst, z)
    assert worst > -5.0, worst
    accounts = sorted(series)
    rows = [(iso(t), a, series[a][0][i], series[a][1][i])
            for i, t in enumerate(times) for a in accounts]
    write_text(os.path.join(out, "quiet-viral.csv"),
               csv_text(["timestamp", "account", "followers", "following"], rows))
    truth = dict(
        file="quiet-viral.csv", rows=len(rows), accounts=len(accounts),
        snapshots_per_account=len(times), bucket_seconds=6 * 3600,
        first=iso(times[0]), last=iso(times[-1]),
        events=[],
        expected_exit_status=0,
        normal_life=dict(
            viral_jumps=sorted(truth_viral, key=lambda d: d["start"]),
            slow_decline=sorted(truth_decl, key=lambda d: d["account"]),
            weekly_rhythm="per-account weekend trend multiplier in [0.3, 2.0]",
            daily_rhythm="trend multiplier by UTC hour {00: 0.6, 06: 0.9, 12: 1.4, 18: 1.1}",
            worst_single_step_in_noise_sd=round(worst, 2),
        ),
    )
    write_json(os.path.join(out, "truth", "quiet-viral.json"), truth)
    return truth


# ------------------------------------------------------ 5. per-account files

PA_SPECS = [
    # file stem, followers on 2019-01-01, daily trend, p(short gap), max long gap (days), dups
    ("berniesanders", 9_620_000, 0.0006, 0.15, 6.0, 3),
    ("nasa", 30_450_000, 0.0004, 0.15, 7.0, 2),
    ("nytimes", 42_080_000, 0.0002, 0.20, 6.0, 4),
    ("bbcbreaking", 39_810_000, 0.0003, 0.08, 9.0, 2),
    ("cnn", 40_630_000, 0.00025, 0.12, 8.0, 3),
    ("smallbakery", 912, 0.0005, 0.05, 9.0, 2),
]


def make_per_account(out):
    rng = random.Random(20190610)
    t_first_day = T("2019-01-01T00:00:00Z")
    t_stop = T("2019-12-31T23:59:59Z")
    purge_t = T("2019-06-10T14:20:00Z")
    truth_files, events = [], []
    for stem, c0, trend, p_short, gmax, ndup in PA_SPECS:
        times = [t_first_day + timedelta(seconds=rng.randint(0, 86399))]
        while True:
            if rng.random() < p_short:
                g = rng.randint(3600, 86400)
            else:
                g = rng.randint(86400, int(gmax * 86400))
            nt = times[-1] + timedelta(seconds=g)
            if nt > t_stop:
                break
            times.append(nt)
        if times[-1] < T("2019-12-31T00:00:00Z"):
            times.append(T("2019-12-31T00:00:00Z") + timedelta(seconds=rng.randint(0, 86399)))
        if stem == "nytimes":
            # make sure the archive caught the account on both sides of the purge day
            for lo, hi in (("2019-06-09T12:00:00Z", "2019-06-10T10:00:00Z"),
                           ("2019-06-10T19:00:00Z", "2019-06-11T18:00:00Z")):
                if not any(T(lo) <= t <= T(hi) for t in times):
                    cand = T(lo) + timedelta(seconds=rng.randint(0, int((T(hi) - T(lo)).total_seconds())))
                    if all(abs((cand - t).total_seconds()) >= 3600 for t in times):
                        times.append(cand)
            times.sort()
        gaps = [(times[i] - times[i - 1]).total_seconds() for i in range(1, len(times))]
        assert min(gaps) >= 3600 and max(gaps) <= 9 * 86400, (stem, min(gaps), max(gaps))
        assert 60 <= len(times) <= 150, (stem, len(times))
        shocks = {}
        if stem == "nytimes":
            i_after = next(i for i, t in enumerate(times) if t > purge_t)
            shocks = {i_after: 0.08}
        if c0 > 10**6:  # avoid a suspiciously round first count
            c0 += rng.randint(-40_000, 40_000)
        v, removed = organic(rng, c0, times, trend, shocks=shocks)
        vals = [ri(x) for x in v]
        rows = [(t.strftime("%Y-%m-%d %H:%M:%S"), vals[i]) for i, t in enumerate(times)]
        dup_idx = sorted(rng.sample(range(1, len(rows) - 1), ndup))
        out_rows = []
        for i, r in enumerate(rows):
            out_rows.append(r)
            if i in dup_idx:
                out_rows.append(r)
        write_text(os.path.join(out, "per-account", stem + ".csv"),
                   csv_text(["date", "followers_count"], out_rows))
        truth_files.append(dict(file="per-account/%s.csv" % stem, account=stem,
                                rows=len(out_rows), distinct_snapshots=len(rows),
                                exact_duplicates=ndup,
                                duplicated_times=[rows[i][0] for i in dup_idx],
                                first=rows[0][0], last=rows[-1][0],
                                followers_first=vals[0], followers_last=vals[-1],
                                min_gap_seconds=int(min(gaps)), max_gap_seconds=int(max(gaps))))
        if shocks:
            (i1,) = shocks
            events.append(dict(
                kind="account_purge", scope="account", persistence="persistent",
                kind_if_file_scanned_alone="purge (scope unknown: cohort of 1)",
                purge_instant="2019-06-10T14:20:00Z (between snapshots)",
                start=iso(times[i1 - 1]), end=iso(times[i1]), recovered_at=None,
                accounts=[dict(account=stem, designed_lost=removed[i1],
                               designed_relative_loss=round(removed[i1] / v[i1 - 1], 6),
                               before=vals[i1 - 1], after=vals[i1],
                               observed_lost=vals[i1 - 1] - vals[i1],
                               observed_relative_loss=round((vals[i1 - 1] - vals[i1]) / vals[i1 - 1], 6),
                               gap_before_hours=round((times[i1] - times[i1 - 1]).total_seconds() / 3600, 2))]))
    truth = dict(
        folder="per-account/", time_format="YYYY-MM-DD HH:MM:SS (UTC, no offset)",
        columns=["date", "followers_count"], account_from="file stem",
        files=truth_files,
        events=events,
        notes=("Scanned together (all six files) the cohort is 6 accounts and the nytimes "
               "drop is account-specific (the other five are quiet). Each duplicated row is an "
               "exact copy placed directly after the original; expect a duplicate_snapshot "
               "warning with count = %d for all six files." % sum(f["exact_duplicates"] for f in truth_files)),
    )
    write_json(os.path.join(out, "truth", "per-account.json"), truth)
    return truth


# ------------------------------------------------------ 6. three accounts

def make_three(out):
    rng = random.Random(20220201)
    times = grid("2022-01-01T00:00:00Z", "2022-02-28T00:00:00Z", 86400)
    idx = {t: i for i, t in enumerate(times)}
    i0 = idx[T("2022-02-01T00:00:00Z")]
    i1 = i0 + 1
    specs = [("lonely", 8_420, 0.0010, 640, {i1: 0.15}),
             ("steady_eddie", 52_300, 0.0006, 1_210, {}),
             ("quietcorner", 1_310, 0.0004, 380, {})]
    series, removed_l, base_l = {}, None, None
    for name, c0, tr, fo, sh in specs:
        v, removed = organic(rng, c0, times, tr, shocks=sh)
        series[name] = ([ri(x) for x in v], following_path(rng, fo, times))
        if sh:
            removed_l, base_l = removed[i1], v[i0]
    accounts = sorted(series)
    rows = [(iso(t), a, series[a][0][i], series[a][1][i])
            for i, t in enumerate(times) for a in accounts]
    write_text(os.path.join(out, "three-accounts.csv"),
               csv_text(["timestamp", "account", "followers", "following"], rows))
    s = series["lonely"]
    truth = dict(
        file="three-accounts.csv", rows=len(rows), accounts=3,
        snapshots_per_account=len(times), bucket_seconds=86400,
        first=iso(times[0]), last=iso(times[-1]),
        events=[dict(kind="purge", scope="unknown", persistence="persistent",
                     why_unknown="cohort of 3 accounts is below any sensible --min-cohort (5)",
                     start=iso(times[i0]), end=iso(times[i1]), recovered_at=None,
                     accounts=[dict(account="lonely", designed_lost=removed_l,
                                    designed_relative_loss=round(removed_l / base_l, 6),
                                    before=s[0][i0], after=s[0][i1],
                                    observed_lost=s[0][i0] - s[0][i1])])],
        other_events=[],
    )
    write_json(os.path.join(out, "truth", "three-accounts.json"), truth)
    return truth


# ------------------------------------------------------ 7. end of data

def make_end_of_data(out):
    rng = random.Random(20230510)
    times = grid("2023-05-01T00:00:00Z", "2023-05-10T23:00:00Z", 3600)
    idx = {t: i for i, t in enumerate(times)}
    i0 = idx[T("2023-05-10T18:00:00Z")]
    i1 = i0 + 1
    names = handles(rng, 12, sep=".")
    sizes = log_uniform_stratified(rng, 12, 1_000, 3_000_000)
    series, aff = {}, []
    for k, name in enumerate(names):
        frac = rng.uniform(0.02, 0.04)
        tr = rng.uniform(0.0002, 0.0025)
        v, removed = organic(rng, sizes[k], times, tr, mult=diurnal, shocks={i1: frac})
        vals = [ri(x) for x in v]
        series[name] = (vals, following_path(rng, ri(math.exp(rng.uniform(math.log(100), math.log(2000)))),
                                             times, 0.3, 0.12))
        aff.append(dict(account=name, designed_lost=removed[i1],
                        designed_relative_loss=round(removed[i1] / v[i0], 6),
                        before=vals[i0], after=vals[i1], observed_lost=vals[i0] - vals[i1],
                        following_before=series[name][1][i0], following_after=series[name][1][i1]))
    accounts = sorted(series)
    rows = [(iso(t), a, series[a][0][i], series[a][1][i])
            for i, t in enumerate(times) for a in accounts]
    write_text(os.path.join(out, "end-of-data.csv"),
               csv_text(["timestamp", "account", "followers", "following"], rows))
    aff.sort(key=lambda d: d["account"])
    truth = dict(
        file="end-of-data.csv", rows=len(rows), accounts=12,
        snapshots_per_account=len(times), bucket_seconds=3600,
        first=iso(times[0]), last=iso(times[-1]),
        events=[dict(kind="platform_drop", scope="platform", persistence="undetermined",
                     why_undetermined="data ends 4 snapshots (4 h) after the drop, "
                                      "far inside any sensible recovery window; no recovery in those 4 h",
                     start=iso(times[i0]), end=iso(times[i1]), recovered_at=None,
                     cohort_size=12, accounts_affected=12, breadth=1.0,
                     designed_followers_lost=sum(d["designed_lost"] for d in aff),
                     affected_accounts=[d["account"] for d in aff],
                     accounts=aff,
                     notes="Following counts are not touched by this drop.")],
        other_events=[],
    )
    write_json(os.path.join(out, "truth", "end-of-data.json"), truth)
    return truth


# ------------------------------------------------------ 8. malformed files

def make_bad(out):
    d = os.path.join(out, "bad")
    H = "timestamp,account,followers,following\n"
    files = {}

    def w(name, text, expect):
        write_text(os.path.join(d, name), text)
        files[name] = expect

    w("missing-followers.csv",
      "timestamp,account,likes\n"
      "2019-02-03T08:00:00Z,alpha,120\n"
      "2019-02-03T09:00:00Z,alpha,131\n"
      "2019-02-03T08:00:00Z,beta,18\n",
      dict(error="missing required column: followers",
           must_mention=["columns found: timestamp, account, likes", "accepted names"]))
    w("bad-time.csv",
      H + "2019-02-03T08:00:00Z,alpha,1020,300\n"
          "2019-02-03T09:00:00Z,alpha,1021,300\n"
          "2019-02-3x 10:00,alpha,1022,300\n"
          "2019-02-03T11:00:00Z,alpha,1022,300\n",
      dict(error="unparseable time", line=4, field="timestamp", value="2019-02-3x 10:00"))
    w("bad-count.csv",
      H + "2019-02-03T08:00:00Z,alpha,1020,300\n"
          "2019-02-03T09:00:00Z,alpha,12a4,300\n"
          "2019-02-03T10:00:00Z,alpha,1022,300\n",
      dict(error="invalid count", line=3, field="followers", value="12a4"))
    w("negative-count.csv",
      H + "2019-02-03T08:00:00Z,alpha,1020,300\n"
          "2019-02-03T08:00:00Z,beta,15,40\n"
          "2019-02-03T09:00:00Z,alpha,1021,300\n"
          "2019-02-03T09:00:00Z,beta,-12,40\n"
          "2019-02-03T10:00:00Z,alpha,1022,300\n",
      dict(error="negative count", line=5, field="followers", value="-12"))
    w("empty.csv", "", dict(error="empty input (no header)", line=None))
    w("header-only.csv", H, dict(error="no data rows (header only)", line=1,
                                 note="an error (exit 2) or, if documented, an empty scan (exit 0)"))
    good = H + "".join("2019-02-03T%02d:00:00Z,alpha,%d,300\n" % (h, 1020 + h) for h in range(24))
    write_bytes(os.path.join(d, "corrupt.csv.gz"), gzip.compress(good.encode(), 9, mtime=0)[:40])
    files["corrupt.csv.gz"] = dict(error="truncated / corrupt gzip stream",
                                   note="first 40 bytes of a valid gzip of a 25-line CSV")
    w("not-gzip.csv.gz", good[:200].rsplit("\n", 1)[0] + "\n",
      dict(error="not gzip data (bad magic bytes) although the name ends in .gz", line=None))
    bad_obj = '  {"timestamp": "2019-02-03T10:00:00Z", "account": "alpha" "followers": 1022},'
    w("bad-json.json",
      "[\n"
      '  {"timestamp": "2019-02-03T08:00:00Z", "account": "alpha", "followers": 1020},\n'
      '  {"timestamp": "2019-02-03T09:00:00Z", "account": "alpha", "followers": 1021},\n'
      + bad_obj + "\n"
      '  {"timestamp": "2019-02-03T11:00:00Z", "account": "alpha", "followers": 1023}\n'
      "]\n",
      dict(error="JSON syntax error in the 3rd object (missing comma before \"followers\")",
           line=4, column=bad_obj.index('"followers"') + 1))
    w("bad-line.ndjson",
      '{"timestamp": "2019-02-03T08:00:00Z", "account": "alpha", "followers": 1020}\n'
      '{"timestamp": "2019-02-03T09:00:00Z", "account": "alpha", "followers": 1021}\n'
      '{"timestamp": "2019-02-03T10:00:00Z", "account": "alpha", "follow\n'
      '{"timestamp": "2019-02-03T11:00:00Z", "account": "alpha", "followers": 1023}\n',
      dict(error="line 3 is not JSON (truncated object)", line=3))
    truth = dict(folder="bad/", expected_exit_status=2,
                 rule="each file must fail with exit 2 and a message naming the file and, "
                      "where given, the line and field",
                 files=files)
    write_json(os.path.join(out, "truth", "bad.json"), truth)
    return truth


# ------------------------------------------------------ 9. nasty rows

def make_nasty(out):
    """A scraper's export as a new user might meet it: six accounts hourly
    over two days (two of them with hostile names, and both losing a quarter
    of their followers), with deliberately nasty rows mixed in.  Each nasty
    row is listed in truth/nasty.json with what it must produce: read (and
    as what) or rejected (the field, the value as the message shows it, and
    words of the problem).  Written as bytes: some rows are not UTF-8."""
    rng = random.Random(20240101)
    times = grid("2024-01-01T00:00:00Z", "2024-01-02T23:00:00Z", 3600)
    formula = '=HYPERLINK("http://x.example","click")'
    escape = "\x1b[2J\x1b[31mred"
    specs = [("alice", 1_200, {}), ("bob", 54_000, {}), (formula, 23_000, {30: 0.25}),
             ("dave", 880_000, {}), (escape, 7_000, {20: 0.25}), ("frank", 310, {})]
    series = {}
    for name, c0, shocks in specs:
        v, _ = organic(rng, c0, times, 0.001, shocks=shocks)
        series[name] = [ri(x) for x in v]

    def cell(name):
        return '"%s"' % name.replace('"', '""') if ('"' in name or "," in name) else name

    good = [(b"%s,%s,%d,%d" % (iso(t).encode(), cell(a).encode(), series[a][i], 100 + (i % 3)))
            for i, t in enumerate(times) for a, _, _ in specs]

    R = "rejected"
    nasty = [
        # (bytes, defect, expectation)
        (b"2024-01-01T06:00:00Z,alice,12\x0034,100", "a NUL byte inside a count",
         dict(outcome=R, field="followers", shown='"12\\u{0}34"', problem="expected a whole number")),
        (b"", "an empty line", dict(outcome="skipped")),
        (b"2024-01-01T07:00:00Z,alice,-5,100", "a negative count",
         dict(outcome=R, field="followers", shown='"-5"', problem="a count cannot be negative")),
        (b"2024-01-01T07:00:00Z,alice,1,234,100", "a thousands separator in an unquoted count (one field too many)",
         dict(outcome=R, field=None, shown=None, problem="expected 4 fields as in the header, found 5")),
        (b'2024-01-01T07:00:00Z,gina,"54,021",100', "a quoted count with a thousands separator",
         dict(outcome="read", note="54021 followers")),
        (b"2024-01-01T08:00:00Z,gina,54021.0,100", "a count with a zero fraction",
         dict(outcome="read", note="54021 followers")),
        (b"2024-01-01T08:00:00Z,bob,54021.5,100", "a count with a fraction",
         dict(outcome=R, field="followers", shown='"54021.5"', problem="expected a whole number")),
        (b"2024-01-01T15:45:00+05:45,gina,54022,100", "a time with an odd offset (Nepal, +05:45)",
         dict(outcome="read", note="2024-01-01T10:00:00Z")),
        (b"2024-01-01T07:00:00+25:00,frank,310,100", "an offset of 25 hours",
         dict(outcome=R, field="time", shown='"2024-01-01T07:00:00+25:00"', problem="offset")),
        (b"   ", "a line of spaces", dict(outcome="skipped")),
        (b"2024-01-01T09:00:00Z,frank,99999999999999999999,100", "a count beyond u64",
         dict(outcome=R, field="followers", shown='"99999999999999999999"', problem="count too large")),
        (b"2024-01-01T09:00:00Z,,310,100", "an empty account name",
         dict(outcome=R, field="account", shown='""', problem="an account name cannot be empty")),
        (b"2024-01-01T09:00:00Z,frank,,100", "an empty follower count",
         dict(outcome="missing", note="a missing snapshot (hidden or not collected), counted in a missing_count warning")),
        (b"2024-01-01T11:00:00Z,gina,54023,", "an empty following count",
         dict(outcome="read", note="following not collected")),
        (b"2024-02-30T07:00:00Z,frank,310,100", "February 30",
         dict(outcome=R, field="time", shown='"2024-02-30T07:00:00Z"', problem="no such date or time")),
        (b"10000-01-01T00:00:00Z,frank,310,100", "the year 10000",
         dict(outcome=R, field="time", shown='"10000-01-01T00:00:00Z"', problem="0001 to 9999")),
        (b"timestamp,account,followers,following", "the header again (files joined with cat)",
         dict(outcome="skipped", note="counted in a repeated_header warning")),
        (b"2024-01-01T11:00:00Z,frank,310", "a missing field",
         dict(outcome=R, field=None, shown=None, problem="expected 4 fields as in the header, found 3")),
        (b"<html><body>429 Too Many Requests</body></html>", "an HTML error page where a row should be",
         dict(outcome=R, field=None, shown=None, problem="expected 4 fields as in the header, found 1")),
        (b"2024-01-01T11:00:00Z,frank,1e3,100", "a count in exponent form",
         dict(outcome=R, field="followers", shown='"1e3"', problem="expected a whole number")),
        ("2024-01-01T11:00:00Z,frank,３１１,100".encode(), "a count in full-width digits",
         dict(outcome=R, field="followers", shown='"３１１"', problem="expected a whole number")),
        (b"2024-01-01T12:00:00Z,frank,3\xb011,100", "a Latin-1 byte inside a count",
         dict(outcome=R, field="followers", shown=None, problem="not valid UTF-8")),
        (b"2024-01-01T12:00:00Zjunk,frank,311,100", "trailing garbage after a time",
         dict(outcome=R, field="time", shown='"2024-01-01T12:00:00Zjunk"', problem="expected RFC 3339")),
        (b"2024-01-01T05:00:00Z,caf\xe9,1000,10", "an account name in Latin-1, not UTF-8",
         dict(outcome="read", note="named caf\ufffd, counted in an invalid_utf8 warning")),
        (b"2024-01-01T05:00:00Z,+cmd|' /C calc'!A0,1000,10", "a name a spreadsheet would run (+)",
         dict(outcome="read", note="neutralised with ' in CSV reports")),
        (b"2024-01-01T05:00:00Z,@SUM(1+1),1000,10", "a name a spreadsheet would run (@)",
         dict(outcome="read", note="neutralised with ' in CSV reports")),
        (b"2024-01-01T05:00:00Z,nul\x00name,1000,10", "a NUL byte inside a name",
         dict(outcome="read", note="shown as U+FFFD in the text report, \\u0000 in JSON")),
        ("2024-01-01T05:00:00Z,\u202eevil,1000,10".encode(), "a right-to-left override (U+202E) in a name",
         dict(outcome="read", note="kept as is in every report (not a control character)")),
        (b"2024-01-01T15:00:00Z,  gina  ,54026,100", "spaces around a name",
         dict(outcome="read", note="read as gina")),
        (b"2024-01-01 13:00,gina,54024,100", "a time without a zone", dict(outcome="read", note="read in UTC")),
        (b"1704117600000,gina,54025,100", "a time in epoch milliseconds",
         dict(outcome="read", note="2024-01-01T14:00:00Z")),
        (b"2024-01-01T05:00:00Z," + b"x" * 300 + b",1000,10", "a 300-character name",
         dict(outcome="read", note="no limit on a name's length; the text report's tables cut names to their column")),
    ]
    lines = [b"timestamp,account,followers,following"]
    expect = []
    every = len(good) // (len(nasty) + 1)
    k = 0
    for i, row in enumerate(good):
        lines.append(row)
        if (i + 1) % every == 0 and k < len(nasty):
            raw, defect, x = nasty[k]
            lines.append(raw)
            expect.append(dict(line=len(lines), defect=defect, **x))
            k += 1
    assert k == len(nasty)
    # The file ends in the middle of a row, as an interrupted download does.
    lines.append(b"2024-01-02T23:00:00Z,frank,3")
    expect.append(dict(line=len(lines), defect="a truncated last line (no newline, a field missing)",
                       outcome=R, field=None, shown=None, problem="expected 4 fields as in the header, found 3"))
    write_bytes(os.path.join(out, "nasty", "nasty.csv"), b"\n".join(lines))
    rejected = [e for e in expect if e["outcome"] == R]
    read = [e for e in expect if e["outcome"] == "read"]
    truth = dict(
        file="nasty/nasty.csv",
        good_rows=len(good), accounts_in_good_rows=[a for a, _, _ in specs],
        rows=expect,
        strict=dict(exit_status=2, first_rejected_line=rejected[0]["line"]),
        skip=dict(exit_status=1, invalid_records=len(rejected), rows_read=len(good) + len(read),
                  missing_counts=len([e for e in expect if e["outcome"] == "missing"]),
                  events=["account drop of %s at %s" % (formula, iso(times[30])),
                          "account drop of the ESC-named account at %s" % iso(times[20])]),
        notes="Rows are 1-based lines, the header is line 1. 'shown' is the value as the error "
              "message quotes it; 'problem' words the message must contain.",
    )
    # Stray quotes, apart: a quote inside an unquoted field (`ali"ce`, which
    # CSV readers take literally) must not swallow the lines after it, and a
    # quote that opens a field and never closes must be an error naming its
    # line.
    q_times = grid("2024-01-01T00:00:00Z", "2024-01-01T23:00:00Z", 3600)
    q_lines = [b"timestamp,account,followers,following"]
    q_rows = 0
    q_expect = []
    for i, t in enumerate(q_times):
        for a, c in (("alice", 1_200), ("bob", 54_000), ("carol", 310)):
            q_lines.append(b"%s,%s,%d,100" % (iso(t).encode(), a.encode(), c + i))
            q_rows += 1
        if i == 6:
            q_lines.append(b"2024-01-01T06:30:00Z,ali\"ce,1200,100")
            q_expect.append(dict(line=len(q_lines), defect="a quote inside an unquoted field",
                                 outcome="read", note='an account named ali"ce; the lines after it are read as usual'))
        if i == 20:
            q_lines.append(b'2024-01-01T20:30:00Z,"bob,54020,100')
            q_expect.append(dict(line=len(q_lines), defect="a quote that opens a field and is never closed",
                                 outcome=R, field=None, shown=None, problem="never closed"))
    write_bytes(os.path.join(out, "nasty", "stray-quotes.csv"), b"\n".join(q_lines) + b"\n")
    truth["stray_quotes"] = dict(
        file="nasty/stray-quotes.csv", good_rows=q_rows, rows=q_expect,
        strict=dict(exit_status=2, first_rejected_line=q_expect[1]["line"]),
        skip=dict(exit_status=0, invalid_records=1, rows_read=q_rows + 1),
    )
    write_json(os.path.join(out, "truth", "nasty.json"), truth)
    return truth


# ------------------------------------------------------ README

def fmt(n):
    return "{:,}".format(n)


def make_readme(out, ig, tw, inf, qv, pa, three, eod, bad, nasty):
    e = ig["events"][0]
    te = tw["events"][0]
    L = []
    a = L.append
    a("# followdrop test fixtures\n")
    a("Generated by `scripts/make_fixtures.py` (Python 3.11 standard library, fixed seeds). "
      "Re-running it rewrites every file byte for byte; do not edit the files by hand — "
      "change the script and re-run it. The designed truth of every fixture is in "
      "`truth/<name>.json` (written by the same run, so it always matches the data). "
      "This README is also written by the script.\n")
    a("## Common noise model (all series are synthetic)\n")
    a("Counts are integers from a random walk: each change between snapshots is "
      "`count × trend_per_day × Δt_days × rhythm + N(0, sd_daily(count) × √Δt_days)` with "
      "`sd_daily(count) = max(0.5, 0.02 × count^0.75)` — about ±1–1.5 followers a day at "
      "200–300 followers, ±600 a day at 1M, ±20–26k a day at 100–145M. The walk is kept in "
      "floating point and rounded on output, so a 300-follower account usually shows 0 change "
      "from one hour to the next and ±1 now and then (a robust spread of its hourly "
      "increments can be 0). Trends are 0–0.3 %/day growth, a few accounts decline "
      "slowly. Hourly files add a daily rhythm to the trend (growth peaks around 18:00 UTC). "
      "Counts never go negative. Following counts change by ±1 now and then.\n")
    a("Times are RFC 3339 UTC (`2019-02-13T14:00:00Z`) except in `per-account/`.\n")

    a("## 1. `instagram-2019-02-13.csv` — platform glitch, reverted\n")
    a("Shape: CSV `timestamp,account,followers,following`, hourly, %s → %s, %d accounts × %d "
      "snapshots = %s rows, in time order (accounts alphabetical within a timestamp)." %
      (ig["first"], ig["last"], ig["accounts"], ig["snapshots_per_account"], fmt(ig["rows"])) + "\n")
    a("Source: reconstructed from the seed article `/work/shared/seeds/instagram-follower-glitch-2019-02-13.txt` "
      "(press report dated 2019-02-14): Justin Bieber −1.7M, Kim Kardashian −1.9M, Ariana Grande "
      "145M → 143M, Kylie Jenner and Selena Gomez each more than −2M, James Charles (nearly 14M) "
      "\"over half a million\", Stephanie Duran (@ItsSteephh) \"like 4K\" and her *following* count "
      "falling by \"like 100\" within minutes, accounts with a couple of hundred followers hit too, "
      "and Instagram calling it a glitch (later restored).\n")
    a("Reconstructed vs invented: the seven named accounts' approximate sizes and losses follow "
      "the article; exact counts, their following counts, growth trends, the hour-by-hour shape "
      "of the loss and of the restoration, and the timing (14:00–17:00Z on 13 Feb, restoration "
      "06:00–12:00Z on 14 Feb) are invented to be plausible — the article gives no hours. "
      "@itssteephh's follower count is not in the article; 735k was chosen so that her 4k loss is "
      "~0.55 % designed (0.52 % observed with noise: just above a 0.5 % `--min-drop`). The 45 ordinary accounts (log-uniform 200–20M, "
      "following 100–2,000) and all their numbers are synthetic.\n")
    a("**Designed truth:** one `platform_glitch` (scope `platform`, persistence `reverted`), "
      "start `%s` (last clean snapshot), end `%s` (first snapshot with the full loss; partial "
      "loss visible at 15:00 and 16:00). Affected: %d of %d accounts (breadth %.4f); designed "
      "followers lost %s. Each affected account loses a fixed amount (ordinary: 0.8–3 %% of "
      "followers; the ~300-follower account `%s` loses %d) and its following count falls by "
      "1–10 %% on the same schedule. Restoration: no change until `%s`, then followers come "
      "back hour by hour (concave curve, most of it early) until `%s`, when 95–100 %% of each "
      "account's loss is back (the rest stays lost); following counts are fully restored. "
      "Observed 80 %%-back times (noise included; `observed_first_80pct_back` in the truth "
      "file) are %s to %s for all but %s, whose few lost followers are blurred by noise "
      "(they reach 80 %% only at %s)." %
      (e["start"], e["end"], e["accounts_affected"], e["cohort_size"], e["breadth"],
       fmt(e["designed_followers_lost"]),
       e["small_account_near_300"],
       next(d["designed_lost"] for d in e["affected"] if d["account"] == e["small_account_near_300"]),
       e["restoration_begins_after"], e["restoration_complete"],
       min(d["observed_first_80pct_back"] for d in e["affected"]),
       max(d["observed_first_80pct_back"] for d in e["affected"]
           if d["observed_first_80pct_back"] <= e["restoration_complete"]),
       ", ".join("`%s` (%d lost)" % (d["account"], d["observed_lost"]) for d in e["affected"]
                 if d["observed_first_80pct_back"] > e["restoration_complete"]),
       ", ".join(d["observed_first_80pct_back"] for d in e["affected"]
                 if d["observed_first_80pct_back"] > e["restoration_complete"])) + "\n")
    a("Affected (%d): %s.\n" % (len(e["affected_accounts"]), ", ".join("`%s`" % x for x in e["affected_accounts"])))
    a("Unaffected (%d, carry on normally): %s.\n" % (len(e["unaffected_accounts"]),
                                                     ", ".join("`%s`" % x for x in e["unaffected_accounts"])))
    a("| account | before (14:00) | after (17:00) | lost | loss | following before → after |")
    a("| --- | ---: | ---: | ---: | ---: | --- |")
    for d in sorted(e["affected"], key=lambda d: -d["before"]):
        if d["named"]:
            a("| %s | %s | %s | %s | %.2f %% | %d → %d |" % (
                d["account"], fmt(d["before"]), fmt(d["after"]), fmt(d["observed_lost"]),
                100 * d["observed_relative_loss"], d["following_before"], d["following_after"]))
    a("\n(Named accounts only; `truth/instagram-2019-02-13.json` lists every account with designed "
      "and observed values.) No other event.\n")

    a("## 2. `twitter-2018-07-locked.ndjson.gz` — platform purge, persistent\n")
    a("Shape: gzip-compressed NDJSON, one Twitter API v2 user object per line: "
      "`{\"collected_at\":…,\"id\":\"…\",\"username\":…,\"name\":…,\"public_metrics\":"
      "{\"followers_count\",\"following_count\",\"tweet_count\",\"listed_count\"}}`. Daily at "
      "00:00Z, %s → %s, %d accounts × %d = %s lines, **shuffled** (fixed seed). Use the dotted "
      "paths `public_metrics.followers_count` / `public_metrics.following_count`; the account is "
      "`username` (also `id`; by the spec's alias order `username` is picked before `id`). Display "
      "names include non-ASCII text (`Café Lumière`, an emoji)." %
      (tw["first"], tw["last"], tw["accounts"], tw["snapshots_per_account"], fmt(tw["rows"])) + "\n")
    a("Source: the big accounts' sizes and losses are from contemporaneous press reports of "
      "Twitter's removal of locked accounts from follower counts (12–13 July 2018) — e.g. the "
      "@Twitter account losing ~7.7M (~12 %%, from ~62.9M), Katy Perry ~2.8M (of ~110M), Barack "
      "Obama ~2.3M (of ~104M), Justin Bieber ~2.7M, Rihanna ~2.2M, Taylor Swift ~1.8M, Lady Gaga "
      "~2.5M, Britney Spears ~2M, Jack Dorsey ~200k, Uhuru Kenyatta 16,071 of 3,234,935, Donald "
      "Trump ~100k of 53.4M (0.2 %%) — and Twitter's statement that most accounts would lose "
      "\"four followers or fewer\". These figures are approximate, taken from public reports as "
      "remembered (reports disagreed by several hundred thousand for some accounts); the ids of "
      "well-known accounts are given as remembered and may be wrong. Everything else — exact "
      "counts, trends, following/tweet/listed counts, and all %d ordinary accounts (200–50,000 "
      "followers, invented names and ids) — is synthetic.\n" % (len(TW_ORDINARY)))
    a("**Designed truth:** one `platform_purge` (scope `platform`, persistence `persistent`), "
      "start `%s`; the loss is complete at `%s` for most accounts and at `%s` for %s "
      "(70–85 %% of their loss by 07-13, the rest by 07-14). No recovery. %d of %d accounts lose "
      "followers (designed total %s): the 11 well-known accounts, 5 mid-size ordinary accounts "
      "losing 0.5–3 %%, and small accounts losing 1–4 followers each; %d accounts lose nothing "
      "(%s). Following counts are not touched." %
      (te["start"], te["end_for_most_accounts"], te["end"],
       ", ".join("`%s`" % x for x in te["accounts_completing_2018_07_14"]),
       te["accounts_that_lost_followers"], te["cohort_size"], fmt(te["designed_followers_lost"]),
       len(te["accounts_not_touched"]), ", ".join("`%s`" % x for x in te["accounts_not_touched"])) + "\n")
    a("Accounts that lost followers (%d): %s.\n" % (len(te["accounts_that_lost_followers_list"]),
      ", ".join("`%s`" % x for x in te["accounts_that_lost_followers_list"])))
    a("Individually clear drops (designed loss ≥ 6 daily noise sd and ≥ 0.1 %%) — the accounts a "
      "scan should list as affected: %s. Of these, `realdonaldtrump` (0.19 %%) and `ukenyatta` "
      "(0.50 %%) are small in relative terms, so whether they are listed depends on `--min-drop`. "
      "The others (%d) are invisible one by one and only show as a cohort-wide move (the spec's "
      "\"four followers or fewer\" case).\n" %
      (", ".join("`%s`" % x for x in te["individually_clear"]), len(te["individually_invisible"])))
    a("| username | before (07-12) | designed loss | loss | completes |")
    a("| --- | ---: | ---: | ---: | --- |")
    for d in sorted(te["accounts_detail"], key=lambda d: -d["before"]):
        if d["group"] in ("named", "mid"):
            a("| %s | %s | %s | %.2f %% | %s |" % (d["username"], fmt(d["before"]), fmt(d["designed_lost"]),
                                                   100 * d["designed_relative_loss"], d["end"][:10]))
    a("")

    ie = inf["events"][0]["accounts"][0]
    a("## 3. `influencer-purge.csv` — one account purge, persistent\n")
    a("Shape: CSV `timestamp,account,followers,following`, daily 00:00Z, %s → %s, %d accounts, %s rows. "
      "Entirely synthetic (names invented)." % (inf["first"], inf["last"], inf["accounts"], fmt(inf["rows"])) + "\n")
    a("**Designed truth:** one `account_purge` (scope `account`, persistent): `someinfluencer` "
      "loses %s followers (%.2f %%) between `%s` and `%s` (%s → %s); its following count is not touched by the purge "
      "(%d → %d, ordinary ±1 drift), then grows slowly (~0.04 %%/day) from the lower level and ends at %s. The other 29 "
      "accounts are a quiet cohort (slow growth, three slow decliners). No other event.\n" %
      (fmt(ie["designed_lost"]), 100 * ie["designed_relative_loss"], inf["events"][0]["start"],
       inf["events"][0]["end"], fmt(ie["before"]), fmt(ie["after"]), ie["following_before"],
       ie["following_after"], fmt(ie["at_end_of_data"])))

    nl = qv["normal_life"]
    a("## 4. `quiet-viral.csv` — no events\n")
    a("Shape: CSV `timestamp,account,followers,following`, every 6 h (00/06/12/18Z), %s → %s, %d "
      "accounts, %s rows. Entirely synthetic." % (qv["first"], qv["last"], qv["accounts"], fmt(qv["rows"])) + "\n")
    a("**Designed truth: no event** (`followdrop scan` should exit 0). Normal life only: growth with "
      "a weekly rhythm (per-account weekend multiplier 0.3–2.0 on the trend) and a daily one; three "
      "viral jumps (%s); three accounts in slow decline at −0.05 %%/day (%s). No step falls by more "
      "than %.2f noise sd (the script asserts > −5)." %
      ("; ".join("`%s` +%d %% from %s to %s (%s → %s)" % (v["account"], round(100 * v["designed_jump"]),
                                                          v["start"], v["end"], fmt(v["before"]), fmt(v["after"]))
                 for v in nl["viral_jumps"]),
       ", ".join("`%s`" % d["account"] for d in nl["slow_decline"]),
       -nl["worst_single_step_in_noise_sd"]) + "\n")

    a("## 5. `per-account/` — one account per file\n")
    a("Shape: one CSV per account, no account column (the account is the file stem), header "
      "exactly `date,followers_count`, times `YYYY-MM-DD HH:MM:SS` (UTC, no offset) at irregular, "
      "web-archive-like intervals (1 h to 9 days, random minutes and seconds), 2019-01-01 → "
      "2019-12-31, with a few exact duplicate rows (each placed right after its original). "
      "Sizes are loosely modelled on the public accounts' 2019 scale; every number is synthetic.\n")
    a("| file | rows | distinct | duplicates | first | last | followers first → last |")
    a("| --- | ---: | ---: | ---: | --- | --- | --- |")
    for f in pa["files"]:
        a("| %s | %d | %d | %d | %s | %s | %s → %s |" % (f["file"], f["rows"], f["distinct_snapshots"],
                                                          f["exact_duplicates"], f["first"], f["last"],
                                                          fmt(f["followers_first"]), fmt(f["followers_last"])))
    pe = pa["events"][0]
    pd_ = pe["accounts"][0]
    a("\n**Designed truth:** one `account_purge` (persistent) when the six files are scanned together: "
      "`nytimes` loses %s followers (%.2f %%) at %s, which falls between the snapshots `%s` and `%s` "
      "(%s → %s, gap %.1f h). Scanned alone, nytimes.csv is a cohort of one: `purge`, scope `unknown`. "
      "The other five accounts are quiet. Expect %d exact duplicates merged in total.\n" %
      (fmt(pd_["designed_lost"]), 100 * pd_["designed_relative_loss"], pe["purge_instant"][:20],
       pe["start"], pe["end"], fmt(pd_["before"]), fmt(pd_["after"]), pd_["gap_before_hours"],
       sum(f["exact_duplicates"] for f in pa["files"])))

    t3 = three["events"][0]["accounts"][0]
    a("## 6. `three-accounts.csv` — cohort too small\n")
    a("Shape: CSV `timestamp,account,followers,following`, daily 00:00Z, %s → %s, 3 accounts "
      "(`lonely`, `quietcorner`, `steady_eddie`), %d rows. Synthetic.\n" % (three["first"], three["last"], three["rows"]))
    a("**Designed truth:** one `purge` (scope `unknown` — only 3 accounts, below `--min-cohort`; "
      "persistence `persistent`): `lonely` loses %s followers (%.2f %%) between `%s` and `%s` "
      "(%s → %s). The other two are quiet.\n" %
      (fmt(t3["designed_lost"]), 100 * t3["designed_relative_loss"], three["events"][0]["start"],
       three["events"][0]["end"], fmt(t3["before"]), fmt(t3["after"])))

    ee = eod["events"][0]
    a("## 7. `end-of-data.csv` — outcome undetermined\n")
    a("Shape: CSV `timestamp,account,followers,following`, hourly, %s → %s, 12 accounts, %s rows. Synthetic.\n" %
      (eod["first"], eod["last"], fmt(eod["rows"])))
    a("**Designed truth:** one `platform_drop` (scope `platform`, persistence `undetermined`): all 12 "
      "accounts (breadth 1.0) lose 2–4 %% (designed total %s) between `%s` and `%s`; the data ends "
      "4 hours later with no recovery. Following counts unchanged. Accounts: %s.\n" %
      (fmt(ee["designed_followers_lost"]), ee["start"], ee["end"],
       ", ".join("`%s` −%s (%.1f %%)" % (d["account"], fmt(d["designed_lost"]), 100 * d["designed_relative_loss"])
                 for d in ee["accounts"])))

    a("## 8. `bad/` — malformed inputs (each must exit 2 naming file, line, field)\n")
    a("| file | defect | where |")
    a("| --- | --- | --- |")
    for name, x in bad["files"].items():
        where = []
        if x.get("line"):
            where.append("line %d" % x["line"])
        if x.get("field"):
            where.append("field `%s`" % x["field"])
        if x.get("value"):
            where.append("value `%s`" % x["value"])
        a("| %s | %s | %s |" % (name, x["error"], ", ".join(where) or "—"))
    a("\n`header-only.csv` may reasonably be an error or an empty scan; whichever the tool does must "
      "be documented. `corrupt.csv.gz` is the first 40 bytes of a valid gzip of a 25-line CSV.\n")

    a("## 9. `nasty/` — deliberately nasty rows\n")
    a("A scraper's export as a new user might meet it: %d good rows (six accounts hourly over two days; "
      "two are named `%s` and ESC `[2J` ESC `[31mred`, and each loses a quarter of its followers) with "
      "%d nasty rows mixed in: %s. `truth/nasty.json` lists each nasty row's line and what it must "
      "produce; `docs/NASTY_INPUT.md` shows what `followdrop` prints for each.\n" %
      (nasty["good_rows"], nasty["accounts_in_good_rows"][2], len(nasty["rows"]),
       "; ".join(r["defect"] for r in nasty["rows"])))
    sq = nasty["stray_quotes"]
    a("`nasty/stray-quotes.csv`: %d good rows (three accounts hourly over a day) and two stray quotes: "
      "%s (line %d: read literally, the lines after it read as usual), and %s (line %d: an error naming "
      "that line).\n" % (sq["good_rows"], sq["rows"][0]["defect"], sq["rows"][0]["line"],
                          sq["rows"][1]["defect"], sq["rows"][1]["line"]))

    a("## Truth files\n")
    a("`truth/<name>.json` holds, per fixture: row/account counts, time range, and `events` "
      "(empty list = no event expected) with kind, scope, persistence, start, end, affected "
      "accounts (designed loss and the observed `before`/`after` counts at `start`/`end`, which "
      "include noise), following before/after, and notes. Line numbers in `truth/bad.json` are "
      "1-based and count the header as line 1.\n")
    write_text(os.path.join(out, "README.md"), "\n".join(L))


# ------------------------------------------------------ main

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fixtures")
    os.makedirs(os.path.join(out, "truth"), exist_ok=True)
    ig = make_instagram(out)
    tw = make_twitter(out)
    inf = make_influencer(out)
    qv = make_quiet_viral(out)
    pa = make_per_account(out)
    three = make_three(out)
    eod = make_end_of_data(out)
    bad = make_bad(out)
    nasty = make_nasty(out)
    make_readme(out, ig, tw, inf, qv, pa, three, eod, bad, nasty)
    for dirpath, _, names in sorted(os.walk(out)):
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            print("%9d  %s" % (os.path.getsize(p), os.path.relpath(p, out)))


if __name__ == "__main__":
    main()
