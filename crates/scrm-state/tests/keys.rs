//! The key encoding is one-to-one and preserves the order of the typed keys.

use proptest::prelude::*;
use scrm_state::keys::{self, Table, TimerKey};

fn customer() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\+[1-9][0-9]{6,14}",
        "[A-Z]{2}\\.[A-Za-z0-9]{1,20}",
        "[^\u{0}]{0,12}"
    ]
}

fn timer() -> impl Strategy<Value = TimerKey> {
    (0u32..4, any::<i64>(), customer(), "[a-z_]{0,10}").prop_map(
        |(partition, due_ms, customer, name)| TimerKey {
            partition,
            due_ms,
            customer,
            name,
        },
    )
}

proptest! {
    #[test]
    fn timer_keys_round_trip_and_keep_order(a in timer(), b in timer()) {
        let (ea, eb) = (a.encode().unwrap(), b.encode().unwrap());
        prop_assert_eq!(TimerKey::decode(&ea).unwrap(), a.clone());
        prop_assert_eq!(a.cmp(&b), ea.cmp(&eb));
        prop_assert_eq!(a == b, ea == eb);
    }

    #[test]
    fn customer_keys_round_trip_and_keep_order(pa in 0u32..4, a in customer(), pb in 0u32..4, b in customer()) {
        let (ea, eb) = (keys::customer_key(pa, &a).unwrap(), keys::customer_key(pb, &b).unwrap());
        prop_assert_eq!(keys::parse_customer_key(&ea).unwrap(), (pa, a.clone()));
        prop_assert_eq!((pa, a.as_bytes()).cmp(&(pb, b.as_bytes())), ea.cmp(&eb));
    }

    #[test]
    fn outbox_keys_round_trip_and_keep_order(pa in any::<u32>(), sa in any::<u64>(), pb in any::<u32>(), sb in any::<u64>()) {
        let (ea, eb) = (keys::outbox_key(pa, sa), keys::outbox_key(pb, sb));
        prop_assert_eq!(keys::parse_outbox_key(&ea).unwrap(), (pa, sa));
        prop_assert_eq!((pa, sa).cmp(&(pb, sb)), ea.cmp(&eb));
    }

    #[test]
    fn a_partition_range_holds_exactly_its_rows(p in any::<u32>(), q in any::<u32>(), c in customer(), due in any::<i64>()) {
        for table in [Table::Customers, Table::Timers, Table::Outbox, Table::Partitions] {
            let key = match table {
                Table::Customers => keys::customer_key(q, &c).unwrap(),
                Table::Timers => TimerKey { partition: q, due_ms: due, customer: c.clone(), name: "x".into() }.encode().unwrap(),
                Table::Outbox => keys::outbox_key(q, due as u64),
                Table::Partitions => keys::partition_key(q),
            };
            let (from, to) = table.partition_range(p);
            prop_assert_eq!(from <= key && key < to, p == q, "{:?}", table);
        }
    }

    #[test]
    fn due_until_bounds_exactly_the_due_timers(t in timer(), now in any::<i64>()) {
        let key = t.encode().unwrap();
        let (from, _) = Table::Timers.partition_range(t.partition);
        let until = TimerKey::due_until(t.partition, now);
        prop_assert_eq!(from <= key && key < until, t.due_ms <= now);
    }
}

#[test]
fn tables_do_not_overlap_and_nul_is_refused() {
    let kinds: std::collections::BTreeSet<u8> = Table::ALL.iter().map(|t| t.kind()).collect();
    assert_eq!(kinds.len(), Table::ALL.len());
    assert!(keys::customer_key(0, "a\u{0}b").is_err());
    assert!(TimerKey::decode(&[0x02, 0, 0, 0, 1]).is_err());
    assert!(keys::parse_customer_key(&[0x09, 0, 0, 0, 1, b'x']).is_err());
}
