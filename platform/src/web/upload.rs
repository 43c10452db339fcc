//! A form that sends a file (`enctype="multipart/form-data"`): its CSRF token and the bytes
//! of its one file field. The route's body limit (`BodyLimit::uploads`) bounds the whole
//! request; a file is read only to one byte past what its core accepts, enough to say it
//! is too big, so a process never holds more than that of one field.

use poem::web::Multipart;
use tokio::io::AsyncReadExt;

use super::WebError;

pub struct Upload {
    pub csrf: String,
    /// The file's bytes (empty when none was chosen), at most `max + 1` of them.
    pub file: Vec<u8>,
}

/// Reads the fields `csrf` and `field` of a multipart form; others are skipped.
pub async fn read_upload(mut form: Multipart, field: &str, max: usize) -> Result<Upload, WebError> {
    let bad = |e: poem::error::ParseMultipartError| {
        WebError::BadRequest(format!("Форма с файлом не прочитана: {e}"))
    };
    let mut upload = Upload {
        csrf: String::new(),
        file: Vec::new(),
    };
    while let Some(part) = form.next_field().await.map_err(bad)? {
        match part.name() {
            Some("csrf") => upload.csrf = part.text().await.map_err(bad)?,
            Some(name) if name == field => {
                let mut file = Vec::new();
                part.into_async_read()
                    .take(max as u64 + 1)
                    .read_to_end(&mut file)
                    .await
                    .map_err(|e| WebError::BadRequest(format!("Файл не прочитан: {e}")))?;
                upload.file = file;
            }
            _ => {}
        }
    }
    Ok(upload)
}
