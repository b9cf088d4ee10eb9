//! Groups and admission: creating a group, co-admins, applications and
//! invites decided by the `community` crate's admission rules, bans.

use super::*;
use domain::{GroupDescription, GroupName};

impl Communities {
    /// An advisor makes a group; its id. The rules are the firm's defaults
    /// unless given (JSON of `community::moderation::GroupRules`).
    pub async fn create_group(
        &self,
        principal: &Principal,
        name: &str,
        description: &str,
        rules: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<GroupId, CommunityError> {
        let advisor_id = match (principal.role, principal.staff_id) {
            (Role::Advisor, Some(s)) => s,
            _ => return Err(refuse(codes::ADVISORS_OWN_GROUPS).into()),
        };
        let name = GroupName::parse(name)?;
        let description = GroupDescription::parse(description)?;
        let rules: GroupRules = match rules {
            Some(text) if !text.trim().is_empty() => {
                serde_json::from_str(text).map_err(|e| refuse_on(codes::GROUP_RULES, "rules").with("detail", e))?
            }
            _ => GroupRules::default(),
        };
        if rules.flood_messages == 0 || rules.flood_seconds <= 0 {
            return Err(refuse_on(codes::FLOOD_RULES, "rules").into());
        }
        let capacity = capacity.unwrap_or(admission::DEFAULT_CAPACITY as i64);
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return Err(refuse_on(domain::codes::OUT_OF_RANGE, "capacity")
                .with("value", capacity)
                .with("min", 1)
                .with("max", 10_000)
                .into());
        }
        let rules = serde_json::to_string(&rules).expect("group rules serialize");
        let group = NewGroup { advisor_id, name, description, rules, capacity };
        Ok(self.db.create_group(&group).await?)
    }

    /// The owner adds a co-admin (staff), at most three.
    pub async fn add_co_admin(
        &self,
        principal: &Principal,
        group_id: GroupId,
        staff_id: StaffId,
    ) -> Result<(), CommunityError> {
        let (group, _) = self.group_for(principal, group_id).await?;
        if principal.staff_id != Some(group.advisor_id) {
            return Err(refuse(codes::ADVISOR_NAMES_CO_ADMINS).into());
        }
        if staff_id == group.advisor_id || !self.db.staff_exists(staff_id).await? {
            return Err(refuse_on(codes::CO_ADMIN_NOT_STAFF, "staff_id").into());
        }
        let admins = self.db.group_admins(group_id).await?;
        if !admins.contains(&staff_id) && admins.len() >= admission::MAX_CO_ADMINS {
            return Err(refuse(codes::CO_ADMIN_LIMIT).with("max", 3).into());
        }
        Ok(self.db.add_group_admin(group_id, staff_id).await?)
    }

    pub(super) async fn applicant(
        &self,
        group: &GroupRow,
        principal: &Principal,
    ) -> Result<(CustomerId, Applicant, u32, u32), CommunityError> {
        let Some(customer_id) = principal.customer_id.filter(|_| principal.role == Role::Customer) else {
            return Err(refuse(EntryRefusal::NotACustomer.code()).into());
        };
        let facts =
            self.db.entry_facts(group.id, customer_id).await?.ok_or_else(|| refuse(codes::CUSTOMER_NOT_FOUND))?;
        Ok((customer_id, applicant_of(&facts), facts.members as u32, facts.capacity as u32))
    }

    /// A customer applies to a group of their advisor's; the application id.
    pub async fn apply(
        &self,
        principal: &Principal,
        group_id: GroupId,
        note: &str,
    ) -> Result<ApplicationId, CommunityError> {
        let group = self.db.group(group_id).await?.ok_or_else(|| refuse(codes::GROUP_NOT_FOUND))?;
        let (customer_id, applicant, members, capacity) = self.applicant(&group, principal).await?;
        match admission::decide(applicant, Route::Application, members, capacity, self.db.now()) {
            Admission::Refused(r) => Err(refuse(r.code()).into()),
            Admission::Admitted | Admission::AwaitsApproval => {
                Ok(self.db.apply_to_group(group_id, customer_id, note.trim()).await?)
            }
        }
    }

    /// An admin makes an invite link's token, valid for `days`.
    pub async fn invite(
        &self,
        principal: &Principal,
        group_id: GroupId,
        days: Option<i64>,
    ) -> Result<(String, DateTime<Utc>), CommunityError> {
        let mut unit = self.db.begin().await?;
        let made = self.invite_in(&mut unit, principal, group_id, days).await?;
        unit.commit().await?;
        Ok(made)
    }

