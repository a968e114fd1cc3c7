//! Both stores behave the same: atomic batches, ordered range scans, range deletes.

use scrm_state::keys::{self, Table, TimerKey};
use scrm_state::store::Scan;
use scrm_state::{Batch, MemoryStore, RocksOptions, RocksStore, StateStore};

fn exercise(store: &dyn StateStore) {
    let mut batch = Batch::new();
    for p in 0..3u32 {
        for (i, c) in ["+85291234567", "+5511987654321", "BR.abc"]
            .iter()
            .enumerate()
        {
            batch.put(
                Table::Customers,
                keys::customer_key(p, c).unwrap(),
                vec![i as u8],
            );
            let timer = TimerKey {
                partition: p,
                due_ms: 1_000 - i as i64 * 600,
                customer: c.to_string(),
                name: "lost".into(),
            };
            batch.put(Table::Timers, timer.encode().unwrap(), vec![]);
        }
    }
    store.write(batch, true).unwrap();

    let (from, to) = Table::Customers.partition_range(1);
    let mut seen = Vec::new();
    store
        .scan(Table::Customers, &from, &to, &mut |k, v| {
            seen.push((keys::parse_customer_key(k).unwrap().1, v[0]));
            Scan::Continue
        })
        .unwrap();
    assert_eq!(
        seen,
        vec![
            ("+5511987654321".to_owned(), 1),
            ("+85291234567".to_owned(), 0),
            ("BR.abc".to_owned(), 2)
        ]
    );

    // Timers due by 500 in partition 2, in due order: -200 then 400.
    let (from, _) = Table::Timers.partition_range(2);
    let until = TimerKey::due_until(2, 500);
    let mut due = Vec::new();
    store
        .scan(Table::Timers, &from, &until, &mut |k, _| {
            due.push(TimerKey::decode(k).unwrap().due_ms);
            Scan::Continue
        })
        .unwrap();
    assert_eq!(due, vec![-200, 400]);
    let first = store.first(Table::Timers, &from, &until).unwrap().unwrap();
    assert_eq!(TimerKey::decode(&first.0).unwrap().due_ms, -200);

    // Dropping partition 1 leaves 0 and 2 alone.
    let mut batch = Batch::new();
    for table in [Table::Customers, Table::Timers] {
        let (from, to) = table.partition_range(1);
        batch.delete_range(table, from, to);
    }
    batch.delete(Table::Customers, keys::customer_key(0, "BR.abc").unwrap());
    store.write(batch, false).unwrap();
    let mut count = 0;
    let (from, _) = Table::Customers.partition_range(0);
    let (_, to) = Table::Customers.partition_range(2);
    store
        .scan(Table::Customers, &from, &to, &mut |_, _| {
            count += 1;
            Scan::Continue
        })
        .unwrap();
    assert_eq!(count, 2 + 3);
    assert_eq!(
        store
            .get(Table::Customers, &keys::customer_key(2, "BR.abc").unwrap())
            .unwrap(),
        Some(vec![2])
    );
}

#[test]
fn memory_store() {
    exercise(&MemoryStore::new());
}

#[test]
fn rocks_store_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
        exercise(&store);
        assert!(matches!(
            RocksStore::open(dir.path(), &RocksOptions::default()),
            Err(scrm_state::StoreError::Locked { .. })
        ));
        let reader = RocksStore::open_read_only(dir.path()).unwrap();
        assert!(reader
            .get(Table::Customers, &keys::customer_key(2, "BR.abc").unwrap())
            .unwrap()
            .is_some());
    }
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
    assert_eq!(
        store
            .get(
                Table::Customers,
                &keys::customer_key(0, "+85291234567").unwrap()
            )
            .unwrap(),
        Some(vec![0])
    );
}
