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


def grown(count, trend, rng):
    """The next day's count of a random walk with drift `trend` a day."""
    return count + (count * trend + rng.gauss(0, max(0.5, 0.02 * count ** 0.75)))


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
                count = grown(count, trend, rng)
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
    containers(days)
    platforms()


def platforms():
    """Three platforms in one export: Instagram (10 accounts), YouTube and
    X (15 each), some handles on all three. Instagram's glitch of 2024-02-10
    06:00 takes 2-3 % from each of its accounts and gives it back the next
    day; the other platforms carry on. Written as one file with a
    `platform` column, and as one file per platform (for --cohort-by file)."""
    rng = random.Random(6)
    shared = ["alice_art", "bob_builds", "carol_cooks"]
    handles = {
        "instagram": shared + [f"insta_{i:02d}" for i in range(7)],
        "youtube": shared + [f"tube_{i:02d}" for i in range(12)],
        "x": shared + [f"post_{i:02d}" for i in range(12)],
    }
    rows = {}
    for platform, names in handles.items():
        for a in names:
            count = 10 ** rng.uniform(3.5, 6.5)
            trend = rng.uniform(0.0, 0.003)
            glitch = rng.uniform(0.02, 0.03)
            series = []
            for d in range(DAYS):
                if d > 0:
                    count = grown(count, trend, rng)
                shown = count * (1 - glitch) if platform == "instagram" and d == 40 else count
                series.append((START + timedelta(days=d), max(0, round(shown))))
            rows[(platform, a)] = series
    text = "platform,handle,date,followers\n" + "".join(
        f"{p},{a},{iso(t)},{v}\n" for d in range(DAYS) for (p, a), s in rows.items() for t, v in [s[d]]
    )
    write("platforms.csv", text)
    os.makedirs(os.path.join(OUT, "platforms"), exist_ok=True)
    for platform in handles:
        text = "handle,date,followers\n" + "".join(
            f"{a},{iso(t)},{v}\n" for d in range(DAYS) for (p, a), s in rows.items() if p == platform for t, v in [s[d]]
        )
        write(os.path.join("platforms", platform + ".csv"), text)


def containers(days):
    """The panel in the containers collectors write: compressed CSV, a zip
    archive of one file per account, an Excel workbook, a SQLite database
    and a Parquet file (the last needs pyarrow; the others the standard
    library only)."""
    import bz2
    import lzma
    import sqlite3
    import zipfile

    out = os.path.join(OUT, "containers")
    os.makedirs(out, exist_ok=True)
    long = "timestamp,account,followers\n" + "".join(
        f"{iso(t)},{a},{v}\n" for day in days for a, (t, v, _) in day
    )
    with open(os.path.join(out, "snapshots.csv.xz"), "wb") as f:
        f.write(lzma.compress(long.encode(), preset=6))
    with open(os.path.join(out, "snapshots.csv.bz2"), "wb") as f:
        f.write(bz2.compress(long.encode(), compresslevel=9))
    # A zip archive of the history layout (date,count a file), with a
    # README beside the data, as a download of such a repository has.
    fixed = (2024, 3, 1, 0, 0, 0)
    with zipfile.ZipFile(os.path.join(out, "history.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("history/README.md", fixed), "# follower history\n")
        for a in ACCOUNTS:
            rows = [(t, v) for day in days for b, (t, v, _) in day if b == a]
            text = "date,count\n" + "".join(f"{t:%Y-%m-%d},{v}\n" for t, v in rows)
            z.writestr(zipfile.ZipInfo(f"history/{a}.csv", fixed), text, zipfile.ZIP_DEFLATED)
    write_xlsx(os.path.join(out, "analytics.xlsx"), days, fixed)
    db = os.path.join(out, "collector.sqlite")
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE accounts (handle TEXT PRIMARY KEY, category TEXT)")
    con.executemany("INSERT INTO accounts VALUES (?, ?)", [(a, "creator") for a in ACCOUNTS])
    con.execute("CREATE TABLE snapshots (captured_at TEXT, handle TEXT, followers_count INTEGER, following_count INTEGER)")
    con.executemany(
        "INSERT INTO snapshots VALUES (?, ?, ?, ?)",
        [(iso(t), a, v, f) for day in days for a, (t, v, f) in day],
    )
    con.commit()
    con.execute("VACUUM")
    con.close()
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow is not installed: containers/export.parquet left as it is")
        return
    table = pa.table({
        "ts": pa.array([t for day in days for _, (t, _, _) in day], pa.timestamp("ms", tz="UTC")),
        "username": [a for day in days for a, _ in day],
        "followers": pa.array([v for day in days for _, (_, v, _) in day], pa.int64()),
    })
    pq.write_table(table, os.path.join(out, "export.parquet"), compression="snappy")


def write_xlsx(path, days, fixed):
    """A minimal Excel workbook, written by hand so that it is the same byte
    for byte each run: a first sheet of notes, then the data with real date
    cells (number format 22, m/d/yy h:mm) under `Date`, `Account`,
    `Followers`."""
    import zipfile

    def cell(ref, value, style=None):
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{s} t="n"><v>{value}</v></c>'

    def sheet(rows):
        body = "".join(f'<row r="{i + 1}">' + "".join(rows[i]) + "</row>" for i in range(len(rows)))
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<sheetData>{body}</sheetData></worksheet>")

    epoch = datetime(1899, 12, 30, tzinfo=timezone.utc)
    data = [[cell("A1", "Date"), cell("B1", "Account"), cell("C1", "Followers")]]
    for day in days:
        for a, (t, v, _) in day:
            r = len(data) + 1
            serial = (t - epoch).total_seconds() / 86400
            data.append([cell(f"A{r}", round(serial, 6), 1), cell(f"B{r}", a), cell(f"C{r}", v)])
    notes = [[cell("A1", "Exported from the analytics dashboard")]]
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{ns}">'
            '<sheets><sheet name="Notes" sheetId="1" r:id="rId1"/><sheet name="Followers" sheetId="2" r:id="rId2"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{ns}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{ns}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": sheet(notes),
        "xl/worksheets/sheet2.xml": sheet(data),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(zipfile.ZipInfo(name, fixed), text, zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    main()
