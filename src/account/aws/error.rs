//! Mapping AWS SDK errors onto [`AccountError`].
//!
//! IAM's error codes that mean something to a reconciler (`NoSuchEntity`, `EntityAlreadyExists`,
//! `DeleteConflict`, `LimitExceeded`) become the matching variants; everything else goes through
//! [`other`], the one place that decides how an unclassified AWS failure is reported. Messages
//! carry the operation, the entity, the AWS error code and AWS's message — never request content
//! or credentials.

use std::fmt::Display;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use crate::account::AccountError;

/// An AWS failure the other [`AccountError`] variants do not describe.
pub(super) fn other(entity: &str, operation: &'static str, message: impl Display) -> AccountError {
    AccountError::Aws {
        entity: entity.to_owned(),
        operation,
        message: message.to_string(),
        hint: None,
    }
}

/// What to do about an unclassified AWS failure, from AWS's error code or how the request
/// failed; `None` when neither says.
fn hint<E>(err: &SdkError<E>) -> Option<&'static str>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match answer(err).as_ref().map(|a| a.code.as_str()) {
        Some("InvalidClientTokenId" | "UnrecognizedClient" | "SignatureDoesNotMatch")
        | Some("ExpiredToken" | "ExpiredTokenException") => Some(
            "the credentials were refused: check --profile / AWS_PROFILE, or log in again (`aws sso login`)",
        ),
        Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation") => Some(
            "the credentials lack a permission: `rolesmith permissions --for plan` (or `--for apply`) prints the policy rolesmith needs",
        ),
        Some(_) => None,
        None => match err {
            SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => Some(UNREACHABLE),
            SdkError::TimeoutError(_) => Some(UNREACHABLE),
            // Credential providers fail inside dispatch, before anything is sent.
            SdkError::DispatchFailure(d) if d.is_other() => Some(
                "no AWS credentials were found: pass --profile (or set AWS_PROFILE), run `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ),
            _ => None,
        },
    }
}

const UNREACHABLE: &str = "the endpoint cannot be reached: check --endpoint-url (or AWS_ENDPOINT_URL), --region and the network";

/// The AWS error code of a service error (`NoSuchEntity`, `InvalidParameterValue`, …); `None`
/// for transport, timeout and construction failures.
pub(super) fn code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    err.code()
}

/// AWS's message of a service error, or `""`.
pub(super) fn message<E, R>(err: &SdkError<E, R>) -> &str
where
    E: ProvideErrorMetadata,
{
    err.message().unwrap_or_default()
}

/// `CODE: message` when AWS answered with an error code (modelled or not); otherwise the source
/// chain's messages (dispatch, timeout, credentials), which is where the useful part of those
/// errors lives — never the SDK's `Debug` dump.
pub(super) fn describe<E>(err: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match answer(err) {
        Some(Answer { code, message }) if !message.is_empty() => format!("{code}: {message}"),
        Some(Answer { code, .. }) => code,
        None => chain(&err.to_string(), std::error::Error::source(err)),
    }
}

/// AWS's error code and message, when AWS answered with an error.
struct Answer {
    code: String,
    message: String,
}

/// The SDK's parse of the error, or, when it found no code in an answer, the first `<Code>` and
/// `<Message>` of the XML body: some AWS-compatible endpoints (moto's authentication errors,
/// proxies) wrap the error in `<Errors>`, a shape the query-protocol parser does not read, and
/// the answer would otherwise print as "unhandled error".
fn answer<E>(err: &SdkError<E>) -> Option<Answer>
where
    E: ProvideErrorMetadata,
{
    if let Some(code) = err.code() {
        return Some(Answer {
            code: code.to_owned(),
            message: err.message().unwrap_or_default().to_owned(),
        });
    }
    let body = std::str::from_utf8(err.raw_response()?.body().bytes()?).ok()?;
    Some(Answer {
        code: xml_element(body, "Code")?.to_owned(),
        message: xml_element(body, "Message").unwrap_or_default().to_owned(),
    })
}

/// The text of the first `<NAME>…</NAME>` in `xml`, trimmed; `None` when absent or empty.
fn xml_element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..start + len].trim()).filter(|t| !t.is_empty())
}

/// `first` and the messages of `source` and its sources, joined by `: `, each said once
/// (wrappers often repeat their source's text).
fn chain(first: &str, source: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut parts: Vec<String> = vec![first.to_owned()];
    let mut next = source;
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// Maps an SDK error for `operation` on `entity` (e.g. `role web`) to an [`AccountError`].
pub(super) fn to_account_error<E>(
    entity: &str,
    operation: &'static str,
    err: &SdkError<E>,
) -> AccountError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let entity_owned = || entity.to_owned();
    match code(err) {
        Some("NoSuchEntity") => AccountError::NoSuchEntity {
            entity: entity_owned(),
        },
        Some("EntityAlreadyExists") => AccountError::EntityAlreadyExists {
            entity: entity_owned(),
        },
        Some("DeleteConflict") => AccountError::DeleteConflict {
            entity: entity_owned(),
            attached: conflict_attached(entity, message(err)),
        },
        Some("LimitExceeded") => AccountError::LimitExceeded {
            entity: entity_owned(),
            message: message(err).to_owned(),
        },
        _ => AccountError::Aws {
            entity: entity_owned(),
            operation,
            message: describe(err),
            hint: hint(err),
        },
    }
}

/// What a `DeleteConflict` says is still attached, in the words the snapshot account uses where
/// IAM's message is recognised, and IAM's own message otherwise.
pub(super) fn conflict_attached(entity: &str, iam_message: &str) -> String {
    let m = iam_message.to_ascii_lowercase();
    let is_profile = entity.starts_with("instance profile");
    if m.contains("detach all policies") {
        "managed policies".to_owned()
    } else if m.contains("delete policies") {
        "inline policies".to_owned()
    } else if m.contains("instance profile") && is_profile {
        "a role".to_owned()
    } else if m.contains("instance profile") {
        "instance profiles".to_owned()
    } else if iam_message.is_empty() {
        "something".to_owned()
    } else {
        iam_message.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_elements_are_read_from_wrapped_error_bodies() {
        let body = "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_element(body, "Code"), Some("InvalidClientTokenId"));
        assert_eq!(
            xml_element(body, "Message"),
            Some("The security token included in the request is invalid.")
        );
        assert_eq!(xml_element(body, "RequestId"), None);
        assert_eq!(xml_element("<Code> </Code>", "Code"), None);
        assert_eq!(xml_element("<Code>never closed", "Code"), None);
    }

    #[test]
    fn conflict_messages_name_what_is_attached() {
        assert_eq!(
            conflict_attached(
                "role web",
                "Cannot delete entity, must detach all policies first."
            ),
            "managed policies"
        );
        assert_eq!(
            conflict_attached(
                "role web",
                "Cannot delete entity, must delete policies first."
            ),
            "inline policies"
        );
        assert_eq!(
            conflict_attached(
                "role web",
                "Cannot delete entity, must remove roles from instance profile first."
            ),
            "instance profiles"
        );
        assert_eq!(
            conflict_attached(
                "instance profile web",
                "Cannot delete entity, must remove roles from instance profile first."
            ),
            "a role"
        );
        assert_eq!(conflict_attached("role web", "odd"), "odd");
    }
}
