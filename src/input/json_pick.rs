//! Picks the fields a scan reads out of a JSON record while it is parsed.
//!
//! A record parsed into a [`Value`] costs a map and a string for every key
//! and value, most of them never looked at; for NDJSON that was six times
//! the cost of the same rows in CSV. Here the record's keys are compared as
//! they are read, unwanted values are skipped unbuilt, and wanted strings
//! are borrowed from the text when they hold no escapes.
//!
//! A field is found as [`super::json`]'s `lookup` finds it in a parsed
//! object: its whole dotted path as one key first, else its first segment
//! and the rest of the path inside that; a key given twice counts last.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::fmt;

/// How many fields a record is read for (time, followers, account,
/// following, cohort, display name).
pub(crate) const SLOTS: usize = 6;

/// One field's value, as far as a scan cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'de> {
    Null,
    Str(Cow<'de, str>),
    Num(Number),
    /// A boolean, array or object: always the wrong type, kept whole for
    /// the message.
    Other(Value),
}

impl<'v> Cell<'v> {
    /// The cell of a value already parsed.
    pub(crate) fn of(v: &'v Value) -> Cell<'v> {
        match v {
            Value::Null => Cell::Null,
            Value::String(s) => Cell::Str(Cow::Borrowed(s)),
            Value::Number(n) => Cell::Num(n.clone()),
            other => Cell::Other(other.clone()),
        }
    }

    /// The value again, for a message about it.
    pub(crate) fn value(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Str(s) => Value::String(s.to_string()),
            Cell::Num(n) => Value::Number(n.clone()),
            Cell::Other(v) => v.clone(),
        }
    }

    /// The cell of a value that is given up, owning its text.
    fn owned(v: Value) -> Cell<'static> {
        match v {
            Value::Null => Cell::Null,
            Value::String(s) => Cell::Str(Cow::Owned(s)),
            Value::Number(n) => Cell::Num(n),
            other => Cell::Other(other),
        }
    }
}

impl<'de> de::Deserialize<'de> for Cell<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(s)))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Cell<'de>, E> {
        Ok(Cell::Num(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Num(n.into()))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Cell<'de>, E> {
        Ok(Number::from_f64(x).map_or(Cell::Null, Cell::Num))
    }
    fn visit_unit<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Other(Value::Bool(b)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Cell<'de>, A::Error> {
        let v = de::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Cell::Other(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell<'de>, A::Error> {
        let v = de::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Cell::Other(v))
    }
}

/// An object key, borrowed from the text when it holds no escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The fields picked from one record, by slot.
#[derive(Debug, Default)]
pub(crate) struct Picked<'de> {
    pub cells: [Option<Cell<'de>>; SLOTS],
    /// What the record was when it was not an object ("a string", …).
    pub not_object: Option<&'static str>,
}

/// For each slot, its path (or at an inner level, the rest of it), or
/// `None` for a slot not read.
pub(crate) type Wanted<'p> = [Option<&'p str>; SLOTS];

/// Reads one record, picking the fields it wants.
pub(crate) struct Pick<'w, 'p>(pub &'w Wanted<'p>);

impl<'de> DeserializeSeed<'de> for Pick<'_, '_> {
    type Value = Picked<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Picked<'de>, D::Error> {
        let mut picked = Picked::default();
        picked.not_object = Level {
            wanted: self.0,
            out: &mut picked.cells,
        }
        .deserialize(d)?;
        Ok(picked)
    }
}

/// One object level of the search: what is wanted in it, and where what
/// is found goes. Deserialized from anything; yields what the value was
/// when it was not an object.
struct Level<'w, 'p, 'o, 'de> {
    wanted: &'w Wanted<'p>,
    out: &'o mut [Option<Cell<'de>>; SLOTS],
}

