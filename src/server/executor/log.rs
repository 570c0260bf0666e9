//! A job's log as every executor writes it: the output up to the limit, then one line saying it
//! was cut, and a last line saying how the job ended.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

use super::JobOutcome;

pub struct JobLog {
    file: tokio::fs::File,
    written: u64,
    limit: u64,
    cut: bool,
}

impl JobLog {
    fn new(file: tokio::fs::File, limit: u64) -> Self {
        JobLog {
            file,
            written: 0,
            limit,
            cut: false,
        }
    }

    /// Creates (truncates) the log at `path` and writes `header` first.
    pub async fn create(path: &std::path::Path, header: &str, limit: u64) -> Result<Self, String> {
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|e| format!("cannot create the log: {e}"))?;
        file.write_all(header.as_bytes())
            .await
            .map_err(|e| format!("cannot write the log: {e}"))?;
        Ok(JobLog::new(file, limit))
    }

    pub async fn write(&mut self, bytes: &[u8]) {
        if self.cut {
            return;
        }
        let room = self.limit.saturating_sub(self.written);
        let take = bytes.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let _ = self.file.write_all(&bytes[..take]).await;
        self.written += take as u64;
        if take < bytes.len() {
            self.cut = true;
            let note = format!("\n[review: log cut at {} bytes]\n", self.limit);
            let _ = self.file.write_all(note.as_bytes()).await;
        }
        let _ = self.file.flush().await;
    }

    /// The last line: how the job ended.
    pub async fn finish(&mut self, outcome: &JobOutcome) {
        let note = format!("\n[review: job {outcome}]\n");
        let _ = self.file.write_all(note.as_bytes()).await;
        let _ = self.file.flush().await;
    }
}

/// Copies a stream into the log until it ends.
pub async fn pump(mut from: impl AsyncRead + Unpin, log: Arc<Mutex<JobLog>>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => log.lock().await.write(&buf[..n]).await,
        }
    }
}
