//! The demo organization as tables: users, partners, territories and their members,
//! accounts, leads, opportunities, activities, handoffs, quotas and deal registrations,
//! keyed by short handles and names from which the ids are derived.

use chrono::NaiveDate;
use entity::enums::{
    ActivityKind as Act, DealRegistrationStatus as Reg, HandoffKind as Hk, HandoffStatus as Hs,
    Health, LeadSource as Src, LeadStatus as Ls, Lifecycle as Life, OpportunityType as Ot,
    PartnerTier, QuotaMetric as Qm, RejectReason, Role, Stage, TerritoryRole as Tr,
};

use crate::seed::scale::ymd;

/// "Today" in the demo world: Q4 of FY2026 has just begun.
pub(super) const ANCHOR: NaiveDate = ymd(2026, 10, 1);

pub(super) type S = &'static str;
pub(super) type O = Option<S>;
/// What an activity, handoff or registration conflict is about.
#[derive(Clone, Copy)]
pub(super) enum On {
    Lead(S),
    Account(S),
    Opp(S),
    Registration(S),
}
/// Whom a quota is for.
#[derive(Clone, Copy)]
pub(super) enum Who {
    User(S),
    Territory(S),
}

/// (handle: email `<handle>@demo.example`, name, role, manager, partner, active)
#[rustfmt::skip]
pub(super) const USERS: &[(S, S, Role, O, O, bool)] = &[
    ("director", "Diane Foster", Role::Director, None, None, true),
    ("manager", "Marcus Reyes", Role::SalesManager, Some("director"), None, true),
    ("emea.manager", "Elena Novak", Role::SalesManager, Some("director"), None, true),
    ("sdr", "Sam Patel", Role::Sdr, Some("manager"), None, true),
    ("ae", "Alex Morgan", Role::AccountExecutive, Some("manager"), None, true),
    ("ae2", "Jordan Lee", Role::AccountExecutive, Some("manager"), None, true),
    ("am", "Avery Chen", Role::AccountManager, Some("manager"), None, true),
    ("cs", "Casey Brooks", Role::CustomerSuccess, Some("manager"), None, true),
    ("inactive.ae", "Riley Quinn", Role::AccountExecutive, Some("manager"), None, false),
    ("emea.sdr", "Oliver Grant", Role::Sdr, Some("emea.manager"), None, true),
    ("emea.ae", "Sophie Laurent", Role::AccountExecutive, Some("emea.manager"), None, true),
    ("emea.ae2", "Lukas Becker", Role::AccountExecutive, Some("emea.manager"), None, true),
    ("emea.am", "Freya Lindqvist", Role::AccountManager, Some("emea.manager"), None, true),
    ("emea.cs", "Niamh Walsh", Role::CustomerSuccess, Some("emea.manager"), None, true),
    ("partner", "Nora Wells", Role::Partner, None, Some("Northwind Resellers"), true),
    ("partner2", "Carlos Mendes", Role::Partner, None, Some("Contoso Channel"), true),
];

pub(super) const PARTNERS: &[(S, PartnerTier)] = &[
    ("Northwind Resellers", PartnerTier::Gold),
    ("Contoso Channel", PartnerTier::Silver),
];

/// (key, name, parent, accountable manager, countries, industries, min, max employees);
/// parents come before their children.
#[rustfmt::skip]
type TerritoryRow = (S, S, O, O, &'static [S], &'static [S], Option<i32>, Option<i32>);
#[rustfmt::skip]
pub(super) const TERRITORIES: &[TerritoryRow] = &[
    ("global", "Global", None, None, &[], &[], None, None),
    ("americas", "Americas", Some("global"), Some("manager"), &["US", "CA", "MX", "BR", "AR", "CL", "CO"], &[], None, None),
    ("na", "North America", Some("americas"), Some("manager"), &["US", "CA"], &[], None, None),
    ("na-ent", "North America Enterprise", Some("na"), Some("manager"), &["US", "CA"], &[], Some(1000), None),
    ("na-com", "North America Commercial", Some("na"), Some("manager"), &["US", "CA"], &[], None, Some(999)),
    ("latam", "LATAM", Some("americas"), Some("manager"), &["MX", "BR", "AR", "CL", "CO"], &[], None, None),
    ("emea", "EMEA", Some("global"), Some("emea.manager"), &["GB", "IE", "DE", "AT", "CH", "SE", "NO", "DK", "FI"], &[], None, None),
    ("uki", "UK & Ireland", Some("emea"), Some("emea.manager"), &["GB", "IE"], &[], None, None),
    ("dach", "DACH", Some("emea"), Some("emea.manager"), &["DE", "AT", "CH"], &["Manufacturing", "Financial Services", "Automotive"], None, None),
    ("nordics", "Nordics", Some("emea"), Some("emea.manager"), &["SE", "NO", "DK", "FI"], &[], None, None),
    ("apac", "APAC", Some("global"), None, &["AU", "NZ", "JP"], &[], None, None),
    ("anz", "ANZ", Some("apac"), None, &["AU", "NZ"], &[], None, None),
    ("japan", "Japan", Some("apac"), None, &["JP"], &[], None, None),
];

