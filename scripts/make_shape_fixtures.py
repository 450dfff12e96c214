#!/usr/bin/env python3
"""Writes fixtures/shapes/: one small panel written in the shapes real exports
come in (issue 14), so that each reader can be checked for the events found,
not just for reading without an error.

The panel: 12 accounts, daily snapshots at 06:00 UTC from 2024-01-01 for 60
days, counts from a random walk (growth 0-0.3 %/day, noise sd
max(0.5, 0.02 * count^0.75) a day, as scripts/make_fixtures.py), and one
event: `bob_builds` loses half its followers between 2024-02-09 and
2024-02-10 06:00 and keeps them lost (an account purge). Every shape holds the
same panel, so every shape must report that one account purge and nothing
else. Python 3 standard library, fixed seed: re-running rewrites every file
byte for byte. Do not edit the files by hand.
"""
import json
import os
import random
from datetime import datetime, timedelta, timezone

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "shapes")
ACCOUNTS = [
    "alice_art", "bob_builds", "carol_cooks", "dan_draws", "eve_edits",
    "finn_films", "gia_gardens", "hal_hikes", "ivy_inks", "jon_jams",
    "kim_knits", "leo_lifts",
]
PURGED, PURGE_DAY = "bob_builds", 40
START = datetime(2024, 1, 1, 6, tzinfo=timezone.utc)
DAYS = 60


def panel():
    """{account: [(time, followers, following)]}: the same every run."""
    rng = random.Random(14)
    out = {}
    for a in ACCOUNTS:
        count = 10 ** rng.uniform(3.5, 6.5)
        following = rng.randint(100, 2000)
        trend = rng.uniform(0.0, 0.003)
        rows = []
        for d in range(DAYS):
            if d > 0:
                count += count * trend + rng.gauss(0, max(0.5, 0.02 * count ** 0.75))
                if rng.random() < 0.2:
                    following += rng.choice((-1, 1))
            if a == PURGED and d == PURGE_DAY:
                count *= 0.5
            rows.append((START + timedelta(days=d), max(0, round(count)), following))
        out[a] = rows
    return out


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def write(name, text):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        f.write(text)


def main():
    os.makedirs(OUT, exist_ok=True)
    p = panel()
    # A folder of one file per account, `date,count` (a follower-history
    # repository's layout): the account is the file's name.
    os.makedirs(os.path.join(OUT, "history"), exist_ok=True)
    for a, rows in p.items():
        write(os.path.join("history", a + ".csv"),
              "date,count\n" + "".join(f"{t:%Y-%m-%d},{v}\n" for t, v, _ in rows))
    # Excel serial dates (days since 1899-12-30, time as a fraction).
    excel = "date,account,followers\n"
    for t in sorted({t for rows in p.values() for t, _, _ in rows}):
        serial = (t - datetime(1899, 12, 30, tzinfo=timezone.utc)).total_seconds() / 86400
        for a, rows in p.items():
            v = next(v for u, v, _ in rows if u == t)
            excel += f"{serial:.6f},{a},{v}\n"
    write("excel-serial.csv", excel)
    # Twitch's Helix shape flattened by a collector: broadcaster_login, total.
    twitch = [
        {"fetched_at": iso(t), "broadcaster_login": a, "total": v}
        for d in range(DAYS) for a, rows in p.items() for t, v, _ in [rows[d]]
    ]
    write("twitch-followers.ndjson", "".join(json.dumps(r) + "\n" for r in twitch))
    # Reddit's subreddit about, display_name and subscribers.
    reddit = "retrieved_at,display_name,subscribers\n" + "".join(
        f"{iso(t)},{a},{v}\n" for d in range(DAYS) for a, rows in p.items() for t, v, _ in [rows[d]]
    )
    write("reddit-subscribers.csv", reddit)
    days = [[(a, rows[d]) for a, rows in p.items()] for d in range(DAYS)]
    # Twitter/X API v2 users lookup responses saved one a day, the time only
    # in the file's name (read with --time-from-name).
    os.makedirs(os.path.join(OUT, "twitter-v2"), exist_ok=True)
    for day in days:
        t = day[0][1][0]
        users = [
            {"id": str(1000 + i), "username": a, "name": a.replace("_", " ").title(),
             "public_metrics": {"followers_count": v, "following_count": f, "tweet_count": 100 + i}}
            for i, (a, (_, v, f)) in enumerate(day)
        ]
        doc = {"data": users, "meta": {"result_count": len(users)}}
        write(os.path.join("twitter-v2", f"{t:%Y-%m-%dT%H%MZ}.json"), json.dumps(doc, indent=1) + "\n")
    # YouTube Data API channels.list responses, wrapped by a collector that
    # wrote when it fetched them; counts are strings, as the API gives them.
    os.makedirs(os.path.join(OUT, "youtube"), exist_ok=True)
    for d, day in enumerate(days):
        t = day[0][1][0]
        items = [
            {"kind": "youtube#channel", "id": f"UC{i:022d}",
             "snippet": {"title": a},
             "statistics": {"subscriberCount": str(v), "hiddenSubscriberCount": False, "videoCount": "12"}}
            for i, (a, (_, v, _)) in enumerate(day)
        ]
        doc = {"fetched_at": iso(t), "response": None, "kind": "youtube#channelListResponse",
               "pageInfo": {"totalResults": len(items)}, "items": items}
        write(os.path.join("youtube", f"day-{d + 1:02d}.json"), json.dumps(doc) + "\n")
    # pandas DataFrame.to_json(orient="split").
    split = {"columns": ["date", "account", "followers"], "index": [],
             "data": [[iso(t), a, v] for day in days for a, (t, v, _) in day]}
    split["index"] = list(range(len(split["data"])))
    write("pandas-split.json", json.dumps(split) + "\n")
    # A scraper's counts as the app shows them: 8.36K, 1.2M (3 significant
    # figures; below 1,000 the exact count).
    def shown(v):
        for suffix, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
            if v >= scale:
                x = v / scale
                digits = 2 if x < 10 else 1 if x < 100 else 0
                return f"{round(x, digits):.{digits}f}{suffix}"
        return str(v)
    tiktok = "scraped_at,username,followers\n" + "".join(
        f"{iso(t)},{a},{shown(v)}\n" for day in days for a, (t, v, _) in day
    )
    write("tiktok-scraped.csv", tiktok)
    # A European spreadsheet: semicolons, day-first dates, dots between
    # thousands (read with --time-format '%d.%m.%Y %H:%M' --thousands .).
    def dotted(v):
        return f"{v:,}".replace(",", ".")
    european = "Datum;Konto;Follower\n" + "".join(
        f"{t:%d.%m.%Y %H:%M};{a};{dotted(v)}\n" for day in days for a, (t, v, _) in day
    )
    write("european.csv", european)


if __name__ == "__main__":
    main()
