//! Deal registration rules without I/O: the status as of now (expiry is computed on
//! read), company-name matching for conflict detection, the conflict record, and the
//! reasons partners are shown.

use chrono::{DateTime, Utc};
use entity::enums::DealRegistrationStatus;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The status as of `now`: an approved registration past its exclusivity window is
/// `EXPIRED` unless its opportunity was won, so no background job is needed.
pub fn status_at(
    stored: DealRegistrationStatus,
    expires_at: DateTime<Utc>,
    won: bool,
    now: DateTime<Utc>,
) -> DealRegistrationStatus {
    match stored {
        DealRegistrationStatus::Approved if !won && now >= expires_at => {
            DealRegistrationStatus::Expired
        }
        s => s,
    }
}

/// Only a submitted registration can be decided.
pub fn decide(current: DealRegistrationStatus) -> Result<(), AppError> {
    match current {
        DealRegistrationStatus::Submitted => Ok(()),
        other => Err(AppError::InvalidStateTransition(format!(
            "the registration is {} and can no longer be decided",
            other.as_str().to_lowercase()
        ))),
    }
}

const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "bv",
    "plc",
    "pty",
    "srl",
    "the",
];

/// A company name reduced for comparison: lower case, letters and digits only, legal
/// suffixes dropped (`The Globex Corp.` and `globex` match).
pub fn normalized_name(raw: &str) -> String {
    raw.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !LEGAL_SUFFIXES.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The longest word of a normalized name, to narrow candidates in SQL before comparing.
pub fn key_word(normalized: &str) -> Option<&str> {
    normalized
        .split(' ')
        .max_by_key(|w| w.len())
        .filter(|w| w.len() >= 3)
}

/// What a submission matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConflictSignal {
    /// An account with the same domain.
    DomainAccount,
    /// An open opportunity on an account with the same domain.
    DomainOpenOpportunity,
    /// Another partner's live registration of the same domain.
    DomainRegistration,
    /// An account whose name matches the company's.
    CompanyNameAccount,
    /// Another partner's live registration whose company name matches.
    CompanyNameRegistration,
}

/// How likely a conflict is the same company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConflictStrength {
    /// The same normalized domain: almost certainly the same company.
    Strong,
    /// A matching company name only.
    Weak,
}

/// One conflict, as stored on the registration (`conflicts`, a JSON list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub signal: ConflictSignal,
    pub strength: ConflictStrength,
    /// `Account`, `Opportunity` or `DealRegistration`.
    pub entity_type: String,
    pub entity_id: uuid::Uuid,
    /// What matched: the domain or the name, as found.
    pub matched: String,
}

impl Conflict {
    pub fn strength_of(signal: ConflictSignal) -> ConflictStrength {
        match signal {
            ConflictSignal::CompanyNameAccount | ConflictSignal::CompanyNameRegistration => {
                ConflictStrength::Weak
            }
            _ => ConflictStrength::Strong,
        }
    }
}

/// Reads the stored list; rows written by other tools (or older seeds) that do not
/// parse are left out rather than failing the read.
pub fn conflicts_of(stored: &serde_json::Value) -> Vec<Conflict> {
    stored
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| serde_json::from_value(v.clone()).ok())
        .collect()
}

/// Why a registration was rejected, as the partner is told: each reason has a fixed
/// text that names no other partner, account or person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum RejectionReason {
    /// The company is already being worked by the sales team or another partner.
    ChannelConflict,
    /// The opportunity does not meet the program's criteria.
    NotQualified,
    /// The partner registered the same opportunity before.
    Duplicate,
    /// Another reason; the explanation says more.
    Other,
}

impl RejectionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChannelConflict => "CHANNEL_CONFLICT",
            Self::NotQualified => "NOT_QUALIFIED",
            Self::Duplicate => "DUPLICATE",
            Self::Other => "OTHER",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::ChannelConflict,
            Self::NotQualified,
            Self::Duplicate,
            Self::Other,
        ]
        .into_iter()
        .find(|r| r.as_str() == raw)
    }

    pub fn partner_text(self) -> &'static str {
        match self {
            Self::ChannelConflict => {
                "This opportunity is already being worked, so it cannot be registered."
            }
            Self::NotQualified => {
                "This opportunity does not meet the registration program's criteria."
            }
            Self::Duplicate => "This opportunity duplicates an earlier registration of yours.",
            Self::Other => {
                "This registration was not approved; your channel manager can tell you more."
            }
        }
    }
}

/// What partners read while a registration waits and once it is decided.
pub fn partner_explanation(
    status: DealRegistrationStatus,
    rejection: Option<RejectionReason>,
) -> &'static str {
    match status {
        DealRegistrationStatus::Submitted => "Under review.",
        DealRegistrationStatus::Approved => {
            "Approved: the opportunity is registered to your organization for the exclusivity window."
        }
        DealRegistrationStatus::Expired => {
            "Expired: the exclusivity window ended before the opportunity was won."
        }
        DealRegistrationStatus::Rejected => {
            rejection.unwrap_or(RejectionReason::Other).partner_text()
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn approved_registrations_expire_unless_won() {
        let now = Utc::now();
        let past = now - TimeDelta::days(1);
        use DealRegistrationStatus::*;
        assert_eq!(status_at(Approved, past, false, now), Expired);
        assert_eq!(status_at(Approved, past, true, now), Approved);
        assert_eq!(
            status_at(Approved, now + TimeDelta::days(1), false, now),
            Approved
        );
        assert_eq!(status_at(Submitted, past, false, now), Submitted);
        assert_eq!(status_at(Rejected, past, false, now), Rejected);
    }

    #[test]
    fn only_submitted_registrations_are_decided() {
        use DealRegistrationStatus::*;
        assert!(decide(Submitted).is_ok());
        for s in [Approved, Rejected, Expired] {
            assert!(matches!(
                decide(s),
                Err(AppError::InvalidStateTransition(_))
            ));
        }
    }

    #[test]
    fn names_match_without_punctuation_case_or_legal_suffixes() {
        assert_eq!(normalized_name("The Globex Corp."), "globex");
        assert_eq!(normalized_name("GLOBEX, Inc"), "globex");
        assert_eq!(normalized_name("Initech GmbH & Co"), "initech");
        assert_eq!(key_word("acme rocket works"), Some("rocket"));
        assert_eq!(key_word("ab"), None);
    }

    #[test]
    fn partner_texts_name_nobody() {
        for r in [
            RejectionReason::ChannelConflict,
            RejectionReason::NotQualified,
            RejectionReason::Duplicate,
            RejectionReason::Other,
        ] {
            assert_eq!(RejectionReason::parse(r.as_str()), Some(r));
            assert!(!r.partner_text().contains('@'));
        }
    }
}
