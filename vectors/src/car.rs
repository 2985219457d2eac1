//! CARv1 files as test vectors carry them (gzip-compressed): writing one deterministically, and
//! reading its header.

use std::io::{Read, Write};

use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec};
use serde::{Deserialize, Serialize};

/// The header of a CARv1: its roots and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarHeader {
    /// The root CIDs.
    pub roots: Vec<Cid>,
    /// The CAR version (1).
    pub version: u64,
}

/// A CAR cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarError {
    /// The bytes are not gzip.
    #[error("not gzip: {0}")]
    Gzip(String),
    /// The header's length prefix is missing or too long.
    #[error("bad header length")]
    HeaderLength,
    /// The header is shorter than its length says.
    #[error("truncated header")]
    Truncated,
    /// The header is not a CARv1 header.
    #[error("bad header: {0}")]
    Header(String),
}

/// A gzip-compressed CARv1 of `blocks` rooted at `roots`, the blocks sorted by CID (duplicates
/// written once), so that the same blocks always give the same bytes.
pub fn car_gz(roots: &[Cid], blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    let mut car = Vec::new();
    let header = to_vec(&CarHeader {
        roots: roots.to_vec(),
        version: 1,
    })
    .expect("CAR header serializes");
    put_varint(&mut car, header.len());
    car.extend_from_slice(&header);
    let mut sorted: Vec<_> = blocks.iter().collect();
    sorted.sort_by_key(|(cid, _)| *cid);
    sorted.dedup_by_key(|(cid, _)| *cid);
    for (cid, data) in sorted {
        let cid = cid.to_bytes();
        put_varint(&mut car, cid.len() + data.len());
        car.extend_from_slice(&cid);
        car.extend_from_slice(data);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&car).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// The uncompressed bytes of a gzip-compressed CAR.
pub fn gunzip(car_gz: &[u8]) -> Result<Vec<u8>, CarError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(car_gz)
        .read_to_end(&mut out)
        .map_err(|e| CarError::Gzip(e.to_string()))?;
    Ok(out)
}

/// The header of the uncompressed CAR `car`.
pub fn header(car: &[u8]) -> Result<CarHeader, CarError> {
    let (len, rest) = take_varint(car).ok_or(CarError::HeaderLength)?;
    let header = rest.get(..len).ok_or(CarError::Truncated)?;
    from_slice(header).map_err(|e| CarError::Header(e.to_string()))
}

fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// An unsigned LEB128 varint of at most 9 bytes, and what follows it.
fn take_varint(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let mut n = 0usize;
    for (i, b) in bytes.iter().enumerate().take(9) {
        n |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use multihash_codetable::{Code, MultihashDigest};

    use super::*;

    #[test]
    fn a_written_car_reads_back_its_roots() {
        let block = |data: &[u8]| {
            let cid = Cid::new_v1(fvm_ipld_encoding::IPLD_RAW, Code::Blake2b256.digest(data));
            (cid, data.to_vec())
        };
        let (a, b) = (block(b"a"), block(&[7; 300]));
        let car = gunzip(&car_gz(&[a.0, b.0], &[b.clone(), a.clone(), b.clone()])).unwrap();
        assert_eq!(header(&car).unwrap().roots, vec![a.0, b.0]);
        let again = gunzip(&car_gz(&[a.0, b.0], &[a, b])).unwrap();
        assert_eq!(
            car, again,
            "block order and duplicates do not change the bytes"
        );
    }

    #[test]
    fn broken_headers_are_errors() {
        assert_eq!(header(&[]), Err(CarError::HeaderLength));
        assert_eq!(header(&[0x80; 12]), Err(CarError::HeaderLength));
        assert_eq!(header(&[10, 1, 2]), Err(CarError::Truncated));
        assert!(matches!(header(&[1, 0xff]), Err(CarError::Header(_))));
        assert!(matches!(gunzip(b"not gzip"), Err(CarError::Gzip(_))));
    }
}
