//! From uploaded bytes to the files the portal serves. The bytes are recognized by decoding
//! them (never by a file name or a declared type): JPEG, PNG or WebP only, at most 5 MB,
//! at most 8000 points a side and 40 megapixels, the decoder's allocations bounded — a
//! small file that declares a huge picture (a decompression bomb) is refused from its
//! header, before anything is allocated. What is stored is re-encoded from the decoded
//! pixels, so nothing of the original file survives: no EXIF, no GPS position, no comment,
//! no colour profile, no trailing bytes.
//!
//! Output formats. Covers are photographs: JPEG at quality 82 (a 1200×800 cover is
//! ~150 KB; the `image` crate's WebP encoder is lossless only, which makes a photograph
//! five to ten times bigger). Logos are drawings with flat colours, sharp edges and often
//! transparency: PNG, lossless with its alpha channel, 256×256, a few KB to some tens.
//! Both encoders are deterministic, so the same upload gives the same bytes and key.
//!
//! CPU-heavy and synchronous: callers run it on a blocking thread.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use image::{Rgb, RgbImage, Rgba, RgbaImage};

use crate::storage::MediaType;

/// The largest upload, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The longest side of an accepted picture, in points.
pub const MAX_SIDE: u32 = 8000;
/// The most points of an accepted picture: a 40-megapixel photo decodes to 160 MB at most
/// (RGBA); more than phones and cameras of families' and schools' budgets make.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The decoder's allocations for the pixels and its own buffers.
const MAX_ALLOC: u64 = 192 << 20;
/// What reading a header may allocate: the header is all that is read then.
const HEADER_ALLOC: u64 = 4 << 20;

/// The card of a program in the catalog's lists.
pub const CARD: (u32, u32) = (480, 320);
/// The cover on the program's page.
pub const PAGE: (u32, u32) = (1200, 800);
/// An organization's logo.
pub const LOGO: (u32, u32) = (256, 256);
const JPEG_QUALITY: u8 = 82;

/// Why an upload is not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooBig,
    NotAnImage,
    TooManyPoints { width: u32, height: u32 },
}

impl Refusal {
    /// The message shown beside the field.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooBig => "Файл больше 5 МБ".to_owned(),
            Refusal::NotAnImage => "Файл не является изображением JPEG, PNG или WebP".to_owned(),
            Refusal::TooManyPoints { width, height } => format!(
                "Изображение слишком большое: {width}×{height} точек; можно не больше \
                 {MAX_SIDE} точек по стороне и 40 мегапикселей"
            ),
        }
    }
}

/// One encoded file.
#[derive(Debug, Clone)]
pub struct Rendition {
    pub media: MediaType,
    pub bytes: Vec<u8>,
}

/// A cover's two renditions.
#[derive(Debug, Clone)]
pub struct CoverFiles {
    pub card: Rendition,
    pub page: Rendition,
}

/// A reader of `bytes` that knows their format from their first bytes, if it is one of
/// ours.
fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, Refusal> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::NotAnImage)?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Ok(reader),
        _ => Err(Refusal::NotAnImage),
    }
}

fn limits(width: Option<u32>, alloc: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = width;
    limits.max_image_height = width;
    limits.max_alloc = Some(alloc);
    limits
}

/// Decodes an upload, bounded, turned upright as its EXIF orientation says (the only thing
/// of the metadata that is used: a phone's portrait photo would lie on its side).
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, Refusal> {
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooBig);
    }
    // The header first, with no bound on the sides, to say how big a refused one is.
    let mut header = reader(bytes)?;
    header.limits(limits(None, HEADER_ALLOC));
    let (width, height) = header.into_dimensions().map_err(|_| Refusal::NotAnImage)?;
    let too_many = Refusal::TooManyPoints { width, height };
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many);
    }
    if width == 0 || height == 0 {
        return Err(Refusal::NotAnImage);
    }
    let mut reader = reader(bytes)?;
    reader.limits(limits(Some(MAX_SIDE), MAX_ALLOC));
    let refused = |e: ImageError| match e {
        ImageError::Limits(_) => too_many.clone(),
        _ => Refusal::NotAnImage,
    };
    let mut decoder = reader.into_decoder().map_err(refused)?;
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(too_many.clone());
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// `image` scaled and cut to exactly `size`, its middle kept. A big photo is first brought
/// to twice the size by fast averaging: the fine filter over 40 megapixels would take
/// seconds of a core.
fn fill(image: &DynamicImage, (w, h): (u32, u32)) -> DynamicImage {
    let near = if image.width() > 2 * w && image.height() > 2 * h {
        // Fits the smaller side to twice the target: the cut comes after.
        let scale = f64::max(
            f64::from(2 * w) / f64::from(image.width()),
            f64::from(2 * h) / f64::from(image.height()),
        );
        let nw = ((f64::from(image.width()) * scale).ceil() as u32).max(2 * w);
        let nh = ((f64::from(image.height()) * scale).ceil() as u32).max(2 * h);
        image.thumbnail_exact(nw, nh)
    } else {
        image.clone()
    };
    near.resize_to_fill(w, h, FilterType::Lanczos3)
}

