//! The reader's language for a request. The catalogues, and numbers and
//! money as each language writes them, are the `messages` crate.

use axum::http::HeaderMap;

pub use messages::Locale;

/// The language of a request: `?lang=`, else the `lang` cookie, else
/// Accept-Language; Chinese by default.
pub fn choose(query_lang: Option<&str>, headers: &HeaderMap) -> Locale {
    let cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang="));
    let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Locale::negotiate(query_lang, cookie, accept)
}

/// The reader's language, taken from the request as [`choose`] does; for
/// handlers that answer in it without reading other query parameters.
#[derive(Debug, Clone, Copy)]
pub struct ReaderLocale(pub Locale);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ReaderLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = parts.uri.query().and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")));
        Ok(ReaderLocale(choose(lang, &parts.headers)))
    }
}
