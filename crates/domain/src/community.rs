//! The closed sets of words the communities' rows hold: where an
//! application stands, where a content version stands, who sent a message,
//! what kind of content an item is.

use crate::instrument::text_enum;
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

text_enum!(
    /// Where a customer's application to a group stands.
    ApplicationStatus, "status" {
        /// Waiting for an admin.
        Pending = "pending",
        /// Admitted.
        Approved = "approved",
        /// Refused, with a reason.
        Rejected = "rejected",
    }
);

text_enum!(
    /// Where a version of an advisor's content stands with compliance.
    ContentStatus, "status" {
        /// Being written.
        Draft = "draft",
        /// Waiting for compliance.
        Submitted = "submitted",
        /// Approved: it may be scheduled into groups.
        Approved = "approved",
        /// Rejected, with a comment.
        Rejected = "rejected",
    }
);

text_enum!(
    /// Who sent a group message.
    SenderKind, "sender_kind" {
        /// The advisor or a co-admin.
        Staff = "staff",
        /// A member.
        Customer = "customer",
        /// The group itself (someone joined).
        System = "system",
    }
);

text_enum!(
    /// What an advisor's content item is.
    ContentKind, "kind" {
        /// The pre-market preview (早评).
        PreMarket = "pre_market",
        /// The post-market review (复盘).
        PostMarket = "post_market",
        /// An article.
        Article = "article",
    }
);
