//! The `salesgraph` binary: parse the command line, hand over to the api crate.

// mimalloc: fewer cycles per allocation than glibc's malloc under many threads, and a
// resolved GraphQL response allocates per field (see bench/read_path.sh).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    api::cli::main()
}
