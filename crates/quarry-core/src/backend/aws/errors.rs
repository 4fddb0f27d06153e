//! SDK errors turned into one sentence that says what happened and what to set.

use std::error::Error as StdError;
use std::fmt::Write as _;

use aws_sdk_athena::error::{ProvideErrorMetadata, SdkError};

/// A failed AWS call, described for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AwsCallError {
    /// The service's error code (`AccessDeniedException`), when it sent one.
    pub code: Option<String>,
    pub message: String,
}

impl AwsCallError {
    /// True when the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("EntityNotFoundException" | "NoSuchKey" | "NoSuchBucket" | "NotFound")
        )
    }

    /// True when the caller lacks permission.
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("AccessDenied" | "AccessDeniedException" | "Forbidden")
        )
    }
}

/// Describes a failed call: `what` names it (`Glue GetPartitions on logs_db.logs`).
pub fn describe<E, R>(error: &SdkError<E, R>, what: &str) -> AwsCallError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let code = error.code().map(str::to_owned);
    let service_message = error.message().unwrap_or_default().to_owned();
    let message = match (error, code.as_deref()) {
        (SdkError::TimeoutError(_), _) => format!(
            "{what} timed out: AWS did not answer; check the network (or --endpoint-url) and try \
             again"
        ),
        (SdkError::DispatchFailure(failure), _) => {
            let detail = chain(error);
            if detail.contains("credential") {
                format!(
                    "{what} has no usable AWS credentials ({detail}): set AWS_PROFILE (or pass \
                     --profile), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso \
                     login`"
                )
            } else if failure.is_timeout() || failure.is_io() {
                format!(
                    "cannot reach AWS for {what} ({detail}); check the network, the region, or \
                     --endpoint-url"
                )
            } else {
                format!("{what} could not be sent: {detail}")
            }
        }
        (_, Some("ExpiredToken" | "ExpiredTokenException" | "RequestExpired")) => format!(
            "the AWS credentials have expired ({what}): refresh them, e.g. `aws sso login`, or \
             set new AWS_SESSION_TOKEN / keys"
        ),
        (
            _,
            Some(
                "UnrecognizedClientException"
                | "InvalidClientTokenId"
                | "InvalidAccessKeyId"
                | "SignatureDoesNotMatch"
                | "InvalidSignatureException",
            ),
        ) => format!(
            "AWS rejected the credentials for {what} ({service_message}): check AWS_PROFILE or \
             the access keys"
        ),
        (_, Some("AccessDenied" | "AccessDeniedException" | "Forbidden")) => format!(
            "AWS denied {what}: {service_message}. The identity in use needs that permission in \
             its IAM policy"
        ),
        (
            _,
            Some(
                "ThrottlingException"
                | "TooManyRequestsException"
                | "Throttling"
                | "SlowDown"
                | "RequestLimitExceeded",
            ),
        ) => format!("AWS kept throttling {what} after several retries; try again in a moment"),
        (_, Some("InvalidRequestException"))
            if service_message.contains("WorkGroup")
                && (service_message.contains("not found")
                    || service_message.contains("does not exist")) =>
        {
            format!(
                "the Athena workgroup does not exist ({service_message}): pass --workgroup NAME \
                 or set `workgroup` under [aws] in config.toml"
            )
        }
        (_, Some(code)) if !service_message.is_empty() => {
            format!("{what} failed: {code}: {service_message}")
        }
        (_, Some(code)) => format!("{what} failed: {code}"),
        (_, None) => format!("{what} failed: {}", chain(error)),
    };
    AwsCallError { code, message }
}

/// An error and its sources on one line, so the root cause is not lost.
pub fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            let _ = write!(text, ": {cause_text}");
        }
        source = cause.source();
    }
    text
}
