//! The scale data set's accounts, leads, opportunities and activities, one row at a time,
//! spread over the organization's territories and teams.

use chrono::{Days, NaiveDate, TimeDelta};
use entity::enums::{
    ActivityKind, Health, LeadSource, LeadStatus, Lifecycle, OpportunityType, Role, Stage,
};
use entity::{accounts, activities, leads, opportunities};
use sea_orm::ActiveValue::Set;

use super::org::Org;
use super::rng::{SplitMix64, T, row_id};
use super::words::{FIRST, INDUSTRIES, LAST, LOST_REASONS, PRODUCTS, SUFFIXES, WORDS};
use super::{FY_START, TODAY, at};
use crate::seed::demo::stage_forecast;

/// What later tables need to know about earlier rows, kept instead of the rows themselves.
#[derive(Default)]
pub(super) struct Facts {
    /// Per account: its leaf territory and whether it is a customer.
    pub(super) accounts: Vec<(u32, bool)>,
    /// The team owning each lead and each opportunity (their activities are logged by it).
    pub(super) lead_teams: Vec<u32>,
    pub(super) opportunity_teams: Vec<u32>,
}

fn day_in_fy(rng: &mut SplitMix64, from: u64, to: u64) -> NaiveDate {
    FY_START + Days::new(from + rng.below(to - from))
}

fn employees(rng: &mut SplitMix64, band: (Option<i32>, Option<i32>)) -> i32 {
    let (min, max) = (band.0.unwrap_or(10), band.1.unwrap_or(50_000));
    // Skewed towards small companies: the minimum of two uniform draws.
    let span = (max - min + 1) as u64;
    min + rng.below(span).min(rng.below(span)) as i32
}

/// An account, its leaf territory and whether it is a customer.
pub(super) fn account(
    org: &Org,
    rng: &mut SplitMix64,
    i: u64,
) -> (accounts::ActiveModel, usize, bool) {
    let l = rng.below(org.leaves.len() as u64) as usize;
    let leaf = &org.leaves[l];
    let team = &org.teams[leaf.team];
    let lifecycle = match rng.below(100) {
        0..55 => Lifecycle::Prospect,
        55..90 => Lifecycle::Customer,
        _ => Lifecycle::Churned,
    };
    let customer = lifecycle == Lifecycle::Customer;
    let served = lifecycle != Lifecycle::Prospect;
    let health = match (lifecycle, rng.below(10)) {
        (Lifecycle::Prospect, _) => None,
        (Lifecycle::Churned, _) | (_, 0) => Some(Health::Critical),
        (_, 1..3) => Some(Health::AtRisk),
        _ => Some(Health::Healthy),
    };
    let created = at(day_in_fy(rng, 0, 180) - Days::new(365), 9);
    let row = accounts::ActiveModel {
        id: Set(row_id(T::Account, i)),
        name: Set(format!(
            "{} {} {} {i}",
            rng.pick(&WORDS),
            rng.pick(&WORDS),
            rng.pick(&SUFFIXES)
        )),
        domain: Set(format!("acct-{i:07}.scale.example")),
        industry: Set(Some(rng.pick(&INDUSTRIES).into())),
        country: Set(Some(leaf.country.into())),
        employee_count: Set(Some(employees(rng, leaf.band))),
        territory_id: Set(Some(leaf.id)),
        owner_id: Set(Some(team.pick(Role::AccountExecutive, rng))),
        account_manager_id: Set(served.then(|| team.pick(Role::AccountManager, rng))),
        csm_id: Set(served.then(|| team.pick(Role::CustomerSuccess, rng))),
        partner_id: Set(rng.percent(10).then(|| rng.pick(&org.partners))),
        lifecycle: Set(lifecycle),
        arr_cents: Set(if customer {
            (10_000 + rng.below(490_000) as i64) * 100
        } else {
            0
        }),
        contract_end_date: Set(served.then(|| day_in_fy(rng, 0, 365) + Days::new(rng.below(365)))),
        health: Set(health),
        created_at: Set(created),
        updated_at: Set(created),
    };
    (row, l, customer)
}

