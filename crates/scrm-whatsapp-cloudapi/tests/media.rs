//! Media download against the mock Cloud API, and fitting a large image under 5 MB.

mod common;

use common::{client_for, config_for, mock};
use image::{ImageEncoder, ImageFormat, RgbImage};
use rand::{Rng, SeedableRng};
use scrm_whatsapp_cloudapi::{fit_image, CloudClient, ErrorClass, MediaError, MAX_IMAGE_BYTES};
use sha2::{Digest, Sha256};

fn noisy_png(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut raw = vec![0u8; (width * height * 3) as usize];
    rng.fill(raw.as_mut_slice());
    let img = RgbImage::from_raw(width, height, raw).expect("buffer size matches");
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("png encodes");
    png
}

#[tokio::test]
async fn fetches_media_with_size_and_hash() {
    let mock = mock().await;
    let client = client_for(&mock);
    let png = noisy_png(32, 32, 1);
    mock.add_media("1045", png.clone(), "image/png");
    let file = client.fetch_media("1045").await.expect("downloads");
    assert_eq!(file.bytes, png);
    assert_eq!(file.mime_type, "image/png");
    assert_eq!(file.file_size, Some(png.len() as u64));
    assert_eq!(file.sha256, Some(hex::encode(Sha256::digest(&png))));
}

#[tokio::test]
async fn large_image_is_fetched_then_fitted_under_5_mb() {
    let mock = mock().await;
    let client = client_for(&mock);
    let png = noisy_png(3000, 3000, 2);
    assert!(png.len() > MAX_IMAGE_BYTES, "input must exceed 5 MB");
    mock.add_media("2001", png, "image/png");
    let file = client.fetch_media("2001").await.expect("downloads");
    let fitted = fit_image(&file.bytes, &file.mime_type, MAX_IMAGE_BYTES).expect("fits");
    assert!(fitted.reencoded);
    assert_eq!(fitted.mime_type, "image/jpeg");
    assert!(
        fitted.bytes.len() <= MAX_IMAGE_BYTES,
        "{}",
        fitted.bytes.len()
    );
    let jpeg = image::load_from_memory_with_format(&fitted.bytes, ImageFormat::Jpeg)
        .expect("output decodes as JPEG");
    assert_eq!(jpeg.width(), jpeg.height(), "square stays square");
}

#[tokio::test]
async fn sha256_mismatch_is_an_error() {
    let mock = mock().await;
    let client = client_for(&mock);
    let wrong = hex::encode(Sha256::digest(b"something else"));
    mock.add_media_with_sha256("77", b"the real bytes".to_vec(), "image/jpeg", &wrong);
    let err = client.fetch_media("77").await.expect_err("hash differs");
    assert!(matches!(err, MediaError::HashMismatch { .. }), "{err}");
}

#[tokio::test]
async fn media_over_the_limit_is_refused() {
    let mock = mock().await;
    let mut config = config_for(&mock);
    config.max_media_bytes = 1000;
    let client = CloudClient::new(config).expect("valid config");
    mock.add_media("88", vec![1u8; 2000], "application/pdf");
    let err = client.fetch_media("88").await.expect_err("too large");
    assert!(
        matches!(
            err,
            MediaError::TooLarge {
                size: 2000,
                limit: 1000,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_and_malformed_media_ids_fail() {
    let mock = mock().await;
    let client = client_for(&mock);
    match client.fetch_media("404404").await {
        Err(MediaError::Request { source, .. }) => {
            assert_eq!(source.code(), Some(100));
            assert_eq!(source.class(), ErrorClass::Invalid);
        }
        other => panic!("expected a Meta error, got {other:?}"),
    }
    let err = client.fetch_media("../messages").await.expect_err("bad id");
    assert!(matches!(err, MediaError::InvalidId { .. }), "{err}");
}
