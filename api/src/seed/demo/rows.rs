//! The demo tables turned into ActiveModels, one builder per table, with the ids, dates and
//! cross-references the tables only name.

use chrono::{Days, TimeDelta};
use entity::enums::{
    HandoffKind as Hk, HandoffStatus as Hs, LeadStatus as Ls, PartnerStatus, Stage,
};
use entity::{
    accounts, activities, deal_registrations, handoff_events, handoffs, leads, opportunities,
    partners, quotas, territories, territory_members, users,
};
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};

use super::data::{
    ACCOUNTS, ACTIVITIES, ANCHOR, DEAL_PLACEMENT, DEALS, HANDOFFS, LEADS, MEMBERS, OPPORTUNITIES,
    On, PARTNERS, QUOTAS, S, TERRITORIES, USERS, Who,
};
use super::{cents, contact_email, days_ago, email, id, opt_user, stage_forecast, subject, user};
use crate::{error::AppResult, seed::scale::at};

pub(super) fn partner_rows() -> Vec<partners::ActiveModel> {
    PARTNERS
        .iter()
        .map(|&(name, tier)| partners::ActiveModel {
            id: Set(id("partners", name)),
            name: Set(name.into()),
            tier: Set(tier),
            status: Set(PartnerStatus::Active),
            created_at: Set(days_ago(300)),
            updated_at: Set(days_ago(300)),
        })
        .collect()
}

pub(super) fn user_rows(hash: &str) -> Vec<users::ActiveModel> {
    USERS
        .iter()
        .map(
            |&(handle, name, role, manager, partner, active)| users::ActiveModel {
                id: Set(user(handle)),
                email: Set(email(handle)),
                name: Set(name.into()),
                role: Set(role),
                manager_id: Set(opt_user(manager)),
                partner_id: Set(partner.map(|p| id("partners", p))),
                active: Set(active),
                password_hash: Set(hash.into()),
                created_at: Set(days_ago(300)),
                updated_at: Set(days_ago(if active { 300 } else { 40 })),
                tokens_valid_after: Set(None),
            },
        )
        .collect()
}

pub(super) fn territory_rows() -> AppResult<Vec<territories::ActiveModel>> {
    let mut paths: Vec<(S, String, i32)> = Vec::new();
    let mut rows = Vec::new();
    for &(key, name, parent, manager, countries, industries, min, max) in TERRITORIES {
        let own = id("territories", key);
        let (path, depth) = match parent {
            None => (format!("/{own}/"), 0),
            Some(p) => {
                let (_, parent_path, parent_depth) =
                    paths.iter().find(|(k, ..)| *k == p).ok_or_else(|| {
                        crate::error::AppError::internal(format!(
                            "territory {p} must precede {key}"
                        ))
                    })?;
                (format!("{parent_path}{own}/"), parent_depth + 1)
            }
        };
        paths.push((key, path.clone(), depth));
        rows.push(territories::ActiveModel {
            id: Set(own),
            name: Set(name.into()),
            parent_id: Set(parent.map(|p| id("territories", p))),
            path: Set(path),
            depth: Set(depth),
            manager_id: Set(opt_user(manager)),
            criteria_countries: Set(json!(countries)),
            criteria_industries: Set(json!(industries)),
            criteria_min_employees: Set(min),
            criteria_max_employees: Set(max),
            created_at: Set(days_ago(300)),
            updated_at: Set(days_ago(300)),
        });
    }
    Ok(rows)
}

pub(super) fn member_rows() -> Vec<territory_members::ActiveModel> {
    MEMBERS
        .iter()
        .map(
            |&(territory, handle, role)| territory_members::ActiveModel {
                territory_id: Set(id("territories", territory)),
                user_id: Set(user(handle)),
                role_in_territory: Set(role),
                created_at: Set(days_ago(300)),
            },
        )
        .collect()
}

