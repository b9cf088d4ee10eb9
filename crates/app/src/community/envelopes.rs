//! Red envelopes in a group's chat (issue 27): sent by an admin from the
//! firm's budget or by a member from their own points, shown live as a
//! message; opened by the first K different members, each share a ledger
//! transfer out of escrow; what is left after a day goes back.

use super::*;
use growth::envelope::{self, Sender, Split};
use growth::Operation;
use store::{EnvelopeRow, NewEnvelope, OpenFound, ShareRow};

/// An envelope with the shares opened so far.
#[derive(Debug, Clone, Serialize)]
pub struct EnvelopeView {
    /// The envelope.
    pub envelope: EnvelopeRow,
    /// Shares opened, in the order they went.
    pub opened: Vec<ShareRow>,
    /// The caller's share, when they opened one.
    pub mine: Option<i64>,
}

/// A share opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opened {
    /// The envelope.
    pub envelope_id: i64,
    /// Points the member got.
    pub points: i64,
    /// True when they had opened it before (the same share again, nothing moved).
    pub again: bool,
    /// Shares opened now.
    pub opened: i64,
    /// Shares in all.
    pub shares: i64,
}

fn sender_of(e: &EnvelopeRow) -> Sender {
    if e.sender_kind == "staff" {
        Sender::Advisor(StaffId(e.sender_id))
    } else {
        Sender::Member(CustomerId(e.sender_id))
    }
}

/// The first moment of this month in Beijing.
fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    let local = domain::to_shanghai(now).date_naive().with_day(1).expect("day 1 exists");
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    beijing.from_local_datetime(&local.and_hms_opt(0, 0, 0).expect("midnight")).unwrap().to_utc()
}

impl Communities {
    /// Sends a red envelope of `points` in `shares` shares to the group:
    /// the points move to escrow, the envelope is cut and stored, and its
    /// message goes to the chat, all in one unit of work.
    pub async fn send_envelope(
        &self,
        principal: &Principal,
        group_id: GroupId,
        points: i64,
        shares: i64,
        split: Split,
    ) -> Result<(EnvelopeRow, MessageRow), CommunityError> {
        let (_, standing, membership) = self.group_with_membership(principal, group_id).await?;
        let now = self.db.now();
        let (sender, kind, sender_id, name) = match standing {
            Standing::Admin { staff_id } => {
                let sent = self.db.envelope_points_sent_by_staff(staff_id.0, month_start(now)).await?;
                let left = self.growth.envelopes.advisor_monthly_budget - sent;
                if points > left {
                    return Err(refuse(codes::ENVELOPE_BUDGET)
                        .on("points")
                        .with("left", left)
                        .with("points", points)
                        .into());
                }
                let name = self.db.staff_name(staff_id).await?.unwrap_or_default();
                (Sender::Advisor(staff_id), "staff", staff_id.0, name)
            }
            Standing::Member { customer_id } => {
                let member = membership.ok_or_else(|| refuse(codes::MEMBER_NOT_FOUND))?;
                if let Some(until) = member.muted_until.filter(|u| *u > now) {
                    return Err(refuse(codes::MEMBER_MUTED).with("until", beijing_minute(until)).into());
                }
                (Sender::Member(customer_id), "customer", customer_id.0, member.name)
            }
            Standing::Observer | Standing::Outsider => return Err(refuse(codes::MEMBERS_WRITE).into()),
        };
        // Cut before anything is written: a bad envelope is refused whole.
        let seed = now.timestamp_nanos_opt().unwrap_or_default() as u64 ^ (group_id.0 as u64).rotate_left(32);
        let cut = envelope::cut(points, shares, split, seed).map_err(|e| {
            let mut r = domain::ErrorCode::code(&e).refuse();
            if let Some(f) = domain::ErrorCode::field(&e) {
                r = r.on(f);
            }
            for (k, v) in domain::ErrorCode::args(&e) {
                r = r.with(k, v);
            }
            r
        })?;
        let writer = self.writer(group_id);
        let (db, hub) = (self.db.clone(), self.hub.clone());
        // A task of its own, as a message's sending is: stored and fanned out, or neither.
        let sending = tokio::spawn(async move {
            let _turn = writer.lock().await;
            let now = db.now();
            let mut unit = db.begin().await?;
            let new = NewEnvelope {
                group_id,
                sender_kind: kind,
                sender_id,
                sender_name: name.clone(),
                split: split.as_str(),
                shares: cut,
                at: now,
                expires_at: now + envelope::life(),
            };
            let id = unit.insert_envelope(&new).await?;
            let send = Operation::Apply(envelope::send_transfer(id, sender, points));
            unit.ledger_run(&[send], now).await?.remove(0)?;
            let message = NewMessage {
                group_id,
                sender_kind: if kind == "staff" { SenderKind::Staff } else { SenderKind::Customer },
                sender_id,
                sender_name: name,
                body: format!("🧧 {points} × {shares}"),
                reply_to: None,
                mentions: "[]".into(),
                content_id: None,
                at: now,
                red_envelope_id: Some(id),
            };
            let row = unit.insert_message(&message).await?;
            let envelope = unit.lock_envelope(id).await?.expect("just stored");
            unit.commit().await?;
            let json = bytes::Bytes::from(serde_json::to_vec(&ChatMessage::from(&row)).expect("a message serializes"));
            hub.publish(group_id, &Delivery { message_id: Some(row.id), json, closes_for: None }).await;
            Ok::<_, CommunityError>((envelope, row))
        });
        sending.await.expect("sending an envelope does not panic")
    }

