//! The HTML report (`--format html`): one self-contained page to hand to
//! someone who will not run a command. It says what the text report says,
//! with `plot`'s pictures beside the words and, under each affected
//! account, what `show` says of its loss.
//!
//! Self-contained: the style and the script are inline, the pictures are
//! inline SVG, and a Content-Security-Policy allows nothing else (no
//! request of any kind, only that style and that script, by their hashes).
//! Every string from the input is escaped by the template (maud) and made
//! safe of control and bidi characters ([`for_xml`]); names sit in `<bdi>`
//! so that a right-to-left name cannot reorder the text around it. The
//! script reads cells with `textContent` and builds its pager with
//! `createElement`: nothing from the data is ever parsed as markup.

use super::Report;
use super::event::{Affected, Event};
use super::show::{self, ShownDrop, Usual, Verdict};
use super::text::{self, counted, percent, thousands};
use crate::detect::{Scope, Settings};
use crate::plot::{Layout, Picture, View};
use crate::report::sparkline::Window;
use crate::sanitize::for_xml;
use crate::time::{format_duration, format_with};
use base64::Engine;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};
use std::io::{self, Write};

const STYLE: &str = include_str!("page.css");

/// The page's style: [`STYLE`], and the colours of the pictures' lines for
/// the keys beside them (`.k0` the cohort's median, `.k1`… the accounts'
/// curves in turn), from the drawing code itself.
fn style() -> String {
    let mut css = STYLE.to_string();
    for (k, color) in crate::plot::line_colors().iter().enumerate() {
        css.push_str(&format!(".k{k}{{border-color:{color}}}\n"));
    }
    css
}
const SCRIPT: &str = include_str!("page.js");

/// Points of the timeline's curves, and of an event's picture: enough for
/// the page's width, few enough that a hundred events stay light.
const TIMELINE_POINTS: i64 = 500;
const EVENT_POINTS: i64 = 60;
/// Affected accounts drawn in an event's picture beside the cohort.
const CURVES: usize = 3;

/// What the page shows beyond the [`Report`]: the pictures and the
/// drill-downs, made from the analysis by [`Page::new`].
#[derive(Debug, Default)]
pub struct Page {
    /// The whole period, every event marked (SVG).
    timeline: Option<String>,
    /// One per event of the report, in its order.
    events: Vec<EventParts>,
}

#[derive(Debug, Default)]
struct EventParts {
    /// The event's window (SVG), and the accounts drawn in it.
    picture: Option<String>,
    drawn: Vec<String>,
    /// One per affected account, in the event's order: what `show` says
    /// of its loss in this event (`None` beyond [`crate::MAX_EXPLAINED`]).
    explained: Vec<Option<Explained>>,
}

#[derive(Debug)]
struct Explained {
    usual: Usual,
    drop: ShownDrop,
}

impl Page {
    /// The pictures and drill-downs of `events` (the report's) from `a`,
    /// made by [`crate::analyze_explained`].
    pub fn new(a: &crate::Analysis, events: &[Event], settings: &Settings) -> Page {
        let view = |since, until, accounts, max_points| View {
            since,
            until,
            accounts,
            min_cohort: settings.min_cohort,
            max_points,
        };
        let draw = |v: &View, layout| {
            Picture::new(a, events, v)
                .and_then(|p| crate::plot::svg(&p, layout))
                .ok()
        };
        let timeline = draw(
            &view(None, None, Vec::new(), TIMELINE_POINTS),
            Layout::TIMELINE,
        );
        let (first, last) = (a.dataset.first, a.dataset.last);
        let events = events
            .iter()
            .map(|e| {
                let w = Window::around(e, a.bucket, settings.recovery_window, first, last);
                let (since, until) = w.times();
                let named: Vec<String> = e
                    .accounts
                    .iter()
                    .take(CURVES)
                    .map(|x| x.account.clone())
                    .collect();
                // An account with no count in the window cannot be drawn:
                // the cohort alone is better than no picture.
                let (picture, drawn) = match draw(
                    &view(Some(since), Some(until), named.clone(), EVENT_POINTS),
                    Layout::EVENT,
                ) {
                    Some(svg) => (Some(svg), named),
                    None => (
                        draw(
                            &view(Some(since), Some(until), Vec::new(), EVENT_POINTS),
                            Layout::EVENT,
                        ),
                        Vec::new(),
                    ),
                };
                let explained = e
                    .accounts
                    .iter()
                    .map(|x| {
                        let shown = a.explained.get(&x.account)?;
                        let drop = shown
                            .drops
                            .iter()
                            .find(|d| show::reported(&d.verdict) == Some(e.id.as_str()))?;
                        Some(Explained {
                            usual: shown.usual.clone(),
                            drop: drop.clone(),
                        })
                    })
                    .collect();
                EventParts {
                    picture,
                    drawn,
                    explained,
                }
            })
            .collect();
        Page { timeline, events }
    }
}