pub(super) fn account_rows() -> Vec<accounts::ActiveModel> {
    let rows = ACCOUNTS.iter().enumerate();
    rows.map(|(i, row)| {
        #[rustfmt::skip]
        let &(stem, name, industry, country, employees, territory, owner, am, csm, partner, lifecycle, arr, health, end) = row;
        accounts::ActiveModel {
            id: Set(id("accounts", stem)),
            name: Set(name.into()),
            domain: Set(format!("{stem}.example")),
            industry: Set(Some(industry.into())),
            country: Set(Some(country.into())),
            employee_count: Set(Some(employees)),
            territory_id: Set(Some(id("territories", territory))),
            owner_id: Set(opt_user(owner)),
            account_manager_id: Set(opt_user(am)),
            csm_id: Set(opt_user(csm)),
            partner_id: Set(partner.map(|p| id("partners", p))),
            lifecycle: Set(lifecycle),
            arr_cents: Set(cents(arr)),
            contract_end_date: Set(end),
            health: Set(health),
            created_at: Set(days_ago(290 - 5 * i as u64)),
            updated_at: Set(days_ago(20)),
        }
    })
    .collect()
}

pub(super) fn lead_rows() -> Vec<leads::ActiveModel> {
    let rows = LEADS.iter().enumerate();
    rows.map(|(i, row)| {
        #[rustfmt::skip]
        let &(stem, company, contact, country, industry, employees, source, status, owner, territory, account, why) = row;
            let created = days_ago(150 - 5 * i as u64);
            let qualified = matches!(status, Ls::Qualified | Ls::Converted);
            let by = Set(opt_user(owner).filter(|_| qualified));
            let when = Set(qualified.then(|| created + TimeDelta::days(3)));
            let answer = |text: String| Set(qualified.then_some(text));
            leads::ActiveModel {
                id: Set(id("leads", stem)),
                company_name: Set(company.into()),
                domain: Set(Some(format!("{stem}.example"))),
                contact_name: Set(contact.into()),
                contact_email: Set(Some(contact_email(contact, &format!("{stem}.example")))),
                country: Set(Some(country.into())),
                industry: Set(Some(industry.into())),
                employee_count: Set(Some(employees)),
                source: Set(source),
                status: Set(status),
                owner_id: Set(opt_user(owner)),
                territory_id: Set(Some(id("territories", territory))),
                budget: answer(format!(
                    "Budget approved for about {} seats",
                    employees / 10 + 5
                )),
                budget_by_id: by.clone(),
                budget_at: when.clone(),
                authority: answer(format!("{contact} signs; the CFO approves")),
                authority_by_id: by.clone(),
                authority_at: when.clone(),
                need: answer(format!("{company} outgrew spreadsheets for sales planning")),
                need_by_id: by.clone(),
                need_at: when.clone(),
                timeline: answer("Decision this quarter".into()),
                timeline_by_id: by,
                timeline_at: when,
                disqualify_reason: Set(why.map(Into::into)),
                account_id: Set(account.map(|a| id("accounts", a))),
                created_at: Set(created),
                updated_at: Set(created + TimeDelta::days(4)),
            }
        },
    )
    .collect()
}

pub(super) fn opportunity_rows() -> Vec<opportunities::ActiveModel> {
    let account_territory = |stem: &str| {
        ACCOUNTS
            .iter()
            .find(|a| a.0 == stem)
            .map(|a| id("territories", a.5))
    };
    OPPORTUNITIES.iter().map(|row| {
        #[rustfmt::skip]
        let &(account, name, owner, kind, stage, amount, close, sourced_by, partner, lead, lost) = row;
            let (probability, forecast) = stage_forecast(stage);
            let closed =
                matches!(stage, Stage::ClosedWon | Stage::ClosedLost).then(|| at(close, 17));
            let created = at((close - Days::new(75)).min(ANCHOR - Days::new(10)), 10);
            opportunities::ActiveModel {
                id: Set(id("opportunities", name)),
                name: Set(name.into()),
                account_id: Set(id("accounts", account)),
                owner_id: Set(user(owner)),
                territory_id: Set(account_territory(account)),
                opportunity_type: Set(kind),
                stage: Set(stage),
                amount_cents: Set(cents(amount)),
                close_date: Set(close),
                probability: Set(probability),
                forecast_category: Set(forecast),
                sourced_by_id: Set(opt_user(sourced_by)),
                partner_id: Set(partner.map(|p| id("partners", p))),
                lead_id: Set(lead.map(|l| id("leads", l))),
                lost_reason: Set(lost.map(Into::into)),
                version: Set(1),
                closed_at: Set(closed),
                created_at: Set(created),
                updated_at: Set(closed.unwrap_or(created)),
            }
        },
    )
    .collect()
}

