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
# Exit status: 0 nothing new, or the alert was sent; otherwise followdrop's or
# the sender's status (followdrop's message is on stderr, which cron mails).
set -u

if [ $# -lt 2 ]; then
    echo "usage: followdrop-alert.sh STATE_FILE INPUT... [SCAN OPTIONS]" >&2
    exit 2
fi
state=$1
shift

events=$("${FOLLOWDROP:-followdrop}" scan --state "$state" --format ndjson "$@")
status=$?
case $status in
    0) exit 0 ;;             # nothing new or changed
    1) ;;                    # something to tell
    *) exit "$status" ;;     # followdrop failed and said why on stderr
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
        curl -fsS -H 'Content-Type: application/json' --data-binary @- "$ALERT_WEBHOOK" >/dev/null
elif [ -n "${ALERT_TO:-}" ]; then
    printf '%s\n' "$lines" | mail -s "$subject" "$ALERT_TO"
else
    printf '%s\n%s\n' "$subject" "$lines"
fi