/// Most bytes of a page. Everything but drill-downs always goes in; the
/// drill-downs fill what is left, the largest loss of every event first,
/// then the second largest, and so on: a page of 100 events of 50 accounts
/// each stays under 2 MB, small enough to mail, with every account listed.
const BUDGET: usize = 1_990_000;

/// Writes the report as one HTML page.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let empty = Page::default();
    let page = r.page.as_ref().unwrap_or(&empty);
    let all: Vec<Vec<Option<String>>> = r
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let explained = page.events.get(i).map_or(&[][..], |p| &p.explained[..]);
            (0..e.accounts.len())
                .map(|k| {
                    let x = explained.get(k)?.as_ref()?;
                    let name = for_xml(&e.accounts[k].shown_name());
                    Some(why_row(e, drilldown(r, e, &name, x)).into_string())
                })
                .collect()
        })
        .collect();
    let bare = all.iter().map(|d| vec![None; d.len()]).collect::<Vec<_>>();
    let rest = markup(r, page, &bare).into_string().len();
    let kept = within(all, BUDGET.saturating_sub(rest));
    out.write_all(markup(r, page, &kept).into_string().as_bytes())
}

/// The drill-downs (per event, per account) that fit in `room` bytes: by
/// rank within their event, the first of every event, then the second.
fn within(mut all: Vec<Vec<Option<String>>>, mut room: usize) -> Vec<Vec<Option<String>>> {
    let ranks = all.iter().map(Vec::len).max().unwrap_or(0);
    let mut kept: Vec<Vec<Option<String>>> = all.iter().map(|d| vec![None; d.len()]).collect();
    for rank in 0..ranks {
        for (drills, keep) in all.iter_mut().zip(&mut kept) {
            let (Some(slot), Some(place)) = (drills.get_mut(rank), keep.get_mut(rank)) else {
                continue;
            };
            if let Some(cost) = slot.as_ref().map(String::len)
                && cost <= room
            {
                room -= cost;
                *place = slot.take();
            }
        }
    }
    kept
}

