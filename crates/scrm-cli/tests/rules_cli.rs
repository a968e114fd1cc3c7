//! `scrm rules check` / `scrm rules default`, and SIGHUP reloading the pack of a running
//! processor (a broken pack leaves the running one in force).

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::scrm;

#[test]
fn check_accepts_the_default_pack_and_reports_problems_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = scrm(dir.path())
        .args(["rules", "default"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let pack = dir.path().join("pack.toml");
    std::fs::write(&pack, &out.stdout).unwrap();

    let out = scrm(dir.path())
        .args(["rules", "check"])
        .arg(&pack)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("rule pack \"default\" is valid"),
        "{stdout}"
    );
    assert!(stdout.contains("high_intent"), "{stdout}");

    let text = String::from_utf8(out_default(dir.path())).unwrap();
    let broken = text.replacen("once_per = \"7d\"", "once_per = \"7d\"\nthreshold = 3", 1);
    let line = broken.lines().position(|l| l == "threshold = 3").unwrap() + 1;
    std::fs::write(&pack, broken).unwrap();
    let out = scrm(dir.path())
        .args(["rules", "check"])
        .arg(&pack)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("{}:{line}:", pack.display());
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(stderr.contains("unknown field `threshold`"), "{stderr}");
    assert!(stderr.contains("nothing was loaded"), "{stderr}");
}

fn out_default(dir: &std::path::Path) -> Vec<u8> {
    scrm(dir)
        .args(["rules", "default"])
        .output()
        .unwrap()
        .stdout
}

#[test]
fn sighup_reloads_the_pack_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(&pack, out_default(dir.path())).unwrap();
    let mut child = scrm(dir.path())
        .env("SCRM_LOG", "warn")
        .args(["process", "--listen", "127.0.0.1:0", "--rules"])
        .arg(&pack)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait_line = |what: &str| -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no line with {what:?}"));
            if line.contains(what) {
                return line;
            }
        }
    };
    let listening = wait_line("API listening on");
    let api = listening.rsplit(' ').next().unwrap().to_owned();
    let hup = |child: &std::process::Child| {
        assert!(std::process::Command::new("kill")
            .args(["-HUP", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
    };

    let changed = String::from_utf8(out_default(dir.path()))
        .unwrap()
        .replace("more_than = 3 }", "more_than = 2 }");
    std::fs::write(&pack, changed).unwrap();
    hup(&child);
    wait_line("reloaded");
    let reloads = || {
        let text = reqwest::blocking::get(format!("{api}/metrics"))
            .unwrap()
            .text()
            .unwrap();
        text.lines()
            .find(|l| l.starts_with("scrm_processor_rule_pack_reloads_total"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    assert_eq!(reloads(), Some(1.0));

    std::fs::write(&pack, "[pack]\nname = 1\n").unwrap();
    hup(&child);
    let refused = wait_line("not reloaded");
    assert!(
        refused.contains("the running one stays in force"),
        "{refused}"
    );
    assert_eq!(reloads(), Some(1.0), "a broken pack is not loaded");

    assert!(std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success());
}
