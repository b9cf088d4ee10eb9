//! A client's TCP connection, shared by its HTTP handling and the chat hub.
//!
//! The hub writes a group's message straight into every member's socket
//! from the fan-out ([`Outlet`]); the connection's own task writes the
//! rest (HTTP responses, chat history, replies, the closing frame) through
//! [`AsyncWrite`]. So that the two never interleave inside a frame, every
//! write goes through one queue of the bytes the socket has not taken yet,
//! and every write is taken whole: what the socket does not take at once
//! waits in the queue, and nothing is written past it.

use app::community::hub::Outlet;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use bytes::{Buf, Bytes};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// Bytes the chat hub may leave waiting for one socket (past what its
/// kernel buffer holds) before the connection is dropped as too slow:
/// several hundred chat messages.
pub const UNSENT_LIMIT: usize = 128 * 1024;

/// One accepted connection, as HTTP reads and writes it.
#[derive(Debug)]
pub struct PeerSocket {
    reader: OwnedReadHalf,
    writer: PeerWriter,
}

/// A connection's sending side; clones share it (the connection's HTTP
/// handling, and the chat hub while the connection is a member's socket).
#[derive(Debug, Clone)]
pub struct PeerWriter(Arc<Mutex<Sending>>);

/// The socket's sending half and what it has not taken yet, oldest first.
#[derive(Debug)]
struct Sending {
    half: OwnedWriteHalf,
    unsent: VecDeque<Bytes>,
    bytes: usize,
    /// The chat task to wake when the hub leaves bytes here.
    drainer: Option<Waker>,
}

impl Sending {
    fn push(&mut self, chunk: Bytes) {
        self.bytes += chunk.len();
        self.unsent.push_back(chunk);
    }

