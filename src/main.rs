use clap::Parser;

fn main() {
    let opts = xxgk::cli::Opts::parse();
    match xxgk::cli::run(opts) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("xxgk: error: {err:#}");
            std::process::exit(2);
        }
    }
}
