//! Server-rendered pages. Every word comes from the message catalogues.

mod advisors;
mod analytics;
mod charts;
mod content;
mod conversations;
mod customers;
pub(crate) mod groups;
mod ideas;
mod inbox;
mod instruments;
mod layout;
mod map;
mod orders;
mod overview;
mod plan;
mod points;
mod portfolios;
pub(crate) mod products;
mod referrals;
mod reminders;
mod service;
pub(crate) mod sharing;
mod tasks;

pub use layout::shell;
pub use referrals::landing as invite_landing;
pub use sharing::open as share_open;

use crate::AppState;
use axum::routing::{get, post, MethodRouter};

/// The pages, as (path, handlers).
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(overview::show)),
        ("/customers", get(customers::list)),
        ("/customers.csv", get(customers::csv)),
        ("/customers/{id}", get(customers::detail)),
        ("/customers/{id}/reveal", post(customers::reveal)),
        ("/customers/{id}/history/{kind}", get(customers::history)),
        ("/instruments", get(instruments::list)),
        ("/instruments/{code}", get(instruments::detail)),
        ("/tasks", get(tasks::list)),
        ("/reminders", get(reminders::list)),
        ("/reminders/volume", get(reminders::volume)),
        ("/reminders/live", get(reminders::live)),
        ("/tasks/{id}/done", post(tasks::done)),
        ("/plan", get(plan::show)),
        ("/plan.csv", get(plan::csv)),
        ("/plan/{id}/done", post(plan::done)),
        ("/plan/{id}/hours", post(plan::hours)),
        ("/groups", get(groups::list).post(groups::create)),
        ("/groups/{group}", get(groups::chat)),
        ("/groups/{group}/live", get(groups::live)),
        ("/groups/{group}/apply", post(groups::apply)),
        ("/groups/{group}/admission", get(groups::admission)),
        ("/groups/{group}/invite", post(groups::invite)),
        ("/groups/{group}/moderation", get(groups::moderation)),
        ("/groups/{group}/health", get(groups::health)),
        ("/groups/{group}/rules", get(groups::rules).post(groups::revise_rules)),
        ("/applications/{application}/decision", post(groups::decide)),
        ("/join/{token}", get(groups::join_page).post(groups::join)),
        ("/moderation/{action}/appeal", post(groups::appeal)),
        ("/moderation/{action}/review", post(groups::review)),
        ("/reports/{report}/resolve", post(groups::resolve)),
        ("/questions", get(groups::questions)),
        ("/groups/{group}/follow-ups", post(groups::follow_up)),
        ("/content", get(content::show).post(content::create)),
        ("/content/{item}/versions", post(content::revise)),
        ("/content/{item}/submit", post(content::submit)),
        ("/content/{item}/review", post(content::review)),
        ("/content/{item}/schedule", post(content::schedule)),
        ("/content/{item}/share", get(sharing::content)),
        ("/products", get(products::list)),
        ("/products/{product}", get(products::detail)),
        ("/products/{product}/purchase", post(products::purchase)),
        ("/questionnaire", get(products::questionnaire)),
        ("/customers/{id}/questionnaire", post(products::answer)),
        ("/customers/{id}/permissions", post(products::check_permissions)),
        ("/customers/{id}/professional", post(products::professional)),
        ("/funnel", get(products::funnel)),
        ("/suitability", get(products::exceptions)),
        ("/ideas", get(ideas::list).post(ideas::propose)),
        ("/ideas/ranking", get(ideas::ranking)),
        ("/ideas/{idea}", get(ideas::detail)),
        ("/ideas/{idea}/again", post(ideas::again)),
        ("/ideas/{idea}/send", post(ideas::send)),
        ("/inbox", get(inbox::show)),
        ("/inbox/live", get(inbox::live)),
        ("/inbox/{send}/read", post(inbox::read)),
        ("/sends", get(inbox::sends)),
        ("/sends/{send}", get(inbox::send)),
        ("/orders", get(orders::list)),
        ("/orders/ticket", get(orders::ticket).post(orders::send)),
        ("/orders/conditional", post(orders::place_conditional)),
        ("/orders/prevented", get(orders::prevented)),
        ("/points", get(points::mine)),
        ("/customers/{id}/points", get(points::statement)),
        ("/referrals", get(referrals::show)),
        ("/analytics", get(analytics::show)),
        ("/map", get(map::show)),
        ("/conversations", get(conversations::list).post(conversations::open)),
        ("/conversations/{conversation}", get(conversations::show)),
        ("/conversations/{conversation}/messages", post(conversations::send)),
        ("/conversations/{conversation}/live", get(conversations::live)),
        ("/service", get(service::home)),
        ("/service/tickets", post(service::file)),
        ("/service/tickets/{ticket}", get(service::ticket)),
        ("/service/tickets/{ticket}/reply", post(service::reply)),
        ("/service/tickets/{ticket}/note", post(service::note)),
        ("/service/tickets/{ticket}/close", post(service::close)),
        ("/service/tickets/{ticket}/reopen", post(service::reopen)),
        ("/service/tickets/{ticket}/vote", post(service::vote)),
        ("/service/tickets/{ticket}/adopt", post(service::adopt)),
        ("/service/feedback", get(service::board)),
        ("/incidents", get(service::incidents)),
        ("/incidents/{incident}", get(service::incident)),
        ("/incidents/{incident}/facts", post(service::incident_facts)),
        ("/incidents/{incident}/notice", post(service::incident_notice)),
        ("/incidents/{incident}/decision", post(service::incident_decision)),
        ("/map/segments", post(map::save)),
        ("/segments/{id}/follow-ups", post(map::follow_ups)),
        ("/segments/{id}/invitations", post(map::invitations)),
        ("/referrals/{seq}/review", post(referrals::review)),
        ("/orders/{order}/confirm", post(orders::confirm)),
        ("/orders/{order}/cancel", post(orders::cancel)),
        ("/portfolios", get(portfolios::list).post(portfolios::create)),
        ("/portfolios/{portfolio}", get(portfolios::detail)),
        ("/portfolios/{portfolio}/follow", post(portfolios::follow)),
        ("/portfolios/{portfolio}/rebalances", post(portfolios::rebalance)),
        ("/advisors/{advisor}", get(advisors::profile)),
        ("/advisors/{advisor}/introduction", post(advisors::introduce)),
    ]
}