/// `'sha256-…'`: the CSP source that allows exactly this inline text.
fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page, with the drill-downs `drills` (per event, per account).
fn markup(r: &Report, page: &Page, drills: &[Vec<Option<String>>]) -> Markup {
    let style = style();
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
        hash_source(&style),
        hash_source(SCRIPT)
    );
    let span = format!(
        "{} → {} UTC",
        format_with(r.input.first.0, "%Y-%m-%d"),
        format_with(r.input.last.0, "%Y-%m-%d")
    );
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(csp);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="generator" content={ "followdrop " (r.tool.version) };
                title { "Follower losses · " (span) " · followdrop" }
                style { (PreEscaped(style)) }
            }
            body {
                header {
                    h1 { "Sudden follower losses" }
                    p.lead { (headline(r)) }
                    (facts(r, &span))
                    (warnings(r))
                    (timeline(r, page))
                    @if !r.events.is_empty() {
                        nav.events aria-label="events" {
                            h2 { "Events" }
                            ol {
                                @for (i, e) in r.events.iter().enumerate() {
                                    li { a href={ "#event-" (i + 1) } { (title(e)) } " " span.meta { (text::span(e.start.0, e.end.0)) " UTC" } }
                                }
                            }
                        }
                    }
                }
                main {
                    @for (i, e) in r.events.iter().enumerate() {
                        (event(r, e, i + 1, page.events.get(i), drills.get(i).map_or(&[][..], |d| &d[..])))
                    }
                }
                footer {
                    "Made by followdrop " (r.tool.version) " (schema " (r.schema_version) ") from the data above. "
                    "Times are UTC. The same analysis as "
                    code { "followdrop scan" }
                    "; "
                    code { "followdrop show ACCOUNT" }
                    " explains any account in full."
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// The verdict in one line: how many events of which scope, or none.
fn headline(r: &Report) -> String {
    let s = &r.summary;
    if s.events == 0 {
        return match &r.state {
            Some(state) => format!(
                "Nothing new or changed since the last run with --state {}.",
                for_xml(state)
            ),
            None => format!(
                "No sudden follower loss found: none of the {} fell abnormally, alone or together.",
                counted(r.input.accounts as u64, "account", "accounts")
            ),
        };
    }
    format!(
        "{}: {}; {} lost in all.",
        counted(s.events as u64, "event", "events"),
        text::by_scope(s),
        counted(s.followers_lost, "follower", "followers")
    )
}

/// What was read, and the settings it was judged with.
fn facts(r: &Report, span: &str) -> Markup {
    let i = &r.input;
    let s = &r.settings;
    let files: Vec<String> = i.files.iter().map(|f| for_xml(f)).collect();
    let shown_files = match files.as_slice() {
        [one] => one.clone(),
        many if many.len() <= 5 => many.join(", "),
        many => format!("{}, … and {} more", many[..3].join(", "), many.len() - 3),
    };
    let references = match i.reference_accounts {
        0 => String::new(),
        n => format!(" ({} for reference only)", thousands(n as u64)),
    };
    let settings = [
        format!("--min-drop {}", percent(s.min_drop, 1)),
        format!("--min-lost {}", thousands(s.min_lost)),
        format!("--sensitivity {}", s.sensitivity),
        format!("--min-breadth {}", percent(s.min_breadth, 0)),
        format!("--min-cohort {}", s.min_cohort),
        format!("--recovery-window {}", format_duration(s.recovery_window)),
        format!("--recovery-share {}", percent(s.recovery_share, 0)),
    ];
    html! {
        dl.facts {
            dt { "read" } dd { bdi { (shown_files) } }
            dt { "snapshots" } dd { (thousands(i.rows as u64)) }
            dt { "accounts" } dd { (thousands(i.accounts as u64)) (references) }
            dt { "period" } dd { (span) }
            dt { "grid" } dd { "one point every " (format_duration(i.bucket_seconds)) }
            dt { "settings" } dd.settings {
                @for (k, setting) in settings.iter().enumerate() {
                    @if k > 0 { " · " }
                    span { (setting) }
                }
            }
        }
    }
}

fn warnings(r: &Report) -> Markup {
    html! {
        @if !r.warnings.is_empty() {
            section.warnings aria-label="warnings" {
                h2 { "Warnings" }
                ul {
                    @for w in &r.warnings {
                        li { (for_xml(&w.message)) }
                    }
                }
            }
        }
    }
}

fn timeline(r: &Report, page: &Page) -> Markup {
    let marked = match r.events.len() {
        0 => "no event".to_string(),
        n => format!(
            "the {}, numbered as below",
            counted(n as u64, "event", "events")
        ),
    };
    let alt = format!(
        "Timeline of the cohort's followers from {} to {} UTC: the median account's followers \
         as an index (100 = its first count) and the middle half of the accounts, with {marked}.",
        format_with(r.input.first.0, "%Y-%m-%d"),
        format_with(r.input.last.0, "%Y-%m-%d"),
    );
    html! {
        @if let Some(svg) = &page.timeline {
            figure.timeline {
                div.picture role="img" aria-label=(alt) { (PreEscaped(svg)) }
                figcaption {
                    "The cohort over the whole period: the median account (line) and the middle half "
                    "of the accounts (band), each as an index of its first count; events shaded "
                    "(platform purple, account red, unknown orange), paler until they recovered."
                }
            }
        }
    }
}

/// A short line in the colour of line `k` of a picture (see [`style`]).
fn swatch(k: usize) -> Markup {
    html! { span class={ "swatch k" (k) } aria-hidden="true" {} }
}

/// `Platform glitch`.
fn title(e: &Event) -> String {
    let kind = e.class.kind().replace('_', " ");
    let mut chars = kind.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => kind,
    }
}

fn scope_class(scope: Scope) -> &'static str {
    match scope {
        Scope::Platform => "event platform",
        Scope::Account => "event account",
        Scope::Unknown => "event unknown",
    }
}

