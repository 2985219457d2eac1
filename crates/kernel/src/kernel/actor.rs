//! Actors: addresses, code, creation, balances.

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use ifvm_actors::INIT_ACTOR_ID;

use super::{Ext, Kernel, Store};
use crate::error::Result;
use crate::syscall_error;

impl<B: Store, E: Ext> Kernel<B, E> {
    /// The ID of `address` (`NotFound` if it has none).
    pub fn resolve_address(&mut self, address: &Address) -> Result<ActorID> {
        if self.abi().prices_queries() {
            self.cm
                .charge_gas(self.cm.price_list().on_resolve_address())?;
        }
        self.cm
            .resolve_address(address)?
            .ok_or_else(|| syscall_error!(NotFound; "actor not found"))
    }

    /// Actor `id`'s code CID.
    pub fn get_actor_code_cid(&mut self, id: ActorID) -> Result<Cid> {
        if self.abi().prices_queries() {
            self.cm
                .charge_gas(self.cm.price_list().on_get_actor_code_cid())?;
        }
        Ok(self
            .cm
            .get_actor(id)?
            .ok_or_else(|| syscall_error!(NotFound; "actor not found"))?
            .code)
    }

    /// The robust address the next created actor will get (ref-fvm 2: a new address on every
    /// call, from the origin's key address).
    pub fn next_actor_address(&mut self) -> Result<Address> {
        if self.abi().counts_actor_address_calls() {
            return self.cm.new_actor_address_v2();
        }
        Ok(self.cm.next_actor_address())
    }

    /// Creates an actor of builtin code (ref-fvm 2: any actor may, for non-singleton code).
    pub fn create_actor_v2(&mut self, code: Cid, actor_id: ActorID) -> Result<()> {
        self.cm.create_actor_v2(code, actor_id)
    }

    /// Creates an actor (init actor only).
    pub fn create_actor(
        &mut self,
        code: Cid,
        actor_id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<()> {
        if self.actor_id != INIT_ACTOR_ID {
            return Err(syscall_error!(Forbidden;
                "create_actor is restricted to InitActor. Called by {}", self.actor_id));
        }
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "create_actor cannot be called while read-only"));
        }
        self.cm.create_actor(code, actor_id, delegated_address)
    }

    /// The builtin type of `code` (0 if not builtin).
    pub fn get_builtin_actor_type(&mut self, code: &Cid) -> Result<u32> {
        if self.abi().prices_queries() {
            self.cm
                .charge_gas(self.cm.price_list().on_get_builtin_actor_type())?;
        }
        Ok(self.cm.machine.manifest.type_of(code))
    }

    /// The code CID of builtin type `type_id`.
    pub fn get_code_cid_for_type(&mut self, type_id: u32) -> Result<Cid> {
        if self.abi().prices_queries() {
            self.cm
                .charge_gas(self.cm.price_list().on_get_code_cid_for_type())?;
        }
        self.cm
            .machine
            .manifest
            .code_of_type(type_id)
            .copied()
            .ok_or_else(|| syscall_error!(IllegalArgument; "tried to resolve CID of unrecognized actor type"))
    }

    /// Actor `id`'s balance.
    pub fn balance_of(&mut self, id: ActorID) -> Result<TokenAmount> {
        self.cm.charge_gas(self.cm.price_list().on_balance_of())?;
        Ok(self
            .cm
            .get_actor(id)?
            .ok_or_else(|| syscall_error!(NotFound; "actor not found"))?
            .balance)
    }

    /// Actor `id`'s delegated (f4) address, if any.
    pub fn lookup_delegated_address(&mut self, id: ActorID) -> Result<Option<Address>> {
        self.cm
            .charge_gas(self.cm.price_list().on_lookup_delegated_address())?;
        Ok(self
            .cm
            .get_actor(id)?
            .ok_or_else(|| syscall_error!(NotFound; "actor not found"))?
            .delegated_address)
    }
}