    /// [`Self::invite`] inside a caller's unit of work (a segment's invitation
    /// stores the link with its members' tasks, or neither).
    pub async fn invite_in(
        &self,
        unit: &mut store::Tx,
        principal: &Principal,
        group_id: GroupId,
        days: Option<i64>,
    ) -> Result<(String, DateTime<Utc>), CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        let Standing::Admin { staff_id } = standing else {
            return Err(admins_only("invite").into());
        };
        let days = days.unwrap_or(INVITE_DAYS);
        if !(1..=30).contains(&days) {
            return Err(refuse_on(domain::codes::OUT_OF_RANGE, "days")
                .with("value", days)
                .with("min", 1)
                .with("max", 30)
                .into());
        }
        // Letters only (hex digits moved to g-p): a run of digits in a link reads as a phone
        // number, to people and to the personal-data checks.
        let token: String = access::new_secret()[..24]
            .bytes()
            .map(|b| if b.is_ascii_digit() { char::from(b'g' + (b - b'0')) } else { char::from(b) })
            .collect();
        let expires_at = self.db.now() + Duration::days(days);
        unit.create_invite(&token, group.id, staff_id, expires_at).await?;
        Ok((token, expires_at))
    }

    /// A customer follows an invite link: in at once, or refused with why. The group id.
    pub async fn accept_invite(&self, principal: &Principal, token: &str) -> Result<GroupId, CommunityError> {
        let (group_id, expires_at) = self.db.invite(token).await?.ok_or_else(|| refuse(codes::INVITE_NOT_FOUND))?;
        let group = self.db.group(group_id).await?.ok_or_else(|| refuse(codes::GROUP_NOT_FOUND))?;
        let (customer_id, applicant, members, capacity) = self.applicant(&group, principal).await?;
        match admission::decide(applicant, Route::Invite { expires_at }, members, capacity, self.db.now()) {
            Admission::Refused(r) => Err(refuse(r.code()).into()),
            Admission::AwaitsApproval | Admission::Admitted => {
                self.admit(&group, customer_id).await?;
                Ok(group_id)
            }
        }
    }

    /// Puts a customer in and says so in the chat (members welcome newcomers by replying).
    pub(super) async fn admit(&self, group: &GroupRow, customer_id: CustomerId) -> Result<(), CommunityError> {
        self.db.add_member(group.id, customer_id, self.db.now()).await?;
        self.announce_joined(group, customer_id).await
    }

    /// An admin revises the group's rules (JSON of `community::moderation::GroupRules`)
    /// with a note saying why: the rules, the revision in the history members
    /// read, its audit record and a notice in the chat, in one unit of work.
    pub async fn revise_rules(
        &self,
        principal: &Principal,
        group_id: GroupId,
        rules: &str,
        note: &str,
    ) -> Result<store::RuleChangeRow, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        let Standing::Admin { staff_id } = standing else {
            return Err(admins_only("rules").into());
        };
        let parsed: GroupRules =
            serde_json::from_str(rules).map_err(|e| refuse_on(codes::GROUP_RULES, "rules").with("detail", e))?;
        if parsed.flood_messages == 0 || parsed.flood_seconds <= 0 {
            return Err(refuse_on(codes::FLOOD_RULES, "rules").into());
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 500 {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "note").into());
        }
        let after = serde_json::to_string(&parsed).expect("group rules serialize");
        let name = self.db.staff_name(staff_id).await?.unwrap_or_default();
        let notice = NewMessage {
            group_id,
            sender_kind: SenderKind::System,
            sender_id: 0,
            sender_name: String::new(),
            body: format!("{name} 修改了群规：{note} · {name} changed the group's rules: {note}"),
            reply_to: None,
            mentions: "[]".into(),
            content_id: None,
            at: self.db.now(),
            red_envelope_id: None,
        };
        let writer = self.writer(group_id);
        let _turn = writer.lock().await;
        let mut unit = self.db.begin().await?;
        let id = unit.revise_group_rules(group_id, staff_id, &group.rules, &after, note).await?;
        unit.audit(access::AuditEntry {
            actor: principal.actor(),
            action: "revise_rules".into(),
            entity: "group".into(),
            entity_id: group_id.to_string(),
            detail: serde_json::json!({ "change": id, "note": note }).to_string(),
        })
        .await?;
        let row = unit.insert_message(&notice).await?;
        unit.commit().await?;
        self.publish(&row).await;
        let changes = self.db.rule_changes(group_id).await?;
        Ok(changes.into_iter().find(|c| c.id == id).expect("the revision just stored"))
    }

    /// The history of the group's rules, newest first: for its members, admins and observers.
    pub async fn rule_history(
        &self,
        principal: &Principal,
        group_id: GroupId,
    ) -> Result<Vec<store::RuleChangeRow>, CommunityError> {
        self.group_for(principal, group_id).await?;
        Ok(self.db.rule_changes(group_id).await?)
    }

    /// Tells the group that a customer joined.
    pub(super) async fn announce_joined(
        &self,
        group: &GroupRow,
        customer_id: CustomerId,
    ) -> Result<(), CommunityError> {
        let name = self.db.customer_name(customer_id).await?.unwrap_or_default();
        let notice = NewMessage {
            group_id: group.id,
            sender_kind: SenderKind::System,
            sender_id: 0,
            sender_name: String::new(),
            body: format!("{name} joined the group · {name} 加入了群聊"),
            reply_to: None,
            mentions: "[]".into(),
            content_id: None,
            at: self.db.now(),
            red_envelope_id: None,
        };
        self.send(notice, None).await?;
        Ok(())
    }

    /// An admin approves or rejects a pending application; a reason is required to reject.
    pub async fn decide_application(
        &self,
        principal: &Principal,
        application_id: ApplicationId,
        approve: bool,
        reason: &str,
    ) -> Result<(), CommunityError> {
        let application =
            self.db.application(application_id).await?.ok_or_else(|| refuse(codes::APPLICATION_NOT_FOUND))?;
        let (group, standing) = self.group_for(principal, application.group_id).await?;
        let Standing::Admin { staff_id } = standing else {
            return Err(admins_only("decide").into());
        };
        if application.status != ApplicationStatus::Pending {
            return Err(refuse(codes::APPLICATION_DECIDED).into());
        }
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "reason").into());
        }
        if approve {
            // Admission is decided again now: the group may have filled, or a ban come in.
            let facts = self
                .db
                .entry_facts(group.id, application.customer_id)
                .await?
                .ok_or_else(|| refuse(codes::CUSTOMER_NOT_FOUND))?;
            let applicant = Applicant {
                firm_customer: facts.verified.is_some(),
                real_name_verified: facts.verified == Some(true),
                banned_by_advisor: facts.banned,
                member: facts.member,
            };
            if let Admission::Refused(r) = admission::decide(
                applicant,
                Route::Application,
                facts.members as u32,
                facts.capacity as u32,
                self.db.now(),
            ) {
                return Err(refuse(r.code()).into());
            }
        }
        // The decision and the membership it grants are one unit of work.
        let mut unit = self.db.begin().await?;
        if !unit.decide_application(application_id, approve, reason, staff_id).await? {
            return Err(refuse(codes::APPLICATION_DECIDED).into());
        }
        if approve {
            unit.add_member(group.id, application.customer_id, self.db.now()).await?;
        }
        unit.commit().await?;
        if approve {
            self.announce_joined(&group, application.customer_id).await?;
        }
        Ok(())
    }

    /// The group's advisor bans a customer from all of their groups; the groups they left.
    pub async fn ban(
        &self,
        principal: &Principal,
        group_id: GroupId,
        customer_id: CustomerId,
        reason: &str,
    ) -> Result<Vec<GroupId>, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("ban").into());
        }
        if reason.trim().is_empty() {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "reason").into());
        }
        let left = match self.db.ban_from_advisor(group.advisor_id, customer_id, reason.trim()).await {
            // The ban's only reference the caller chose is the customer.
            Err(StoreError::Constraint { .. }) => return Err(refuse_on(codes::UNKNOWN_CUSTOMER, "customer_id").into()),
            left => left?,
        };
        for g in &left {
            self.close_for(*g, customer_id).await;
        }
        Ok(left)
    }

    pub(super) async fn close_for(&self, group_id: GroupId, customer_id: CustomerId) {
        let json = bytes::Bytes::from(format!("{{\"type\":\"removed\",\"customer_id\":{customer_id}}}"));
        self.hub.publish(group_id, &Delivery { message_id: None, json, closes_for: Some(customer_id) }).await;
    }

    /// A group's members, for its staff.
    pub async fn members(
        &self,
        principal: &Principal,
        group_id: GroupId,
    ) -> Result<Vec<store::MemberRow>, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if matches!(standing, Standing::Member { .. }) {
            return Err(staff_only("members").into());
        }
        Ok(self.db.members(group.id).await?)
    }

    /// A group's applications for its admins: `pending` (the default),
    /// `approved`, `rejected` or `all`.
    pub async fn applications(
        &self,
        principal: &Principal,
        group_id: GroupId,
        status: Option<&str>,
    ) -> Result<Vec<store::ApplicationRow>, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("admission").into());
        }
        let status = match status.unwrap_or("pending") {
            "all" => None,
            s => Some(s.parse::<ApplicationStatus>().map_err(|_| {
                refuse_on(domain::codes::NOT_ONE_OF, "status")
                    .with("value", s)
                    .with("options", "pending, approved, rejected, all")
            })?),
        };
        Ok(self.db.applications(group.id, status).await?)
    }
}
