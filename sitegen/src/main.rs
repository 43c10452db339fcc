//! `sitegen`: see `sitegen::cli`.

/// mimalloc, as in `navigator`: a run allocates and frees millions of small strings (rows,
/// cards, pages), where the system allocator spends a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sitegen::cli::main()
}
