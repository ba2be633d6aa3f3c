//! A small hand-written HTTP/1.1 layer: request parsing, response writing with byte-level
//! fault control and rate limiting, and `Range` / `If-Range` handling.

mod range;
mod request;
mod response;
mod send;
#[cfg(test)]
mod tests;

pub(crate) use range::serve_blob;
pub(crate) use request::{ReadOutcome, Request, read_request};
pub(crate) use response::{Response, reason};
pub(crate) use send::{SendPlan, write_response};
