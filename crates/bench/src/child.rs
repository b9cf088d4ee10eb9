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
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = std::process::Command::new(exe)
            .args(["serve", "--db", db_url, "--listen", "127.0.0.1:0"])
            // Warnings, and the desk's lines on its trigger prices and slow quote calls.
            .env("RUST_LOG", "warn,app::risk_desk=info")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .map_err(|e| e.to_string())?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = std::io::BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.map_err(|e| e.to_string())?;
            if let Some(rest) = line.strip_prefix("Brokerdesk is serving on http://") {
                let addr = rest.trim_end_matches('/').to_owned();
                // Keep reading its output so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                return Ok(ServeChild { child, addr });
            }
        }
        Err("the server exited before listening".into())
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
