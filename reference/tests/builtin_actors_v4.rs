//! Every network version of the v4 ABI (nv21–nv29) runs its builtin actors: a machine loads the
//! bundle's manifest (v12–v19), and every import of every builtin actor is a syscall ifvm links
//! (ref-fvm fails to link the actor otherwise).

#[path = "common_v4/mod.rs"]
mod common;

use common::*;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::{AcceptAllProofs, Machine, NetworkConfig};
use ifvm_vectors::genesis::Genesis;
use ifvm_vectors::scenario::DeterministicExterns;

#[test]
fn builtin_actors_import_only_linked_syscalls() {
    let mut checked = 0;
    for nv in 21u32..=29 {
        let version = ifvm_vectors::bundles::actors_version(nv).unwrap();
        let Some((bundle, root)) = bundle(version) else {
            continue;
        };
        let genesis = Genesis::new(bundle, &root).unwrap();
        let manifest = genesis.manifest().clone();
        let state = genesis.finish().unwrap();
        let nc = NetworkConfig::new(NetworkVersion::from(nv)).unwrap();
        let machine = Machine::new(
            nc.for_epoch(0, 0, state.root),
            state.store(),
            DeterministicExterns,
            ifvm_interp::Engine::new(nc.engine_config()),
            std::sync::Arc::new(AcceptAllProofs),
        )
        .unwrap();
        assert_eq!(machine.manifest().entries(), manifest.entries());
        for (name, code) in manifest.entries() {
            let wasm = fvm_ipld_blockstore::Blockstore::get(machine.blockstore(), code)
                .unwrap()
                .unwrap();
            for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
                if let wasmparser::Payload::ImportSection(imports) = payload.unwrap() {
                    for import in imports {
                        let import = import.unwrap();
                        assert!(
                            machine.defines_syscall(import.module, import.name),
                            "nv{nv}: {name} imports {}::{}, which is not linked",
                            import.module,
                            import.name
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    eprintln!("checked {checked} imports");
}

#[test]
fn every_v4_network_version_is_supported() {
    for nv in 21u32..=29 {
        let nc = NetworkConfig::new(NetworkVersion::from(nv)).unwrap();
        assert_eq!(
            nc.for_epoch(0, 0, Default::default()).circ_supply,
            Default::default()
        );
    }
    assert!(NetworkConfig::new(NetworkVersion::from(30u32)).is_err());
}
