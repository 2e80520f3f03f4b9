//! Prints how long a `Host` takes to start: compiling the component, then loading the compiled
//! code from the cache. `cargo run --release -p arrow-rs-wasm-host --example start -- COMPONENT`

use std::time::Instant;

use arrow_rs_wasm_host::{Host, HostConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let component = std::env::args().nth(1).unwrap_or_else(|| "build/arrow_core.wasm".to_string());
    let cache = std::env::temp_dir().join(format!("arrow-rs-wasm-start-{}", std::process::id()));
    let t = Instant::now();
    drop(Host::new(HostConfig::new(&component))?);
    println!("no cache:           {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    drop(Host::new(HostConfig::new(&component).cache_dir(&cache))?);
    println!("cache, first start: {:>8.1} ms (compiles, writes the cache)", t.elapsed().as_secs_f64() * 1e3);
    std::thread::sleep(std::time::Duration::from_secs(2));
    for _ in 0..3 {
        let t = Instant::now();
        drop(Host::new(HostConfig::new(&component).cache_dir(&cache))?);
        println!("cache, later start: {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    std::fs::remove_dir_all(&cache)?;
    Ok(())
}
