//! The inputs of lead queries and mutations: filter, order, capture, update, BANT.

use super::*;

/// Narrows the lead list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct LeadFilterInput {
    /// Only leads owned by this user (global id).
    pub owner_id: Option<ID>,
    /// Only leads nobody owns yet.
    #[graphql(default)]
    pub unowned: bool,
    /// Leads in this territory or below it.
    pub territory_id: Option<ID>,
    /// Only leads in these statuses; empty or omitted, every status.
    #[graphql(default)]
    pub status: Vec<LeadStatus>,
    /// Case-insensitive text in the company or contact name.
    pub search: Option<String>,
}

/// How to sort leads.
#[derive(InputObject)]
pub struct LeadOrderInput {
    /// The field to sort by.
    pub field: LeadOrderField,
    /// Ascending or descending; ascending when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A new lead; it starts as `NEW`.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// Name of the company.
    pub company_name: String,
    /// Web domain of the company (for example `acme.com`); needed before a handoff to an AE.
    pub domain: Option<String>,
    /// Full name of the contact person.
    pub contact_name: String,
    /// Email address of the contact person, when known.
    pub contact_email: Option<String>,
    /// Country, as an ISO 3166-1 alpha-2 code (for example `DE`).
    pub country: Option<String>,
    /// Industry, free text as entered (for example `Software`).
    pub industry: Option<String>,
    /// Number of employees, when known.
    pub employee_count: Option<i32>,
    /// Where the lead came from.
    #[graphql(default_with = "LeadSource::Inbound")]
    pub source: LeadSource,
    /// Defaults to the creating SDR.
    pub owner_id: Option<ID>,
    /// Omit to place the lead by the territory criteria.
    pub territory_id: Option<ID>,
}

/// Omit a field to leave it unchanged; send `null` to clear a field that may be empty.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    /// New company name; `null` is refused.
    pub company_name: MaybeUndefined<String>,
    /// Web domain of the company, normalized (for example `acme.com`).
    pub domain: MaybeUndefined<String>,
    /// New contact name; `null` is refused.
    pub contact_name: MaybeUndefined<String>,
    /// Email address of the contact person, when known.
    pub contact_email: MaybeUndefined<String>,
    /// Country, as an ISO 3166-1 alpha-2 code (for example `DE`).
    pub country: MaybeUndefined<String>,
    /// Industry, free text as entered (for example `Software`).
    pub industry: MaybeUndefined<String>,
    /// Number of employees, when known.
    pub employee_count: MaybeUndefined<i32>,
    /// New source; `null` is refused.
    pub source: MaybeUndefined<LeadSource>,
    /// `NEW` or `WORKING` (reopening a disqualified lead); other statuses have their own mutations.
    pub status: MaybeUndefined<LeadStatus>,
    /// `null` returns the lead to the pool of its territory.
    pub owner_id: MaybeUndefined<ID>,
    /// Move the lead to this territory (global id); `null` removes it from any territory.
    pub territory_id: MaybeUndefined<ID>,
}

/// BANT answers to record; omitted ones keep their current answer.
#[derive(InputObject, Default)]
pub struct QualifyLeadInput {
    /// Answer to the BANT budget question: is there money for this?
    pub budget: Option<String>,
    /// Answer to the BANT authority question: who decides and are we talking to them?
    pub authority: Option<String>,
    /// Answer to the BANT need question: what problem do they need solved?
    pub need: Option<String>,
    /// Answer to the BANT timeline question: when do they intend to buy?
    pub timeline: Option<String>,
}
