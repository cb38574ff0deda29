//! Evidence files: what a practice attaches to a record to show what happened or what was done
//! (a photo of the misdirected letter, the ICO's acknowledgement, a device's encryption report).
//! One mechanism for every register that needs evidence: a file belongs to a [`Holder`] (an
//! incident today; a device, a policy or a DSPT item later), is addressed by its SHA-256, and is
//! kept only if its content is one of the [`EvidenceKind`]s, whatever its name claims.

use serde::{Deserialize, Serialize};

use crate::Invalid;
pub use crate::holder::Holder;
use crate::validation::text_problem;

/// The largest file kept unless the deployment says otherwise (`[evidence] max_file_megabytes`).
pub const DEFAULT_MAX_FILE_MEGABYTES: u32 = 20;
/// Days a removed file stays recoverable unless the deployment says otherwise.
pub const DEFAULT_REMOVED_KEPT_DAYS: u32 = 90;
/// The longest file name kept.
pub const FILENAME_MAX: usize = 200;
/// The longest reason for removing a file.
pub const REASON_MAX: usize = 1_000;
/// A file's bytes are kept and read in parts of this size (the last one shorter), so a download
/// sends one part while the next is read.
pub const PART_BYTES: usize = 1 << 20;

/// How many parts a file of `size` bytes is kept in (an empty file is one empty part).
pub fn parts(size: i64) -> i64 {
    let part = PART_BYTES as i64;
    ((size.max(0) + part - 1) / part).max(1)
}

/// The deployment's evidence settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvidenceLimits {
    /// The largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Days a removed file stays recoverable before the scheduler deletes it for good.
    pub removed_kept_days: u32,
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        EvidenceLimits {
            max_file_bytes: megabytes(DEFAULT_MAX_FILE_MEGABYTES),
            removed_kept_days: DEFAULT_REMOVED_KEPT_DAYS,
        }
    }
}

/// Bytes in `n` megabytes (MiB, as people's file managers count them).
pub const fn megabytes(n: u32) -> usize {
    n as usize * 1024 * 1024
}

/// The kinds of file Custodian keeps, decided by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Csv,
    Txt,
    Eml,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 8] = [
        EvidenceKind::Pdf,
        EvidenceKind::Png,
        EvidenceKind::Jpeg,
        EvidenceKind::Docx,
        EvidenceKind::Xlsx,
        EvidenceKind::Csv,
        EvidenceKind::Txt,
        EvidenceKind::Eml,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "pdf",
            EvidenceKind::Png => "png",
            EvidenceKind::Jpeg => "jpeg",
            EvidenceKind::Docx => "docx",
            EvidenceKind::Xlsx => "xlsx",
            EvidenceKind::Csv => "csv",
            EvidenceKind::Txt => "txt",
            EvidenceKind::Eml => "eml",
        }
    }

    pub fn parse(s: &str) -> Option<EvidenceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "PDF document",
            EvidenceKind::Png => "PNG image",
            EvidenceKind::Jpeg => "JPEG image",
            EvidenceKind::Docx => "Word document",
            EvidenceKind::Xlsx => "Excel workbook",
            EvidenceKind::Csv => "CSV file",
            EvidenceKind::Txt => "text file",
            EvidenceKind::Eml => "email",
        }
    }

    /// The media type a download is sent as.
    pub fn media_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            EvidenceKind::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            EvidenceKind::Csv => "text/csv; charset=utf-8",
            EvidenceKind::Txt => "text/plain; charset=utf-8",
            EvidenceKind::Eml => "message/rfc822",
        }
    }

    /// The kind a file's name claims, by its extension.
    fn claimed_by(name: &str) -> Option<EvidenceKind> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => EvidenceKind::Pdf,
            "png" => EvidenceKind::Png,
            "jpg" | "jpeg" => EvidenceKind::Jpeg,
            "docx" => EvidenceKind::Docx,
            "xlsx" => EvidenceKind::Xlsx,
            "csv" => EvidenceKind::Csv,
            "txt" => EvidenceKind::Txt,
            "eml" => EvidenceKind::Eml,
            _ => return None,
        })
    }
}

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Content {
    Is(EvidenceKind),
    /// Readable text (UTF-8, no control characters but tab, line breaks and form feed).
    Text,
    /// A web page or script: never kept, whatever its name.
    Html,
    Other,
}

