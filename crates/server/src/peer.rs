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
use tokio::net::{TcpListener, TcpStream};

/// Bytes the chat hub may leave waiting for one socket (past what its
/// kernel buffer holds) before the connection is dropped as too slow:
/// some 250 chat messages.
pub const UNSENT_LIMIT: usize = 128 * 1024;

/// One accepted connection; clones share it.
#[derive(Debug, Clone)]
pub struct PeerSocket(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    stream: TcpStream,
    unsent: Mutex<Unsent>,
}

/// What the socket has not taken yet, oldest first.
#[derive(Debug, Default)]
struct Unsent {
    chunks: VecDeque<Bytes>,
    bytes: usize,
    /// The chat task to wake when the hub leaves bytes here.
    drainer: Option<Waker>,
}

impl Unsent {
    fn push(&mut self, chunk: Bytes) {
        self.bytes += chunk.len();
        self.chunks.push_back(chunk);
    }

    /// Writes what waits until the socket stops taking it; true once all is out.
    fn write_out(&mut self, stream: &TcpStream) -> io::Result<bool> {
        while let Some(front) = self.chunks.front_mut() {
            match stream.try_write(front) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.bytes -= n;
                    front.advance(n);
                    if front.is_empty() {
                        self.chunks.pop_front();
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

impl Shared {
    fn unsent(&self) -> MutexGuard<'_, Unsent> {
        self.unsent.lock().expect("a socket's lock is never poisoned")
    }

    /// Ready once nothing waits; otherwise registers to be woken when the socket takes more.
    fn poll_write_out(&self, unsent: &mut Unsent, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !unsent.write_out(&self.stream)? {
            // A write that would block cleared the readiness: this waits for the next.
            ready!(self.stream.poll_write_ready(cx))?;
        }
        Poll::Ready(Ok(()))
    }
}

impl PeerSocket {
    fn new(stream: TcpStream) -> PeerSocket {
        PeerSocket(Arc::new(Shared { stream, unsent: Mutex::new(Unsent::default()) }))
    }

    /// For the chat task: writes out what the hub left waiting whenever the
    /// socket takes more. Pending while all is well; the error once the socket fails.
    pub fn poll_unsent(&self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let mut unsent = self.0.unsent();
        match self.0.poll_write_out(&mut unsent, cx) {
            Poll::Ready(Err(e)) => Poll::Ready(e),
            Poll::Ready(Ok(())) => {
                if !unsent.drainer.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    unsent.drainer = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Outlet for PeerSocket {
    fn send_frame(&self, frame: &Bytes) -> bool {
        let mut unsent = self.0.unsent();
        if !unsent.chunks.is_empty() {
            if unsent.bytes + frame.len() > UNSENT_LIMIT {
                return false;
            }
            unsent.push(frame.clone());
            return true;
        }
        match self.0.stream.try_write(frame) {
            Ok(n) if n == frame.len() => return true,
            Ok(n) => unsent.push(frame.slice(n..)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => unsent.push(frame.clone()),
            Err(_) => return false,
        }
        // The queue was empty, so nobody is writing it out: wake the one who does.
        let drainer = unsent.drainer.take();
        drop(unsent);
        drainer.inspect(Waker::wake_by_ref);
        true
    }
}

impl AsyncRead for PeerSocket {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.0.stream.poll_read_ready(cx))?;
            match self.0.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                // The readiness was stale and is cleared: wait for the next.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for PeerSocket {
    /// Takes `buf` whole, or waits: what the socket does not take now waits
    /// in the queue, so no other write can land inside it.
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let shared = &self.0;
        let mut unsent = shared.unsent();
        ready!(shared.poll_write_out(&mut unsent, cx))?;
        loop {
            match shared.stream.try_write(buf) {
                Ok(n) => {
                    if n < buf.len() {
                        unsent.push(Bytes::copy_from_slice(&buf[n..]));
                    }
                    return Poll::Ready(Ok(buf.len()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => ready!(shared.stream.poll_write_ready(cx))?,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut unsent = self.0.unsent();
        self.0.poll_write_out(&mut unsent, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.0.poll_write_out(&mut self.0.unsent(), cx))?;
        // The hub may still hold a clone: shut the sending side now rather than at the last drop.
        Poll::Ready(socket2::SockRef::from(&self.0.stream).shutdown(std::net::Shutdown::Write))
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

/// Every request carries its connection, so a chat socket can hand it to the hub.
impl Connected<IncomingStream<'_, PeerListener>> for PeerSocket {
    fn connect_info(stream: IncomingStream<'_, PeerListener>) -> Self {
        stream.io().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let mut hub_sent = 0u32;
        while peer.send_frame(&frame(hub_sent)) {
            hub_sent += 1;
        }
        assert!(peer.0.unsent().bytes > UNSENT_LIMIT - 1100, "it stops only at the bound");
        // The connection's own write waits behind them, then goes out whole.
        let mut own = peer.clone();
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
        assert_eq!(peer.0.unsent().bytes, 0);
    }

    #[tokio::test]
    async fn the_chat_task_writes_out_what_the_hub_left_waiting() {
        let (peer, mut client) = pair().await;
        let mut sent = 0u32;
        while peer.0.unsent().chunks.is_empty() {
            assert!(peer.send_frame(&frame(sent)));
            sent += 1;
        }
        // Nobody else writes: the task's duty alone must empty the queue as the client reads.
        let drainer = peer.clone();
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
