//! Calling an actor's entrypoint export with its arguments: `invoke(params)` for methods, and
//! (ref-fvm 4) `upgrade(params, upgrade_info)` for upgrades, a missing export being an exit.

use cid::Cid;
use fvm_shared::error::ExitCode;
use ifvm_interp::{CallError, FatalError, Invocation, Val};

use super::ending::abort_of;
use crate::abi::Abi;
use crate::blocks::{BlockId, NO_DATA_BLOCK_ID};
use crate::entrypoint::{Entrypoint, INVOKE_FUNC_NAME};
use crate::error::{Abort, Fatal};
use crate::kernel::{Ext, Kernel, Store};

/// An entrypoint and the blocks it is called with.
pub(super) struct EntrypointArgs {
    /// What the call runs.
    pub entrypoint: Entrypoint,
    /// The parameters block.
    pub params_id: BlockId,
    /// The upgrade info block of an upgrade.
    pub upgrade_info_id: Option<BlockId>,
}

impl EntrypointArgs {
    /// Calls the entrypoint of the instantiated `code`; returns the returned block handle.
    pub fn call<B: Store, E: Ext>(
        &self,
        inv: &mut Invocation<Kernel<B, E>>,
        abi: Abi,
        code: &Cid,
    ) -> std::result::Result<BlockId, Abort> {
        if !abi.missing_entrypoint_is_exit() {
            return inv.call(INVOKE_FUNC_NAME, self.params_id).map_err(abort_of);
        }
        let mut params = vec![Val::I32(self.params_id as i32)];
        params.extend(self.upgrade_info_id.map(|id| Val::I32(id as i32)));
        let mut results = [Val::I32(0)];
        match inv.call_raw(self.entrypoint.func_name(), &params, &mut results) {
            Ok(()) => match results[0] {
                Val::I32(ret) => Ok(ret as u32),
                _ => Err(Abort::Fatal(Fatal::msg("entrypoint returned a non-i32"))),
            },
            Err(CallError::Fatal(FatalError::MissingExport(_))) => Err(Abort::Exit(
                ExitCode::SYS_INVALID_RECEIVER,
                format!("cannot upgrade to {code}"),
                NO_DATA_BLOCK_ID,
            )),
            Err(e) => Err(abort_of(e)),
        }
    }
}
