//! The chat: a message checked against the group's rules, stored with its
//! question and placement in one unit of work, and fanned out; pins and history.

use super::*;
use domain::MessageText;

impl Communities {
    pub(super) fn writer(&self, group_id: GroupId) -> Arc<tokio::sync::Mutex<()>> {
        self.writers.lock().expect("the writers' lock is never poisoned").entry(group_id).or_default().clone()
    }

    /// Stores a message and hands it to the group's connections, one writer
    /// per group at a time. It runs as a task of its own: a sender who goes
    /// away midway (a closed request) cannot leave a message stored but not
    /// fanned out, nor free the group's turn before its fan-out is done.
    ///
    /// With a content placement, the message is its publication: marked in
    /// the same unit of work, and not sent at all (None) if it was published
    /// meanwhile.
    pub(super) async fn send_unit(
        &self,
        message: NewMessage,
        question_of: Option<StaffId>,
        publication: Option<PublicationId>,
    ) -> Result<Option<MessageRow>, CommunityError> {
        let writer = self.writer(message.group_id);
        let (db, hub) = (self.db.clone(), self.hub.clone());
        let sending = tokio::spawn(async move {
            let _turn = writer.lock().await;
            let mut message = message;
            message.at = db.now();
            // The message, its question and its placement are one unit of work.
            let mut unit = db.begin().await?;
            let row = unit.insert_message(&message).await?;
            if let Some(advisor_id) = question_of {
                unit.insert_question(&row, advisor_id).await?;
            }
            if let Some(placement) = publication {
                if !unit.mark_published(placement, row.id).await? {
                    return Ok(None); // published meanwhile: this copy is rolled back
                }
            }
            unit.commit().await?;
            publish_on(&hub, &row).await;
            Ok(Some(row))
        });
        sending.await.expect("sending a message does not panic")
    }

    /// Hands a stored message to the group's open sockets.
    pub(super) async fn publish(&self, row: &MessageRow) {
        publish_on(&self.hub, row).await;
    }

    /// Stores a message (a question too, when it asks one) and hands it to the group.
    pub(super) async fn send(
        &self,
        message: NewMessage,
        question_of: Option<StaffId>,
    ) -> Result<MessageRow, CommunityError> {
        Ok(self.send_unit(message, question_of, None).await?.expect("a message with no placement is always sent"))
    }

    /// Sends a message as the principal: admins freely; members under the
    /// group's rules, which may stop the message and sanction the sender.
    pub async fn post(
        &self,
        principal: &Principal,
        group_id: GroupId,
        draft: &Draft,
    ) -> Result<Posted, CommunityError> {
        let (group, standing, membership) = self.group_with_membership(principal, group_id).await?;
        let text = MessageText::parse(&draft.text)?;
        let text = text.as_str();
        if let Some(reply_to) = draft.reply_to {
            if self.db.message(reply_to).await?.is_none_or(|m| m.group_id != group_id) {
                return Err(refuse_on(codes::REPLY_ELSEWHERE, "reply_to").into());
            }
        }
        let now = self.db.now();
        let (sender_kind, sender_id, sender_name) = match standing {
            Standing::Admin { staff_id } => {
                // A product named to the group is judged for every member first.
                crate::advice::group_message_check(&self.db, group_id, text, draft.confirm_unsuitable).await?;
                (SenderKind::Staff, staff_id.0, self.db.staff_name(staff_id).await?.unwrap_or_default())
            }
            Standing::Member { customer_id } => {
                let member = membership.ok_or_else(|| refuse(codes::MEMBER_NOT_FOUND))?;
                if let Some(until) = member.muted_until.filter(|u| *u > now) {
                    return Err(refuse(codes::MEMBER_MUTED).with("until", beijing_minute(until)).into());
                }
                if let Some(finding) = self.breach(&group, customer_id, text, now) {
                    return Ok(Posted::Blocked(self.sanction(&group, customer_id, finding, "rules").await?));
                }
                (SenderKind::Customer, customer_id.0, member.name)
            }
            Standing::Observer | Standing::Outsider => return Err(refuse(codes::MEMBERS_WRITE).into()),
        };
        let asks = sender_kind == SenderKind::Customer && (draft.question || community::question::is_question(text));
        let message = NewMessage {
            group_id,
            sender_kind,
            sender_id,
            sender_name,
            body: text.to_owned(),
            reply_to: draft.reply_to,
            mentions: serde_json::to_string(&community::chat::mentions(text)).expect("names serialize"),
            content_id: None,
            at: now,
            red_envelope_id: None,
        };
        let row = self.send(message, asks.then_some(group.advisor_id)).await?;
        // A member reporting a fault (登录不了, 下单失败) counts toward an incident.
        if let (Standing::Member { customer_id }, Some(area)) = (standing, service::incident::reported_area(text)) {
            let recorded = crate::service::record_fault(
                &self.db,
                &self.service,
                row.id,
                group_id,
                Some(customer_id),
                area,
                row.at,
            );
            if let Err(e) = recorded.await {
                tracing::error!(error = %e, message = %row.id, "a fault report could not be recorded");
            }
        }
        // An admin's reply answers the question it replies to.
        if let (Standing::Admin { .. }, Some(question)) = (standing, draft.reply_to) {
            self.answer(question, row.id, row.at).await?;
        }
        Ok(Posted::Sent(row))
    }

