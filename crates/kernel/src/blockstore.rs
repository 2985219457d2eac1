//! A write-buffering blockstore: writes stay in memory until flushed, and a flush writes only
//! the blocks reachable from the new state root (as ref-fvm's `BufferedBlockstore` does).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use cid::Cid;
use fvm_ipld_blockstore::{Blockstore, Buffered};
use fvm_ipld_encoding::{CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::commcid::{FIL_COMMITMENT_SEALED, FIL_COMMITMENT_UNSEALED};

/// A flush failed: a reachable block has a codec or hash the state may not contain, or its
/// encoding is corrupt.
#[derive(Debug, thiserror::Error)]
pub enum FlushError {
    /// A CID with a codec other than raw, CBOR, DAG-CBOR or a commitment.
    #[error("cid {0} has unexpected codec")]
    Codec(Cid),
    /// A CID hashed with something other than 32-byte Blake2b or identity.
    #[error("cid {0} has unexpected multihash")]
    Multihash(Cid),
    /// A DAG-CBOR block that cannot be scanned for links.
    #[error("invalid dag-cbor in {cid}: {reason}")]
    Cbor {
        /// The block.
        cid: Cid,
        /// Why.
        reason: &'static str,
    },
}

/// A buffered block: its CID and its bytes, shared with whoever holds them.
type SharedBlock = (Cid, Arc<[u8]>);

/// Buffers writes over a base blockstore. Buffered blocks are shared (`Arc`), so the kernel
/// lends them to actors and takes them from actors without copying (`get_shared`,
/// `put_shared`).
#[derive(Debug)]
pub struct BufferedBlockstore<B> {
    base: B,
    write: RefCell<HashMap<Cid, Arc<[u8]>>>,
}

impl<B: Blockstore> BufferedBlockstore<B> {
    /// A buffer over `base`.
    pub fn new(base: B) -> Self {
        Self {
            base,
            write: RefCell::default(),
        }
    }

    /// The base store (unflushed writes are dropped).
    pub fn into_inner(self) -> B {
        self.base
    }

    /// The base store.
    pub fn base(&self) -> &B {
        &self.base
    }

    /// Block `k`, shared with the buffer when it is buffered (no copy); read from the base
    /// store otherwise.
    pub fn get_shared(&self, k: &Cid) -> anyhow::Result<Option<Arc<[u8]>>> {
        if let Some(data) = self.write.borrow().get(k) {
            return Ok(Some(Arc::clone(data)));
        }
        Ok(self.base.get(k)?.map(Arc::from))
    }

    /// Buffers `data` as block `k` without copying it (as `put_keyed` does with a copy).
    pub fn put_shared(&self, k: Cid, data: Arc<[u8]>) {
        self.write.borrow_mut().insert(k, data);
    }

    /// Writes the buffered blocks reachable from `root` to the base store, removing them from
    /// the buffer. If the base store fails, the blocks stay buffered, so a later flush writes
    /// them all.
    pub fn flush_reachable(&self, root: &Cid) -> anyhow::Result<()> {
        let blocks = take_reachable(&mut self.write.borrow_mut(), root)?;
        self.put_or_keep(blocks)
    }

    /// Writes every buffered block to the base store, reachable or not (in CID order),
    /// emptying the buffer. If the base store fails, the blocks stay buffered.
    pub fn flush_all(&self) -> anyhow::Result<()> {
        let mut blocks: Vec<SharedBlock> = self.write.borrow_mut().drain().collect();
        blocks.sort_unstable_by_key(|(cid, _)| *cid);
        self.put_or_keep(blocks)
    }

    /// Writes `blocks` to the base store; if it fails, puts them back into the buffer.
    fn put_or_keep(&self, blocks: Vec<SharedBlock>) -> anyhow::Result<()> {
        let written = self
            .base
            .put_many_keyed(blocks.iter().map(|(k, v)| (*k, &v[..])));
        if written.is_err() {
            self.write.borrow_mut().extend(blocks);
        }
        written
    }
}

impl<B: Blockstore> Buffered for BufferedBlockstore<B> {
    fn flush(&self, root: &Cid) -> anyhow::Result<()> {
        self.flush_reachable(root)
    }
}

impl<B: Blockstore> Blockstore for BufferedBlockstore<B> {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(data) = self.write.borrow().get(k) {
            return Ok(Some(data.to_vec()));
        }
        self.base.get(k)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.write.borrow_mut().insert(*k, Arc::from(block));
        Ok(())
    }

    fn has(&self, k: &Cid) -> anyhow::Result<bool> {
        Ok(self.write.borrow().contains_key(k) || self.base.has(k)?)
    }
}

const BLAKE2B_256: u64 = 0xb220;
const IDENTITY: u64 = 0;

/// Removes and returns the buffered blocks reachable from `root`. Blocks not in the buffer
/// (already in the base store) are not traversed.
fn take_reachable(
    buffer: &mut HashMap<Cid, Arc<[u8]>>,
    root: &Cid,
) -> Result<Vec<SharedBlock>, FlushError> {
    let mut stack = vec![*root];
    let mut out = Vec::new();
    while let Some(k) = stack.pop() {
        match k.codec() {
            FIL_COMMITMENT_UNSEALED | FIL_COMMITMENT_SEALED => continue,
            IPLD_RAW | DAG_CBOR | CBOR => {}
            _ => return Err(FlushError::Codec(k)),
        }
        match (k.hash().code(), k.hash().size()) {
            (BLAKE2B_256, 32) | (IDENTITY, _) => {}
            _ => return Err(FlushError::Multihash(k)),
        }
        if k.hash().code() == IDENTITY {
            if k.codec() == DAG_CBOR {
                scan_for_links(&k, k.hash().digest(), &mut stack)?;
            }
            continue;
        }
        let Some(block) = buffer.remove(&k) else {
            continue;
        };
        if k.codec() == DAG_CBOR {
            scan_for_links(&k, &block, &mut stack)?;
        }
        out.push((k, block));
    }
    Ok(out)
}

