//! The actor's own state: root, balance, self-destruct.

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ErrorNumber;

use super::{Ext, Kernel, Store};
use crate::error::{Result, SyscallError};
use crate::state_tree::ActorState;
use crate::syscall_error;

impl<B: Store, E: Ext> Kernel<B, E> {
    fn get_self(&mut self) -> Result<Option<ActorState>> {
        self.cm.get_actor(self.actor_id)
    }

    /// The actor's state root.
    pub fn root(&mut self) -> Result<Cid> {
        self.get_self()?.map(|a| a.state).ok_or_else(|| {
            SyscallError::new(
                ErrorNumber::IllegalOperation,
                "state root requested after actor deletion",
            )
            .into()
        })
    }

    /// Sets the actor's state root.
    pub fn set_root(&mut self, root: Cid) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot update the state-root while read-only"));
        }
        let mut state = self
            .get_self()?
            .ok_or_else(|| syscall_error!(IllegalOperation; "actor deleted"))?;
        state.state = root;
        self.cm.set_actor(self.actor_id, state)
    }

    /// The actor's balance (zero after deletion).
    pub fn current_balance(&mut self) -> Result<TokenAmount> {
        self.cm.charge_gas(self.cm.price_list().on_self_balance())?;
        Ok(self.get_self()?.map(|a| a.balance).unwrap_or_default())
    }

    /// Deletes the actor, sending its balance to `beneficiary`.
    pub fn self_destruct(&mut self, beneficiary: &Address) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot self-destruct when read-only"));
        }
        self.cm.charge_gas(self.cm.price_list().on_delete_actor())?;
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
}
