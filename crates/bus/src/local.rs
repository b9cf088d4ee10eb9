//! A nats-server of our own on loopback, with JetStream in a temporary
//! directory: for the tests and the cluster benchmark, which must not need
//! one set up beforehand (Debian's `nats-server` package provides it).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A nats-server child process, stopped when dropped.
#[derive(Debug)]
pub struct LocalNats {
    child: Child,
    port: u16,
    _store: tempfile::TempDir,
}

/// Why a local nats-server could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LocalNatsError {
    /// The binary is not installed.
    #[error("nats-server is not installed (apt-get install nats-server): {0}")]
    Missing(std::io::Error),
    /// It started but did not listen.
    #[error("nats-server did not listen on 127.0.0.1:{0} within 10 s")]
    NotListening(u16),
    /// The temporary directory or a port could not be had.
    #[error("nats-server's scratch space: {0}")]
    Scratch(std::io::Error),
}

impl LocalNats {
    /// Starts nats-server with JetStream on a free loopback port.
    pub fn start() -> Result<LocalNats, LocalNatsError> {
        let store = tempfile::tempdir().map_err(LocalNatsError::Scratch)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(LocalNatsError::Scratch)?
            .port();
        let child = Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(LocalNatsError::Missing)?;
        let mut nats = LocalNats { child, port, _store: store };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) || nats.child.try_wait().ok().flatten().is_some() {
                return Err(LocalNatsError::NotListening(port));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(nats)
    }

    /// Its client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Its process id (for the CPU it spends).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for LocalNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when nats-server is installed.
pub fn available() -> bool {
    Command::new("nats-server").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}
