//! The JSON API under /api/v1, described by an OpenAPI document.

mod advisors;
pub(crate) mod analytics;
pub(crate) mod communities;
mod content;
mod conversations;
mod customers;
mod envelopes;
pub(crate) use customers::csv_download as customers_csv;
mod feeds;
mod group_health;
pub(crate) mod ideas;
pub(crate) mod input;
pub(crate) mod instruments;
pub(crate) mod knowing;
mod orders;
pub(crate) mod outreach;
mod overview;
mod points;
mod portfolios;
pub(crate) mod products;
mod referrals;
pub(crate) mod reminders;
pub(crate) mod segments;
pub(crate) mod service;
mod session;
pub(crate) mod tasks;
mod tokens;

use crate::AppState;
use axum::Json;
use domain::Code;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The OpenAPI document of /api/v1.
#[derive(OpenApi)]
#[openapi(
    info(title = "Brokerdesk API", description = "Customer operations for a securities brokerage."),
    servers((url = "/api/v1")),
    components(schemas(crate::error::ErrorBody, overview::Overview, customers::CustomerSummary, customers::CustomerList, customers::CustomerRecord, customers::CustomerHistory, customers::Holding, customers::RevealRequest, customers::Revealed, advisors::HandoverRequest, advisors::HandoverResult, session::SessionInfo, tokens::NewToken, tokens::CreatedToken, tokens::TokenInfo, feeds::Events, tasks::Task, tasks::NewTask, tasks::CreatedTask, tasks::Completion, instruments::InstrumentSummary, instruments::InstrumentDetail, instruments::Bar, instruments::IndicatorSeries, instruments::SnapshotView, reminders::Reminder, reminders::Volume, knowing::CustomerLabels, knowing::LabelView, knowing::WeekPlanView, knowing::SplitPart, knowing::PlannedContact, communities::NewGroup, communities::CoAdmin, communities::Application, communities::Decision, communities::InviteRequest, communities::Ban, communities::SendMessage, communities::Pin, communities::Report, communities::ManualSanction, communities::Appeal, communities::Review, communities::Resolution, communities::Accept, communities::FollowUp, content::Writing, content::ContentReview, content::Schedule, products::Product, products::NewProduct, products::CreatedProduct, products::StateChange, products::QuestionnaireAnswers, products::AssessmentView, products::ProfessionalDeclaration, products::PurchaseRequest, products::Purchase, ideas::NewIdea, ideas::ProposedIdea, ideas::NewSource, ideas::Source, outreach::ItemSpec, outreach::SegmentSpec, outreach::SendBody, outreach::Sent, outreach::NewFilter, outreach::Filter, portfolios::Weight, portfolios::NewPortfolio, portfolios::NewRebalance, portfolios::UnderReview, portfolios::Follow, advisors::Introduction, service::NewTicket, service::Created, service::Said, service::Closing, service::IncidentUpdate, service::Graded, service::NoticeDecision, service::NoticeSent, conversations::NewConversation, conversations::Opened, conversations::Say)),
    modifiers(&ApiTokenScheme)
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the feed endpoints use.
struct ApiTokenScheme;

impl utoipa::Modify for ApiTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Documents, on every operation, the codes it may answer with, under the
/// status of each, in the one JSON shape of [`crate::error::ErrorBody`]: the
/// codes any route may answer (no session, no CSRF token, an unreadable
/// body, an internal error) and those of the route's area. The route test
/// checks that every code a route answers is among them.
struct ErrorResponses;

