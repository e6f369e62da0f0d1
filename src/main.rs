//! The `salesgraph` binary: parse the command line, hand over to the api crate.

fn main() -> std::process::ExitCode {
    api::cli::main()
}
