//! JSON documents that are not a bare array of snapshot records: API
//! responses, whose records sit under `data` (Twitter/X v2, TikTok), `items`
//! (YouTube), `users` or `profiles` beside `meta` and paging fields, a
//! single record (Instagram's Graph API answers one object per account), and
//! pandas' `to_json` orientations. Each is turned into the records it holds,
//! and, where the records carry no time of their own, the time a collector
//! wrote beside them (`fetched_at`) or the file's name holds
//! (`--time-from-name`).
//!
//! Such documents are one page of an API's answer: they are parsed whole.

use super::columns::{self, Field};
use serde_json::{Map, Value};

/// Keys under which APIs put their records, in order of preference.
const RECORD_KEYS: &[&str] = &[
    "data", "items", "users", "profiles", "results", "records", "accounts", "channels",
];

/// The records of a document, and where they were found (for messages).
#[derive(Debug)]
pub struct Records {
    pub items: Vec<Value>,
    /// A path such as `items`, or a description (`the whole document`).
    pub found_at: String,
}

/// The records of `doc`: under `path` (`--records`) when given, else found
/// by the rules in the module's documentation. `Err` says what the document
/// holds, for a message that ends with `--records`.
pub fn records(doc: Value, path: Option<&str>) -> Result<Records, String> {
    if let Some(path) = path {
        let found = super::json::lookup(&doc, path).ok_or_else(|| {
            format!(
                "--records {path:?}: no such field (top-level fields: {})",
                keys(&doc)
            )
        })?;
        return as_records(found.clone(), path.to_string())
            .ok_or_else(|| format!("--records {path:?}: not an array of objects nor an object"));
    }
    let Value::Object(map) = doc else {
        return Err(
            "expected a JSON array of snapshot objects, or an object holding one".to_string(),
        );
    };
    if let Some(records) = pandas_split(&map) {
        return Ok(records);
    }
    let arrays: Vec<&String> = map
        .iter()
        .filter(|(_, v)| is_array_of_objects(v))
        .map(|(k, _)| k)
        .collect();
    let known = RECORD_KEYS
        .iter()
        .find_map(|key| map.keys().find(|k| k.eq_ignore_ascii_case(key)));
    let key = match (known, arrays.as_slice()) {
        (Some(k), _) if is_array_of_objects(&map[k]) || has_followers(&map[k]) => Some(k.clone()),
        (_, [only]) => Some((*only).clone()),
        _ => None,
    };
    if let Some(key) = key {
        let found = map[&key].clone();
        return as_records(found, key.clone()).ok_or_else(|| format!("{key}: no records"));
    }
    if arrays.len() > 1 {
        let names: Vec<&str> = arrays.iter().map(|s| s.as_str()).collect();
        return Err(format!(
            "several arrays of objects ({}): name the one holding the snapshots with --records",
            names.join(", ")
        ));
    }
    let doc = Value::Object(map);
    if let Some(records) = pandas_nested(&doc) {
        return Ok(records);
    }
    if has_followers(&doc) {
        return Ok(Records {
            items: vec![doc],
            found_at: "the whole document (one record)".to_string(),
        });
    }
    Err(format!(
        "no array of snapshot records found (top-level fields: {}): name it with --records PATH",
        keys(&doc)
    ))
}

fn keys(doc: &Value) -> String {
    match doc {
        Value::Object(m) if !m.is_empty() => m.keys().cloned().collect::<Vec<_>>().join(", "),
        _ => "none".to_string(),
    }
}

fn is_array_of_objects(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_object))
}

/// Whether an object has a field (at any depth of its paths) named like the
/// followers: a single record.
fn has_followers(v: &Value) -> bool {
    let Value::Object(_) = v else { return false };
    let mut names = Vec::new();
    super::json::collect_paths(v, "", 0, &mut names);
    columns::find_field(&names, Field::Followers).is_some()
}

fn as_records(v: Value, found_at: String) -> Option<Records> {
    let items = match v {
        Value::Array(a) if a.iter().all(Value::is_object) => a,
        v @ Value::Object(_) => vec![v],
        _ => return None,
    };
    Some(Records { items, found_at })
}

