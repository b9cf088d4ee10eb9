//! The members' side of the chat bench: every member's socket is read by a
//! few plain threads on epoll (mio), not by a runtime task and a WebSocket
//! library each. Why: here the clients share the server's two cores, and
//! every microsecond they spend on a delivery is taken from the server being
//! measured (a real member reads on a phone of their own). The frames are
//! still parsed in full, and every bench message's latency is recorded.

use super::{ChatBenchError, Readings, PHASES, STEADY};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A member's open socket, and the bytes that came with the handshake's answer.
#[derive(Debug)]
pub struct MemberSocket {
    stream: std::net::TcpStream,
    early: Vec<u8>,
}

impl MemberSocket {
    /// A socket that carries frames from its first byte (the floor's, which has no handshake).
    pub fn plain(stream: std::net::TcpStream) -> Self {
        MemberSocket { stream, early: Vec::new() }
    }
}

/// Opens a WebSocket to `path` with the session's cookie, and hands its plain socket over.
pub async fn handshake(addr: &str, path: &str, token: &str) -> Result<MemberSocket, ChatBenchError> {
    let client = |e: &dyn std::fmt::Display| ChatBenchError::Client(format!("opening {path}: {e}"));
    let mut stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| client(&e))?;
    stream.set_nodelay(true).map_err(|e| client(&e))?;
    // The key is fixed: the bench checks the status, and a reader gains nothing by checking the accept hash.
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: YnJva2VyZGVzayBiZW5jaA==\r\nSec-WebSocket-Version: 13\r\n\
         Cookie: bd_session={token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.map_err(|e| client(&e))?;
    let mut answer = Vec::with_capacity(512);
    let end = loop {
        if let Some(at) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if answer.len() > 16 * 1024 {
            return Err(client(&"the answer's head runs past 16 KiB"));
        }
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await.map_err(|e| client(&e))?;
        if n == 0 {
            return Err(client(&"the server closed the socket during the handshake"));
        }
        answer.extend_from_slice(&chunk[..n]);
    };
    if !answer.starts_with(b"HTTP/1.1 101") {
        let status = String::from_utf8_lossy(&answer[..answer.len().min(60)]).into_owned();
        return Err(client(&format!("expected 101 Switching Protocols, got {status:?}")));
    }
    let early = answer.split_off(end);
    let stream = stream.into_std().map_err(|e| client(&e))?;
    Ok(MemberSocket { stream, early })
}

/// What a frame's head says, once all of it has arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A text frame's payload.
    Text(&'a [u8]),
    /// The server closed the WebSocket.
    Close,
    /// Any other frame (ping, binary, continuation): skipped.
    Other,
}

/// Why the bytes are no WebSocket the server may send.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a server frame must not be masked (RFC 6455, 5.1)")]
pub struct MaskedFrame;

/// The first frame in `bytes` and its length in bytes, or `None` while it is incomplete.
pub fn next_frame(bytes: &[u8]) -> Result<Option<(Frame<'_>, usize)>, MaskedFrame> {
    let [first, second, rest @ ..] = bytes else { return Ok(None) };
    if second & 0x80 != 0 {
        return Err(MaskedFrame);
    }
    let (len, head) = match second & 0x7f {
        126 => match rest {
            [a, b, ..] => (u16::from_be_bytes([*a, *b]) as u64, 4),
            _ => return Ok(None),
        },
        127 => match rest.get(..8) {
            Some(b) => (u64::from_be_bytes(b.try_into().expect("eight bytes")), 10),
            None => return Ok(None),
        },
        short => (short as u64, 2),
    };
    let end = match usize::try_from(len).ok().and_then(|l| l.checked_add(head)) {
        Some(end) if end <= bytes.len() => end,
        _ => return Ok(None),
    };
    let frame = match first & 0x0f {
        0x1 => Frame::Text(&bytes[head..end]),
        0x8 => Frame::Close,
        _ => Frame::Other,
    };
    Ok(Some((frame, end)))
}

