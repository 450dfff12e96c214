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
//!
//! Most records are flat objects of plain strings and numbers, one line
//! after another in the same layout. Those are read without serde
//! ([`pick_flat`]), and once one is, the next ones are read by comparing
//! their text with its layout ([`Template`]), at about a quarter of
//! serde's instructions a record. Anything else still goes through serde,
//! which judges it.

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

/// [`Pick`] for the common record, read without serde: one flat object
/// whose keys hold no escapes and whose values are strings without
/// escapes, unsigned integers, `true`, `false`, `null` or (unwanted)
/// numbers. `None` for anything else — a nested value, an escape, a
/// wanted number that is not an unsigned integer, text that is no JSON —
/// which serde then reads (and judges) as before: this only ever answers
/// what serde would (property-tested against it).
///
/// In a flat object a path is found only as a whole key (a path's first
/// segment holds no object to look into), the last one given.
///
/// The record's layout goes into `template`, for the next records.
pub(crate) fn pick_flat<'t>(
    text: &'t str,
    wanted: &Wanted,
    template: &mut Template,
) -> Option<Picked<'t>> {
    let mut scan = Flat {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut picked = Picked::default();
    let mut holes: Vec<(std::ops::Range<usize>, Hole)> = Vec::new();
    // A wanted literal has no hole to fill its slots from: such a record
    // is no layout for the next.
    let mut layout = true;
    scan.skip_space();
    scan.expect(b'{')?;
    scan.skip_space();
    if scan.peek() == Some(b'}') {
        scan.at += 1;
    } else {
        loop {
            let key = scan.string()?;
            scan.skip_space();
            scan.expect(b':')?;
            scan.skip_space();
            let key = &scan.bytes[key];
            // The slots this key fills, as bits (several slots may want it).
            let slots = (0..SLOTS).fold(0u8, |bits, s| {
                let hit = wanted[s].is_some_and(|w| w.as_bytes() == key);
                bits | u8::from(hit) << s
            });
            // Serde reads a value it looks into (the first segment of a
            // wanted path) whole, and refuses a number out of a float's
            // range there; one it skips, it only checks the spelling of.
            let checked = slots != 0 || wanted.iter().flatten().any(|w| heads(w, key));
            let start = scan.at;
            let (cell, kind) = scan.value(text, checked)?;
            picked.fill(slots, cell);
            match kind {
                Some(kind) => {
                    // A string's hole is its text, within the quotes.
                    let span = match kind {
                        Kind::Str => start + 1..scan.at - 1,
                        Kind::Num => start..scan.at,
                    };
                    holes.push((
                        span,
                        Hole {
                            kind,
                            slots,
                            checked,
                        },
                    ));
                }
                None => layout &= slots == 0,
            }
            scan.skip_space();
            match scan.next()? {
                b',' => scan.skip_space(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    scan.skip_space();
    if scan.at != scan.bytes.len() {
        return None;
    }
    if layout {
        template.learn(scan.bytes, holes);
    }
    Some(picked)
}

/// The layout of a flat record, learnt from one, for reading the next
/// ones: its text with the strings' text and the numbers cut out (the
/// keys, quotes, separators, whitespace and literals the next must
/// repeat), and what each cut held. Records written by one program repeat
/// their layout line after line; one that does is read by comparing its
/// text with the layout's and scanning only its values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template {
    text: Vec<u8>,
    /// Each cut: where it falls in `text`, and what it holds.
    holes: Vec<(usize, Hole)>,
    learnt: bool,
}

#[derive(Debug, Clone, Copy)]
struct Hole {
    kind: Kind,
    /// The slots its value fills, as bits.
    slots: u8,
    /// Whether a number there must be an unsigned integer (a value serde
    /// would read, not skip).
    checked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Num,
}

impl Template {
    fn learn(&mut self, line: &[u8], holes: Vec<(std::ops::Range<usize>, Hole)>) {
        self.text.clear();
        self.holes.clear();
        let mut from = 0;
        for (span, hole) in holes {
            self.text.extend_from_slice(&line[from..span.start]);
            self.holes.push((self.text.len(), hole));
            from = span.end;
        }
        self.text.extend_from_slice(&line[from..]);
        self.learnt = true;
    }

    /// The fields of `text` if it has the layout learnt, as [`pick_flat`]
    /// would read them.
    pub(crate) fn read<'t>(&self, text: &'t str) -> Option<Picked<'t>> {
        let mut picked = Picked::default();
        self.scan(text.as_bytes(), |slots, raw| {
            let cell = match raw {
                Raw::Str(span) => Cell::Str(Cow::Borrowed(text.get(span)?)),
                Raw::Num(n) => Cell::Num(n.into()),
                Raw::Skipped => Cell::Null,
            };
            picked.fill(slots, cell);
            Some(())
        })?;
        Some(picked)
    }

    /// Reads `line` by the layout learnt, giving each hole's slots (as
    /// bits) and value to `each`; `None` if it has another layout (or
    /// `each` gives up). The line's bytes are not checked as UTF-8 here:
    /// the layout's own text came from a valid line, and a hole's bounds
    /// are ASCII, so the line is valid where the strings' texts are.
    pub(crate) fn scan(
        &self,
        line: &[u8],
        mut each: impl FnMut(u8, Raw) -> Option<()>,
    ) -> Option<()> {
        if !self.learnt {
            return None;
        }
        let mut scan = Flat { bytes: line, at: 0 };
        let mut from = 0;
        for &(
            to,
            Hole {
                kind,
                slots,
                checked,
            },
        ) in &self.holes
        {
            scan.expect_bytes(&self.text[from..to])?;
            from = to;
            let raw = match kind {
                Kind::Str => {
                    let start = scan.at;
                    scan.at += super::bytes::string_end(&scan.bytes[start..])?;
                    Raw::Str(start..scan.at)
                }
                Kind::Num if checked => Raw::Num(scan.unsigned()?),
                Kind::Num => {
                    scan.skip_number()?;
                    Raw::Skipped
                }
            };
            each(slots, raw)?;
        }
        scan.expect_bytes(&self.text[from..])?;
        (scan.at == scan.bytes.len()).then_some(())
    }
}

/// A value in a hole of a [`Template`]: where a string's text lies (no
/// escapes, no control characters), an unsigned number, or a number that
/// is not read.
pub(crate) enum Raw {
    Str(std::ops::Range<usize>),
    Num(u64),
    Skipped,
}

impl<'t> Picked<'t> {
    /// Puts `cell` in each slot of `slots` (bits): moved into the last,
    /// cloned for the others (a field is nearly always wanted once).
    fn fill(&mut self, slots: u8, cell: Cell<'t>) {
        if slots == 0 {
            return;
        }
        let last = 7 - slots.leading_zeros() as usize;
        let mut others = slots & !(1 << last);
        while others != 0 {
            let s = others.trailing_zeros() as usize;
            others &= others - 1;
            self.cells[s] = Some(cell.clone());
        }
        self.cells[last] = Some(cell);
    }
}

/// Whether `key` is the first segment of the dotted path `path`.
fn heads(path: &str, key: &[u8]) -> bool {
    path.as_bytes()
        .strip_prefix(key)
        .is_some_and(|rest| rest.first() == Some(&b'.'))
}

/// A cursor over one line of JSON text, for [`pick_flat`] and
/// [`Template::scan`].
struct Flat<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Flat<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// JSON's whitespace: space, tab, line feed, carriage return.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Where the text of a string without escapes or control characters
    /// lies, moving past it.
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        self.expect(b'"')?;
        let start = self.at;
        let len = super::bytes::string_end(&self.bytes[start..])?;
        self.at = start + len + 1;
        (self.bytes[start + len] == b'"').then_some(start..start + len)
    }

    /// A value that is a string, a number or a literal, as serde's reading
    /// of it would give it if `checked` (read by serde, not skipped: a
    /// number then must be an unsigned integer; otherwise any number, its
    /// cell left `Null`), and the kind of hole it leaves in a template
    /// (none for a literal); `None` for an array or an object. `text` is
    /// the line's text.
    fn value(&mut self, text: &'t str, checked: bool) -> Option<(Cell<'t>, Option<Kind>)> {
        match self.peek()? {
            b'"' => {
                let span = self.string()?;
                Some((Cell::Str(Cow::Borrowed(text.get(span)?)), Some(Kind::Str)))
            }
            b'0'..=b'9' if checked => Some((Cell::Num(self.unsigned()?.into()), Some(Kind::Num))),
            b'-' | b'0'..=b'9' if !checked => {
                self.skip_number()?;
                Some((Cell::Null, Some(Kind::Num)))
            }
            _ => match self.literal()? {
                Value::Null => Some((Cell::Null, None)),
                other => Some((Cell::Other(other), None)),
            },
        }
    }

    /// Moves past `text`, which must come next.
    fn expect_bytes(&mut self, text: &[u8]) -> Option<()> {
        let end = self.at + text.len();
        (self.bytes.get(self.at..end)? == text).then(|| self.at = end)
    }

    fn literal(&mut self) -> Option<Value> {
        let rest = &self.bytes[self.at..];
        let (value, len) = if rest.starts_with(b"null") {
            (Value::Null, 4)
        } else if rest.starts_with(b"true") {
            (Value::Bool(true), 4)
        } else if rest.starts_with(b"false") {
            (Value::Bool(false), 5)
        } else {
            return None;
        };
        self.at += len;
        Some(value)
    }

    /// Moves past a number as JSON writes one: `-`, then `0` or digits not
    /// starting with 0, then perhaps a fraction and an exponent.
    fn skip_number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.skip_digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    /// A number that is an unsigned integer a `u64` holds, moving past it;
    /// `None` for any other (a fraction, an exponent, a leading zero, more
    /// than a `u64` holds: serde's to read).
    fn unsigned(&mut self) -> Option<u64> {
        let start = self.at;
        let mut n = 0u64;
        while let Some(digit) = self
            .peek()
            .and_then(|b| b.checked_sub(b'0'))
            .filter(|&d| d < 10)
        {
            n = n.checked_mul(10)?.checked_add(u64::from(digit))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        let more = matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        (digits > 0 && !leading_zero && !more).then_some(n)
    }

    fn skip_digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    /// At least one digit.
    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        self.skip_digits();
        (self.at > start).then_some(())
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

    /// What serde's [`Pick`] reads of `text`, as [`pick_flat`] would give
    /// it (`None` where serde finds no JSON or no object).
    fn serde_pick<'t>(text: &'t str, wanted: &Wanted) -> Option<[Option<Cell<'t>>; SLOTS]> {
        let mut de = serde_json::Deserializer::from_str(text);
        let picked = Pick(wanted).deserialize(&mut de).ok()?;
        de.end().ok()?;
        picked.not_object.is_none().then_some(picked.cells)
    }

    #[test]
    fn flat_records_are_picked_as_serde_picks_them() {
        let wanted: Wanted = [Some("t"), Some("f"), Some("a"), Some("g"), None, None];
        let read = [
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":612,"g":177}"#,
            " { \"t\" : 5 ,\t\"f\":0, \"x\": -1.5e-3, \"y\": null, \"a\": true }\r",
            r#"{"f":1,"f":2,"g":null,"z":"é","a":false}"#,
            "{}",
            r#"{"x":0,"y":1E+2,"z":-0}"#,
            // Nineteen digits, and twenty up to the largest `u64`.
            r#"{"f":9999999999999999999,"g":18446744073709551615}"#,
        ];
        for text in read {
            let flat = pick_flat(text, &wanted, &mut Template::default())
                .unwrap_or_else(|| panic!("{text}"));
            assert_eq!(Some(flat.cells), serde_pick(text, &wanted), "{text}");
        }
        // Left to serde: escapes, nesting, numbers that are no u64, and
        // anything that is no JSON.
        let left = [
            r#"{"t":"a\"b"}"#,
            r#"{"t":{"x":1}}"#,
            r#"{"x":[1]}"#,
            r#"{"f":-3}"#,
            r#"{"f":2.5}"#,
            r#"{"f":18446744073709551616}"#,
            r#"{"f":012}"#,
            r#"{"f":1,}"#,
            r#"{"f":1} x"#,
            "{\"t\":\"a\u{1}\"}",
            r#"[1]"#,
            r#"{"f":tru}"#,
            r#"{"x":1.}"#,
        ];
        for text in left {
            assert!(
                pick_flat(text, &wanted, &mut Template::default()).is_none(),
                "{text}"
            );
        }
    }

    /// A flat record: keys from a few names (some given twice), values of
    /// every kind a flat record holds (with `clean`, only those the flat
    /// reader reads itself when wanted), and whitespace between.
    fn flat_text(clean: bool) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let value = if clean {
            prop_oneof![
                Just("null".to_string()),
                any::<bool>().prop_map(|b| b.to_string()),
                any::<u64>().prop_map(|n| n.to_string()),
                "\"[a-zé ]{0,4}\"",
            ]
            .boxed()
        } else {
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                (-1e6f64..1e6).prop_map(|x| x.to_string()),
                "[0-9.eE+-]{1,6}",
                "\"[a-zé\\\\\"\u{1}]{0,4}\"",
            ]
            .boxed()
        };
        let space = "[ \t\r]{0,2}";
        prop::collection::vec((prop::sample::select(KEYS), value, space), 0..6).prop_map(|fields| {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v, sp)| format!("{sp}\"{k}\"{sp}:{sp}{v}{sp}"))
                .collect();
            format!("{{{}}}", fields.join(","))
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Where the flat reader answers, serde answers the same; and it
        /// answers for every flat record of escape-free strings and
        /// unsigned integers.
        #[test]
        fn the_flat_reader_agrees_with_serde(
            text in proptest::prop_oneof![flat_text(false), json_text()],
            paths in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b", "a.b", "c"]),
                SLOTS,
            ),
        ) {
            let wanted: Wanted = std::array::from_fn(|s| Some(paths[s]));
            if let Some(flat) = pick_flat(&text, &wanted, &mut Template::default()) {
                proptest::prop_assert_eq!(Some(flat.cells), serde_pick(&text, &wanted), "{}", &text);
            }
        }

        #[test]
        fn the_flat_reader_reads_every_clean_flat_record(
            text in flat_text(true),
            paths in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b", "a.b", "c"]),
                SLOTS,
            ),
        ) {
            let wanted: Wanted = std::array::from_fn(|s| Some(paths[s]));
            let flat = pick_flat(&text, &wanted, &mut Template::default()).map(|p| p.cells);
            proptest::prop_assert!(flat.is_some(), "{}", &text);
            proptest::prop_assert_eq!(flat, serde_pick(&text, &wanted), "{}", &text);
        }
    }

    #[test]
    fn a_template_reads_records_of_its_layout_only() {
        let wanted: Wanted = [Some("t"), Some("f"), Some("a"), None, None, None];
        let mut template = Template::default();
        let first = r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":612,"r":-1.5,"n":null}"#;
        assert!(template.read(first).is_none(), "nothing learnt yet");
        pick_flat(first, &wanted, &mut template).unwrap();
        let same = r#"{"t":"2024-01-02T00:00:00Z","a":"yé","f":7,"r":2e3,"n":null}"#;
        let read = template.read(same).expect("the same layout");
        assert_eq!(Some(read.cells), serde_pick(same, &wanted));
        for other in [
            r#"{"a":"x","t":"2024-01-01T00:00:00Z","f":612,"r":-1.5,"n":null}"#,
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":612,"r":-1.5,"n":true}"#,
            r#"{"t":"2024-01-01T00:00:00Z","a":"x\"","f":612,"r":-1.5,"n":null}"#,
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":6.5,"r":-1.5,"n":null}"#,
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":612,"r":-1.5,"n":null} x"#,
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":612,"r":"s","n":null}"#,
            // Cut short, or a value left out, where a number was.
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":"#,
            r#"{"t":"2024-01-01T00:00:00Z","a":"x","f":,"r":-1.5,"n":null}"#,
        ] {
            assert!(template.read(other).is_none(), "{other}");
        }
    }

    /// A number that serde reads rather than skips — under the first
    /// segment of a wanted path — must be one it can read: `1e400` is out
    /// of a float's range, and serde refuses the record.
    #[test]
    fn a_number_under_a_wanted_paths_first_segment_is_checked() {
        let wanted: Wanted = [Some("t"), Some("m.f"), None, None, None, None];
        let mut template = Template::default();
        let first = r#"{"t":"2024-01-01","m":1}"#;
        let flat = pick_flat(first, &wanted, &mut template).unwrap();
        assert_eq!(Some(flat.cells), serde_pick(first, &wanted));
        for text in [
            r#"{"t":"2024-01-02","m":1e400}"#,
            r#"{"t":"2024-01-02","m":-1}"#,
        ] {
            assert!(template.read(text).is_none(), "{text}");
            assert!(
                pick_flat(text, &wanted, &mut Template::default()).is_none(),
                "{text}"
            );
        }
        assert!(serde_pick(r#"{"t":"2024-01-02","m":1e400}"#, &wanted).is_none());
        // Skipped, it is only spelt: serde takes it.
        let skipped = r#"{"t":"2024-01-02","x":1e400}"#;
        let flat = pick_flat(skipped, &wanted, &mut Template::default()).unwrap();
        assert_eq!(Some(flat.cells), serde_pick(skipped, &wanted));
    }

    /// Two records of one layout (keys, whitespace and kinds of value), of
    /// values drawn apart: the second read by the first's template.
    fn layout_pair() -> impl proptest::strategy::Strategy<Value = (String, String)> {
        use proptest::prelude::*;
        let value = |kind: u8| -> BoxedStrategy<String> {
            match kind {
                0 => any::<u64>().prop_map(|n| n.to_string()).boxed(),
                1 => "\"[a-zé\\\\ ]{0,4}\"".boxed(),
                2 => prop_oneof![Just("null"), Just("true")]
                    .prop_map(String::from)
                    .boxed(),
                3 => "-?[0-9]{1,3}(\\.[0-9]{0,2})?([eE][+-]?[0-9]{1,3})?".boxed(),
                // No value at all: no JSON.
                _ => Just(String::new()).boxed(),
            }
        };
        let field = (prop::sample::select(KEYS), 0u8..4, "[ \t]{0,1}");
        // The second record's values may also be missing.
        let value_or_none = move |kind: u8| prop_oneof![9 => value(kind), 1 => value(4)].boxed();
        prop::collection::vec(field, 0..6).prop_flat_map(move |fields| {
            let first: Vec<_> = fields.iter().map(|f| value(f.1)).collect();
            let second: Vec<_> = fields.iter().map(|f| value_or_none(f.1)).collect();
            // The second record may be cut short anywhere.
            let cut = proptest::option::weighted(0.2, 0usize..80);
            (Just(fields), first, second, cut).prop_map(|(fields, a, b, cut)| {
                let record = |values: &[String]| {
                    let parts: Vec<String> = fields
                        .iter()
                        .zip(values)
                        .map(|((k, _, sp), v)| format!("{sp}\"{k}\":{sp}{v}"))
                        .collect();
                    format!("{{{}}}", parts.join(","))
                };
                let mut second = record(&b);
                if let Some(cut) = cut {
                    second.truncate(second.floor_char_boundary(cut));
                }
                (record(&a), second)
            })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Where a template learnt from one record reads another, serde
        /// reads the same.
        #[test]
        fn a_template_reads_as_serde_reads(
            (first, second) in layout_pair(),
            paths in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b", "a.b", "c"]),
                SLOTS,
            ),
        ) {
            let wanted: Wanted = std::array::from_fn(|s| Some(paths[s]));
            let mut template = Template::default();
            if pick_flat(&first, &wanted, &mut template).is_some()
                && let Some(read) = template.read(&second)
            {
                proptest::prop_assert_eq!(Some(read.cells), serde_pick(&second, &wanted), "{} then {}", &first, &second);
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
