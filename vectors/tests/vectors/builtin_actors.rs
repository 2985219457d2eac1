//! Every network version ifvm runs runs its builtin actors: a machine loads the
//! bundle's manifest (v9–v19), and every import of every builtin actor is a syscall ifvm links
//! for that version (ref-fvm fails to link the actor otherwise).

use fvm_shared::version::NetworkVersion;
use ifvm_kernel::NetworkConfig;
use ifvm_vectors::{data, BundleSet, DeterministicExterns, Genesis, MachineParams};

#[test]
fn builtin_actors_import_only_linked_syscalls() {
    let Some(actors) = data::actors() else {
        return;
    };
    let bundles = BundleSet::new(actors);
    let mut checked = 0;
    let supported = (0u32..64).filter(|&nv| NetworkConfig::new(NetworkVersion::from(nv)).is_ok());
    for nv in supported {
        let (bundle, root) = match bundles.with_root(nv) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("SKIPPED: nv{nv}: {e}");
                continue;
            }
        };
        let genesis = Genesis::new(bundle, &root).unwrap();
        let manifest = genesis.manifest().clone();
        let state = genesis.finish().unwrap();
        let params = MachineParams::new(nv, 0, state.root).unwrap();
        let engine = ifvm_vectors::engine(nv).unwrap();
        let exec = params
            .executor(&engine, state.store(), DeterministicExterns, false)
            .unwrap();
        let machine = exec.machine();
        assert_eq!(machine.manifest().entries(), manifest.entries(), "nv{nv}");
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
