//! The MFA routes (`{routes.mfa}/authenticators`, `/associate`,
//! `/challenge`, `/verify`, `DELETE /authenticators/{id}`): the Next.js
//! SDK's browser MFA API. The browser sends the encrypted `mfa_token`
//! (`Authorization: Bearer`, or in the body for `/challenge`); the raw one
//! stays on the server. JSON bodies must say `Content-Type:
//! application/json` (a cross-site form cannot).

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::mfa::{ChallengeRequest, EnrollRequest, MfaError, MfaToken, VerifyRequest};
use crate::server::handle::Auth0Session;
use crate::server::response::NO_CACHE;

/// The error body: `{error, error_description}`, the provider's error as
/// `cause`, and for `mfa_required` the new token and requirements.
fn failure(e: MfaError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut body = json!({"error": e.code(), "error_description": e.message()});
    if let Some(c) = e.cause() {
        body["cause"] = json!({"error": c.code, "error_description": c.message});
    }
    if let MfaError::MfaRequired {
        mfa_token,
        mfa_requirements,
    } = &e
    {
        crate::mfa::add_step_up(&mut body, mfa_token, mfa_requirements.as_ref());
    }
    (status, NO_CACHE, Json(body)).into_response()
}

fn answer<T: serde::Serialize>(r: Result<T, MfaError>) -> Response {
    match r {
        Ok(v) => (NO_CACHE, Json(v)).into_response(),
        Err(e) => failure(e),
    }
}

fn invalid(message: &str) -> MfaError {
    MfaError::InvalidRequest {
        message: message.into(),
    }
}

/// The encrypted token of `Authorization: Bearer`.
fn bearer(headers: &HeaderMap) -> Result<MfaToken, MfaError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(MfaToken::new)
        .ok_or_else(|| invalid("The mfa_token is missing (Authorization: Bearer)."))
}

/// A JSON body, only when declared as such.
fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, MfaError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(invalid("The body must be application/json."));
    }
    serde_json::from_slice(body).map_err(|_| invalid("The body is not valid for this route."))
}

pub(super) async fn authenticators(session: Auth0Session, headers: HeaderMap) -> Response {
    let token = match bearer(&headers) {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    answer(session.mfa().authenticators(&token).await)
}

pub(super) async fn associate(session: Auth0Session, headers: HeaderMap, body: Bytes) -> Response {
    let request =
        bearer(&headers).and_then(|t| Ok((t, json_body::<EnrollRequest>(&headers, &body)?)));
    match request {
        Ok((token, request)) => answer(session.mfa().enroll(&token, request).await),
        Err(e) => failure(e),
    }
}

#[derive(Deserialize)]
struct ChallengeBody {
    mfa_token: MfaToken,
    #[serde(flatten)]
    request: ChallengeRequest,
}

pub(super) async fn challenge(session: Auth0Session, headers: HeaderMap, body: Bytes) -> Response {
    match json_body::<ChallengeBody>(&headers, &body) {
        Ok(b) => answer(session.mfa().challenge(&b.mfa_token, b.request).await),
        Err(e) => failure(e),
    }
}

pub(super) async fn verify(session: Auth0Session, headers: HeaderMap, body: Bytes) -> Response {
    let request =
        bearer(&headers).and_then(|t| Ok((t, json_body::<VerifyRequest>(&headers, &body)?)));
    match request {
        Ok((token, request)) => answer(session.mfa().verify(&token, request).await),
        Err(e) => failure(e),
    }
}

pub(super) async fn delete_authenticator(
    session: Auth0Session,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let token = match bearer(&headers) {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    match session.mfa().delete_authenticator(&token, &id).await {
        Ok(()) => (StatusCode::NO_CONTENT, NO_CACHE).into_response(),
        Err(e) => failure(e),
    }
}
