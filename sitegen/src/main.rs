//! `sitegen`: see `sitegen::cli`.

fn main() -> std::process::ExitCode {
    sitegen::cli::main()
}
