//! Actor events: emitted by the running actor, kept with its call (and reverted with it).

use fvm_ipld_encoding::CBOR;
use fvm_shared::error::ErrorNumber;
use fvm_shared::event::{ActorEvent, Entry, Flags, StampedEvent};
use fvm_shared::IPLD_RAW;

use super::{Ext, Kernel, Store};
use crate::error::{Classify, Result};
use crate::syscall_error;

/// The fixed part of an event entry as ref-fvm 4's `event::emit_event` receives it
/// (`fvm_shared::sys::EventEntry`); its key and value are in separate buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventEntryHeader {
    /// `fvm_shared::event::Flags` bits.
    pub flags: u64,
    /// The value's codec.
    pub codec: u64,
    /// The key's length in the keys buffer.
    pub key_len: u32,
    /// The value's length in the values buffer.
    pub val_len: u32,
}

impl EventEntryHeader {
    /// The size of an encoded header: `repr(C, packed)`, little-endian.
    pub const SIZE: usize = 24;

    fn decode(bytes: &[u8; Self::SIZE]) -> Self {
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        Self {
            flags: u64_at(0),
            codec: u64_at(8),
            key_len: u32_at(16),
            val_len: u32_at(20),
        }
    }
}

/// Encoded entry headers, decoded on demand (a guest can pass far more than are allowed).
#[derive(Debug, Clone, Copy)]
pub struct EventEntryHeaders<'a>(&'a [[u8; EventEntryHeader::SIZE]]);

impl<'a> EventEntryHeaders<'a> {
    /// The headers encoded in `raw`.
    pub fn new(raw: &'a [[u8; EventEntryHeader::SIZE]]) -> Self {
        Self(raw)
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The headers, in order.
    pub fn iter(&self) -> impl Iterator<Item = EventEntryHeader> + 'a {
        self.0.iter().map(EventEntryHeader::decode)
    }
}

