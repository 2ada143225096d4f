use clap::Parser;
use parkctl::cli::Cli;
use parkctl::commands;
use parkctl::error::Exit;

fn main() {
    let cli = Cli::parse();
    // In logs (cron mail, CI) a wrapped message splits resource names at
    // their hyphens, so that grepping for a name misses it: wrap on a
    // terminal only.
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
        }));
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("parkctl: cannot start the async runtime: {e}");
            std::process::exit(Exit::Error.code());
        }
    };
    let code = match rt.block_on(commands::run(cli)) {
        Ok(exit) => exit,
        Err(e) => {
            let exit = e.exit();
            parkctl::eprint_error(e);
            exit
        }
    };
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    std::process::exit(code.code());
}
