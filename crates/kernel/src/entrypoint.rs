//! What a call runs in the callee: a method through the `invoke` export, or (ref-fvm 4) an
//! upgrade through the `upgrade` export.

use fvm_shared::upgrade::UpgradeInfo;
use fvm_shared::{MethodNum, METHOD_CONSTRUCTOR};

/// The Wasm export that runs methods.
pub(crate) const INVOKE_FUNC_NAME: &str = "invoke";
/// The Wasm export that runs upgrades.
pub(crate) const UPGRADE_FUNC_NAME: &str = "upgrade";
/// The method number an upgrade runs as (what `vm::message_context` reports).
const METHOD_UPGRADE: MethodNum = 932083;

/// An actor entrypoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entrypoint {
    /// The constructor of an account created by a send to its key address.
    ImplicitConstructor,
    /// A method.
    Invoke(MethodNum),
    /// An upgrade from the given code (ref-fvm 4's `actor::upgrade_actor`).
    Upgrade(UpgradeInfo),
}

impl Entrypoint {
    /// The method number the callee sees.
    pub fn method_num(&self) -> MethodNum {
        match self {
            Self::ImplicitConstructor => METHOD_CONSTRUCTOR,
            Self::Invoke(method) => *method,
            Self::Upgrade(_) => METHOD_UPGRADE,
        }
    }

    /// The Wasm export it calls.
    pub fn func_name(&self) -> &'static str {
        match self {
            Self::ImplicitConstructor | Self::Invoke(_) => INVOKE_FUNC_NAME,
            Self::Upgrade(_) => UPGRADE_FUNC_NAME,
        }
    }

    /// True if it runs method `method` (an upgrade runs no method).
    pub fn invokes(&self, method: MethodNum) -> bool {
        match self {
            Self::ImplicitConstructor => method == METHOD_CONSTRUCTOR,
            Self::Invoke(m) => *m == method,
            Self::Upgrade(_) => false,
        }
    }
}
