//! Broken builtin-actors bundles outside the chain (issue 17, item 5): a CAR cut at every byte
//! (inside the header, inside a block's length, inside a block's bytes, at a block boundary), a
//! CAR with any one bit flipped, and manifests that lack a required actor, repeat a name, carry
//! names the VM does not know, or have an unknown version. Each must load, or fail with a typed
//! [`BundleError`] / [`ManifestError`] saying what is wrong — never panic. The bundles are
//! synthetic (a few small blocks), so every cut and every flip is tried.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cid::Cid;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_car::CarHeader;
use fvm_ipld_encoding::{to_vec, DAG_CBOR, IPLD_RAW};
use ifvm_actors::bundle::{load_car, BundleError};
use ifvm_actors::{BuiltinActor, Manifest, ManifestError};
use multihash_codetable::{Code, MultihashDigest};

/// A bundle as a CAR, with where each of its parts lies.
struct Car {
    bytes: Vec<u8>,
    /// The header's length prefix and bytes.
    header: Range<usize>,
    /// Each block (root, manifest, then code in manifest order): its CID, where its length
    /// prefix lies, and where its CID and data lie.
    blocks: Vec<(Cid, Range<usize>, Range<usize>)>,
}

fn cid_of(codec: u64, data: &[u8]) -> Cid {
    Cid::new_v1(codec, Code::Blake2b256.digest(data))
}

/// Appends `n` as an unsigned LEB128 varint (a CAR section's length prefix).
fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A CARv1 whose root is the bundle root `[version, manifest]` over `entries`, each named actor
/// having 200 bytes of code (so every length prefix past the header's takes two bytes).
fn bundle(version: u32, entries: &[&str]) -> Car {
    let codes: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|name| (name.to_string(), name.bytes().cycle().take(200).collect()))
        .collect();
    let manifest: Vec<(String, Cid)> = codes
        .iter()
        .map(|(name, code)| (name.clone(), cid_of(IPLD_RAW, code)))
        .collect();
    let manifest = to_vec(&manifest).expect("a manifest encodes");
    let manifest_cid = cid_of(DAG_CBOR, &manifest);
    let root = to_vec(&(version, manifest_cid)).expect("a root encodes");
    let root_cid = cid_of(DAG_CBOR, &root);
    let mut blocks = vec![(root_cid, root), (manifest_cid, manifest)];
    blocks.extend(codes.into_iter().map(|(_, c)| (cid_of(IPLD_RAW, &c), c)));

    let mut bytes = Vec::new();
    let header = to_vec(&CarHeader::new(vec![root_cid], 1)).expect("a header encodes");
    put_varint(&mut bytes, header.len());
    bytes.extend_from_slice(&header);
    let header = 0..bytes.len();
    let blocks = blocks
        .into_iter()
        .map(|(cid, data)| {
            let section = [cid.to_bytes(), data].concat();
            let start = bytes.len();
            put_varint(&mut bytes, section.len());
            let body = bytes.len();
            bytes.extend_from_slice(&section);
            (cid, start..body, body..bytes.len())
        })
        .collect();
    Car {
        bytes,
        header,
        blocks,
    }
}

const ACTORS: [&str; 5] = ["system", "init", "cron", "account", "multisig"];

/// Loads `car` into a fresh store; a panic fails the test with `what`.
fn load(car: &[u8], what: &str) -> Result<Cid, BundleError> {
    catch_unwind(AssertUnwindSafe(|| load_car(&MemoryBlockstore::new(), car)))
        .unwrap_or_else(|_| panic!("loading {what} panicked"))
}

#[test]
fn a_whole_bundle_loads() {
    let car = bundle(1, &ACTORS);
    let store = MemoryBlockstore::new();
    let root = load_car(&store, car.bytes.as_slice()).expect("a whole bundle loads");
    assert_eq!(root, car.blocks[0].0);
    let manifest = Manifest::load_bundle_root(&store, &root).expect("its manifest loads");
    assert_eq!(manifest.entries().len(), ACTORS.len());
    assert_eq!(manifest.type_of(manifest.code(BuiltinActor::Account)), 4);
}

/// A CAR cut anywhere fails: inside the header or a block's bytes as a malformed CAR; at a block
/// boundary or inside a block's length prefix (which the CAR format reads as a clean end) as a
/// bundle that lacks the first block cut off — its manifest, or an actor's code.
#[test]
fn a_car_cut_at_any_byte_is_a_typed_error() {
    let car = bundle(1, &ACTORS);
    // Cuts inside the header, inside a length prefix, inside a block's bytes.
    let mut cuts = [0usize; 3];
    for cut in 0..car.bytes.len() {
        let err = load(&car.bytes[..cut], &format!("a CAR cut at byte {cut}"))
            .expect_err("a cut CAR does not load");
        let lost = car
            .blocks
            .iter()
            .position(|(_, _, body)| body.end > cut)
            .expect("the cut is inside the CAR");
        let (cid, prefix, body) = &car.blocks[lost];
        if cut < car.header.end {
            cuts[0] += 1;
        } else if cut > prefix.start && cut < body.start {
            cuts[1] += 1;
        } else if cut >= body.start {
            cuts[2] += 1;
        }
        let clean_end = cut >= prefix.start && cut < body.start;
        match (clean_end, &err, lost) {
            (false, BundleError::Car(_), _) => {}
            // The root or the manifest lost: the manifest cannot be read.
            (true, BundleError::Manifest(ManifestError::NotFound(missing)), 0 | 1)
                if missing == cid => {}
            (true, BundleError::MissingCode { code, name }, 2..) if code == cid => {
                assert_eq!(name, ACTORS[lost - 2]);
            }
            _ => panic!("cut at byte {cut} (block {lost}): unexpected {err:?}"),
        }
    }
    assert!(
        cuts.iter().all(|&n| n > 0),
        "cuts in the header, length prefixes and block bytes: {cuts:?}"
    );
}

