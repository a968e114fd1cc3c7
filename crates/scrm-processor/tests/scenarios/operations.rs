//! Rules about follow-up and the team: unread messages, churn risk, slow agents and
//! complaint spikes.

use scrm_schema::TopicKind;
use serde_json::json;

use crate::harness::*;

#[test]
fn unread_for_24_hours_lowers_the_crm_priority_and_the_nightly_run_creates_a_task() {
    let mut s = Scenario::new();
    s.says(LEA, T0, "Merci !")
        .business_sends(LEA, T0 + HOUR, "wamid.news1")
        .says(MEI, T0, "多謝")
        .business_sends(MEI, T0 + HOUR, "wamid.news2")
        .reads(MEI, T0 + 3 * HOUR, "wamid.news2")
        .time_passes_to(T0 + 2 * DAY)
        .run();
    assert_eq!(s.state(LEA).priority.as_deref(), Some("low"));
    // The lowered priority reaches the CRM as the timer fires.
    let synced = s.synced(LEA);
    let (_, op) = synced
        .iter()
        .find(|(id, _)| id.starts_with("crm+unread@timer/+33612345678/unread/"))
        .unwrap_or_else(|| panic!("{synced:#?}"));
    assert_eq!(op["UpsertContact"]["fields"]["priority"], "low");
    // 02:00 in Hong Kong the next night (18:00 UTC): unread for 1 h only; the night after,
    // for more than 24 h.
    let tasks = s.crm_by(LEA, "unread_follow_up");
    assert_eq!(tasks.len(), 1, "{tasks:#?}");
    assert_eq!(
        tasks[0]["CreateTask"]["subject"],
        "Follow up with Léa Martin: last message unread since hier"
    );
    assert!(s.crm_by(MEI, "unread").is_empty(), "Mei read it");
    assert!(s.crm_by(MEI, "unread_follow_up").is_empty());
    assert_eq!(s.state(MEI).priority, None);
    assert_eq!(s.contact(MEI)["priority"], "normal");
}

#[test]
fn churn_risk_when_weekly_interactions_drop_and_the_mood_is_bad() {
    let mut s = Scenario::new();
    // Week 1: three messages. Week 2: one angry message.
    s.says(ANA, T0, "Oi")
        .says(ANA, T0 + DAY, "Quanto custa?")
        .says(ANA, T0 + 2 * DAY, "Obrigada")
        .says(
            ANA,
            T0 + 9 * DAY,
            "Péssimo atendimento, estou muito decepcionada",
        )
        // Léa is as quiet but happy.
        .says(LEA, T0, "Bonjour")
        .says(LEA, T0 + DAY, "C'est combien ?")
        .says(LEA, T0 + 2 * DAY, "Merci")
        .says(LEA, T0 + 9 * DAY, "Super, j'adore, merci beaucoup")
        .time_passes_to(T0 + 10 * DAY)
        .run();
    let ana = s.state(ANA);
    assert!(ana.sentiment.unwrap() < 0.3, "{:?}", ana.sentiment);
    assert!(ana.tags.contains("churn_risk"));
    assert_eq!(ana.priority.as_deref(), Some("high"));
    let t = s.triggers(ANA);
    let churn: Vec<_> = t.iter().filter(|t| t.rule == "churn_risk").collect();
    assert_eq!(churn.len(), 1, "{t:#?}");
    assert_eq!(churn[0].template(), Some("retention_offer"));
    assert_eq!(churn[0].variables()[1], "15%");
    // Marketing at the best hour: the next Wednesday 14:00 in São Paulo (17:00 UTC).
    assert_eq!(churn[0].decision, "DEFER");
    assert_eq!(churn[0].reasons, ["best_hour"]);
    let wednesday_14h_sao_paulo = T0 + 14 * DAY + 15 * HOUR;
    assert_eq!(churn[0].not_before, Some(wednesday_14h_sao_paulo));
    assert!(!s.state(LEA).tags.contains("churn_risk"));
}

#[test]
fn agent_slow_when_the_median_response_of_a_day_is_over_6_minutes() {
    let mut s = Scenario::new();
    for (i, customer) in [MEI, ANA, LEA].into_iter().enumerate() {
        let at = T0 + i as i64 * HOUR;
        s.says(customer, at, "hello?")
            .agent_replies(customer, at + 10 * MIN, "slow-sam")
            .says(customer, at + 20 * MIN, "thanks")
            .agent_replies(customer, at + 21 * MIN, "quick-kim");
    }
    s.time_passes_to(T0 + DAY).run();
    let alerts: Vec<_> = s
        .alerts()
        .into_iter()
        .filter(|a| a["kind"] == "agent_slow")
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0]["subject"], "slow-sam");
    assert_eq!(alerts[0]["severity"], "WARNING");
    assert_eq!(
        alerts[0]["message"],
        "Agent slow-sam: median response 10.1 min yesterday (limit 6 min)"
    );
    assert_eq!(alerts[0]["customer"], json!(null));
}

#[test]
fn complaints_over_5_percent_on_3_consecutive_days_raise_an_alert() {
    let mut s = Scenario::new();
    let customers: Vec<String> = (0..20).map(|i| format!("+852912340{i:02}")).collect();
    for day in 0..4 {
        for (i, c) in customers.iter().enumerate() {
            let at = T0 + day * DAY + i as i64 * MIN;
            // Two complaints in 20 messages (10%) on the first three days, none on the fourth.
            let text = if i < 2 && day < 3 {
                "收到件貨爛咗，好失望"
            } else {
                "多謝"
            };
            s.says(c, at, text);
        }
    }
    s.time_passes_to(T0 + 4 * DAY + HOUR).run();
    let alerts: Vec<_> = s
        .alerts()
        .into_iter()
        .filter(|a| a["kind"] == "complaint_rate")
        .collect();
    assert_eq!(
        alerts.len(),
        1,
        "only once three days have run over: {alerts:#?}"
    );
    assert_eq!(alerts[0]["severity"], "CRITICAL");
    assert_eq!(alerts[0]["subject"], "business");
    assert_eq!(alerts[0]["details"]["complaint_rate"], "0.1000");
    assert_eq!(s.outputs(TopicKind::Alerts).len(), 1);
}
