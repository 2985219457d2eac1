//! The actor's own state: root, balance, self-destruct.

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ErrorNumber;
use ifvm_actors::BURNT_FUNDS_ACTOR_ID;

use super::{Ext, Kernel, Store};
use crate::error::{Fatal, Result, SyscallError};
use crate::state_tree::ActorState;
use crate::syscall_error;

impl<B: Store, E: Ext> Kernel<B, E> {
    fn get_self(&mut self) -> Result<Option<ActorState>> {
        self.cm.get_actor(self.actor_id)
    }

    /// The actor's state root (ref-fvm 4: charged, and marked reachable).
    pub fn root(&mut self) -> Result<Cid> {
        let abi = self.abi();
        if abi.charges_root_access() {
            self.cm.charge_gas(self.cm.price_list().on_get_root_v4())?;
        }
        let root = self.get_self()?.map(|a| a.state).ok_or_else(|| {
            SyscallError::new(
                ErrorNumber::IllegalOperation,
                "state root requested after actor deletion",
            )
        })?;
        if abi.tracks_reachability() {
            self.blocks.mark_reachable(&root);
        }
        Ok(root)
    }

    /// Sets the actor's state root (ref-fvm 4: charged, and it must be reachable).
    pub fn set_root(&mut self, root: Cid) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot update the state-root while read-only"));
        }
        let abi = self.abi();
        if abi.charges_root_access() {
            self.cm.charge_gas(self.cm.price_list().on_set_root_v4())?;
        }
        if abi.tracks_reachability() && !self.blocks.is_reachable(&root) {
            return Err(syscall_error!(NotFound; "new root cid not reachable: {root}"));
        }
        let mut state = self
            .get_self()?
            .ok_or_else(|| syscall_error!(IllegalOperation; "actor deleted"))?;
        state.state = root;
        self.cm.set_actor(self.actor_id, state)
    }

    /// The actor's balance (zero after deletion).
    pub fn current_balance(&mut self) -> Result<TokenAmount> {
        if self.abi().prices_queries() {
            self.cm.charge_gas(self.cm.price_list().on_self_balance())?;
        }
        Ok(self.get_self()?.map(|a| a.balance).unwrap_or_default())
    }

    /// Deletes the actor, sending its balance to `beneficiary` (ref-fvm 2 and 3; ref-fvm 2 first
    /// refunds `OnDeleteActor`, whatever happens next).
    pub fn self_destruct_v3(&mut self, beneficiary: &Address) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot self-destruct when read-only"));
        }
        if self.abi().has_gas_refunds() {
            self.refund_gas_v2(
                "OnDeleteActor",
                self.cm.price_list().on_delete_actor_refund_v2(),
            );
        } else {
            self.cm.charge_gas(self.cm.price_list().on_delete_actor())?;
        }
        let balance = self.current_balance()?;
        if !balance.is_zero() {
            let beneficiary_id = self.resolve_address(beneficiary)?;
            if beneficiary_id == self.actor_id {
                return Err(syscall_error!(Forbidden; "benefactor cannot be beneficiary"));
            }
            self.cm.transfer(self.actor_id, beneficiary_id, &balance)?;
        }
        self.cm.delete_actor(self.actor_id)
    }

    /// Deletes the actor (ref-fvm 4, FIP-0073): a remaining balance is burnt if `burn_unspent`,
    /// else the actor is not deleted (`IllegalOperation`).
    pub fn self_destruct_v4(&mut self, burn_unspent: bool) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot self-destruct when read-only"));
        }
        self.cm.charge_gas(self.cm.price_list().on_delete_actor())?;
        let balance = self.current_balance()?;
        if !balance.is_zero() {
            if !burn_unspent {
                return Err(syscall_error!(IllegalOperation; "self-destruct with unspent funds"));
            }
            // ref-fvm treats any failure here, running out of gas included, as fatal.
            self.cm
                .transfer(self.actor_id, BURNT_FUNDS_ACTOR_ID, &balance)
                .map_err(|e| {
                    Fatal::with_source("failed to burn the unspent balance", e.to_string())
                })?;
        }
        self.cm.delete_actor(self.actor_id)
    }
}
