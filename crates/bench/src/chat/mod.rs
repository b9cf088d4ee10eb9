//! `brokerdesk bench chat`: the group chat's fan-out under load. This
//! process seeds a database (a generated book, two groups, a session per
//! customer), starts the real server (`brokerdesk serve`) as a child
//! process, opens every client's WebSocket on loopback, and measures:
//! an advisor's messages fanned out to a group's members at a steady pace
//! (delivery latency p50 and p99), the same while one member floods the
//! group, the kernel's floor for the same fan-out (plain loops writing the
//! same frames; the three alternate in rounds), and a burst sent back to
//! back (deliveries per second). Latency is measured in this one process,
//! from just before the advisor's socket sends to the moment a member's
//! socket reads the message.

mod floor;
mod reader;

pub use floor::serve as serve_floor;

use super::peak_rss_bytes_of;
use app::{import_dir, ImportOptions};
use futures_util::SinkExt;
use generator::{generate, GenOptions};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Db;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// What to run.
#[derive(Debug, Clone)]
pub struct ChatBenchOptions {
    /// WebSocket clients in all (members of two groups).
    pub clients: usize,
    /// Members of the group the advisor writes to (the rest are in a second group).
    pub members: usize,
    /// Messages the advisor sends in each paced phase.
    pub messages: usize,
    /// Rounds the paced phases alternate in (steady, half the floor's, flooded, the floor's other half).
    pub rounds: usize,
    /// The paced phases' rate, messages per second.
    pub rate: u32,
    /// Messages of the back-to-back burst.
    pub burst: usize,
    /// Scratch directory for the book and the database.
    pub work_dir: PathBuf,
}

