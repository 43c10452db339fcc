//! `navigator`: the server and its operator commands. Everything lives in the library.

fn main() -> std::process::ExitCode {
    platform::cli::main()
}