/// Reads a CBOR major type and argument.
fn read_header(buf: &mut &[u8]) -> Option<(u8, u64)> {
    let (&first, rest) = buf.split_first()?;
    *buf = rest;
    let major = first >> 5;
    let low = first & 0x1f;
    let mut take = |n: usize| -> Option<u64> {
        let (bytes, rest) = buf.split_at_checked(n)?;
        *buf = rest;
        Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    };
    let value = match low {
        0..=23 => u64::from(low),
        24 => take(1)?,
        25 => take(2)?,
        26 => take(4)?,
        27 => take(8)?,
        _ => return None,
    };
    Some((major, value))
}

/// Pushes every CID (tag 42) in the DAG-CBOR item `buf` onto `out`.
fn scan_for_links(cid: &Cid, mut buf: &[u8], out: &mut Vec<Cid>) -> Result<(), FlushError> {
    let err = |reason| FlushError::Cbor { cid: *cid, reason };
    let mut remaining: u64 = 1;
    while remaining > 0 {
        let (major, extra) = read_header(&mut buf).ok_or(err("invalid header"))?;
        match major {
            0 | 1 | 7 => {}
            2 | 3 => {
                let len = usize::try_from(extra).map_err(|_| err("length overflow"))?;
                buf = buf.get(len..).ok_or(err("unexpected end of cbor stream"))?;
            }
            6 if extra == 42 => {
                let (major, len) = read_header(&mut buf).ok_or(err("invalid header"))?;
                if major != 2 {
                    return Err(err("expected cbor type byte string in input"));
                }
                let len = usize::try_from(len).map_err(|_| err("length overflow"))?;
                let (bytes, rest) = buf
                    .split_at_checked(len)
                    .ok_or(err("unexpected end of cbor stream"))?;
                buf = rest;
                match bytes.split_first() {
                    Some((0, cid_bytes)) => {
                        out.push(Cid::try_from(cid_bytes).map_err(|_| err("invalid cid"))?)
                    }
                    _ => return Err(err("DagCBOR CID does not start with a 0x byte")),
                }
            }
            6 => remaining += 1,
            4 => remaining = remaining.checked_add(extra).ok_or(err("length overflow"))?,
            5 => {
                let items = extra.checked_mul(2).ok_or(err("length overflow"))?;
                remaining = remaining.checked_add(items).ok_or(err("length overflow"))?;
            }
            _ => unreachable!("a major type has three bits"),
        }
        remaining -= 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_ipld_encoding::CborStore;
    use multihash_codetable::Code;

    use super::*;

    #[test]
    fn flush_writes_only_reachable_blocks() {
        let buf = BufferedBlockstore::new(MemoryBlockstore::new());
        let leaf = buf.put_cbor(&"leaf", Code::Blake2b256).unwrap();
        let orphan = buf.put_cbor(&"orphan", Code::Blake2b256).unwrap();
        let root = buf.put_cbor(&(leaf, 7u8), Code::Blake2b256).unwrap();
        buf.flush_reachable(&root).unwrap();
        assert!(buf.base().has(&root).unwrap());
        assert!(buf.base().has(&leaf).unwrap());
        assert!(!buf.base().has(&orphan).unwrap());
        assert!(buf.has(&orphan).unwrap());
        buf.flush_all().unwrap();
        assert!(
            buf.base().has(&orphan).unwrap(),
            "flush_all writes the rest"
        );
    }

    /// A store that refuses every write while `refusing` is set.
    #[derive(Default)]
    struct Refusing {
        blocks: MemoryBlockstore,
        refusing: std::cell::Cell<bool>,
    }

    impl Blockstore for Refusing {
        fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
            self.blocks.get(k)
        }

        fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
            anyhow::ensure!(!self.refusing.get(), "refused");
            self.blocks.put_keyed(k, block)
        }
    }

    /// Regression: a flush whose writes failed lost the blocks it had taken from the buffer, so
    /// flushing again returned a root whose blocks were nowhere.
    #[test]
    fn a_failed_flush_keeps_its_blocks_for_the_next() {
        for all in [false, true] {
            let buf = BufferedBlockstore::new(Refusing::default());
            let leaf = buf.put_cbor(&"leaf", Code::Blake2b256).unwrap();
            let root = buf.put_cbor(&(leaf, 7u8), Code::Blake2b256).unwrap();
            buf.base().refusing.set(true);
            let flush = |buf: &BufferedBlockstore<Refusing>| {
                if all {
                    buf.flush_all()
                } else {
                    buf.flush_reachable(&root)
                }
            };
            assert!(flush(&buf).is_err());
            buf.base().refusing.set(false);
            flush(&buf).unwrap();
            assert!(buf.base().has(&root).unwrap() && buf.base().has(&leaf).unwrap());
        }
    }

    #[test]
    fn corrupt_cbor_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        let cid = Cid::default();
        for bad in [
            &[0x5b][..],
            &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0xd8, 0x2a, 0x41, 0x01],
            &[0x42, 0x01],
        ] {
            assert!(scan_for_links(&cid, bad, &mut out).is_err(), "{bad:?}");
        }
    }
}
