//! Advisor communities through the real server on both backends: admission
//! (an unverified customer refused with a clear message, invites, expiry,
//! bans), every step of the moderation ladder with the appeal and the log
//! members read, reports, questions answered on the clock, the compliance
//! gate on content, and a chat socket that resumes after a reconnect with
//! no gap and no duplicate.

use access::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use test_support::{backends, customer_session, load_book, Session, TestApp, TestDb};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// The demo advisor serves customers 1-100; 150 is another advisor's.
const MEMBER: i64 = 2;
const OFFENDER: i64 = 3;
const UNVERIFIED: i64 = 4;
const FLOODER: i64 = 5;

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn post(s: &Session, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    json_of(s.post_json(&app.url(""), path, &body).await).await
}

async fn get(s: &Session, app: &TestApp, path: &str) -> (u16, Value) {
    json_of(s.get(&app.url(path)).await).await
}

async fn say(s: &Session, app: &TestApp, group: i64, text: &str) -> (u16, Value) {
    post(s, app, &format!("/api/v1/groups/{group}/messages"), json!({ "text": text })).await
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_admit_moderate_answer_and_publish_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        community_scenario(&t).await;
    }
}

async fn community_scenario(t: &TestDb) {
    let app = TestApp::spawn(t.db.clone()).await;
    let advisor = t.user(Role::Advisor);
    let a = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let (status, made) =
        post(&a, &app, "/api/v1/groups", json!({ "name": "价值投资交流", "description": "每日复盘" })).await;
    assert_eq!(status, 201, "{made}");
    let group = made["id"].as_i64().unwrap();
    let (status, bad) = post(&a, &app, "/api/v1/groups", json!({ "name": " ", "capacity": 5 })).await;
    assert_eq!((status, bad["code"].as_str(), bad["field"].as_str()), (400, Some("length"), Some("name")));

    // Admission: an unverified customer is told what to do; an application waits for the advisor.
    t.execute(&format!("UPDATE customers SET real_name_verified = FALSE WHERE id = {UNVERIFIED}")).await;
    let unverified = customer_session(t, &app, UNVERIFIED).await;
    let (status, refused) = post(&unverified, &app, &format!("/api/v1/groups/{group}/applications"), json!({})).await;
    assert_eq!(status, 403);
    assert_eq!(refused["code"], "real_name_required");
    assert_eq!(refused["message"], "请先完成实名认证再入群", "Chinese by default, as pages are");
    let apply_in_english = format!("/api/v1/groups/{group}/applications?lang=en");
    let in_english: Value =
        unverified.post_json(&app.url(""), &apply_in_english, &json!({})).await.json().await.unwrap();
    assert_eq!(in_english["message"], "complete real-name verification before joining a group", "{in_english}");
    let member = customer_session(t, &app, MEMBER).await;
    let (status, _) = get(&member, &app, &format!("/api/v1/groups/{group}")).await;
    assert_eq!(status, 404, "not a member yet");
    let (status, applied) =
        post(&member, &app, &format!("/api/v1/groups/{group}/applications"), json!({ "note": "想学习" })).await;
    assert_eq!(status, 201, "{applied}");
    let (_, queue) = get(&a, &app, &format!("/api/v1/groups/{group}/applications")).await;
    let application = queue["applications"][0]["id"].as_i64().unwrap();
    assert_eq!(queue["applications"][0]["customer_id"], MEMBER);
    let decide = format!("/api/v1/applications/{application}/decision");
    assert_eq!(post(&a, &app, &decide, json!({ "approve": false })).await.0, 400, "a rejection needs a reason");
    assert_eq!(post(&a, &app, &decide, json!({ "approve": true })).await.0, 204);
    assert_eq!(post(&a, &app, &decide, json!({ "approve": true })).await.0, 409, "decided once");
    assert_eq!(get(&member, &app, &format!("/api/v1/groups/{group}")).await.0, 200);

    // An invite admits at once; an expired one says so; staff cannot use one.
    let (_, invite) = post(&a, &app, &format!("/api/v1/groups/{group}/invites"), json!({ "days": 3 })).await;
    let token = invite["token"].as_str().unwrap().to_owned();
    let offender = customer_session(t, &app, OFFENDER).await;
    let (status, joined) = post(&offender, &app, &format!("/api/v1/invites/{token}/accept"), json!({})).await;
    assert_eq!((status, joined["group_id"].as_i64()), (200, Some(group)));
    let (status, again) = post(&offender, &app, &format!("/api/v1/invites/{token}/accept"), json!({})).await;
    assert_eq!((status, again["code"].as_str()), (403, Some("already_member")));
    let manager = t.user(Role::Manager);
    let m = app.sign_in(&manager.login, &manager.password).await.unwrap();
    let (status, staff) = post(&m, &app, &format!("/api/v1/invites/{token}/accept"), json!({})).await;
    assert_eq!((status, staff["code"].as_str()), (403, Some("not_a_customer")));
    let (_, old) = post(&a, &app, &format!("/api/v1/groups/{group}/invites"), json!({})).await;
    let old = old["token"].as_str().unwrap();
    t.execute(&format!("UPDATE group_invites SET expires_at = '2020-01-01T00:00:00+00:00' WHERE token = '{old}'"))
        .await;
    let (status, expired) = post(&unverified, &app, &format!("/api/v1/invites/{old}/accept"), json!({})).await;
    assert_eq!(status, 403);
    assert_eq!(expired["code"], "real_name_required", "verification is checked first");
    t.execute(&format!("UPDATE customers SET real_name_verified = TRUE WHERE id = {UNVERIFIED}")).await;
    let (_, expired) = post(&unverified, &app, &format!("/api/v1/invites/{old}/accept"), json!({})).await;
    assert_eq!(expired["code"], "invite_expired");
    // A rejection's reason reaches the applicant.
    post(&unverified, &app, &format!("/api/v1/groups/{group}/applications"), json!({})).await;
    let (_, queue) = get(&a, &app, &format!("/api/v1/groups/{group}/applications")).await;
    let pending = queue["applications"][0]["id"].as_i64().unwrap();
    let no = json!({ "approve": false, "reason": "本群面向长期投资者，请先加入新手群" });
    assert_eq!(post(&a, &app, &format!("/api/v1/applications/{pending}/decision"), no).await.0, 204);
    let mine = unverified.get(&app.url("/groups?lang=en")).await.text().await.unwrap();
    assert!(mine.contains("<strong>rejected</strong> · 本群面向长期投资者，请先加入新手群"), "{mine}");
    // The advisor's private follow-up list, from the admission page.
    let added = a
        .post_form(
            &app.url(""),
            &format!("/groups/{group}/follow-ups?lang=en"),
            &[("customer_id", "2"), ("note", "想学习，邀请参加线下活动")],
        )
        .await;
    assert_eq!(added.status(), 200);
    assert!(added.text().await.unwrap().contains("On your follow-up list."));
    let refused = member
        .post_form(&app.url(""), &format!("/groups/{group}/follow-ups?lang=en"), &[("customer_id", "2"), ("note", "x")])
        .await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("role=\"alert\""), "a refusal is said in place");
    let admission = a.get(&app.url(&format!("/groups/{group}/admission?lang=en"))).await.text().await.unwrap();
    assert!(admission.contains("My follow-up list") && admission.contains("想学习，邀请参加线下活动"), "{admission}");
    // A group made on the page may keep stock talk to trading hours.
    let made = a
        .post_form(
            &app.url(""),
            "/groups?lang=en",
            &[("name", "盘中交流"), ("capacity", "200"), ("stocks_only_in_trading_hours", "on")],
        )
        .await;
    let to = made.headers()["hx-redirect"].to_str().unwrap().to_owned();
    let hours_group: domain::GroupId = to.trim_start_matches("/groups/").split('?').next().unwrap().parse().unwrap();
    let stored = t.db.group(hours_group).await.unwrap().unwrap();
    assert_eq!(stored.capacity, 200);
    assert!(stored.rules.contains("\"stocks_only_in_trading_hours\":true"), "{}", stored.rules);
    let page = a.get(&app.url(&to)).await.text().await.unwrap();
    assert!(page.contains("Stocks outside trading hours"), "the policy is published with the rules");
    let bad = a.post_form(&app.url(""), "/groups?lang=en", &[("name", "x"), ("capacity", "many")]).await;
    assert_eq!(bad.status(), 400);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("data-code=\"not_a_number\"") && bad.contains("many") && bad.contains("role=\"alert\""),
        "said in place: {bad}"
    );
    // The chat page publishes the group's rules.
    let chat = member.get(&app.url(&format!("/groups/{group}?lang=en"))).await.text().await.unwrap();
    assert!(chat.contains("Group rules") && chat.contains("保本") && chat.contains("At most 5 messages in 10 seconds"));

    // The moderation ladder: warn, mute 1 h, appeal and overturn, mute 1 h, mute 24 h, remove.
    let path = format!("/api/v1/groups/{group}/messages");
    let (status, first) = say(&offender, &app, group, "这只票保本稳赚，放心买").await;
    assert_eq!(status, 422, "{first}");
    assert_eq!(first["code"], "message_blocked");
    let details = &first["details"];
    assert_eq!(
        (details["violation"].as_str(), details["sanction"].as_str()),
        (Some("guaranteed_returns"), Some("warn"))
    );
    assert_eq!(details["excerpt"], "保本");
    assert!(first["message"].as_str().unwrap().contains("您可以申诉"), "{first}");
    // Disguised (issue 29): the screen normalizes before it matches, and says how.
    let (status, second) = say(&offender, &app, group, "加 V：stock888 细聊").await;
    assert_eq!((status, second["details"]["sanction"].as_str()), (422, Some("mute_hour")), "{second}");
    assert_eq!(second["details"]["violation"], "off_platform_contact", "{second}");
    assert_eq!(second["details"]["reason"], "wechat or qq id (letter_case, separators)", "{second}");
    assert!(second["details"]["muted_until"].is_string());
    let (status, muted) = say(&offender, &app, group, "我错了").await;
    assert_eq!(status, 403);
    assert_eq!(muted["code"], "member_muted", "{muted}");
    let action = second["details"]["action_id"].as_i64().unwrap();
    let appeal = format!("/api/v1/moderation/{action}/appeal");
    assert_eq!(post(&member, &app, &appeal, json!({ "text": "not mine" })).await.0, 403, "only the sanctioned member");
    assert_eq!(post(&offender, &app, &appeal, json!({ "text": "那是我公司的公众号名称" })).await.0, 204);
    assert_eq!(post(&offender, &app, &appeal, json!({ "text": "again" })).await.0, 409);
    let review = format!("/api/v1/moderation/{action}/review");
    assert_eq!(post(&member, &app, &review, json!({ "overturn": true, "note": "x" })).await.0, 403);
    assert_eq!(post(&a, &app, &review, json!({ "overturn": true, "note": "误判，已解除" })).await.0, 204);
    let (status, back) = say(&offender, &app, group, "谢谢老师").await;
    assert_eq!(status, 201, "the overturned mute is lifted: {back}");
    let mut steps = Vec::new();
    for text in ["明天必涨，跟我买", "内幕消息：下周重组", "看这里 https://example.com/x"] {
        let (status, b) = say(&offender, &app, group, text).await;
        assert_eq!(status, 422, "{b}");
        steps.push(b["details"]["sanction"].as_str().unwrap().to_owned());
        // The mute runs out before the next offence.
        t.execute(&format!("UPDATE group_members SET muted_until = NULL WHERE customer_id = {OFFENDER}")).await;
    }
    assert_eq!(steps, ["mute_hour", "mute_day", "remove"], "the overturned action no longer counts");
    assert_eq!(get(&offender, &app, &format!("/api/v1/groups/{group}")).await.0, 404, "removed");

    // Members read the log: every action, the appeal and its review.
    let (status, log) = get(&member, &app, &format!("/api/v1/groups/{group}/moderation")).await;
    assert_eq!(status, 200);
    let actions = log["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 5);
    let overturned = actions.iter().find(|x| x["id"] == action).unwrap();
    assert_eq!((overturned["overturned"].as_bool(), overturned["review"].as_str()), (Some(true), Some("误判，已解除")));
    assert_eq!(overturned["appeal"], "那是我公司的公众号名称");
    let page = member.get(&app.url(&format!("/groups/{group}/moderation?lang=en"))).await.text().await.unwrap();
    assert!(page.contains("Promised returns") && page.contains("Removed") && page.contains("overturned"), "{page}");

    // A report goes to the admins' queue; resolving it can sanction the sender.
    let (_, history) = get(&member, &app, &format!("{path}?limit=500")).await;
    let thanks =
        history["messages"].as_array().unwrap().iter().find(|x| x["body"] == "谢谢老师").unwrap()["id"].clone();
    let (status, report) =
        post(&member, &app, &format!("/api/v1/messages/{thanks}/reports"), json!({ "reason": "刷屏" })).await;
    assert_eq!(status, 201, "{report}");
    let (_, reports) = get(&a, &app, &format!("/api/v1/groups/{group}/reports")).await;
    assert_eq!(reports["reports"][0]["reason"], "刷屏");
    assert_eq!(get(&member, &app, &format!("/api/v1/groups/{group}/reports")).await.0, 403);
    let resolve = format!("/api/v1/reports/{}/resolve", report["id"]);
    assert_eq!(post(&a, &app, &resolve, json!({ "outcome": "dismiss", "note": "正常发言" })).await.0, 204);
    assert_eq!(get(&a, &app, &format!("/api/v1/groups/{group}/reports")).await.1["reports"], json!([]));

    // A question, answered by the advisor's reply: its clock stops and counts service minutes.
    let (status, asked) = post(&member, &app, &path, json!({ "text": "请问明天还能加仓吗" })).await;
    assert_eq!(status, 201);
    let question = asked["id"].as_i64().unwrap();
    let q = t.db.question(domain::MessageId(question)).await.unwrap().expect("detected as a question");
    assert_eq!(q.answered_at, None);
    let (status, reply) = post(&a, &app, &path, json!({ "text": "@张三 控制仓位，分批", "reply_to": question })).await;
    assert_eq!(status, 201);
    assert_eq!(reply["mentions"], json!(["张三"]));
    let q = t.db.question(domain::MessageId(question)).await.unwrap().unwrap();
    assert_eq!(q.answer_id, reply["id"].as_i64().map(domain::MessageId));
    assert!(q.service_minutes.is_some_and(|m| m <= 1));
    // The asker earns the answered question's points (issue 27).
    let key = format!("earn:answered:{}:{question}", q.customer_id);
    let sql =
        format!("SELECT CAST(amount AS TEXT) FROM points_transfers WHERE id = '{key}' AND credit = {}", q.customer_id);
    assert_eq!(t.text(&sql).await, "5", "{}", t.name);
    let (_, times) = get(&a, &app, "/api/v1/questions/response-times").await;
    let advisor_line =
        times["response_times"].as_array().unwrap().iter().find(|r| r["by"] == "advisor").unwrap().clone();
    assert_eq!(advisor_line["answered"], 1);
    assert_eq!(get(&member, &app, "/api/v1/questions").await.0, 403);

    // Pinned notices come with the group.
    let pin = format!("{path}/{}/pin", reply["id"]);
    assert_eq!(post(&a, &app, &pin, json!({ "pinned": true })).await.0, 204);
    assert_eq!(get(&member, &app, &format!("/api/v1/groups/{group}")).await.1["pinned"][0]["id"], reply["id"]);

    // The chat page pages back through history, read only.
    for k in 0..55 {
        say(&a, &app, group, &format!("历史消息 {k}")).await;
    }
    let live = member.get(&app.url(&format!("/groups/{group}?lang=en"))).await.text().await.unwrap();
    assert_eq!(live.matches("<li class=\"message ").count(), 50 + 1, "50 recent and the pinned notice");
    let earlier =
        live.split("class=\"earlier\" href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let older = member.get(&app.url(&earlier)).await.text().await.unwrap();
    assert!(
        older.contains("历史消息 4") && !older.contains("历史消息 5<") && !older.contains("id=\"chat-form\""),
        "{older}"
    );

    // Flooding is a breach like any other.
    let flooder = customer_session(t, &app, FLOODER).await;
    let (_, invite) = post(&a, &app, &format!("/api/v1/groups/{group}/invites"), json!({})).await;
    post(&flooder, &app, &format!("/api/v1/invites/{}/accept", invite["token"].as_str().unwrap()), json!({})).await;
    let mut flood = Vec::new();
    for k in 0..6 {
        flood.push(say(&flooder, &app, group, &format!("第{k}条")).await.0);
    }
    assert_eq!(flood, [201, 201, 201, 201, 201, 422]);

    compliance_gate(t, &app, &a, &member, group).await;

    // A ban reaches every group of the advisor's at once, and keeps the customer out.
    let (_, second_group) = post(&a, &app, "/api/v1/groups", json!({ "name": "新手课堂" })).await;
    let second_group = second_group["id"].as_i64().unwrap();
    let (_, invite) = post(&a, &app, &format!("/api/v1/groups/{second_group}/invites"), json!({})).await;
    let token = invite["token"].as_str().unwrap();
    assert_eq!(post(&member, &app, &format!("/api/v1/invites/{token}/accept"), json!({})).await.0, 200);
    let bans = format!("/api/v1/groups/{group}/bans");
    let (status, nobody) = post(&a, &app, &bans, json!({ "customer_id": 987_654_321, "reason": "多次违规" })).await;
    assert_eq!(
        (status, nobody["code"].as_str(), nobody["field"].as_str()),
        (400, Some("unknown_customer"), Some("customer_id")),
        "a ban of no one: {nobody}"
    );
    let (status, banned) = post(&a, &app, &bans, json!({ "customer_id": MEMBER, "reason": "多次违规" })).await;
    assert_eq!(status, 200);
    assert_eq!(banned["removed_from"], json!([group, second_group]));
    let (status, refused) = post(&member, &app, &format!("/api/v1/groups/{group}/applications"), json!({})).await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("banned_by_advisor")));
}

