//! The HTML report in a real browser: headless Chromium driven through
//! WebDriver (chromedriver), as a reader would use the page. See
//! `browser/README.md` for how to run it; `.ci/run` installs Chromium and
//! runs it. Without a browser it fails: it is only run when asked for.
//!
//! Each test makes its page with the release binary, opens it from a
//! `file://` address (as from an e-mail attachment), checks that the
//! browser logged no error (a Content-Security-Policy violation is one),
//! and keeps screenshots under `target/browser/`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("browser/ is inside the repository")
        .to_path_buf()
}

/// Where pages and screenshots go: `target/browser/`.
fn out_dir() -> PathBuf {
    let dir = root().join("target/browser");
    std::fs::create_dir_all(&dir).expect("target/browser");
    dir
}

/// The followdrop binary: `$FOLLOWDROP`, else the release build.
fn followdrop() -> PathBuf {
    let path = std::env::var_os("FOLLOWDROP")
        .map_or_else(|| root().join("target/release/followdrop"), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release` first (or set FOLLOWDROP)",
        path.display()
    );
    path
}

/// Runs followdrop with `args` in the repository's root; panics on a
/// status other than 0 or 1.
fn run(args: &[&str]) {
    let out = Command::new(followdrop())
        .args(args)
        .current_dir(root())
        .output()
        .expect("followdrop runs");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "followdrop {args:?}: {code:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `followdrop scan -o target/browser/<name>.html <inputs>`: the page.
fn page(name: &str, inputs: &[&str]) -> PathBuf {
    let path = out_dir().join(format!("{name}.html"));
    let out = path.display().to_string();
    let mut args = vec!["scan", "-q", "-o", &out];
    args.extend_from_slice(inputs);
    run(&args);
    path
}

/// A chromedriver of our own on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn executable(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

impl Driver {
    fn start(name: &str) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let binary = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} ({e}): install chromium and chromium-driver")
            });
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{binary} did not listen within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = out_dir().join(format!("profile-{name}"));
        Driver {
            child,
            port,
            profile,
        }
    }

    /// A headless Chromium session, `width` × `height`, logging the
    /// console. The flags keep it off the network (none is reachable).
    async fn session(&self, width: u32, height: u32) -> Client {
        let chromium = executable("CHROMIUM", "/usr/bin/chromium");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--hide-scrollbars".to_string(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", self.profile.display()),
        ];
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("no browser session: {e}"))
    }
}

/// A WebDriver command chromedriver has beside the standard ones.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/{}", session.unwrap_or(""), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// What the browser's console logged since the last call.
async fn console(c: &Client) -> Vec<Value> {
    let log = c
        .issue_cmd(Extension {
            path: "se/log",
            body: json!({ "type": "browser" }),
        })
        .await
        .expect("the browser's log");
    log.as_array().cloned().unwrap_or_default()
}

/// Fails on any error the browser logged: a script error, a resource
/// refused by the Content-Security-Policy, a request attempted.
async fn assert_no_console_errors(c: &Client, page: &str) {
    let errors: Vec<Value> = console(c)
        .await
        .into_iter()
        .filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING")
        .collect();
    assert!(errors.is_empty(), "{page}: the console logged {errors:#?}");
}

/// A Chrome DevTools command through chromedriver.
async fn devtools(c: &Client, cmd: &str, params: Value) {
    c.issue_cmd(Extension {
        path: "goog/cdp/execute",
        body: json!({ "cmd": cmd, "params": params }),
    })
    .await
    .unwrap_or_else(|e| panic!("{cmd}: {e}"));
}

async fn open(c: &Client, path: &Path) {
    c.goto(&format!("file://{}", path.display()))
        .await
        .expect("the page opens");
}

/// The page `name` made of `inputs`, opened in a 1280 × 900 window of a
/// browser of its own, which logged no error: the start of every test.
async fn opened(name: &str, inputs: &[&str]) -> (Driver, Client, PathBuf) {
    let path = page(name, inputs);
    let driver = Driver::start(name);
    let c = driver.session(1280, 900).await;
    open(&c, &path).await;
    assert_no_console_errors(&c, name).await;
    (driver, c, path)
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(out_dir().join(format!("{name}.png")), &png).expect("saved");
    // `UPDATE_SCREENSHOTS=1` refreshes the pictures the docs show.
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() && name.starts_with("docs-") {
        let docs = root().join("docs").join(format!("{}.png", &name[5..]));
        std::fs::write(docs, &png).expect("saved in docs/");
    }
}

/// The texts of `column` of the first accounts table's data rows, in
/// their order: all of them, or only those shown (of a paged table).
async fn column(c: &Client, column: usize, shown_only: bool) -> Vec<String> {
    let script = "const [col, shown] = arguments; \
        const rows = document.querySelector('table.accounts').tBodies[0].rows; \
        return Array.from(rows) \
          .filter(r => !r.classList.contains('why') && !(shown && r.hidden)) \
          .map(r => r.cells[col].textContent.trim());";
    let v = c
        .execute(script, vec![json!(column), json!(shown_only)])
        .await
        .expect("the column");
    serde_json::from_value(v).expect("strings")
}

/// Pages of a PDF: its `/Type /Page` objects (not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let key = b"/Type /Page";
    pdf.windows(key.len() + 1)
        .filter(|w| w.starts_with(key) && w[key.len()] != b's')
        .count()
}

fn number(cell: &str) -> f64 {
    cell.replace([',', '%'], "").parse().unwrap_or(f64::NAN)
}

/// The header button of `name` in the first accounts table.
async fn heading(c: &Client, name: &str) -> fantoccini::elements::Element {
    let buttons = c
        .find_all(Locator::Css("table.accounts thead th button"))
        .await
        .expect("the headings");
    for b in buttons {
        if b.text()
            .await
            .expect("text")
            .trim_end_matches([' ', '▲', '▼'])
            == name
        {
            return b;
        }
    }
    panic!("no heading {name:?}");
}

async fn sorted_as(c: &Client, name: &str) -> Option<String> {
    let b = heading(c, name).await;
    let th = b.find(Locator::XPath("..")).await.expect("its header cell");
    th.attr("aria-sort").await.expect("aria-sort")
}

/// The Instagram 2019 page: no console error; sorting by a column, by
/// mouse and by keyboard, reorders the rows (and their drill-downs with
/// them); a drill-down opens; screenshots wide, narrow and dark; printed,
/// each event starts a page.
#[tokio::test]
async fn the_instagram_page_in_a_browser() {
    let (_driver, c, path) = opened("instagram", &["fixtures/instagram-2019-02-13.csv"]).await;
    let title = c.title().await.expect("a title");
    assert!(title.contains("Follower losses"), "{title}");

    let names = column(&c, 0, false).await;
    assert!(names.len() > 10, "{names:?}");
    // By name, up and down.
    heading(&c, "account").await.click().await.expect("click");
    let up = column(&c, 0, false).await;
    let mut expected = names.clone();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(up, expected, "sorted by name");
    assert_ne!(up, names, "the rows moved");
    assert_eq!(sorted_as(&c, "account").await.as_deref(), Some("ascending"));
    heading(&c, "account").await.click().await.expect("click");
    let down = column(&c, 0, false).await;
    expected.reverse();
    assert_eq!(down, expected, "sorted by name, descending");
    // By a number, from the keyboard: the heading is a button.
    let lost = heading(&c, "loss").await;
    c.execute(
        "arguments[0].focus()",
        vec![serde_json::to_value(&lost).unwrap()],
    )
    .await
    .expect("focus");
    lost.send_keys("\u{E007}").await.expect("Enter");
    let shares: Vec<f64> = column(&c, 4, false)
        .await
        .iter()
        .map(|s| number(s))
        .collect();
    assert!(shares.iter().all(|x| x.is_finite()), "{shares:?}");
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1]),
        "ascending: {shares:?}"
    );
    assert_eq!(sorted_as(&c, "loss").await.as_deref(), Some("ascending"));
    // Each row's drill-down moved with it, and opens.
    let first = column(&c, 0, true).await[0].clone();
    let why = c
        .find(Locator::Css("table.accounts tbody tr.why summary"))
        .await
        .expect("a drill-down");
    why.click().await.expect("open it");
    let said = c
        .find(Locator::Css("table.accounts tbody tr.why details[open]"))
        .await
        .expect("open")
        .text()
        .await
        .expect("its text");
    let name = first.split_whitespace().next().unwrap();
    assert!(said.contains(&format!("{name} went from")), "{said}");
    assert_no_console_errors(&c, "instagram, after sorting").await;
    c.execute("window.scrollTo(0, 0)", vec![])
        .await
        .expect("top");
    screenshot(&c, "docs-report-html").await;
    c.execute(
        "document.querySelector('#event-1 h3').scrollIntoView()",
        vec![],
    )
    .await
    .expect("to the accounts");
    screenshot(&c, "docs-report-html-accounts").await;

    // Printed: the header, then each event from a new page.
    let pdf = c
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .expect("printed");
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf_pages(&pdf);
    assert!(pages >= 2, "the event on a page of its own: {pages} pages");
    std::fs::write(out_dir().join("instagram.pdf"), &pdf).expect("saved");

    // On a phone, and in the dark.
    c.set_window_size(390, 844).await.expect("narrow");
    open(&c, &path).await;
    screenshot(&c, "instagram-phone").await;
    devtools(
        &c,
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    )
    .await;
    screenshot(&c, "instagram-phone-dark").await;
    let background = c
        .execute(
            "return getComputedStyle(document.body).backgroundColor",
            vec![],
        )
        .await
        .expect("the colour");
    assert_eq!(background, json!("rgb(21, 22, 26)"), "dark");
    assert_no_console_errors(&c, "instagram, narrow and dark").await;
    c.close().await.expect("closed");
}

/// A quiet data set: the page says so, with its timeline, and logs no
/// error.
#[tokio::test]
async fn a_quiet_page_in_a_browser() {
    let (_driver, c, _) = opened("quiet", &["fixtures/quiet-viral.csv"]).await;
    let lead = c
        .find(Locator::Css("header .lead"))
        .await
        .expect("the headline")
        .text()
        .await
        .expect("its text");
    assert!(lead.starts_with("No sudden follower loss found"), "{lead}");
    c.find(Locator::Css("figure.timeline svg"))
        .await
        .expect("the timeline");
    screenshot(&c, "quiet").await;
    c.close().await.expect("closed");
}

/// An event of about 90 accounts: 25 at a time, the pager moves through
/// them, and sorting goes back to the first page of the new order.
#[tokio::test]
async fn long_lists_are_paged() {
    let data = out_dir().join("paged.csv");
    run(&[
        "simulate",
        "--scenario",
        "quiet",
        "--accounts",
        "120",
        "--days",
        "20",
        "--inject",
        "platform_glitch@2024-01-10T14:00",
        "-o",
        &data.display().to_string(),
    ]);
    let (_driver, c, _) = opened("paged", &[&data.display().to_string()]).await;
    let label = || async {
        c.find(Locator::Css(".pager span"))
            .await
            .expect("the pager")
            .text()
            .await
            .expect("its text")
    };
    let first = label().await;
    assert!(first.starts_with("accounts 1–25 of "), "{first}");
    let total: usize = first.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(total > 50, "{total} accounts");
    assert_eq!(column(&c, 0, true).await.len(), 25, "one page shown");
    let page_one = column(&c, 0, true).await;
    let next = c
        .find(Locator::Css(".pager button:last-child"))
        .await
        .expect("next");
    next.click().await.expect("next page");
    assert!(label().await.starts_with("accounts 26–50 of "));
    let page_two = column(&c, 0, true).await;
    assert_eq!(page_two.len(), 25);
    assert!(page_one.iter().all(|n| !page_two.contains(n)), "other rows");
    heading(&c, "account").await.click().await.expect("sort");
    assert!(label().await.starts_with("accounts 1–25 of "));
    assert_no_console_errors(&c, "paged, after paging").await;
    screenshot(&c, "paged").await;
    c.close().await.expect("closed");
}
