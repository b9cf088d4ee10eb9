//! Analytics through the real server on both backends (issue 28), on a book
//! small enough to work by hand (the README's worked example): four
//! customers, two advisors, May and June 2025. TUV, its change split by
//! factor, the lifecycle and the cohorts come out to the unit; each count
//! opens the customers behind it; bad months and groupings are refused with
//! a 400 naming the field; customers may not read the firm's figures.

use access::Role;
use serde_json::Value;
use test_support::{backends, TestApp};

fn national_id(serial: u32) -> String {
    let first17 = format!("11010119800101{serial:03}");
    format!("{first17}{}", domain::NationalId::check_char(&first17))
}

/// The book: A and B (advisor 2) and C (advisor 3) opened in 2020, D
/// (advisor 3) in June 2025. Commission is 0.025% (at least 5 CNY), so
/// a trade of 120,000 CNY brings 30.
///  - A trades 120,000 in May (30) and 200,000 in June (50);
///  - B only logs in, in May;
///  - C trades 40,000 in April (10) and 160,000 in June (40);
///  - D opens in June and logs in.
fn write_book(dir: &std::path::Path) {
    let files = [
        ("branches.csv", "id,name,city\n1,上海长江路营业部,上海\n".to_owned()),
        (
            "staff.csv",
            "id,branch_id,role,name,licence_no\n1,1,manager,林经理,\n2,1,advisor,马投顾,S1\n3,1,advisor,王投顾,S2\n\
             4,1,compliance,合规,\n5,1,admin,管理员,\n"
                .to_owned(),
        ),
        (
            "customers.csv",
            {
                let mut s = "id,name,national_id,phone,gender,birth_date,market_entry_date,branch_id,advisor_id,\
                             risk_level,horizon,real_name_verified,professional,opened_at,referred_by\n"
                    .to_owned();
                for (id, name, advisor, opened) in [
                    (1, "客户甲", 2, "2020-03-01T10:00:00+08:00"),
                    (2, "客户乙", 2, "2020-03-02T10:00:00+08:00"),
                    (3, "客户丙", 3, "2020-03-03T10:00:00+08:00"),
                    (4, "客户丁", 3, "2025-06-10T10:00:00+08:00"),
                ] {
                    s += &format!(
                        "{id},{name},{},1380000000{id},M,1980-01-01,2010-01-01,1,{advisor},C3,medium,true,false,{opened},\n",
                        national_id(id)
                    );
                }
                s
            },
        ),
        ("accounts.csv", "id,customer_id,cash\n11,1,100000\n21,2,100000\n31,3,100000\n41,4,100000\n".to_owned()),
        (
            "instruments.csv",
            "code,name,board,kind,lot,tick,limit_pct,st,list_date,face_value,outstanding_shares,last_close,fund_class,delisting_from\n\
             600000.SH,浦发银行,sse_main,stock,100,0.01,0.10,false,1999-11-10,,29352000000,100.00,,\n"
                .to_owned(),
        ),
        (
            "trades.csv",
            "id,account_id,instrument,side,quantity,price,fee,time\n\
             1,11,600000.SH,buy,1200,100.00,30.00,2025-05-12T10:00:00+08:00\n\
             2,11,600000.SH,sell,2000,100.00,50.00,2025-06-12T10:00:00+08:00\n\
             3,31,600000.SH,buy,400,100.00,10.00,2025-04-14T10:00:00+08:00\n\
             4,31,600000.SH,buy,1600,100.00,40.00,2025-06-16T10:00:00+08:00\n"
                .to_owned(),
        ),
        (
            "logins.csv",
            "id,customer_id,time,channel\n1,2,2025-05-20T09:00:00+08:00,app\n2,4,2025-06-11T09:00:00+08:00,app\n".to_owned(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn num(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tuv_lifecycle_and_cohorts_of_a_small_book_match_the_hand_figures_through_the_server() {
    for mut t in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_book(dir.path());
        let mut opts = app::ImportOptions::new(dir.path());
        opts.rejects = dir.path().join("rejects.csv");
        opts.progress = false;
        let report = app::import_dir(&t.db, &opts).await.unwrap();
        assert_eq!(report.rejected(), 0, "{}: the fixture loads whole", t.name);
        let users = app::demo_users::create_demo_users(&t.db).await.unwrap();
        t.users = users
            .into_iter()
            .map(|u| test_support::TestUser { role: u.role, login: u.login, password: u.password })
            .collect();
        let app = TestApp::spawn(t.db.clone()).await;
        let user = |role: Role| t.users.iter().find(|u| u.role == role).unwrap();
        let admin = app.sign_in(&user(Role::Admin).login, &user(Role::Admin).password).await.unwrap();

        let firm: Value = admin.get(&app.url("/api/v1/analytics/tuv?month=2025-06")).await.json().await.unwrap();
        let line = &firm["lines"][0];
        let f = &line["figures"];
        let got = [&f["users"], &f["active"], &f["paying"], &f["active_rate"], &f["conversion"], &f["arpu"], &f["tuv"]]
            .map(num);
        assert_eq!(got, ["4", "3", "2", "0.75", "0.666667", "45", "90.0000"].map(String::from), "{}", t.name);
        assert_eq!(num(&line["previous"]["tuv"]), "30.0000", "{}", t.name);
        // May (U 3, a 2/3, c 1/2, r 30) to June (U 4, a 3/4, c 2/3, r 45): the
        // Shapley parts 4535/288, 1885/288, 4535/288, 6325/288 to the 0.0001 CNY.
        let c = &line["change"];
        let parts = [&c["change"], &c["users"], &c["active_rate"], &c["conversion"], &c["arpu"]].map(num);
        assert_eq!(parts, ["60.0000", "15.7465", "6.5452", "15.7465", "21.9618"].map(String::from), "{}", t.name);

        let by_advisor: Value =
            admin.get(&app.url("/api/v1/analytics/tuv?month=2025-06&by=advisor")).await.json().await.unwrap();
        let lines: Vec<(String, String, String, String, String)> = by_advisor["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let f = &l["figures"];
                (num(&l["key"]), num(&f["users"]), num(&f["active"]), num(&f["tuv"]), num(&l["previous"]["users"]))
            })
            .collect();
        assert_eq!(
            lines,
            [("2", "2", "1", "50.0000", "2"), ("3", "2", "2", "40.0000", "1")].map(|(a, b, c, d, e)| (
                a.into(),
                b.into(),
                c.into(),
                d.into(),
                e.into()
            )),
            "{}: per advisor",
            t.name
        );

        let months: Value =
            admin.get(&app.url("/api/v1/analytics/lifecycle?from=2025-05&to=2025-06")).await.json().await.unwrap();
        let stages = |m: &Value| {
            let s = &m["stages"];
            [&s["new"], &s["returning"], &s["resurrected"], &s["dormant"]].map(num)
        };
        assert_eq!(stages(&months[0]), ["0", "0", "2", "1"].map(String::from), "{}: May", t.name);
        assert_eq!(stages(&months[1]), ["1", "1", "1", "1"].map(String::from), "{}: June", t.name);

        let cohorts: Value =
            admin.get(&app.url("/api/v1/analytics/cohorts?from=2025-06&to=2025-06")).await.json().await.unwrap();
        let june = &cohorts["cohorts"][0];
        assert_eq!((num(&june["size"]), num(&june["cells"][0]["retention"])), ("1".into(), "1".into()), "{}", t.name);

        // Each count opens the customers behind it.
        let names = |page: String| {
            let mut found: Vec<&str> =
                ["客户甲", "客户乙", "客户丙", "客户丁"].into_iter().filter(|n| page.contains(n)).collect();
            found.sort();
            found
        };
        for (stage, want) in [
            ("resurrected", vec!["客户丙"]),
            ("returning", vec!["客户甲"]),
            ("dormant", vec!["客户乙"]),
            ("new", vec!["客户丁"]),
            ("paying", vec!["客户丙", "客户甲"]),
        ] {
            let page = admin
                .get(&app.url(&format!("/customers?lang=zh&month=2025-06&stage={stage}")))
                .await
                .text()
                .await
                .unwrap();
            let mut want = want;
            want.sort();
            assert_eq!(names(page), want, "{}: {stage} in June", t.name);
        }

        // The page draws the waterfall and links its counts; CSV has every line.
        let page = admin.get(&app.url("/analytics?month=2025-06&by=advisor&lang=zh")).await.text().await.unwrap();
        assert!(page.contains("id=\"tuv-waterfall\""), "{}: the waterfall is drawn", t.name);
        assert!(page.contains("/customers?lang=zh&amp;month=2025-06&amp;stage=active&amp;advisor=3"), "{}", t.name);
        let csv = admin.get(&app.url("/api/v1/analytics/tuv.csv?month=2025-06&by=advisor")).await.text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "{}: a header and two advisors:\n{csv}", t.name);
        assert!(csv.lines().nth(2).unwrap().starts_with("2025-06,3,王投顾,2,2,"), "{}: {csv}", t.name);

        // Refusals say which field and why.
        for (path, field) in [
            ("/api/v1/analytics/tuv?month=2025-13", "month"),
            ("/api/v1/analytics/tuv?by=city", "by"),
            ("/api/v1/analytics/lifecycle?from=2025-06&to=2025-01", "from"),
            ("/customers?month=2025-06&stage=sleepy", "stage"),
        ] {
            let r = admin.get(&app.url(path)).await;
            assert_eq!(r.status(), 400, "{}: {path}", t.name);
            if path.starts_with("/api") {
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["field"], field, "{}: {path}: {body}", t.name);
            }
        }
        let customer = test_support::customer_session(&t, &app, 1).await;
        let r = customer.get(&app.url("/api/v1/analytics/tuv?month=2025-06")).await;
        assert_eq!(r.status(), 403, "{}: a customer may not read the firm's figures", t.name);

        // Advisor KPIs: customer A asks in advisor 2's group this month, the advisor answers.
        let advisor = app.sign_in(&user(Role::Advisor).login, &user(Role::Advisor).password).await.unwrap();
        let made: Value = advisor
            .post_json(&app.url(""), "/api/v1/groups", &serde_json::json!({ "name": "复盘群" }))
            .await
            .json()
            .await
            .unwrap();
        let group = made["id"].as_i64().unwrap();
        t.db.add_member(domain::GroupId(group), domain::CustomerId(1), t.db.now()).await.unwrap();
        let path = format!("/api/v1/groups/{group}/messages");
        let asked: Value = customer
            .post_json(&app.url(""), &path, &serde_json::json!({ "text": "今天还能加仓吗？", "question": true }))
            .await
            .json()
            .await
            .unwrap();
        let answer = serde_json::json!({ "text": "控制仓位，分批", "reply_to": asked["id"] });
        assert_eq!(advisor.post_json(&app.url(""), &path, &answer).await.status(), 201, "{}", t.name);
        let month = store::month_of(t.db.now());
        let manager = app.sign_in(&user(Role::Manager).login, &user(Role::Manager).password).await.unwrap();
        let kpis: Value =
            manager.get(&app.url(&format!("/api/v1/analytics/advisors?month={month}"))).await.json().await.unwrap();
        let rows = kpis.as_array().unwrap();
        assert_eq!(rows.len(), 2, "{}: the manager sees the branch's advisors side by side: {kpis}", t.name);
        let two = rows.iter().find(|k| k["advisor_id"] == 2).unwrap();
        assert_eq!(
            (two["answered"].as_i64(), num(&two["answered_in_sla"])),
            (Some(1), "1".to_owned()),
            "{}: {two}",
            t.name
        );
        let three = rows.iter().find(|k| k["advisor_id"] == 3).unwrap();
        assert_eq!((three["answered"].as_i64(), &three["answer_p50_minutes"]), (Some(0), &Value::Null), "{}", t.name);
        // The customer's message made them active this month: advisor 2's TUV line counts it.
        assert_eq!(two["tuv"]["active"], 1, "{}: {two}", t.name);
        let mine: Value =
            advisor.get(&app.url(&format!("/api/v1/analytics/advisors?month={month}"))).await.json().await.unwrap();
        assert_eq!(mine.as_array().unwrap().len(), 1, "{}: an advisor sees their own line only", t.name);
        let csv =
            manager.get(&app.url(&format!("/api/v1/analytics/advisors.csv?month={month}"))).await.text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "{}: {csv}", t.name);
    }
}
