//! A PostgreSQL for tests: the server named by BROKERDESK_TEST_POSTGRES_URL
//! when set, else a throwaway cluster this module starts (initdb + pg_ctl on
//! a unix socket in a temp directory), shared by every test of the run and
//! reused by later runs while it stays up. Each call gets a fresh database.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::OnceCell;

/// The server's base URL (no database), found once per test process.
static SERVER: OnceCell<Option<String>> = OnceCell::const_new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// URL of a freshly created, empty database, or None where PostgreSQL is absent.
pub async fn postgres_url() -> Option<String> {
    let base = SERVER
        .get_or_init(|| async { tokio::task::spawn_blocking(find_or_start).await.expect("postgres start-up") })
        .await
        .clone();
    let Some(base) = base else {
        if crate::required("BROKERDESK_REQUIRE_POSTGRES") {
            panic!("BROKERDESK_REQUIRE_POSTGRES=1 but no PostgreSQL could be found or started");
        }
        eprintln!("PostgreSQL not available (no BROKERDESK_TEST_POSTGRES_URL, no initdb): PostgreSQL half of this test skipped");
        return None;
    };
    let name = format!("t{}_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed), nanos());
    let admin = with_database(&base, "postgres");
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.expect("connect to postgres");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
    Some(with_database(&base, &name))
}

fn nanos() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}

/// Puts a database name into a URL that may carry a query string.
fn with_database(base: &str, db: &str) -> String {
    match base.split_once('?') {
        Some((head, query)) => format!("{}/{db}?{query}", head.trim_end_matches('/')),
        None => format!("{}/{db}", base.trim_end_matches('/')),
    }
}

fn find_or_start() -> Option<String> {
    if let Ok(url) = std::env::var("BROKERDESK_TEST_POSTGRES_URL") {
        // Strip any database name: we create our own.
        let (head, query) = url.split_once('?').map_or((url.as_str(), None), |(h, q)| (h, Some(q)));
        let after_scheme = head.find("://").map_or(0, |i| i + 3);
        let base = match head[after_scheme..].find('/') {
            Some(slash) => &head[..after_scheme + slash],
            None => head,
        };
        return Some(match query {
            Some(q) => format!("{base}?{q}"),
            None => base.to_owned(),
        });
    }
    let bin = pg_bin_dir()?;
    let root = std::env::temp_dir().join("brokerdesk-test-postgres");
    let data = root.join("data");
    let url = format!("postgres://postgres@localhost?host={}", root.display());
    let as_postgres = is_root();
    let run = |program: &str, args: &[&str]| -> bool {
        let path = bin.join(program);
        let mut cmd = if as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        cmd.args(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        cmd.status().is_ok_and(|s| s.success())
    };
    let data_s = data.display().to_string();
    if run("pg_ctl", &["status", "-D", &data_s]) {
        return Some(url);
    }
    if !data.join("PG_VERSION").exists() {
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).ok()?;
        if as_postgres {
            // initdb refuses to run as root; the cluster belongs to postgres.
            Command::new("chown").args(["-R", "postgres:", &root.display().to_string()]).status().ok()?;
        }
        if !run("initdb", &["-D", &data_s, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]) {
            eprintln!("initdb failed in {}", root.display());
            return None;
        }
    }
    let options = format!(
        "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        root.display()
    );
    let log = root.join("log").display().to_string();
    if !run("pg_ctl", &["start", "-w", "-D", &data_s, "-l", &log, "-o", &options]) {
        eprintln!("pg_ctl start failed; see {log}");
        return None;
    }
    Some(url)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Where initdb and pg_ctl live: on PATH, or Debian's versioned directory.
fn pg_bin_dir() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir(Path::new("/usr/lib/postgresql"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}