/// pandas' `orient="split"`: `{"columns": [...], "index": [...], "data": [[...], ...]}`.
fn pandas_split(map: &Map<String, Value>) -> Option<Records> {
    let columns: Vec<&str> = map
        .get("columns")?
        .as_array()?
        .iter()
        .map(Value::as_str)
        .collect::<Option<_>>()?;
    let rows = map.get("data")?.as_array()?;
    let items = rows
        .iter()
        .map(|row| {
            let cells = row.as_array()?;
            (cells.len() == columns.len()).then(|| {
                Value::Object(
                    columns
                        .iter()
                        .map(|c| c.to_string())
                        .zip(cells.iter().cloned())
                        .collect(),
                )
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Records {
        items,
        found_at: "pandas split orientation (columns and data)".to_string(),
    })
}

/// pandas' `orient="index"` (`{"0": {"date": …, "followers": …}, …}`) and
/// `orient="columns"` (`{"date": {"0": …}, "followers": {"0": …}}`): an
/// object of objects, told apart by which side names the fields.
fn pandas_nested(doc: &Value) -> Option<Records> {
    let map = doc.as_object()?;
    if map.is_empty() || !map.values().all(Value::is_object) {
        return None;
    }
    let outer: Vec<String> = map.keys().cloned().collect();
    if columns::find_field(&outer, Field::Followers).is_some() {
        // Columns outside: transpose, row by row in the first column's order.
        let first = map.values().next()?.as_object()?;
        let items = first
            .keys()
            .map(|row| {
                Value::Object(
                    map.iter()
                        .filter_map(|(col, cells)| Some((col.clone(), cells.get(row)?.clone())))
                        .collect(),
                )
            })
            .collect();
        return Some(Records {
            items,
            found_at: "pandas columns orientation".to_string(),
        });
    }
    let items: Vec<Value> = map.values().cloned().collect();
    items.first().is_some_and(has_followers).then(|| Records {
        items,
        found_at: "pandas index orientation".to_string(),
    })
}

/// A time written beside the records, at the top of the document or in its
/// `meta` object (a collector's `fetched_at` around an API response): its
/// field's name and value.
pub fn time_beside(doc: &Value) -> Option<(String, Value)> {
    let scalars = |v: &Value| -> Vec<(String, Value)> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| v.is_string() || v.is_number())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut fields = scalars(doc);
    if let Some(meta) = doc.get("meta") {
        fields.extend(scalars(meta));
    }
    let names: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
    let i = columns::find_field(&names, Field::Time)?;
    Some(fields.swap_remove(i))
}

/// The time a file's name holds (`2026-01-17T06:00Z.json`,
/// `20260117.json`, `followers_2026-01-17_0600.json`), as Unix seconds in
/// UTC: the first run of digits that starts with a year (19xx or 20xx)
/// and holds a month and day, maybe hours and minutes and seconds, with
/// `-`, `_`, `.`, `:` or `T` between them.
pub fn time_in_name(stem: &str) -> Option<i64> {
    let b = stem.as_bytes();
    (0..b.len()).find_map(|start| {
        let year_start = b.get(start..start + 2)?;
        if !(year_start == b"19" || year_start == b"20")
            || (start > 0 && b[start - 1].is_ascii_digit())
        {
            return None;
        }
        let mut digits = String::new();
        for &c in &b[start..] {
            if c.is_ascii_digit() {
                digits.push(c as char);
            } else if !matches!(c, b'-' | b'_' | b'.' | b':' | b'T' | b't') {
                break;
            }
            if digits.len() == 14 {
                break;
            }
        }
        let num = |r: std::ops::Range<usize>| digits.get(r)?.parse::<u32>().ok();
        let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
        let (h, m, s) = match digits.len() {
            8 => (0, 0, 0),
            12 => (num(8..10)?, num(10..12)?, 0),
            14 => (num(8..10)?, num(10..12)?, num(12..14)?),
            _ => return None,
        };
        Some(date.and_hms_opt(h, m, s)?.and_utc().timestamp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(doc: Value) -> (usize, String) {
        let r = records(doc, None).unwrap();
        (r.items.len(), r.found_at)
    }

    #[test]
    fn api_envelopes() {
        let twitter = json!({"data": [{"id": "1", "public_metrics": {"followers_count": 5}}], "meta": {"result_count": 1}});
        assert_eq!(found(twitter), (1, "data".to_string()));
        let youtube = json!({"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 2},
            "items": [{"id": "UC1", "statistics": {"subscriberCount": "10"}}, {"id": "UC2", "statistics": {"subscriberCount": "20"}}]});
        assert_eq!(found(youtube).0, 2);
        let one = json!({"data": {"id": "1", "public_metrics": {"followers_count": 5}}});
        assert_eq!(found(one), (1, "data".to_string()));
        let instagram = json!({"followers_count": 5, "id": "17841"});
        assert_eq!(found(instagram).0, 1);
        let unnamed = json!({"snapshots": [{"t": 1, "followers": 2}], "next": null});
        assert_eq!(found(unnamed), (1, "snapshots".to_string()));
        let two = json!({"a": [{"followers": 1}], "b": [{"followers": 2}]});
        assert!(records(two, None).unwrap_err().contains("--records"));
        let picked = json!({"a": [{"followers": 1}], "b": [{"followers": 2}, {"followers": 3}]});
        assert_eq!(records(picked, Some("b")).unwrap().items.len(), 2);
    }

    #[test]
    fn pandas_orientations() {
        let split = json!({"columns": ["date", "account", "followers"], "index": [0, 1],
            "data": [["2024-01-01", "a", 1], ["2024-01-02", "a", 2]]});
        assert_eq!(found(split).0, 2);
        let table =
            json!({"schema": {"fields": []}, "data": [{"date": "2024-01-01", "followers": 1}]});
        assert_eq!(found(table), (1, "data".to_string()));
        let index = json!({"0": {"date": "2024-01-01", "followers": 1}, "1": {"date": "2024-01-02", "followers": 2}});
        assert_eq!(found(index).0, 2);
        let columns =
            json!({"date": {"0": "2024-01-01", "1": "2024-01-02"}, "followers": {"0": 1, "1": 2}});
        let r = records(columns, None).unwrap();
        assert_eq!(r.items[1], json!({"date": "2024-01-02", "followers": 2}));
    }

    #[test]
    fn times_beside_and_in_names() {
        let doc = json!({"fetched_at": "2026-01-17T06:00:00Z", "data": []});
        assert_eq!(time_beside(&doc).unwrap().0, "fetched_at");
        let meta = json!({"meta": {"retrieved_at": 1768629600}, "data": []});
        assert_eq!(time_beside(&meta).unwrap().0, "retrieved_at");
        assert_eq!(time_beside(&json!({"data": []})), None);
        let t = |s| time_in_name(s);
        assert_eq!(t("2026-01-17T06:00Z"), Some(1_768_629_600));
        assert_eq!(t("followers_2026-01-17_0600"), Some(1_768_629_600));
        assert_eq!(t("20260117"), Some(1_768_608_000));
        assert_eq!(t("export-final"), None);
        assert_eq!(t("v2026"), None);
    }
}
