//! Seed users: the enthusiastic and the expert, with the figures that decided it.

use super::*;

impl Communities {
    /// Seed users of a group over the last `days`, with their reasons (admins).
    pub async fn seeds(
        &self,
        principal: &Principal,
        group_id: GroupId,
        days: i64,
    ) -> Result<Vec<community::seeds::Seed>, CommunityError> {
        let (_, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() && standing != Standing::Observer {
            return Err(staff_only("seed_users").into());
        }
        let since = self.db.now() - Duration::days(days.clamp(1, 365));
        let counts = self.db.member_counts(group_id, since).await?;
        let ids: Vec<CustomerId> = counts.iter().map(|c| c.customer_id).collect();
        let successful: Vec<CustomerId> = self
            .db
            .labels_of(&ids)
            .await?
            .into_iter()
            .filter(|(id, labels)| {
                crate::classify::label_pairs(*id, labels)
                    .is_ok_and(|pairs| pairs.iter().any(|(d, l)| d == "track_record" && l == "successful"))
            })
            .map(|(id, _)| id)
            .collect();
        let members: Vec<community::seeds::MemberActivity> = counts
            .iter()
            .map(|c| community::seeds::MemberActivity {
                customer_id: c.customer_id,
                messages: c.messages as u32,
                quick_replies_to_advisor: c.quick_replies as u32,
                welcomes: c.welcomes as u32,
                substantive: c.substantive as u32,
                replies_drawn: c.replies_drawn as u32,
                successful_trader: successful.contains(&c.customer_id),
            })
            .collect();
        Ok(community::seeds::seed_users(&members))
    }
}
