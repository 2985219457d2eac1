//! The states of the actors the VM reads and writes itself.

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::Hamt;
use fvm_shared::address::{Address, Payload};
use fvm_shared::{ActorID, HAMT_BIT_WIDTH};

/// The system actor's state: the builtin-actors manifest in force.
#[derive(Clone, Debug, Default, Serialize_tuple, Deserialize_tuple)]
pub struct SystemState {
    /// The manifest data CID (the `(name, code)` list).
    pub builtin_actors: Cid,
}

/// The account actor's state.
#[derive(Clone, Debug, Serialize_tuple, Deserialize_tuple)]
pub struct AccountState {
    /// The account's key address (f1 or f3).
    pub address: Address,
}

/// An init-actor address-map operation failed (a missing or corrupt block).
#[derive(Debug, thiserror::Error)]
#[error("init actor address map: {0}")]
pub struct AddressMapError(String);

/// The init actor's state: the map from robust addresses to actor IDs, and the next ID.
#[derive(Clone, Debug, Serialize_tuple, Deserialize_tuple)]
pub struct InitState {
    /// HAMT (bit width 5) from address bytes to actor ID.
    pub address_map: Cid,
    /// The ID the next new actor gets.
    pub next_id: ActorID,
    /// The network's name.
    pub network_name: String,
}

impl InitState {
    /// The ID mapped to `addr` (ID addresses resolve to themselves).
    pub fn resolve_address(
        &self,
        store: &impl Blockstore,
        addr: &Address,
    ) -> Result<Option<ActorID>, AddressMapError> {
        if let &Payload::ID(id) = addr.payload() {
            return Ok(Some(id));
        }
        let map = Hamt::<_, ActorID>::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
            .map_err(|e| AddressMapError(e.to_string()))?;
        map.get(&addr.to_bytes())
            .map(|id| id.copied())
            .map_err(|e| AddressMapError(e.to_string()))
    }

    /// Maps `addr` to a fresh ID and returns it (updating `address_map` and `next_id`).
    pub fn map_address_to_new_id(
        &mut self,
        store: &impl Blockstore,
        addr: &Address,
    ) -> Result<ActorID, AddressMapError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut map =
            Hamt::<_, ActorID>::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
                .map_err(|e| AddressMapError(e.to_string()))?;
        map.set(addr.to_bytes().into(), id)
            .map_err(|e| AddressMapError(e.to_string()))?;
        self.address_map = map.flush().map_err(|e| AddressMapError(e.to_string()))?;
        Ok(id)
    }
}
