-- DuckDB's version of followdrop's detection work, for scripts/bench.sh.
--
-- Reads the CSV named by the variable `csv` (SET VARIABLE csv = 'file.csv')
-- with columns timestamp, account, followers, and:
--   1. per account, the log change of followers between consecutive
--      snapshots (window LAG over time);
--   2. per account, the median and MAD of those changes;
--   3. the z-score of each change: (change - median) / spread, where the
--      spread is 1.4826 * MAD (a standard deviation) plus one follower of
--      rounding (1 / previous count), as followdrop's own yardstick;
--   4. per day, the breadth: share of the accounts stepping into it whose
--      change has z <= -2;
--   5. flags the account steps with z <= -7 (account drops, followdrop's
--      default --sensitivity) and the days with breadth >= 0.3 over at
--      least 5 accounts (platform-wide, --min-breadth / --min-cohort).
--
-- It is a lighter job than followdrop's: no local trend, no deduplication,
-- no grid, no drop runs, no recovery. So it is a floor on what a database
-- would spend on the same question, which keeps "faster than DuckDB" honest.
-- The last statement returns one row per kind with the count flagged.

-- Days are UTC days, as followdrop's times.
SET TimeZone = 'UTC';

CREATE OR REPLACE TEMP TABLE steps AS
SELECT
    account,
    date_trunc('day', ts) AS day,
    ln(greatest(followers, 1)) - ln(greatest(prev, 1)) AS change,
    1.0 / greatest(prev, 1) AS rounding
FROM (
    SELECT
        account,
        "timestamp" AS ts,
        followers,
        lag(followers) OVER (PARTITION BY account ORDER BY "timestamp") AS prev
    FROM read_csv(
        getvariable('csv'),
        header = true,
        columns = {'timestamp': 'TIMESTAMPTZ', 'account': 'VARCHAR', 'followers': 'BIGINT'}
    )
)
WHERE prev IS NOT NULL;

CREATE OR REPLACE TEMP TABLE scored AS
WITH yardstick AS (
    SELECT account, median(change) AS center, mad(change) AS mad
    FROM steps
    GROUP BY account
)
SELECT
    s.account,
    s.day,
    (s.change - y.center) / (1.4826 * y.mad + s.rounding) AS z
FROM steps s
JOIN yardstick y USING (account);

CREATE OR REPLACE TEMP TABLE flagged AS
SELECT 'account_drop' AS kind, account, day, z AS score
FROM scored
WHERE z <= -7
UNION ALL
SELECT 'platform_day' AS kind, NULL AS account, day, breadth AS score
FROM (
    SELECT day, count(*) AS cohort, avg(CASE WHEN z <= -2 THEN 1.0 ELSE 0.0 END) AS breadth
    FROM scored
    GROUP BY day
)
WHERE breadth >= 0.3 AND cohort >= 5;

SELECT kind, count(*) AS flagged
FROM flagged
GROUP BY kind
ORDER BY kind;
