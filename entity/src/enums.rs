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
    /// Sales development rep: finds and qualifies leads.
    #[sea_orm(string_value = "SDR")]
    Sdr,
    /// Account executive: closes new business.
    #[sea_orm(string_value = "ACCOUNT_EXECUTIVE")]
    AccountExecutive,
    /// Account manager: grows existing customers.
    #[sea_orm(string_value = "ACCOUNT_MANAGER")]
    AccountManager,
    /// Customer success: keeps customers healthy and renews them.
    #[sea_orm(string_value = "CUSTOMER_SUCCESS")]
    CustomerSuccess,
    /// Sales manager: leads a team and sees what the team sees.
    #[sea_orm(string_value = "SALES_MANAGER")]
    SalesManager,
    /// Director: sees and manages the whole organization.
    #[sea_orm(string_value = "DIRECTOR")]
    Director,
    /// A user of a partner organization; sees only the partner portal schema.
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
    /// Entry tier.
    #[sea_orm(string_value = "REGISTERED")]
    Registered,
    /// Silver tier.
    #[sea_orm(string_value = "SILVER")]
    Silver,
    /// Gold tier.
    #[sea_orm(string_value = "GOLD")]
    Gold,
    /// Platinum tier, the highest.
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
    /// The partner and its users may act.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// The partner's users cannot sign in or act.
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
    /// Owns the territory (usually its manager).
    #[sea_orm(string_value = "OWNER")]
    Owner,
    /// Works in the territory.
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
    /// Not a customer yet.
    #[sea_orm(string_value = "PROSPECT")]
    Prospect,
    /// A paying customer.
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
    /// A former customer.
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
    /// Doing well.
    #[sea_orm(string_value = "HEALTHY")]
    Healthy,
    /// Showing warning signs.
    #[sea_orm(string_value = "AT_RISK")]
    AtRisk,
    /// Likely to churn without action.
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
    /// The company came to us (website, trial, contact form).
    #[sea_orm(string_value = "INBOUND")]
    Inbound,
    /// We reached out first.
    #[sea_orm(string_value = "OUTBOUND")]
    Outbound,
    /// Brought by a partner.
    #[sea_orm(string_value = "PARTNER")]
    Partner,
    /// Met at an event.
    #[sea_orm(string_value = "EVENT")]
    Event,
    /// Recommended by a customer or contact.
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
    /// Not worked yet.
    #[sea_orm(string_value = "NEW")]
    New,
    /// An SDR is working it.
    #[sea_orm(string_value = "WORKING")]
    Working,
    /// BANT is complete; ready to hand to an AE.
    #[sea_orm(string_value = "QUALIFIED")]
    Qualified,
    /// Not worth pursuing; see `disqualifyReason`.
    #[sea_orm(string_value = "DISQUALIFIED")]
    Disqualified,
    /// Handed to an AE and turned into an account and an opportunity.
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
    /// A first sale to a new customer.
    #[sea_orm(string_value = "NEW_BUSINESS")]
    NewBusiness,
    /// More sold to an existing customer.
    #[sea_orm(string_value = "EXPANSION")]
    Expansion,
    /// A contract renewal.
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
    /// First contact; not yet qualified.
    #[sea_orm(string_value = "PROSPECTING")]
    Prospecting,
    /// Understanding the customer's needs.
    #[sea_orm(string_value = "DISCOVERY")]
    Discovery,
    /// A proposal has been sent.
    #[sea_orm(string_value = "PROPOSAL")]
    Proposal,
    /// Negotiating terms.
    #[sea_orm(string_value = "NEGOTIATION")]
    Negotiation,
    /// Closed: the customer bought.
    #[sea_orm(string_value = "CLOSED_WON")]
    ClosedWon,
    /// Closed: the deal is lost.
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
    /// Open, too early to count on.
    #[sea_orm(string_value = "PIPELINE")]
    Pipeline,
    /// Could close this period if things go well.
    #[sea_orm(string_value = "BEST_CASE")]
    BestCase,
    /// Expected to close this period.
    #[sea_orm(string_value = "COMMIT")]
    Commit,
    /// Won: counts as booked.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
    /// Left out of the forecast (lost deals).
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
    /// A phone or video call.
    #[sea_orm(string_value = "CALL")]
    Call,
    /// An email.
    #[sea_orm(string_value = "EMAIL")]
    Email,
    /// A meeting.
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    /// A product demo.
    #[sea_orm(string_value = "DEMO")]
    Demo,
    /// A note for the record.
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
    /// SDR to account executive: a qualified lead becomes an opportunity.
    #[sea_orm(string_value = "SDR_TO_AE")]
    SdrToAe,
    /// Account executive to account manager, after a won deal.
    #[sea_orm(string_value = "AE_TO_AM")]
    AeToAm,
    /// Account executive to customer success, after a won deal.
    #[sea_orm(string_value = "AE_TO_CS")]
    AeToCs,
    /// Customer success to account manager: an expansion signal.
    #[sea_orm(string_value = "CS_TO_AM")]
    CsToAm,
    /// Account manager to customer success.
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
    /// Waiting for the recipient to accept or reject.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The recipient took it over.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// The recipient refused it, with a reason.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    /// The sender withdrew it.
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
    /// Not a fit for us.
    #[sea_orm(string_value = "NOT_A_FIT")]
    NotAFit,
    /// The timing is wrong.
    #[sea_orm(string_value = "BAD_TIMING")]
    BadTiming,
    /// Already handled elsewhere.
    #[sea_orm(string_value = "DUPLICATE")]
    Duplicate,
    /// The qualification is incomplete.
    #[sea_orm(string_value = "INCOMPLETE_QUALIFICATION")]
    IncompleteQualification,
    /// Another reason, explained in the note.
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
    /// Amount of won new-business and expansion deals closed in the period (money).
    #[sea_orm(string_value = "BOOKINGS")]
    Bookings,
    /// Amount of won expansion deals (money).
    #[sea_orm(string_value = "EXPANSION")]
    Expansion,
    /// Amount of won renewals (money).
    #[sea_orm(string_value = "RENEWALS")]
    Renewals,
    /// Amount of opportunities created in the period that the SDR sourced (money).
    #[sea_orm(string_value = "PIPELINE_SOURCED")]
    PipelineSourced,
    /// Number of accepted SDR-to-AE handoffs (a count).
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
    /// Waiting for a sales manager's or director's decision.
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    /// Approved: the deal is the partner's.
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// Rejected; see `rejectionReason`.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    /// The approval ran out (see `expiresAt`) before the deal was won.
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