/// One event: what it is and when, why it was called so, its picture, and
/// the accounts it hit with their drill-downs.
fn event(
    r: &Report,
    e: &Event,
    n: usize,
    parts: Option<&EventParts>,
    drills: &[Option<String>],
) -> Markup {
    let s = &r.settings;
    let anchor = format!("event-{n}");
    let cohort = e
        .cohort
        .as_deref()
        .map(|c| format!(" · cohort {}", for_xml(c)));
    let words = match e.class.scope {
        Scope::Platform => text::platform_words(e, s),
        Scope::Account | Scope::Unknown => text::single_words(e, s, &for_xml),
    };
    let explained = parts.map_or(&[][..], |p| p.explained.as_slice());
    // The rule is the same for every member: said once, from the first
    // member explained (they share the cohort's window).
    let rule = explained
        .iter()
        .flatten()
        .find_map(|x| match &x.drop.verdict {
            Verdict::Platform { window, .. } => {
                Some(show::platform_rule(window, s, "Platform-wide"))
            }
            _ => None,
        });
    let alt = format!(
        "The cohort around event {n}, {} UTC: the median account (line), the middle half of the \
         accounts (band), and the accounts that lost most, as indices of their first count in view.",
        text::span(e.start.0, e.end.0)
    );
    html! {
        section class=(scope_class(e.class.scope)) id=(anchor) aria-labelledby={ (anchor) "-title" } {
            h2 id={ (anchor) "-title" } {
                span.number { (n) ". " }
                span.kind { (title(e)) }
                " " span.when { (text::span(e.start.0, e.end.0)) " UTC" }
            }
            p.meta {
                bdi { (for_xml(&e.id)) } " · " (text::outcome(e, s)) " · score " (format!("{:.1}", e.score)) (cohort.unwrap_or_default())
            }
            @if let Some(previous) = &e.previous_kind {
                p { "Reported before as " (previous.replace('_', " ")) "; now known to be " (e.class.kind().replace('_', " ")) "." }
            }
            @for w in &words { p { (w) } }
            @if let Some(rule) = rule {
                p { (rule) }
                p { (show::half_bar_sentence(s, "each listed account's")) }
            }
            @if e.class.scope == Scope::Platform {
                p { (show::event_recovery(e)) }
            }
            @if let Some(svg) = parts.and_then(|p| p.picture.as_ref()) {
                figure {
                    div.picture role="img" aria-label=(alt) { (PreEscaped(svg)) }
                    figcaption {
                        "The event's window, shaded; "
                        (swatch(0))
                        " the cohort's median and its middle half"
                        @for (k, name) in parts.map_or(&[][..], |p| &p.drawn[..]).iter().enumerate() {
                            ", " (swatch(k + 1)) " " bdi { (for_xml(name)) }
                        }
                        "."
                    }
                }
            }
            (accounts(e, explained, drills))
        }
    }
}

/// The affected accounts: a table that sorts by any column (and pages
/// when long, both by the page's script), each row followed by its
/// drill-down.
fn accounts(e: &Event, explained: &[Option<Explained>], drills: &[Option<String>]) -> Markup {
    let with_following = with_following(e);
    let marks = (
        e.accounts.iter().any(|a| a.excess),
        e.accounts.iter().any(|a| a.across_gap.is_some()),
    );
    let without = e.accounts.len() - drills.iter().flatten().count();
    html! {
        h3 { "Accounts hit (" (thousands(e.accounts.len() as u64)) ")" }
        p.muted {
            "Select a column's heading to sort by it; open a row's “why” for what "
            code { "followdrop show" }
            " says of that account."
        }
        div.scroll {
            table.accounts {
                thead {
                    tr {
                        @for (name, tip) in [
                            ("account", "account name"),
                            ("before", "followers just before the loss"),
                            ("after", "followers once the loss was complete"),
                            ("lost", "followers lost"),
                            ("loss", "share of its followers lost"),
                            ("deviations", "how abnormal the loss was, in the account's own usual deviations"),
                        ] {
                            th scope="col" title=(tip) { button type="button" { (name) } }
                        }
                        @if with_following {
                            th scope="col" title="following count before → after" { button type="button" { "following" } }
                        }
                        th scope="col" title="when its followers came back" { button type="button" { "recovered" } }
                    }
                }
                tbody {
                    @for (k, a) in e.accounts.iter().enumerate() {
                        (account_row(
                            a,
                            explained.get(k).and_then(Option::as_ref),
                            drills.get(k).and_then(Option::as_deref),
                            with_following,
                        ))
                    }
                }
            }
        }
        @if marks.0 {
            p.muted { span.mark.excess { "excess" } " " (text::EXCESS) }
        }
        @if marks.1 {
            p.muted { span.mark.gap { "gap" } " " (text::ACROSS_GAP) }
        }
        @if without > 0 && !explained.is_empty() {
            p.muted {
                (counted(without as u64, "account has", "accounts have")) " no “why” here: the page "
                "explains the largest losses of every event first, at most " (crate::MAX_EXPLAINED)
                " an event, and stops where it would grow past 2 MB. "
                code { "followdrop show NAME" } " explains any account."
            }
        }
    }
}