/// `image` scaled down (never up) to fit `size`, its proportions kept.
fn fit(image: &DynamicImage, (w, h): (u32, u32)) -> DynamicImage {
    if image.width() <= w && image.height() <= h {
        return image.clone();
    }
    let near = if image.width() > 4 * w || image.height() > 4 * h {
        image.thumbnail(2 * w, 2 * h)
    } else {
        image.clone()
    };
    near.resize(w, h, FilterType::Lanczos3)
}

/// Pixels without transparency: a transparent part of a cover shows white, as on the page.
fn on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let Rgba([r, g, b, a]) = *rgba.get_pixel(x, y);
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([over(r), over(g), over(b)])
    })
}

fn jpeg(image: RgbImage) -> Rendition {
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))
        .expect("encoding to memory does not fail");
    Rendition {
        media: MediaType::Jpeg,
        bytes,
    }
}

fn png(image: RgbaImage) -> Rendition {
    let mut bytes = Vec::new();
    DynamicImage::ImageRgba8(image)
        .write_with_encoder(PngEncoder::new_with_quality(
            &mut bytes,
            CompressionType::Best,
            PngFilter::Adaptive,
        ))
        .expect("encoding to memory does not fail");
    Rendition {
        media: MediaType::Png,
        bytes,
    }
}

/// A program's cover: the page's 1200×800 and the card's 480×320 (made from the page's,
/// which already has the card's proportions), both JPEG.
pub fn cover(bytes: &[u8]) -> Result<CoverFiles, Refusal> {
    let image = decode(bytes)?;
    let page = fill(&image, PAGE);
    drop(image);
    let card = page.resize_exact(CARD.0, CARD.1, FilterType::Lanczos3);
    Ok(CoverFiles {
        card: jpeg(on_white(&card)),
        page: jpeg(on_white(&page)),
    })
}

/// An organization's logo: fitted into 256×256 and centred on a transparent square, PNG.
pub fn logo(bytes: &[u8]) -> Result<Rendition, Refusal> {
    let image = decode(bytes)?;
    let small = fit(&image, LOGO).to_rgba8();
    drop(image);
    let mut square = RgbaImage::new(LOGO.0, LOGO.1);
    let x = (LOGO.0 - small.width()) / 2;
    let y = (LOGO.1 - small.height()) / 2;
    image::imageops::overlay(&mut square, &small, i64::from(x), i64::from(y));
    Ok(png(square))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn photo(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        }))
    }

    #[test]
    fn covers_come_in_the_two_sizes_and_logos_on_a_square() {
        for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
            let files = cover(&encoded(photo(1000, 900), format)).unwrap();
            for (r, size) in [(&files.card, CARD), (&files.page, PAGE)] {
                assert_eq!(r.media, MediaType::Jpeg);
                let out = image::load_from_memory(&r.bytes).unwrap();
                assert_eq!((out.width(), out.height()), size, "{format:?}");
            }
        }
        let logo = logo(&encoded(photo(600, 200), ImageFormat::Png)).unwrap();
        assert_eq!(logo.media, MediaType::Png);
        let out = image::load_from_memory(&logo.bytes).unwrap().to_rgba8();
        assert_eq!(out.dimensions(), LOGO);
        // 600×200 fits as 256×85: above and below it, transparency.
        assert_eq!(out.get_pixel(128, 0)[3], 0);
        assert_eq!(out.get_pixel(128, 128)[3], 255);
    }

    #[test]
    fn the_same_upload_gives_the_same_bytes() {
        let upload = encoded(photo(700, 500), ImageFormat::Png);
        assert_eq!(
            cover(&upload).unwrap().page.bytes,
            cover(&upload).unwrap().page.bytes
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(decode(b"GIF89a...").unwrap_err(), Refusal::NotAnImage);
        assert_eq!(
            decode(b"hello, I am a .jpg").unwrap_err(),
            Refusal::NotAnImage
        );
        let gif_like = encoded(photo(10, 10), ImageFormat::Png);
        assert_eq!(decode(&gif_like[..40]).unwrap_err(), Refusal::NotAnImage);
        assert_eq!(
            decode(&vec![0xFF; MAX_BYTES + 1]).unwrap_err(),
            Refusal::TooBig
        );
        let wide = encoded(photo(MAX_SIDE + 1, 2), ImageFormat::Png);
        assert_eq!(
            decode(&wide).unwrap_err(),
            Refusal::TooManyPoints {
                width: MAX_SIDE + 1,
                height: 2
            }
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let bomb = crate::photos::testing::png_declaring(50_000, 50_000);
        assert!(bomb.len() < 200);
        let refusal = decode(&bomb).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::TooManyPoints {
                width: 50_000,
                height: 50_000
            }
        );
        assert!(refusal
            .message()
            .starts_with("Изображение слишком большое: 50000×50000"));
        // Within the sides but more points than allowed.
        let bomb = crate::photos::testing::png_declaring(8000, 8000);
        assert!(matches!(decode(&bomb), Err(Refusal::TooManyPoints { .. })));
    }
}
