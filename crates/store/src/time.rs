use jiff::Timestamp;

use crate::StoreError;

/// Timestamps are stored as microseconds since the Unix epoch (UTC) in a BIGINT column on
/// both backends, so one SQL text serves both.
pub fn to_micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn from_micros(us: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(us).map_err(|e| StoreError::Corrupt(format!("timestamp {us}: {e}")))
}
