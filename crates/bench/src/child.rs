//! The real `brokerdesk serve` as a child process, for the benchmarks that
//! measure through the server the way users' data goes.

use std::io::BufRead;

/// A running `brokerdesk serve`, killed when dropped.
#[derive(Debug)]
pub struct ServeChild {
    /// The process.
    pub child: std::process::Child,
    /// Where it listens (host:port).
    pub addr: String,
}

impl ServeChild {
    /// Starts this binary's `serve` over `db_url` on a free loopback port and
    /// waits until it says where it listens. The error says why it did not.
    pub fn start(db_url: &str) -> Result<ServeChild, String> {
        ServeChild::start_with(&std::env::current_exe().map_err(|e| e.to_string())?, db_url, &[])
    }

    /// Starts `exe serve` over `db_url` with more arguments (`--nats URL`).
    pub fn start_with(exe: &std::path::Path, db_url: &str, more: &[&str]) -> Result<ServeChild, String> {
        let mut command = std::process::Command::new(exe);
        command
            .args(["serve", "--db", db_url, "--listen", "127.0.0.1:0"])
            .args(more)
            // Warnings, and the desk's lines on its trigger prices and slow quote calls.
            .env("RUST_LOG", "warn,app::risk_desk=info");
        let (child, addr) = start_until(command, "Brokerdesk is serving on http://")?;
        Ok(ServeChild { child, addr })
    }
}

/// Starts `command` with its output piped and reads it until a line holding
/// `marker`: answers the child and what follows the marker (an address),
/// and keeps reading its output so that it never blocks on a full pipe.
fn start_until(mut command: std::process::Command, marker: &str) -> Result<(std::process::Child, String), String> {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some((_, rest)) = line.split_once(marker) {
            let addr = rest.trim_end_matches('/').to_owned();
            std::thread::spawn(move || for _ in lines {});
            return Ok((child, addr));
        }
    }
    let _ = child.kill();
    Err(format!("the child exited before saying '{marker}'"))
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `brokerdesk worker watch`, killed when dropped.
#[derive(Debug)]
pub struct WorkerChild {
    /// The process.
    pub child: std::process::Child,
    /// Where it answers /health, /ready and /metrics (host:port).
    pub addr: String,
    /// Its partition, K/N.
    pub partition: String,
}

impl WorkerChild {
    /// Starts `exe worker watch` for `partition` (K/N) over `db_url` and
    /// `nats_url`, and waits until it says where it answers.
    pub fn start(exe: &std::path::Path, db_url: &str, nats_url: &str, partition: &str) -> Result<WorkerChild, String> {
        let mut command = std::process::Command::new(exe);
        command
            .args(["worker", "watch", "--db", db_url, "--nats", nats_url, "--partition", partition])
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn,app::cluster=info");
        let (child, addr) = start_until(command, "health and metrics on http://")
            .map_err(|e| format!("the worker for {partition}: {e}"))?;
        Ok(WorkerChild { child, addr, partition: partition.to_owned() })
    }

    /// Kills it at once (SIGKILL: no lease given back, nothing flushed).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerChild {
    fn drop(&mut self) {
        self.kill();
    }
}
