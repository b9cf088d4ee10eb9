//! What an attachment may be: an image, a PDF or plain text, checked by its
//! bytes (not by the name the customer gave it), and not larger than the
//! settings allow.

use serde::Serialize;

/// An attachment's type, as its bytes show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// PDF document.
    Pdf,
    /// UTF-8 text.
    Text,
}

impl FileType {
    /// The media type to serve it with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Pdf => "application/pdf",
            FileType::Text => "text/plain; charset=utf-8",
        }
    }

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Png => "png",
            FileType::Jpeg => "jpeg",
            FileType::Pdf => "pdf",
            FileType::Text => "text",
        }
    }
}

/// Why an attachment is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Empty.
    Empty,
    /// Larger than allowed.
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The most allowed.
        most: usize,
    },
    /// Not an image, a PDF or text.
    Type,
}

/// The type of `bytes`, if it may be attached at `most` bytes.
pub fn check(bytes: &[u8], most: usize) -> Result<FileType, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > most {
        return Err(Refusal::TooLarge { bytes: bytes.len(), most });
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(FileType::Png)
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Ok(FileType::Jpeg)
    } else if bytes.starts_with(b"%PDF-") {
        Ok(FileType::Pdf)
    } else if std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')) {
        Ok(FileType::Text)
    } else {
        Err(Refusal::Type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_the_bytes_and_sizes_capped() {
        assert_eq!(check(b"\x89PNG\r\n\x1a\nrest", 100), Ok(FileType::Png));
        assert_eq!(check(&[0xff, 0xd8, 0xff, 0xe0], 100), Ok(FileType::Jpeg));
        assert_eq!(check(b"%PDF-1.7", 100), Ok(FileType::Pdf));
        assert_eq!(check("截图说明".as_bytes(), 100), Ok(FileType::Text));
        assert_eq!(check(b"MZ\x90\x00\x03", 100), Err(Refusal::Type), "an executable is not attached");
        assert_eq!(check(&[b'a'; 101], 100), Err(Refusal::TooLarge { bytes: 101, most: 100 }));
        assert_eq!(check(b"", 100), Err(Refusal::Empty));
    }
}
