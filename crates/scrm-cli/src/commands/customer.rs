//! `scrm customer`: what scrm knows about one customer.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use scrm_state::RocksStore;

use crate::cli::CustomerArgs;
use scrm_app::App as Context;

pub(crate) fn run(ctx: &Context, args: CustomerArgs) -> anyhow::Result<ExitCode> {
    // A number typed with spaces arrives as several words; it is one key.
    let key = args.key.join(" ");
    let found = match &args.url {
        Some(url) => over_http(ctx, url, &key)?,
        None => {
            let dir = ctx.state_dir();
            let store = RocksStore::open_read_only(&dir)
                .with_context(|| format!("reading the state store in {}", dir.display()))?;
            let lookup = ctx.state_lookup(Arc::new(store), None);
            lookup.find(&key).map_err(|e| anyhow::anyhow!("{e}"))?
        }
    };
    match found {
        Some(state) => {
            println!("{}", serde_json::to_string_pretty(&state)?);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("no state for {key}");
            Ok(ExitCode::from(1))
        }
    }
}

fn over_http(ctx: &Context, url: &str, key: &str) -> anyhow::Result<Option<serde_json::Value>> {
    let token = ctx
        .config
        .api
        .token()
        .context("the customer API needs a token: set SCRM_API_TOKEN or api.token_file")?;
    let encoded: String = key
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let response = reqwest::blocking::Client::new()
        .get(format!("{}/customers/{encoded}", url.trim_end_matches('/')))
        .bearer_auth(token.expose())
        .send()
        .with_context(|| format!("asking {url}"))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    let body: serde_json::Value = response.json().context("reading the answer")?;
    if !status.is_success() {
        anyhow::bail!("{url} answered {status}: {}", body["error"]);
    }
    Ok(Some(body))
}
