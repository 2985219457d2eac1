//! Finding the links of an IPLD block, as ref-fvm 4's kernel does when an actor opens or creates
//! a block: DAG-CBOR is scanned (inline, identity-hashed CIDs recursively), each CBOR field and
//! each CID found priced (`ipld_cbor_scan_per_field`, `ipld_cbor_scan_per_cid`), and the total
//! charged as `OnScanIpldLinks`, even when the scan fails.

use cid::Cid;
use fvm_ipld_encoding::{CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::commcid::{FIL_COMMITMENT_SEALED, FIL_COMMITMENT_UNSEALED};
use fvm_shared::IDENTITY_HASH;
use ifvm_gas::{Gas, GasTracker, PriceList};

use crate::blocks::ALLOWED_CODECS;
use crate::error::{ExecutionError, Result};
use crate::syscall_error;

const BLAKE2B_256: u64 = 0xb220;
const CBOR_TAG_CID: u64 = 42;

/// The links of the `codec` block `data`, charging the scan to `gas`. Errors: `IllegalCodec`
/// for a codec other than raw, CBOR or DAG-CBOR; `Serialization` for malformed DAG-CBOR;
/// `NotFound` for a link to a CID no block can have (forbidden codec or multihash); out of gas.
pub(crate) fn scan_links(
    codec: u64,
    data: &[u8],
    prices: &PriceList,
    gas: &mut GasTracker,
) -> Result<Vec<Cid>> {
    let mut visitor = Visitor {
        prices,
        remaining: gas.available(),
        available: gas.available(),
        links: Vec::new(),
    };
    let res = visitor.scan(codec, data);
    gas.charge_gas("OnScanIpldLinks", visitor.available - visitor.remaining)
        .map_err(|_| ExecutionError::OutOfGas)?;
    res.map(|()| visitor.links)
}

/// Collects links while counting the gas of the scan.
struct Visitor<'a> {
    prices: &'a PriceList,
    available: Gas,
    remaining: Gas,
    links: Vec<Cid>,
}

impl Visitor<'_> {
    fn charge(&mut self, gas: Gas) -> Result<()> {
        if self.remaining < gas {
            self.remaining = Gas::ZERO;
            return Err(ExecutionError::OutOfGas);
        }
        self.remaining -= gas;
        Ok(())
    }

    fn scan(&mut self, codec: u64, data: &[u8]) -> Result<()> {
        match codec {
            DAG_CBOR => self.scan_dag_cbor(data),
            IPLD_RAW | CBOR => Ok(()),
            codec => Err(syscall_error!(IllegalCodec; "codec {codec} not allowed")),
        }
    }

    /// Ignores sector commitments, recurses into inline CIDs, rejects CIDs no block can have,
    /// and records the rest.
    fn visit(&mut self, cid: Cid) -> Result<()> {
        let codec = cid.codec();
        if codec == FIL_COMMITMENT_UNSEALED || codec == FIL_COMMITMENT_SEALED {
            return Ok(());
        }
        if !ALLOWED_CODECS.contains(&codec) {
            return Err(
                syscall_error!(NotFound; "block links to CID with forbidden codec {codec}"),
            );
        }
        let hash = cid.hash();
        if hash.code() == IDENTITY_HASH {
            return self.scan(codec, hash.digest());
        }
        if hash.code() != BLAKE2B_256 || hash.size() != 32 {
            return Err(syscall_error!(NotFound;
                "block links to CID with forbidden multihash type (code: {}, len: {})",
                hash.code(), hash.size()));
        }
        self.links.push(cid);
        Ok(())
    }

    fn scan_dag_cbor(&mut self, mut buf: &[u8]) -> Result<()> {
        let per_field = self.prices.on_ipld_scan_v4(1, 0);
        let per_cid = self.prices.on_ipld_scan_v4(0, 1);
        let mut remaining: u64 = 1;
        while remaining > 0 {
            remaining -= 1;
            self.charge(per_field)?;
            let (major, extra) = read_header(&mut buf)?;
            match major {
                0 | 1 | 7 => {}
                2 | 3 => buf = skip(buf, extra)?,
                6 if extra != CBOR_TAG_CID => remaining += 1,
                6 => {
                    self.charge(per_cid)?;
                    let cid = read_cid(&mut buf)?;
                    self.visit(cid)?;
                }
                4 => {
                    remaining = remaining
                        .checked_add(extra)
                        .ok_or_else(|| syscall_error!(Serialization; "cbor field count overflow"))?
                }
                5 => {
                    remaining = extra
                        .checked_mul(2)
                        .and_then(|n| n.checked_add(remaining))
                        .ok_or_else(|| syscall_error!(Serialization; "cbor field count overflow"))?
                }
                _ => unreachable!("a CBOR major type has three bits"),
            }
        }
        if !buf.is_empty() {
            return Err(
                syscall_error!(Serialization; "{} trailing bytes in CBOR block", buf.len()),
            );
        }
        Ok(())
    }
}

/// Skips `len` bytes of `buf`.
fn skip(buf: &[u8], len: u64) -> Result<&[u8]> {
    usize::try_from(len)
        .ok()
        .and_then(|len| buf.get(len..))
        .ok_or_else(|| syscall_error!(Serialization; "unexpected end of cbor stream"))
}

