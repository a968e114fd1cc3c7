//! An erasure: what scrm wrote about a customer, found from their contact, then the
//! contact itself.

use super::{Fail, Reply, Run};
use crate::hubspot::api::{
    self, archive_path, associations_path, read_path, AssociatedPage, BatchArchive, BatchRead,
    BatchResponse, GdprDelete, Object, ObjectId, UpsertResult, BATCH_LIMIT, GDPR_DELETE_PATH,
};

impl Run<'_, '_> {
    /// Erases a customer: the deals and tickets scrm wrote for them (their keys hold the
    /// customer's number, tickets their words) are archived, then the contact goes with
    /// HubSpot's GDPR delete, which takes its notes, tasks and associations along. `false`
    /// when HubSpot holds no such contact (erased before: a retry finds nothing).
    pub(crate) async fn erase(&mut self, customer: &str) -> Result<bool, Fail> {
        let key = Object::Contacts.id_property();
        let found = self
            .read(Object::Contacts, Some(key), &[customer.to_owned()], key)
            .await?;
        let Some((contact_id, _)) = found.into_iter().next() else {
            return Ok(false);
        };
        for object in [Object::Deals, Object::Tickets] {
            let path = format!("{}?limit=500", associations_path(&contact_id, object));
            let ids = match self.send(object.path(), &path, None).await {
                Reply::Ok { status, body } => serde_json::from_str::<AssociatedPage>(&body)
                    .map_err(|e| {
                        Fail::Retry(format!("http {status}: an answer scrm cannot read: {e}"))
                    })?
                    .results
                    .iter()
                    .map(api::Associated::id)
                    .collect(),
                Reply::Refused { status: 404, .. } => Vec::new(),
                Reply::Refused { reason, .. } => return Err(Fail::Dead(reason)),
                Reply::Stop(stop) => return Err(Fail::Stop(stop)),
            };
            if ids.is_empty() {
                continue;
            }
            // Only what scrm wrote for this customer: a deal a salesperson shares with
            // other contacts stays.
            let own = format!("{customer}/");
            let mine: Vec<String> = self
                .read(object, None, &ids, object.id_property())
                .await?
                .into_iter()
                .filter(|(_, k)| k.as_deref().is_some_and(|k| k.starts_with(&own)))
                .map(|(id, _)| id)
                .collect();
            for part in mine.chunks(BATCH_LIMIT) {
                let inputs = part.iter().map(|id| ObjectId { id: id.clone() }).collect();
                let body =
                    serde_json::to_string(&BatchArchive { inputs }).expect("an archive serializes");
                match self.post(object.path(), &archive_path(object), body).await {
                    Reply::Ok { .. } => {}
                    Reply::Refused { reason, .. } => return Err(Fail::Dead(reason)),
                    Reply::Stop(stop) => return Err(Fail::Stop(stop)),
                }
            }
        }
        let body = GdprDelete {
            object_id: customer.to_owned(),
            id_property: Some(key.to_owned()),
        };
        let body = serde_json::to_string(&body).expect("a delete serializes");
        match self.post("gdpr", GDPR_DELETE_PATH, body).await {
            // 404: gone meanwhile.
            Reply::Ok { .. } | Reply::Refused { status: 404, .. } => Ok(true),
            Reply::Refused { reason, .. } => Err(Fail::Dead(reason)),
            Reply::Stop(stop) => Err(Fail::Stop(stop)),
        }
    }

    /// Reads records by id (or by `id_property`'s values), answering each found one's id
    /// and its `property`.
    async fn read(
        &mut self,
        object: Object,
        id_property: Option<&str>,
        ids: &[String],
        property: &str,
    ) -> Result<Vec<(String, Option<String>)>, Fail> {
        let mut found = Vec::new();
        for part in ids.chunks(BATCH_LIMIT) {
            let body = BatchRead {
                id_property: id_property.map(str::to_owned),
                inputs: part.iter().map(|id| ObjectId { id: id.clone() }).collect(),
                properties: vec![property.to_owned()],
                properties_with_history: Vec::new(),
            };
            let body = serde_json::to_string(&body).expect("a read serializes");
            match self.post(object.path(), &read_path(object), body).await {
                Reply::Ok { status, body } => {
                    let answer: BatchResponse<UpsertResult> =
                        serde_json::from_str(&body).map_err(|e| {
                            Fail::Retry(format!("http {status}: an answer scrm cannot read: {e}"))
                        })?;
                    found.extend(answer.results.into_iter().map(|mut r| {
                        let value = r.properties.remove(property).flatten();
                        (r.id, value)
                    }));
                }
                Reply::Refused { status: 404, .. } => {}
                Reply::Refused { reason, .. } => return Err(Fail::Dead(reason)),
                Reply::Stop(stop) => return Err(Fail::Stop(stop)),
            }
        }
        Ok(found)
    }
}
