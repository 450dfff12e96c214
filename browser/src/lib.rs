//! Nothing here: the crate is its test, tests/page.rs.
