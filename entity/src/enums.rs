//! Enumerations stored as short strings (`VARCHAR(32)`) in the database and exposed
//! as GraphQL enums. The stored string equals the GraphQL name (SCREAMING_SNAKE_CASE).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Role of a user in the sales organization.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[sea_orm(string_value = "SDR")]
    Sdr,
    #[sea_orm(string_value = "ACCOUNT_EXECUTIVE")]
    AccountExecutive,
    #[sea_orm(string_value = "ACCOUNT_MANAGER")]
    AccountManager,
    #[sea_orm(string_value = "CUSTOMER_SUCCESS")]
    CustomerSuccess,
    #[sea_orm(string_value = "SALES_MANAGER")]
    SalesManager,
    #[sea_orm(string_value = "DIRECTOR")]
    Director,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}

impl Role {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sdr => "SDR",
            Self::AccountExecutive => "ACCOUNT_EXECUTIVE",
            Self::AccountManager => "ACCOUNT_MANAGER",
            Self::CustomerSuccess => "CUSTOMER_SUCCESS",
            Self::SalesManager => "SALES_MANAGER",
            Self::Director => "DIRECTOR",
            Self::Partner => "PARTNER",
        }
    }
}

/// Partner program tier.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartnerTier {
    #[sea_orm(string_value = "REGISTERED")]
    Registered,
    #[sea_orm(string_value = "SILVER")]
    Silver,
    #[sea_orm(string_value = "GOLD")]
    Gold,
    #[sea_orm(string_value = "PLATINUM")]
    Platinum,
}

impl PartnerTier {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Registered => "REGISTERED",
            Self::Silver => "SILVER",
            Self::Gold => "GOLD",
            Self::Platinum => "PLATINUM",
        }
    }
}

/// Whether a partner may act.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartnerStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
}

impl PartnerStatus {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Suspended => "SUSPENDED",
        }
    }
}

/// Role of a member inside a territory.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TerritoryRole {
    #[sea_orm(string_value = "OWNER")]
    Owner,
    #[sea_orm(string_value = "MEMBER")]
    Member,
}

impl TerritoryRole {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Owner => "OWNER",
            Self::Member => "MEMBER",
        }
    }
}

/// Account lifecycle stage.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Lifecycle {
    #[sea_orm(string_value = "PROSPECT")]
    Prospect,
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
    #[sea_orm(string_value = "CHURNED")]
    Churned,
}

impl Lifecycle {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Prospect => "PROSPECT",
            Self::Customer => "CUSTOMER",
            Self::Churned => "CHURNED",
        }
    }
}

/// Customer health score bucket.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Health {
    #[sea_orm(string_value = "HEALTHY")]
    Healthy,
    #[sea_orm(string_value = "AT_RISK")]
    AtRisk,
    #[sea_orm(string_value = "CRITICAL")]
    Critical,
}

impl Health {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Healthy => "HEALTHY",
            Self::AtRisk => "AT_RISK",
            Self::Critical => "CRITICAL",
        }
    }
}

/// Where a lead came from.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadSource {
    #[sea_orm(string_value = "INBOUND")]
    Inbound,
    #[sea_orm(string_value = "OUTBOUND")]
    Outbound,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
    #[sea_orm(string_value = "EVENT")]
    Event,
    #[sea_orm(string_value = "REFERRAL")]
    Referral,
}

impl LeadSource {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Inbound => "INBOUND",
            Self::Outbound => "OUTBOUND",
            Self::Partner => "PARTNER",
            Self::Event => "EVENT",
            Self::Referral => "REFERRAL",
        }
    }
}

/// Lead qualification status.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadStatus {
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "WORKING")]
    Working,
    #[sea_orm(string_value = "QUALIFIED")]
    Qualified,
    #[sea_orm(string_value = "DISQUALIFIED")]
    Disqualified,
    #[sea_orm(string_value = "CONVERTED")]
    Converted,
}

impl LeadStatus {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::Working => "WORKING",
            Self::Qualified => "QUALIFIED",
            Self::Disqualified => "DISQUALIFIED",
            Self::Converted => "CONVERTED",
        }
    }
}

/// Kind of deal.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OpportunityType {
    #[sea_orm(string_value = "NEW_BUSINESS")]
    NewBusiness,
    #[sea_orm(string_value = "EXPANSION")]
    Expansion,
    #[sea_orm(string_value = "RENEWAL")]
    Renewal,
}

impl OpportunityType {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NewBusiness => "NEW_BUSINESS",
            Self::Expansion => "EXPANSION",
            Self::Renewal => "RENEWAL",
        }
    }
}

/// Opportunity sales stage.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Stage {
    #[sea_orm(string_value = "PROSPECTING")]
    Prospecting,
    #[sea_orm(string_value = "DISCOVERY")]
    Discovery,
    #[sea_orm(string_value = "PROPOSAL")]
    Proposal,
    #[sea_orm(string_value = "NEGOTIATION")]
    Negotiation,
    #[sea_orm(string_value = "CLOSED_WON")]
    ClosedWon,
    #[sea_orm(string_value = "CLOSED_LOST")]
    ClosedLost,
}

impl Stage {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Prospecting => "PROSPECTING",
            Self::Discovery => "DISCOVERY",
            Self::Proposal => "PROPOSAL",
            Self::Negotiation => "NEGOTIATION",
            Self::ClosedWon => "CLOSED_WON",
            Self::ClosedLost => "CLOSED_LOST",
        }
    }
}

