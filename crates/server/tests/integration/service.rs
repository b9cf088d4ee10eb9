//! Feedback, complaints and incidents through the real server on both
//! backends (issue 29): a complaint routed to the advisor, escalated to the
//! branch manager and then compliance as its SLA passes on the injected
//! clock, answered, closed with the customer's satisfaction and reopened,
//! every step audited; attachments checked by their bytes; suggestions
//! voted for and adopted with the author's points; and a replayed outage
//! (500 login complaints in 10 minutes, and members saying so in a group)
//! opening one incident, graded, whose notice reaches the group only once
//! compliance approves it.

use access::{Principal, Role};
use app::service::{Filing, ServiceDesk};
use chrono::Duration;
use domain::{parse_timestamp, CustomerId, SetClock, UserId};
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{backends, customer_session, load_book, Session, TestApp, TestDb};

/// The demo advisor serves customers 1-100; 150 is another advisor's.
const CUSTOMER: i64 = 7;
const NEIGHBOUR: i64 = 8;
const ELSEWHERE: i64 = 150;

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

fn customer(id: i64) -> Principal {
    Principal {
        user_id: UserId(10_000 + id),
        login: format!("customer{id}"),
        role: Role::Customer,
        staff_id: None,
        branch_id: None,
        customer_id: Some(CustomerId(id)),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn complaints_are_routed_escalated_answered_closed_and_reopened_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        handling(&t).await;
    }
}