impl Content {
    fn described(self) -> &'static str {
        match self {
            Content::Is(k) => k.label(),
            Content::Text => "plain text",
            Content::Html => "a web page (HTML)",
            Content::Other => "not a kind of file Custodian keeps",
        }
    }
}

/// How much of a text file is looked at for the signs of a web page.
const HTML_SNIFF: usize = 1024;

fn sniff(bytes: &[u8]) -> Content {
    if bytes.starts_with(b"%PDF-") {
        return Content::Is(EvidenceKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Content::Is(EvidenceKind::Png);
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        return Content::Is(EvidenceKind::Jpeg);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // An Office Open XML package names its main part in the zip's headers, uncompressed.
        let names = |part: &[u8]| bytes.windows(part.len()).any(|w| w == part);
        if names(b"[Content_Types].xml") {
            if names(b"word/document.xml") {
                return Content::Is(EvidenceKind::Docx);
            }
            if names(b"xl/workbook.xml") {
                return Content::Is(EvidenceKind::Xlsx);
            }
        }
        return Content::Other;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(body) else {
        return Content::Other;
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    {
        return Content::Other;
    }
    if looks_like_html(text) {
        return Content::Html;
    }
    Content::Text
}

/// A text that starts as markup and carries a web page's or a script's signs.
fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start();
    if !start.starts_with('<') {
        return false;
    }
    let head: String = start
        .chars()
        .take(HTML_SNIFF)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<!doctype",
        "<html",
        "<head",
        "<body",
        "<script",
        "<svg",
        "<iframe",
        "<?xml",
    ]
    .iter()
    .any(|sign| head.contains(sign))
}

/// An email as saved from a mail program: header lines (`Name: value`) up to a blank line,
/// among them who it is from or its subject.
fn is_email(text: &str) -> bool {
    let mut saw = false;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue; // a header folded onto the next line
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        saw |= ["from", "subject"].contains(&name.to_ascii_lowercase().as_str());
    }
    saw
}

const KEPT: &str = "Custodian keeps PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV, text (.txt) and email (.eml) files";

/// The file's kind, decided by its content and agreeing with its name, or the reason it is
/// refused (an HTML page renamed `.pdf` is refused: its content is not a PDF).
pub fn kind_of(name: &str, bytes: &[u8]) -> Result<EvidenceKind, Invalid> {
    let refuse = |m: String| Invalid::one("file", m);
    if bytes.is_empty() {
        return Err(refuse("The file is empty".into()));
    }
    let Some(claimed) = EvidenceKind::claimed_by(name) else {
        return Err(refuse(format!("{KEPT}; \"{name}\" is none of these")));
    };
    let content = sniff(bytes);
    let text_kind = matches!(
        claimed,
        EvidenceKind::Csv | EvidenceKind::Txt | EvidenceKind::Eml
    );
    let agrees = match content {
        Content::Is(k) => k == claimed,
        Content::Text if claimed == EvidenceKind::Eml => is_email(
            std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).unwrap_or(""),
        ),
        Content::Text => text_kind,
        Content::Html | Content::Other => false,
    };
    if agrees {
        return Ok(claimed);
    }
    let is = if content == Content::Text && claimed == EvidenceKind::Eml {
        "plain text without an email's headers"
    } else {
        content.described()
    };
    Err(refuse(format!(
        "\"{name}\" is named as a {} but its content is {is}. {KEPT}",
        claimed.label()
    )))
}

/// The name a file is kept under: the last part of the name given (a browser or a script may
/// send a whole path), trimmed, at most [`FILENAME_MAX`] characters, with no control characters.
pub fn filename(given: &str) -> Result<String, Invalid> {
    let name = given
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if name.is_empty() || name.starts_with('.') && !name[1..].contains('.') {
        return Err(Invalid::one("file", "Choose a file to attach"));
    }
    if let Some(problem) = text_problem(&name, FILENAME_MAX) {
        return Err(Invalid::one("file", format!("The file's name {problem}")));
    }
    if name.contains(['\n', '\r', '\t']) {
        return Err(Invalid::one(
            "file",
            "The file's name holds a line break or tab",
        ));
    }
    Ok(name)
}

/// The name as plain ASCII letters, digits, dots, dashes and underscores, for a download's
/// `filename=` (the exact name goes in `filename*`).
pub fn ascii_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The reason a file is removed: required, because a removed file is evidence that was there.
pub fn removal_reason(reason: &str) -> Result<String, Invalid> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Invalid::one(
            "removal_reason",
            "Say why the file is removed (it stays recoverable for a while)",
        ));
    }
    if let Some(problem) = text_problem(reason, REASON_MAX) {
        return Err(Invalid::one(
            "removal_reason",
            format!("The reason {problem}"),
        ));
    }
    Ok(reason.to_string())
}

