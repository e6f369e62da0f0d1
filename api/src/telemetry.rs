//! The tracing subscriber: readable in development, JSON in production.
//!
//! Whatever the format, a log line is one line: control characters that reach the
//! output (a newline in a client's input would forge a line; an escape sequence
//! would rewrite the terminal) are escaped by the writer itself, so no field and no
//! future format can bypass it. The request span names the method and path only —
//! never the query string, which carries GET requests' variables.

use std::io::{self, Write};

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;
use tracing_subscriber::{EnvFilter, fmt, fmt::MakeWriter, prelude::*};

use crate::config::{Config, Environment};

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match config.env {
        Environment::Production => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(Escaped(io::stdout)),
            )
            .try_init(),
        Environment::Development => registry
            .with(
                fmt::layer()
                    .compact()
                    .with_ansi(false)
                    .with_writer(Escaped(io::stdout)),
            )
            .try_init(),
    };
}

/// A writer that escapes every control character but the line's final newline.
pub struct Escaped<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaped<M> {
    type Writer = EscapedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapedWriter(self.0.make_writer())
    }
}

pub struct EscapedWriter<W>(W);

impl<W: Write> Write for EscapedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(&escape_line(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The formatter writes one event per call, ending in `\n`; any other control byte
/// inside becomes `\xNN` (so `\n` inside a field shows as `\x0a`).
pub fn escape_line(buf: &[u8]) -> Vec<u8> {
    let (body, end) = match buf.split_last() {
        Some((b'\n', body)) => (body, &b"\n"[..]),
        _ => (buf, &b""[..]),
    };
    let mut out = Vec::with_capacity(buf.len() + 8);
    for &b in body {
        if b.is_ascii_control() && b != b'\t' {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        } else {
            out.push(b);
        }
    }
    out.extend_from_slice(end);
    out
}

/// The access-log span of a request: method, path and request id, no query string.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(64).collect::<String>())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.path(),
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.response().status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
    }
}

#[cfg(test)]
mod tests {
    use super::escape_line;

    #[test]
    fn a_newline_in_a_field_cannot_forge_a_line() {
        let line = b"INFO failed login email=a\nERROR forged\r\x1b[2J\n";
        let out = String::from_utf8(escape_line(line)).unwrap();
        assert_eq!(
            out,
            "INFO failed login email=a\\x0aERROR forged\\x0d\\x1b[2J\n"
        );
        assert_eq!(out.lines().count(), 1);
    }
}
