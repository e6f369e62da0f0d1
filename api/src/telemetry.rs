//! The tracing subscriber: readable in development, JSON in production, and spans
//! exported as OpenTelemetry traces (OTLP over HTTP) when an endpoint is configured.
//!
//! Whatever the format, a log line is one line: control characters that reach the
//! output (a newline in a client's input would forge a line; an escape sequence
//! would rewrite the terminal) are escaped by the writer itself, so no field and no
//! future format can bypass it.

use std::io::{self, Write};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::{Level, Metadata};
use tracing_subscriber::{
    EnvFilter, Layer,
    filter::{FilterExt, filter_fn},
    fmt,
    fmt::MakeWriter,
    prelude::*,
};

use crate::config::{Config, Environment};

/// Keeps the trace exporter alive; dropping it sends what is still buffered.
#[must_use = "dropping the guard stops trace export"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(p) = self.provider.take()
            && let Err(e) = p.shutdown()
        {
            eprintln!("salesgraph: flushing traces failed: {e}");
        }
    }
}

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(config: &Config) -> Telemetry {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let provider = config.otlp_endpoint.as_deref().and_then(trace_provider);
    let traces = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("salesgraph"))
            .with_filter(EnvFilter::new("info"))
    });
    let registry = tracing_subscriber::registry().with(traces);
    let filter = filter.and(filter_fn(|m| !is_client_fault(m)));
    let _ = match config.env {
        Environment::Production => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(Escaped(io::stdout))
                    .with_filter(filter),
            )
            .try_init(),
        Environment::Development => registry
            .with(
                fmt::layer()
                    .compact()
                    .with_ansi(false)
                    .with_writer(Escaped(io::stdout))
                    .with_filter(filter),
            )
            .try_init(),
    };
    Telemetry { provider }
}

/// Makes `span` the server side of the trace the caller's `traceparent` (and
/// `tracestate`) headers name, when they do (W3C Trace Context); otherwise it starts a
/// trace of its own. Without an exporter this costs nothing.
pub fn continue_trace(span: &tracing::Span, headers: &actix_web::http::header::HeaderMap) {
    use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    struct Headers<'a>(&'a actix_web::http::header::HeaderMap);
    impl Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|v| v.to_str().ok())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|k| k.as_str()).collect()
        }
    }
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent =
        opentelemetry_sdk::propagation::TraceContextPropagator::new().extract(&Headers(headers));
    let _ = span.set_parent(parent);
}

/// actix-http's HTTP/1 dispatcher logs at ERROR what a client did to its connection: a
/// request that does not parse (a bad header, a URI too long), a body cut short, a peer
/// gone. A client error is logged below ERROR (§7), so those events are kept out of the
/// output; the dispatcher says the same at TRACE (`parse error …`, `I/O error …`), which
/// `SALESGRAPH_LOG=actix_http=trace` shows.
fn is_client_fault(meta: &Metadata<'_>) -> bool {
    *meta.level() == Level::ERROR && meta.target() == "actix_http::h1::dispatcher"
}

/// A batch exporter to `{endpoint}/v1/traces`; its own thread does the sending, so it
/// needs no runtime and never blocks a request.
fn trace_provider(endpoint: &str) -> Option<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build();
    match exporter {
        Ok(exporter) => Some(
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(
                    opentelemetry_sdk::Resource::builder()
                        .with_service_name("salesgraph")
                        .build(),
                )
                .build(),
        ),
        Err(e) => {
            eprintln!("salesgraph: OpenTelemetry export disabled: {e}");
            None
        }
    }
}

/// A client-supplied value made safe for a log line: control characters (a newline could
/// forge a line) are escaped, and the value is cut to a bounded length.
pub fn escaped(raw: &str) -> String {
    const MAX: usize = 200;
    let mut out = String::with_capacity(raw.len().min(MAX));
    for c in raw.chars().take(MAX) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::escape_line;

    #[test]
    fn escaped_values_are_one_bounded_line() {
        let s = super::escaped("op\nINFO forged\r\u{1b}[31m");
        assert!(!s.chars().any(char::is_control), "{s}");
        assert!(s.starts_with("op\\nINFO"), "{s}");
        assert_eq!(super::escaped(&"x".repeat(500)).len(), 200);
    }

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