    /// Ready once nothing waits; otherwise the socket will wake `cx` when it takes more.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(front) = self.unsent.front_mut() {
            let n = ready!(Pin::new(&mut self.half).poll_write(cx, front))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.bytes -= n;
            front.advance(n);
            if front.is_empty() {
                self.unsent.pop_front();
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl PeerWriter {
    fn sending(&self) -> MutexGuard<'_, Sending> {
        self.0.lock().expect("a socket's lock is never poisoned")
    }

    /// For the chat task: writes out what the hub left waiting whenever the
    /// socket takes more. Pending while all is well; the error once the socket fails.
    pub fn poll_unsent(&self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let mut sending = self.sending();
        match sending.poll_write_out(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(e),
            Poll::Ready(Ok(())) => {
                if !sending.drainer.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    sending.drainer = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A chat event's JSON as one whole WebSocket text frame (RFC 6455, from the
/// server: unmasked): the hub's [`app::community::hub::Wire`].
pub fn text_frame(json: &Bytes) -> Bytes {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    let mut frame = Vec::with_capacity(json.len() + 10);
    Frame::message(json.clone(), OpCode::Data(Data::Text), true)
        .format(&mut frame)
        .expect("formatting a frame into memory does not fail");
    frame.into()
}

impl Outlet for PeerWriter {
    fn send(&self, frame: &Bytes) -> bool {
        let mut sending = self.sending();
        if !sending.unsent.is_empty() {
            if sending.bytes + frame.len() > UNSENT_LIMIT {
                return false;
            }
            sending.push(frame.clone());
            return true;
        }
        match sending.half.try_write(frame) {
            Ok(n) if n == frame.len() => return true,
            Ok(n) => sending.push(frame.slice(n..)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => sending.push(frame.clone()),
            Err(_) => return false,
        }
        // Nothing waited, so nobody is writing it out: wake the one who does.
        let drainer = sending.drainer.take();
        drop(sending);
        drainer.inspect(Waker::wake_by_ref);
        true
    }
}

impl PeerSocket {
    fn new(stream: TcpStream) -> PeerSocket {
        let (reader, half) = stream.into_split();
        let sending = Sending { half, unsent: VecDeque::new(), bytes: 0, drainer: None };
        PeerSocket { reader, writer: PeerWriter(Arc::new(Mutex::new(sending))) }
    }
}

impl AsyncRead for PeerSocket {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl AsyncWrite for PeerSocket {
    /// Takes `buf` whole, or waits: what the socket does not take now waits
    /// behind what already does, so no other write can land inside it.
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut sending = self.writer.sending();
        ready!(sending.poll_write_out(cx))?;
        let n = ready!(Pin::new(&mut sending.half).poll_write(cx, buf))?;
        if n < buf.len() {
            sending.push(Bytes::copy_from_slice(&buf[n..]));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.writer.sending().poll_write_out(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut sending = self.writer.sending();
        ready!(sending.poll_write_out(cx))?;
        Pin::new(&mut sending.half).poll_shutdown(cx)
    }
}

/// The server's listener: hands out each connection as a [`PeerSocket`].
#[derive(Debug)]
pub struct PeerListener(pub TcpListener);

impl Listener for PeerListener {
    type Io = PeerSocket;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (PeerSocket, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        // Chat frames are small and go out at once.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::warn!(error = %e, "could not turn off Nagle's algorithm on a connection");
        }
        (PeerSocket::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Every request carries its connection's sending side, so a chat socket can hand it to the hub.
impl Connected<IncomingStream<'_, PeerListener>> for PeerWriter {
    fn connect_info(stream: IncomingStream<'_, PeerListener>) -> Self {
        stream.io().writer.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_event_goes_out_as_one_whole_text_frame() {
        let short = text_frame(&Bytes::from_static(br#"{"id":1}"#));
        assert_eq!((short[0], short[1] as usize), (0x81, 8), "final, text, unmasked, 8 bytes");
        assert_eq!(&short[2..], br#"{"id":1}"#);
        let long = text_frame(&Bytes::from(vec![b'x'; 300]));
        assert_eq!((long[1], u16::from_be_bytes([long[2], long[3]])), (126, 300), "a 16-bit length");
        assert_eq!(long.len(), 4 + 300);
    }
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A connected pair: the server's side as a peer socket, the client's plain.
    async fn pair() -> (PeerSocket, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (PeerSocket::new(server), client)
    }

    fn frame(k: u32) -> Bytes {
        let mut f = vec![b'<'];
        f.extend_from_slice(&k.to_be_bytes());
        f.extend(std::iter::repeat_n(b'.', 1000));
        f.push(b'>');
        f.into()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn frames_from_the_hub_and_the_task_arrive_whole_and_in_order_when_the_client_lags() {
        let (peer, mut client) = pair().await;
        // The client reads nothing yet: the hub's frames fill the kernel's buffers, then wait.
        let hub = peer.writer.clone();
        let mut hub_sent = 0u32;
        while hub.send(&frame(hub_sent)) {
            hub_sent += 1;
        }
        assert!(hub.sending().bytes > UNSENT_LIMIT - 1100, "it stops only at the bound");
        // The connection's own write waits behind them, then goes out whole.
        let mut own = peer;
        let writer = tokio::spawn(async move {
            own.write_all(&frame(u32::MAX)).await.unwrap();
            own.flush().await.unwrap();
        });
        let mut got = Vec::new();
        let mut buf = vec![0; 1 << 16];
        while got.len() < (hub_sent as usize + 1) * 1006 {
            let n = client.read(&mut buf).await.unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        writer.await.unwrap();
        let expected: Vec<u8> = (0..hub_sent).chain([u32::MAX]).flat_map(|k| frame(k).to_vec()).collect();
        assert!(got == expected, "every frame whole, in the order given");
        assert_eq!(hub.sending().bytes, 0);
    }

    #[tokio::test]
    async fn the_chat_task_writes_out_what_the_hub_left_waiting() {
        let (peer, mut client) = pair().await;
        let hub = peer.writer.clone();
        let mut sent = 0u32;
        while hub.sending().unsent.is_empty() {
            assert!(hub.send(&frame(sent)));
            sent += 1;
        }
        // Nobody else writes: the task's duty alone must empty the queue as the client reads.
        let drainer = hub.clone();
        let task = tokio::spawn(async move { std::future::poll_fn(|cx| drainer.poll_unsent(cx)).await });
        let mut got = 0;
        let mut buf = vec![0; 1 << 16];
        while got < sent as usize * 1006 {
            got += client.read(&mut buf).await.unwrap();
        }
        assert_eq!(got, sent as usize * 1006);
        assert!(!task.is_finished(), "the duty goes on while the socket is well");
        task.abort();
    }
}