/// The codes of the area a path belongs to (paths relative to /api/v1).
fn area_codes(path: &str) -> Vec<Code> {
    use app::codes as a;
    use domain::codes as d;
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    let community: Vec<Code> = [
        a::GROUP_NOT_FOUND,
        a::INVITE_NOT_FOUND,
        a::APPLICATION_NOT_FOUND,
        a::ACTION_NOT_FOUND,
        a::MESSAGE_NOT_FOUND,
        a::REPORT_NOT_FOUND,
        a::QUESTION_NOT_FOUND,
        a::MEMBER_NOT_FOUND,
        a::CUSTOMER_NOT_FOUND,
        a::UNKNOWN_CUSTOMER,
        a::GROUP_ADMINS_ONLY,
        a::STAFF_ONLY,
        a::ADVISORS_OWN_GROUPS,
        a::ADVISOR_NAMES_CO_ADMINS,
        a::MEMBERS_WRITE,
        a::SANCTIONED_APPEALS,
        a::MEMBERS_REPORT,
        a::OWN_FOLLOW_UPS,
        a::MEMBER_MUTED,
        a::MESSAGE_BLOCKED,
        a::UNSUITABLE_FOR_MEMBERS,
        a::RISKY_PRODUCT_IN_CHAT,
        a::CO_ADMIN_LIMIT,
        a::APPLICATION_DECIDED,
        a::ACTION_APPEALED,
        a::ACTION_REVIEWED,
        a::REPORT_RESOLVED,
        a::QUESTION_ANSWERED,
        a::GROUP_RULES,
        a::FLOOD_RULES,
        a::CO_ADMIN_NOT_STAFF,
        a::REPLY_ELSEWHERE,
        a::SANCTION_NEEDS_MEMBER,
        a::ANSWER_NOT_REPLY,
        a::AFTER_OR_BEFORE,
        d::LENGTH,
        d::REASON_REQUIRED,
        d::NOT_ONE_OF,
        d::OUT_OF_RANGE,
    ]
    .into_iter()
    .chain(community::codes::ALL.iter().copied())
    .collect();
    let suitability = vec![
        a::CUSTOMER_NOT_FOUND,
        a::PRODUCT_NOT_FOUND,
        a::PURCHASE_ROLES,
        a::QUESTIONNAIRE_ROLES,
        a::PRODUCT_CLOSED,
        a::QUESTIONNAIRE_REQUIRED,
        a::CONFIRMATION_REQUIRED,
        a::UNSUITABLE,
        a::BELOW_MINIMUM,
        a::STAFF_ONLY,
        a::ADMIN_ONLY,
        d::LENGTH,
        d::EMPTY,
        d::TOO_LONG,
        d::NOT_A_NUMBER,
        d::MUST_BE_POSITIVE,
        d::NEGATIVE,
        d::NUMBER_FORM,
        d::TOO_LARGE,
        store::codes::CONFLICTS_WITH_STORED,
    ];
    // Ideas, research sources, sends and inboxes, saved filters, model portfolios, profiles (issue 25).
    let outreach = vec![
        a::IDEA_NOT_FOUND,
        a::SOURCE_NOT_FOUND,
        a::SEND_NOT_FOUND,
        a::SAVED_FILTER_NOT_FOUND,
        a::PORTFOLIO_NOT_FOUND,
        a::NOTICE_NOT_FOUND,
        a::CUSTOMERS_ONLY,
        a::NO_RECIPIENTS,
        a::IDEA_PRICES,
        a::ONE_SEGMENT,
        a::PORTFOLIO_RISK,
        a::ADVISORS_WRITE_CONTENT,
        a::ADVISOR_NOT_FOUND,
        a::ADMIN_ONLY,
        a::STAFF_ONLY,
        a::NOT_APPROVED,
        a::NO_LICENCE,
        a::BANNED_PHRASES,
        a::INSTRUMENT_NOT_FOUND,
        a::CUSTOMER_NOT_FOUND,
        a::CONTENT_NOT_FOUND,
        a::PRODUCT_NOT_FOUND,
        a::PRODUCT_CLOSED,
        a::PURCHASE_ROLES,
        a::QUESTIONNAIRE_REQUIRED,
        a::CONFIRMATION_REQUIRED,
        a::UNSUITABLE,
        d::LENGTH,
        d::EMPTY,
        d::TOO_LONG,
        d::CONTROL_CHARACTERS,
        d::NOT_ONE_OF,
        d::OUT_OF_RANGE,
        d::NOT_A_NUMBER,
        d::NUMBER_FORM,
        d::REASON_REQUIRED,
        d::INSTRUMENT_CODE,
        store::codes::CONFLICTS_WITH_STORED,
    ];
    let orders = vec![
        a::ACCOUNT_NOT_FOUND,
        a::ORDER_NOT_FOUND,
        a::CONDITIONAL_NOT_FOUND,
        a::ORDER_ROLES,
        a::ORDER_STATE,
        a::ORDER_FIELD,
        a::CONDITION_INVALID,
        a::VALID_UNTIL,
        a::INSTRUMENT_NOT_FOUND,
        a::STAFF_ONLY,
        d::NOT_A_NUMBER,
    ];
    match first {
        "ideas" | "portfolios" | "content" if path.ends_with("/share") => vec![a::SHARE_NOT_FOUND, d::NOT_A_NUMBER],
        "orders" | "conditional-orders" | "orders-prevented" => orders,
        "accounts" if path.ends_with("/st-disclosure") => orders,
        "ideas" | "research-sources" | "sends" | "inbox" | "saved-filters" | "portfolios" | "advisor-profile" => {
            outreach
        }
        "advisors" if path.ends_with("/profile") => outreach,
        "customers"
            if path.ends_with("/questionnaire")
                || path.contains("/suitability")
                || path.ends_with("/professional")
                || path.ends_with("/permissions") =>
        {
            suitability.into_iter().chain(advice::codes::ALL.iter().copied()).collect()
        }
        "products" | "purchases" | "questionnaire" | "funnel" | "suitability" => suitability,
        "customers"
            if path.ends_with("/points")
                || path.ends_with("/points.csv")
                || path.ends_with("/tier")
                || path.ends_with("/invite")
                || path.ends_with("/referrals") =>
        {
            vec![a::CUSTOMER_NOT_FOUND, d::OUT_OF_RANGE, d::NOT_A_NUMBER]
        }
        "referrals" => {
            vec![a::REFERRAL_NOT_FOUND, a::REFERRAL_REVIEWERS, a::REFERRAL_REVIEWED, a::STAFF_ONLY, d::NOT_A_NUMBER]
        }
        "customers" if path.ends_with("/labels") => vec![a::CUSTOMER_NOT_FOUND, a::LABELS_NOT_FOUND, a::STAFF_ONLY],
        "customers" | "customers.csv" => vec![
            a::CUSTOMER_NOT_FOUND,
            a::MAY_NOT_REVEAL,
            a::STAFF_ONLY,
            a::AFTER_OR_BEFORE,
            a::MONTH_INVALID,
            store::codes::LOOKUP_LIMIT,
            store::codes::KEYRING_MISSING,
            d::OUT_OF_RANGE,
            d::NOT_ONE_OF,
            d::NOT_A_NUMBER,
        ],
        "analytics" => vec![a::STAFF_ONLY, a::MONTH_INVALID, a::MONTH_RANGE, a::ANALYTICS_GROUPING, a::MAP_FIELD],
        "segments" => vec![
            a::STAFF_ONLY,
            a::MAP_FIELD,
            a::SEGMENT_NOT_FOUND,
            a::GROUP_NOT_FOUND,
            a::GROUP_ADMINS_ONLY,
            d::NOT_A_NUMBER,
        ],
        "advisors" => vec![a::ADVISOR_NOT_FOUND, a::HANDOVER_TO_SELF],
        "plan" => vec![a::ADVISOR_NOT_FOUND, a::STAFF_ONLY, d::DATE_FORM],
        "tokens" => vec![a::ADMIN_ONLY, a::TOKEN_NOT_FOUND, d::LENGTH],
        "tasks" => {
            vec![a::STAFF_ONLY, a::TASK_NOT_FOUND, a::CUSTOMER_NOT_FOUND, d::LENGTH, d::NOT_ONE_OF, d::TIME_FORM]
        }
        "instruments" => [a::INSTRUMENT_NOT_FOUND, d::INSTRUMENT_CODE, d::DATE_FORM, d::NOT_ONE_OF, d::OUT_OF_RANGE]
            .into_iter()
            .chain(market::indicators::codes::ALL.iter().copied())
            .collect(),
        "feeds" => [
            a::TOO_MANY_EVENTS,
            a::WATCH_LOADING,
            a::UNKNOWN_BOOK_FILE,
            a::TOKEN_SCOPE,
            a::CUSTOMER_NOT_FOUND,
            crate::error::codes::BODY_TOO_LARGE,
        ]
        .into_iter()
        .chain(growth::codes::ALL.iter().copied())
        .collect(),
        "reminders" => vec![a::STAFF_ONLY, d::OUT_OF_RANGE],
        "content" => vec![
            a::CONTENT_NOT_FOUND,
            a::GROUP_NOT_FOUND,
            a::CUSTOMER_NOT_FOUND,
            a::ADVISORS_WRITE_CONTENT,
            a::CONTENT_ROLES,
            a::COMPLIANCE_REVIEWS,
            a::OWN_GROUPS_ONLY,
            a::ONLY_DRAFTS_SUBMITTED,
            a::DRAFT_CHANGED,
            a::NOT_SUBMITTED,
            a::NOT_APPROVED,
            a::NO_LICENCE,
            a::BANNED_PHRASES,
            a::GROUPS_REQUIRED,
            a::STAFF_ONLY,
            d::LENGTH,
            d::REASON_REQUIRED,
            d::NOT_ONE_OF,
            d::TIME_FORM,
            d::EMPTY,
        ],
        "conversations" => vec![
            a::CONVERSATION_NOT_FOUND,
            a::CONVERSATION_ROLES,
            a::CUSTOMER_NOT_FOUND,
            a::BANNED_PHRASES,
            d::LENGTH,
            d::EMPTY,
            d::TOO_LONG,
            d::CONTROL_CHARACTERS,
            d::NOT_A_NUMBER,
        ],
        "tickets" | "feedback" | "incidents" => [
            a::STAFF_ONLY,
            a::CUSTOMERS_ONLY,
            a::ADMIN_ONLY,
            a::CUSTOMER_NOT_FOUND,
            d::LENGTH,
            d::NOT_A_NUMBER,
            d::TIME_FORM,
            crate::error::codes::BODY_TOO_LARGE,
        ]
        .into_iter()
        .chain(::service::codes::ALL.iter().copied())
        .chain(growth::codes::ALL.iter().copied())
        .collect(),
        "groups" if path.ends_with("/red-envelopes") => envelopes(),
        "red-envelopes" => envelopes(),
        "groups" | "applications" | "invites" | "messages" | "moderation" | "reports" | "questions" | "follow-ups" => {
            community
        }
        _ => Vec::new(),
    }
}