/// A bench message's phase, sequence number and the microsecond it was sent,
/// from a delivered message's JSON (`..."body":"bench <phase> <seq> <sent µs>"...`).
pub fn bench_stamp(payload: &[u8]) -> Option<(usize, usize, u64)> {
    const MARK: &[u8] = b"\"body\":\"bench ";
    let at = payload.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
    let text = std::str::from_utf8(&payload[at..]).ok()?;
    let mut words = text.split([' ', '"']);
    let (phase, seq, sent) = (words.next()?, words.next()?, words.next()?);
    Some((phase.parse().ok()?, seq.parse().ok()?, sent.parse().ok()?))
}

/// What one reader thread has measured: every delivery's latency, and each message's slowest.
#[derive(Debug, Default)]
struct Tally {
    latencies: [Vec<u32>; PHASES],
    slowest: [Vec<u32>; PHASES],
}

impl Tally {
    fn record(&mut self, phase: usize, seq: usize, latency_us: u32) {
        self.latencies[phase].push(latency_us);
        let slowest = &mut self.slowest[phase];
        if slowest.len() <= seq {
            slowest.resize(seq + 1, 0);
        }
        slowest[seq] = slowest[seq].max(latency_us);
    }

    /// Hands the thread's figures to the readings.
    fn hand_over(mut self, readings: &Readings) {
        for phase in 0..PHASES {
            readings.latencies_us[phase].lock().expect("not poisoned").append(&mut self.latencies[phase]);
            let mut slowest = readings.slowest_us[phase].lock().expect("not poisoned");
            if slowest.len() < self.slowest[phase].len() {
                slowest.resize(self.slowest[phase].len(), 0);
            }
            for (all, mine) in slowest.iter_mut().zip(&self.slowest[phase]) {
                *all = (*all).max(*mine);
            }
        }
    }
}

/// A member's socket on a reader thread, and any frame it has only part of.
struct Member {
    stream: mio::net::TcpStream,
    partial: Vec<u8>,
}

/// The reader threads; stopping them hands their latencies to the readings.
pub struct Readers {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Readers {
    /// Starts `threads` readers sharing the sockets between them.
    pub fn start(sockets: Vec<MemberSocket>, threads: usize, readings: Arc<Readings>) -> std::io::Result<Readers> {
        let threads = threads.max(1);
        let mut shares: Vec<Vec<MemberSocket>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, socket) in sockets.into_iter().enumerate() {
            shares[k % threads].push(socket);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let mut handles = Vec::with_capacity(threads);
        for share in shares {
            let poll = mio::Poll::new()?;
            let mut members = Vec::with_capacity(share.len());
            for (token, socket) in share.into_iter().enumerate() {
                socket.stream.set_nonblocking(true)?;
                let mut stream = mio::net::TcpStream::from_std(socket.stream);
                poll.registry().register(&mut stream, mio::Token(token), mio::Interest::READABLE)?;
                members.push(Member { stream, partial: socket.early });
            }
            let (stop, readings) = (stop.clone(), readings.clone());
            handles.push(std::thread::spawn(move || read_members(poll, members, &stop, &readings)));
        }
        Ok(Readers { stop, threads: handles })
    }

    /// Stops the readers once they have read what has arrived; their latencies are in the readings after.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in std::mem::take(&mut self.threads) {
            let _ = thread.join();
        }
    }
}

