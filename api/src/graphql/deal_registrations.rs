//! Deal registrations: the type (partners see the allowlisted part, reviewers all of
//! it), the scoped list, registration and review.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use entity::enums::DealRegistrationStatus;
use rust_decimal::Decimal;

use super::{
    connection::{Conn, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    loaders::{load, shared},
    opportunities::Opportunity,
    territories::Territory,
    users::{OrderDirection, Partner, User},
};
use crate::{
    domain::{
        GlobalId,
        deal_registration::{
            ConflictSignal, ConflictStrength, RejectionReason, conflicts_of, partner_explanation,
        },
        money,
    },
    services::{
        deal_registrations::{
            self as svc, DealRegistrationOrderField, NewRegistration, Registration,
            RegistrationFilter,
        },
        deal_review::{self, Approval, Rejection},
    },
};

/// A deal a partner registered. Partners see their organization's, as "under review"
/// until a reviewer decides, then the decision explained for partners; reviewers also
/// see the channel conflicts found on submission and the review details.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct DealRegistration {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Name of the registered company.
    pub company_name: String,
    /// Normalized (`globex.example`).
    pub domain: String,
    /// Country, as an ISO 3166-1 alpha-2 code (for example `DE`).
    pub country: Option<String>,
    /// Industry, free text as entered (for example `Software`).
    pub industry: Option<String>,
    /// Number of employees, when known.
    pub employee_count: Option<i32>,
    /// Name of the contact person at the company.
    pub contact_name: String,
    /// Email address of the contact person, when given.
    pub contact_email: Option<String>,
    /// When the partner expects the deal to close (ISO 8601 date, `YYYY-MM-DD`).
    pub expected_close_date: super::scalars::Date,
    /// The partner's own notes on the deal.
    pub notes: Option<String>,
    /// As of now: an approved registration past its exclusivity window is `EXPIRED`
    /// unless its opportunity was won.
    pub status: DealRegistrationStatus,
    /// When the partner submitted it (ISO 8601, UTC).
    pub submitted_at: super::scalars::DateTime,
    /// Send it back with a decision: a stale version is refused with `CONFLICT`.
    pub version: i32,
    #[graphql(skip)]
    pub inner: Registration,
}

impl From<Registration> for DealRegistration {
    fn from(r: Registration) -> Self {
        let m = &r.model;
        Self {
            id: ID(GlobalId::encode("DealRegistration", m.id)),
            company_name: m.company_name.clone(),
            domain: m.domain.clone(),
            country: m.country.clone(),
            industry: m.industry.clone(),
            employee_count: m.employee_count,
            contact_name: m.contact_name.clone(),
            contact_email: m.contact_email.clone(),
            expected_close_date: m.expected_close_date.into(),
            notes: m.notes.clone(),
            status: r.status,
            submitted_at: m.created_at.into(),
            version: m.version,
            inner: r,
        }
    }
}

/// The decision as partners read it.
#[derive(SimpleObject)]
pub struct DealDecision {
    /// The status after the decision.
    pub status: DealRegistrationStatus,
    /// Written for partners: names no other partner, account or person.
    pub explanation: String,
    /// When a reviewer decided; null while under review.
    pub decided_at: Option<super::scalars::DateTime>,
}

/// A channel conflict found on submission.
#[derive(SimpleObject)]
pub struct DealConflict {
    /// What matched.
    pub signal: ConflictSignal,
    /// How sure the match is.
    pub strength: ConflictStrength,
    /// What matched: the domain, or the name as found.
    pub matched: String,
    /// The global id of the account, opportunity or registration matched.
    pub matched_id: ID,
}

#[ComplexObject]
impl DealRegistration {
    /// In the reporting currency.
    async fn estimated_amount(&self) -> Decimal {
        money::to_decimal(self.inner.model.estimated_amount_cents)
    }

    /// The partner organization that registered it.
    async fn partner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Partner>> {
        load(
            &loaders(ctx)?.partners,
            Some(self.inner.model.partner_id),
            Partner::from,
        )
        .await
    }

