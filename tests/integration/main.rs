//! The one integration test binary (as ripgrep's tests/tests.rs): data-driven fixtures,
//! OpenCC's and ftfy's own test cases, generated round trips, the seed documents, and the
//! command line, each in its module. `support` holds what they share.

mod cli;
mod detection;
mod failures;
mod fixtures;
mod ftfy;
mod opencc;
mod roundtrip;
mod seeds;
mod support;
