//! Reading and writing actors on behalf of the running message, charging the first lookup and
//! update of each actor (state-access charging, FIP-0055) and resolution of each address.

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use ifvm_actors::BuiltinActor;

use fvm_ipld_blockstore::Blockstore;
use ifvm_actors::state::AccountState;

use super::CallManager;
use crate::error::{Classify, Fatal, Result};
use crate::kernel::{Ext, Store};
use crate::state_access::ActorAccess;
use crate::state_tree::ActorState;
use crate::syscall_error;

/// The actors ref-fvm 2 lets exist once only (by manifest name).
const SINGLETONS_V2: [&str; 7] = [
    "system",
    "init",
    "reward",
    "cron",
    "storagepower",
    "storagemarket",
    "verifiedregistry",
];

impl<B, E> CallManager<B, E>
where
    B: Store,
    E: Ext,
{
    /// Resolves an address to an ID, charging the first resolution of a non-ID address.
    pub fn resolve_address(&mut self, address: &Address) -> Result<Option<ActorID>> {
        if let Ok(id) = address.id() {
            return Ok(Some(id));
        }
        if self.abi().charges_state_access() && !self.access.address_resolved(address) {
            self.charge_gas(self.price_list().on_resolve_address())?;
        }
        let id = self.machine.state_tree.lookup_id(address)?;
        if id.is_some() {
            self.access.record_address_resolved(address);
        }
        Ok(id)
    }

    /// Actor `id`, charging the first lookup.
    pub fn get_actor(&mut self, id: ActorID) -> Result<Option<ActorState>> {
        if self.abi().charges_state_access() && self.access.actor(id).is_none() {
            self.charge_gas(self.price_list().on_actor_lookup())?;
        }
        let actor = self.machine.state_tree.get_actor(id)?;
        self.access.record_actor_read(id);
        Ok(actor)
    }

    fn charge_update(&mut self, id: ActorID) -> Result<()> {
        if !self.abi().charges_state_access() {
            return Ok(());
        }
        let access = self.access.actor(id);
        if access.is_none() {
            self.charge_gas(self.price_list().on_actor_lookup())?;
        }
        if access < Some(ActorAccess::Updated) {
            self.charge_gas(self.price_list().on_actor_update())?;
        }
        Ok(())
    }

    /// Writes actor `id`, charging the first lookup and update.
    pub fn set_actor(&mut self, id: ActorID, state: ActorState) -> Result<()> {
        self.charge_update(id)?;
        self.machine.state_tree.set_actor(id, state);
        self.access.record_actor_update(id);
        Ok(())
    }

    /// Deletes actor `id`, charging as an update.
    pub fn delete_actor(&mut self, id: ActorID) -> Result<()> {
        self.charge_update(id)?;
        self.machine.state_tree.delete_actor(id);
        self.access.record_actor_update(id);
        Ok(())
    }

    /// Moves `value` from `from` to `to`.
    pub fn transfer(&mut self, from: ActorID, to: ActorID, value: &TokenAmount) -> Result<()> {
        if value.is_negative() {
            return Err(syscall_error!(IllegalArgument;
                "attempted to transfer negative transfer value {value}"));
        }
        let mut from_actor = self.get_actor(from)?.ok_or_else(|| {
            syscall_error!(InsufficientFunds; "insufficient funds to transfer {value}FIL from {from} to {to})")
        })?;
        if &from_actor.balance < value {
            return Err(syscall_error!(InsufficientFunds;
                "sender does not have funds to transfer (balance {}, transfer {value})", from_actor.balance));
        }
        if from == to {
            return Ok(());
        }
        let mut to_actor = self.get_actor(to)?.ok_or_else(
            || syscall_error!(NotFound; "transfer recipient {to} does not exist in state-tree"),
        )?;
        from_actor.deduct_funds(value)?;
        to_actor.deposit_funds(value);
        self.set_actor(from, from_actor)?;
        self.set_actor(to, to_actor)?;
        Ok(())
    }

    /// The key address of the account actor at `address` (ref-fvm 2's `resolve_to_key_addr`):
    /// `NotFound` if there is no actor, `IllegalArgument` if it is not an account. With
    /// `charge`, opening its state is priced as a block open.
    pub(crate) fn account_key_address(
        &mut self,
        address: &Address,
        charge: bool,
    ) -> Result<Address> {
        let id = self
            .resolve_address(address)?
            .ok_or_else(|| syscall_error!(NotFound; "actor not found: {address}"))?;
        let actor = self
            .get_actor(id)?
            .ok_or_else(|| syscall_error!(NotFound; "actor not found: {address}"))?;
        if !self.machine.manifest.is(&actor.code, BuiltinActor::Account) {
            return Err(syscall_error!(IllegalArgument; "target actor is not an account"));
        }
        if charge {
            self.charge_gas(self.price_list().on_block_open_base_v2())?;
        }
        let state = self
            .machine
            .state_tree
            .store()
            .get(&actor.state)
            .or_fatal("failed to load account state")?
            .ok_or_else(|| Fatal::msg(format!("account state {} not found", actor.state)))?;
        if charge {
            self.charge_gas(self.price_list().on_block_open_per_byte_v2(state.len()))?;
        }
        let state: AccountState =
            fvm_ipld_encoding::from_slice(&state).or_fatal("failed to decode account state")?;
        Ok(state.address)
    }

    /// ref-fvm 2's `create_actor`: an actor of non-singleton builtin `code` at the unused
    /// `actor_id`, for any caller (`Forbidden` otherwise).
    pub fn create_actor_v2(&mut self, code: Cid, actor_id: ActorID) -> Result<()> {
        let manifest = &self.machine.manifest;
        if manifest.type_of(&code) == 0 {
            return Err(syscall_error!(Forbidden; "can only create built-in actors"));
        }
        if SINGLETONS_V2
            .iter()
            .any(|name| manifest.code_by_name(name) == Some(&code))
        {
            return Err(
                syscall_error!(Forbidden; "can only have one instance of singleton actors"),
            );
        }
        // ref-fvm 2 ignores a failed lookup here.
        if let Ok(Some(_)) = self.get_actor(actor_id) {
            return Err(syscall_error!(Forbidden; "Actor address already exists"));
        }
        self.charge_gas(self.price_list().on_create_actor_v2())?;
        self.set_actor(actor_id, ActorState::new_empty(code, None))
    }

    /// Creates actor `actor_id` with `code` (for the init actor), or deploys code over a
    /// placeholder with the same delegated address.
    pub fn create_actor(
        &mut self,
        code: Cid,
        actor_id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<()> {
        let manifest = &self.machine.manifest;
        if manifest.is(&code, BuiltinActor::Placeholder) {
            return Err(
                syscall_error!(Forbidden; "cannot explicitly construct a placeholder actor"),
            );
        }
        let actor = match self.get_actor(actor_id)? {
            Some(mut act)
                if self
                    .machine
                    .manifest
                    .is(&act.code, BuiltinActor::Placeholder) =>
            {
                if act.delegated_address.is_none() {
                    return Err(Fatal::msg(format!(
                        "placeholder {actor_id} doesn't have a delegated address"
                    ))
                    .into());
                }
                if act.delegated_address != delegated_address {
                    return Err(
                        syscall_error!(Forbidden; "placeholder has a different delegated address"),
                    );
                }
                act.code = code;
                act
            }
            Some(_) => return Err(syscall_error!(Forbidden; "Actor address already exists")),
            None => {
                self.charge_gas(self.price_list().on_create_actor(false))?;
                ActorState::new_empty(code, delegated_address)
            }
        };
        self.set_actor(actor_id, actor)?;
        self.num_actors_created += 1;
        Ok(())
    }
}
