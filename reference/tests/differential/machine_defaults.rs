//! A machine context's defaults are ref-fvm's: for every network version ifvm runs, the
//! circulating supply a context starts with is the one the reference of its ABI (ref-fvm 2.12
//! for `Abi::V2`, 3.14 for `Abi::V3`, 4.8 for `Abi::V4`) gives in `NetworkConfig::for_epoch`.

use cid::Cid;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::{Abi, NetworkConfig};

#[test]
fn default_circulating_supply_is_ref_fvms() {
    let mut compared = 0;
    for nv in 0..64u32 {
        let Ok(ours) = NetworkConfig::new(NetworkVersion::from(nv)) else {
            continue;
        };
        let theirs = match ours.abi() {
            Abi::V2 => {
                let v =
                    fvm_shared2::version::NetworkVersion::try_from(nv).expect("ref-fvm 2 knows it");
                let nc = fvm2::machine::NetworkConfig::new(v);
                nc.for_epoch(0, Cid::default()).circ_supply.atto().clone()
            }
            Abi::V3 => {
                let v = fvm_shared3::version::NetworkVersion::from(nv);
                let nc = fvm3::machine::NetworkConfig::new(v);
                nc.for_epoch(0, 0, Cid::default())
                    .circ_supply
                    .atto()
                    .clone()
            }
            Abi::V4 => {
                let nc = fvm4::machine::NetworkConfig::new(NetworkVersion::from(nv));
                nc.for_epoch(0, 0, Cid::default())
                    .circ_supply
                    .atto()
                    .clone()
            }
        };
        let ours = ours.for_epoch(0, 0, Cid::default()).circ_supply;
        assert_eq!(ours.atto(), &theirs, "nv{nv}");
        compared += 1;
    }
    assert!(compared > 0, "ifvm runs some network version");
}
