#![allow(clippy::unwrap_used)]
//! QR round trip: the own Session ID drawn with qrcode reads back with rqrr, from the raw
//! image, from a saved PNG, and from a crop with a border (as from a screenshot).

use session::qr;

const ID: &str = "05d871fc80ca007eed9b2f4df72853e2a2d5465a92fcb1889fb5c84aa2833b3b40";

#[test]
fn qr_code_round_trips() {
    let code = qr::encode(ID).unwrap();
    let text = qr::decode_rgba(code.width as usize, code.height as usize, &code.pixels).unwrap();
    assert_eq!(text, ID);
}

#[test]
fn qr_code_round_trips_through_a_png_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("id.png");
    qr::save_png(ID, &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(qr::decode_image_bytes(&bytes).unwrap(), ID);
}

#[test]
fn qr_code_is_found_inside_a_larger_picture() {
    let code = qr::encode(ID).unwrap();
    let (w, h) = (code.width as usize + 300, code.height as usize + 200);
    let mut canvas = vec![40u8; w * h * 4];
    for y in 0..code.height as usize {
        let src = y * code.width as usize * 4;
        let dst = ((y + 120) * w + 170) * 4;
        canvas[dst..dst + code.width as usize * 4]
            .copy_from_slice(&code.pixels[src..src + code.width as usize * 4]);
    }
    assert_eq!(qr::decode_rgba(w, h, &canvas).unwrap(), ID);
}

#[test]
fn an_image_without_a_code_says_so() {
    let blank = vec![255u8; 64 * 64 * 4];
    assert_eq!(qr::decode_rgba(64, 64, &blank), Err(qr::QrError::NotFound));
    assert!(matches!(
        qr::decode_image_bytes(b"not an image"),
        Err(qr::QrError::Image(_))
    ));
}