#[rustfmt::skip]
pub(super) const MEMBERS: &[(S, S, Tr)] = &[
    ("na-ent", "ae", Tr::Owner), ("na-ent", "sdr", Tr::Member), ("na-ent", "am", Tr::Member), ("na-ent", "cs", Tr::Member),
    ("na-com", "ae2", Tr::Owner), ("na-com", "sdr", Tr::Member), ("na-com", "inactive.ae", Tr::Member),
    ("latam", "ae2", Tr::Member), ("latam", "am", Tr::Member),
    ("uki", "emea.ae", Tr::Owner), ("uki", "emea.sdr", Tr::Member), ("uki", "emea.am", Tr::Member), ("uki", "emea.cs", Tr::Member),
    ("dach", "emea.ae2", Tr::Owner), ("dach", "emea.sdr", Tr::Member), ("dach", "emea.cs", Tr::Member),
    ("nordics", "emea.ae", Tr::Member), ("nordics", "emea.am", Tr::Member),
    ("anz", "emea.ae2", Tr::Member),
];

/// (domain `<stem>.example`, name, industry, country, employees, territory, owner, account
/// manager, CSM, sourcing partner, lifecycle, ARR in dollars, health, contract end)
#[rustfmt::skip]
type AccountRow = (S, S, S, S, i32, S, O, O, O, O, Life, i64, Option<Health>, Option<NaiveDate>);
#[rustfmt::skip]
pub(super) const ACCOUNTS: &[AccountRow] = &[
    ("globex", "Globex Corporation", "Manufacturing", "US", 5200, "na-ent", Some("ae"), Some("am"), Some("cs"), None, Life::Customer, 480_000, Some(Health::Healthy), Some(ymd(2027, 2, 28))),
    ("initech", "Initech", "Software", "US", 1800, "na-ent", Some("ae"), Some("am"), Some("cs"), Some("Northwind Resellers"), Life::Customer, 210_000, Some(Health::AtRisk), Some(ymd(2026, 12, 31))),
    ("umbrella-health", "Umbrella Health", "Healthcare", "US", 12_000, "na-ent", Some("ae"), None, None, None, Life::Prospect, 0, None, None),
    ("vandelay", "Vandelay Industries", "Manufacturing", "US", 2500, "na-ent", Some("ae"), Some("am"), None, None, Life::Customer, 150_000, Some(Health::Critical), Some(ymd(2026, 11, 30))),
    ("hooli", "Hooli", "Software", "US", 9000, "na-ent", Some("ae"), None, None, Some("Contoso Channel"), Life::Prospect, 0, None, None),
    ("wonka", "Wonka Foods", "Consumer Goods", "CA", 1500, "na-ent", Some("ae"), Some("am"), Some("cs"), None, Life::Churned, 0, Some(Health::Critical), Some(ymd(2026, 1, 31))),
    ("piedpiper", "Pied Piper", "Software", "US", 120, "na-com", Some("ae2"), None, None, None, Life::Prospect, 0, None, None),
    ("dundermifflin", "Dunder Mifflin", "Wholesale", "US", 300, "na-com", Some("ae2"), Some("am"), Some("cs"), Some("Northwind Resellers"), Life::Customer, 45_000, Some(Health::Healthy), Some(ymd(2027, 8, 31))),
    ("bluth", "Bluth Company", "Real Estate", "US", 450, "na-com", Some("ae2"), None, None, None, Life::Prospect, 0, None, None),
    ("soylent", "Soylent Labs", "Consumer Goods", "CA", 80, "na-com", Some("inactive.ae"), None, None, None, Life::Prospect, 0, None, None),
    ("acme-brasil", "Acme Brasil", "Retail", "BR", 2200, "latam", Some("ae2"), Some("am"), Some("cs"), None, Life::Customer, 95_000, Some(Health::Healthy), Some(ymd(2026, 12, 31))),
    ("monterrey-logistics", "Monterrey Logistics", "Logistics", "MX", 700, "latam", Some("ae2"), None, None, Some("Contoso Channel"), Life::Prospect, 0, None, None),
    ("cyberdyne", "Cyberdyne Systems UK", "Software", "GB", 3100, "uki", Some("emea.ae"), Some("emea.am"), Some("emea.cs"), None, Life::Customer, 320_000, Some(Health::Healthy), Some(ymd(2027, 3, 15))),
    ("tyrell", "Tyrell Systems", "Software", "GB", 900, "uki", Some("emea.ae"), None, None, None, Life::Prospect, 0, None, None),
    ("dublindata", "Dublin Data Works", "Financial Services", "IE", 250, "uki", Some("emea.ae"), Some("emea.am"), Some("emea.cs"), None, Life::Churned, 0, Some(Health::Critical), Some(ymd(2026, 2, 28))),
    ("mueller-maschinenbau", "Müller Maschinenbau", "Manufacturing", "DE", 4200, "dach", Some("emea.ae2"), Some("emea.am"), Some("emea.cs"), Some("Contoso Channel"), Life::Customer, 275_000, Some(Health::AtRisk), Some(ymd(2027, 6, 12))),
    ("alpen-versicherung", "Alpen Versicherung", "Financial Services", "AT", 1300, "dach", Some("emea.ae2"), None, None, None, Life::Prospect, 0, None, None),
    ("fjord-energy", "Fjord Energy", "Energy", "NO", 650, "nordics", Some("emea.ae"), Some("emea.am"), Some("cs"), None, Life::Customer, 88_000, Some(Health::Healthy), Some(ymd(2027, 1, 23))),
    ("koala-logistics", "Koala Logistics", "Logistics", "AU", 400, "anz", Some("emea.ae2"), None, None, Some("Northwind Resellers"), Life::Prospect, 0, None, None),
    ("sakura-robotics", "Sakura Robotics", "Manufacturing", "JP", 2800, "japan", None, None, None, None, Life::Prospect, 0, None, None),
];