/// Nothing unapproved reaches a group: drafts with banned phrases are not
/// submitted, scheduling waits for approval, later drafts do not replace
/// the approved version, and what goes out carries the disclaimer and licence.
async fn compliance_gate(t: &TestDb, app: &TestApp, a: &Session, member: &Session, group: i64) {
    let compliance = t.user(Role::Compliance);
    let c = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
    let (status, item) = post(
        a,
        app,
        "/api/v1/content",
        json!({ "kind": "pre_market", "title": "周一早评", "body": "这只票穩-賺，bao zheng shou yi" }),
    )
    .await;
    assert_eq!(status, 201);
    let item = item["id"].as_i64().unwrap();
    let content = |p: &str| format!("/api/v1/content/{item}{p}");
    let (status, banned) = post(a, app, &content("/submit"), json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(banned["code"], "banned_phrases", "{banned}");
    let phrases = banned["details"]["phrases"].as_str().unwrap();
    assert!(phrases.contains("\"穩-賺\" (guaranteed_returns: 稳赚 (traditional, separators))"), "{banned}");
    let (status, _) =
        post(a, app, &content("/versions"), json!({ "title": "周一早评", "body": "关注量能变化。" })).await;
    assert_eq!(status, 201);
    assert_eq!(post(a, app, &content("/submit"), json!({})).await.0, 200);
    let (status, early) = post(a, app, &content("/schedule"), json!({ "groups": [group] })).await;
    assert_eq!((status, early["code"].as_str()), (409, Some("not_approved")));
    assert_eq!(post(a, app, &content("/review"), json!({ "version": 2, "approve": true })).await.0, 403);
    let (_, queue) = get(&c, app, "/api/v1/content/review-queue").await;
    assert_eq!(queue["versions"][0]["version"], 2);
    assert_eq!(post(&c, app, &content("/review"), json!({ "version": 2, "approve": false })).await.0, 400);
    let reject = json!({ "version": 2, "approve": false, "comment": "请补充风险提示" });
    assert_eq!(post(&c, app, &content("/review"), reject).await.0, 204);
    assert_eq!(post(a, app, &content("/schedule"), json!({ "groups": [group] })).await.0, 409);
    post(a, app, &content("/versions"), json!({ "title": "周一早评", "body": "关注量能变化，注意仓位。" })).await;
    assert_eq!(post(a, app, &content("/submit"), json!({})).await.0, 200);
    assert_eq!(post(&c, app, &content("/review"), json!({ "version": 3, "approve": true })).await.0, 204);
    // A newer draft does not replace what compliance approved.
    post(a, app, &content("/versions"), json!({ "title": "未审核", "body": "未审核的新版本" })).await;
    let (status, scheduled) = post(a, app, &content("/schedule"), json!({ "groups": [group] })).await;
    assert_eq!((status, scheduled["scheduled"].as_i64()), (200, Some(1)));
    let (_, history) = get(member, app, &format!("/api/v1/groups/{group}/messages?limit=500")).await;
    let bodies: Vec<&str> =
        history["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    let published: Vec<&&str> = bodies.iter().filter(|b| b.contains("周一早评") || b.contains("未审核")).collect();
    assert_eq!(published.len(), 1, "{bodies:?}");
    assert!(published[0].contains("关注量能变化，注意仓位。") && !published[0].contains("稳赚"));
    assert!(published[0].contains("Licence No. S") && published[0].contains("不构成投资建议"), "{}", published[0]);
    // A later placement waits for its time.
    let (_, later) =
        post(a, app, &content("/schedule"), json!({ "groups": [group], "at": "2099-01-01 09:00:00" })).await;
    assert_eq!(later["scheduled"], 1);
    let (_, again) = get(member, app, &format!("/api/v1/groups/{group}/messages?limit=500")).await;
    assert_eq!(again["messages"].as_array().unwrap().len(), bodies.len());
    // Reading counts once per member; the author sees every version.
    let (status, read) = get(member, app, &content("")).await;
    assert_eq!((status, read["reads"].as_i64()), (200, Some(1)));
    assert_eq!(read["versions"].as_array().unwrap().len(), 1, "a member sees only what was published");
    get(member, app, &content("")).await;
    // Reading it earned points once, however often it is read (issue 27).
    let sql = format!("SELECT CAST(COUNT(*) AS TEXT) FROM points_transfers WHERE id LIKE 'earn:read:%:content:{item}'");
    assert_eq!(t.text(&sql).await, "1", "{}", t.name);
    // The member shares it from the chat: a link and QR code carrying their invite code.
    let page = member.get(&app.url(&format!("/content/{item}/share?lang=en"))).await.text().await.unwrap();
    assert!(page.contains("id=\"share-link\"") && page.contains("<svg"), "{}: {page}", t.name);
    let (status, shared) = get(member, app, &format!("/api/v1/content/{item}/share")).await;
    assert_eq!(status, 200, "{}: {shared}", t.name);
    let (_, mine) = get(a, app, &content("")).await;
    assert_eq!((mine["versions"].as_array().unwrap().len(), mine["reads"].as_i64()), (4, Some(1)));
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, s: &Session, group: i64, after: i64) -> Socket {
    let url = format!("ws://{}/groups/{group}/live?after={after}", app.addr);
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("cookie", s.cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.expect("the chat socket opens").0
}

/// Reads events until `ready`, then `more` events after it: the message ids in order.
async fn read_ids(socket: &mut Socket, more: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut ready = false;
    let mut after_ready = 0;
    while !ready || after_ready < more {
        let Message::Text(text) = next_frame(socket).await else { continue };
        let event: Value = serde_json::from_str(&text).unwrap();
        match event["type"].as_str() {
            Some("ready") => ready = true,
            Some("message") => {
                ids.push(event["id"].as_i64().unwrap());
                if ready {
                    after_ready += 1;
                }
            }
            _ => {}
        }
    }
    ids
}

/// Reads the next `count` messages.
async fn read_ids_more(socket: &mut Socket, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    while ids.len() < count {
        let Message::Text(text) = next_frame(socket).await else { continue };
        let event: Value = serde_json::from_str(&text).unwrap();
        if event["type"] == "message" {
            ids.push(event["id"].as_i64().unwrap());
        }
    }
    ids
}

/// A fresh app whose advisor has made a group (from `group`, the API's body)
/// with customer MEMBER in it: the book, the app, the advisor, the group, the member.
async fn group_with_a_member(group: Value) -> (TestDb, TestApp, Session, i64, Session) {
    let mut t = test_support::sqlite().await;
    load_book(&mut t, 200, 100).await;
    let app = TestApp::spawn(t.db.clone()).await;
    let advisor = t.user(Role::Advisor);
    let a = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let (_, made) = post(&a, &app, "/api/v1/groups", group).await;
    let id = made["id"].as_i64().unwrap();
    let (_, invite) = post(&a, &app, &format!("/api/v1/groups/{id}/invites"), json!({})).await;
    let member = customer_session(&t, &app, MEMBER).await;
    post(&member, &app, &format!("/api/v1/invites/{}/accept", invite["token"].as_str().unwrap()), json!({})).await;
    (t, app, a, id, member)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reconnecting_socket_resumes_with_no_gap_and_no_duplicate() {
    let (t, app, a, group, member) = group_with_a_member(json!({ "name": "实时群" })).await;
    for k in 0..5 {
        say(&a, &app, group, &format!("早盘要点 {k}")).await;
    }

    // First connection: the join notice and five messages from history, and one sent meanwhile.
    let mut socket = connect(&app, &member, group, 0).await;
    let live_one = say(&a, &app, group, "live one").await.1["id"].as_i64().unwrap();
    let mut seen = read_ids(&mut socket, 0).await;
    if !seen.contains(&live_one) {
        seen.extend(read_ids_more(&mut socket, 1).await);
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    socket.close(None).await.ok();

    // While away: the member misses messages, sent by the advisor and by the member over another socket.
    let last = *seen.iter().max().unwrap();
    for k in 0..3 {
        say(&a, &app, group, &format!("离线时 {k}")).await;
    }
    let mut other = connect(&app, &member, group, i64::MAX - 1).await;
    other.send(Message::Text(json!({ "text": "我从另一台设备发的" }).to_string().into())).await.unwrap();
    let own = read_ids(&mut other, 1).await;
    assert_eq!(own.len(), 1, "a socket opened after everything gets only what comes next");

    // Reconnecting after the last id seen: exactly the missed ones, in order, then live again.
    let mut socket = connect(&app, &member, group, last).await;
    let resumed = read_ids(&mut socket, 0).await;
    let stored: Vec<i64> =
        t.db.messages_after(domain::GroupId(group), domain::MessageId(0), 1_000)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id.0)
            .collect();
    let mut all = seen.clone();
    all.extend(&resumed);
    assert_eq!(all, stored, "every message once, in order: no gap and no duplicate");
    assert_eq!(resumed.len(), 4);
    say(&a, &app, group, "恢复后").await;
    let live = read_ids_more(&mut socket, 1).await;
    assert_eq!(live.len(), 1);
    assert!(live[0] > *resumed.last().unwrap());

    // A breach over the socket is answered to the sender alone.
    socket.send(Message::Text(json!({ "text": "保本稳赚" }).to_string().into())).await.unwrap();
    let blocked = next_event(&mut socket).await;
    let said = (blocked["type"].as_str(), blocked["code"].as_str(), blocked["details"]["sanction"].as_str());
    assert_eq!(said, (Some("blocked"), Some("message_blocked"), Some("warn")), "{blocked}");

    // Someone outside the group cannot open its socket; another site's page cannot either.
    let outsider = customer_session(&t, &app, 150).await;
    let mut request = format!("ws://{}/groups/{group}/live", app.addr).into_client_request().unwrap();
    request.headers_mut().insert("cookie", outsider.cookie.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
    let mut request = format!("ws://{}/groups/{group}/live", app.addr).into_client_request().unwrap();
    request.headers_mut().insert("cookie", member.cookie.parse().unwrap());
    request.headers_mut().insert("origin", "http://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_sending_too_fast_over_the_socket_is_told_to_slow_down_and_loses_nothing_else() {
    // The group's own flood rule set wide, so that only the socket's pace applies.
    let rules = json!({ "flood_messages": 100, "flood_seconds": 10 });
    let (t, app, a, group, member) = group_with_a_member(json!({ "name": "快嘴群", "rules": rules })).await;
    let mut socket = connect(&app, &member, group, 0).await;
    read_ids(&mut socket, 0).await;

    let sent = 15;
    for k in 0..sent {
        socket.send(Message::Text(json!({ "text": format!("第 {k} 条") }).to_string().into())).await.unwrap();
    }
    // Every message is either stored and delivered back, or answered "slow down".
    let (mut delivered, mut slowed) = (0, 0);
    while delivered + slowed < sent {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an answer in time")
            .expect("the socket stays open")
            .unwrap();
        let Message::Text(text) = frame else { continue };
        let event: Value = serde_json::from_str(&text).unwrap();
        match (event["type"].as_str(), event["code"].as_str()) {
            (Some("message"), _) if event["body"].as_str().is_some_and(|t| t.starts_with("第 ")) => delivered += 1,
            (Some("error"), Some("slow_down")) => slowed += 1,
            _ => {}
        }
    }
    assert!(slowed > 0 && delivered >= 10, "the burst of 10 passes, the rest is paced: {delivered} / {slowed}");
    let stored = t.db.messages_after(domain::GroupId(group), domain::MessageId(0), 1_000).await.unwrap();
    let own = stored.iter().filter(|m| m.body.starts_with("第 ")).count();
    assert_eq!(own, delivered, "what was delivered back is what was stored");

    // The paced socket still delivers what others send.
    let next = say(&a, &app, group, "收盘点评").await.1["id"].as_i64().unwrap();
    assert_eq!(read_ids_more(&mut socket, 1).await, vec![next]);
}

/// The next frame: fails on a timeout or a closed socket.
async fn next_frame(socket: &mut Socket) -> Message {
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("an event in time")
        .expect("the socket stays open")
        .unwrap()
}

/// The next text event, skipping nothing: fails on a close or a timeout.
async fn next_event(socket: &mut Socket) -> Value {
    match next_frame(socket).await {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected an event, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_banned_member_s_open_socket_is_told_and_closed_while_the_group_s_stay_open() {
    let (_t, app, a, group, member) = group_with_a_member(json!({ "name": "盘中答疑" })).await;
    let mut banned = connect(&app, &member, group, 0).await;
    let mut advisor = connect(&app, &a, group, 0).await;
    read_ids(&mut banned, 0).await;
    read_ids(&mut advisor, 0).await;

    let bans = format!("/api/v1/groups/{group}/bans");
    assert_eq!(post(&a, &app, &bans, json!({ "customer_id": MEMBER, "reason": "站外引流" })).await.0, 200);

    // The banned member's socket hears it, then is closed with the reason.
    let notice = next_event(&mut banned).await;
    assert_eq!((notice["type"].as_str(), notice["customer_id"].as_i64()), (Some("removed"), Some(MEMBER)));
    let closing = tokio::time::timeout(std::time::Duration::from_secs(10), banned.next()).await.unwrap();
    match closing {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!((u16::from(frame.code), frame.reason.as_str()), (4001, "removed from the group"))
        }
        other => panic!("expected the closing frame, got {other:?}"),
    }

    // The advisor's socket hears the same notice and stays live.
    assert_eq!(next_event(&mut advisor).await["type"], "removed");
    let id = say(&a, &app, group, "继续答疑").await.1["id"].as_i64().unwrap();
    assert_eq!(next_event(&mut advisor).await["id"].as_i64(), Some(id));
}
