//! Bringing images under WhatsApp's size limit.
//!
//! WhatsApp refuses images over 5 MB. [`fit_image`] leaves everything that already fits
//! (and everything that is not an image) alone, and re-encodes larger JPEG, PNG and WebP
//! images as JPEG: first at falling quality, then at halved dimensions, until the result
//! fits. It never panics on corrupt input: the decoder's error is returned.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader};

use crate::errors::MediaError;

/// WhatsApp's image size limit: 5 MB.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// JPEG qualities tried at each size, best first.
const QUALITIES: [u8; 4] = [85, 70, 55, 40];
/// Stop halving below this edge length; an image this small that still does not fit
/// is not a photo worth sending.
const MIN_EDGE: u32 = 16;

/// An image (or other media) ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    /// The bytes to upload.
    pub bytes: Vec<u8>,
    /// Their MIME type: the input's, or `image/jpeg` after re-encoding.
    pub mime_type: String,
    /// Whether the bytes were re-encoded.
    pub reencoded: bool,
}

/// Returns `bytes` unchanged when it is not a JPEG/PNG/WebP image or is at most
/// `max_bytes` long, and otherwise a JPEG re-encoding of at most `max_bytes`.
///
/// # Errors
///
/// [`MediaError::Decode`] for bytes that are not a decodable image of `mime_type`,
/// [`MediaError::Encode`] if encoding fails, [`MediaError::CannotFit`] if even the
/// smallest encoding tried is too large.
pub fn fit_image(bytes: &[u8], mime_type: &str, max_bytes: usize) -> Result<Fitted, MediaError> {
    let unchanged = || Fitted {
        bytes: bytes.to_vec(),
        mime_type: mime_type.to_owned(),
        reencoded: false,
    };
    let Some(format) = image_format(mime_type) else {
        return Ok(unchanged());
    };
    if bytes.len() <= max_bytes {
        return Ok(unchanged());
    }
    let decode_error = |source| MediaError::Decode {
        mime_type: mime_type.to_owned(),
        source,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Within the default allocation limit, but say it: a decompression bomb must fail
    // here rather than exhaust memory.
    reader.limits(image::Limits::default());
    let decoded = reader.decode().map_err(decode_error)?;
    // JPEG has no alpha channel; flatten once rather than at every try.
    let mut img = DynamicImage::ImageRgb8(decoded.to_rgb8());
    let mut smallest = usize::MAX;
    loop {
        for quality in QUALITIES {
            let jpeg = encode_jpeg(&img, quality)?;
            if jpeg.len() <= max_bytes {
                tracing::debug!(
                    from = bytes.len(),
                    to = jpeg.len(),
                    quality,
                    width = img.width(),
                    height = img.height(),
                    "re-encoded image to fit"
                );
                return Ok(Fitted {
                    bytes: jpeg,
                    mime_type: "image/jpeg".to_owned(),
                    reencoded: true,
                });
            }
            smallest = smallest.min(jpeg.len());
        }
        let (w, h) = (img.width() / 2, img.height() / 2);
        if w < MIN_EDGE || h < MIN_EDGE {
            return Err(MediaError::CannotFit {
                max_bytes,
                smallest,
            });
        }
        img = img.resize_exact(w, h, FilterType::Triangle);
    }
}

fn image_format(mime_type: &str) -> Option<ImageFormat> {
    let essence = mime_type.split(';').next().unwrap_or("").trim();
    match essence.to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" => Some(ImageFormat::Jpeg),
        "image/png" => Some(ImageFormat::Png),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

fn encode_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(MediaError::Encode)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};
    use rand::{Rng, SeedableRng};

    fn noisy_png(width: u32, height: u32) -> Vec<u8> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let mut raw = vec![0u8; (width * height * 3) as usize];
        rng.fill(raw.as_mut_slice());
        let img = RgbImage::from_raw(width, height, raw).expect("buffer size matches");
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .expect("png encodes");
        png
    }

    #[test]
    fn large_noisy_png_becomes_jpeg_under_the_limit() {
        let png = noisy_png(3000, 2000);
        assert!(png.len() > MAX_IMAGE_BYTES, "test input must exceed 5 MB");
        let fitted = fit_image(&png, "image/png", MAX_IMAGE_BYTES).expect("fits");
        assert!(fitted.reencoded);
        assert_eq!(fitted.mime_type, "image/jpeg");
        assert!(fitted.bytes.len() <= MAX_IMAGE_BYTES);
        let back = image::load_from_memory_with_format(&fitted.bytes, ImageFormat::Jpeg)
            .expect("output is a JPEG");
        assert_eq!(back.width() * 2, back.height() * 3, "aspect ratio kept");
    }

    #[test]
    fn small_images_and_non_images_pass_untouched() {
        let png = noisy_png(40, 30);
        let fitted = fit_image(&png, "image/png", MAX_IMAGE_BYTES).expect("fits");
        assert_eq!(fitted.bytes, png);
        assert!(!fitted.reencoded);
        let pdf = vec![7u8; 1000];
        let fitted = fit_image(&pdf, "application/pdf", 10).expect("not an image");
        assert_eq!((fitted.bytes, fitted.reencoded), (pdf, false));
    }

    #[test]
    fn small_limit_forces_downscaling() {
        let png = noisy_png(400, 200);
        let fitted = fit_image(&png, "image/png", 20_000).expect("fits after halving");
        let back = image::load_from_memory(&fitted.bytes).expect("decodes");
        assert!(back.width() < 400 && back.width() == back.height() * 2);
        assert!(fitted.bytes.len() <= 20_000);
    }

    #[test]
    fn garbage_and_impossible_limits_are_errors() {
        let garbage = vec![0x89u8; 4096];
        let err = fit_image(&garbage, "image/jpeg", 100).expect_err("garbage");
        assert!(matches!(err, MediaError::Decode { .. }), "{err}");
        let mut truncated = noisy_png(64, 64);
        truncated.truncate(truncated.len() / 2);
        assert!(fit_image(&truncated, "image/png; charset=x", 100).is_err());
        let png = noisy_png(64, 64);
        let err = fit_image(&png, "image/png", 10).expect_err("cannot fit 10 bytes");
        assert!(matches!(err, MediaError::CannotFit { .. }), "{err}");
    }
}