/// (domain `<stem>.example`, company, contact, country, industry, employees, source, status,
/// owner, territory, account it converted into, disqualify reason)
#[rustfmt::skip]
type LeadRow = (S, S, S, S, S, i32, Src, Ls, O, S, O, O);
#[rustfmt::skip]
pub(super) const LEADS: &[LeadRow] = &[
    ("piedpiper", "Pied Piper", "Richard Hendricks", "US", "Software", 120, Src::Inbound, Ls::Converted, Some("sdr"), "na-com", Some("piedpiper"), None),
    ("bluth", "Bluth Company", "Michael Bluth", "US", "Real Estate", 450, Src::Event, Ls::Converted, Some("sdr"), "na-com", Some("bluth"), None),
    ("umbrella-health", "Umbrella Health", "Alice Abernathy", "US", "Healthcare", 12_000, Src::Outbound, Ls::Converted, Some("sdr"), "na-ent", Some("umbrella-health"), None),
    ("tyrell", "Tyrell Systems", "Rachael Tyrell", "GB", "Software", 900, Src::Referral, Ls::Converted, Some("emea.sdr"), "uki", Some("tyrell"), None),
    ("alpen-versicherung", "Alpen Versicherung", "Lena Huber", "AT", "Financial Services", 1300, Src::Outbound, Ls::Converted, Some("emea.sdr"), "dach", Some("alpen-versicherung"), None),
    ("massive-dynamic", "Massive Dynamic", "Nina Sharp", "US", "Software", 3000, Src::Inbound, Ls::Qualified, Some("sdr"), "na-ent", None, None),
    ("prestige-worldwide", "Prestige Worldwide", "Brennan Huff", "US", "Media", 60, Src::Event, Ls::Qualified, Some("sdr"), "na-com", None, None),
    ("andes-mining", "Andes Mining", "Camila Rojas", "CL", "Mining", 900, Src::Outbound, Ls::Qualified, Some("sdr"), "latam", None, None),
    ("nordlys", "Nordlys Analytics", "Ingrid Dahl", "SE", "Software", 220, Src::Inbound, Ls::Qualified, Some("emea.sdr"), "nordics", None, None),
    ("initrode", "Initrode", "Bill Lumbergh", "US", "Software", 40, Src::Inbound, Ls::Disqualified, Some("sdr"), "na-com", None, Some("Too small: no budget this fiscal year")),
    ("gekko", "Gekko & Co", "Gordon Gekko", "US", "Financial Services", 15, Src::Referral, Ls::Disqualified, Some("sdr"), "na-com", None, Some("Competitor researching our pricing")),
    ("brandt-logistik", "Brandt Logistik", "Jana Brandt", "DE", "Logistics", 300, Src::Event, Ls::Disqualified, Some("emea.sdr"), "emea", None, Some("No need: renewed with their current vendor for three years")),
    ("kiwi-brewing", "Kiwi Craft Brewing", "Liam Walker", "NZ", "Food & Beverage", 30, Src::Inbound, Ls::Disqualified, None, "anz", None, Some("Duplicate of an existing contact")),
    ("cascade-health", "Cascade Health", "Ellen Park", "US", "Healthcare", 2400, Src::Outbound, Ls::Working, Some("sdr"), "na-ent", None, None),
    ("lone-star-energy", "Lone Star Energy", "Travis Cole", "US", "Energy", 800, Src::Event, Ls::Working, Some("sdr"), "na-com", None, None),
    ("maple-leaf-bank", "Maple Leaf Bank", "Chloe Tremblay", "CA", "Financial Services", 5000, Src::Referral, Ls::Working, Some("sdr"), "na-ent", None, None),
    ("thames-analytics", "Thames Analytics", "Harriet Cole", "GB", "Software", 140, Src::Inbound, Ls::Working, Some("emea.sdr"), "uki", None, None),
    ("bavaria-auto", "Bavaria Auto Parts", "Klaus Weber", "DE", "Automotive", 1600, Src::Outbound, Ls::Working, Some("emea.sdr"), "dach", None, None),
    ("copacabana-retail", "Copacabana Retail", "Beatriz Souza", "BR", "Retail", 950, Src::Partner, Ls::Working, None, "latam", None, None),
    ("pacific-biotech", "Pacific Biotech", "Grace Kim", "US", "Healthcare", 300, Src::Inbound, Ls::New, None, "na-com", None, None),
    ("great-lakes-mfg", "Great Lakes Manufacturing", "Tom Kowalski", "US", "Manufacturing", 1200, Src::Event, Ls::New, None, "na-ent", None, None),
    ("helsinki-games", "Helsinki Games", "Aino Virtanen", "FI", "Media", 90, Src::Inbound, Ls::New, None, "nordics", None, None),
    ("celtic-fintech", "Celtic Fintech", "Sean Murphy", "IE", "Financial Services", 60, Src::Referral, Ls::New, Some("emea.sdr"), "uki", None, None),
    ("tokyo-mobility", "Tokyo Mobility", "Haruto Sato", "JP", "Automotive", 4000, Src::Outbound, Ls::New, None, "japan", None, None),
    ("rio-logistics", "Rio Logistics", "Pedro Alves", "BR", "Logistics", 500, Src::Partner, Ls::New, Some("sdr"), "latam", None, None),
];