pub(super) fn activity_rows() -> Vec<activities::ActiveModel> {
    let rows = ACTIVITIES.iter();
    rows.map(|&(kind, actor, on, days, summary)| {
        let (table, target) = subject(on);
        activities::ActiveModel {
            id: Set(id("activities", summary)),
            kind: Set(kind),
            actor_id: Set(user(actor)),
            occurred_at: Set(days_ago(days)),
            summary: Set(summary.into()),
            lead_id: Set((table == "lead").then_some(target)),
            account_id: Set((table == "account").then_some(target)),
            opportunity_id: Set((table == "opportunity").then_some(target)),
            created_at: Set(days_ago(days)),
        }
    })
    .collect()
}

pub(super) fn handoff_rows() -> (Vec<handoffs::ActiveModel>, Vec<handoff_events::ActiveModel>) {
    let (mut rows, mut events) = (Vec::new(), Vec::new());
    for &(kind, status, from, to, on, opportunity, days, note, rejection) in HANDOFFS {
        let (table, target) = subject(on);
        let key = crate::domain::handoff::slot_key(kind, target);
        let created = if days == 0 {
            chrono::Utc::now()
        } else {
            days_ago(days)
        };
        let resolved = (status != Hs::Pending).then(|| created + TimeDelta::hours(5));
        let sla = if kind == Hk::SdrToAe { 24 } else { 48 };
        let handoff = id("handoffs", &key);
        let mut event = |n: u8, actor, from_status, to_status, at, reason, note: Option<S>| {
            events.push(handoff_events::ActiveModel {
                id: Set(id("handoff_events", &format!("{key}/{n}"))),
                handoff_id: Set(handoff),
                at: Set(at),
                actor_id: Set(user(actor)),
                from_status: Set(from_status),
                to_status: Set(to_status),
                to_user_id: Set(Some(user(to))),
                reason_code: Set(reason),
                note: Set(note.map(Into::into)),
            })
        };
        event(0, from, None, Hs::Pending, created, None, Some(note));
        if let Some(resolved) = resolved {
            let reason = rejection.map(|r| r.0);
            event(
                1,
                to,
                Some(Hs::Pending),
                status,
                resolved,
                reason,
                rejection.map(|r| r.1),
            );
        }
        let converted =
            matches!(on, On::Lead(k) if LEADS.iter().any(|l| l.0 == k && l.10.is_some()));
        rows.push(handoffs::ActiveModel {
            id: Set(handoff),
            kind: Set(kind),
            status: Set(status),
            from_user_id: Set(user(from)),
            to_user_id: Set(user(to)),
            lead_id: Set((table == "lead").then_some(target)),
            account_id: Set(match on {
                On::Lead(k) if converted => Some(id("accounts", k)),
                _ => (table == "account").then_some(target),
            }),
            opportunity_id: Set(opportunity.map(|o| id("opportunities", o))),
            subject_key: Set(key.clone()),
            note: Set(note.into()),
            reason_code: Set(rejection.map(|r| r.0)),
            response_note: Set(rejection.map(|r| r.1.into())),
            due_at: Set(created + TimeDelta::hours(sla)),
            resolved_at: Set(resolved),
            version: Set(if resolved.is_some() { 2 } else { 1 }),
            created_at: Set(created),
            updated_at: Set(resolved.unwrap_or(created)),
        });
    }
    (rows, events)
}

