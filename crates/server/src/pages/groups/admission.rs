//! Who gets in: the admission queue, invites and the join page, and the
//! advisor's follow-up list kept from a group.

use super::*;

/// GET /groups/{group}/admission: pending applications to approve or reject
/// with a reason, and invite links (the group's admins).
pub async fn admission(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id = path_id(&group, "group").map_err(fail)?;
    let (g, standing) = state.community.group_for(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let pending =
        state.community.applications(&viewer.principal, g.id, Some("pending")).await.map_err(|e| fail(e.into()))?;
    let seeds = state.community.seeds(&viewer.principal, g.id, 30).await.map_err(|e| fail(e.into()))?;
    let names: HashMap<domain::CustomerId, String> = state
        .db
        .members(g.id)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|m| (m.customer_id, m.name))
        .collect();
    let follow_ups = match (viewer.principal.role, viewer.principal.staff_id) {
        (Role::Advisor, Some(s)) => state.db.follow_ups(s).await.map_err(|e| fail(e.into()))?,
        _ => Vec::new(),
    };
    let lang = locale.tag();
    let body = html! {
        h1 { (g.name) " · " (locale.t("admission-title")) }
        (group_links(locale, &g, standing))
        @if pending.is_empty() { p.empty { (locale.t("admission-none")) } } @else {
            table.applications {
                thead { tr { th { (locale.t("col-customer")) } th { (locale.t("col-note")) } th { (locale.t("col-applied")) } th {} } }
                tbody { @for a in &pending { tr.application id={ "application-" (a.id) } {
                    td { a href={ "/customers/" (a.customer_id) "?lang=" (lang) } { (a.customer) } }
                    td { (a.note) } td { (when(a.created_at)) }
                    td {
                        form hx-post={ "/applications/" (a.id) "/decision?lang=" (lang) } hx-target="next .result" {
                            input type="text" name="reason" maxlength="200" placeholder=(locale.t("admission-reason"));
                            button type="submit" name="approve" value="true" { (locale.t("admission-approve")) }
                            button type="submit" name="approve" value="false" { (locale.t("admission-reject")) }
                        }
                        div.result {}
                    }
                } } }
            }
        }
        h2 { (locale.t("seeds-title")) }
        @if seeds.is_empty() { p.empty { (locale.t("seeds-none")) } } @else {
            table.seeds { tbody { @for seed in &seeds { tr.seed {
                td { a href={ "/customers/" (seed.customer_id) "?lang=" (lang) } { (names.get(&seed.customer_id).map_or("", String::as_str)) } }
                td { (locale.t(&format!("seed-{}", serde_json::to_value(seed.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()))) }
                td { (seed.reasons.join(", ")) }
                td { @if viewer.principal.role == Role::Advisor {
                    form hx-post={ "/groups/" (g.id) "/follow-ups?lang=" (lang) } hx-target="this" hx-swap="outerHTML" {
                        input type="hidden" name="customer_id" value=(seed.customer_id);
                        input type="text" name="note" maxlength="500" required placeholder=(locale.t("follow-up-note"));
                        button type="submit" { (locale.t("follow-up-add")) }
                    }
                } }
            } } } }
        }
        @if !follow_ups.is_empty() {
            h2 { (locale.t("follow-ups-title")) }
            ul.follow-ups { @for f in &follow_ups { li {
                a href={ "/customers/" (f.customer_id) "?lang=" (lang) } { (f.customer) } " · " (f.note) " · " (when(f.at))
            } } }
        }
        h2 { (locale.t("invite-title")) }
        form.invite hx-post={ "/groups/" (g.id) "/invite?lang=" (lang) } hx-target="#invite-link" {
            label { (locale.t("invite-days")) " " input type="number" name="days" value="7" min="1" max="30"; }
            button type="submit" { (locale.t("invite-make")) }
        }
        p id="invite-link" {}
    };
    Ok(page(locale, &locale.t("admission-title"), &format!("/groups/{}/admission", g.id), &viewer, body))
}

/// POST /groups/{group}/follow-ups (htmx): from a group's page, its advisor
/// puts a customer on their private follow-up list.
pub async fn follow_up(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let result = async {
        let (_, standing) = state.community.group_for(&viewer.principal, path_id(&group, "group")?).await?;
        if !standing.is_admin() {
            return Err(HttpError::of(app::codes::GROUP_ADMINS_ONLY).with("action", "follow_up"));
        }
        let customer = form.get("customer_id").map(|c| c.trim()).unwrap_or("");
        let customer = customer
            .parse::<domain::CustomerId>()
            .map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on("customer_id").with("value", customer))?;
        let note = form.get("note").map(String::as_str).unwrap_or("");
        state.community.follow_up(&viewer.principal, customer, note).await?;
        Ok(html! { span.followed { (locale.t("follow-up-added")) } })
    };
    form_reply(locale, result.await)
}

/// POST /applications/{application}/decision (htmx): approve or reject with a reason.
pub async fn decide(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(application): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = path_id(&application, "application")?;
        let approve = form.get("approve").map(String::as_str) == Some("true");
        let reason = form.get("reason").map(String::as_str).unwrap_or("");
        state.community.decide_application(&viewer.principal, id, approve, reason).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// POST /groups/{group}/invite (htmx): a new invite link.
pub async fn invite(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let result = async {
        let id = path_id(&group, "group")?;
        let days = match form.get("days").map(|d| d.trim()).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(
                d.parse::<i64>().map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on("days").with("value", d))?,
            ),
        };
        let (token, expires) = state.community.invite(&viewer.principal, id, days).await?;
        Ok(html! {
            (locale.t("invite-link")) " " a href={ "/join/" (token) } { "/join/" (token) }
            " · " (locale.t("invite-expires")) " " (when(expires))
        })
    };
    form_reply(locale, result.await)
}

/// GET /join/{token}: the group an invite leads to, and the button to join.
pub async fn join_page(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let (group_id, expires) = state
        .db
        .invite(&token)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or(fail(HttpError::of(app::codes::INVITE_NOT_FOUND)))?;
    let g = state
        .db
        .group(group_id)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or(fail(HttpError::of(app::codes::GROUP_NOT_FOUND)))?;
    let body = html! {
        h1 { (locale.t("join-title")) " " (g.name) }
        p { (g.description) } p { (locale.t("col-advisor")) ": " (g.advisor) " · " (locale.t("invite-expires")) " " (when(expires)) }
        form hx-post={ "/join/" (token) "?lang=" (locale.tag()) } hx-target="#join-result" {
            button type="submit" { (locale.t("join-button")) }
        }
        div id="join-result" {}
    };
    Ok(page(locale, &locale.t("join-title"), &format!("/join/{token}"), &viewer, body))
}

/// POST /join/{token} (htmx): in at once, or told why not.
pub async fn join(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    ReaderLocale(locale): ReaderLocale,
) -> Response {
    match state.community.accept_invite(&viewer.principal, &token).await {
        Ok(group) => {
            let to = format!("/groups/{group}?lang={}", q.lang.as_deref().unwrap_or("zh"));
            ([("HX-Redirect", to)], StatusCode::NO_CONTENT).into_response()
        }
        Err(e) => form_reply(locale, Err(e.into())),
    }
}
