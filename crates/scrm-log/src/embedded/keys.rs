//! Key and value layout of the embedded log. Keys are big-endian fixed-width fields behind
//! the topic id and partition, so RocksDB's byte order is offset order (and time order for
//! the time index), and one partition is one contiguous key range.

/// `records` column family: topic id, partition, offset.
pub(crate) fn record_key(topic_id: u32, partition: u32, offset: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..4].copy_from_slice(&topic_id.to_be_bytes());
    k[4..8].copy_from_slice(&partition.to_be_bytes());
    k[8..].copy_from_slice(&offset.to_be_bytes());
    k
}

pub(crate) fn offset_of_record_key(key: &[u8]) -> Option<u64> {
    key.get(8..16)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
}

/// Signed millis to bytes that sort like the numbers.
fn ordered_ts(ts: i64) -> [u8; 8] {
    ((ts as u64) ^ (1 << 63)).to_be_bytes()
}

/// `time_index` column family: topic id, partition, the largest timestamp seen up to and
/// including `offset`, offset. Only written when that maximum grows, as Kafka's time index.
pub(crate) fn time_key(topic_id: u32, partition: u32, max_ts: i64, offset: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    k[..4].copy_from_slice(&topic_id.to_be_bytes());
    k[4..8].copy_from_slice(&partition.to_be_bytes());
    k[8..16].copy_from_slice(&ordered_ts(max_ts));
    k[16..].copy_from_slice(&offset.to_be_bytes());
    k
}

pub(crate) fn offset_of_time_key(key: &[u8]) -> Option<u64> {
    key.get(16..24)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
}

/// `meta` column family: per-partition watermarks.
pub(crate) fn partition_meta_key(topic_id: u32, partition: u32) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = b'p';
    k[1..5].copy_from_slice(&topic_id.to_be_bytes());
    k[5..].copy_from_slice(&partition.to_be_bytes());
    k
}

pub(crate) fn topic_meta_key(name: &str) -> Vec<u8> {
    let mut k = b"t/".to_vec();
    k.extend_from_slice(name.as_bytes());
    k
}

/// The part of a key shared by every key of one partition.
#[cfg(test)]
pub(crate) fn partition_prefix(topic_id: u32, partition: u32) -> [u8; 8] {
    let mut k = [0u8; 8];
    k[..4].copy_from_slice(&topic_id.to_be_bytes());
    k[4..].copy_from_slice(&partition.to_be_bytes());
    k
}

/// The first key after every key with this partition's prefix.
pub(crate) fn partition_end(topic_id: u32, partition: u32) -> [u8; 8] {
    let next = (u64::from(topic_id) << 32 | u64::from(partition)).saturating_add(1);
    next.to_be_bytes()
}

/// Low watermark, next offset, largest timestamp so far.
pub(crate) fn encode_partition_meta(low: u64, next: u64, max_ts: i64) -> [u8; 24] {
    let mut v = [0u8; 24];
    v[..8].copy_from_slice(&low.to_be_bytes());
    v[8..16].copy_from_slice(&next.to_be_bytes());
    v[16..].copy_from_slice(&max_ts.to_be_bytes());
    v
}

pub(crate) fn decode_partition_meta(v: &[u8]) -> Option<(u64, u64, i64)> {
    let low = u64::from_be_bytes(v.get(..8)?.try_into().ok()?);
    let next = u64::from_be_bytes(v.get(8..16)?.try_into().ok()?);
    let max_ts = i64::from_be_bytes(v.get(16..24)?.try_into().ok()?);
    Some((low, next, max_ts))
}

const VALUE_FORMAT: u8 = 1;

