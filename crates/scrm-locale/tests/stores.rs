//! `distance_km`, `nearest_store` and `validate_store`.

use scrm_locale::{distance_km, nearest_store, validate_store, LocaleError, Store};

fn store(id: &str, lat: f64, lon: f64) -> Store {
    Store {
        id: id.to_owned(),
        name: format!("Store {id}"),
        address: format!("{id} street"),
        lat,
        lon,
    }
}

// Hong Kong landmarks (MTR stations).
const CENTRAL: (f64, f64) = (22.2819, 114.1582);
const CAUSEWAY_BAY: (f64, f64) = (22.2802, 114.1839);
const MONG_KOK: (f64, f64) = (22.3193, 114.1694);
const YAU_MA_TEI: (f64, f64) = (22.3128, 114.1706);
const PARIS: (f64, f64) = (48.8566, 2.3522);
const SAO_PAULO: (f64, f64) = (-23.5505, -46.6333);

fn hk_stores() -> Vec<Store> {
    vec![
        store("central", CENTRAL.0, CENTRAL.1),
        store("causeway-bay", CAUSEWAY_BAY.0, CAUSEWAY_BAY.1),
        store("mong-kok", MONG_KOK.0, MONG_KOK.1),
    ]
}

#[test]
fn central_to_causeway_bay_is_about_3_km() {
    let d = distance_km(CENTRAL.0, CENTRAL.1, CAUSEWAY_BAY.0, CAUSEWAY_BAY.1);
    assert!((2.0..3.5).contains(&d), "{d}");
}

#[test]
fn paris_to_sao_paulo_is_about_9400_km() {
    let d = distance_km(PARIS.0, PARIS.1, SAO_PAULO.0, SAO_PAULO.1);
    assert!((d - 9_400.0).abs() < 300.0, "{d}");
}

#[test]
fn distance_is_symmetric_and_zero_on_itself() {
    let a = distance_km(PARIS.0, PARIS.1, SAO_PAULO.0, SAO_PAULO.1);
    let b = distance_km(SAO_PAULO.0, SAO_PAULO.1, PARIS.0, PARIS.1);
    assert!((a - b).abs() < 1e-9);
    assert_eq!(distance_km(CENTRAL.0, CENTRAL.1, CENTRAL.0, CENTRAL.1), 0.0);
}

#[test]
fn distance_across_the_antimeridian() {
    let d = distance_km(0.0, 179.5, 0.0, -179.5);
    assert!((d - 111.195).abs() < 0.01, "{d}");
}

#[test]
fn nearest_is_found() {
    let stores = hk_stores();
    let (s, d) = nearest_store(&stores, YAU_MA_TEI.0, YAU_MA_TEI.1).unwrap();
    assert_eq!(s.id, "mong-kok");
    assert!((d - distance_km(YAU_MA_TEI.0, YAU_MA_TEI.1, MONG_KOK.0, MONG_KOK.1)).abs() < 1e-12);
    let (s, d) = nearest_store(&stores, CAUSEWAY_BAY.0, CAUSEWAY_BAY.1).unwrap();
    assert_eq!(s.id, "causeway-bay");
    assert_eq!(d, 0.0);
}

#[test]
fn ties_go_to_the_first_in_list_order() {
    let stores = vec![
        store("a", 1.0, 0.0),
        store("b", -1.0, 0.0),
        store("c", 0.0, 1.0),
    ];
    let (s, _) = nearest_store(&stores, 0.0, 0.0).unwrap();
    assert_eq!(s.id, "a");
    let dup = vec![store("x", 22.0, 114.0), store("y", 22.0, 114.0)];
    assert_eq!(nearest_store(&dup, 22.1, 114.1).unwrap().0.id, "x");
}

#[test]
fn empty_list_has_no_nearest() {
    assert!(nearest_store(&[], 0.0, 0.0).is_none());
}

#[test]
fn valid_stores_pass() {
    for s in hk_stores() {
        assert_eq!(validate_store(&s), Ok(()));
    }
    assert!(validate_store(&store("corner", 90.0, -180.0)).is_ok());
}

#[test]
fn invalid_coordinates_name_store_and_field() {
    let cases = [
        (store("north", 90.5, 0.0), "lat"),
        (store("nan", f64::NAN, 0.0), "lat"),
        (store("west", 0.0, -180.01), "lon"),
        (store("inf", 0.0, f64::INFINITY), "lon"),
    ];
    for (s, want) in cases {
        let err = validate_store(&s).unwrap_err();
        match &err {
            LocaleError::InvalidCoordinate {
                store_id, field, ..
            } => {
                assert_eq!(store_id, &s.id);
                assert_eq!(*field, want);
            }
            other => panic!("unexpected {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains(&format!("\"{}\"", s.id)), "{msg}");
        assert!(msg.contains(want), "{msg}");
    }
    let msg = validate_store(&store("tst", 0.0, 200.0))
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        "store \"tst\": lon 200 is not valid (a finite number from -180 to 180)"
    );
}