/// (account, name, owner, type, stage, amount in dollars, close date, sourcing SDR,
/// registering partner, lead it came from, lost reason)
#[rustfmt::skip]
type OpportunityRow = (S, S, S, Ot, Stage, i64, NaiveDate, O, O, O, O);
#[rustfmt::skip]
pub(super) const OPPORTUNITIES: &[OpportunityRow] = &[
    ("globex", "Globex — Initial platform", "ae", Ot::NewBusiness, Stage::ClosedWon, 360_000, ymd(2026, 2, 27), Some("sdr"), None, None, None),
    ("globex", "Globex — Platform expansion", "am", Ot::Expansion, Stage::Negotiation, 120_000, ymd(2026, 11, 13), None, None, None, None),
    ("globex", "Globex — EU rollout", "am", Ot::Expansion, Stage::ClosedLost, 90_000, ymd(2026, 5, 29), None, None, None, Some("Deferred to FY2027 after a budget freeze")),
    ("globex", "Globex — Renewal 2027", "cs", Ot::Renewal, Stage::Proposal, 480_000, ymd(2026, 12, 18), None, None, None, None),
    ("initech", "Initech — New business", "ae", Ot::NewBusiness, Stage::ClosedWon, 210_000, ymd(2026, 3, 30), None, Some("Northwind Resellers"), None, None),
    ("initech", "Initech — Analytics add-on", "am", Ot::Expansion, Stage::Discovery, 40_000, ymd(2026, 12, 10), None, None, None, None),
    ("initech", "Initech — Renewal", "cs", Ot::Renewal, Stage::Negotiation, 210_000, ymd(2026, 12, 31), None, None, None, None),
    ("umbrella-health", "Umbrella Health — Enterprise rollout", "ae", Ot::NewBusiness, Stage::Discovery, 650_000, ymd(2026, 12, 15), Some("sdr"), None, Some("umbrella-health"), None),
    ("vandelay", "Vandelay — Renewal", "am", Ot::Renewal, Stage::Negotiation, 150_000, ymd(2026, 11, 30), None, None, None, None),
    ("vandelay", "Vandelay — Import module", "am", Ot::Expansion, Stage::ClosedWon, 30_000, ymd(2026, 5, 15), None, None, None, None),
    ("hooli", "Hooli — Pilot", "ae", Ot::NewBusiness, Stage::Prospecting, 90_000, ymd(2026, 12, 18), None, Some("Contoso Channel"), None, None),
    ("hooli", "Hooli — Enterprise", "ae", Ot::NewBusiness, Stage::ClosedLost, 400_000, ymd(2026, 4, 30), None, None, None, Some("Chose a competitor on price")),
    ("wonka", "Wonka Foods — Renewal", "cs", Ot::Renewal, Stage::ClosedLost, 120_000, ymd(2026, 1, 30), None, None, None, Some("Moved to an in-house solution")),
    ("piedpiper", "Pied Piper — Starter", "ae2", Ot::NewBusiness, Stage::Discovery, 25_000, ymd(2026, 11, 27), Some("sdr"), None, Some("piedpiper"), None),
    ("dundermifflin", "Dunder Mifflin — New business", "ae2", Ot::NewBusiness, Stage::ClosedWon, 45_000, ymd(2026, 8, 14), None, Some("Northwind Resellers"), None, None),
    ("dundermifflin", "Dunder Mifflin — Branch expansion", "am", Ot::Expansion, Stage::Prospecting, 12_000, ymd(2026, 12, 15), None, None, None, None),
    ("bluth", "Bluth Company — New business", "ae2", Ot::NewBusiness, Stage::Proposal, 60_000, ymd(2026, 10, 30), Some("sdr"), None, Some("bluth"), None),
    ("soylent", "Soylent Labs — New business", "inactive.ae", Ot::NewBusiness, Stage::Prospecting, 15_000, ymd(2026, 11, 20), None, None, None, None),
    ("acme-brasil", "Acme Brasil — Store rollout", "am", Ot::Expansion, Stage::ClosedWon, 35_000, ymd(2026, 7, 20), None, None, None, None),
    ("acme-brasil", "Acme Brasil — Renewal", "cs", Ot::Renewal, Stage::Discovery, 95_000, ymd(2026, 12, 1), None, None, None, None),
    ("monterrey-logistics", "Monterrey Logistics — New business", "ae2", Ot::NewBusiness, Stage::Negotiation, 70_000, ymd(2026, 10, 23), None, Some("Contoso Channel"), None, None),
    ("cyberdyne", "Cyberdyne — Renewal", "emea.cs", Ot::Renewal, Stage::ClosedWon, 320_000, ymd(2026, 3, 13), None, None, None, None),
    ("cyberdyne", "Cyberdyne — Expansion", "emea.am", Ot::Expansion, Stage::Proposal, 80_000, ymd(2026, 11, 10), None, None, None, None),
    ("tyrell", "Tyrell — New business", "emea.ae", Ot::NewBusiness, Stage::Negotiation, 140_000, ymd(2026, 10, 20), Some("emea.sdr"), None, Some("tyrell"), None),
    ("dublindata", "Dublin Data Works — Renewal", "emea.cs", Ot::Renewal, Stage::ClosedLost, 60_000, ymd(2026, 2, 27), None, None, None, Some("Acquired; the buyer consolidated vendors")),
    ("mueller-maschinenbau", "Müller — New business", "emea.ae2", Ot::NewBusiness, Stage::ClosedWon, 275_000, ymd(2026, 6, 12), None, Some("Contoso Channel"), None, None),
    ("mueller-maschinenbau", "Müller — Second plant", "emea.am", Ot::Expansion, Stage::Discovery, 55_000, ymd(2026, 12, 4), None, None, None, None),
    ("alpen-versicherung", "Alpen — Claims platform", "emea.ae2", Ot::NewBusiness, Stage::Prospecting, 180_000, ymd(2026, 12, 18), Some("emea.sdr"), None, Some("alpen-versicherung"), None),
    ("alpen-versicherung", "Alpen — Pilot", "emea.ae2", Ot::NewBusiness, Stage::ClosedLost, 50_000, ymd(2026, 5, 29), None, None, None, Some("No decision: project shelved")),
    ("fjord-energy", "Fjord Energy — New business", "emea.ae", Ot::NewBusiness, Stage::ClosedWon, 88_000, ymd(2026, 1, 23), None, None, None, None),
    ("fjord-energy", "Fjord Energy — Renewal", "cs", Ot::Renewal, Stage::Proposal, 88_000, ymd(2026, 12, 18), None, None, None, None),
    ("koala-logistics", "Koala Logistics — New business", "emea.ae2", Ot::NewBusiness, Stage::Proposal, 50_000, ymd(2026, 12, 11), None, Some("Northwind Resellers"), None, None),
];