    /// Opens a red envelope for the member: the next share, once per member,
    /// while shares are left and its day lasts; the group sees it live.
    pub async fn open_envelope(&self, principal: &Principal, id: i64) -> Result<Opened, CommunityError> {
        let e = self.db.envelope(id).await?.ok_or_else(|| refuse(codes::ENVELOPE_NOT_FOUND))?;
        let (_, standing, membership) =
            self.group_with_membership(principal, e.group_id).await.map_err(|_| refuse(codes::ENVELOPE_NOT_FOUND))?;
        let Standing::Member { customer_id } = standing else {
            return Err(refuse(codes::ENVELOPE_MEMBERS_ONLY).into());
        };
        let now = self.db.now();
        let mut unit = self.db.begin().await?;
        let (found, envelope) = unit.find_share(id, customer_id, now).await?;
        let envelope = envelope.ok_or_else(|| refuse(codes::ENVELOPE_NOT_FOUND))?;
        let (share_no, points) = match found {
            OpenFound::Share { share_no, points } => (share_no, points),
            OpenFound::Already(points) => {
                return Ok(Opened {
                    envelope_id: id,
                    points,
                    again: true,
                    opened: envelope.opened,
                    shares: envelope.shares,
                })
            }
            OpenFound::Empty => return Err(refuse(codes::ENVELOPE_EMPTY).into()),
            OpenFound::Expired => return Err(refuse(codes::ENVELOPE_EXPIRED).into()),
            OpenFound::Missing => return Err(refuse(codes::ENVELOPE_NOT_FOUND).into()),
        };
        unit.take_share(id, share_no, customer_id, now).await?;
        let open = Operation::Apply(envelope::open_transfer(id, customer_id, points));
        unit.ledger_run(&[open], now).await?.remove(0)?;
        unit.commit().await?;
        let opener = membership.map(|m| m.name).unwrap_or_default();
        let opened = envelope.opened + 1;
        let json = serde_json::json!({ "type": "envelope", "id": id, "opened": opened, "shares": envelope.shares,
            "opener": opener, "points": points });
        let delivery = Delivery { message_id: None, json: bytes::Bytes::from(json.to_string()), closes_for: None };
        self.hub.publish(envelope.group_id, &delivery).await;
        Ok(Opened { envelope_id: id, points, again: false, opened, shares: envelope.shares })
    }

    /// An envelope as the group's readers see it.
    pub async fn envelope_view(&self, principal: &Principal, id: i64) -> Result<EnvelopeView, CommunityError> {
        let e = self.db.envelope(id).await?.ok_or_else(|| refuse(codes::ENVELOPE_NOT_FOUND))?;
        let (_, standing) =
            self.group_for(principal, e.group_id).await.map_err(|_| refuse(codes::ENVELOPE_NOT_FOUND))?;
        let opened = self.db.envelope_shares(id).await?;
        let mine = match standing {
            Standing::Member { customer_id } => {
                opened.iter().find(|s| s.customer_id == Some(customer_id)).map(|s| s.points)
            }
            _ => None,
        };
        Ok(EnvelopeView { envelope: e, opened, mine })
    }

    /// Returns what is left of envelopes past their day to their senders;
    /// how many went back.
    pub async fn return_due_envelopes(&self, now: DateTime<Utc>) -> Result<usize, CommunityError> {
        let mut returned = 0;
        for id in self.db.due_envelopes(now, 500).await? {
            let mut unit = self.db.begin().await?;
            let Some(e) = unit.lock_envelope(id).await? else { continue };
            if e.returned_at.is_some() {
                continue; // returned meanwhile
            }
            let left = e.points - e.opened_points;
            if left > 0 {
                let back = Operation::Apply(envelope::return_transfer(id, sender_of(&e), left));
                unit.ledger_run(&[back], now).await?.remove(0)?;
            }
            unit.mark_returned(id, left, now).await?;
            unit.commit().await?;
            let json = serde_json::json!({ "type": "envelope", "id": id, "opened": e.opened, "shares": e.shares,
                "returned": left });
            let delivery = Delivery { message_id: None, json: bytes::Bytes::from(json.to_string()), closes_for: None };
            self.hub.publish(e.group_id, &delivery).await;
            returned += 1;
        }
        Ok(returned)
    }
}
