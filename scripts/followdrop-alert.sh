#!/bin/sh
# followdrop-alert.sh: scan from cron and raise an alert only for what is new.
#
#   followdrop-alert.sh STATE_FILE INPUT...
#
# Runs `followdrop scan --state STATE_FILE --format ndjson INPUT...` (so each
# event is reported once, and once more when its persistence becomes known)
# and, when it reports something, sends one alert:
#
#   ALERT_WEBHOOK=URL  POSTs {"text": "..."} to URL with curl (Slack, Mattermost
#                      and most chat webhooks take that shape);
#   ALERT_TO=ADDRESS   otherwise mails it with mail(1);
#   neither            otherwise prints it on stdout, which cron mails to the
#                      crontab's owner (MAILTO).
#
# FOLLOWDROP names the followdrop binary (default: followdrop on PATH); any
# other scan options can follow the inputs (e.g. --scope platform).
#
# What it promises (docs/RELIABILITY.md):
#
# - At least once: the scan runs on a copy of the state, and the copy replaces
#   STATE_FILE (an atomic rename beside it) only once the alert was delivered.
#   When curl or mail fails, or the script is killed before, STATE_FILE is as
#   it was, so the next run reports the same events again.
# - Once, when runs overlap: with flock(1) (util-linux, on any Linux) the script
#   holds STATE_FILE.lock, the lock `followdrop scan --state` itself takes, from
#   before copying the state until it is replaced: overlapping runs of the
#   script, and of followdrop on the same state, take turns (one that waits more
#   than a few seconds says so on stderr). Without flock, overlapping runs may
#   both alert an event, but never lose one.
# - A symbolic link STATE_FILE is followed: its target is replaced, the link kept.
#
# Exit status: 0 nothing new, or the alert was sent; otherwise followdrop's or
# the sender's status (followdrop's message is on stderr, which cron mails).
set -u

if [ $# -lt 2 ]; then
    echo "usage: followdrop-alert.sh STATE_FILE INPUT... [SCAN OPTIONS]" >&2
    exit 2
fi
state=$1
shift

# The real file behind a link, so that the lock is followdrop's own.
real=$(readlink -f -- "$state" 2>/dev/null) && [ -n "$real" ] || real=$state
pending=$real.pending.$$
trap 'rm -f -- "$pending" "$pending.lock"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Commands below get `9>&-`: nothing they leave running holds the lock.
if command -v flock >/dev/null 2>&1; then
    exec 9>>"$real.lock" || exit 2
    if ! flock -w 3 9; then
        echo "followdrop-alert.sh: waiting for $real.lock: another run holds it" >&2
        flock 9 || exit 2
    fi
fi
if [ -e "$real" ]; then
    cp -p -- "$real" "$pending" 9>&- || exit 2
fi

events=$("${FOLLOWDROP:-followdrop}" scan --state "$pending" --format ndjson "$@" 9>&-)
status=$?
case $status in
    0) mv -f -- "$pending" "$real" 9>&-; exit ;;  # nothing new or changed
    1) ;;                                           # something to tell
    *) exit "$status" ;;                            # followdrop failed and said why
esac

# One line per event: kind, start, and who. The NDJSON keys are flat and in a
# fixed order (SPEC); backslashes of escaped characters in names are dropped so
# the line can go into the webhook's JSON string as it is.
lines=$(printf '%s\n' "$events" | sed -n \
    -e 's/.*"kind":"\([a-z_]*\)".*"start":"\([^"]*\)".*"accounts_affected":\([0-9]*\).*"account":"\([^"]*\)".*/\1 since \2: \4 (\3 account(s) affected)/p' |
    tr -d '\\')
count=$(printf '%s\n' "$events" | grep -c .)
subject="followdrop: $count new or changed follower-loss event(s)"

if [ -n "${ALERT_WEBHOOK:-}" ]; then
    text=$(printf '%s\n%s' "$subject" "$lines" | sed 's/"/\\"/g' | awk '{printf "%s\\n", $0}')
    printf '{"text": "%s"}' "$text" |
        curl -fsS -H 'Content-Type: application/json' --data-binary @- "$ALERT_WEBHOOK" >/dev/null 9>&-
elif [ -n "${ALERT_TO:-}" ]; then
    printf '%s\n' "$lines" | mail -s "$subject" "$ALERT_TO" 9>&-
else
    printf '%s\n%s\n' "$subject" "$lines"
fi
sent=$?
if [ "$sent" -ne 0 ]; then
    echo "followdrop-alert.sh: the alert was not delivered (status $sent); the state is kept as it was, so the next run reports these events again" >&2
    exit "$sent"
fi
mv -f -- "$pending" "$real" 9>&-
