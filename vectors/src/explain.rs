//! Explaining a wrong state root: which actors differ, and in which fields of their state.

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::message::Message;
use ifvm_kernel::{ActorState, StateTree};
use ipld_core::ipld::Ipld;

use crate::schema::TestVector;

/// How one actor differs between the expected and actual states.
#[derive(Debug, Clone)]
pub struct ActorDiff {
    /// Which actor: its role and address.
    pub actor: String,
    /// Each differing field, `name: expected != actual`.
    pub fields: Vec<String>,
}

/// The actors that differ between the state trees rooted at `expected` and `actual`: every
/// message's sender and receiver, and the builtin actors (IDs below 100). Other actors are not
/// compared, since vectors carry only part of the state.
pub fn diff_states(
    store: &impl Blockstore,
    vector: &TestVector,
    expected: &Cid,
    actual: &Cid,
) -> Vec<ActorDiff> {
    let (Ok(exp), Ok(act)) = (
        StateTree::new_from_root(store, expected),
        StateTree::new_from_root(store, actual),
    ) else {
        return vec![ActorDiff {
            actor: "state tree".into(),
            fields: vec!["cannot load both state trees".into()],
        }];
    };
    let mut who: Vec<(String, Address)> = Vec::new();
    let tipset_messages = vector
        .apply_tipsets
        .iter()
        .flat_map(|t| &t.blocks)
        .flat_map(|b| &b.messages);
    for bytes in vector
        .apply_messages
        .iter()
        .map(|m| &m.bytes)
        .chain(tipset_messages)
    {
        if let Ok(msg) = fvm_ipld_encoding::from_slice::<Message>(bytes) {
            who.push(("sender".into(), msg.from));
            who.push(("receiver".into(), msg.to));
        }
    }
    who.extend((0..100).map(|id| ("builtin".to_string(), Address::new_id(id))));
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (role, addr) in who {
        let lookup = |t: &StateTree<_>| -> Option<ActorState> {
            let id = t.lookup_id(&addr).ok()??;
            t.get_actor(id).ok()?
        };
        let (e, a) = (lookup(&exp), lookup(&act));
        if e == a || seen.contains(&addr) {
            continue;
        }
        seen.push(addr);
        out.push(ActorDiff {
            actor: format!("{role} {addr}"),
            fields: diff_actor(store, e, a),
        });
    }
    out
}

fn diff_actor(
    store: &impl Blockstore,
    e: Option<ActorState>,
    a: Option<ActorState>,
) -> Vec<String> {
    let (e, a) = match (e, a) {
        (Some(e), Some(a)) => (e, a),
        (e, a) => return vec![format!("exists: {} != {}", e.is_some(), a.is_some())],
    };
    let mut f = Vec::new();
    if e.code != a.code {
        f.push(format!("code: {} != {}", e.code, a.code));
    }
    if e.sequence != a.sequence {
        f.push(format!("sequence: {} != {}", e.sequence, a.sequence));
    }
    if e.balance != a.balance {
        f.push(format!("balance: {} != {}", e.balance, a.balance));
    }
    if e.delegated_address != a.delegated_address {
        f.push(format!(
            "delegated_address: {:?} != {:?}",
            e.delegated_address, a.delegated_address
        ));
    }
    if e.state != a.state {
        f.push(format!("state: {} != {}", e.state, a.state));
        let load = |c: &Cid| store.get_cbor::<Ipld>(c).ok().flatten();
        match (load(&e.state), load(&a.state)) {
            (Some(Ipld::List(ef)), Some(Ipld::List(af))) if ef.len() == af.len() => {
                for (i, (x, y)) in ef.iter().zip(&af).enumerate() {
                    if x != y {
                        f.push(format!("  state field {i}: {} != {}", short(x), short(y)));
                    }
                }
            }
            (x, y) => f.push(format!(
                "  state: {:?} != {:?}",
                x.map(|v| short(&v)),
                y.map(|v| short(&v))
            )),
        }
    }
    f
}

/// An IPLD value, abbreviated to a readable length.
fn short(v: &Ipld) -> String {
    let s = format!("{v:?}");
    if s.len() > 160 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(160).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}