/// Every single-bit flip anywhere in the CAR is caught: in a block's bytes the data no longer
/// hashes to its CID (the loader checks every block), elsewhere the CAR or the bundle no longer
/// parses or is incomplete. The one exception reads the same bundle: the CBOR decoder of the
/// CAR header (serde_ipld_dagcbor) takes the header map's initial byte with its major type
/// flipped for the same map, so nothing corrupted is ever accepted.
#[test]
fn a_car_with_any_bit_flipped_is_a_typed_error() {
    let car = bundle(1, &ACTORS);
    let mut same_bundle = Vec::new();
    for at in 0..car.bytes.len() {
        for bit in (0..8).map(|b| 1u8 << b) {
            let mut bytes = car.bytes.clone();
            bytes[at] ^= bit;
            let what = format!("a CAR with byte {at} ^ {bit:#x}");
            let store = MemoryBlockstore::new();
            let loaded = catch_unwind(AssertUnwindSafe(|| load_car(&store, bytes.as_slice())))
                .unwrap_or_else(|_| panic!("loading {what} panicked"));
            let err = match loaded {
                Err(err) => err,
                Ok(root) => {
                    assert_eq!(root, car.blocks[0].0, "{what}: another root");
                    for (cid, _, body) in &car.blocks {
                        let data = &car.bytes[body.start + cid.to_bytes().len()..body.end];
                        let stored = store.get(cid).expect("a memory store reads");
                        assert_eq!(stored.as_deref(), Some(data), "{what}: block {cid}");
                    }
                    same_bundle.push(at);
                    continue;
                }
            };
            let in_data = car.blocks.iter().any(|(cid, _, body)| {
                body.contains(&at) && at >= body.start + cid.to_bytes().len()
            });
            if in_data {
                assert!(
                    matches!(&err, BundleError::Car(fvm_ipld_car::Error::InvalidFile(m)) if m.contains("incorrect CID")),
                    "{what} (block data): {err:?}"
                );
            }
        }
    }
    assert!(
        same_bundle.iter().all(|&at| at < car.header.end),
        "only header flips may read the same bundle: {same_bundle:?}"
    );
}

#[test]
fn a_manifest_without_a_required_actor_is_refused() {
    for missing in ["system", "init", "account"] {
        let actors: Vec<&str> = ACTORS.into_iter().filter(|a| *a != missing).collect();
        let err = load(&bundle(1, &actors).bytes, missing).expect_err("refused");
        assert!(
            matches!(err, BundleError::Manifest(ManifestError::Missing(name)) if name == missing),
            "without {missing}: {err:?}"
        );
    }
}

#[test]
fn a_manifest_of_another_version_is_refused() {
    let err = load(&bundle(2, &ACTORS).bytes, "a version 2 manifest").expect_err("refused");
    assert!(
        matches!(err, BundleError::Manifest(ManifestError::Version(2))),
        "{err:?}"
    );
}

/// A root or manifest block that is not what its place requires is a typed load error naming
/// the block.
#[test]
fn an_undecodable_manifest_is_a_typed_error() {
    let store = MemoryBlockstore::new();
    let not_a_root = to_vec(&"not a root").expect("encodes");
    let cid = cid_of(DAG_CBOR, &not_a_root);
    store.put_keyed(&cid, &not_a_root).expect("stored");
    for err in [
        Manifest::load_bundle_root(&store, &cid).expect_err("not a root"),
        Manifest::load(&store, &cid).expect_err("not a manifest"),
    ] {
        assert!(
            matches!(&err, ManifestError::Load { cid: c, .. } if *c == cid),
            "{err:?}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "carries its cause"
        );
    }
}

/// Regression: where a name appears twice, the last entry counts, as ref-fvm's manifest (a map
/// filled in order) has it; ifvm took the first. Names the VM does not know are kept, and type
/// IDs stay positions; a bundle before actors v10 has no Ethereum actors, which `require`
/// reports.
#[test]
fn duplicate_names_take_the_last_entry_and_unknown_names_are_kept() {
    let code = |n: u8| cid_of(IPLD_RAW, &[n]);
    let entries = [
        ("system", 1),
        ("account", 2),
        ("init", 3),
        ("unheard-of", 4),
        ("account", 5),
    ];
    let manifest = Manifest::new(
        entries
            .iter()
            .map(|(name, n)| (name.to_string(), code(*n)))
            .collect(),
    )
    .expect("a manifest with every required actor");
    assert_eq!(manifest.code(BuiltinActor::Account), &code(5));
    assert_eq!(manifest.code_by_name("account"), Some(&code(5)));
    assert_eq!(manifest.require(BuiltinActor::Account).ok(), Some(&code(5)));
    assert_eq!(
        manifest.type_of(&code(4)),
        4,
        "unknown names keep their place"
    );
    assert_eq!(
        manifest.type_of(&code(2)),
        2,
        "the first account code is still type 2"
    );
    assert!(matches!(
        manifest.require(BuiltinActor::EthAccount),
        Err(ManifestError::Missing("ethaccount"))
    ));
}
