//! Upgrading the running actor to new code (ref-fvm 4's `actor::upgrade_actor`).

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::upgrade::UpgradeInfo;

use super::{Ext, Kernel, SendResult, Store};
use crate::blocks::{BlockId, NO_DATA_BLOCK_ID};
use crate::entrypoint::{Entrypoint, INVOKE_FUNC_NAME, UPGRADE_FUNC_NAME};
use crate::error::Result;
use crate::state_tree::ActorState;
use crate::syscall_error;

impl<B: Store, E: Ext> Kernel<B, E> {
    /// Replaces the actor's code with `new_code` and runs the new code's `upgrade` export with
    /// parameters `params_id`, in a transaction that reverts (code included) unless it exits
    /// successfully. The actor may not be re-entered: apart from recursive upgrades of itself,
    /// nothing may be on the call stack above its first invocation (`Forbidden`). As in ref-fvm,
    /// the upgraded actor loses its delegated address.
    pub fn upgrade_actor_v4(&mut self, new_code: Cid, params_id: BlockId) -> Result<SendResult> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "upgrade_actor cannot be called while read-only"));
        }
        let me = self.actor_id;
        let mut stack = self.cm.call_stack().iter();
        if stack.any(|&frame| frame == (me, INVOKE_FUNC_NAME))
            && stack.any(|&frame| frame != (me, UPGRADE_FUNC_NAME))
        {
            return Err(syscall_error!(Forbidden;
                "calling upgrade on actor already on call stack is forbidden"));
        }
        let params = if params_id == NO_DATA_BLOCK_ID {
            None
        } else {
            Some(self.blocks.get(params_id)?.clone())
        };
        if self.blocks.is_full() {
            return Err(syscall_error!(LimitExceeded; "cannot store return block"));
        }
        let caller = self.caller;
        let result = self.cm.in_transaction(|cm| {
            let state = cm
                .get_actor(me)?
                .ok_or_else(|| syscall_error!(IllegalOperation; "actor deleted"))?;
            let old_code_cid = state.code;
            cm.set_actor(
                me,
                ActorState {
                    code: new_code,
                    delegated_address: None,
                    ..state
                },
            )?;
            cm.send(
                caller,
                Address::new_id(me),
                Entrypoint::Upgrade(UpgradeInfo { old_code_cid }),
                params,
                &TokenAmount::default(),
                None,
                false,
            )
        })?;
        self.store_result(result)
    }
}
