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

/// One CSV file of the archive, its rows also kept for the HTML.
struct Table {
    name: &'static str,
    title: &'static str,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(name: &'static str, title: &'static str, header: &[&'static str]) -> Table {
        Table { name, title, header: header.to_vec(), rows: Vec::new() }
    }
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

/// Reads everything the selection covers.
async fn collect(db: &Db, s: &ArchiveSelection) -> Result<Vec<Table>, ArchiveError> {
    let mut messages = Table::new(
        "group_messages.csv",
        "群聊 Group chat",
        &["id", "group_id", "group", "at_beijing", "sender_kind", "sender_id", "sender", "text"],
    );
    let mut after = 0;
    loop {
        let page = db.archive_messages(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for m in &page {
            messages.rows.push(vec![
                m.id.to_string(),
                m.group_id.to_string(),
                m.group_name.clone(),
                beijing(m.at),
                m.sender_kind.clone(),
                m.sender_id.to_string(),
                m.sender_name.clone(),
                m.body.clone(),
            ]);
        }
    }
    let mut conversations = Table::new(
        "conversations.csv",
        "一对一沟通 One-to-one conversations",
        &["id", "conversation_id", "customer_id", "advisor_id", "at_beijing", "sender_kind", "sender", "text"],
    );
    let mut after = 0;
    loop {
        let page = db.archive_conversation_messages(s, after).await?;
        let Some((last, _, _)) = page.last() else { break };
        after = last.id;
        for (m, customer, advisor) in &page {
            conversations.rows.push(vec![
                m.id.to_string(),
                m.conversation_id.to_string(),
                customer.to_string(),
                advisor.to_string(),
                beijing(m.at),
                m.sender_kind.clone(),
                m.sender_name.clone(),
                m.body.clone(),
            ]);
        }
    }
    let mut content = Table::new(
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
    );
    for c in db.archive_content(s).await? {
        content.rows.push(vec![
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
        ]);
    }
    let mut tickets = Table::new(
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
    );
    let mut steps = Table::new(
        "complaint_steps.csv",
        "投诉处理经过 Complaint handling",
        &["ticket_id", "seq", "at_beijing", "actor", "actor_name", "kind", "text", "shown_to_customer"],
    );
    let mut after = 0;
    loop {
        let page = db.archive_tickets(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for t in &page {
            tickets.rows.push(vec![
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
            ]);
            for e in db.ticket_events(t.id).await? {
                steps.rows.push(vec![
                    e.ticket_id.to_string(),
                    e.seq.to_string(),
                    beijing(e.at),
                    e.actor,
                    e.actor_name,
                    e.kind,
                    e.body,
                    e.public.to_string(),
                ]);
            }
        }
    }
    let mut audit = Table::new(
        "audit.csv",
        "审计记录 Audit trail",
        &["seq", "at_beijing", "actor", "action", "entity", "entity_id", "detail", "prev_hash", "hash"],
    );
    let mut after = 0;
    loop {
        let page = db.archive_audit(s, after).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in page {
            audit.rows.push(vec![
                r.seq.to_string(),
                beijing(r.at),
                r.entry.actor,
                r.entry.action,
                r.entry.entity,
                r.entry.entity_id,
                r.entry.detail,
                r.prev_hash,
                r.hash,
            ]);
        }
    }
    Ok(vec![messages, conversations, content, tickets, steps, audit])
}

fn write_file(dir: &Path, name: &str, bytes: &[u8], rows: u64) -> Result<ManifestFile, ArchiveError> {
    let path = dir.join(name);
    let mut file = std::fs::File::create(&path).map_err(io(&path))?;
    file.write_all(bytes).map_err(io(&path))?;
    file.sync_all().map_err(io(&path))?;
    Ok(ManifestFile { name: name.to_owned(), rows, bytes: bytes.len() as u64, sha256: sha256_of(bytes) })
}

fn csv_bytes(t: &Table) -> Result<Vec<u8>, ArchiveError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e| ArchiveError::Csv(t.name.to_owned(), e);
    w.write_record(&t.header).map_err(fail)?;
    for row in &t.rows {
        w.write_record(row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| ArchiveError::Csv(t.name.to_owned(), e.into_error().into()))
}

fn html_bytes(tables: &[Table], heading: &str) -> Vec<u8> {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>");
    h.push_str(&html_escape(heading));
    h.push_str("</title><style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin-bottom:2em}\
        td,th{border:1px solid #999;padding:2px 6px;vertical-align:top;white-space:pre-wrap}th{background:#eee}</style></head><body>");
    h.push_str(&format!("<h1>{}</h1>", html_escape(heading)));
    for t in tables {
        h.push_str(&format!(
            "<h2 id=\"{}\">{} ({})</h2><table><thead><tr>",
            html_escape(t.name),
            html_escape(t.title),
            t.rows.len()
        ));
        for col in &t.header {
            h.push_str(&format!("<th>{}</th>", html_escape(col)));
        }
        h.push_str("</tr></thead><tbody>");
        for row in &t.rows {
            h.push_str("<tr>");
            for cell in row {
                h.push_str(&format!("<td>{}</td>", html_escape(cell)));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</body></html>\n");
    h.into_bytes()
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
    let tables = collect(db, &selection).await?;
    let mut files = Vec::new();
    for t in &tables {
        files.push(write_file(out, t.name, &csv_bytes(t)?, t.rows.len() as u64)?);
    }
    let heading = format!("合规存档 Compliance archive {from} – {to}");
    files.push(write_file(out, "archive.html", &html_bytes(&tables, &heading), tables.len() as u64)?);
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