/// (kind, actor, about, days before the anchor, summary)
#[rustfmt::skip]
pub(super) const ACTIVITIES: &[(Act, S, On, u64, S)] = &[
    (Act::Call, "sdr", On::Lead("massive-dynamic"), 12, "Discovery call: 40 engineers, evaluating in Q4"),
    (Act::Email, "sdr", On::Lead("cascade-health"), 6, "Sent a case study and the pricing overview"),
    (Act::Note, "emea.sdr", On::Lead("thames-analytics"), 3, "Handoff rejected: confirm who holds the budget"),
    (Act::Call, "emea.sdr", On::Lead("bavaria-auto"), 9, "Intro call with procurement"),
    (Act::Meeting, "ae", On::Account("globex"), 20, "Quarterly business review with the CIO"),
    (Act::Note, "cs", On::Account("initech"), 15, "Usage down 30% since their reorganisation"),
    (Act::Call, "am", On::Account("vandelay"), 8, "Escalation call about the import module"),
    (Act::Email, "emea.cs", On::Account("cyberdyne"), 11, "Renewal confirmation sent"),
    (Act::Meeting, "cs", On::Account("fjord-energy"), 5, "Onboarding workshop in Oslo"),
    (Act::Note, "manager", On::Account("hooli"), 16, "Executive sponsor assigned"),
    (Act::Demo, "ae", On::Opp("Umbrella Health — Enterprise rollout"), 14, "Platform demo for the clinical operations team"),
    (Act::Meeting, "ae2", On::Opp("Bluth Company — New business"), 4, "Proposal walkthrough"),
    (Act::Call, "ae", On::Opp("Hooli — Pilot"), 2, "Pilot scoping with Contoso"),
    (Act::Demo, "emea.ae", On::Opp("Tyrell — New business"), 10, "Technical deep dive"),
    (Act::Email, "emea.ae2", On::Opp("Alpen — Claims platform"), 1, "Sent the mutual action plan"),
    (Act::Note, "am", On::Opp("Globex — Platform expansion"), 7, "Order form in legal review"),
    (Act::Call, "emea.am", On::Opp("Cyberdyne — Expansion"), 6, "Pricing for 200 extra seats"),
    (Act::Meeting, "ae2", On::Opp("Monterrey Logistics — New business"), 3, "Negotiation with Contoso and the customer"),
];