impl<'de> DeserializeSeed<'de> for Level<'_, '_, '_, 'de> {
    type Value = Option<&'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Level<'_, '_, '_, 'de> {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        // Slots whose whole remaining path was a key here: a descent into
        // another key does not override them.
        let mut literal = [false; SLOTS];
        // Each path's first segment and the rest, split once a level.
        let split: [Option<(&str, &str)>; SLOTS] = std::array::from_fn(|s| {
            let path = self.wanted[s]?;
            let dot = path.bytes().position(|b| b == b'.')?;
            Some((&path[..dot], &path[dot + 1..]))
        });
        while let Some(Key(key)) = map.next_key()? {
            let whole: Wanted = std::array::from_fn(|s| self.wanted[s].filter(|&r| r == key));
            let inner: Wanted = std::array::from_fn(|s| {
                let (head, rest) = split[s]?;
                (head == key && !literal[s]).then_some(rest)
            });
            let descend = inner.iter().any(Option::is_some);
            match (whole.iter().any(Option::is_some), descend) {
                (false, false) => {
                    map.next_value::<IgnoredAny>()?;
                }
                (true, false) => {
                    let cell: Cell<'de> = map.next_value()?;
                    self.assign(&whole, &mut literal, || cell.clone());
                }
                (false, true) => {
                    let mut found: [Option<Cell<'de>>; SLOTS] = Default::default();
                    map.next_value_seed(Level {
                        wanted: &inner,
                        out: &mut found,
                    })?;
                    for (s, cell) in found.into_iter().enumerate() {
                        if inner[s].is_some() {
                            self.out[s] = cell;
                        }
                    }
                }
                (true, true) => {
                    // One path ends at this key and another goes on into it
                    // (rare): parse the value whole and look into it.
                    let value: Value = map.next_value()?;
                    for (s, rest) in inner.iter().enumerate() {
                        if let Some(rest) = rest {
                            self.out[s] =
                                super::json::lookup(&value, rest).map(|v| Cell::owned(v.clone()));
                        }
                    }
                    self.assign(&whole, &mut literal, || Cell::owned(value.clone()));
                }
            }
        }
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Some("an array"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Some("a string"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Some("a number"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Some("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Some("a number"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Some("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some("null"))
    }
}

impl<'de> Level<'_, '_, '_, 'de> {
    /// Puts `cell` in each slot whose whole remaining path was this key.
    fn assign(
        &mut self,
        whole: &Wanted,
        literal: &mut [bool; SLOTS],
        cell: impl Fn() -> Cell<'de>,
    ) {
        for (s, hit) in whole.iter().enumerate() {
            if hit.is_some() {
                self.out[s] = Some(cell());
                literal[s] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Picking from text finds what looking up the parsed value finds, for
    /// nested paths, keys holding dots, keys given twice and escapes.
    #[test]
    fn picking_agrees_with_lookup() {
        let records = [
            r#"{"t":"2024-01-01","n":{"f":5,"g":[1]},"a":"x"}"#,
            r#"{"n.f":7,"n":{"f":5},"t":1700000000}"#,
            r#"{"n":{"f":5},"n.f":7,"t":null}"#,
            r#"{"n":{"f":5},"n":{"g":1},"t":true,"a":"\u00e9\"q"}"#,
            r#"{"n":3,"t":{"x":1},"a":12.5}"#,
            r#"{"n":{"f":{"deep":1}},"a":[1,2]}"#,
            r#"{"t":"a","t":"b","x":{"y":[{"z":1}]}}"#,
            r#"{"n":{"f":1,"f.g":2,"f":{"g":3}}}"#,
        ];
        let paths: [&Wanted; 2] = [
            &[Some("t"), Some("n.f"), Some("a"), None, None, None],
            &[Some("t"), Some("n.f"), Some("n"), Some("n.f.g"), None, None],
        ];
        for text in records {
            let value: Value = serde_json::from_str(text).unwrap();
            for paths in paths {
                let mut de = serde_json::Deserializer::from_str(text);
                let picked = Pick(paths).deserialize(&mut de).unwrap();
                for (s, path) in paths.iter().enumerate() {
                    let expected = path.and_then(|p| super::super::json::lookup(&value, p));
                    assert_eq!(picked.cells[s], expected.map(Cell::of), "{text} {path:?}");
                }
                assert_eq!(picked.not_object, None);
            }
        }
    }

    /// The text of any JSON value, its object keys from a few names that
    /// hold dots, clash, and may be given twice in one object.
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<u32>().prop_map(Value::from),
            (-5.0f64..5.0).prop_map(Value::from),
            "[a-c\\\\\"é]{0,3}".prop_map(Value::from),
        ]
        .prop_map(|v| v.to_string());
        leaf.prop_recursive(4, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(
                    |fields| {
                        let fields: Vec<String> = fields
                            .iter()
                            .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
                            .collect();
                        format!("{{{}}}", fields.join(","))
                    }
                ),
            ]
        })
    }

    const KEYS: &[&str] = &["a", "b", "a.b", "b.c", "c"];

    proptest::proptest! {
        // Cheap cases, and a key given twice with the path under the first
        // only is a rare draw: many of them.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// On any record, picking agrees with looking up the parsed value.
        #[test]
        fn picking_agrees_with_lookup_on_any_record(
            text in json_text(),
            paths in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b", "a.b", "a.b.c", "b.c", "c.a"]),
                SLOTS,
            ),
        ) {
            let record: Value = serde_json::from_str(&text).unwrap();
            let wanted: Wanted = std::array::from_fn(|s| Some(paths[s]));
            let mut de = serde_json::Deserializer::from_str(&text);
            let picked = Pick(&wanted).deserialize(&mut de).unwrap();
            if record.is_object() {
                for (s, path) in paths.iter().enumerate() {
                    let expected = super::super::json::lookup(&record, path).map(Cell::of);
                    proptest::prop_assert_eq!(&picked.cells[s], &expected, "{} {}", text, path);
                }
            } else {
                proptest::prop_assert!(picked.not_object.is_some());
            }
        }
    }

    #[test]
    fn a_record_that_is_no_object_says_what_it_is() {
        let paths = [Some("t"), None, None, None, None, None];
        for (text, kind) in [
            ("[1,{}]", "an array"),
            ("\"s\"", "a string"),
            ("null", "null"),
        ] {
            let mut de = serde_json::Deserializer::from_str(text);
            let picked = Pick(&paths).deserialize(&mut de).unwrap();
            assert_eq!(picked.not_object, Some(kind));
        }
        let borrowed = json!("x");
        assert_eq!(Cell::of(&borrowed), Cell::Str(Cow::Borrowed("x")));
    }
}
