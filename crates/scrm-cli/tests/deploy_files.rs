//! The deployment files are valid without a Docker engine: `docker-compose config -q`
//! parses and checks the compose file (scripts/setup.sh installs docker-compose).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn compose_file_is_valid_and_creates_topics_on_kafka() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let compose = root.join("docker-compose.yml");
    let out = Command::new("docker-compose")
        .arg("-f")
        .arg(&compose)
        .args(["config", "-q"])
        .output()
        .expect("docker-compose is installed by scripts/setup.sh --test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&compose).unwrap();
    assert!(text.contains("SCRM_BROKERS: kafka:9092"));
    assert!(text.contains(r#"command: ["scrm", "topics", "create"]"#));
    assert!(root.join("deploy/Dockerfile").exists());
}
