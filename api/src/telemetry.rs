//! The tracing subscriber: readable in development, JSON in production, and spans
//! exported as OpenTelemetry traces (OTLP over HTTP) when an endpoint is configured.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{EnvFilter, Layer, fmt, prelude::*};

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
    let _ = match config.env {
        Environment::Production => registry
            .with(fmt::layer().json().flatten_event(true).with_filter(filter))
            .try_init(),
        Environment::Development => registry
            .with(fmt::layer().compact().with_filter(filter))
            .try_init(),
    };
    Telemetry { provider }
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

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_cannot_forge_a_line() {
        let s = super::escaped("op\nINFO forged\r\u{1b}[31m");
        assert!(!s.chars().any(char::is_control), "{s}");
        assert!(s.starts_with("op\\nINFO"), "{s}");
    }
}