/// A lead and the team that works it.
pub(super) fn lead(
    org: &Org,
    accounts: &[(u32, bool)],
    rng: &mut SplitMix64,
    i: u64,
) -> (leads::ActiveModel, usize) {
    let status = match rng.below(100) {
        0..20 => LeadStatus::New,
        20..45 => LeadStatus::Working,
        45..55 => LeadStatus::Qualified,
        55..70 => LeadStatus::Disqualified,
        _ => LeadStatus::Converted,
    };
    let converted = (status == LeadStatus::Converted).then(|| rng.below(accounts.len() as u64));
    let l = match converted {
        Some(a) => accounts[a as usize].0 as usize,
        None => rng.below(org.leaves.len() as u64) as usize,
    };
    let leaf = &org.leaves[l];
    let qualified = matches!(status, LeadStatus::Qualified | LeadStatus::Converted);
    let owned = qualified || status == LeadStatus::Disqualified || rng.percent(80);
    let owner = owned.then(|| org.teams[leaf.team].pick(Role::Sdr, rng));
    let created = at(day_in_fy(rng, 0, 260), 8 + rng.below(10));
    let by = Set(owner.filter(|_| qualified));
    let when = Set(qualified.then(|| created + TimeDelta::days(2)));
    let answer = |text: &str| Set(qualified.then(|| text.to_owned()));
    let domain = match converted {
        Some(a) => format!("acct-{a:07}.scale.example"),
        None => format!("lead-{i:07}.scale.example"),
    };
    let (first, last) = (rng.pick(&FIRST), rng.pick(&LAST));
    let row = leads::ActiveModel {
        id: Set(row_id(T::Lead, i)),
        company_name: Set(format!("{} {} {i}", rng.pick(&WORDS), rng.pick(&SUFFIXES))),
        contact_email: Set(Some(format!(
            "{}.{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase()
        ))),
        domain: Set(Some(domain)),
        contact_name: Set(format!("{first} {last}")),
        country: Set(Some(leaf.country.into())),
        industry: Set(Some(rng.pick(&INDUSTRIES).into())),
        employee_count: Set(Some(employees(rng, leaf.band))),
        source: Set(rng.pick(&[
            LeadSource::Inbound,
            LeadSource::Outbound,
            LeadSource::Partner,
            LeadSource::Event,
            LeadSource::Referral,
        ])),
        status: Set(status),
        owner_id: Set(owner),
        territory_id: Set(Some(leaf.id)),
        budget: answer("Budget approved"),
        budget_by_id: by.clone(),
        budget_at: when.clone(),
        authority: answer("Economic buyer identified"),
        authority_by_id: by.clone(),
        authority_at: when.clone(),
        need: answer("Replacing spreadsheets"),
        need_by_id: by.clone(),
        need_at: when.clone(),
        timeline: answer("This quarter"),
        timeline_by_id: by,
        timeline_at: when,
        disqualify_reason: Set((status == LeadStatus::Disqualified).then(|| "No budget".to_owned())),
        account_id: Set(converted.map(|a| row_id(T::Account, a))),
        created_at: Set(created),
        updated_at: Set(created + TimeDelta::days(3)),
    };
    (row, leaf.team)
}

