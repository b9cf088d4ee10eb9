//! `brokerdesk bench chat` at a small size: every member gets every message
//! from the real server and from the kernel's floor, and the figures a
//! reader of docs/performance.md relies on are in the JSON line.

use std::process::Command;

#[test]
fn a_small_fan_out_reaches_every_member_from_the_server_and_from_the_floor() {
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["bench", "chat", "--clients", "40", "--members", "20", "--messages", "6", "--rounds", "2"])
        .args(["--rate", "50", "--burst", "5", "--json", "--work-dir"])
        .arg(work.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap();
    let b: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!((b["clients"].as_u64(), b["members"].as_u64()), (Some(40), Some(20)), "{last}");
    assert_eq!(b["missing"].as_u64(), Some(0), "every delivery arrived: {last}");
    for (p50, p99) in
        [("p50_ms", "p99_ms"), ("p50_ms_with_flood", "p99_ms_with_flood"), ("floor_p50_ms", "floor_p99_ms")]
    {
        let (p50, p99) = (b[p50].as_f64().unwrap(), b[p99].as_f64().unwrap());
        assert!(p50 > 0.0 && p99 >= p50, "{p50} then {p99}: {last}");
    }
    assert!(b["deliveries_per_second"].as_f64().unwrap() > 0.0, "{last}");
    for fan_out in ["fan_out_ms", "fan_out_ms_with_flood", "floor_fan_out_ms"] {
        assert!(b[fan_out].as_f64().is_some_and(|ms| ms > 0.0), "{fan_out}: {last}");
    }
    for cpu in ["server_cpu_us_per_delivery", "floor_cpu_us_per_delivery"] {
        assert!(b[cpu].as_f64().is_some_and(|us| us >= 0.0), "{cpu}: {last}");
    }
    assert!(b["peak_rss_bytes"].as_u64().unwrap() > 0, "{last}");
    assert!(stdout.contains("kernel floor"), "{stdout}");
}