fn account_row(
    a: &Affected,
    x: Option<&Explained>,
    drill: Option<&str>,
    with_following: bool,
) -> Markup {
    let name = for_xml(&a.shown_name());
    let z = x.map(|x| format!("{:.1}", -x.drop.z));
    let following = match (a.following_before, a.following_after) {
        (Some(b), Some(c)) => format!("{} → {}", thousands(b), thousands(c)),
        _ => "—".to_string(),
    };
    html! {
        tr {
            td {
                bdi { (name) }
                @if a.excess { span.mark.excess title=(text::EXCESS) { "excess" } }
                @if a.across_gap.is_some() { span.mark.gap title=(text::ACROSS_GAP) { "gap" } }
            }
            td { (thousands(a.before)) }
            td { (thousands(a.after)) }
            td { "-" (thousands(a.lost)) }
            td { (percent(a.relative_loss, 1)) }
            td { (z.unwrap_or_else(|| "—".to_string())) }
            @if with_following { td { (following) } }
            td { (a.recovered_at.map_or("—".to_string(), |t| format_with(t.0, "%Y-%m-%d %H:%M"))) }
        }
        @if let Some(drill) = drill {
            (PreEscaped(drill))
        }
    }
}

/// Whether the event's table has a following column.
fn with_following(e: &Event) -> bool {
    e.accounts.iter().any(|a| a.following_before.is_some())
}

/// The row under an account's that holds its drill-down, folded.
fn why_row(e: &Event, drill: Markup) -> Markup {
    let columns = 7 + usize::from(with_following(e));
    html! {
        tr.why {
            td colspan=(columns) {
                details {
                    summary { "why" }
                    (drill)
                }
            }
        }
    }
}

/// What `show` says of one account's loss in the event (the rule shared
/// by every member of a platform event is said once, above the table).
fn drilldown(r: &Report, e: &Event, name: &str, x: &Explained) -> Markup {
    let s = &r.settings;
    let d = &x.drop;
    let mut words = vec![
        show::loss_sentence(d, Some(e), name),
        format!("{}.", show::usual_movement(&x.usual)),
        show::cohort_sentence(d),
    ];
    match d.verdict {
        Verdict::Platform { .. } => {
            words.extend(show::across_gap_sentence(d, name));
            words.extend(show::excess_sentence(d, e));
        }
        _ => words.extend(show::verdict(d, s, Some(e), name)),
    }
    words.push(show::recovery(d, s));
    // The snapshots around the loss, as `show` prints them.
    let mut table = Vec::new();
    show::table(d, &text::Painter { color: false }, &mut table)
        .expect("writing to memory cannot fail");
    html! {
        @for w in &words { p { (w) } }
        pre { (String::from_utf8_lossy(&table)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drills(sizes: &[&[usize]]) -> Vec<Vec<Option<String>>> {
        sizes
            .iter()
            .map(|event| event.iter().map(|&n| Some("x".repeat(n))).collect())
            .collect()
    }

    fn kept(all: &[Vec<Option<String>>]) -> Vec<Vec<bool>> {
        all.iter()
            .map(|e| e.iter().map(Option::is_some).collect())
            .collect()
    }

    #[test]
    fn drill_downs_fill_the_room_by_rank() {
        // Room for four: the first of each event, then the second of the
        // first event.
        let all = drills(&[&[10, 10, 10], &[10, 10], &[10]]);
        assert_eq!(
            kept(&within(all.clone(), 45)),
            [vec![true, true, false], vec![true, false], vec![true]]
        );
        // Everything fits, or nothing does.
        assert_eq!(
            kept(&within(all.clone(), 1000)),
            [vec![true; 3], vec![true; 2], vec![true]]
        );
        assert_eq!(
            kept(&within(all, 5)),
            [vec![false; 3], vec![false; 2], vec![false]]
        );
        // One too big for what is left does not stop smaller ones after it.
        let all = drills(&[&[10, 50], &[10, 10]]);
        assert_eq!(
            kept(&within(all, 35)),
            [vec![true, false], vec![true, true]]
        );
    }

    #[test]
    fn the_policy_names_the_style_and_script_by_hash() {
        assert_eq!(
            hash_source("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        let css = style();
        assert!(css.starts_with(STYLE));
        assert!(css.contains(".k0{border-color:#"), "the median's colour");
    }
}