    /// The name of the partner user who registered it.
    async fn submitted_by_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(loaders(ctx)?
            .user_names
            .load_one(self.inner.model.submitted_by_id)
            .await
            .map_err(shared)?)
    }

    /// The partner user who submitted it, when the caller may see that user.
    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(
            &loaders(ctx)?.users,
            Some(self.inner.model.submitted_by_id),
            User::from,
        )
        .await
    }

    /// "Under review" until decided, then the decision with a reason for partners.
    async fn decision(&self) -> DealDecision {
        let m = &self.inner.model;
        let reason = m
            .rejection_reason
            .as_deref()
            .and_then(RejectionReason::parse);
        DealDecision {
            status: self.status,
            explanation: partner_explanation(self.status, reason).into(),
            decided_at: m.reviewed_at.map(Into::into),
        }
    }

    /// End of exclusivity for an approved registration; null before approval.
    async fn expires_at(&self) -> Option<super::scalars::DateTime> {
        self.inner.model.reviewed_at.filter(|_| {
            matches!(
                self.inner.model.status,
                DealRegistrationStatus::Approved | DealRegistrationStatus::Expired
            )
        })?;
        Some(self.inner.model.expires_at.into())
    }

    /// The opportunity opened on approval.
    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        load(
            &loaders(ctx)?.opportunities,
            self.inner.model.opportunity_id,
            Opportunity::from,
        )
        .await
    }

    /// The territory the criteria placed it in; its sales managers review it.
    async fn territory(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        load(
            &loaders(ctx)?.territories,
            self.inner.model.territory_id,
            Territory::from,
        )
        .await
    }

    /// What the submission matched, strongest first.
    async fn conflicts(&self) -> Vec<DealConflict> {
        let mut list = conflicts_of(&self.inner.model.conflicts);
        list.sort_by_key(|c| c.strength == ConflictStrength::Weak);
        list.into_iter()
            .map(|c| DealConflict {
                signal: c.signal,
                strength: c.strength,
                matched: c.matched,
                matched_id: ID(GlobalId::encode(&c.entity_type, c.entity_id)),
            })
            .collect()
    }

    /// The reviewer's note (internal).
    async fn review_note(&self) -> Option<String> {
        self.inner.model.review_note.clone()
    }

    /// The sales manager or director who approved or rejected it, when the caller may see
    /// that user.
    async fn reviewed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(
            &loaders(ctx)?.users,
            self.inner.model.reviewed_by_id,
            User::from,
        )
        .await
    }

    /// Why it was rejected; `null` unless rejected.
    async fn rejection_reason(&self) -> Option<RejectionReason> {
        self.inner
            .model
            .rejection_reason
            .as_deref()
            .and_then(RejectionReason::parse)
    }
}

/// Narrows the deal registration list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct DealRegistrationFilterInput {
    /// Any of these statuses, as of now.
    #[graphql(default)]
    pub status: Vec<DealRegistrationStatus>,
    /// Case-insensitive text in the company name or domain.
    pub search: Option<String>,
    /// Only registrations of this partner organization (global id).
    pub partner_id: Option<ID>,
}

