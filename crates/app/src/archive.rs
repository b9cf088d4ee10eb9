//! The compliance archive (issue 29): group chat, one-to-one conversations,
//! published content with its review history, complaints with every step of
//! their handling, and the audit trail, for a date range and a group, an
//! advisor or a customer; as CSV files and one self-contained HTML file,
//! with a manifest of SHA-256 hashes. The manifest's own hash goes into the
//! audit trail, so that rewriting the files and the manifest together shows
//! too. Chinese rules keep these records 20 years: nothing younger than the
//! retention can be deleted (the database refuses it).

use crate::Error;
use access::{AuditEntry, Principal};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use store::{ArchiveSelection, Db};

/// What the archive's manifest says of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its name in the archive's directory.
    pub name: String,
    /// Rows (CSV) or sections (HTML).
    pub rows: u64,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// The archive's manifest (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format's name and version.
    pub format: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: String,
    /// From (Beijing date, inclusive).
    pub from: NaiveDate,
    /// To (Beijing date, inclusive).
    pub to: NaiveDate,
    /// One group's, if so.
    pub group: Option<i64>,
    /// One advisor's, if so.
    pub advisor: Option<i64>,
    /// One customer's, if so.
    pub customer: Option<i64>,
    /// Years the records are kept.
    pub retention_years: i64,
    /// The files and their hashes.
    pub files: Vec<ManifestFile>,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The manifest.
    pub manifest: Manifest,
    /// SHA-256 of manifest.json (recorded in the audit trail).
    pub manifest_sha256: String,
}

/// What a verification found wrong (nothing: intact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// What is wrong with it.
    pub problem: String,
}

/// Why an export or a verification could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading or writing the directory.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CSV row could not be written.
    #[error("writing {0}: {1}")]
    Csv(String, csv::Error),
    /// The manifest is not one.
    #[error("manifest.json is not an archive manifest: {0}")]
    Manifest(serde_json::Error),
    /// The dates run backwards.
    #[error("--from {from} is after --to {to}")]
    Dates {
        /// From.
        from: NaiveDate,
        /// To.
        to: NaiveDate,
    },
    /// The database.
    #[error(transparent)]
    App(#[from] Error),
}