/// Reads a tag-42 CID: a byte string of a 0x00 prefix and exactly one CID.
fn read_cid(buf: &mut &[u8]) -> Result<Cid> {
    let (major, len) = read_header(buf)?;
    if major != 2 {
        return Err(syscall_error!(Serialization; "expected cbor type byte string in input"));
    }
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len <= buf.len())
        .ok_or_else(|| syscall_error!(Serialization; "unexpected end of cbor stream"))?;
    if len < 1 || buf.first() != Some(&0) {
        return Err(syscall_error!(Serialization; "DagCBOR CID does not start with a 0x byte"));
    }
    let (mut cid_bytes, rest) = buf[1..].split_at(len - 1);
    *buf = rest;
    let cid = Cid::read_bytes(&mut cid_bytes)
        .map_err(|e| syscall_error!(Serialization; "invalid cid: {e}"))?;
    if !cid_bytes.is_empty() {
        return Err(syscall_error!(Serialization; "cid has {} trailing bytes", cid_bytes.len()));
    }
    Ok(cid)
}

/// Reads a CBOR header: major type and argument.
fn read_header(buf: &mut &[u8]) -> Result<(u8, u64)> {
    let invalid = || syscall_error!(Serialization; "invalid cbor header");
    let (&first, rest) = buf.split_first().ok_or_else(invalid)?;
    *buf = rest;
    let mut take = |n: usize| -> Result<u64> {
        let (bytes, rest) = buf.split_at_checked(n).ok_or_else(invalid)?;
        *buf = rest;
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    };
    let low = first & 0x1f;
    let value = match low {
        0..=23 => u64::from(low),
        24 => take(1)?,
        25 => take(2)?,
        26 => take(4)?,
        27 => take(8)?,
        _ => return Err(invalid()),
    };
    Ok((first >> 5, value))
}

#[cfg(test)]
mod tests {
    use fvm_shared::error::ErrorNumber;
    use multihash_codetable::{Code, Multihash, MultihashDigest};

    use super::*;

    fn prices() -> &'static PriceList {
        ifvm_gas::price_list_for(21).unwrap()
    }

    fn scan(codec: u64, data: &[u8]) -> (Result<Vec<Cid>>, Gas) {
        let mut gas = GasTracker::new(Gas::new(1_000_000), Gas::ZERO, false);
        let res = scan_links(codec, data, prices(), &mut gas);
        (res, gas.used())
    }

    fn errno(r: Result<Vec<Cid>>) -> ErrorNumber {
        match r {
            Err(ExecutionError::Syscall(e)) => e.number,
            other => panic!("expected a syscall error, got {other:?}"),
        }
    }

    fn raw_cid(data: &[u8]) -> Cid {
        Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(data))
    }

    #[test]
    fn finds_links_and_charges_fields_and_cids() {
        let link = raw_cid(b"foobar");
        let data = fvm_ipld_encoding::to_vec(&(0u64, link, 1u64)).unwrap();
        let (links, gas) = scan(DAG_CBOR, &data);
        assert_eq!(links.unwrap(), vec![link]);
        assert_eq!(gas, prices().on_ipld_scan_v4(4, 1));
        let (links, gas) = scan(CBOR, &data);
        assert!(links.unwrap().is_empty());
        assert_eq!(gas, Gas::ZERO);
    }

    #[test]
    fn inline_cids_are_scanned_not_returned() {
        let link = raw_cid(b"foobar");
        let inline = fvm_ipld_encoding::to_vec(&(0u64, link, 1u64)).unwrap();
        let inline = Cid::new_v1(DAG_CBOR, Multihash::wrap(IDENTITY_HASH, &inline).unwrap());
        let data = fvm_ipld_encoding::to_vec(&(0u64, inline, 1u64)).unwrap();
        let (links, gas) = scan(DAG_CBOR, &data);
        assert_eq!(links.unwrap(), vec![link]);
        assert_eq!(gas, prices().on_ipld_scan_v4(8, 2));
    }

    #[test]
    fn bad_input_is_an_error() {
        let (r, _) = scan(0x71, &[0x5b]);
        assert_eq!(errno(r), ErrorNumber::Serialization);
        let (r, _) = scan(DAG_CBOR, &[0x01, 0x02]);
        assert_eq!(errno(r), ErrorNumber::Serialization, "trailing bytes");
        let (r, _) = scan(
            DAG_CBOR,
            &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        );
        assert!(r.is_err());
        let (r, _) = scan(0x55 + 1, &[]);
        assert_eq!(errno(r), ErrorNumber::IllegalCodec);
        let sha = Cid::new_v1(IPLD_RAW, Code::Sha2_256.digest(b"x"));
        let (r, _) = scan(DAG_CBOR, &fvm_ipld_encoding::to_vec(&sha).unwrap());
        assert_eq!(errno(r), ErrorNumber::NotFound);
    }

    #[test]
    fn running_out_of_gas_charges_everything() {
        let data = fvm_ipld_encoding::to_vec(&vec![0u8; 64]).unwrap();
        let mut gas = GasTracker::new(prices().on_ipld_scan_v4(10, 0), Gas::ZERO, false);
        let r = scan_links(DAG_CBOR, &data, prices(), &mut gas);
        assert!(matches!(r, Err(ExecutionError::OutOfGas)));
        assert!(gas.available().is_zero());
    }
}