/// The codes of red envelopes' operations.
fn envelopes() -> Vec<Code> {
    use app::codes as a;
    vec![
        a::GROUP_NOT_FOUND,
        a::MEMBER_NOT_FOUND,
        a::MEMBER_MUTED,
        a::MEMBERS_WRITE,
        a::ENVELOPE_NOT_FOUND,
        a::ENVELOPE_EMPTY,
        a::ENVELOPE_EXPIRED,
        a::ENVELOPE_MEMBERS_ONLY,
        a::ENVELOPE_BUDGET,
        growth::codes::ENVELOPE_SHARES,
        growth::codes::ENVELOPE_POINTS,
        growth::codes::POINTS_INSUFFICIENT,
        domain::codes::NOT_A_NUMBER,
    ]
}

/// Every code an operation may answer with.
fn operation_codes(path: &str, post: bool, takes_json: bool, has_parameters: bool) -> Vec<Code> {
    use crate::error::codes as h;
    let feed = path.starts_with("/feeds");
    let mut codes = vec![domain::codes::INTERNAL, if feed { h::FEED_TOKEN } else { h::SIGN_IN_REQUIRED }];
    if post && !feed {
        codes.push(h::CSRF_TOKEN);
    }
    if takes_json {
        codes.extend([h::BODY_UNREADABLE, h::JSON_REQUIRED]);
    }
    if has_parameters {
        codes.extend([h::QUERY_UNREADABLE, domain::codes::NOT_A_NUMBER, domain::codes::OUT_OF_RANGE]);
    }
    codes.extend(area_codes(path));
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(c.code));
    codes
}

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [(&mut item.get, false), (&mut item.post, true)];
            for (operation, post) in operations {
                let Some(operation) = operation else { continue };
                let takes_json =
                    operation.request_body.as_ref().is_some_and(|body| body.content.contains_key("application/json"));
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut by_status: std::collections::BTreeMap<u16, Vec<&'static str>> = Default::default();
                for code in operation_codes(path, post, takes_json, has_parameters) {
                    by_status.entry(crate::error::status_of(code.kind).as_u16()).or_default().push(code.code);
                }
                for (status, codes) in by_status {
                    let listed = codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
                    let entry =
                        operation.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(""));
                    if let RefOr::T(response) = entry {
                        let said = response.description.trim().trim_end_matches('.').to_owned();
                        response.description = if said.is_empty() {
                            format!("Codes: {listed}.")
                        } else {
                            format!("{said}. Codes: {listed}.")
                        };
                        let mut extensions = response.extensions.take().unwrap_or_default();
                        extensions.insert("x-error-codes".to_owned(), serde_json::json!(codes));
                        response.extensions = Some(extensions);
                    }
                }
            }
        }
    }
}