impl Drop for Readers {
    /// A bench that fails half-way leaves no reader behind.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One reader thread: reads its members' sockets as they become readable until told to stop.
fn read_members(mut poll: mio::Poll, mut members: Vec<Member>, stop: &AtomicBool, readings: &Readings) {
    let mut events = mio::Events::with_capacity(1024);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut tally = Tally::default();
    // Bytes that came with a handshake's answer never raise an event of their own.
    for member in &mut members {
        let early = std::mem::take(&mut member.partial);
        take_frames(member, &early, readings, &mut tally);
    }
    while !stop.load(Ordering::Relaxed) {
        if poll.poll(&mut events, Some(Duration::from_millis(50))).is_err() {
            continue; // interrupted: poll again
        }
        for event in events.iter() {
            let Some(member) = members.get_mut(event.token().0) else { continue };
            // Edge-triggered: read until the socket is drained. A read shorter than
            // the buffer has drained it, and anything arriving later raises a new
            // event, so the read that would only say "would block" is skipped.
            loop {
                match member.stream.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => {
                        take_frames(member, &buffer[..n], readings, &mut tally);
                        if n < buffer.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        }
    }
    tally.hand_over(readings);
}

/// Records every whole frame in what a member's socket has sent so far.
fn take_frames(member: &mut Member, read: &[u8], readings: &Readings, tally: &mut Tally) {
    let now = readings.start.elapsed().as_micros() as u64;
    let mut delivered = [0u64; PHASES];
    let joined;
    let bytes = if member.partial.is_empty() {
        read
    } else {
        member.partial.extend_from_slice(read);
        joined = std::mem::take(&mut member.partial);
        &joined[..]
    };
    let mut at = 0;
    while let Ok(Some((frame, len))) = next_frame(&bytes[at..]) {
        at += len;
        if let Frame::Text(payload) = frame {
            if let Some((phase, seq, sent)) = bench_stamp(payload).filter(|(p, _, _)| *p < PHASES) {
                if phase == STEADY && readings.message_bytes.load(Ordering::Relaxed) == 0 {
                    readings.message_bytes.store(payload.len(), Ordering::Relaxed);
                }
                tally.record(phase, seq, now.saturating_sub(sent).min(u32::MAX as u64) as u32);
                delivered[phase] += 1;
            }
        }
    }
    // A masked frame (never sent by a server) stops the parsing; its bytes stay unread.
    member.partial.extend_from_slice(&bytes[at..]);
    for (phase, n) in delivered.iter().enumerate().filter(|(_, n)| **n > 0) {
        readings.delivered[phase].fetch_add(*n, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::super::floor::text_frame;
    use super::*;

    #[test]
    fn frames_of_each_length_form_are_read_whole_and_only_when_whole() {
        for len in [0, 125, 126, 300, 70_000] {
            let payload = vec![b'x'; len];
            let frame = text_frame(&payload);
            assert_eq!(next_frame(&frame), Ok(Some((Frame::Text(&payload), frame.len()))), "{len} bytes");
            for cut in [0, 1, frame.len() / 2, frame.len() - 1].into_iter().filter(|c| *c < frame.len()) {
                assert_eq!(next_frame(&frame[..cut]), Ok(None), "{len} bytes cut at {cut}");
            }
        }
        assert_eq!(next_frame(&[0x88, 0x00]), Ok(Some((Frame::Close, 2))));
        assert_eq!(next_frame(&[0x89, 0x01, 0x00]), Ok(Some((Frame::Other, 3))));
        assert_eq!(next_frame(&[0x81, 0x81, 0, 0, 0, 0, b'a']), Err(MaskedFrame));
    }

    #[test]
    fn the_stamp_is_read_from_a_delivered_message() {
        let json = br#"{"type":"message","id":7,"body":"bench 3 41 1234567","author":"x"}"#;
        assert_eq!(bench_stamp(json), Some((3, 41, 1_234_567)));
        assert_eq!(bench_stamp(br#"{"type":"message","body":"hello"}"#), None);
        assert_eq!(bench_stamp(br#"{"body":"bench x 1 2"}"#), None);
    }

    #[test]
    fn frames_split_across_reads_are_recorded_once() {
        let readings = Readings::new();
        let (a, _b) = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            (a, l.accept().unwrap().0)
        };
        let mut member = Member { stream: mio::net::TcpStream::from_std(a), partial: Vec::new() };
        let mut tally = Tally::default();
        let mut stream = text_frame(br#"{"body":"bench 0 1 0"}"#);
        stream.extend(text_frame(br#"{"body":"bench 1 2 0"}"#));
        stream.extend(text_frame(b"{\"type\":\"ready\"}"));
        for piece in stream.chunks(5) {
            take_frames(&mut member, piece, &readings, &mut tally);
        }
        assert!(member.partial.is_empty());
        assert_eq!((tally.latencies[0].len(), tally.latencies[1].len()), (1, 1));
        assert_eq!((tally.slowest[0].len(), tally.slowest[1].len()), (2, 3), "indexed by sequence number");
        assert_eq!(readings.delivered[0].load(Ordering::Relaxed), 1);
        assert_eq!(readings.delivered[1].load(Ordering::Relaxed), 1);
    }
}