/// The measurements.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChatBench {
    /// WebSocket clients connected.
    pub clients: usize,
    /// Members each advisor message reaches.
    pub members: usize,
    /// Advisor messages per paced phase.
    pub messages: usize,
    /// Seconds to open every client's socket.
    pub connect_seconds: f64,
    /// Median delivery latency, steady pace.
    pub p50_ms: f64,
    /// 99th percentile delivery latency, steady pace.
    pub p99_ms: f64,
    /// Median delivery latency while one member floods.
    pub p50_ms_with_flood: f64,
    /// 99th percentile delivery latency while one member floods.
    pub p99_ms_with_flood: f64,
    /// Median delivery latency of the kernel's floor: the same frames to as many
    /// members, written by plain loops in a process of its own.
    pub floor_p50_ms: f64,
    /// 99th percentile delivery latency of the kernel's floor.
    pub floor_p99_ms: f64,
    /// Each steady message's fan-out length (its slowest delivery), median over the messages, in ms:
    /// unlike the p99, a spell of a slow machine that hits a few messages does not move it.
    pub fan_out_ms: f64,
    /// The same while one member floods.
    pub fan_out_ms_with_flood: f64,
    /// The same for the kernel's floor.
    pub floor_fan_out_ms: f64,
    /// The server process's CPU time per delivery through the steady blocks, in µs (under
    /// loopback this includes the kernel's work for the receiving socket).
    pub server_cpu_us_per_delivery: Option<f64>,
    /// The floor process's CPU time per delivery, in µs, counted alike.
    pub floor_cpu_us_per_delivery: Option<f64>,
    /// Rounds the paced phases alternated in.
    pub rounds: usize,
    /// Messages the flooding member sent meanwhile.
    pub flood_messages: u64,
    /// Advisor messages in the burst.
    pub burst_messages: usize,
    /// Advisor messages per second through the burst, each fanned out to every member.
    pub messages_per_second: f64,
    /// Deliveries (message × member) per second through the burst.
    pub deliveries_per_second: f64,
    /// Deliveries missing at the end of any phase (0 when none was lost).
    pub missing: u64,
    /// The server's peak resident memory.
    pub peak_rss_bytes: Option<u64>,
    /// This driver's peak resident memory.
    pub driver_peak_rss_bytes: Option<u64>,
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum ChatBenchError {
    /// Generating or importing the book failed.
    #[error("setting up the book: {0}")]
    Setup(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The server could not be started or reached.
    #[error("the server: {0}")]
    Server(String),
    /// A client failed.
    #[error("a client: {0}")]
    Client(String),
    /// Another run holds the work directory (its database would be replaced under it).
    #[error("{0} is in use by another bench chat run; wait for it, or give another --work-dir")]
    Busy(String),
}

/// The flooding client's kernel send buffer (Linux doubles it for its bookkeeping).
const FLOODER_SEND_BUFFER: u32 = 16 * 1024;
/// How long the flood runs before its phase is measured: the group's rules let
/// any member send a few messages (5 in 10 s by default), which are ordinary
/// messages fanned out to everyone; the flood proper, what the rules and the
/// socket's pace stop, starts after them.
const FLOOD_ONSET: Duration = Duration::from_secs(1);

const PHASES: usize = 4;
const STEADY: usize = 0;
const FLOOD: usize = 1;
const BURST: usize = 2;
const FLOOR: usize = 3;

/// What every member's reader shares: latencies per phase and deliveries counted.
struct Readings {
    start: Instant,
    delivered: [AtomicU64; PHASES],
    latencies_us: [Mutex<Vec<u32>>; PHASES],
    /// Each message's slowest delivery, by phase and sequence number: the length of its fan-out.
    slowest_us: [Mutex<Vec<u32>>; PHASES],
    /// The length of an advisor message as members receive it, so the floor sends as many bytes.
    message_bytes: AtomicUsize,
}

impl Readings {
    fn new() -> Self {
        Readings {
            start: Instant::now(),
            delivered: Default::default(),
            latencies_us: Default::default(),
            slowest_us: Default::default(),
            message_bytes: AtomicUsize::new(0),
        }
    }
}

/// A seeded database and the sessions of its clients.
struct Seeded {
    url: String,
    group: domain::GroupId,
    advisor_token: String,
    member_tokens: Vec<(domain::GroupId, String)>,
}

async fn seed(opts: &ChatBenchOptions) -> Result<Seeded, ChatBenchError> {
    let book = opts.work_dir.join("book");
    let mut gen = GenOptions::new(opts.clients as u64, 11, &book);
    gen.customers_per_advisor = opts.clients as u64;
    gen.instruments = 200;
    generate(&gen).map_err(|e| ChatBenchError::Setup(e.to_string()))?;
    let file = opts.work_dir.join("chat.db");
    // A killed server of an earlier run leaves its write-ahead log beside the database.
    for stale in ["chat.db", "chat.db-wal", "chat.db-shm"] {
        let _ = std::fs::remove_file(opts.work_dir.join(stale));
    }
    let url = format!("sqlite:{}", file.display());
    let keyring = access::Keyring::generate();
    let db = Db::open(&url).await?.with_keys(store::Keys::from_text(&keyring)?);
    let mut import = ImportOptions::new(&book);
    import.rejects = opts.work_dir.join("rejects.csv");
    import.progress = false;
    import_dir(&db, &import).await.map_err(|e| ChatBenchError::Setup(e.to_string()))?;
    let customers: Vec<domain::CustomerId> = {
        let mut ids: Vec<domain::CustomerId> =
            db.key_set(store::KeySet::Customers).await?.into_iter().map(domain::CustomerId).collect();
        ids.sort_unstable();
        ids.truncate(opts.clients);
        ids
    };
    let advisor = db.advisor_of(customers[0]).await?.ok_or_else(|| ChatBenchError::Setup("no advisor".into()))?;
    let rules = serde_json::to_string(&community::moderation::GroupRules::default()).expect("rules serialize");
    let group = |name: &str, capacity: usize| store::NewGroup {
        advisor_id: advisor,
        name: domain::GroupName::parse(name).expect("a group name"),
        description: domain::GroupDescription::parse("bench").expect("a description"),
        rules: rules.clone(),
        capacity: capacity.max(1) as i64,
    };
    let (members, others) = customers.split_at(opts.members.min(customers.len()));
    let a = db.create_group(&group("fan-out", members.len())).await?;
    let b = db.create_group(&group("bystanders", others.len())).await?;
    let now = chrono::Utc::now();
    db.add_members(a, members, now).await?;
    db.add_members(b, others, now).await?;
    // One password hash for every user: hashing is not what is measured.
    let hash =
        access::hash_password("bench password, not for use").map_err(|e| ChatBenchError::Setup(e.to_string()))?;
    let expires = now + chrono::Duration::days(1);
    let session = |login: String, role, staff_id, customer_id| {
        let db = db.clone();
        let hash = hash.clone();
        async move {
            let login = domain::LoginName::parse(&login).expect("a login");
            let user = store::NewUser { login, password_hash: hash, role, staff_id, customer_id };
            let id = db.create_user(&user).await?;
            let token = access::new_secret();
            db.create_session(&access::secret_digest(&token), id, &access::new_secret(), expires).await?;
            Ok::<_, ChatBenchError>(token)
        }
    };
    let advisor_token = session("bench-advisor".into(), access::Role::Advisor, Some(advisor), None).await?;
    let mut member_tokens = Vec::with_capacity(customers.len());
    for (k, c) in customers.iter().enumerate() {
        let g = if k < members.len() { a } else { b };
        member_tokens.push((g, session(format!("bench-{c}"), access::Role::Customer, None, Some(*c)).await?));
    }
    db.close().await;
    Ok(Seeded { url, group: a, advisor_token, member_tokens })
}

/// A group's chat socket, from its newest message on.
fn live_path(group: domain::GroupId) -> String {
    format!("/groups/{group}/live?after={}", i64::MAX)
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a client's socket. `send_buffer` bounds its kernel send buffer, as
/// a phone on a mobile link has: without it the flooding client parks
/// megabytes of frames in its own kernel before the server's pushback
/// reaches it, which is the client's CPU on the cores the server shares
/// here, not the server's work.
async fn open(
    addr: &str,
    group: domain::GroupId,
    token: &str,
    send_buffer: Option<u32>,
) -> Result<Socket, ChatBenchError> {
    let client = |e: &dyn std::fmt::Display| ChatBenchError::Client(e.to_string());
    let url = format!("ws://{addr}{}", live_path(group));
    let mut request = url.into_client_request().map_err(|e| client(&e))?;
    let cookie = format!("bd_session={token}").parse().map_err(|_| ChatBenchError::Client("cookie".into()))?;
    request.headers_mut().insert("cookie", cookie);
    let server: std::net::SocketAddr = addr.parse().map_err(|e| client(&e))?;
    for attempt in 0..5 {
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .read_buffer_size(4 * 1024)
            .write_buffer_size(0);
        let opened = async {
            let tcp = tokio::net::TcpSocket::new_v4()?;
            if let Some(bytes) = send_buffer {
                tcp.set_send_buffer_size(bytes)?;
            }
            let stream = tokio_tungstenite::MaybeTlsStream::Plain(tcp.connect(server).await?);
            tokio_tungstenite::client_async_with_config(request.clone(), stream, Some(config))
                .await
                .map_err(std::io::Error::other)
        };
        match opened.await {
            Ok((socket, _)) => return Ok(socket),
            Err(e) if attempt == 4 => return Err(client(&e)),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    unreachable!("the loop returns on its last attempt")
}

/// Waits until a phase's deliveries reach `expected`, or 30 s pass; those still missing.
async fn settle(readings: &Readings, phase: usize, expected: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    while readings.delivered[phase].load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    expected.saturating_sub(readings.delivered[phase].load(Ordering::Relaxed))
}

fn percentile_ms(samples: &mut [u32], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil().max(1.0) as usize - 1;
    samples[rank.min(samples.len() - 1)] as f64 / 1_000.0
}

/// Where a paced phase's messages go in: the advisor's socket, or the floor.
enum Writer<'a> {
    Advisor(&'a mut Socket),
    Floor(&'a mut floor::Floor),
}

impl Writer<'_> {
    /// Sends one bench message stamped with its phase, sequence and the microsecond it leaves.
    async fn send(&mut self, readings: &Readings, phase: usize, seq: usize) -> Result<(), ChatBenchError> {
        let sent = readings.start.elapsed().as_micros() as u64;
        let stamp = format!("bench {phase} {seq} {sent}");
        match self {
            Writer::Advisor(socket) => {
                let body = serde_json::json!({ "text": stamp }).to_string();
                socket.send(Message::Text(body.into())).await.map_err(|e| ChatBenchError::Client(e.to_string()))
            }
            Writer::Floor(floor) => {
                // As many bytes as members receive of an advisor's message.
                let mut text = format!("{{\"type\":\"message\",\"body\":\"{stamp}\",\"pad\":\"");
                let fill = readings.message_bytes.load(Ordering::Relaxed).saturating_sub(text.len() + 2);
                text.extend(std::iter::repeat_n('.', fill));
                text.push_str("\"}");
                floor.send(&text)
            }
        }
    }
}

/// Paced messages at `rate` per second into the phase.
async fn paced(
    writer: &mut Writer<'_>,
    readings: &Readings,
    phase: usize,
    first: usize,
    messages: usize,
    rate: u32,
) -> Result<(), ChatBenchError> {
    let mut every = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1) as f64));
    for seq in first..first + messages {
        every.tick().await;
        writer.send(readings, phase, seq).await?;
    }
    Ok(())
}

/// A block of the floor's messages after the same pause as the server's blocks;
/// missing deliveries and the floor's CPU time are added up.
#[allow(clippy::too_many_arguments)] // the round's tallies, kept beside the server's in `drive`
async fn floor_block(
    floor: &mut floor::Floor,
    readings: &Readings,
    sent: &mut [usize; PHASES],
    messages: usize,
    rate: u32,
    receiving: u64,
    missing: &mut u64,
    spent: &mut Spent,
) -> Result<(), ChatBenchError> {
    tokio::time::sleep(FLOOD_ONSET).await;
    let before = super::cpu_seconds_of(floor.pid());
    paced(&mut Writer::Floor(floor), readings, FLOOR, sent[FLOOR], messages, rate).await?;
    sent[FLOOR] += messages;
    *missing += settle(readings, FLOOR, receiving * sent[FLOOR] as u64).await;
    spent.add(before, super::cpu_seconds_of(floor.pid()), receiving * messages as u64);
    Ok(())
}

/// Sends messages as fast as the socket takes them until it fails or the task is aborted.
async fn flood(mut socket: Socket, flooded: Arc<AtomicU64>) {
    loop {
        let text = serde_json::json!({ "text": format!("刷屏 {}", flooded.load(Ordering::Relaxed)) });
        if socket.send(Message::Text(text.to_string().into())).await.is_err() {
            break;
        }
        if flooded.fetch_add(1, Ordering::Relaxed).is_multiple_of(64) {
            tokio::task::yield_now().await;
        }
    }
}

/// Locks the work directory for this run: two runs in one directory would
/// each delete and reseed the other's database. The lock goes with the file.
fn hold(work_dir: &std::path::Path) -> Result<std::fs::File, ChatBenchError> {
    let path = work_dir.join("bench.lock");
    let file = std::fs::File::create(&path).map_err(|e| ChatBenchError::Setup(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(ChatBenchError::Busy(work_dir.display().to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(ChatBenchError::Setup(format!("{}: {e}", path.display()))),
    }
}

/// Runs the benchmark.
pub async fn run(opts: &ChatBenchOptions) -> Result<ChatBench, ChatBenchError> {
    std::fs::create_dir_all(&opts.work_dir).map_err(|e| ChatBenchError::Setup(e.to_string()))?;
    let _held = hold(&opts.work_dir)?;
    let seeded = seed(opts).await?;
    tracing::info!(clients = seeded.member_tokens.len(), "seeded; starting the server");
    let server = crate::ServeChild::start(&seeded.url).map_err(ChatBenchError::Server)?;
    let outcome = drive(opts, &seeded, &server.addr, server.child.id()).await;
    let peak = peak_rss_bytes_of(server.child.id());
    drop(server);
    let mut bench = outcome?;
    bench.peak_rss_bytes = peak;
    Ok(bench)
}

/// CPU time a process spent on a phase's blocks, and the deliveries they made.
#[derive(Debug, Default)]
struct Spent {
    seconds: f64,
    deliveries: u64,
    /// A reading of /proc failed: no figure at all rather than a wrong one.
    unread: bool,
}

impl Spent {
    /// Adds a block: the process's CPU seconds before and after it, and its deliveries.
    fn add(&mut self, before: Option<f64>, after: Option<f64>, deliveries: u64) {
        match (before, after) {
            (Some(b), Some(a)) => self.seconds += a - b,
            _ => self.unread = true,
        }
        self.deliveries += deliveries;
    }

    fn per_delivery_us(&self) -> Option<f64> {
        (!self.unread && self.deliveries > 0).then(|| self.seconds * 1e6 / self.deliveries as f64)
    }
}

async fn drive(
    opts: &ChatBenchOptions,
    seeded: &Seeded,
    addr: &str,
    server_pid: u32,
) -> Result<ChatBench, ChatBenchError> {
    let readings = Arc::new(Readings::new());
    // Open every member's socket, a few hundred handshakes at a time. The first
    // member floods later (from a WebSocket client of its own); the others read.
    let connecting = Instant::now();
    let limit = Arc::new(tokio::sync::Semaphore::new(256));
    let mut opening = tokio::task::JoinSet::new();
    for (k, (group, token)) in seeded.member_tokens.iter().enumerate().skip(1) {
        let (addr, token, limit) = (addr.to_owned(), token.clone(), limit.clone());
        let path = live_path(*group);
        opening.spawn(async move {
            let _turn = limit.acquire_owned().await.expect("the semaphore stays open");
            reader::handshake(&addr, &path, &token).await.map(|s| (k, s))
        });
    }
    let flooder = open(addr, seeded.group, &seeded.member_tokens[0].1, Some(FLOODER_SEND_BUFFER)).await?;
    let mut sockets = Vec::with_capacity(seeded.member_tokens.len());
    while let Some(opened) = opening.join_next().await {
        sockets.push(opened.map_err(|e| ChatBenchError::Client(e.to_string()))??);
    }
    sockets.sort_by_key(|(k, _)| *k);
    let connect_seconds = connecting.elapsed().as_secs_f64();
    tracing::info!(clients = sockets.len() + 1, seconds = connect_seconds, "every client connected");
    let members = seeded.member_tokens.iter().filter(|(g, _)| *g == seeded.group).count();
    let receiving = members.saturating_sub(1) as u64;

    // The floor gets a socket for each member that reads.
    let mut floor = floor::Floor::start(receiving as usize)?;
    let mut sockets: Vec<reader::MemberSocket> = sockets.into_iter().map(|(_, s)| s).collect();
    for _ in 0..receiving {
        sockets.push(reader::MemberSocket::plain(floor.connect()?));
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let readers = reader::Readers::start(sockets, threads, readings.clone())
        .map_err(|e| ChatBenchError::Client(format!("starting the readers: {e}")))?;
    let mut advisor = open(addr, seeded.group, &seeded.advisor_token, None).await?;
    let mut missing = 0;

    // The steady, flooded and floor phases alternate in rounds, so that drift in
    // the machine's speed over the run (large on a shared VM) falls on all alike.
    // Each round: steady, half the floor's, flooded, the floor's other half.
    let rounds = opts.rounds.clamp(1, opts.messages.max(1));
    let flooded = Arc::new(AtomicU64::new(0));
    let (mut sent, mut flooder) = ([0usize; PHASES], Some(flooder));
    let (mut server_spent, mut floor_spent) = (Spent::default(), Spent::default());
    let cpu = super::cpu_seconds_of;
    for round in 0..rounds {
        let block = opts.messages * (round + 1) / rounds - opts.messages * round / rounds;
        // The same pause as the flood's onset below, so that every block starts alike
        // (a fan-out after an idle second is slower on this VM than one in a stream).
        tokio::time::sleep(FLOOD_ONSET).await;
        let before = cpu(server_pid);
        paced(&mut Writer::Advisor(&mut advisor), &readings, STEADY, sent[STEADY], block, opts.rate).await?;
        sent[STEADY] += block;
        missing += settle(&readings, STEADY, receiving * sent[STEADY] as u64).await;
        server_spent.add(before, cpu(server_pid), receiving * block as u64);

        // Half of the round's floor messages follow each of the server's blocks. The
        // server idles through a floor block, so each of its own blocks starts after one.
        floor_block(&mut floor, &readings, &mut sent, block / 2, opts.rate, receiving, &mut missing, &mut floor_spent)
            .await?;

        // One member floods the group as fast as its socket takes messages, reading
        // nothing, on a connection of its own each round (the first is the one opened
        // with the others). Its socket soon blocks (the server stops reading a member
        // over their pace), so the flood is counted as it goes and ended by dropping it.
        let socket = match flooder.take() {
            Some(socket) => socket,
            None => open(addr, seeded.group, &seeded.member_tokens[0].1, Some(FLOODER_SEND_BUFFER)).await?,
        };
        let flood = tokio::spawn(flood(socket, flooded.clone()));
        tokio::time::sleep(FLOOD_ONSET).await;
        paced(&mut Writer::Advisor(&mut advisor), &readings, FLOOD, sent[FLOOD], block, opts.rate).await?;
        sent[FLOOD] += block;
        missing += settle(&readings, FLOOD, receiving * sent[FLOOD] as u64).await;
        flood.abort();
        let _ = flood.await;
        let half = block - block / 2;
        floor_block(&mut floor, &readings, &mut sent, half, opts.rate, receiving, &mut missing, &mut floor_spent)
            .await?;
        tracing::info!(round, missing, flood_messages = flooded.load(Ordering::Relaxed), "round done");
    }
    let flood_messages = flooded.load(Ordering::Relaxed);
    drop(floor);

    let burst_started = Instant::now();
    for seq in 0..opts.burst {
        Writer::Advisor(&mut advisor).send(&readings, BURST, seq).await?;
    }
    missing += settle(&readings, BURST, receiving * opts.burst as u64).await;
    let burst_seconds = burst_started.elapsed().as_secs_f64();
    let delivered = readings.delivered[BURST].load(Ordering::Relaxed) as f64;

    let _ = advisor.close(None).await;
    // Each reader hands over its latencies as it stops.
    tokio::task::spawn_blocking(move || readers.stop()).await.map_err(|e| ChatBenchError::Client(e.to_string()))?;
    let mut fan_out_ms = [0.0; PHASES];
    for (phase, name) in [(STEADY, "steady"), (FLOOD, "flooded"), (FLOOR, "floor")] {
        // A fan-out's tail is its own length, so a p99 is made of a few messages' fan-outs.
        let slowest = readings.slowest_us[phase].lock().expect("not poisoned");
        let mut by_length: Vec<(usize, u32)> = slowest.iter().copied().enumerate().collect();
        by_length.sort_unstable_by_key(|(_, us)| std::cmp::Reverse(*us));
        let median = by_length.get(by_length.len() / 2).map_or(0, |(_, us)| *us);
        fan_out_ms[phase] = median as f64 / 1000.0;
        let top: Vec<String> = by_length.iter().take(5).map(|(seq, us)| format!("#{seq} {} ms", us / 1000)).collect();
        tracing::info!(phase = name, median_ms = median / 1000, slowest = top.join(", "), "fan-out lengths");
    }
    let take = |phase: usize| std::mem::take(&mut *readings.latencies_us[phase].lock().expect("not poisoned"));
    let (mut steady, mut flooded, mut floor) = (take(STEADY), take(FLOOD), take(FLOOR));
    Ok(ChatBench {
        clients: seeded.member_tokens.len(),
        members,
        messages: opts.messages,
        connect_seconds,
        p50_ms: percentile_ms(&mut steady, 50.0),
        p99_ms: percentile_ms(&mut steady, 99.0),
        p50_ms_with_flood: percentile_ms(&mut flooded, 50.0),
        p99_ms_with_flood: percentile_ms(&mut flooded, 99.0),
        floor_p50_ms: percentile_ms(&mut floor, 50.0),
        floor_p99_ms: percentile_ms(&mut floor, 99.0),
        fan_out_ms: fan_out_ms[STEADY],
        fan_out_ms_with_flood: fan_out_ms[FLOOD],
        floor_fan_out_ms: fan_out_ms[FLOOR],
        server_cpu_us_per_delivery: server_spent.per_delivery_us(),
        floor_cpu_us_per_delivery: floor_spent.per_delivery_us(),
        rounds,
        flood_messages,
        burst_messages: opts.burst,
        messages_per_second: opts.burst as f64 / burst_seconds,
        deliveries_per_second: delivered / burst_seconds,
        missing,
        peak_rss_bytes: None,
        driver_peak_rss_bytes: super::peak_rss_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank_in_milliseconds() {
        let mut v: Vec<u32> = (1..=100).map(|k| k * 1_000).collect();
        assert_eq!(percentile_ms(&mut v, 50.0), 50.0);
        assert_eq!(percentile_ms(&mut v, 99.0), 99.0);
        assert_eq!(percentile_ms(&mut [], 99.0), 0.0);
    }

    #[test]
    fn a_second_run_in_the_same_work_dir_is_refused_while_the_first_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = hold(dir.path()).unwrap();
        let second = hold(dir.path()).unwrap_err();
        assert!(second.to_string().contains("in use by another bench chat run"), "{second}");
        drop(first);
        assert!(hold(dir.path()).is_ok(), "free again once the first run ends");
    }
}