/// Forecast bucket of an opportunity.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ForecastCategory {
    #[sea_orm(string_value = "PIPELINE")]
    Pipeline,
    #[sea_orm(string_value = "BEST_CASE")]
    BestCase,
    #[sea_orm(string_value = "COMMIT")]
    Commit,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
    #[sea_orm(string_value = "OMITTED")]
    Omitted,
}

impl ForecastCategory {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pipeline => "PIPELINE",
            Self::BestCase => "BEST_CASE",
            Self::Commit => "COMMIT",
            Self::Closed => "CLOSED",
            Self::Omitted => "OMITTED",
        }
    }
}

/// Type of a logged activity.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityKind {
    #[sea_orm(string_value = "CALL")]
    Call,
    #[sea_orm(string_value = "EMAIL")]
    Email,
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    #[sea_orm(string_value = "DEMO")]
    Demo,
    #[sea_orm(string_value = "NOTE")]
    Note,
}

impl ActivityKind {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Call => "CALL",
            Self::Email => "EMAIL",
            Self::Meeting => "MEETING",
            Self::Demo => "DEMO",
            Self::Note => "NOTE",
        }
    }
}

/// Direction of a handoff between teams.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandoffKind {
    #[sea_orm(string_value = "SDR_TO_AE")]
    SdrToAe,
    #[sea_orm(string_value = "AE_TO_AM")]
    AeToAm,
    #[sea_orm(string_value = "AE_TO_CS")]
    AeToCs,
    #[sea_orm(string_value = "CS_TO_AM")]
    CsToAm,
    #[sea_orm(string_value = "AM_TO_CS")]
    AmToCs,
}

impl HandoffKind {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SdrToAe => "SDR_TO_AE",
            Self::AeToAm => "AE_TO_AM",
            Self::AeToCs => "AE_TO_CS",
            Self::CsToAm => "CS_TO_AM",
            Self::AmToCs => "AM_TO_CS",
        }
    }
}

/// State of a handoff.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandoffStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl HandoffStatus {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Accepted => "ACCEPTED",
            Self::Rejected => "REJECTED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// Why a handoff was rejected.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RejectReason {
    #[sea_orm(string_value = "NOT_A_FIT")]
    NotAFit,
    #[sea_orm(string_value = "BAD_TIMING")]
    BadTiming,
    #[sea_orm(string_value = "DUPLICATE")]
    Duplicate,
    #[sea_orm(string_value = "INCOMPLETE_QUALIFICATION")]
    IncompleteQualification,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

impl RejectReason {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NotAFit => "NOT_A_FIT",
            Self::BadTiming => "BAD_TIMING",
            Self::Duplicate => "DUPLICATE",
            Self::IncompleteQualification => "INCOMPLETE_QUALIFICATION",
            Self::Other => "OTHER",
        }
    }
}

/// What a quota measures.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuotaMetric {
    #[sea_orm(string_value = "BOOKINGS")]
    Bookings,
    #[sea_orm(string_value = "EXPANSION")]
    Expansion,
    #[sea_orm(string_value = "RENEWALS")]
    Renewals,
    #[sea_orm(string_value = "PIPELINE_SOURCED")]
    PipelineSourced,
    #[sea_orm(string_value = "QUALIFIED_HANDOFFS")]
    QualifiedHandoffs,
}

impl QuotaMetric {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Bookings => "BOOKINGS",
            Self::Expansion => "EXPANSION",
            Self::Renewals => "RENEWALS",
            Self::PipelineSourced => "PIPELINE_SOURCED",
            Self::QualifiedHandoffs => "QUALIFIED_HANDOFFS",
        }
    }
}

/// State of a partner deal registration.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DealRegistrationStatus {
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

impl DealRegistrationStatus {
    /// The string stored in the database (and used as GraphQL enum value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Submitted => "SUBMITTED",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Expired => "EXPIRED",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    fn check<E>(as_str: fn(&E) -> &'static str)
    where
        E: ActiveEnum<Value = String>
            + Iterable
            + Serialize
            + async_graphql::resolver_utils::EnumType,
    {
        for v in E::iter() {
            let s = as_str(&v);
            assert_eq!(v.to_value(), s);
            assert_eq!(
                serde_json::to_value(v).ok(),
                Some(serde_json::Value::String(s.to_owned()))
            );
            assert!(
                E::items()
                    .iter()
                    .any(|item| item.name == s && as_str(&item.value) == s)
            );
        }
    }

    #[test]
    fn stored_serde_and_graphql_names_agree() {
        check::<Role>(Role::as_str);
        check::<PartnerTier>(PartnerTier::as_str);
        check::<PartnerStatus>(PartnerStatus::as_str);
        check::<TerritoryRole>(TerritoryRole::as_str);
        check::<Lifecycle>(Lifecycle::as_str);
        check::<Health>(Health::as_str);
        check::<LeadSource>(LeadSource::as_str);
        check::<LeadStatus>(LeadStatus::as_str);
        check::<OpportunityType>(OpportunityType::as_str);
        check::<Stage>(Stage::as_str);
        check::<ForecastCategory>(ForecastCategory::as_str);
        check::<ActivityKind>(ActivityKind::as_str);
        check::<HandoffKind>(HandoffKind::as_str);
        check::<HandoffStatus>(HandoffStatus::as_str);
        check::<RejectReason>(RejectReason::as_str);
        check::<QuotaMetric>(QuotaMetric::as_str);
        check::<DealRegistrationStatus>(DealRegistrationStatus::as_str);
    }
}
