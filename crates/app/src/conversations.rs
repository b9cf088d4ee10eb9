//! One-to-one conversations (issue 29): the private chat an advisor holds
//! with a customer they serve (seed users, key customers). Live like the
//! group chat (each message pushed to whoever has the conversation open),
//! kept and archived with it; the advisor's messages pass the same
//! compliance screen as published content, and a message that fails it is
//! refused with what it matched.

use crate::{codes, Error};
use access::{Principal, Role};
use domain::{CustomerId, MessageText, StaffId};
use store::{ConversationMessageRow, ConversationRow, Db};
use tokio::sync::broadcast;

/// Conversations over one database, with the channel their live pages listen on.
#[derive(Debug)]
pub struct Conversations {
    db: Db,
    events: broadcast::Sender<ConversationMessageRow>,
    /// Past one machine: messages go through the bus to every server's pages.
    bus: Option<bus::Bus>,
}

fn not_found() -> Error {
    codes::CONVERSATION_NOT_FOUND.refuse().into()
}

impl Conversations {
    /// Conversations over `db`.
    pub fn new(db: Db) -> Conversations {
        let (events, _) = broadcast::channel(4096);
        Conversations { db, events, bus: None }
    }

    /// These conversations past one machine: messages go through `bus`.
    pub fn with_bus(mut self, bus: bus::Bus) -> Conversations {
        self.bus = Some(bus);
        self
    }

    /// Hands in a message sent on another server (from the bus): pushed to this server's pages.
    pub fn receive(&self, row: ConversationMessageRow) {
        let _ = self.events.send(row);
    }

    /// Every message sent from now on (a live page keeps those of its conversation).
    pub fn subscribe(&self) -> broadcast::Receiver<ConversationMessageRow> {
        self.events.subscribe()
    }

    /// The principal's conversations: a customer's with their advisor, an advisor's with their customers.
    pub async fn list(&self, principal: &Principal) -> Result<Vec<ConversationRow>, Error> {
        Ok(self.db.conversations(principal.scope()).await?)
    }

    /// Opens (or finds) a conversation: an advisor with a customer they serve
    /// (`customer`), a customer with their own advisor.
    pub async fn open(&self, principal: &Principal, customer: Option<CustomerId>) -> Result<i64, Error> {
        let (customer, advisor) = match principal.role {
            Role::Customer => {
                let own = principal.customer_id.ok_or_else(not_found)?;
                let advisor: StaffId = self.db.advisor_of(own).await?.ok_or_else(not_found)?;
                (own, advisor)
            }
            Role::Advisor => {
                let customer = customer.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse())?;
                let staff = principal.staff_id.ok_or_else(not_found)?;
                let theirs = self.db.advisor_of(customer).await?;
                if theirs != Some(staff) {
                    return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
                }
                (customer, staff)
            }
            _ => return Err(codes::CONVERSATION_ROLES.refuse().into()),
        };
        let mut unit = self.db.begin().await?;
        let id = unit.conversation_of(customer, advisor).await?;
        unit.commit().await?;
        Ok(id)
    }

    /// A conversation in the principal's scope (its two sides; managers and compliance read it).
    pub async fn get(&self, principal: &Principal, id: i64) -> Result<ConversationRow, Error> {
        self.db.conversation(principal.scope(), id).await?.ok_or_else(not_found)
    }

    /// Messages after `after`, oldest first.
    pub async fn messages(
        &self,
        principal: &Principal,
        id: i64,
        after: i64,
    ) -> Result<Vec<ConversationMessageRow>, Error> {
        self.get(principal, id).await?;
        Ok(self.db.conversation_messages(id, after, 500).await?)
    }

    /// Sends a message as one of its two sides; the advisor's is screened first.
    pub async fn send(&self, principal: &Principal, id: i64, text: &str) -> Result<ConversationMessageRow, Error> {
        let c = self.get(principal, id).await?;
        let text = MessageText::parse(text)?;
        let text = text.as_str();
        let (kind, sender_id, name) = match principal.role {
            Role::Customer if principal.customer_id.is_some_and(|me| me.0 == c.customer_id) => {
                ("customer", c.customer_id, c.customer.clone())
            }
            Role::Advisor if principal.staff_id.is_some_and(|me| me.0 == c.advisor_id) => {
                let found = crate::community::content::banned_phrases(text);
                if !found.is_empty() {
                    let list: Vec<String> = found
                        .iter()
                        .map(|f| format!("\"{}\" ({}: {})", f.excerpt, f.violation.as_str(), f.reason))
                        .collect();
                    return Err(codes::BANNED_PHRASES.refuse().on("text").with("phrases", list.join(", ")).into());
                }
                ("staff", c.advisor_id, c.advisor.clone())
            }
            _ => return Err(codes::CONVERSATION_ROLES.refuse().into()),
        };
        let mut unit = self.db.begin().await?;
        let row = unit.insert_conversation_message(id, kind, sender_id, &name, text).await?;
        unit.commit().await?;
        if let Some(bus) = &self.bus {
            let payload = serde_json::to_vec(&row).expect("a message serializes");
            let subject = bus::live("conversation", row.conversation_id);
            if let Err(e) = bus.publish(subject, Some(format!("conversation-{}", row.id)), payload.into()).await {
                // The message is stored: the page reads it from the history when opened again.
                tracing::error!(error = %e, "a conversation message could not be pushed through the bus");
            }
        } else {
            // Nobody listening is fine: the page reads the history when opened.
            let _ = self.events.send(row.clone());
        }
        Ok(row)
    }
}
