//! mojifix repairs and normalizes text. [`pipeline::run`] takes the bytes of one input and
//! returns the output bytes with a record of every step: [`detect`] decides the encoding
//! (BOM, valid UTF-8, UTF-16 patterns, chardetng confirmed by a language model),
//! [`decode`] turns bytes into text (line by line for mixed files), [`repair`] undoes
//! mojibake by scoring chains of inverse steps with [`model`], [`pinyin`] removes a broken
//! converter's pinyin annotations, [`convert`] applies OpenCC's Traditional ⇄ Simplified
//! rules, [`normalize`] runs opt-in clean-ups, and [`encode`] writes the output encoding.
//! Every stage is pure; only the binary touches files.
//!
//! ```
//! use mojifix::pipeline::{run, Config};
//! let cfg = Config::default();
//! let out = run("浣犲ソ".as_bytes(), &cfg).unwrap();
//! assert_eq!(&*out.output, "你好".as_bytes());
//! assert!(out.changed);
//! ```

pub mod batch;
pub mod convert;
pub mod decode;
pub mod detect;
pub mod encode;
pub mod error;
pub mod model;
pub mod normalize;
pub mod pinyin;
pub mod pipeline;
pub mod repair;
pub mod report;
pub mod step;

pub use error::{Error, Result};
pub use pipeline::{run, Config, Outcome};
pub use step::Step;

#[cfg(test)]
mod test_support {
    /// A small xorshift generator for randomized tests: the same numbers on every run.
    pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }
}
