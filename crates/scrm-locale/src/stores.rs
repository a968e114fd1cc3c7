//! Nearest-store lookup for "your nearest shop is …" replies to a shared
//! WhatsApp location.
//!
//! Distances are great-circle distances on a sphere of the IUGG mean Earth
//! radius (6371.0088 km) by the haversine formula: accurate to about 0.5 %,
//! which is far below what matters when choosing a shop. A linear scan is
//! used; store lists are per-business and small.

use crate::error::LocaleError;

/// Mean Earth radius (IUGG R1), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A physical store of a business.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Store {
    /// Stable identifier, used in error messages.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Postal address as shown to customers.
    pub address: String,
    /// Latitude in degrees, −90..=90 (north positive).
    pub lat: f64,
    /// Longitude in degrees, −180..=180 (east positive).
    pub lon: f64,
}

/// Great-circle (haversine) distance in kilometres between two points given
/// in degrees, with R = [`EARTH_RADIUS_KM`].
///
/// Symmetric, `0.0` for identical points, at most `π·R ≈ 20 015 km`. A
/// non-finite input gives `NaN`.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    // Rounding can push `a` a hair outside [0, 1] for antipodal points.
    let a = a.clamp(0.0, 1.0);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

/// The store nearest to `(lat, lon)` and its distance in km.
///
/// Ties go to the store that comes first in `stores`. Stores whose distance
/// is not a number (non-finite coordinates) are skipped, so the result is
/// `None` for an empty list, and also when no store has a usable distance
/// (e.g. `lat` itself is `NaN`). Run [`validate_store`] when stores are
/// configured to catch bad coordinates early.
pub fn nearest_store(stores: &[Store], lat: f64, lon: f64) -> Option<(&Store, f64)> {
    let mut best: Option<(&Store, f64)> = None;
    for store in stores {
        let d = distance_km(lat, lon, store.lat, store.lon);
        if d.is_nan() {
            continue;
        }
        if best.is_none_or(|(_, best_d)| d < best_d) {
            best = Some((store, d));
        }
    }
    best
}

/// Checks that a store's coordinates are usable: `lat` finite and within
/// −90..=90, `lon` finite and within −180..=180.
///
/// # Errors
///
/// [`LocaleError::InvalidCoordinate`] naming the store id, the field
/// (`"lat"` or `"lon"`, latitude checked first) and the value.
pub fn validate_store(store: &Store) -> Result<(), LocaleError> {
    check(
        store,
        "lat",
        store.lat,
        90.0,
        "a finite number from -90 to 90",
    )?;
    check(
        store,
        "lon",
        store.lon,
        180.0,
        "a finite number from -180 to 180",
    )
}

fn check(
    store: &Store,
    field: &'static str,
    value: f64,
    limit: f64,
    expected: &'static str,
) -> Result<(), LocaleError> {
    if value.is_finite() && (-limit..=limit).contains(&value) {
        Ok(())
    } else {
        Err(LocaleError::InvalidCoordinate {
            store_id: store.id.clone(),
            field,
            value,
            expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(id: &str, lat: f64, lon: f64) -> Store {
        Store {
            id: id.into(),
            name: id.to_uppercase(),
            address: String::new(),
            lat,
            lon,
        }
    }

    #[test]
    fn one_degree_of_latitude() {
        let d = distance_km(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111.195).abs() < 0.01, "{d}");
    }

    #[test]
    fn antipodes_do_not_produce_nan() {
        let d = distance_km(0.0, 0.0, 0.0, 180.0);
        let half = std::f64::consts::PI * EARTH_RADIUS_KM;
        assert!((d - half).abs() < 1e-6, "{d}");
        let d = distance_km(90.0, 0.0, -90.0, 0.0);
        assert!((d - half).abs() < 1e-6, "{d}");
    }

    #[test]
    fn nan_stores_are_skipped() {
        let stores = [store("bad", f64::NAN, 0.0), store("ok", 1.0, 1.0)];
        let (s, _) = nearest_store(&stores, 0.0, 0.0).unwrap();
        assert_eq!(s.id, "ok");
        assert!(nearest_store(&stores, f64::NAN, 0.0).is_none());
    }

    #[test]
    fn validation_checks_lat_first() {
        let e = validate_store(&store("x", 100.0, 200.0)).unwrap_err();
        assert!(matches!(
            e,
            LocaleError::InvalidCoordinate { field: "lat", .. }
        ));
        assert!(validate_store(&store("edge", -90.0, 180.0)).is_ok());
    }
}