impl From<store::StoreError> for ArchiveError {
    fn from(e: store::StoreError) -> Self {
        ArchiveError::App(e.into())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io { path: path.to_owned(), source }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_of(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn beijing(d: DateTime<Utc>) -> String {
    domain::to_shanghai(d).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The UTC instant a Beijing date begins.
fn day_start(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    midnight.and_utc() - chrono::Duration::hours(8)
}

/// Writes the archive as its rows stream from the database: each table to
/// its CSV file and, in the same pass, as a section of the one HTML file;
/// memory holds one page of rows, whatever the selection's size.
struct Writer {
    dir: PathBuf,
    html: std::io::BufWriter<std::fs::File>,
    /// The table being written: its CSV, name and rows so far.
    table: Option<(csv::Writer<std::io::BufWriter<std::fs::File>>, &'static str, u64)>,
    /// Tables written: name and rows.
    done: Vec<(&'static str, u64)>,
}

impl Writer {
    fn create(dir: &Path, heading: &str) -> Result<Writer, ArchiveError> {
        let path = dir.join("archive.html");
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut w = Writer { dir: dir.to_owned(), html: std::io::BufWriter::new(file), table: None, done: Vec::new() };
        let head = format!(
            "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{0}</title><style>\
             body{{font-family:sans-serif;margin:1em}}table{{border-collapse:collapse;margin-bottom:0.5em}}\
             td,th{{border:1px solid #999;padding:2px 6px;vertical-align:top;white-space:pre-wrap}}th{{background:#eee}}\
             </style></head><body><h1>{0}</h1>",
            html_escape(heading)
        );
        w.html_write(&head)?;
        Ok(w)
    }

    fn html_write(&mut self, text: &str) -> Result<(), ArchiveError> {
        let path = self.dir.join("archive.html");
        self.html.write_all(text.as_bytes()).map_err(io(&path))
    }

    /// Starts a table: its CSV file with the header, its HTML section.
    fn begin(&mut self, name: &'static str, title: &str, header: &[&str]) -> Result<(), ArchiveError> {
        let path = self.dir.join(name);
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut csv = csv::Writer::from_writer(std::io::BufWriter::new(file));
        csv.write_record(header).map_err(|e| ArchiveError::Csv(name.to_owned(), e))?;
        let mut section = format!("<h2 id=\"{0}\">{1}</h2><table><thead><tr>", html_escape(name), html_escape(title));
        for col in header {
            section.push_str(&format!("<th>{}</th>", html_escape(col)));
        }
        section.push_str("</tr></thead><tbody>");
        self.html_write(&section)?;
        self.table = Some((csv, name, 0));
        Ok(())
    }

    /// One row, to the CSV and the HTML.
    fn row(&mut self, cells: &[String]) -> Result<(), ArchiveError> {
        let Some((csv, name, rows)) = self.table.as_mut() else { return Ok(()) };
        csv.write_record(cells).map_err(|e| ArchiveError::Csv((*name).to_owned(), e))?;
        *rows += 1;
        let mut line = String::from("<tr>");
        for cell in cells {
            line.push_str(&format!("<td>{}</td>", html_escape(cell)));
        }
        line.push_str("</tr>");
        self.html_write(&line)
    }

    /// Ends the table: its CSV flushed to disk, its section closed with the count.
    fn end(&mut self) -> Result<(), ArchiveError> {
        let Some((csv, name, rows)) = self.table.take() else { return Ok(()) };
        let path = self.dir.join(name);
        let file = csv.into_inner().map_err(|e| ArchiveError::Io { path: path.clone(), source: e.into_error() })?;
        file.into_inner()
            .map_err(|e| ArchiveError::Io { path: path.clone(), source: e.into_error() })?
            .sync_all()
            .map_err(io(&path))?;
        self.html_write(&format!("</tbody></table><p class=\"rows\">{rows}</p>"))?;
        self.done.push((name, rows));
        Ok(())
    }

    /// Closes the HTML file; the manifest's entries, each file hashed as written on disk.
    fn finish(mut self) -> Result<Vec<ManifestFile>, ArchiveError> {
        self.html_write("</body></html>\n")?;
        let path = self.dir.join("archive.html");
        let file =
            self.html.into_inner().map_err(|e| ArchiveError::Io { path: path.clone(), source: e.into_error() })?;
        file.sync_all().map_err(io(&path))?;
        let sections = self.done.len() as u64;
        let mut files = Vec::new();
        for (name, rows) in self.done.into_iter().chain(std::iter::once(("archive.html", sections))) {
            let path = self.dir.join(name);
            let (bytes, sha256) = hash_file(&path)?;
            files.push(ManifestFile { name: name.to_owned(), rows, bytes, sha256 });
        }
        Ok(files)
    }
}

/// A file's size and SHA-256, read in blocks.
fn hash_file(path: &Path) -> Result<(u64, String), ArchiveError> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut block).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Streams everything the selection covers into the archive's files.
async fn write_all(db: &Db, s: &ArchiveSelection, w: &mut Writer) -> Result<(), ArchiveError> {
    w.begin(
        "group_messages.csv",
        "群聊 Group chat",
        &["id", "group_id", "group", "at_beijing", "sender_kind", "sender_id", "sender", "text"],
    )?;
    let mut after = 0;
    loop {
        let page = db.archive_messages(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for m in &page {
            w.row(&[
                m.id.to_string(),
                m.group_id.to_string(),
                m.group_name.clone(),
                beijing(m.at),
                m.sender_kind.clone(),
                m.sender_id.to_string(),
                m.sender_name.clone(),
                m.body.clone(),
            ])?;
        }
    }
    w.end()?;
    w.begin(
        "conversations.csv",
        "一对一沟通 One-to-one conversations",
        &["id", "conversation_id", "customer_id", "advisor_id", "at_beijing", "sender_kind", "sender", "text"],
    )?;
    let mut after = 0;
    loop {
        let page = db.archive_conversation_messages(s, after).await?;
        let Some((last, _, _)) = page.last() else { break };
        after = last.id;
        for (m, customer, advisor) in &page {
            w.row(&[
                m.id.to_string(),
                m.conversation_id.to_string(),
                customer.to_string(),
                advisor.to_string(),
                beijing(m.at),
                m.sender_kind.clone(),
                m.sender_name.clone(),
                m.body.clone(),
            ])?;
        }
    }
    w.end()?;
    w.begin(
        "content.csv",
        "内容及审核 Content and its review",
        &[
            "item_id",
            "version",
            "advisor_id",
            "kind",
            "title",
            "body",
            "status",
            "written_at_beijing",
            "reviewer",
            "review_note",
            "reviewed_at_beijing",
        ],
    )?;
    for c in db.archive_content(s).await? {
        w.row(&[
            c.item_id.to_string(),
            c.version.to_string(),
            c.advisor_id.to_string(),
            c.kind,
            c.title,
            c.body,
            c.status,
            beijing(c.written_at),
            c.reviewer.unwrap_or_default(),
            c.review_note.unwrap_or_default(),
            c.reviewed_at.map(beijing).unwrap_or_default(),
        ])?;
    }
    w.end()?;
    // Tickets, then their steps: two passes, so each file is written in one go.
    w.begin(
        "complaints.csv",
        "投诉与建议 Complaints and suggestions",
        &[
            "id",
            "customer_id",
            "advisor_id",
            "kind",
            "category",
            "channel",
            "queue",
            "subject",
            "body",
            "status",
            "level",
            "satisfaction",
            "reopened",
            "incident_id",
            "filed_by",
            "created_at_beijing",
            "closed_at_beijing",
        ],
    )?;
    let mut after = 0;
    loop {
        let page = db.archive_tickets(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for t in &page {
            w.row(&[
                t.id.to_string(),
                t.customer_id.to_string(),
                t.advisor_id.to_string(),
                t.kind.clone(),
                t.category.clone(),
                t.channel.clone(),
                t.queue.clone(),
                t.subject.clone(),
                t.body.clone(),
                t.status.clone(),
                t.level.clone(),
                t.satisfaction.map(|v| v.to_string()).unwrap_or_default(),
                t.reopened.to_string(),
                t.incident_id.map(|v| v.to_string()).unwrap_or_default(),
                t.filed_by.clone(),
                beijing(t.created_at),
                t.closed_at.map(beijing).unwrap_or_default(),
            ])?;
        }
    }
    w.end()?;
    w.begin(
        "complaint_steps.csv",
        "投诉处理经过 Complaint handling",
        &["ticket_id", "seq", "at_beijing", "actor", "actor_name", "kind", "text", "shown_to_customer"],
    )?;
    let mut after = 0;
    loop {
        let page = db.archive_tickets(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for t in &page {
            for e in db.ticket_events(t.id).await? {
                w.row(&[
                    e.ticket_id.to_string(),
                    e.seq.to_string(),
                    beijing(e.at),
                    e.actor,
                    e.actor_name,
                    e.kind,
                    e.body,
                    e.public.to_string(),
                ])?;
            }
        }
    }
    w.end()?;
    w.begin(
        "audit.csv",
        "审计记录 Audit trail",
        &["seq", "at_beijing", "actor", "action", "entity", "entity_id", "detail", "prev_hash", "hash"],
    )?;
    let mut after = 0;
    loop {
        let page = db.archive_audit(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in page {
            w.row(&[
                r.seq.to_string(),
                beijing(r.at),
                r.entry.actor,
                r.entry.action,
                r.entry.entity,
                r.entry.entity_id,
                r.entry.detail,
                r.prev_hash,
                r.hash,
            ])?;
        }
    }
    w.end()
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// From (Beijing date, inclusive).
    pub from: NaiveDate,
    /// To (Beijing date, inclusive).
    pub to: NaiveDate,
    /// One group's.
    pub group: Option<i64>,
    /// One advisor's.
    pub advisor: Option<i64>,
    /// One customer's.
    pub customer: Option<i64>,
}

/// Exports what the request covers into `out` (created if missing), with
/// the manifest; records the export and the manifest's hash in the audit trail.
pub async fn export(db: &Db, principal: &Principal, request: Request, out: &Path) -> Result<Exported, ArchiveError> {
    let Request { from, to, group, advisor, customer } = request;
    if from > to {
        return Err(ArchiveError::Dates { from, to });
    }
    let selection = ArchiveSelection {
        from: day_start(from),
        to: day_start(to + chrono::Duration::days(1)),
        group: group.map(domain::GroupId),
        advisor: advisor.map(domain::StaffId),
        customer: customer.map(domain::CustomerId),
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let heading = format!("合规存档 Compliance archive {from} – {to}");
    let mut writer = Writer::create(out, &heading)?;
    write_all(db, &selection, &mut writer).await?;
    let files = writer.finish()?;
    let manifest = Manifest {
        format: "brokerdesk-archive/1".into(),
        created_at: db.now(),
        created_by: principal.login.clone(),
        from,
        to,
        group,
        advisor,
        customer,
        retention_years: db.retention_years().await?,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
    let path = out.join("manifest.json");
    std::fs::write(&path, &json).map_err(io(&path))?;
    let manifest_sha256 = sha256_of(&json);
    db.append_audit(&AuditEntry {
        actor: principal.actor(),
        action: "archive_export".into(),
        entity: "archive".into(),
        entity_id: manifest_sha256.clone(),
        detail: serde_json::json!({ "from": from, "to": to, "group": group, "advisor": advisor, "customer": customer,
            "files": manifest.files.len() })
        .to_string(),
    })
    .await?;
    Ok(Exported { manifest, manifest_sha256 })
}

/// Checks every file of an archive against its manifest (and, given the
/// database, the manifest against the hash the export recorded); what is wrong.
pub async fn verify(dir: &Path, db: Option<&Db>) -> Result<Vec<Problem>, ArchiveError> {
    let path = dir.join("manifest.json");
    let json = std::fs::read(&path).map_err(io(&path))?;
    let manifest: Manifest = serde_json::from_slice(&json).map_err(ArchiveError::Manifest)?;
    let mut problems = Vec::new();
    for f in &manifest.files {
        let path = dir.join(&f.name);
        match std::fs::read(&path) {
            Err(e) => problems.push(Problem { file: f.name.clone(), problem: format!("cannot be read: {e}") }),
            Ok(bytes) => {
                let hash = sha256_of(&bytes);
                if hash != f.sha256 {
                    problems.push(Problem {
                        file: f.name.clone(),
                        problem: format!(
                            "changed: SHA-256 {hash} ({} bytes), the manifest says {} ({} bytes)",
                            bytes.len(),
                            f.sha256,
                            f.bytes
                        ),
                    });
                }
            }
        }
    }
    if let Some(db) = db {
        let hash = sha256_of(&json);
        let recorded = db
            .audit_records()
            .await?
            .into_iter()
            .any(|r| r.entry.action == "archive_export" && r.entry.entity_id == hash);
        if !recorded {
            problems.push(Problem {
                file: "manifest.json".into(),
                problem: format!("its SHA-256 {hash} is not the one any export recorded in the audit trail"),
            });
        }
    }
    Ok(problems)
}