/// An error response carrying [`crate::error::ErrorBody`].
fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

/// The document itself, so that every served route is documented.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "This OpenAPI document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document().clone())
}

/// The API under /api/v1 and its document, from one list: each handler is
/// served at the path and method its `#[utoipa::path]` names, and documented
/// there, so no route can be served undocumented or documented unserved.
/// The session routes and the machine feeds (which take an API token
/// instead) are kept apart for their different guards.
pub fn routers() -> (OpenApiRouter<AppState>, OpenApiRouter<AppState>) {
    let session = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi_json))
        .routes(routes!(overview::get))
        .routes(routes!(customers::list))
        .routes(routes!(customers::export))
        .routes(routes!(customers::get))
        .routes(routes!(customers::history))
        .routes(routes!(customers::live))
        .routes(routes!(customers::reveal))
        .routes(routes!(knowing::labels))
        .routes(routes!(knowing::plan))
        .routes(routes!(advisors::handover))
        .routes(routes!(session::get))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::done))
        .routes(routes!(instruments::list))
        .routes(routes!(instruments::get))
        .routes(routes!(instruments::bars))
        .routes(routes!(instruments::indicators))
        .routes(routes!(instruments::snapshots))
        .routes(routes!(reminders::list))
        .routes(routes!(reminders::volume))
        .routes(routes!(communities::list, communities::create))
        .routes(routes!(communities::get))
        .routes(routes!(communities::members))
        .routes(routes!(communities::add_admin))
        .routes(routes!(communities::applications, communities::apply))
        .routes(routes!(communities::decide))
        .routes(routes!(communities::invite))
        .routes(routes!(communities::accept_invite))
        .routes(routes!(communities::ban))
        .routes(routes!(communities::history, communities::send))
        .routes(routes!(communities::pin))
        .routes(routes!(communities::report))
        .routes(routes!(communities::moderation_log))
        .routes(routes!(communities::sanction))
        .routes(routes!(communities::appeal))
        .routes(routes!(communities::review))
        .routes(routes!(communities::reports))
        .routes(routes!(communities::resolve))
        .routes(routes!(communities::questions))
        .routes(routes!(communities::accept))
        .routes(routes!(communities::response_times))
        .routes(routes!(communities::seeds))
        .routes(routes!(communities::follow_ups, communities::add_follow_up))
        .routes(routes!(content::list, content::create))
        .routes(routes!(content::review_queue))
        .routes(routes!(content::get))
        .routes(routes!(content::revise))
        .routes(routes!(content::submit))
        .routes(routes!(content::review))
        .routes(routes!(content::schedule))
        .routes(routes!(products::list, products::create))
        .routes(routes!(products::set_state))
        .routes(routes!(products::get))
        .routes(routes!(products::questionnaire))
        .routes(routes!(products::take_questionnaire))
        .routes(routes!(products::suitability))
        .routes(routes!(products::check))
        .routes(routes!(products::professional))
        .routes(routes!(products::permissions))
        .routes(routes!(products::purchase))
        .routes(routes!(products::funnel))
        .routes(routes!(products::exceptions))
        .routes(routes!(ideas::list, ideas::create))
        .routes(routes!(ideas::ranking))
        .routes(routes!(ideas::get))
        .routes(routes!(ideas::again))
        .routes(routes!(ideas::sources, ideas::add_source))
        .routes(routes!(outreach::list, outreach::send))
        .routes(routes!(outreach::get))
        .routes(routes!(outreach::inbox))
        .routes(routes!(outreach::read))
        .routes(routes!(outreach::filters, outreach::save_filter))
        .routes(routes!(instruments::notices))
        .routes(routes!(portfolios::list, portfolios::create))
        .routes(routes!(portfolios::get))
        .routes(routes!(portfolios::rebalance))
        .routes(routes!(portfolios::follow))
        .routes(routes!(portfolios::unfollow))
        .routes(routes!(advisors::profile))
        .routes(routes!(advisors::introduce))
        .routes(routes!(orders::list, orders::send))
        .routes(routes!(orders::check))
        .routes(routes!(orders::get))
        .routes(routes!(orders::confirm))
        .routes(routes!(orders::cancel))
        .routes(routes!(orders::conditionals, orders::place_conditional))
        .routes(routes!(orders::conditional))
        .routes(routes!(orders::cancel_conditional))
        .routes(routes!(orders::prevented))
        .routes(routes!(orders::sign_st_disclosure))
        .routes(routes!(points::statement))
        .routes(routes!(points::statement_csv))
        .routes(routes!(referrals::tier))
        .routes(routes!(referrals::invite))
        .routes(routes!(referrals::referrals))
        .routes(routes!(referrals::review_queue))
        .routes(routes!(referrals::review))
        .routes(routes!(referrals::report))
        .routes(routes!(referrals::share_idea))
        .routes(routes!(referrals::share_portfolio))
        .routes(routes!(referrals::share_content))
        .routes(routes!(envelopes::send))
        .routes(routes!(envelopes::open))
        .routes(routes!(envelopes::get))
        .routes(routes!(analytics::tuv))
        .routes(routes!(analytics::tuv_csv))
        .routes(routes!(analytics::lifecycle))
        .routes(routes!(analytics::lifecycle_csv))
        .routes(routes!(analytics::cohorts))
        .routes(routes!(analytics::cohorts_csv))
        .routes(routes!(group_health::health))
        .routes(routes!(group_health::health_csv))
        .routes(routes!(group_health::history, group_health::revise))
        .routes(routes!(analytics::advisors))
        .routes(routes!(analytics::advisors_csv))
        .routes(routes!(segments::map))
        .routes(routes!(segments::list, segments::create))
        .routes(routes!(segments::get))
        .routes(routes!(segments::follow_ups))
        .routes(routes!(segments::invitations))
        .routes(routes!(service::list, service::file))
        .routes(routes!(service::get))
        .routes(routes!(service::reply))
        .routes(routes!(service::note))
        .routes(routes!(service::close))
        .routes(routes!(service::reopen))
        .routes(routes!(service::attach))
        .routes(routes!(service::attachment))
        .routes(routes!(service::vote))
        .routes(routes!(service::adopt))
        .routes(routes!(service::board))
        .routes(routes!(service::incidents))
        .routes(routes!(service::incident, service::update_incident))
        .routes(routes!(service::draft_notice))
        .routes(routes!(service::decide_notice))
        .routes(routes!(conversations::list, conversations::open))
        .routes(routes!(conversations::messages, conversations::send));
    let feeds = OpenApiRouter::new()
        .routes(routes!(feeds::import))
        .routes(routes!(feeds::events))
        .routes(routes!(points::feed));
    (session, feeds)
}

/// The OpenAPI document of /api/v1: the routers' paths, with the errors
/// every operation may answer with.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (session, feeds) = routers();
        let mut doc = session.merge(feeds).into_openapi();
        utoipa::Modify::modify(&ErrorResponses, &mut doc);
        doc
    })
}
