//! Embedding ifvm: build a machine over a state, apply a message, flush.
//!
//! ```sh
//! cargo run --release -p ifvm-vectors --example embed [-- BUNDLE]   # default: $IFVM_ACTORS/v10.tar.zst
//! ```
//!
//! The state here is a small genesis built from a builtin-actors bundle; a node passes its own
//! blockstore, state root and externs instead.

use std::sync::Arc;

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_interp::Engine;
use ifvm_kernel::{AcceptAllProofs, ApplyKind, Executor, Machine, NetworkConfig};
use ifvm_vectors::DeterministicExterns;
use ifvm_vectors::Genesis;
use ifvm_vectors::{CollectingStore, SharedBlocks};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bundle_path = std::env::args().nth(1).map_or_else(
        || ifvm_vectors::data::actors_dir().join("v10.tar.zst"),
        std::path::PathBuf::from,
    );

    // A state: the system and init actors from the bundle, and one funded account.
    let bundle = CollectingStore::default();
    let bundle_root = ifvm_actors::bundle::load_bundle_file(&bundle, &bundle_path, "mainnet")?;
    let mut genesis = Genesis::new(SharedBlocks::freeze(bundle), &bundle_root)?;
    let alice = Address::new_secp256k1(&[1; 65])?;
    genesis.account(alice, TokenAmount::from_whole(100))?;
    let state = genesis.finish()?;
    let (root, blockstore) = (state.root, state.store());

    // The machine: network version, epoch, state root; an engine (shareable by many machines);
    // externs from the node; a proof verifier.
    let nc = NetworkConfig::new(NetworkVersion::V18)?;
    let engine = Engine::new(nc.engine_config());
    let mut context = nc.for_epoch(2_700_000, 0, root);
    context.base_fee = TokenAmount::from_atto(100);
    let machine = Machine::new(
        context,
        blockstore,
        DeterministicExterns,
        engine,
        Arc::new(AcceptAllProofs),
    )?;
    let mut executor = Executor::new(machine);

    // Send 1 FIL to an address that does not exist yet: the VM creates its account.
    let bob = Address::new_secp256k1(&[2; 65])?;
    let msg = Message {
        version: 0,
        from: alice,
        to: bob,
        sequence: 0,
        value: TokenAmount::from_whole(1),
        method_num: 0,
        params: Default::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(1000),
        gas_premium: TokenAmount::from_atto(100),
    };
    let len = fvm_ipld_encoding::to_vec(&msg)?.len();
    let ret = executor.execute_message(msg, ApplyKind::Explicit, len)?;
    println!(
        "exit code {}, gas used {}, miner tip {}",
        ret.msg_receipt.exit_code, ret.msg_receipt.gas_used, ret.miner_tip
    );
    println!("new state root {}", executor.flush()?);
    Ok(())
}