impl<B: Store, E: Ext> Kernel<B, E> {
    /// Emits an event given as a CBOR-encoded `ActorEvent` (ref-fvm 3).
    pub fn emit_event_v3(&mut self, raw: &[u8]) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot emit events while read-only"));
        }
        self.cm
            .charge_gas(self.cm.price_list().on_actor_event_validate_v3(raw.len()))?;
        const MAX_ENCODED_SIZE: usize = 1 << 20;
        if raw.len() > MAX_ENCODED_SIZE {
            return Err(syscall_error!(IllegalArgument; "event WAY too large"));
        }
        let event: ActorEvent = std::panic::catch_unwind(|| fvm_ipld_encoding::from_slice(raw))
            .map_err(
                |_| syscall_error!(IllegalArgument; "panic when decoding event cbor from actor"),
            )?
            .or_error(ErrorNumber::IllegalArgument)?;
        validate_event(&event)?;
        let (mut indexed_elements, mut indexed_bytes) = (0u32, 0usize);
        for entry in &event.entries {
            if entry.flags.contains(Flags::FLAG_INDEXED_KEY) {
                indexed_elements += 1;
                indexed_bytes += entry.key.len();
            }
            if entry.flags.contains(Flags::FLAG_INDEXED_VALUE) {
                indexed_elements += 1;
                indexed_bytes += entry.value.len();
            }
        }
        let charge = self.cm.price_list().on_actor_event_accept_v3(
            indexed_elements,
            indexed_bytes,
            raw.len(),
        );
        self.cm.charge_gas(charge)?;
        self.cm
            .append_event(StampedEvent::new(self.actor_id, event));
        Ok(())
    }

    /// Emits an event given as entry headers and concatenated keys and values (ref-fvm 4,
    /// FIP-0072): charged up front by size, then validated (at most 255 entries, keys of at most
    /// 31 bytes of UTF-8, at most 8 KiB of values, raw or CBOR values, buffers used exactly).
    pub fn emit_event_v4(
        &mut self,
        headers: EventEntryHeaders<'_>,
        keys: &[u8],
        values: &[u8],
    ) -> Result<()> {
        const MAX_ENTRIES: usize = 255;
        const MAX_KEY_LEN: u32 = 31;
        const MAX_TOTAL_VALUES_LEN: usize = 8 << 10;
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot emit events while read-only"));
        }
        let charge =
            self.cm
                .price_list()
                .on_actor_event_v4(headers.len(), keys.len(), values.len());
        self.cm.charge_gas(charge)?;
        if headers.len() > MAX_ENTRIES {
            return Err(syscall_error!(LimitExceeded;
                "event exceeded max entries: {} > {MAX_ENTRIES}", headers.len()));
        }
        if values.len() > MAX_TOTAL_VALUES_LEN {
            return Err(syscall_error!(LimitExceeded;
                "total event value lengths exceeded the max size: {} > {MAX_TOTAL_VALUES_LEN}",
                values.len()));
        }
        let keys = std::str::from_utf8(keys).or_illegal_argument()?;
        let (mut key_offset, mut val_offset) = (0usize, 0usize);
        let mut entries = Vec::with_capacity(headers.len());
        for header in headers.iter() {
            let flags = Flags::from_bits(header.flags).ok_or_else(
                || syscall_error!(IllegalArgument; "event flags are invalid: {}", header.flags),
            )?;
            if header.key_len > MAX_KEY_LEN {
                return Err(syscall_error!(LimitExceeded;
                    "event key exceeded max size: {} > {MAX_KEY_LEN}", header.key_len));
            }
            if header.val_len as usize > MAX_TOTAL_VALUES_LEN {
                return Err(syscall_error!(IllegalArgument; "event entry value out of range"));
            }
            let key_end = key_offset + header.key_len as usize;
            let key = keys
                .get(key_offset..key_end)
                .ok_or_else(|| syscall_error!(IllegalArgument; "event entry key out of range"))?;
            let val_end = val_offset + header.val_len as usize;
            let value = values
                .get(val_offset..val_end)
                .ok_or_else(|| syscall_error!(IllegalArgument; "event entry value out of range"))?;
            if header.codec != IPLD_RAW && header.codec != CBOR {
                return Err(syscall_error!(IllegalCodec;
                    "event codec must be IPLD_RAW or CBOR, was: {}", header.codec));
            }
            entries.push(Entry {
                flags,
                key: key.to_owned(),
                codec: header.codec,
                value: value.to_vec(),
            });
            (key_offset, val_offset) = (key_end, val_end);
        }
        if key_offset != keys.len() {
            return Err(syscall_error!(IllegalArgument;
                "event key buffer length is too large: {key_offset} < {}", keys.len()));
        }
        if val_offset != values.len() {
            return Err(syscall_error!(IllegalArgument;
                "event value buffer length is too large: {val_offset} < {}", values.len()));
        }
        self.cm
            .append_event(StampedEvent::new(self.actor_id, ActorEvent::from(entries)));
        Ok(())
    }
}

/// ref-fvm's event limits: at most 256 entries, keys of at most 32 bytes, raw values only, at
/// most 8 KiB of values.
fn validate_event(event: &ActorEvent) -> Result<()> {
    const MAX_ENTRIES: usize = 256;
    const MAX_DATA: usize = 8 << 10;
    const MAX_KEY_LEN: usize = 32;
    if event.entries.len() > MAX_ENTRIES {
        return Err(syscall_error!(IllegalArgument;
            "event exceeded max entries: {} > {MAX_ENTRIES}", event.entries.len()));
    }
    let mut total = 0usize;
    for entry in &event.entries {
        if entry.key.len() > MAX_KEY_LEN {
            return Err(syscall_error!(IllegalArgument;
                "event key exceeded max size: {} > {MAX_KEY_LEN}", entry.key.len()));
        }
        if entry.codec != IPLD_RAW {
            return Err(
                syscall_error!(IllegalCodec; "event codec must be IPLD_RAW, was: {}", entry.codec),
            );
        }
        total += entry.value.len();
    }
    if total > MAX_DATA {
        return Err(syscall_error!(IllegalArgument;
            "event total values exceeded max size: {total} > {MAX_DATA}"));
    }
    Ok(())
}
