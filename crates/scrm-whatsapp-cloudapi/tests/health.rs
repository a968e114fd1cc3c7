//! Endpoint failover driven by probes of a slow mock primary.
//!
//! "Slow" is a 300 ms server-side delay against a 100 ms threshold, so a slow probe is
//! slow by construction; only fast probes depend on the machine, and the tests allow
//! for an occasional slow one by probing until recovery (bounded) instead of exactly
//! three times.

mod common;

use std::time::Duration;

use common::{config_for, mock};
use scrm_whatsapp_cloudapi::mock::MockCloud;
use scrm_whatsapp_cloudapi::{run_prober, CloudClient, OutgoingMessage, SWITCH_AFTER};

const THRESHOLD: Duration = Duration::from_millis(100);
const SLOW: Duration = Duration::from_millis(300);
const MAX_PROBES: usize = 50;

fn client(primary: &MockCloud, backup: Option<&MockCloud>) -> CloudClient {
    let mut config = config_for(primary);
    config.backup_url = backup.map(|b| b.url().to_owned());
    config.slow_probe = THRESHOLD;
    CloudClient::new(config).expect("valid config")
}

async fn probe_once(client: &CloudClient) {
    let health = client.health();
    match client.probe().await {
        Ok(latency) => health.record(latency, true),
        Err(_) => health.record(Duration::ZERO, false),
    }
}

#[tokio::test]
async fn slow_primary_moves_traffic_to_backup_and_back() {
    let primary = mock().await;
    let backup = mock().await;
    let client = client(&primary, Some(&backup));
    let health = client.health();
    let msg = OutgoingMessage::text("+85291234567", "hi");

    primary.set_delay(SLOW);
    for _ in 1..SWITCH_AFTER {
        probe_once(&client).await;
    }
    assert!(!health.is_on_backup(), "two slow probes are not enough");
    probe_once(&client).await;
    assert!(health.is_on_backup());
    assert_eq!(health.current(), backup.url());
    client.send(&msg).await.expect("backup accepts");
    assert_eq!(backup.requests().len(), 1);
    assert!(primary.requests().is_empty());

    primary.set_delay(Duration::ZERO);
    let mut probes = 0;
    while health.is_on_backup() && probes < MAX_PROBES {
        probe_once(&client).await;
        probes += 1;
    }
    assert!(
        !health.is_on_backup(),
        "recovered within {MAX_PROBES} probes"
    );
    assert!(probes >= SWITCH_AFTER as usize);
    assert_eq!(health.current(), primary.url());
    assert_eq!(health.switches(), 2);
    client.send(&msg).await.expect("primary accepts");
    assert_eq!(primary.requests().len(), 1);
}

#[tokio::test]
async fn without_backup_traffic_stays_but_health_reports_it() {
    let primary = mock().await;
    let client = client(&primary, None);
    primary.set_delay(SLOW);
    for _ in 0..SWITCH_AFTER {
        probe_once(&client).await;
    }
    let health = client.health();
    assert!(!health.primary_healthy());
    assert!(!health.is_on_backup());
    assert_eq!(health.current(), primary.url());
    assert_eq!(health.switches(), 0);
}

#[tokio::test]
async fn failed_probes_count_as_bad() {
    let primary = mock().await;
    let backup = mock().await;
    let mut config = config_for(&primary);
    config.backup_url = Some(backup.url().to_owned());
    config.phone_number_id = "999".into(); // the mock answers 400 for it
    let client = CloudClient::new(config).expect("valid config");
    assert!(client.probe().await.is_err());
    for _ in 0..SWITCH_AFTER {
        probe_once(&client).await;
    }
    assert!(client.health().is_on_backup());
}

#[tokio::test]
async fn prober_task_switches_and_stops_on_shutdown() {
    let primary = mock().await;
    let backup = mock().await;
    let client = client(&primary, Some(&backup));
    primary.set_delay(SLOW);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let prober = {
        let client = client.clone();
        tokio::spawn(async move {
            run_prober(&client, Duration::from_millis(10), async {
                let _ = stopped.await;
            })
            .await;
        })
    };
    // Bounded wait for the observable effect; nothing is asserted about duration.
    for _ in 0..500 {
        if client.health().is_on_backup() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(client.health().is_on_backup());
    stop.send(()).expect("prober still running");
    prober.await.expect("prober ends cleanly");
}