/// (kind, status, from, to, subject, opportunity, days before the anchor (0: when seeded),
/// note, rejection). Pending ones dated before the anchor are overdue.
#[rustfmt::skip]
type HandoffRow = (Hk, Hs, S, S, On, O, u64, S, Option<(RejectReason, S)>);
#[rustfmt::skip]
pub(super) const HANDOFFS: &[HandoffRow] = &[
    (Hk::SdrToAe, Hs::Pending, "sdr", "ae", On::Lead("massive-dynamic"), None, 1, "BANT complete; they want a demo next week", None),
    (Hk::SdrToAe, Hs::Accepted, "sdr", "ae2", On::Lead("piedpiper"), Some("Pied Piper — Starter"), 30, "Inbound from the pricing page; budget confirmed", None),
    (Hk::SdrToAe, Hs::Rejected, "emea.sdr", "emea.ae", On::Lead("thames-analytics"), None, 4, "Qualified after the webinar", Some((RejectReason::IncompleteQualification, "Budget holder unknown; please confirm authority"))),
    (Hk::AeToAm, Hs::Accepted, "ae2", "am", On::Account("dundermifflin"), None, 45, "Closed won; please take over the account", None),
    (Hk::CsToAm, Hs::Pending, "cs", "am", On::Account("globex"), None, 2, "Expansion signal: three new business units onboarding", None),
    (Hk::AeToCs, Hs::Accepted, "ae2", "cs", On::Account("dundermifflin"), None, 45, "Closed won; please run the onboarding", None),
    (Hk::AeToAm, Hs::Cancelled, "ae2", "am", On::Account("acme-brasil"), None, 20, "Please take over the account", None),
    (Hk::AmToCs, Hs::Pending, "emea.am", "emea.cs", On::Account("fjord-energy"), None, 6, "Moving the account to the EMEA success team", None),
    // Requested when the demo is seeded, so it is still within its SLA.
    (Hk::AeToCs, Hs::Pending, "ae", "cs", On::Account("vandelay"), None, 0, "Customer needs a CSM for the import module rollout", None),
];

