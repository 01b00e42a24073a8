//! The library's one error type. Malformed bytes and "could not repair" are not errors:
//! they are fields on [`crate::decode::Decoded`] and [`crate::pipeline::Outcome`]. What is
//! here are real failures a caller must handle: a label nobody knows, text that cannot be
//! represented in the requested output encoding, a dictionary file that does not parse.

use std::path::PathBuf;

/// A real failure of a library call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An encoding label that neither WHATWG nor this crate knows.
    #[error("unknown encoding `{0}` (try a WHATWG label such as gbk, big5, shift_jis, windows-1252, utf-16le)")]
    UnknownEncoding(String),
    /// An OpenCC configuration name that does not exist.
    #[error("unknown conversion `{0}` (one of: {1})")]
    UnknownConversion(String, String),
    /// Characters that the requested output encoding cannot represent.
    #[error("{count} character(s) cannot be encoded in {encoding}; first: {first}")]
    Unencodable {
        /// The output encoding's name.
        encoding: &'static str,
        /// How many characters could not be encoded.
        count: usize,
        /// The first few, as `U+XXXX 'c' at line L, column C`.
        first: String,
    },
    /// A user dictionary line that is not `from<TAB>to`.
    #[error("{path}:{line}: expected `from<TAB>to`")]
    BadDictionary {
        /// The dictionary file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