async fn handling(t: &TestDb) {
    let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
    let db = t.db.clone().with_clock(clock.clone());
    let app = TestApp::spawn(db.clone()).await;
    let desk = ServiceDesk::new(db.clone(), Default::default());
    let me = customer_session(t, &app, CUSTOMER).await;
    let (adv, mgr, comp, adm) =
        (t.user(Role::Advisor), t.user(Role::Manager), t.user(Role::Compliance), t.user(Role::Admin));
    let advisor = app.sign_in(&adv.login, &adv.password).await.unwrap();
    let compliance = app.sign_in(&comp.login, &comp.password).await.unwrap();

    // Filed online by the customer: a product complaint goes to their advisor, due in 48 hours.
    let complaint = json!({ "kind": "complaint", "category": "product", "subject": "理财产品赎回慢",
        "body": "赎回申请三天了还没到账" });
    let (status, made) = post(&me, &app, "/api/v1/tickets", complaint.clone()).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (_, ticket) = get(&me, &app, &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        (ticket["ticket"]["queue"].as_str(), ticket["ticket"]["channel"].as_str()),
        (Some("advisor"), Some("online"))
    );
    assert_eq!(ticket["ticket"]["due_at"], "2026-11-04T02:00:00Z", "{ticket}");
    let (_, queue) = get(&advisor, &app, "/api/v1/tickets").await;
    assert!(queue.as_array().unwrap().iter().any(|t| t["id"] == id), "in the advisor's queue: {queue}");
    let (_, queue) = get(&compliance, &app, "/api/v1/tickets?queue=complaints").await;
    assert!(!queue.as_array().unwrap().iter().any(|t| t["id"] == id), "not the complaints team's");
    let neighbour = customer_session(t, &app, NEIGHBOUR).await;
    assert_eq!(get(&neighbour, &app, &format!("/api/v1/tickets/{id}")).await.0, 404, "another customer's");

    // Bad input: a clear 4xx, nothing filed.
    let bad = json!({ "kind": "complaint", "category": "weather", "subject": "x", "body": "y" });
    let (status, refused) = post(&me, &app, "/api/v1/tickets", bad).await;
    assert_eq!(
        (status, refused["code"].as_str(), refused["field"].as_str()),
        (400, Some("service_value"), Some("category"))
    );
    let empty = json!({ "kind": "complaint", "category": "fees", "subject": " ", "body": "y" });
    assert_eq!(post(&me, &app, "/api/v1/tickets", empty).await.1["field"], "subject");

    // Staff file on a customer's behalf: by phone for their own, never for another advisor's.
    let by_phone = json!({ "kind": "complaint", "category": "fees", "subject": "佣金收错了", "body": "电话投诉",
        "customer_id": NEIGHBOUR, "channel": "phone" });
    let (status, phoned) = post(&advisor, &app, "/api/v1/tickets", by_phone.clone()).await;
    assert_eq!(status, 201, "{phoned}");
    let (_, phoned) = get(&neighbour, &app, &format!("/api/v1/tickets/{}", phoned["id"])).await;
    assert_eq!(
        (phoned["ticket"]["channel"].as_str(), phoned["ticket"]["queue"].as_str()),
        (Some("phone"), Some("complaints"))
    );
    let elsewhere =
        json!({ "kind": "complaint", "category": "fees", "subject": "x", "body": "y", "customer_id": ELSEWHERE });
    assert_eq!(post(&advisor, &app, "/api/v1/tickets", elsewhere).await.0, 404);

    // The SLA passes unanswered: the branch manager; twice over: compliance. Each step audited.
    clock.set(parse_timestamp("at", "2026-11-04 10:00:01").unwrap());
    assert!(desk.sweep(db.now()).await.unwrap() >= 1);
    // Sessions end as days pass on the clock: everyone signs in again.
    let manager = app.sign_in(&mgr.login, &mgr.password).await.unwrap();
    let (_, escalated) = get(&manager, &app, "/api/v1/tickets?level=manager").await;
    let rows = escalated.as_array().unwrap_or_else(|| panic!("{escalated}"));
    let row = rows.iter().find(|t| t["id"] == id).cloned().unwrap_or(Value::Null);
    assert_eq!(row["level"], "manager", "{escalated}");
    clock.set(parse_timestamp("at", "2026-11-06 10:00:01").unwrap());
    desk.sweep(db.now()).await.unwrap();
    const PASSWORD: &str = "a long enough password";
    let me = app.sign_in(&format!("customer{CUSTOMER}"), PASSWORD).await.unwrap();
    let neighbour = app.sign_in(&format!("customer{NEIGHBOUR}"), PASSWORD).await.unwrap();
    let advisor = app.sign_in(&adv.login, &adv.password).await.unwrap();
    let manager = app.sign_in(&mgr.login, &mgr.password).await.unwrap();
    let admin = app.sign_in(&adm.login, &adm.password).await.unwrap();
    let (_, seen) = get(&me, &app, &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(seen["ticket"]["level"], "compliance");
    let steps: Vec<&str> = seen["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(steps, ["filed", "escalated", "escalated"], "the customer sees it climb");

    // The advisor replies (and notes for colleagues); the customer sees the reply only.
    let r =
        post(&advisor, &app, &format!("/api/v1/tickets/{id}/replies"), json!({ "text": "已加急处理，明天到账" })).await;
    assert_eq!(r.0, 204, "{r:?}");
    let r = post(
        &advisor,
        &app,
        &format!("/api/v1/tickets/{id}/replies"),
        json!({ "text": "托管行延迟", "internal": true }),
    )
    .await;
    assert_eq!(r.0, 204);
    let (_, seen) = get(&me, &app, &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(seen["ticket"]["status"], "answered");
    let said: Vec<&str> = seen["events"].as_array().unwrap().iter().map(|e| e["body"].as_str().unwrap()).collect();
    assert!(said.contains(&"已加急处理，明天到账") && !said.contains(&"托管行延迟"), "{said:?}");
    let (_, staff_view) = get(&manager, &app, &format!("/api/v1/tickets/{id}")).await;
    assert!(staff_view["events"].to_string().contains("托管行延迟"), "colleagues see the note");
    assert_eq!(post(&me, &app, &format!("/api/v1/tickets/{id}/replies"), json!({ "text": "x" })).await.0, 403);

    // Closed with the customer's satisfaction; reopened when not solved: the clock starts over.
    let close = format!("/api/v1/tickets/{id}/close");
    let (status, out_of_range) = post(&me, &app, &close, json!({ "satisfaction": 9 })).await;
    assert_eq!((status, out_of_range["code"].as_str()), (400, Some("satisfaction_range")));
    assert_eq!(post(&advisor, &app, &close, json!({ "satisfaction": 5 })).await.0, 403, "the customer closes");
    assert_eq!(post(&me, &app, &close, json!({ "satisfaction": 2, "comment": "太慢" })).await.0, 204);
    assert_eq!(post(&advisor, &app, &format!("/api/v1/tickets/{id}/replies"), json!({ "text": "x" })).await.0, 409);
    assert_eq!(post(&me, &app, &format!("/api/v1/tickets/{id}/reopen"), json!({ "text": "还是没到账" })).await.0, 204);
    let (_, seen) = get(&me, &app, &format!("/api/v1/tickets/{id}")).await;
    let row = &seen["ticket"];
    assert_eq!(
        (row["status"].as_str(), row["level"].as_str(), row["reopened"].as_i64()),
        (Some("open"), Some("queue"), Some(1))
    );
    assert_eq!(row["satisfaction"], 2);
    assert_eq!(row["due_at"], "2026-11-08T02:00:01Z", "a new SLA from the reopening");

    // Attachments: checked by their bytes, capped, downloadable by who may see the ticket.
    let attach = |name: &str| format!("/api/v1/tickets/{id}/attachments?name={name}");
    let png = b"\x89PNG\r\n\x1a\n0000";
    let send = |bytes: Vec<u8>, name: &str| {
        let path = attach(name);
        let me = me.clone();
        let base = app.url("");
        async move { json_of(me.post_bytes(&base, &path, bytes).await).await }
    };
    let (status, stored) = send(png.to_vec(), "shot.png").await;
    assert_eq!(status, 201, "{stored}");
    let (status, refused) = send(b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), "setup.exe").await;
    assert_eq!((status, refused["code"].as_str()), (400, Some("attachment_refused")), "{refused}");
    let download = advisor.get(&app.url(&format!("/api/v1/tickets/{id}/attachments/{}", stored["id"]))).await;
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.unwrap().as_ref(), png);
    assert_eq!(neighbour.get(&app.url(&format!("/api/v1/tickets/{id}/attachments/1"))).await.status(), 404);

    // Suggestions: kept apart from complaints, voted for once each, adopted with the author's points.
    let idea =
        json!({ "kind": "feedback", "category": "app", "subject": "希望增加条件单到价提醒", "body": "到价时推送" });
    let (_, made) = post(&me, &app, "/api/v1/tickets", idea).await;
    let suggestion = made["id"].as_i64().unwrap();
    assert_eq!(post(&neighbour, &app, &format!("/api/v1/tickets/{suggestion}/vote"), json!({})).await.0, 204);
    assert_eq!(
        post(&neighbour, &app, &format!("/api/v1/tickets/{suggestion}/vote"), json!({})).await.1["code"],
        "already_voted"
    );
    assert_eq!(
        post(&neighbour, &app, &format!("/api/v1/tickets/{id}/vote"), json!({})).await.1["code"],
        "ticket_not_found",
        "another's complaint is not found"
    );
    let adopt = format!("/api/v1/tickets/{suggestion}/adopt");
    assert_eq!(post(&advisor, &app, &adopt, json!({ "text": "x" })).await.0, 403, "the product team adopts");
    let (_, complaint_adopted) =
        post(&admin, &app, &format!("/api/v1/tickets/{id}/adopt"), json!({ "text": "x" })).await;
    assert_eq!(complaint_adopted["code"], "feedback_only");
    assert_eq!(post(&admin, &app, &adopt, json!({ "text": "下个版本上线，感谢建议" })).await.0, 204);
    let (_, board) = get(&neighbour, &app, "/api/v1/feedback").await;
    let top = &board[0];
    assert_eq!((top["id"].as_i64(), top["votes"].as_i64()), (Some(suggestion), Some(1)), "{board}");
    assert_eq!(top["adoption_note"], "下个版本上线，感谢建议");
    let points = t
        .text(&format!(
            "SELECT CAST(amount AS TEXT) FROM points_transfers WHERE id = 'suggestion_adopted:{suggestion}'"
        ))
        .await;
    assert_eq!(points, "500", "the author is credited");

    // Every step is in the audit trail.
    let actions: Vec<String> = db.audit_records().await.unwrap().into_iter().map(|r| r.entry.action).collect();
    for action in [
        "file_ticket",
        "escalate_ticket",
        "ticket_reply",
        "ticket_internal_note",
        "ticket_closed",
        "ticket_reopened",
        "ticket_attach",
        "adopt_suggestion",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }

    // The branch manager's advisor KPIs count the complaints of each advisor's customers.
    let (_, kpis) = get(&manager, &app, "/api/v1/analytics/advisors?month=2026-11").await;
    let advisor_id: i64 =
        t.text(&format!("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = {CUSTOMER}")).await.parse().unwrap();
    let mine = kpis.as_array().unwrap().iter().find(|k| k["advisor_id"] == advisor_id).cloned().unwrap();
    assert_eq!(mine["complaints"], 2, "the product complaint and the phoned fee complaint: {mine}");

    // The pages: the customer's list and ticket, the advisor's queue, the board.
    let page = me.get(&app.url(&format!("/service/tickets/{id}?lang=en"))).await.text().await.unwrap();
    assert!(page.contains("已加急处理，明天到账") && page.contains("Close it"), "{page}");
    assert!(!page.contains("Not solved: reopen"), "an open ticket is not reopened");
    let queue_page = advisor.get(&app.url("/service?lang=en")).await.text().await.unwrap();
    assert!(queue_page.contains("理财产品赎回慢"), "{queue_page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_outage_opens_one_graded_incident_whose_notice_waits_for_compliance_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        outage(&t).await;
    }
}

async fn outage(t: &TestDb) {
    let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
    let db = t.db.clone().with_clock(clock.clone());
    let app = TestApp::spawn(db.clone()).await;
    let (adv, comp) = (t.user(Role::Advisor), t.user(Role::Compliance));
    let advisor = app.sign_in(&adv.login, &adv.password).await.unwrap();
    let compliance = app.sign_in(&comp.login, &comp.password).await.unwrap();

    // A group, and a member in it.
    let (_, group) = post(&advisor, &app, "/api/v1/groups", json!({ "name": "早盘交流", "description": "" })).await;
    let group = group["id"].as_i64().unwrap();
    let member = customer_session(t, &app, CUSTOMER).await;
    post(&member, &app, &format!("/api/v1/groups/{group}/applications"), json!({})).await;
    let (_, applications) = get(&advisor, &app, &format!("/api/v1/groups/{group}/applications")).await;
    let application = applications["applications"][0]["id"].as_i64().unwrap();
    let decided =
        post(&advisor, &app, &format!("/api/v1/applications/{application}/decision"), json!({ "approve": true })).await;
    assert_eq!(decided.0, 204);

    // The outage, replayed: 500 login complaints from 200 customers over 10 minutes, as filed.
    let desk = ServiceDesk::new(db.clone(), Default::default());
    let start = db.now();
    for k in 0..500i64 {
        clock.set(start + Duration::milliseconds(k * 1_200));
        let filing = Filing {
            kind: "complaint".into(),
            category: "login".into(),
            subject: "登录不了".into(),
            body: "APP一直提示网络错误".into(),
            ..Filing::default()
        };
        desk.file(&customer(1 + k % 200), &filing).await.unwrap();
        if k == 250 {
            // A member says so in the group: the message is linked too.
            let (status, sent) = post(
                &member,
                &app,
                &format!("/api/v1/groups/{group}/messages"),
                json!({ "text": "APP登录不了，大家也是吗" }),
            )
            .await;
            assert_eq!(status, 201, "{sent}");
        }
    }
    let (_, incidents) = get(&compliance, &app, "/api/v1/incidents").await;
    let incidents = incidents.as_array().unwrap().clone();
    assert_eq!(incidents.len(), 1, "one incident for one outage: {incidents:?}");
    let incident = incidents[0]["id"].as_i64().unwrap();
    let (_, view) = get(&compliance, &app, &format!("/api/v1/incidents/{incident}")).await;
    assert_eq!(
        (view["incident"]["area"].as_str(), view["incident"]["opened_by"].as_str()),
        (Some("login"), Some("burst"))
    );
    assert_eq!(view["tickets"].as_array().unwrap().len(), 500, "every complaint linked");
    assert_eq!(view["messages"].as_array().unwrap().len(), 1, "and the member's message");
    assert_eq!(view["incident"]["affected_investors"], 200);
    assert_eq!(view["incident"]["grade"], "general", "a login outage of 5 minutes or more");
    assert_eq!(view["groups"], json!([group]), "{view}");

    // Compliance records what is known: 40 minutes, 12,000 investors: larger; the report is due in 4 hours.
    let facts = json!({ "started_at": "2026-11-02 10:00:00", "ended_at": "2026-11-02 10:40:00",
        "affected_investors": 12000, "summary": "登录服务证书过期" });
    assert_eq!(post(&advisor, &app, &format!("/api/v1/incidents/{incident}"), facts.clone()).await.0, 403);
    let (status, graded) = post(&compliance, &app, &format!("/api/v1/incidents/{incident}"), facts).await;
    assert_eq!((status, graded["grade"].as_str()), (200, Some("larger")), "{graded}");
    let (_, view) = get(&compliance, &app, &format!("/api/v1/incidents/{incident}")).await;
    let due = view["timeline"].as_array().unwrap().iter().find(|m| m["what"] == "first_report_due").cloned().unwrap();
    assert_eq!(due["at"], "2026-11-02T06:00:00Z", "4 hours after the start (10:00 Beijing)");
    let page = compliance.get(&app.url(&format!("/incidents/{incident}?lang=en"))).await.text().await.unwrap();
    assert!(page.contains("First report to the regulator due") && page.contains("2026-11-02 14:00"), "{page}");

    // The notice: drafted by staff, held until compliance approves, then in the group.
    let notice = format!("/api/v1/incidents/{incident}/notice");
    let decision = format!("{notice}/decision");
    assert_eq!(post(&compliance, &app, &decision, json!({ "approve": true })).await.1["code"], "no_notice");
    assert_eq!(post(&advisor, &app, &notice, json!({ "text": "登录故障已修复，给您带来不便深表歉意" })).await.0, 204);
    let history = || async {
        let (_, h) = get(&member, &app, &format!("/api/v1/groups/{group}/messages")).await;
        h.to_string()
    };
    assert!(!history().await.contains("登录故障已修复"), "nothing goes out before approval");
    let (status, refused) = post(&advisor, &app, &decision, json!({ "approve": true })).await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("compliance_only")));
    let (status, sent) = post(&compliance, &app, &decision, json!({ "approve": true })).await;
    assert_eq!((status, sent["groups"].as_i64()), (200, Some(1)), "{sent}");
    assert!(history().await.contains("登录故障已修复"), "the approved notice is in the group");
    assert_eq!(post(&compliance, &app, &decision, json!({ "approve": false })).await.1["code"], "notice_decided");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_to_one_conversations_are_live_screened_and_kept_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        conversation(&t).await;
    }
}

