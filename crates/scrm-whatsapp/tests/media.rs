//! The media fetcher: an image message through the gateway, its file fetched from the
//! local Cloud API, re-encoded under 5 MB, kept, and a `MediaStored` event appended once.

mod common;

use common::{post, signed, Edge};
use image::{ImageEncoder, RgbImage};
use rand::{Rng, SeedableRng};
use scrm_events::Payload;
use scrm_schema::TopicKind;
use scrm_time::ManualClock;
use scrm_whatsapp::metrics::OutcomeLabel;
use scrm_whatsapp::{MediaFetcher, MediaParts, Metrics, Worker};
use scrm_whatsapp_cloudapi::mock::{MockCloud, MockOptions};
use scrm_whatsapp_cloudapi::{CloudApiConfig, CloudClient, Secret, MAX_IMAGE_BYTES};
use sha2::{Digest, Sha256};

/// The media id of the image fixture.
const MEDIA_ID: &str = "1284765093318842";

fn noisy_png(side: u32) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut raw = vec![0u8; (side * side * 3) as usize];
    rng.fill(raw.as_mut_slice());
    let img = RgbImage::from_raw(side, side, raw).unwrap();
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), side, side, image::ExtendedColorType::Rgb8)
        .unwrap();
    png
}

fn fetcher(
    edge: &Edge,
    mock: &MockCloud,
    rt: &tokio::runtime::Runtime,
    metrics: &Metrics,
) -> Worker<MediaFetcher> {
    let options = MockOptions::default();
    let mut config = CloudApiConfig::new(options.phone_number_id, Secret::new(options.token));
    config.base_url = mock.url().to_owned();
    let _guard = rt.enter();
    MediaFetcher::worker(MediaParts {
        log: edge.log.clone(),
        ledger_dir: edge.dir.path().join("media-ledger"),
        client: CloudClient::new(config).unwrap(),
        codec: edge.codec.clone(),
        conversation_schema: scrm_schema::Catalog::embedded()
            .current("scrm.conversation.ConversationEvent")
            .unwrap(),
        conversation: edge.ingest(TopicKind::Conversation),
        dlq: edge.ingest(TopicKind::Dlq),
        partitions: edge.partitions,
        dir: edge.dir.path().join("media"),
        metrics: metrics.clone(),
        clock: ManualClock::new(1_795_005_000_000).shared(),
    })
    .unwrap()
}

#[test]
fn an_image_over_5_mb_is_fetched_reencoded_kept_and_recorded_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let edge = Edge::new(2);
    let mock = rt
        .block_on(MockCloud::start(MockOptions::default()))
        .unwrap();
    let png = noisy_png(2_600);
    assert!(png.len() > MAX_IMAGE_BYTES, "{} bytes", png.len());
    mock.add_media(MEDIA_ID, png, "image/png");
    let body = scrm_whatsapp_webhook::fixtures::get("image")
        .unwrap()
        .as_bytes();
    rt.block_on(async {
        let (url, _stop) = edge.serve_gateway(1 << 20).await;
        let (status, text) = post(&reqwest::Client::new(), &url, body, signed(body)).await;
        assert_eq!(status, 200, "{text}");
    });

    let metrics = Metrics::default();
    let stored = |outcome: &str| {
        metrics
            .media
            .get_or_create(&OutcomeLabel {
                outcome: outcome.into(),
            })
            .get()
    };
    let mut media = fetcher(&edge, &mock, &rt, &metrics);
    for _ in 0..10 {
        rt.block_on(media.step(std::time::Duration::from_millis(200)))
            .unwrap();
    }
    assert_eq!((stored("reencoded"), stored("stored")), (1, 0));
    drop(media);
    // After a restart the same media is not fetched again.
    let mut media = fetcher(&edge, &mock, &rt, &metrics);
    for _ in 0..5 {
        let handled = rt
            .block_on(media.step(std::time::Duration::from_millis(20)))
            .unwrap();
        assert_eq!(handled, 0);
    }
    assert_eq!(stored("reencoded"), 1);

    let events = edge.events();
    let inbound = events.iter().find_map(|e| e.payload.as_inbound()).unwrap();
    let copies: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::MediaStored(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(copies.len(), 1);
    let copy = copies[0];
    assert_eq!(copy.wamid, inbound.wamid);
    assert_eq!(copy.media_id, MEDIA_ID);
    assert!(copy.reencoded);
    assert_eq!(copy.mime_type, "image/jpeg");
    assert!(copy.size_bytes as usize <= MAX_IMAGE_BYTES);
    let path = copy.stored_url.strip_prefix("file://").unwrap();
    let file = std::fs::read(path).unwrap();
    assert_eq!(file.len() as i64, copy.size_bytes);
    assert_eq!(hex::encode(Sha256::digest(&file)), copy.sha256);
    let decoded = image::load_from_memory(&file).unwrap();
    assert_eq!(
        decoded.width(),
        decoded.height(),
        "the aspect ratio is kept"
    );
}
