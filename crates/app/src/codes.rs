//! The use cases' refusals: one table for the whole of `app`. Each code's
//! message is `error-<code>` in the catalogues; a code named with an
//! `action` or `what` chooses its words by it (a Fluent selector).

domain::codes! {
    /// No such group, or not one the caller may see.
    GROUP_NOT_FOUND = "group_not_found": NotFound,
    /// No such invite link.
    INVITE_NOT_FOUND = "invite_not_found": NotFound,
    /// No such application.
    APPLICATION_NOT_FOUND = "application_not_found": NotFound,
    /// No such moderation action.
    ACTION_NOT_FOUND = "action_not_found": NotFound,
    /// No such message.
    MESSAGE_NOT_FOUND = "message_not_found": NotFound,
    /// No such report.
    REPORT_NOT_FOUND = "report_not_found": NotFound,
    /// No such question.
    QUESTION_NOT_FOUND = "question_not_found": NotFound,
    /// No such content item.
    CONTENT_NOT_FOUND = "content_not_found": NotFound,
    /// No such member of the group.
    MEMBER_NOT_FOUND = "member_not_found": NotFound,
    /// No such customer, or not one the caller may see.
    CUSTOMER_NOT_FOUND = "customer_not_found": NotFound,
    /// No such advisor, or not one the caller may see.
    ADVISOR_NOT_FOUND = "advisor_not_found": NotFound,
    /// No such task, or not an open one in scope.
    TASK_NOT_FOUND = "task_not_found": NotFound,
    /// No such contact in the plan.
    CONTACT_NOT_FOUND = "contact_not_found": NotFound,
    /// The customer has not been classified yet.
    LABELS_NOT_FOUND = "labels_not_found": NotFound,
    /// No such instrument.
    INSTRUMENT_NOT_FOUND = "instrument_not_found": NotFound,
    /// No such account, or none the caller serves.
    ACCOUNT_NOT_FOUND = "account_not_found": NotFound,
    /// No such order, or none the caller may see.
    ORDER_NOT_FOUND = "order_not_found": NotFound,
    /// No such conditional order, or none the caller may see.
    CONDITIONAL_NOT_FOUND = "conditional_not_found": NotFound,
    /// No such API token (live).
    TOKEN_NOT_FOUND = "token_not_found": NotFound,
    /// No such product.
    PRODUCT_NOT_FOUND = "product_not_found": NotFound,
    /// No such idea, or not one the caller may see.
    IDEA_NOT_FOUND = "idea_not_found": NotFound,
    /// No such research source.
    SOURCE_NOT_FOUND = "source_not_found": NotFound,
    /// No such notice.
    NOTICE_NOT_FOUND = "notice_not_found": NotFound,
    /// No such send, or not one the caller may see.
    SEND_NOT_FOUND = "send_not_found": NotFound,
    /// No such model portfolio, or not one the caller may see.
    PORTFOLIO_NOT_FOUND = "portfolio_not_found": NotFound,
    /// No such saved filter of the caller's.
    SAVED_FILTER_NOT_FOUND = "saved_filter_not_found": NotFound,
    /// A customer id that names no customer.
    UNKNOWN_CUSTOMER = "unknown_customer": Invalid,

    /// Only the group's admins do this (`action` says what).
    GROUP_ADMINS_ONLY = "group_admins_only": Forbidden,
    /// Staff only (`what` says what).
    STAFF_ONLY = "staff_only": Forbidden,
    /// Only a customer has an inbox.
    CUSTOMERS_ONLY = "customers_only": Forbidden,
    /// Only an admin does this (`what` says what).
    ADMIN_ONLY = "admin_only": Forbidden,
    /// Only advisors own groups.
    ADVISORS_OWN_GROUPS = "advisors_own_groups": Forbidden,
    /// Only the group's advisor names co-admins.
    ADVISOR_NAMES_CO_ADMINS = "advisor_names_co_admins": Forbidden,
    /// Only members and admins write in a group.
    MEMBERS_WRITE = "members_write": Forbidden,
    /// Only the member sanctioned appeals.
    SANCTIONED_APPEALS = "sanctioned_appeals": Forbidden,
    /// Members report messages; admins moderate them.
    MEMBERS_REPORT = "members_report": Forbidden,
    /// Only advisors write content.
    ADVISORS_WRITE_CONTENT = "advisors_write_content": Forbidden,
    /// Content is for advisors and compliance.
    CONTENT_ROLES = "content_roles": Forbidden,
    /// Only compliance reviews content.
    COMPLIANCE_REVIEWS = "compliance_reviews": Forbidden,
    /// Content goes only to the author's own groups.
    OWN_GROUPS_ONLY = "own_groups_only": Forbidden,
    /// Only a manager (or admin) sets contact hours.
    MANAGERS_SET_HOURS = "managers_set_hours": Forbidden,
    /// This role may not reveal personal data.
    MAY_NOT_REVEAL = "may_not_reveal": Forbidden,
    /// Only the customer, or staff serving them, buys a product (`who` says who asked).
    PURCHASE_ROLES = "purchase_roles": Forbidden,
    /// Only the customer, or staff serving them, answers the questionnaire (`who` says who asked).
    QUESTIONNAIRE_ROLES = "questionnaire_roles": Forbidden,
    /// Only the advisor's own follow-up list.
    OWN_FOLLOW_UPS = "own_follow_ups": Forbidden,
    /// Only the customer, or staff serving them, sends orders (`who` says who asked).
    ORDER_ROLES = "order_roles": Forbidden,

    /// A member who is muted.
    MEMBER_MUTED = "member_muted": Forbidden,
    /// A member's message the group's rules stopped (and its sanction).
    MESSAGE_BLOCKED = "message_blocked": Refused,
    /// Messages too fast on the chat socket.
    SLOW_DOWN = "slow_down": TooMany,

    /// A group has at most so many co-admins.
    CO_ADMIN_LIMIT = "co_admin_limit": Conflict,
    /// The application was decided already.
    APPLICATION_DECIDED = "application_decided": Conflict,
    /// The action was appealed or reviewed already.
    ACTION_APPEALED = "action_appealed": Conflict,
    /// The action was reviewed already.
    ACTION_REVIEWED = "action_reviewed": Conflict,
    /// The report was resolved already.
    REPORT_RESOLVED = "report_resolved": Conflict,
    /// The question was answered already.
    QUESTION_ANSWERED = "question_answered": Conflict,
    /// Only a draft is submitted.
    ONLY_DRAFTS_SUBMITTED = "only_drafts_submitted": Conflict,
    /// The draft changed while it was being submitted.
    DRAFT_CHANGED = "draft_changed": Conflict,
    /// The version is not waiting for review.
    NOT_SUBMITTED = "not_submitted": Conflict,
    /// Nothing is published before compliance approves it.
    NOT_APPROVED = "not_approved": Conflict,
    /// The group's advisor has no licence number on record.
    NO_LICENCE = "no_licence": Conflict,
    /// The product is closed to purchases.
    PRODUCT_CLOSED = "product_closed": Conflict,
    /// The risk questionnaire was never taken or has expired: it is asked again first.
    QUESTIONNAIRE_REQUIRED = "questionnaire_required": Conflict,
    /// Above the investor's match: the warning must be read and confirmed (`reasons_zh`, `reasons_en`).
    CONFIRMATION_REQUIRED = "confirmation_required": Conflict,
    /// A message naming a product unsuitable for some members: send again to confirm (`count`, `product`).
    UNSUITABLE_FOR_MEMBERS = "unsuitable_for_members": Conflict,
    /// The task was done already.
    TASK_DONE = "task_done": Conflict,
    /// An order or conditional order not in a state that allows it (`status`).
    ORDER_STATE = "order_state": Conflict,
    /// Nobody in the segment may receive it (`matched`, `withheld`).
    NO_RECIPIENTS = "no_recipients": Conflict,

    /// The gate refused the purchase (`reasons_zh`, `reasons_en`).
    UNSUITABLE = "unsuitable": Refused,
    /// A chat message naming an R4 or R5 product: it goes out as reviewed content (`product`).
    RISKY_PRODUCT_IN_CHAT = "risky_product_in_chat": Refused,
    /// A purchase below the product's minimum (`minimum`).
    BELOW_MINIMUM = "below_minimum": Invalid,
    /// New weights that would need a higher rating than the portfolio's (`risk`, `needs`).
    PORTFOLIO_RISK = "portfolio_risk": Invalid,
    /// An idea's prices on the wrong side of its entry (`direction`).
    IDEA_PRICES = "idea_prices": Invalid,
    /// An order's field that does not read (`reason`).
    ORDER_FIELD = "order_field": Invalid,
    /// A conditional order's condition that does not hold together (`reason`).
    CONDITION_INVALID = "condition_invalid": Invalid,
    /// A conditional order valid past a year, or already past (`latest`).
    VALID_UNTIL = "valid_until": Invalid,
    /// A send names no segment, or more than one (`options`).
    ONE_SEGMENT = "one_segment": Invalid,

    /// Banned phrases in content.
    BANNED_PHRASES = "banned_phrases": Invalid,
    /// No group named.
    GROUPS_REQUIRED = "groups_required": Invalid,
    /// Group rules that do not read.
    GROUP_RULES = "group_rules": Invalid,
    /// Flood limits that are not positive.
    FLOOD_RULES = "flood_rules": Invalid,
    /// A co-admin who is not another member of staff.
    CO_ADMIN_NOT_STAFF = "co_admin_not_staff": Invalid,
    /// A reply to a message of another group.
    REPLY_ELSEWHERE = "reply_elsewhere": Invalid,
    /// A sanction from a report of a message that is not a member's.
    SANCTION_NEEDS_MEMBER = "sanction_needs_member": Invalid,
    /// An answer accepted that does not reply to the question.
    ANSWER_NOT_REPLY = "answer_not_reply": Invalid,
    /// A handover to the advisor handing over.
    HANDOVER_TO_SELF = "handover_to_self": Invalid,
    /// Both `after` and `before` given.
    AFTER_OR_BEFORE = "after_or_before": Invalid,
    /// A user's links do not fit their role.
    USER_LINKS = "user_links": Invalid,

    /// Wrong login or password (the same answer for both).
    WRONG_PASSWORD = "wrong_password": Unauthenticated,
    /// Too many failed sign-ins: locked for a while.
    SIGN_IN_LOCKED = "sign_in_locked": TooMany,
    /// The login is taken.
    LOGIN_TAKEN = "login_taken": Refused,
    /// Too many events in one call.
    TOO_MANY_EVENTS = "too_many_events": TooLarge,
    /// The server is still loading the position watch; the feed opens when it is ready.
    WATCH_LOADING = "watch_loading": Unavailable,
    /// A feed token without the scope the feed needs.
    TOKEN_SCOPE = "token_scope": Forbidden,
    /// No such book file.
    UNKNOWN_BOOK_FILE = "unknown_book_file": NotFound,
    /// No such red envelope, or none the caller may see.
    ENVELOPE_NOT_FOUND = "envelope_not_found": NotFound,
    /// Every share of the red envelope has been opened.
    ENVELOPE_EMPTY = "envelope_empty": Conflict,
    /// The red envelope's day is over; what was left went back.
    ENVELOPE_EXPIRED = "envelope_expired": Conflict,
    /// Only the group's members open red envelopes.
    ENVELOPE_MEMBERS_ONLY = "envelope_members_only": Forbidden,
    /// The advisor's red-envelope budget for the month would be exceeded.
    ENVELOPE_BUDGET = "envelope_budget": Refused,
    /// No referral by that number in the caller's scope.
    REFERRAL_NOT_FOUND = "referral_not_found": NotFound,
    /// Referrals are reviewed by managers and compliance.
    REFERRAL_REVIEWERS = "referral_reviewers": Forbidden,
    /// The referral is not waiting for review.
    REFERRAL_REVIEWED = "referral_reviewed": Conflict,
    /// No published item to share by that kind and id.
    SHARE_NOT_FOUND = "share_not_found": NotFound,
    /// Not a month (YYYY-MM).
    MONTH_INVALID = "month_invalid": Invalid,
    /// A range of months backwards or longer than a request may span.
    MONTH_RANGE = "month_range": Invalid,
    /// Analytics are grouped by firm, branch, advisor or group.
    ANALYTICS_GROUPING = "analytics_grouping": Invalid,
    /// A customer-map field that is not one of its features, colourings, or a bad name or region.
    MAP_FIELD = "map_field": Invalid,
    /// No such segment, or not one the caller saved.
    SEGMENT_NOT_FOUND = "segment_not_found": NotFound,
    /// No such conversation, or not one the caller may see.
    CONVERSATION_NOT_FOUND = "conversation_not_found": NotFound,
    /// Conversations are between an advisor and a customer they serve.
    CONVERSATION_ROLES = "conversation_roles": Forbidden,
}