async fn conversation(t: &TestDb) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn(t.db.clone()).await;
    let adv = t.user(Role::Advisor);
    let advisor = app.sign_in(&adv.login, &adv.password).await.unwrap();
    let me = customer_session(t, &app, CUSTOMER).await;

    // The advisor opens it with a customer they serve; never with another advisor's.
    let (status, opened) = post(&advisor, &app, "/api/v1/conversations", json!({ "customer_id": CUSTOMER })).await;
    assert_eq!(status, 200, "{opened}");
    let id = opened["id"].as_i64().unwrap();
    let (_, again) = post(&me, &app, "/api/v1/conversations", json!({})).await;
    assert_eq!(again["id"].as_i64(), Some(id), "the customer's side finds the same one");
    let (status, _) = post(&advisor, &app, "/api/v1/conversations", json!({ "customer_id": ELSEWHERE })).await;
    assert_eq!(status, 404);

    // The customer has it open, live; the advisor's message arrives.
    let url = format!("ws://{}/conversations/{id}/live", app.addr);
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("cookie", me.cookie.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the socket opens");
    let path = format!("/api/v1/conversations/{id}/messages");
    let (status, sent) = post(&advisor, &app, &path, json!({ "text": "您好，今天的持仓需要调整吗？" })).await;
    assert_eq!(status, 201, "{sent}");
    let frame =
        tokio::time::timeout(std::time::Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
    let frame: Value = serde_json::from_str(frame.to_text().unwrap()).unwrap();
    assert_eq!(frame["id"], sent["id"]);
    assert!(frame["html"].as_str().unwrap().contains("今天的持仓需要调整吗"), "{frame}");

    // The advisor's messages pass the compliance screen, disguises and all; the customer's go through.
    let (status, refused) = post(&advisor, &app, &path, json!({ "text": "这只票 稳-赚，加 V：stock888" })).await;
    assert_eq!(
        (status, refused["code"].as_str(), refused["field"].as_str()),
        (400, Some("banned_phrases"), Some("text"))
    );
    assert!(refused["details"]["phrases"].as_str().unwrap().contains("稳赚 (separators)"), "{refused}");
    assert_eq!(post(&me, &app, &path, json!({ "text": "好的，谢谢老师" })).await.0, 201);
    let (_, history) = get(&me, &app, &path).await;
    let said: Vec<&str> = history.as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(said, ["您好，今天的持仓需要调整吗？", "好的，谢谢老师"], "the refused one is not kept");
    let neighbour = customer_session(t, &app, NEIGHBOUR).await;
    assert_eq!(get(&neighbour, &app, &path).await.0, 404, "another customer's");
    let page = me.get(&app.url(&format!("/conversations/{id}?lang=en"))).await.text().await.unwrap();
    assert!(page.contains("好的，谢谢老师") && page.contains("conversation-live.js"));
}
