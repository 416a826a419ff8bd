//! The one error type of the server: a status, a stable code, a message that names the
//! problem and a hint, as JSON. Server errors (5xx) never carry internal or Azure
//! details: those go to the log, and the client gets a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable machine-readable code (`unsupported_format`, `too_large`...).
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
    /// What to try.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ApiError {
    /// A 4xx error.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            hint: None,
        }
    }

    /// With another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// With a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A 500 whose detail is logged, never sent.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error; the server log has the details".into(),
            hint: None,
        }
    }
}

impl From<shared::Error> for ApiError {
    fn from(e: shared::Error) -> Self {
        use shared::ErrorKind as K;
        let (status, code) = match e.kind() {
            K::UnsupportedFormat => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_format"),
            K::FormatMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "format_mismatch"),
            K::Malformed => (StatusCode::UNPROCESSABLE_ENTITY, "malformed"),
            K::Empty => (StatusCode::UNPROCESSABLE_ENTITY, "empty"),
            K::LimitExceeded => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            K::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            K::InvalidDocument => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_document"),
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "unreadable"),
        };
        ApiError {
            status,
            code,
            message: e.to_string(),
            hint: None,
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::bad_request("bad_request", e.body_text()).with_status(e.status())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a ApiError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(Body { error: &self })).into_response()
    }
}

/// Handlers return this.
pub type ApiResult<T> = Result<T, ApiError>;
