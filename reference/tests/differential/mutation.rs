//! The message and state mutation differential ([`ifvm_reference::mutation`]), bounded: seeded
//! mutants of the generated vectors (and the Hygge corpus, where present) on ifvm and on
//! ref-fvm; identical results, or both engines failing. `IFVM_MUTANTS` sets how many (default
//! 40); the `mutation-fuzz` binary is the long run. Also the regressions the long run found.

use fvm_ipld_encoding::to_vec;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use ifvm_actors::INIT_ACTOR_ID;
use ifvm_kernel::{Abi, StateTree};
use ifvm_reference::mutation::{compare_variant, mutant, run_mutant, variants, Engines, Tally};
use ifvm_reference::outcome::Outcome;
use ifvm_vectors::{data, threads, Genesis, PreparedVariant, SCENARIO_EPOCH};

use crate::harness::{bundle, bundles, message, sender};

#[test]
fn mutated_messages_and_state_match_ref_fvm() {
    threads::with_stack(mutants)
}

fn mutants() {
    if data::actors().is_none() {
        return;
    }
    let wanted: usize = std::env::var("IFVM_MUTANTS")
        .map(|v| v.parse().expect("IFVM_MUTANTS: a number"))
        .unwrap_or(40);
    let mut paths = vec![data::generated_dir()];
    paths.extend(data::present(
        data::hygge_dir(),
        "Hygge corpus",
        "IFVM_VECTORS",
    ));
    let files = data::collect_vectors(&paths).expect("the vectors list");
    let all = variants(bundles(), &files).expect("the vectors load");
    let mut engines = Engines::default();
    let mut tally = Tally::default();
    let mut seed = 1;
    while tally.mutants() < wanted {
        if let Some(m) = mutant(&all.variants, seed) {
            let engine = engines.get(m.variant.params.nv).expect("engine");
            let outcome = run_mutant(&m, engine);
            if let Outcome::Mismatch(d) = &outcome {
                let name = &all.names[m.source];
                panic!("mutant of seed {seed} ({name}, {:?}): {d}", m.mutation);
            }
            tally.add(&m, &outcome);
        } else {
            tally.undrawn += 1;
        }
        seed += 1;
    }
    eprintln!("{tally:?}");
    // Most mutants must still apply (a mutation run where everything fails tests nothing).
    assert!(tally.same > wanted / 2, "{tally:?}");
    assert!(
        tally.kinds.keys().any(|k| k.starts_with("block:")),
        "{tally:?}"
    );
    assert!(
        tally.kinds.keys().any(|k| k.starts_with("field:")),
        "{tally:?}"
    );
}

/// A state error while resolving a message's receiver (here: the init actor's state block is
/// corrupted and the receiver is an unknown f2 address). ref-fvm 3 and 4 resolve the receiver
/// before sending, so the application fails; ref-fvm 2 only when sending, where the error is
/// fatal to the message alone (a receipt). Found by the mutation run on the Shark corpus, where
/// vectors hold only the blocks their messages touched.
#[test]
fn a_state_error_resolving_the_receiver_fails_as_on_ref_fvm() {
    threads::with_stack(|| {
        for nv in [17, 18, 21] {
            let Some((blocks, root)) = bundle(nv) else {
                return;
            };
            let mut genesis = Genesis::new(blocks, &root).expect("genesis");
            let sender_id = genesis
                .account(sender(), TokenAmount::from_whole(1_000))
                .expect("sender");
            let state = genesis.finish().expect("genesis");
            let tree = StateTree::new_from_root(state.store(), &state.root).expect("state tree");
            let init = tree
                .get_actor(INIT_ACTOR_ID)
                .expect("state tree")
                .expect("init actor");
            let msg = message(
                Address::new_id(sender_id),
                Address::new_actor(b"nobody"),
                0,
                0,
                TokenAmount::from_atto(1),
                vec![],
            );
            let length = to_vec(&msg).expect("messages encode").len();
            let variant =
                PreparedVariant::from_state(nv, SCENARIO_EPOCH, &state, vec![(msg, length)])
                    .with_block_replaced(init.state, vec![0x80]);
            let engine = ifvm_vectors::engine(nv).expect("engine");
            let abi = Abi::for_network(nv.into()).expect("supported");
            match (abi, compare_variant(&variant, &engine)) {
                (_, Outcome::Mismatch(d)) => panic!("nv{nv}: {d}"),
                (Abi::V2, Outcome::Same(results)) => {
                    assert_ne!(results[0].exit_code, 0, "nv{nv}: the corruption is met")
                }
                (Abi::V2, Outcome::BothFailed { .. }) => {
                    panic!("nv{nv}: ref-fvm 2 gives a receipt, not an error")
                }
                (_, Outcome::Same(_)) => panic!("nv{nv}: ref-fvm 3 and 4 fail the application"),
                (_, Outcome::BothFailed { .. }) => {}
            }
        }
    })
}
