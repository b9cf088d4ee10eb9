//! Why a service request was refused: stable codes, messages `error-<code>`
//! in the catalogues.

domain::codes! {
    /// No such ticket, or not one the caller may see.
    TICKET_NOT_FOUND = "ticket_not_found": NotFound,
    /// No such incident.
    INCIDENT_NOT_FOUND = "incident_not_found": NotFound,
    /// A value not among those allowed (`field`, `given`).
    SERVICE_VALUE = "service_value": Invalid,
    /// The ticket's state does not allow the step (`status`, `step`).
    TICKET_STATE = "ticket_state": Conflict,
    /// A satisfaction outside 1..5.
    SATISFACTION_RANGE = "satisfaction_range": Invalid,
    /// An attachment that is empty, too large or of a type not accepted (`reason`).
    ATTACHMENT_REFUSED = "attachment_refused": Invalid,
    /// Too many attachments on one ticket (`most`).
    ATTACHMENTS_FULL = "attachments_full": Conflict,
    /// Only feedback is voted for or adopted.
    FEEDBACK_ONLY = "feedback_only": Conflict,
    /// The customer votes once for a suggestion.
    ALREADY_VOTED = "already_voted": Conflict,
    /// The incident's notice has already been decided.
    NOTICE_DECIDED = "notice_decided": Conflict,
    /// The incident has no notice drafted.
    NO_NOTICE = "no_notice": Conflict,
    /// Compliance only (`what` says what).
    COMPLIANCE_ONLY = "compliance_only": Forbidden,
    /// The incident is already closed.
    INCIDENT_CLOSED = "incident_closed": Conflict,
}
