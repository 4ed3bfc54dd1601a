//! QR codes: drawing the own Session ID as one, and reading one from an image (a file or the
//! clipboard) with rqrr.

use std::path::Path;

use qrcode::{Color as QrColor, EcLevel, QrCode};

/// Pixels per QR module in the rendered image.
const SCALE: usize = 8;
/// Quiet zone around the code, in modules.
const QUIET: usize = 4;

/// Errors encoding or reading QR codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// The text does not fit in a QR code.
    #[error("the text does not fit in a QR code")]
    TooLong,
    /// The image could not be read.
    #[error("the image could not be read ({0}); use a PNG file")]
    Image(String),
    /// No QR code was found in the image.
    #[error("no QR code was found in the image")]
    NotFound,
    /// A QR code was found but not decoded.
    #[error("a QR code was found but could not be read ({0})")]
    Unreadable(String),
    /// Saving the image failed.
    #[error("the image could not be saved: {0}")]
    Save(String),
}

/// An RGBA image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgba {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major RGBA bytes.
    pub pixels: Vec<u8>,
}

/// Renders `text` as a black-on-white QR code with a quiet zone.
pub fn encode(text: &str) -> Result<Rgba, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| QrError::TooLong)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side * 4];
    for (index, color) in colors.iter().enumerate() {
        if *color != QrColor::Dark {
            continue;
        }
        let (mx, my) = (index % modules + QUIET, index / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            let start = (y * side + mx * SCALE) * 4;
            if let Some(row) = pixels.get_mut(start..start + SCALE * 4) {
                for px in row.chunks_exact_mut(4) {
                    px.copy_from_slice(&[0, 0, 0, 255]);
                }
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| QrError::TooLong)?;
    Ok(Rgba {
        width: side,
        height: side,
        pixels,
    })
}

/// Reads the first QR code in an RGBA image.
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8]) -> Result<String, QrError> {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        match rgba.get(i..i + 3) {
            Some([r, g, b]) => ((u16::from(*r) * 3 + u16::from(*g) * 6 + u16::from(*b)) / 10) as u8,
            _ => 255,
        }
    });
    let grids = image.detect_grids();
    let grid = grids.first().ok_or(QrError::NotFound)?;
    grid.decode()
        .map(|(_, text)| text)
        .map_err(|e| QrError::Unreadable(e.to_string()))
}

/// Reads the first QR code in an encoded image file's bytes (PNG).
pub fn decode_image_bytes(bytes: &[u8]) -> Result<String, QrError> {
    let image = image::load_from_memory(bytes).map_err(|e| QrError::Image(e.to_string()))?;
    let rgba = image.to_rgba8();
    decode_rgba(rgba.width() as usize, rgba.height() as usize, rgba.as_raw())
}

/// Saves `text`'s QR code as a PNG file.
pub fn save_png(text: &str, path: &Path) -> Result<(), QrError> {
    let code = encode(text)?;
    image::save_buffer_with_format(
        path,
        &code.pixels,
        code.width,
        code.height,
        image::ExtendedColorType::Rgba8,
        image::ImageFormat::Png,
    )
    .map_err(|e| QrError::Save(e.to_string()))
}