/// How to sort deal registrations.
#[derive(InputObject)]
pub struct DealRegistrationOrderInput {
    /// The field to sort by.
    pub field: DealRegistrationOrderField,
    /// Ascending or descending; ascending when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A deal a partner wants to register.
#[derive(InputObject)]
pub struct RegisterDealInput {
    /// Name of the company the deal is with.
    pub company_name: String,
    /// The company's web domain; normalized, and checked for channel conflict.
    pub domain: String,
    /// ISO 3166 alpha-2; with industry and employee count, places the registration.
    pub country: Option<String>,
    /// Industry of the company, free text.
    pub industry: Option<String>,
    /// Number of employees of the company, when known.
    pub employee_count: Option<i32>,
    /// Name of the contact person at the company.
    pub contact_name: String,
    /// Email address of the contact person.
    pub contact_email: Option<String>,
    /// Not negative.
    pub estimated_amount: Decimal,
    /// Today or later.
    pub expected_close_date: super::scalars::Date,
    /// Up to 2,000 characters.
    pub notes: Option<String>,
}

/// Optional details of an approval.
#[derive(InputObject, Default)]
pub struct ApproveDealRegistrationInput {
    /// The account executive to own the opportunity; by default the territory's.
    pub owner_id: Option<ID>,
    /// A note for the record, visible to internal users.
    pub note: Option<String>,
}

/// Why a registration is rejected.
#[derive(InputObject)]
pub struct RejectDealRegistrationInput {
    /// Decides the explanation the partner reads.
    pub reason: RejectionReason,
    /// For reviewers only; required, up to 2,000 characters.
    pub note: String,
}

#[derive(Default)]
pub struct DealRegistrationQuery;

#[Object]
impl DealRegistrationQuery {
    /// Partners: their organization's; sales managers: those in their territories;
    /// directors: all. Newest first by default.
    #[allow(clippy::too_many_arguments)]
    async fn deal_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Page backward: at most this many items before `before` (or from the end)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Page backward: items before this cursor (a `startCursor` or edge `cursor` you received)."
        )]
        before: Option<String>,
        #[graphql(desc = "Narrows the list; omitted, every row the caller may see.")]
        filter: Option<DealRegistrationFilterInput>,
        #[graphql(desc = "Sort order; omitted, the list's default order.")] order_by: Option<
            DealRegistrationOrderInput,
        >,
    ) -> async_graphql::Result<Conn<DealRegistration>> {
        let filter = filter.unwrap_or_default();
        let f = RegistrationFilter {
            statuses: filter.status,
            search: filter.search,
            partner_id: opt_id(filter.partner_id.as_ref(), "Partner", "partnerId")?,
        };
        let order = order_by.map_or((DealRegistrationOrderField::SubmittedAt, true), |o| {
            (o.field, o.direction == OrderDirection::Desc)
        });
        let page = page_args(first, after, last, before);
        let paged = svc::list(state(ctx)?, actor(ctx)?, &f, order, &page).await?;
        to_connection(ctx, paged, DealRegistration::from)
    }
}

#[derive(Default)]
pub struct DealRegistrationMutation;

#[Object]
impl DealRegistrationMutation {
    /// Partner users: registers a deal for their organization. It is "under review"
    /// until a sales manager of its territory or a director decides.
    async fn register_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: RegisterDealInput,
    ) -> async_graphql::Result<DealRegistration> {
        let new = NewRegistration {
            company_name: input.company_name,
            domain: input.domain,
            country: input.country,
            industry: input.industry,
            employee_count: input.employee_count,
            contact_name: input.contact_name,
            contact_email: input.contact_email,
            estimated_amount: input.estimated_amount,
            expected_close_date: input.expected_close_date.into(),
            notes: input.notes,
        };
        Ok(svc::register(state(ctx)?, actor(ctx)?, new).await?.into())
    }

    /// Creates or links the account and opens the opportunity for the partner.
    async fn approve_deal_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the deal registration.")] id: ID,
        #[graphql(
            desc = "The `version` you last read; if the record changed since, the call fails with `CONFLICT`."
        )]
        version: i32,
        #[graphql(desc = "The values to submit.")] input: Option<ApproveDealRegistrationInput>,
    ) -> async_graphql::Result<DealRegistration> {
        let input = input.unwrap_or_default();
        let id = GlobalId::decode_as(&id, "DealRegistration", "id")?;
        let approval = Approval {
            owner_id: opt_id(input.owner_id.as_ref(), "User", "ownerId")?,
            note: input.note,
        };
        Ok(
            deal_review::approve(state(ctx)?, actor(ctx)?, id, version, approval)
                .await?
                .into(),
        )
    }

    /// Rejects a submitted registration with a reason the partner will see. Sales
    /// managers and directors only.
    async fn reject_deal_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the deal registration.")] id: ID,
        #[graphql(
            desc = "The `version` you last read; if the record changed since, the call fails with `CONFLICT`."
        )]
        version: i32,
        #[graphql(desc = "The values to submit.")] input: RejectDealRegistrationInput,
    ) -> async_graphql::Result<DealRegistration> {
        let id = GlobalId::decode_as(&id, "DealRegistration", "id")?;
        let rejection = Rejection {
            reason: input.reason,
            note: input.note,
        };
        Ok(
            deal_review::reject(state(ctx)?, actor(ctx)?, id, version, rejection)
                .await?
                .into(),
        )
    }
}