/// (assignee: user handle or territory key, metric, FY2026 target, set by); each also gets
/// a quarter of its target per quarter. Counts (handoffs) are stored like cents: ×100.
#[rustfmt::skip]
pub(super) const QUOTAS: &[(Who, Qm, i64, S)] = &[
    (Who::Territory("global"), Qm::Bookings, 4_500_000, "director"), (Who::Territory("americas"), Qm::Bookings, 2_400_000, "director"),
    (Who::Territory("na"), Qm::Bookings, 1_800_000, "director"), (Who::Territory("latam"), Qm::Bookings, 600_000, "director"),
    (Who::Territory("emea"), Qm::Bookings, 1_800_000, "director"), (Who::Territory("uki"), Qm::Bookings, 900_000, "director"),
    (Who::Territory("dach"), Qm::Bookings, 600_000, "director"), (Who::Territory("nordics"), Qm::Bookings, 300_000, "director"),
    (Who::User("manager"), Qm::Bookings, 2_400_000, "director"), (Who::User("emea.manager"), Qm::Bookings, 1_800_000, "director"),
    (Who::User("ae"), Qm::Bookings, 1_200_000, "manager"), (Who::User("ae2"), Qm::Bookings, 600_000, "manager"),
    (Who::User("am"), Qm::Expansion, 240_000, "manager"), (Who::User("cs"), Qm::Renewals, 800_000, "manager"),
    (Who::User("sdr"), Qm::PipelineSourced, 1_600_000, "manager"), (Who::User("sdr"), Qm::QualifiedHandoffs, 48, "manager"),
    (Who::User("emea.ae"), Qm::Bookings, 900_000, "emea.manager"), (Who::User("emea.ae2"), Qm::Bookings, 600_000, "emea.manager"),
    (Who::User("emea.am"), Qm::Expansion, 200_000, "emea.manager"), (Who::User("emea.cs"), Qm::Renewals, 400_000, "emea.manager"),
    (Who::User("emea.sdr"), Qm::PipelineSourced, 1_000_000, "emea.manager"), (Who::User("emea.sdr"), Qm::QualifiedHandoffs, 40, "emea.manager"),
];

