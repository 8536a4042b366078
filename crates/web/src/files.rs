//! Uploaded materials, stored content-addressed under the data directory:
//! `files/ab/abcdef…` named by the SHA-256 of the bytes, so the same scan
//! uploaded twice is stored once and a stored file can never change.
//!
//! Only PDF, PNG and JPEG are taken, recognised by their first bytes rather
//! than by what the client claims, and at most [`MAX_FILE_BYTES`] each.

use crate::error::{AppError, AppResult};
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The largest upload taken: a scanned multi-page PDF fits.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// A file written to the store, with what the case records of it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub sha256: String,
    pub size: i64,
    pub content_type: &'static str,
}

/// The content type recognised from the bytes, or `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Checks and stores one upload; `field` names it in errors.
pub async fn save(data_dir: &Path, bytes: &[u8], field: &str) -> AppResult<Stored> {
    if bytes.is_empty() {
        return Err(AppError::invalid("file.empty", field, "上传的文件是空的"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::invalid(
            "file.too_large",
            field,
            format!("文件不能超过{}MB", MAX_FILE_BYTES / 1024 / 1024),
        ));
    }
    let content_type = sniff(bytes).ok_or_else(|| {
        AppError::invalid(
            "file.type_not_allowed",
            field,
            "只接受PDF、PNG或JPEG格式的材料文件",
        )
    })?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let path = path_of(data_dir, &sha256);
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        let dir = path.parent().expect("a file path has a parent");
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("creating {}", dir.display()))?;
        // Write beside, then rename: a reader never sees half a file.
        let tmp = dir.join(format!(".{sha256}.{}.tmp", std::process::id()));
        tokio::fs::write(&tmp, bytes)
            .await
            .with_context(|| format!("writing {}", tmp.display()))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .with_context(|| format!("storing {}", path.display()))?;
    }
    Ok(Stored {
        sha256,
        size: bytes.len() as i64,
        content_type,
    })
}

/// A stored file's metadata, read back from disk (for a JSON submission that
/// names files uploaded earlier).
pub async fn existing(data_dir: &Path, sha256: &str, field: &str) -> AppResult<Stored> {
    let not_found = || AppError::invalid("file.not_found", field, "找不到该文件，请先上传材料文件");
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let sha256 = sha256.to_ascii_lowercase();
    let bytes = tokio::fs::read(path_of(data_dir, &sha256))
        .await
        .map_err(|_| not_found())?;
    Ok(Stored {
        size: bytes.len() as i64,
        content_type: sniff(&bytes).unwrap_or("application/octet-stream"),
        sha256,
    })
}

/// Reads a stored file's bytes.
pub async fn read(data_dir: &Path, sha256: &str) -> AppResult<Vec<u8>> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound("file"));
    }
    tokio::fs::read(path_of(data_dir, sha256))
        .await
        .map_err(|_| AppError::NotFound("file"))
}

fn path_of(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("files").join(&sha256[..2]).join(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"MZ\x90\x00"), None, "executables are refused");
        assert_eq!(sniff(b"<html>"), None);
    }

    #[tokio::test]
    async fn the_same_bytes_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let a = save(dir.path(), b"%PDF-1.4 test", "file").await.unwrap();
        let b = save(dir.path(), b"%PDF-1.4 test", "file").await.unwrap();
        assert_eq!(a.sha256, b.sha256);
        let back = read(dir.path(), &a.sha256).await.unwrap();
        assert_eq!(back, b"%PDF-1.4 test");
        assert!(save(dir.path(), b"plain text", "file").await.is_err());
        assert!(read(dir.path(), "../../etc/passwd").await.is_err());
    }
}
