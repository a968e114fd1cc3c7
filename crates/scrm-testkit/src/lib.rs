//! Test support shared by scrm's crates.
//!
//! A real Kafka-protocol broker for the tests: Tansu with its `memory://` engine.
//!
//! `scripts/test.sh` starts one broker for the whole run and exports its address in
//! `SCRM_TEST_KAFKA_BROKERS`; tests make their own topics, so they can share it. Run on
//! their own (`cargo test`), the tests start a broker per test process on a free port.

#[cfg(feature = "embedded")]
mod embedded;
#[cfg(feature = "embedded")]
pub use embedded::{embedded_log, read_all, rocks_store};

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A broker the tests may use; stops its process (if it started one) when dropped.
#[derive(Debug)]
pub struct Broker {
    pub bootstrap: String,
    child: Option<Child>,
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn tansu_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TANSU_BIN") {
        return path.into();
    }
    let cargo_bin = PathBuf::from(std::env::var("CARGO_HOME").unwrap_or_else(|_| {
        format!(
            "{}/.cargo",
            std::env::var("HOME").unwrap_or_else(|_| "/root".into())
        )
    }))
    .join("bin/tansu");
    if cargo_bin.exists() {
        return cargo_bin;
    }
    PathBuf::from("tansu")
}

/// A topic name (or prefix) no other test uses, also on a shared broker.
pub fn unique_name(label: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "test-{label}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Broker {
    pub fn get() -> Broker {
        if let Ok(bootstrap) = std::env::var("SCRM_TEST_KAFKA_BROKERS") {
            return Broker {
                bootstrap,
                child: None,
            };
        }
        Self::start()
    }

    /// Starts a fresh Tansu process on a free loopback port.
    pub fn start() -> Broker {
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let binary = tansu_binary();
        let child = Command::new(&binary)
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/", "--silent"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the Tansu broker ({}): {e}. Run ./scripts/test.sh, which installs it \
                     (cargo install tansu --locked --features dynostore), or set TANSU_BIN.",
                    binary.display()
                )
            });
        let broker = Broker {
            bootstrap: format!("127.0.0.1:{port}"),
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Tansu did not listen on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        broker
    }
}