/// (key, partner, submitter, company, domain stem, contact, amount in dollars, expected close,
/// status, days before the anchor, reviewer and note, opportunity, conflicts)
#[rustfmt::skip]
type DealRow = (S, S, S, S, S, S, i64, NaiveDate, Reg, u64, Option<(S, S)>, O, &'static [On]);
#[rustfmt::skip]
pub(super) const DEALS: &[DealRow] = &[
    ("nw-dunder", "Northwind Resellers", "partner", "Dunder Mifflin", "dundermifflin", "Jan Levinson", 45_000, ymd(2026, 8, 14), Reg::Approved, 120, Some(("manager", "Approved; no conflict")), Some("Dunder Mifflin — New business"), &[]),
    ("nw-koala", "Northwind Resellers", "partner", "Koala Logistics", "koala-logistics", "Mia Taylor", 50_000, ymd(2026, 12, 11), Reg::Approved, 25, Some(("director", "Approved: no direct coverage in ANZ")), Some("Koala Logistics — New business"), &[]),
    ("nw-gringotts", "Northwind Resellers", "partner", "Gringotts Bank", "gringotts", "Martin Graves", 120_000, ymd(2026, 12, 15), Reg::Submitted, 4, None, None, &[]),
    ("nw-globex", "Northwind Resellers", "partner", "Globex Corporation", "globex", "Hank Scorpio", 200_000, ymd(2026, 11, 30), Reg::Rejected, 20, Some(("manager", "Globex is an existing direct customer")), None, &[On::Account("globex")]),
    ("nw-vortex", "Northwind Resellers", "partner", "Vortex Media", "vortex-media", "Ada Finch", 30_000, ymd(2026, 7, 31), Reg::Expired, 150, None, None, &[]),
    ("ct-hooli", "Contoso Channel", "partner2", "Hooli", "hooli", "Gavin Belson", 90_000, ymd(2026, 12, 18), Reg::Approved, 45, Some(("manager", "Approved as a partner-led pilot")), Some("Hooli — Pilot"), &[]),
    ("ct-monterrey", "Contoso Channel", "partner2", "Monterrey Logistics", "monterrey-logistics", "Luis Garza", 70_000, ymd(2026, 10, 23), Reg::Approved, 70, Some(("manager", "Approved")), Some("Monterrey Logistics — New business"), &[]),
    ("ct-mueller", "Contoso Channel", "partner2", "Müller Maschinenbau", "mueller-maschinenbau", "Jonas Müller", 275_000, ymd(2026, 6, 12), Reg::Approved, 200, Some(("emea.manager", "Approved")), Some("Müller — New business"), &[]),
    ("ct-gringotts", "Contoso Channel", "partner2", "Gringotts Bank", "gringotts", "Martin Graves", 110_000, ymd(2026, 12, 31), Reg::Submitted, 2, None, None, &[On::Registration("nw-gringotts")]),
    ("ct-cyberdyne", "Contoso Channel", "partner2", "Cyberdyne Systems UK", "cyberdyne", "Miles Dyson", 80_000, ymd(2026, 11, 10), Reg::Rejected, 12, Some(("emea.manager", "Existing customer with an open expansion opportunity")), None, &[On::Account("cyberdyne"), On::Opp("Cyberdyne — Expansion")]),
    ("ct-nakatomi", "Contoso Channel", "partner2", "Nakatomi Trading", "nakatomi", "Joseph Takagi", 150_000, ymd(2026, 12, 4), Reg::Submitted, 6, None, None, &[]),
    ("ct-wayne", "Contoso Channel", "partner2", "Wayne Enterprises", "wayne-enterprises", "Lucius Fox", 60_000, ymd(2026, 8, 20), Reg::Expired, 160, None, None, &[]),
    ("nw-tyrell", "Northwind Resellers", "partner", "Tyrell Systems Ltd", "tyrell-systems", "Eldon Tyrell", 95_000, ymd(2026, 12, 20), Reg::Submitted, 1, None, None, &[On::Account("tyrell")]),
];

/// Where each registration was placed (its reviewers' territory), the country that
/// placed it, and the partner-facing reason code of a rejection.
#[rustfmt::skip]
pub(super) const DEAL_PLACEMENT: &[(S, S, S, O)] = &[
    ("nw-dunder", "na-com", "US", None), ("nw-koala", "anz", "AU", None),
    ("nw-gringotts", "uki", "GB", None), ("nw-globex", "na-ent", "US", Some("CHANNEL_CONFLICT")),
    ("nw-vortex", "na-com", "US", None), ("ct-hooli", "na-ent", "US", None),
    ("ct-monterrey", "latam", "MX", None), ("ct-mueller", "dach", "DE", None),
    ("ct-gringotts", "uki", "GB", None), ("ct-cyberdyne", "uki", "GB", Some("CHANNEL_CONFLICT")),
    ("ct-nakatomi", "japan", "JP", None), ("ct-wayne", "na-ent", "US", None),
    ("nw-tyrell", "uki", "GB", None),
];