/// An opportunity and the team that owns it.
pub(super) fn opportunity(
    org: &Org,
    accounts: &[(u32, bool)],
    rng: &mut SplitMix64,
    i: u64,
) -> (opportunities::ActiveModel, usize) {
    let a = rng.below(accounts.len() as u64);
    let (l, customer) = accounts[a as usize];
    let leaf = &org.leaves[l as usize];
    let team = &org.teams[leaf.team];
    let kind = match (customer, rng.below(10)) {
        (true, 0..4) => OpportunityType::Expansion,
        (true, 4..7) => OpportunityType::Renewal,
        _ => OpportunityType::NewBusiness,
    };
    let owner = match kind {
        OpportunityType::NewBusiness => team.pick(Role::AccountExecutive, rng),
        OpportunityType::Expansion => team.pick(Role::AccountManager, rng),
        OpportunityType::Renewal => team.pick(Role::CustomerSuccess, rng),
    };
    let stage = match rng.below(100) {
        0..15 => Stage::Prospecting,
        15..30 => Stage::Discovery,
        30..42 => Stage::Proposal,
        42..50 => Stage::Negotiation,
        50..80 => Stage::ClosedWon,
        _ => Stage::ClosedLost,
    };
    let closed = matches!(stage, Stage::ClosedWon | Stage::ClosedLost);
    // Closed deals closed before today; open ones are due from September on.
    let close = if closed {
        day_in_fy(rng, 0, TODAY)
    } else {
        day_in_fy(rng, 243, 365)
    };
    let (probability, forecast) = stage_forecast(stage);
    let created = at(close - Days::new(14 + rng.below(166)), 9 + rng.below(8));
    let closed_at = closed.then(|| at(close, 17));
    let magnitude = rng.pick(&[5_000_i64, 10_000, 25_000, 50_000, 100_000, 250_000]);
    let amount = magnitude + magnitude * rng.below(100) as i64 / 100;
    let sourced = kind == OpportunityType::NewBusiness && rng.percent(40);
    let row = opportunities::ActiveModel {
        id: Set(row_id(T::Opportunity, i)),
        name: Set(format!(
            "{} {} {i}",
            rng.pick(&PRODUCTS),
            kind.as_str().to_lowercase().replace('_', " ")
        )),
        account_id: Set(row_id(T::Account, a)),
        owner_id: Set(owner),
        territory_id: Set(Some(leaf.id)),
        opportunity_type: Set(kind),
        stage: Set(stage),
        amount_cents: Set(amount * 100),
        close_date: Set(close),
        probability: Set(probability),
        forecast_category: Set(forecast),
        sourced_by_id: Set(sourced.then(|| team.pick(Role::Sdr, rng))),
        partner_id: Set(rng.percent(8).then(|| rng.pick(&org.partners))),
        lead_id: Set(None),
        lost_reason: Set((stage == Stage::ClosedLost).then(|| rng.pick(&LOST_REASONS).to_owned())),
        version: Set(1),
        closed_at: Set(closed_at),
        created_at: Set(created),
        updated_at: Set(closed_at.unwrap_or(created)),
    };
    (row, leaf.team)
}

pub(super) fn activity(
    org: &Org,
    facts: &Facts,
    rng: &mut SplitMix64,
    i: u64,
) -> activities::ActiveModel {
    let (mut lead_id, mut account_id, mut opportunity_id) = (None, None, None);
    let target = rng.below(100);
    let team = if target < 45 {
        let o = rng.below(facts.opportunity_teams.len() as u64);
        opportunity_id = Some(row_id(T::Opportunity, o));
        facts.opportunity_teams[o as usize]
    } else if target < 75 || facts.lead_teams.is_empty() {
        let a = rng.below(facts.accounts.len() as u64);
        account_id = Some(row_id(T::Account, a));
        org.leaves[facts.accounts[a as usize].0 as usize].team as u32
    } else {
        let l = rng.below(facts.lead_teams.len() as u64);
        lead_id = Some(row_id(T::Lead, l));
        facts.lead_teams[l as usize]
    };
    let team = &org.teams[team as usize];
    let (kind, summary) = rng.pick(&[
        (ActivityKind::Call, "Call"),
        (ActivityKind::Email, "Email"),
        (ActivityKind::Meeting, "Meeting"),
        (ActivityKind::Demo, "Demo"),
        (ActivityKind::Note, "Note"),
    ]);
    let occurred = at(day_in_fy(rng, 0, TODAY), 8 + rng.below(10));
    activities::ActiveModel {
        id: Set(row_id(T::Activity, i)),
        kind: Set(kind),
        actor_id: Set(team.reps[rng.below(team.reps.len() as u64) as usize].1),
        occurred_at: Set(occurred),
        summary: Set(format!("{summary} #{i}")),
        lead_id: Set(lead_id),
        account_id: Set(account_id),
        opportunity_id: Set(opportunity_id),
        created_at: Set(occurred),
    }
}
