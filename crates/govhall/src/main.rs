//! The `govhall` command: parse arguments, set up logging, hand over to `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
