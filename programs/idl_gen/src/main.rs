//! `cargo run -p idl_gen` writes the program's IDL to `programs/idl/quantdesk_perp.json`
//! (`--check` only compares, and fails when the committed file is out of date).

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let generated = match idl_gen::generate(&idl_gen::program_source()) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot parse the program: {error}");
            return ExitCode::FAILURE;
        }
    };
    let path = idl_gen::committed_idl();
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            eprintln!("{} is out of date: run `cargo run -p idl_gen`", path.display());
            return ExitCode::FAILURE;
        }
        return ExitCode::SUCCESS;
    }
    if let Err(error) =
        std::fs::create_dir_all(path.parent().unwrap()).and_then(|_| std::fs::write(&path, generated))
    {
        eprintln!("cannot write {}: {error}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote programs/idl/quantdesk_perp.json");
    ExitCode::SUCCESS
}