/// Record value: format version, timestamp, key, headers, then the value bytes.
pub(crate) fn encode_record(
    timestamp_ms: i64,
    key: &[u8],
    headers: &[(String, Vec<u8>)],
    value: &[u8],
) -> Vec<u8> {
    let header_bytes: usize = headers.iter().map(|(n, v)| 6 + n.len() + v.len()).sum();
    let mut out = Vec::with_capacity(15 + key.len() + header_bytes + value.len());
    out.push(VALUE_FORMAT);
    out.extend_from_slice(&timestamp_ms.to_be_bytes());
    out.extend_from_slice(&(key.len() as u32).to_be_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&(headers.len() as u16).to_be_bytes());
    for (name, v) in headers {
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(v.len() as u32).to_be_bytes());
        out.extend_from_slice(v);
    }
    out.extend_from_slice(value);
    out
}

/// Timestamp, key, headers, value.
pub(crate) type DecodedRecord = (i64, Vec<u8>, Vec<(String, Vec<u8>)>, Vec<u8>);

pub(crate) fn decode_record(bytes: &[u8]) -> Result<DecodedRecord, String> {
    let mut cursor = Cursor { bytes, at: 0 };
    let format = cursor.take(1)?[0];
    if format != VALUE_FORMAT {
        return Err(format!("unknown record format {format}"));
    }
    let ts = i64::from_be_bytes(cursor.array()?);
    let key_len = u32::from_be_bytes(cursor.array()?) as usize;
    let key = cursor.take(key_len)?.to_vec();
    let header_count = u16::from_be_bytes(cursor.array()?);
    let mut headers = Vec::with_capacity(header_count as usize);
    for _ in 0..header_count {
        let name_len = u16::from_be_bytes(cursor.array()?) as usize;
        let name = String::from_utf8(cursor.take(name_len)?.to_vec())
            .map_err(|_| "header name is not UTF-8")?;
        let value_len = u32::from_be_bytes(cursor.array()?) as usize;
        headers.push((name, cursor.take(value_len)?.to_vec()));
    }
    Ok((ts, key, headers, bytes[cursor.at..].to_vec()))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or("record value is truncated")?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let slice = self.take(N)?;
        slice
            .try_into()
            .map_err(|_| "record value is truncated".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn record_keys_are_one_to_one_and_ordered(a in any::<(u32, u32, u64)>(), b in any::<(u32, u32, u64)>()) {
            let (ka, kb) = (record_key(a.0, a.1, a.2), record_key(b.0, b.1, b.2));
            prop_assert_eq!(ka == kb, a == b);
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            prop_assert_eq!(offset_of_record_key(&ka), Some(a.2));
        }

        #[test]
        fn time_keys_sort_by_partition_then_time(a in any::<(u32, u32, i64, u64)>(), b in any::<(u32, u32, i64, u64)>()) {
            let (ka, kb) = (time_key(a.0, a.1, a.2, a.3), time_key(b.0, b.1, b.2, b.3));
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            prop_assert_eq!(offset_of_time_key(&ka), Some(a.3));
        }

        #[test]
        fn partition_range_holds_exactly_its_keys(t in any::<u32>(), p in any::<u32>(), o in any::<u64>(), other in any::<(u32, u32)>()) {
            let key = record_key(t, p, o);
            prop_assert!(key[..] >= partition_prefix(t, p)[..]);
            if (t, p) != (u32::MAX, u32::MAX) {
                prop_assert!(key[..] < partition_end(t, p)[..]);
            }
            let foreign = record_key(other.0, other.1, o);
            let inside = foreign[..] >= partition_prefix(t, p)[..] && foreign[..] < partition_end(t, p)[..];
            prop_assert_eq!(inside, other == (t, p));
        }

        #[test]
        fn record_values_round_trip(
            ts in any::<i64>(),
            key in proptest::collection::vec(any::<u8>(), 0..40),
            headers in proptest::collection::vec(("[a-z.]{0,12}", proptest::collection::vec(any::<u8>(), 0..20)), 0..4),
            value in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let encoded = encode_record(ts, &key, &headers, &value);
            let framing = encoded.len() - value.len();
            prop_assert_eq!(decode_record(&encoded).unwrap(), (ts, key, headers, value));
            // Every strict prefix that cuts into the framing is refused, never misread.
            for cut in 0..framing {
                prop_assert!(decode_record(&encoded[..cut]).is_err());
            }
        }
    }
}