    /// The first rule a member's message breaks, flood and hours included.
    pub(super) fn breach(
        &self,
        group: &GroupRow,
        customer_id: CustomerId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Option<Finding> {
        let rules: GroupRules = serde_json::from_str(&group.rules).unwrap_or_default();
        if let Some(f) = moderation::findings(&rules, text).into_iter().next() {
            return Some(f);
        }
        if rules.stocks_only_in_trading_hours
            && moderation::mentions_stock(text)
            && !moderation::in_trading_hours(now, |d| market::TradingCalendar::current().is_trading_day(d))
        {
            return Some(Finding {
                violation: Violation::StocksOutsideTradingHours,
                excerpt: text.chars().take(40).collect(),
                reason: "stock codes outside trading hours".into(),
            });
        }
        let mut floods = self.floods.lock().expect("the flood windows' lock is never poisoned");
        if !floods.admit(group.id, customer_id, &rules, now) {
            let excerpt = format!("more than {} messages in {} s", rules.flood_messages, rules.flood_seconds);
            return Some(Finding { violation: Violation::Flood, reason: excerpt.clone(), excerpt });
        }
        None
    }

    /// Pins or unpins a notice (admins).
    pub async fn pin(
        &self,
        principal: &Principal,
        group_id: GroupId,
        message_id: MessageId,
        pinned: bool,
    ) -> Result<(), CommunityError> {
        let (_, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("pin").into());
        }
        if !self.db.set_pinned(group_id, message_id, pinned).await? {
            return Err(refuse(codes::MESSAGE_NOT_FOUND).into());
        }
        let json =
            bytes::Bytes::from(format!("{{\"type\":\"pinned\",\"message_id\":{message_id},\"pinned\":{pinned}}}"));
        self.hub.publish(group_id, &Delivery { message_id: None, json, closes_for: None }).await;
        Ok(())
    }

    /// History for a connection or a page: up to `limit` messages after `after`.
    pub async fn history_after(
        &self,
        group_id: GroupId,
        after: MessageId,
        limit: i64,
    ) -> Result<Vec<MessageRow>, CommunityError> {
        Ok(self.db.messages_after(group_id, after, limit).await?)
    }

    /// A page of a group's history the principal may read: after an id
    /// (oldest first), or before one (the newest page when none), 1 to 500.
    pub async fn history(
        &self,
        principal: &Principal,
        group_id: GroupId,
        after: Option<MessageId>,
        before: Option<MessageId>,
        limit: i64,
    ) -> Result<Vec<MessageRow>, CommunityError> {
        let (group, _) = self.group_for(principal, group_id).await?;
        if !(1..=500).contains(&limit) {
            let e =
                refuse_on(domain::codes::OUT_OF_RANGE, "limit").with("value", limit).with("min", 1).with("max", 500);
            return Err(e.into());
        }
        Ok(match (after, before) {
            (Some(_), Some(_)) => return Err(refuse_on(codes::AFTER_OR_BEFORE, "after").into()),
            (Some(after), None) => self.db.messages_after(group.id, after, limit).await?,
            (None, before) => self.db.messages_before(group.id, before, limit).await?,
        })
    }
}

/// Hands a stored message to the group's open sockets on `hub`.
async fn publish_on(hub: &ChatHub, row: &MessageRow) {
    let json = bytes::Bytes::from(serde_json::to_vec(&ChatMessage::from(row)).expect("a message serializes"));
    hub.publish(row.group_id, &Delivery { message_id: Some(row.id), json, closes_for: None }).await;
}