pub(super) fn quota_rows() -> Vec<quotas::ActiveModel> {
    let mut rows = Vec::new();
    for &(assignee, metric, target, set_by) in QUOTAS {
        let (user_id, territory_id, key) = match assignee {
            Who::User(h) => (Some(user(h)), None, format!("user:{}", user(h))),
            Who::Territory(t) => {
                let t = id("territories", t);
                (None, Some(t), format!("territory:{t}"))
            }
        };
        let periods = [
            ("FY2026", 1),
            ("FY2026-Q1", 4),
            ("FY2026-Q2", 4),
            ("FY2026-Q3", 4),
            ("FY2026-Q4", 4),
        ];
        for (period, share) in periods {
            let assignee_period = format!("{key}/{}/{period}", metric.as_str());
            rows.push(quotas::ActiveModel {
                id: Set(id("quotas", &assignee_period)),
                user_id: Set(user_id),
                territory_id: Set(territory_id),
                assignee_key: Set(key.clone()),
                metric: Set(metric),
                period: Set(period.into()),
                target_cents: Set(cents(target) / share),
                set_by_id: Set(user(set_by)),
                created_at: Set(days_ago(280)),
                updated_at: Set(days_ago(280)),
            });
        }
    }
    rows
}

pub(super) fn deal_rows() -> Vec<deal_registrations::ActiveModel> {
    DEALS.iter().map(|row| {
        #[rustfmt::skip]
        let &(key, partner, by, company, stem, contact, amount, close, status, days, review, opp, conflicts) = row;
        let submitted = days_ago(days);
        let reviewed = review.map(|_| submitted + TimeDelta::days(1));
        let account = OPPORTUNITIES.iter().find(|r| Some(r.1) == opp);
        let domain = format!("{stem}.example");
        // The typed list the API stores: an account or open deal on the domain, another
        // partner's registration of it, or (Tyrell) a name match on another domain.
        let conflicts: Vec<Value> = conflicts.iter().map(|&c| {
            let (kind, target) = subject(c);
            let (signal, entity) = match (kind, key) {
                ("account", "nw-tyrell") => ("COMPANY_NAME_ACCOUNT", "Account"),
                ("account", _) => ("DOMAIN_ACCOUNT", "Account"),
                ("opportunity", _) => ("DOMAIN_OPEN_OPPORTUNITY", "Opportunity"),
                _ => ("DOMAIN_REGISTRATION", "DealRegistration"),
            };
            let strength = if signal.starts_with("COMPANY_NAME") { "WEAK" } else { "STRONG" };
            let matched = if strength == "WEAK" { company.to_string() } else { domain.clone() };
            json!({ "signal": signal, "strength": strength, "entity_type": entity, "entity_id": target, "matched": matched })
        }).collect();
        let &(_, territory, country, rejection) = DEAL_PLACEMENT
            .iter()
            .find(|p| p.0 == key)
            .unwrap_or(&(key, "global", "US", None));
        deal_registrations::ActiveModel {
            id: Set(id("deal_registrations", key)),
            partner_id: Set(id("partners", partner)),
            submitted_by_id: Set(user(by)),
            company_name: Set(company.into()),
            contact_email: Set(Some(contact_email(contact, &domain))),
            domain: Set(domain),
            contact_name: Set(contact.into()),
            estimated_amount_cents: Set(cents(amount)),
            expected_close_date: Set(close),
            status: Set(status),
            conflicts: Set(Value::Array(conflicts)),
            review_note: Set(review.map(|r| r.1.into())),
            reviewed_by_id: Set(review.map(|r| user(r.0))),
            reviewed_at: Set(reviewed),
            // Exclusivity counts from approval.
            expires_at: Set(reviewed.unwrap_or(submitted) + TimeDelta::days(90)),
            account_id: Set(account.map(|r| id("accounts", r.0))),
            opportunity_id: Set(opp.map(|o| id("opportunities", o))),
            created_at: Set(submitted),
            updated_at: Set(reviewed.unwrap_or(submitted)),
            territory_id: Set(Some(id("territories", territory))),
            country: Set(Some(country.into())),
            industry: Set(None),
            employee_count: Set(None),
            notes: Set(None),
            version: Set(if review.is_some() { 2 } else { 1 }),
            rejection_reason: Set(rejection.map(str::to_string)),
        }
    })
    .collect()
}
