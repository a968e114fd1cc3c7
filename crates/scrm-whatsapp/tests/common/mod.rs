//! A real embedded log and RocksDB state in a temporary directory, the gateway on
//! 127.0.0.1:0, and the real processor to carry events into customer state.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use scrm_config::Secret;
use scrm_events::{Event, InputTopic};
use scrm_ingest::Ingest;
use scrm_log::{EventLog, StoredRecord};
use scrm_processor::{
    Metrics as ProcessorMetrics, OutputEncoder, Processor, ProcessorOptions, SystemClock, TimeMode,
    Topics,
};
use scrm_rules::RulePack;
use scrm_schema::{Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, PartitionMeta, StateStore};
use scrm_whatsapp::gateway::seen::Seen;
use scrm_whatsapp::{Appender, Gateway, GatewayOptions, Metrics};
use tokio_util::sync::CancellationToken;

pub const APP_SECRET: &str = "app-secret-for-tests";
pub const VERIFY_TOKEN: &str = "verify-me";

pub struct Edge {
    pub dir: tempfile::TempDir,
    pub log: Arc<dyn EventLog>,
    pub codec: Arc<Codec>,
    pub partitions: u32,
    store: Option<Arc<dyn StateStore>>,
}

impl Edge {
    pub fn new(partitions: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = scrm_testkit::embedded_log(&dir.path().join("log"), partitions);
        Edge {
            dir,
            log,
            codec: Arc::new(Codec::single_object()),
            partitions,
            store: None,
        }
    }

    pub fn ingest(&self, kind: TopicKind) -> Ingest {
        let schema = scrm_schema::Catalog::embedded()
            .current(kind.value_schema().unwrap())
            .unwrap();
        Ingest::new(
            self.codec.clone(),
            kind,
            schema,
            kind.name(""),
            "HK".parse().unwrap(),
        )
    }

    pub fn gateway_router(&self, body_limit: usize) -> axum::Router {
        let seen = Seen::open(&self.dir.path().join("seen"), Duration::from_secs(3600)).unwrap();
        Gateway::new(
            GatewayOptions {
                path: "/webhook".into(),
                verify_token: Secret::new(VERIFY_TOKEN),
                app_secret: Secret::new(APP_SECRET),
                body_limit_bytes: body_limit,
                partitions: self.partitions,
            },
            self.ingest(TopicKind::Conversation),
            self.ingest(TopicKind::Dlq),
            seen,
            Appender::start(self.log.clone(), 4096),
            Metrics::default(),
        )
        .router()
    }

    /// Serves the gateway on 127.0.0.1:0; returns its webhook URL.
    pub async fn serve_gateway(&self, body_limit: usize) -> (String, CancellationToken) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        tokio::spawn(scrm_http::serve(
            listener,
            self.gateway_router(body_limit),
            shutdown.clone(),
        ));
        (url, shutdown)
    }

    /// Every record of `kind`'s topic, partition by partition.
    pub fn records(&self, kind: TopicKind) -> Vec<StoredRecord> {
        scrm_testkit::read_all(self.log.as_ref(), &kind.name(""), self.partitions)
    }

    /// The conversation topic's events, decoded.
    pub fn events(&self) -> Vec<Event> {
        let schema = scrm_schema::Catalog::embedded()
            .current("scrm.conversation.ConversationEvent")
            .unwrap();
        self.records(TopicKind::Conversation)
            .iter()
            .map(|r| {
                let value = self.codec.decode(&r.value, schema).unwrap();
                Event::from_avro(InputTopic::Conversation, &value).unwrap()
            })
            .collect()
    }

    /// Runs the processor (event time) until it has applied everything.
    pub fn process(&mut self) {
        let store: Arc<dyn StateStore> = match &self.store {
            Some(s) => s.clone(),
            None => {
                let s = scrm_testkit::rocks_store(&self.dir.path().join("state"));
                self.store = Some(s.clone());
                s
            }
        };
        let processor = Processor::new(
            self.log.clone(),
            store,
            Arc::new(RulePack::default_pack()),
            Arc::new(OutputEncoder::new(Codec::single_object(), Topics::new(""))),
            ProcessorOptions {
                time: TimeMode::Event,
                exit_when_caught_up: true,
                commit_interval: Duration::from_millis(20),
                fsync: false,
                ..ProcessorOptions::default()
            },
            Arc::new(SystemClock),
            ProcessorMetrics::default(),
        );
        processor.run(&|| false).unwrap();
    }

    pub fn state(&self, customer: &str) -> CustomerState {
        let store = self.store.as_ref().expect("process() first");
        let p = scrm_log::partition_for_key(customer.as_bytes(), self.partitions);
        let bytes = store
            .get(Table::Customers, &keys::customer_key(p, customer).unwrap())
            .unwrap()
            .unwrap_or_else(|| panic!("no state for {customer}"));
        CustomerState::decode(&bytes).unwrap()
    }

    pub fn meta(&self, partition: u32) -> PartitionMeta {
        let store = self.store.as_ref().expect("process() first");
        let bytes = store
            .get(Table::Partitions, &keys::partition_key(partition))
            .unwrap()
            .expect("partition meta");
        PartitionMeta::decode(&bytes).unwrap()
    }
}

/// Posts `body` signed with `secret` (or with the header given as is).
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: &[u8],
    signature: Option<String>,
) -> (u16, String) {
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        request = request.header("x-hub-signature-256", sig);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

pub fn signed(body: &[u8]) -> Option<String> {
    Some(scrm_whatsapp_webhook::sign(APP_SECRET.as_bytes(), body))
}
