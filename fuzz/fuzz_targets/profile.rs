//! Any bytes given to the profile parser give a profile or diagnostics,
//! never a panic, and rendering the diagnostics never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = parkctl::profile::Profile::parse("fuzz.yaml", "fuzz", text) {
            let _ = format!("{:?}", miette::Report::new(e));
        }
    }
});
