//! One customer-day: a plan of episodes (a chat, some browsing, a purchase, a
//! promotion...) drawn cheaply up front, and their expansion into events.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use crate::catalog::{pick_product, pick_store, weighted};
use crate::chat::{any_product, chat};
use crate::config::{DAY_MS, HOUR_MS, MINUTE_MS};
use crate::ctx::{Ctx, CustomerState};
use crate::events::between;
use crate::people::{Customer, Region};
use crate::phrases::{quiz_question, Intent};
use crate::shop::{browse, promotion, shop};

/// What a customer does in one sitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Chat,
    Browse,
    Shop,
    Campaign,
    StoreVisit,
    Quiz,
    CrmUpdate,
}

/// A planned episode: its earliest start and kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Episode {
    pub(crate) at: i64,
    pub(crate) kind: Kind,
}

/// Mean events one episode expands to (statuses, follow-up order steps and
/// all), measured over long runs; turns "events per customer per day" into
/// an episode rate.
pub(crate) const EVENTS_PER_EPISODE: f64 = 7.1;

/// Weight of each local hour for customer-initiated activity, in tenths.
/// The 14:00–16:00 peak carries about a third of the day (as SCRM vendors
/// report), nights are nearly silent.
const RHYTHM: [u32; 24] = [
    4, 2, 1, 1, 1, 1, 4, 12, 20, 30, 38, 42, 46, 46, 145, 145, 46, 38, 36, 40, 46, 44, 32, 14,
];

/// Weekday factor, Monday first; averages 1 so the configured mean holds.
const WEEKDAY: [f64; 7] = [0.95, 1.0, 1.05, 0.95, 1.1, 1.0, 0.95];

fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> usize {
    // Knuth's method; rates are small (a few episodes a day at most).
    let limit = (-lambda).exp();
    let mut k = 0;
    let mut p: f64 = rng.gen();
    while p > limit && k < 200 {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

/// Milliseconds into the local day when an episode of `kind` starts.
fn local_time(rng: &mut ChaCha8Rng, kind: Kind) -> i64 {
    let hour_ms = |rng: &mut ChaCha8Rng, h: i64| h * HOUR_MS + between(rng, 0, HOUR_MS);
    match kind {
        // Promotions go out at 14:00, the hour with the best open rate, or
        // around lunch and the evening commute.
        Kind::Campaign => match rng.gen_range(0..100) {
            0..=54 => 14 * HOUR_MS + between(rng, 0, 10 * MINUTE_MS),
            55..=79 => 11 * HOUR_MS + between(rng, 0, 2 * HOUR_MS),
            _ => 19 * HOUR_MS + between(rng, 0, 2 * HOUR_MS),
        },
        Kind::StoreVisit => {
            let h = weighted(
                rng,
                &[
                    (11, 2),
                    (12, 3),
                    (13, 4),
                    (14, 4),
                    (15, 4),
                    (16, 4),
                    (17, 4),
                    (18, 5),
                    (19, 5),
                    (20, 3),
                ],
            );
            hour_ms(rng, h)
        }
        Kind::CrmUpdate => {
            let h = rng.gen_range(9..18);
            hour_ms(rng, h)
        }
        _ => {
            let table: Vec<(i64, u32)> = RHYTHM
                .iter()
                .enumerate()
                .map(|(h, w)| (h as i64, *w))
                .collect();
            let h = weighted(rng, &table);
            hour_ms(rng, h)
        }
    }
}

/// Plans a customer's day: how many episodes, which, and when (UTC ms).
/// Local times are folded into the UTC day so every customer's day d lies
/// within [day_start, day_start + 24 h), whatever the time zone.
pub(crate) fn plan_day(
    rng: &mut ChaCha8Rng,
    customer: &Customer,
    state: &CustomerState,
    day_start: i64,
    weekday: usize,
    events_per_day: f64,
) -> Vec<Episode> {
    let lambda = events_per_day / EVENTS_PER_EPISODE * state.activity * WEEKDAY[weekday % 7];
    let n = poisson(rng, lambda);
    let offset = i64::from(customer.utc_offset_minutes) * MINUTE_MS;
    let mut plan: Vec<Episode> = (0..n)
        .map(|_| {
            let kind = weighted(
                rng,
                &[
                    (Kind::Chat, 40),
                    (Kind::Browse, 22),
                    (Kind::Shop, 8),
                    (Kind::Campaign, 16),
                    (Kind::StoreVisit, 5),
                    (Kind::Quiz, 3),
                    (Kind::CrmUpdate, 6),
                ],
            );
            let utc = (local_time(rng, kind) - offset).rem_euclid(DAY_MS);
            Episode {
                at: day_start + utc,
                kind,
            }
        })
        .collect();
    plan.sort_by_key(|e| e.at);
    plan
}

/// Expands one planned episode into events. It starts after the customer's
/// previous episode if that one ran late.
pub(crate) fn expand_episode(ctx: &mut Ctx<'_>, ep: Episode) {
    {
        let start = if ctx.state.busy_until >= ep.at {
            ctx.state.busy_until + between(&mut ctx.rng, 30_000, 5 * MINUTE_MS)
        } else {
            ep.at
        };
        let end = match ep.kind {
            Kind::Chat => {
                let p = any_product(ctx);
                chat(ctx, start, None, p)
            }
            Kind::Browse => browse(ctx, start),
            Kind::Shop => shop(ctx, start),
            Kind::Campaign
                if ctx.state.opted_out || start - ctx.state.last_marketing < 7 * DAY_MS =>
            {
                browse(ctx, start)
            }
            Kind::Campaign => promotion(ctx, start),
            Kind::StoreVisit => store_visit(ctx, start),
            Kind::Quiz => quiz(ctx, start),
            Kind::CrmUpdate => crm_update(ctx, start),
        };
        ctx.state.busy_until = end.max(start);
    }
}

/// A visit to a shop, sometimes after asking the address on WhatsApp.
fn store_visit(ctx: &mut Ctx<'_>, mut t: i64) -> i64 {
    let region = ctx.region();
    let store = pick_store(&mut ctx.rng, region);
    if ctx.rng.gen_bool(0.2) {
        let p = pick_product(&mut ctx.rng);
        t = chat(ctx, t, Some(Intent::StoreAddress), p)
            + between(&mut ctx.rng, 20 * MINUTE_MS, 90 * MINUTE_MS);
    }
    ctx.behavior(
        t,
        "StoreVisit",
        json!({ "store_id": store.id, "store_name": store.name }),
    );
    t + between(&mut ctx.rng, 10 * MINUTE_MS, 40 * MINUTE_MS)
}

/// The skin-type quiz; a third of customers give up before the end.
fn quiz(ctx: &mut Ctx<'_>, mut t: i64) -> i64 {
    let questions = if ctx.rng.gen_bool(0.3) {
        ctx.rng.gen_range(1..4)
    } else {
        4
    };
    for i in 0..questions {
        let lang = ctx.lang();
        let (question, answer) = quiz_question(&mut ctx.rng, lang, i);
        ctx.behavior(
            t,
            "QuizAnswer",
            json!({ "quiz_id": "skin-quiz-2026", "question_id": question, "answer": answer }),
        );
        t += between(&mut ctx.rng, 8_000, 40_000);
    }
    if questions == 4 && ctx.rng.gen_bool(0.45) {
        let p = pick_product(&mut ctx.rng);
        ctx.product_view(t, p);
    }
    t
}

/// A change made in the shop's CRM, as its change feed reports it.
fn crm_update(ctx: &mut Ctx<'_>, t: i64) -> i64 {
    let idx = u64::from(ctx.idx);
    let (crm, object_type, object_id) = match ctx.region() {
        Region::Hk | Region::Br => (
            "hubspot",
            "contact",
            format!("{}", 51_000_000_001 + idx * 7),
        ),
        Region::Tw => ("zoho", "Contacts", format!("5843000000{:09}", idx * 13 + 1)),
        Region::Fr => (
            "salesforce",
            "Contact",
            format!("0035g{:010}AAQ", idx * 11 + 3),
        ),
    };
    let level = ["VIP", "Regular", "New"][ctx.rng.gen_range(0..3)];
    let candidates: [(&str, Value); 4] = match crm {
        "hubspot" => [
            (
                "lifecyclestage",
                json!(["lead", "opportunity", "customer"][ctx.rng.gen_range(0..3)]),
            ),
            ("customer_level", json!(level)),
            ("firstname", json!(ctx.customer.first_name)),
            ("hs_lead_status", json!("IN_PROGRESS")),
        ],
        "zoho" => [
            ("Lead_Status", json!("Contacted")),
            ("Customer_Level", json!(level)),
            ("First_Name", json!(ctx.customer.first_name)),
            ("Tag", json!("WhatsApp")),
        ],
        _ => [
            ("LeadSource", json!("WhatsApp")),
            ("Customer_Level__c", json!(level)),
            ("FirstName", json!(ctx.customer.first_name)),
            ("Preferred_Store__c", json!("fr-paris-marais")),
        ],
    };
    let mut fields = Map::new();
    let n = ctx.rng.gen_range(1..=3);
    for (name, value) in candidates.into_iter().skip(ctx.rng.gen_range(0..2)).take(n) {
        // Now and then a field is cleared in the CRM.
        let value = if ctx.rng.gen_bool(0.1) {
            Value::Null
        } else {
            value
        };
        fields.insert(name.to_string(), value);
    }
    let modified_at = t - between(&mut ctx.rng, 200, 20_000);
    let body = json!({
        "crm": crm,
        "object_type": object_type,
        "object_id": object_id,
        "modified_at": crate::events::rfc3339(modified_at),
        "fields": fields,
    });
    ctx.crm(t, format!("{crm}:{object_id}:{modified_at}"), body);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn poisson_has_the_requested_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000;
        let mean = (0..n).map(|_| poisson(&mut rng, 0.7)).sum::<usize>() as f64 / f64::from(n);
        assert!((mean - 0.7).abs() < 0.03, "{mean}");
    }

    #[test]
    fn weekday_factors_average_one() {
        assert!((WEEKDAY.iter().sum::<f64>() / 7.0 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn plans_stay_inside_their_utc_day() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let mut customers = crate::people::make_customers(&mut rng, 50);
        customers.sort_by_key(|c| c.utc_offset_minutes);
        let state = CustomerState::new(3.3);
        let day_start = 1_793_577_600_000;
        for c in &customers {
            let plan = plan_day(&mut rng, c, &state, day_start, 2, 30.0);
            assert!(plan.windows(2).all(|w| w[0].at <= w[1].at));
            assert!(plan
                .iter()
                .all(|e| (day_start..day_start + DAY_MS).contains(&e.at)));
        }
    }
}
