//! `navigator`: the server and its operator commands. Everything lives in the library.

/// mimalloc instead of the system allocator: a search allocates and frees buffers of up to
/// a megabyte many times a second, where glibc's malloc spends a fifth of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    platform::cli::main()
}
