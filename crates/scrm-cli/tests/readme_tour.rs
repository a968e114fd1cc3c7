//! The README's five-minute tour, run as written: the `sh` block under "A five-minute tour"
//! is taken from README.md and run with bash, so an edit that breaks a command fails here.
//!
//! What a test cannot do as a person would is substituted, and only that: the built binary
//! for `$HOME/.cache/scrm-target/debug/scrm`, its `demo` with a small size for
//! `./scripts/demo.sh` (which builds first), a free port for 8080, a wait for readiness
//! after starting a server (a person reads the output first), and the foreground server of
//! the last line run in the background, asked for the webhook handshake, then stopped.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The tour's code block.
fn tour() -> String {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("## A five-minute tour")
        .expect("README has the tour");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("the tour's code block") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the block ends") + open;
    rest[open..close].to_owned()
}

/// Lines joined into the commands bash runs: a command continues while a quote is open or
/// the line ends with `\`.
fn commands(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in block.lines() {
        if line.trim().is_empty() && current.is_empty() {
            continue;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        if !quote_open(&current) && !line.trim_end().ends_with('\\') {
            out.push(std::mem::take(&mut current));
        }
    }
    assert!(current.is_empty(), "unterminated command: {current}");
    out
}

/// Whether `text` ends inside a single- or double-quoted string, as bash reads it: a `#`
/// that starts a word outside quotes begins a comment to the end of its line, and an
/// apostrophe there ("the policy gate's verdicts") quotes nothing.
fn quote_open(text: &str) -> bool {
    let mut quote = None;
    let mut comment = false;
    let mut word_start = true;
    for c in text.chars() {
        if comment {
            comment = c != '\n';
            word_start = true;
            continue;
        }
        match (quote, c) {
            (None, '#') if word_start => comment = true,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        word_start = quote.is_none() && c.is_whitespace();
    }
    quote.is_some()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The script bash runs: each command between markers, with its exit status.
fn script(commands: &[String], port: u16) -> String {
    let ready = format!(
        "for i in $(seq 600); do curl -sf 127.0.0.1:{port}/readyz >/dev/null && break; sleep 0.1; done"
    );
    let mut s = String::from("set -u\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n");
    for (i, command) in commands.iter().enumerate() {
        let mut command = command
            .replace(
                "./scripts/demo.sh",
                "\"$SCRM_BIN\" demo --customers 100 --days 3",
            )
            .replace(
                "scrm=$HOME/.cache/scrm-target/debug/scrm",
                "scrm=\"$SCRM_BIN\"",
            )
            .replace("localhost:8080", &format!("127.0.0.1:{port}"));
        let body = command
            .split('#')
            .next()
            .unwrap_or("")
            .trim_end()
            .to_owned();
        if body.ends_with('&') {
            command = format!("{command}\n{ready}");
        } else if body.starts_with("kill ") {
            // A person types the next line after the server has drained.
            command = format!("{command}\nwait");
        } else if i + 1 == commands.len() && body.contains(" serve") {
            command = format!(
                "{body} &\n{ready}\ncurl -sf '127.0.0.1:{port}/webhook?hub.mode=subscribe&hub.verify_token=v&hub.challenge=4711'\nkill %%\nwait %%"
            );
        }
        // The marker starts a line of its own: curl's JSON ends without a newline.
        s.push_str(&format!(
            "echo '::cmd {i}'; echo '::cmd {i}' >&2\n{command}\necho \"\n::status {i} $?\"\n"
        ));
    }
    s
}

/// Each command's exit status and its stdout and stderr.
struct Run {
    command: String,
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn split(text: &str, n: usize) -> Vec<String> {
    let mut parts = vec![String::new(); n];
    let mut at = None;
    for line in text.lines() {
        if let Some(i) = line.strip_prefix("::cmd ") {
            at = i.parse::<usize>().ok();
            continue;
        }
        if let Some(i) = at {
            parts[i].push_str(line);
            parts[i].push('\n');
        }
    }
    parts
}

fn find<'a>(runs: &'a [Run], needle: &str) -> &'a Run {
    runs.iter()
        .find(|r| r.command.contains(needle))
        .unwrap_or_else(|| panic!("the tour has no `{needle}` command"))
}

#[test]
fn the_readme_tour_runs_as_written() {
    let commands = commands(&tour());
    assert!(commands.len() >= 10, "{commands:?}");
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script(&commands, port))
        .current_dir(home.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("SCRM_BIN", env!("CARGO_BIN_EXE_scrm"))
        .env("SCRM_API_LISTEN", format!("127.0.0.1:{port}"))
        .env("SCRM_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Whatever happened, nothing the tour started outlives the test.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let finished = child.wait().unwrap();
    let (stdout, stderr) = (reader.join().unwrap(), err_reader.join().unwrap());
    assert!(
        finished.success(),
        "the tour did not finish in time\n{stdout}\n{stderr}"
    );
    let outs = split(&stdout, commands.len());
    let errs = split(&stderr, commands.len());
    let runs: Vec<Run> = commands
        .iter()
        .enumerate()
        .map(|(i, command)| {
            let status = outs[i]
                .lines()
                .find_map(|l| l.strip_prefix(&format!("::status {i} ")))
                .and_then(|s| s.trim().parse().ok());
            Run {
                command: command.clone(),
                status,
                stdout: outs[i]
                    .lines()
                    .filter(|l| !l.starts_with("::status"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                stderr: errs[i].clone(),
            }
        })
        .collect();
    let find = |needle: &str| find(&runs, needle);
    for run in &runs {
        let expected = if run.command.contains("# a clear error") {
            1
        } else {
            0
        };
        assert_eq!(
            run.status,
            Some(expected),
            "`{}`\nstdout: {}\nstderr: {}",
            run.command,
            run.stdout,
            run.stderr
        );
    }

    let demo = find("demo.sh");
    assert!(demo.stdout.contains("wrote "), "{}", demo.stdout);
    let topics = find("topics list");
    assert!(topics.stdout.contains("conversation"), "{}", topics.stdout);
    let tail = find("--from -1d --max 3");
    let lines: Vec<serde_json::Value> = tail
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("tail prints JSON lines"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", tail.stdout);
    let acks = find("--acks");
    assert!(
        acks.stdout.contains("{\"line\":1,\"partition\":"),
        "{}",
        acks.stdout
    );
    let clear = find("# a clear error");
    assert!(
        clear.stderr.contains("line 1: ") && clear.stderr.contains("rejected 1 lines"),
        "{}",
        clear.stderr
    );
    let dlq = find("--topic dlq --meta");
    assert!(
        dlq.stdout.contains("\"error\":\"line 1: "),
        "{}",
        dlq.stdout
    );
    let customer = find("customer 9123 4567");
    assert!(
        customer.stdout.contains("+85291234567"),
        "{}",
        customer.stdout
    );
    // The state keeps no message text; the Cantonese question was read as one about a
    // discount, in the region's language.
    let state: serde_json::Value = serde_json::from_str(&customer.stdout).expect("JSON");
    assert_eq!(state["keywords"]["discount"], 1, "{}", customer.stdout);
    assert_eq!(state["language"], "zh_HK", "{}", customer.stdout);
    assert!(home.path().join("pack.toml").exists());
    let triggers = find("--topic triggers --max 5");
    let n = triggers.stdout.lines().count();
    assert!((1..=5).contains(&n), "{}", triggers.stdout);
    let api = find("/customers/%2B85291234567");
    assert!(api.stdout.contains("+85291234567"), "{}", api.stdout);
    let metrics = find("/metrics");
    assert!(
        metrics.stdout.contains("scrm_processor_"),
        "{}",
        metrics.stdout
    );
    let webhook = runs.last().unwrap();
    assert!(webhook.stdout.contains("4711"), "{}", webhook.stdout);
}
