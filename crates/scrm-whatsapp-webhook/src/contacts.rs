//! `value.contacts[]`: who the people of a `messages` change are. Meta lists each sender
//! (or, for statuses, each recipient) once per change, with the profile name, the phone
//! number (`wa_id`, hidden for users who adopted a username) and the business-scoped user
//! id (`user_id`, the BSUID, present on every contact since the 2026 rollout).
//!
//! A message or status is matched to its contact by phone number or by BSUID. When neither
//! side names one the other can be checked against, and the change lists a single contact,
//! that contact is taken: Meta sends one change per user, and refusing would drop the
//! profile name for nothing. A contact whose number or BSUID contradicts the message is
//! never taken.

use serde_json::{Map, Value};

use crate::read::{as_object, opt_array, opt_nonempty_str, opt_object, opt_str, Path, Read};

/// One `value.contacts[]` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Contact<'v> {
    /// `wa_id`: the phone number, digits without `+`; `None` when hidden.
    pub(crate) wa_id: Option<&'v str>,
    /// `user_id`: the BSUID.
    pub(crate) user_id: Option<&'v str>,
    /// `profile.name`: the display name the user chose.
    pub(crate) name: Option<&'v str>,
}

/// The contacts of a change value, in order. Fails on a contact that is not an object or
/// has fields of the wrong type.
pub(crate) fn contacts<'v>(
    value: &'v Map<String, Value>,
    path: &Path<'_>,
) -> Read<Vec<Contact<'v>>> {
    let at = path.key("contacts");
    opt_array(value, "contacts", path)?
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = at.index(i);
            let c = as_object(c, &at)?;
            let name = match opt_object(c, "profile", &at)? {
                Some(profile) => opt_str(profile, "name", &at.key("profile"))?,
                None => None,
            };
            Ok(Contact {
                wa_id: opt_nonempty_str(c, "wa_id", &at)?,
                user_id: opt_nonempty_str(c, "user_id", &at)?,
                name,
            })
        })
        .collect()
}

/// The contact of the person with phone digits `wa_id` and/or BSUID `user_id`: the first
/// whose number or BSUID equals one of them, else the only contact if nothing contradicts
/// it.
pub(crate) fn find<'c, 'v>(
    contacts: &'c [Contact<'v>],
    wa_id: Option<&str>,
    user_id: Option<&str>,
) -> Option<&'c Contact<'v>> {
    let same = |a: Option<&str>, b: Option<&str>| a.is_some() && a == b;
    contacts
        .iter()
        .find(|c| same(c.wa_id, wa_id) || same(c.user_id, user_id))
        .or_else(|| match contacts {
            [only] => {
                let agrees = |mine: Option<&str>, theirs: Option<&str>| {
                    mine.is_none() || theirs.is_none() || mine == theirs
                };
                (agrees(only.wa_id, wa_id) && agrees(only.user_id, user_id)).then_some(only)
            }
            _ => None,
        })
}

/// `+` and the digits: Meta writes numbers without the plus, scrm keys with it.
pub(crate) fn e164(digits: &str) -> Option<String> {
    let digits = digits.trim().trim_start_matches('+');
    (!digits.is_empty()).then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hk() -> Contact<'static> {
        Contact {
            wa_id: Some("85291234567"),
            user_id: Some("HK.4419760813562790"),
            name: Some("陳大文"),
        }
    }

    fn fr() -> Contact<'static> {
        Contact {
            wa_id: Some("33612345678"),
            user_id: Some("FR.1046358234557701"),
            name: Some("Camille"),
        }
    }

    #[test]
    fn matches_by_number_or_bsuid() {
        let list = [hk(), fr()];
        assert_eq!(find(&list, Some("33612345678"), None), Some(&list[1]));
        assert_eq!(
            find(&list, None, Some("HK.4419760813562790")),
            Some(&list[0])
        );
        assert_eq!(find(&list, Some("5511987654321"), None), None);
        assert_eq!(find(&list, None, None), None);
    }

    #[test]
    fn takes_a_single_contact_only_when_nothing_contradicts_it() {
        let list = [Contact {
            wa_id: None,
            ..hk()
        }];
        assert_eq!(find(&list, Some("85291234567"), None), Some(&list[0]));
        assert_eq!(find(&list, None, None), Some(&list[0]));
        assert_eq!(find(&list, None, Some("HK.other")), None);
        let list = [hk()];
        assert_eq!(find(&list, Some("85290000000"), None), None);
    }

    #[test]
    fn reads_contacts_and_rejects_wrong_types() {
        let value = json!({"contacts": [
            {"profile": {"name": "Camille"}, "wa_id": "33612345678", "user_id": ""},
            {"user_id": "BR.77310245"}
        ]});
        let value = value.as_object().cloned().unwrap_or_default();
        let list = contacts(&value, &Path::ROOT).unwrap_or_default();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, Some("Camille"));
        assert_eq!(list[0].user_id, None);
        assert_eq!(list[1].user_id, Some("BR.77310245"));
        let bad = json!({"contacts": [{"profile": {"name": 3}}]});
        let bad = bad.as_object().cloned().unwrap_or_default();
        let err = contacts(&bad, &Path::ROOT).err().map(|e| e.path);
        assert_eq!(err.as_deref(), Some("contacts[0].profile.name"));
        assert_eq!(e164("85291234567").as_deref(), Some("+85291234567"));
        assert_eq!(e164("+33612345678").as_deref(), Some("+33612345678"));
        assert_eq!(e164("+"), None);
    }
}
