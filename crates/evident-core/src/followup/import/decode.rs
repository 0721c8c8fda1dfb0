//! From a file's bytes to text: the encoding (byte order mark, UTF-8, Windows-1252) and the
//! field separator.

use super::RowError;
use std::borrow::Cow;

/// The longest line an import file may have, in bytes (of the file as it is, or of its text).
/// A row of cases or measurements takes a few hundred bytes; a longer line is not a row (a
/// binary file, a spreadsheet saved as something else), and reading it whole would cost memory
/// out of all proportion.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Measures the lines of a file fed to it in pieces, and stops at the first line longer than
/// [`MAX_LINE_BYTES`], so a reader can give up without reading (or keeping) the rest.
#[derive(Debug, Clone)]
pub struct LineMeter {
    line: u64,
    len: usize,
}

impl Default for LineMeter {
    fn default() -> Self {
        Self { line: 1, len: 0 }
    }
}

impl LineMeter {
    /// Takes the next bytes of the file.
    ///
    /// # Errors
    /// The number (from 1) of the first line longer than [`MAX_LINE_BYTES`].
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), u64> {
        while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
            if self.len + end > MAX_LINE_BYTES {
                return Err(self.line);
            }
            self.line += 1;
            self.len = 0;
            bytes = &bytes[end + 1..];
        }
        self.len += bytes.len();
        if self.len > MAX_LINE_BYTES {
            return Err(self.line);
        }
        Ok(())
    }
}

/// The error for line `line` of `file` being longer than [`MAX_LINE_BYTES`].
pub fn line_too_long(file: &str, line: u64) -> RowError {
    RowError {
        file: file.to_owned(),
        line,
        field: "columns".to_owned(),
        problem: format!(
            "the line is longer than {} KiB, far longer than a row: is this the right file, \
             saved as CSV?",
            MAX_LINE_BYTES / 1024
        ),
    }
}

/// The text encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark (what Excel writes for "CSV UTF-8").
    Utf8Bom,
    /// UTF-16, little-endian, with its byte order mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16, big-endian, with its byte order mark.
    Utf16Be,
    /// Windows-1252, the fallback for bytes that are not valid UTF-8 (Excel's plain "CSV" on
    /// Swedish Windows).
    Windows1252,
}

impl TextEncoding {
    /// The encoding's usual name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 with BOM",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Windows1252 => "Windows-1252",
        }
    }
}

/// Decodes a file: a byte order mark decides (UTF-8 or UTF-16, mark removed); without one, the
/// bytes are UTF-8 when they are valid UTF-8 and Windows-1252 otherwise. Valid UTF-8 without a
/// mark is borrowed, not copied.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let kind = if encoding == encoding_rs::UTF_8 {
            TextEncoding::Utf8Bom
        } else if encoding == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        // Invalid sequences after a mark become U+FFFD; a damaged value then fails its own
        // validation and is reported with its line.
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text, kind);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), TextEncoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, TextEncoding::Windows1252)
        }
    }
}

/// The field separator of a file, judged from its header line: whichever of `;`, `,` and tab
/// occurs most often outside quotes (`;` wins a tie, being what Swedish Excel writes; `,` when
/// there is none at all).
pub fn sniff_separator(text: &str) -> u8 {
    let header = text.split('\n').next().unwrap_or_default();
    let (mut semicolons, mut commas, mut tabs) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semicolons += 1,
            ',' if !quoted => commas += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if semicolons == 0 && commas == 0 && tabs == 0 {
        b','
    } else if semicolons >= commas && semicolons >= tabs {
        b';'
    } else if tabs >= commas {
        b'\t'
    } else {
        b','
    }
}
