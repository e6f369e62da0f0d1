//! Territory assignment criteria and the rule that places an account or lead: the most
//! specific matching territory wins; a tie between equally specific matches is refused
//! rather than guessed, and no match leaves the row unassigned.

use uuid::Uuid;

/// A territory's criteria. An empty list or an open bound matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    pub countries: Vec<String>,
    pub industries: Vec<String>,
    pub min_employees: Option<i32>,
    pub max_employees: Option<i32>,
}

/// What a row offers to be matched on.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub country: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub employees: Option<i32>,
}

impl Criteria {
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
            && self.industries.is_empty()
            && self.min_employees.is_none()
            && self.max_employees.is_none()
    }

    /// None when the facts do not meet the criteria; otherwise how specific the match
    /// is (one point per criterion that constrained it). Unknown facts never match a
    /// criterion that constrains them.
    pub fn specificity(&self, facts: &Facts<'_>) -> Option<u32> {
        let mut score = 0;
        if !self.countries.is_empty() {
            let c = facts.country?;
            if !self.countries.iter().any(|x| x.eq_ignore_ascii_case(c)) {
                return None;
            }
            score += 1;
        }
        if !self.industries.is_empty() {
            let i = facts.industry?;
            if !self.industries.iter().any(|x| x.eq_ignore_ascii_case(i)) {
                return None;
            }
            score += 1;
        }
        if self.min_employees.is_some() || self.max_employees.is_some() {
            let e = facts.employees?;
            if self.min_employees.is_some_and(|m| e < m)
                || self.max_employees.is_some_and(|m| e > m)
            {
                return None;
            }
            score += 1;
        }
        Some(score)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Territory(Uuid),
    Unassigned,
    /// Equally specific matches at the same depth; the names explain the refusal.
    Ambiguous(Vec<Uuid>),
}

/// Candidates are (id, depth in the tree, criteria). Territories without criteria never
/// match: they exist to group others. Deeper territories beat their ancestors at equal
/// specificity.
pub fn place(candidates: &[(Uuid, i32, Criteria)], facts: &Facts<'_>) -> Placement {
    let scored: Vec<(Uuid, (u32, i32))> = candidates
        .iter()
        .filter(|(_, _, c)| !c.is_empty())
        .filter_map(|(id, depth, c)| c.specificity(facts).map(|s| (*id, (s, *depth))))
        .collect();
    let Some(best) = scored.iter().map(|(_, k)| *k).max() else {
        return Placement::Unassigned;
    };
    let winners: Vec<Uuid> = scored
        .iter()
        .filter(|(_, k)| *k == best)
        .map(|(id, _)| *id)
        .collect();
    match winners.as_slice() {
        [one] => Placement::Territory(*one),
        _ => Placement::Ambiguous(winners),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(countries: &[&str], industries: &[&str], min: Option<i32>, max: Option<i32>) -> Criteria {
        Criteria {
            countries: countries.iter().map(|s| s.to_string()).collect(),
            industries: industries.iter().map(|s| s.to_string()).collect(),
            min_employees: min,
            max_employees: max,
        }
    }

    #[test]
    fn most_specific_then_deepest_wins() {
        let (na, us_tech, us_ent) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let cands = vec![
            (na, 1, c(&["US", "CA"], &[], None, None)),
            (us_tech, 2, c(&["US"], &["Software"], None, None)),
            (us_ent, 2, c(&["US"], &[], Some(1000), None)),
        ];
        let f = |country, industry, employees| Facts {
            country,
            industry,
            employees,
        };
        assert_eq!(
            place(&cands, &f(Some("us"), Some("software"), Some(50))),
            Placement::Territory(us_tech)
        );
        assert_eq!(
            place(&cands, &f(Some("CA"), None, None)),
            Placement::Territory(na)
        );
        assert_eq!(
            place(&cands, &f(Some("DE"), None, None)),
            Placement::Unassigned
        );
        assert!(
            matches!(place(&cands, &f(Some("US"), Some("Software"), Some(5000))), Placement::Ambiguous(v) if v.len() == 2)
        );
        assert_eq!(place(&cands, &f(None, None, None)), Placement::Unassigned);
    }
}
