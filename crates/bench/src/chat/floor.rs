//! The kernel's floor for the chat fan-out, measured in the same run as the
//! server: a child process that accepts the members' sockets and, for each
//! line on its standard input, writes that line as one WebSocket text frame
//! to every socket in plain loops, one thread per core (no runtime, no
//! queues, no database).
//! Its delivery latency is what loopback TCP alone costs on this machine
//! for a fan-out of that size, read by the same readers as the server's.

use super::ChatBenchError;
use std::io::{BufRead, Write};
use std::net::{TcpListener, TcpStream};

/// What the floor prints once it listens, before the address.
const LISTENING: &str = "chat floor listening on ";

/// A WebSocket text frame from server to client (unmasked, whole).
pub fn text_frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 10);
    frame.push(0x81);
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n if n <= u16::MAX as usize => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

/// The floor's own process (`brokerdesk bench chat-floor`): accepts `sockets`
/// connections on loopback, then writes each line of standard input to all of them.
pub fn serve(sockets: usize) -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("{LISTENING}{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let mut members = Vec::with_capacity(sockets);
    while members.len() < sockets {
        let (stream, _) = listener.accept()?;
        // As the server's sockets: each frame goes out at once.
        stream.set_nodelay(true)?;
        members.push(stream);
    }
    // One writer per core, each with its share of the sockets, as the server's runtime has a worker per core.
    let writers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut shares: Vec<Vec<TcpStream>> = (0..writers).map(|_| Vec::new()).collect();
    for (k, member) in members.into_iter().enumerate() {
        shares[k % writers].push(member);
    }
    for line in std::io::stdin().lock().lines() {
        let frame = text_frame(line?.as_bytes());
        std::thread::scope(|writing| {
            for share in &mut shares {
                let frame = &frame;
                // A member that is gone is dropped; the driver counts what did not arrive.
                writing.spawn(move || share.retain_mut(|m| m.write_all(frame).is_ok()));
            }
        });
    }
    Ok(())
}

/// The floor's process seen from the driver.
pub struct Floor {
    child: std::process::Child,
    input: std::process::ChildStdin,
    /// Where it listens.
    pub addr: String,
}

impl Floor {
    /// Starts the floor for `sockets` members and waits until it listens.
    pub fn start(sockets: usize) -> Result<Floor, ChatBenchError> {
        let failed = |e: &dyn std::fmt::Display| ChatBenchError::Server(format!("the chat floor: {e}"));
        let exe = std::env::current_exe().map_err(|e| failed(&e))?;
        let mut child = std::process::Command::new(exe)
            .args(["bench", "chat-floor", "--sockets", &sockets.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .map_err(|e| failed(&e))?;
        let (Some(input), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(failed(&"its standard input and output were not piped"));
        };
        // From here on, dropping the floor stops its process.
        let mut floor = Floor { child, input, addr: String::new() };
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).map_err(|e| failed(&e))?;
        floor.addr = line
            .trim_end()
            .strip_prefix(LISTENING)
            .ok_or_else(|| failed(&format!("expected {LISTENING:?}, got {line:?}")))?
            .to_owned();
        Ok(floor)
    }

    /// The floor's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Connects one member's socket to the floor.
    pub fn connect(&self) -> Result<TcpStream, ChatBenchError> {
        let stream = TcpStream::connect(&self.addr)
            .map_err(|e| ChatBenchError::Client(format!("connecting to the chat floor: {e}")))?;
        stream.set_nodelay(true).map_err(|e| ChatBenchError::Client(e.to_string()))?;
        Ok(stream)
    }

    /// Has the floor write `text` (one line) to every member.
    pub fn send(&mut self, text: &str) -> Result<(), ChatBenchError> {
        debug_assert!(!text.contains('\n'));
        writeln!(self.input, "{text}")
            .and_then(|()| self.input.flush())
            .map_err(|e| ChatBenchError::Server(format!("the chat floor: {e}")))
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