/// What a person does with a record's evidence (each register says who may).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceUse {
    Read,
    Attach,
    Remove,
}

/// The SHA-256 of a file's bytes, in lower-case hex: its address.
pub fn address(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_kept_in_whole_parts_and_one_for_an_empty_file() {
        let part = PART_BYTES as i64;
        assert_eq!(parts(0), 1);
        assert_eq!(parts(1), 1);
        assert_eq!(parts(part), 1);
        assert_eq!(parts(part + 1), 2);
        assert_eq!(parts(20 * part), 20);
    }

    fn refused(name: &str, bytes: &[u8]) -> String {
        kind_of(name, bytes).unwrap_err().0[0].message.clone()
    }

    #[test]
    fn each_kind_is_known_by_its_content() {
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        let eml = b"Received: by mx\r\nFrom: a@b.nhs.uk\r\nSubject: Letter\r\n\r\nBody";
        for (name, bytes, kind) in [
            ("scan.PDF", &b"%PDF-1.7\n..."[..], EvidenceKind::Pdf),
            ("photo.png", b"\x89PNG\r\n\x1a\n\0\0", EvidenceKind::Png),
            ("photo.jpg", b"\xFF\xD8\xFF\xE0\0", EvidenceKind::Jpeg),
            ("photo.jpeg", b"\xFF\xD8\xFF\xE1\0", EvidenceKind::Jpeg),
            ("letter.docx", docx, EvidenceKind::Docx),
            ("log.xlsx", xlsx, EvidenceKind::Xlsx),
            (
                "log.csv",
                b"\xEF\xBB\xBFdate,what\n2026-12-01,sent\n",
                EvidenceKind::Csv,
            ),
            (
                "notes.txt",
                "Spoke to Mrs Jones — she returned it.\n".as_bytes(),
                EvidenceKind::Txt,
            ),
            ("message.eml", eml, EvidenceKind::Eml),
        ] {
            assert_eq!(kind_of(name, bytes), Ok(kind), "{name}");
        }
    }

    #[test]
    fn a_web_page_is_refused_whatever_its_name() {
        let page = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        for name in [
            "report.pdf",
            "notes.txt",
            "log.csv",
            "mail.eml",
            "page.html",
        ] {
            let m = refused(name, page);
            assert!(
                m.contains("web page") || m.contains("none of these"),
                "{name}: {m}"
            );
        }
        assert!(refused("report.pdf", page).contains("named as a PDF document"));
        assert!(refused("x.txt", b"  <svg onload=alert(1)>").contains("web page"));
    }

    #[test]
    fn a_name_that_claims_another_kind_is_refused() {
        assert!(refused("photo.png", b"%PDF-1.4").contains("its content is PDF document"));
        assert!(refused("evil.exe", b"MZ\x90\0").contains("none of these"));
        assert!(refused("noextension", b"hello").contains("none of these"));
        assert!(refused("bin.txt", b"abc\0def").contains("not a kind"));
        assert!(refused("latin1.txt", b"caf\xE9").contains("not a kind"));
        assert!(refused("zip.docx", b"PK\x03\x04 other zip").contains("not a kind"));
        assert!(refused("plain.eml", b"just some words\n").contains("without an email"));
        assert_eq!(refused("empty.pdf", b""), "The file is empty");
    }

    #[test]
    fn names_are_kept_without_their_folders() {
        assert_eq!(filename("C:\\Users\\me\\scan 1.pdf").unwrap(), "scan 1.pdf");
        assert_eq!(filename("/tmp/a/photo.png").unwrap(), "photo.png");
        assert!(filename("  ").is_err());
        assert!(filename("folder/").is_err());
        assert!(filename(&format!("{}.pdf", "a".repeat(300))).is_err());
        assert!(filename("bad\u{1b}[31m.pdf").is_err());
        assert!(filename("two\nlines.pdf").is_err());
        assert_eq!(ascii_filename("Réponse (1).pdf"), "R_ponse__1_.pdf");
    }

    #[test]
    fn removal_needs_a_reason() {
        assert!(removal_reason("  ").is_err());
        assert_eq!(removal_reason(" duplicate ").unwrap(), "duplicate");
    }

    #[test]
    fn the_address_is_the_sha256() {
        assert_eq!(
            address(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
