//! The communities' refusals: why a customer may not enter a group.

domain::codes! {
    /// Only the firm's own customers join its groups.
    NOT_A_CUSTOMER = "not_a_customer": Forbidden,
    /// Real-name verification comes first.
    REAL_NAME_REQUIRED = "real_name_required": Forbidden,
    /// The advisor has banned the customer from their groups.
    BANNED_BY_ADVISOR = "banned_by_advisor": Forbidden,
    /// The group has no room.
    GROUP_FULL = "group_full": Forbidden,
    /// The invite link has expired.
    INVITE_EXPIRED = "invite_expired": Forbidden,
    /// The customer is in the group already.
    ALREADY_MEMBER = "already_member": Forbidden,
}
