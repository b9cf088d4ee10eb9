//! The response headers a brokerage's security review checks first, on every
//! answer the server gives (pages, API, assets, refusals, 404s).

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Scripts, styles, images, fonts and connections (the WebSockets included)
/// from this server only: no inline script, no inline style, no framing. The
/// one hash is the chart library's attribution logo's `<style>` (vendored
/// Lightweight Charts 4.2.3, which TradingView asks to keep), checked against
/// the vendored file by a test below.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'sha256-3pRED1tOXas1FXFoPb9TGCjmYe9XQsmO9OV23khV2nY='; img-src 'self'; font-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, as HSTS is usually set once a site is served over https only.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Was the request served over TLS by the proxy in front (which says so in
/// `X-Forwarded-Proto`, as the session cookie's Secure flag reads it)?
pub fn behind_tls(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// Adds the policy headers to whatever the handler answered. An answer that
/// sets its own `Cache-Control` (a static script) keeps it; every other one is
/// `no-store`, since pages and API answers carry customer data.
pub async fn add(request: Request, next: Next) -> Response {
    let tls = behind_tls(request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        // For browsers that predate frame-ancestors.
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    if tls {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::Digest;

    /// The inline style the vendored chart library adds for its attribution logo.
    const LOGO_STYLE: &str = "a#tv-attr-logo{--fill:#131722;--stroke:#fff;position:absolute;left:10px;bottom:10px;\
        height:19px;width:35px;margin:0;padding:0;border:0;z-index:3;}a#tv-attr-logo[data-dark]{--fill:#D1D4DC;\
        --stroke:#131722;}";

    #[test]
    fn the_policy_allows_exactly_the_chart_librarys_logo_style() {
        let vendored = include_str!("../assets/lightweight-charts.standalone.production.js");
        assert!(vendored.contains(&format!("innerText=\"{LOGO_STYLE}\"")), "the vendored library's logo style changed");
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(LOGO_STYLE.as_bytes()));
        assert!(CONTENT_SECURITY_POLICY.contains(&format!("'sha256-{hash}'")), "{hash}");
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"), "no unsafe-inline or unsafe-eval");
    }

    #[test]
    fn tls_is_read_from_the_proxys_header() {
        let mut headers = HeaderMap::new();
        assert!(!behind_tls(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("HTTPS"));
        assert!(behind_tls(&headers));
    }
}
