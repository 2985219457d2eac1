//! The one place where network versions select behaviour: which syscall ABI and semantics a
//! network version runs with. Every difference between the ABIs is a named predicate here; the
//! kernel, the call manager and the syscall bindings ask these, never the network version.

use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;

/// The syscall ABI and VM semantics of a range of network versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Abi {
    /// ref-fvm 2.x (2.12): nv17 (Shark); actors v9. Signed gas, flat `OnMethodInvocation`,
    /// no state-access, memory or event charges, the `fvm-wasm-instrument` 0.2 metering, state
    /// tree version 4, DAG-CBOR blocks only.
    V2,
    /// ref-fvm 3.x: nv18 (Hygge) to nv20 (Thunder); actors v10 and v11.
    V3,
    /// ref-fvm 4.x (4.8): nv21 (Watermelon) to nv29; actors v12 to v19.
    V4,
}

impl Abi {
    /// The ABI of `nv`, or `None` if ifvm does not run it.
    pub fn for_network(nv: NetworkVersion) -> Option<Self> {
        match u32::from(nv) {
            17 => Some(Self::V2),
            18..=20 => Some(Self::V3),
            21..=29 => Some(Self::V4),
            _ => None,
        }
    }

    /// Largest `RegisteredSealProof` code the ABI's types know (later codes decode as invalid).
    pub fn max_seal_proof(self) -> i64 {
        match self {
            // StackedDRG64GiBV1P1 (fvm_shared 2 knows no synthetic PoRep).
            Self::V2 => 9,
            // StackedDRG64GiBV1P1_Feat_SyntheticPoRep; NI-PoRep came with ref-fvm 4.
            Self::V3 => 14,
            // Every code fvm_shared 4 knows (unknown ones decode as invalid).
            Self::V4 => i64::MAX,
        }
    }

    /// Whether the kernel tracks IPLD reachability (ref-fvm 4): an actor may only open blocks
    /// reachable from its state root, its parameters and what it received or linked; a created
    /// block may only link to reachable blocks; a new state root must be reachable. Without it
    /// (ref-fvm 3) any block in the store may be opened. Requires [`scans_ipld_links`]
    /// (reachability follows links).
    ///
    /// [`scans_ipld_links`]: Self::scans_ipld_links
    pub fn tracks_reachability(self) -> bool {
        self == Self::V4
    }

    /// Whether blocks are scanned for their links when opened, created, sent as parameters or
    /// returned, and the links priced (ref-fvm 4: `OnScanIpldLinks`, the `_v4` forms of
    /// `OnBlockOpen`, `OnBlockCreate`, `OnMethodInvocation` and `OnReturnValue`). Without it
    /// (ref-fvm 3) blocks are priced by size only (`OnBlockOpenPerByte`, `OnChainReturnValue`
    /// at depth 1 only).
    pub fn scans_ipld_links(self) -> bool {
        self == Self::V4
    }

    /// Whether the trace records an `Ipld` event for every block opened from or written to
    /// the state store (ref-fvm 4, with or without tracing on).
    pub fn traces_ipld(self) -> bool {
        self == Self::V4
    }

    /// Whether the trace records `InvokeActor` events (ref-fvm 3 and 4).
    pub fn traces_invoke_actor(self) -> bool {
        self >= Self::V3
    }

    /// Whether the trace records `InvokeActor` for every invocation, implicit account
    /// constructors included (ref-fvm 3); otherwise only for method invocations (ref-fvm 4,
    /// which leaves out constructors and upgrades).
    pub fn traces_every_invocation(self) -> bool {
        self == Self::V3
    }

    /// Whether `ipld::block_create` refuses codecs other than raw, CBOR and DAG-CBOR before
    /// pricing the block (ref-fvm 4: `IllegalCodec`, "codec not allowed").
    pub fn checks_codec_at_create(self) -> bool {
        self == Self::V4
    }

    /// Whether the block registry refuses codecs other than raw, CBOR and DAG-CBOR whenever it
    /// registers a block, opened, received, returned or created, after the block was priced
    /// (ref-fvm 3: `IllegalCodec`, "invalid or forbidden ipld codec"). ref-fvm 4 registers
    /// blocks of any codec.
    pub fn checks_codec_on_registration(self) -> bool {
        self <= Self::V3
    }

    /// Whether the block registry accepts `codec` when it checks codecs on registration:
    /// DAG-CBOR only in ref-fvm 2; raw, CBOR and DAG-CBOR in ref-fvm 3.
    pub fn registers_codec(self, codec: u64) -> bool {
        match self {
            Self::V2 => codec == fvm_ipld_encoding::DAG_CBOR,
            _ => crate::blocks::ALLOWED_CODECS.contains(&codec),
        }
    }

    /// The codec of the parameters block a message or an account constructor passes
    /// (`DAG-CBOR` in ref-fvm 2; ref-fvm 3 and 4 use CBOR, raw for a plain value send).
    pub fn uses_dag_cbor_params(self) -> bool {
        self == Self::V2
    }

    /// Whether charges take ref-fvm 2's forms (the price list's `_v2` functions): one
    /// `OnMethodInvocation` for transfer and invocation, charged for plain sends too; the
    /// account-creation charge before the address check; flat hashing (before the code check)
    /// and signature prices; extern-priced block opens and randomness; block sizes priced per
    /// byte without link scans; no charge for batch seal verification; the return value of a
    /// successful top-level call only. ref-fvm 2 also verifies signatures of account actors'
    /// addresses, paying to read their key.
    pub fn charges_v2_forms(self) -> bool {
        self == Self::V2
    }

    /// Whether reading actor metadata is priced: `OnResolveAddress`, `OnGetActorCodeCid`,
    /// `OnGetBuiltinActorType`, `OnGetCodeCidForType`, `OnSelfBalance` (zero-gas charges in
    /// ref-fvm 3 and 4's traces; ref-fvm 2 makes none).
    pub fn prices_queries(self) -> bool {
        self >= Self::V3
    }

    /// Whether the executor resolves the message's receiver before the call stack starts
    /// (ref-fvm 3 and 4): a state error there (a missing init-actor block) fails the message's
    /// application. ref-fvm 2 resolves it only when sending, where the same error is fatal to
    /// the message alone: a `SYS_ASSERTION_FAILED` receipt that uses the whole gas limit.
    pub fn resolves_receiver_before_sending(self) -> bool {
        self != Self::V2
    }

    /// Whether a call may have a gas limit of its own, and running out of it is an exit code
    /// (`SYS_OUT_OF_GAS`) for the caller (ref-fvm 3 and 4). In ref-fvm 2 every call shares the
    /// message's gas: running out is an error (`CallError(Forbidden, "out of gas")` in the
    /// trace), and traced calls carry no limit (`u64::MAX`).
    pub fn has_call_gas_limits(self) -> bool {
        self >= Self::V3
    }

    /// Whether the first lookup and update of each actor and resolution of each address in a
    /// message are charged (FIP-0055, ref-fvm 3 and 4). In ref-fvm 2 state access is free.
    pub fn charges_state_access(self) -> bool {
        self >= Self::V3
    }

    /// Whether Wasm memory and tables are priced and limited: the initial memory and table
    /// charges, memory growth, 512 MiB per instance and 2 GiB per message (ref-fvm 3 and 4).
    /// ref-fvm 2 prices neither and limits memory only by the Wasm32 maximum.
    pub fn prices_wasm_memory(self) -> bool {
        self >= Self::V3
    }

    /// Whether gas is signed (ref-fvm 2): an actor's `gas::charge` may refund gas, and deleting
    /// an actor refunds `OnDeleteActor`.
    pub fn has_gas_refunds(self) -> bool {
        self == Self::V2
    }

    /// Whether the call-depth check lets the top-level call plus `max_call_depth` nested calls
    /// run (ref-fvm 2 checks `depth > max` before incrementing); ref-fvm 3 and 4 allow
    /// `max_call_depth` frames in all.
    pub fn allows_extra_call_frame(self) -> bool {
        self == Self::V2
    }

    /// Whether a failed instantiation of actor code is fatal (ref-fvm 2) rather than the exit
    /// code `SYS_ILLEGAL_INSTRUCTION` (ref-fvm 3 and 4).
    pub fn instantiation_failure_is_fatal(self) -> bool {
        self == Self::V2
    }

    /// Whether `new_actor_address` derives the address from the origin's key address and
    /// counts every call (ref-fvm 2), rather than from the origin address as sent and the
    /// number of actors created (ref-fvm 3 and 4's `next_actor_address`).
    pub fn counts_actor_address_calls(self) -> bool {
        self == Self::V2
    }

    /// Whether an `f4` (delegated) address exists: parsed, resolved, auto-created as a
    /// placeholder (ref-fvm 3 and 4).
    pub fn has_delegated_addresses(self) -> bool {
        self >= Self::V3
    }

    /// The state-tree version the ABI reads and writes (4 in ref-fvm 2, 5 since).
    pub fn state_tree_version(self) -> fvm_shared::state::StateTreeVersion {
        match self {
            Self::V2 => fvm_shared::state::StateTreeVersion::V4,
            _ => fvm_shared::state::StateTreeVersion::V5,
        }
    }

    /// The message of the `LimitExceeded` error of a full block registry.
    pub fn block_limit_message(self) -> &'static str {
        match self {
            Self::V2 | Self::V3 => "too many blocks have been written",
            Self::V4 => "too many blocks",
        }
    }

    /// The message of the `NotFound` error of a send to an address that resolves to no actor
    /// and whose kind gets none created, before the address (`{to}`).
    pub fn missing_receiver_message(self) -> &'static str {
        match self {
            Self::V2 => "actor does not exist",
            Self::V3 | Self::V4 => "actor does not exist or cannot be created",
        }
    }

    /// Whether reading and setting the actor's state root are charged (`OnActorGetRoot`,
    /// `OnActorSetRoot`; ref-fvm 4).
    pub fn charges_root_access(self) -> bool {
        self == Self::V4
    }

    /// How far back `network::tipset_cid` may look (`None`: no limit; ref-fvm 4 prices the
    /// lookback instead, FIP-0075).
    pub fn tipset_lookback_limit(self) -> Option<i64> {
        match self {
            Self::V2 | Self::V3 => Some(900),
            Self::V4 => None,
        }
    }

    /// Whether a send that exceeds the call depth still pops the gas limit it pushed (ref-fvm 3
    /// leaves it pushed).
    pub fn pops_gas_limit_on_depth_error(self) -> bool {
        self == Self::V4
    }

    /// Whether calling an actor whose code lacks the entrypoint (`invoke` or `upgrade`) exits
    /// with `SYS_INVALID_RECEIVER` (ref-fvm 4) rather than failing fatally (ref-fvm 3).
    pub fn missing_entrypoint_is_exit(self) -> bool {
        self == Self::V4
    }

    /// Whether a failed implicit constructor call (an account created by a send) adds a frame
    /// to the backtrace (ref-fvm 3 does; ref-fvm 4 records frames for explicit invocations only).
    pub fn backtraces_implicit_constructors(self) -> bool {
        self <= Self::V3
    }

    /// Whether receipts report the codec of the returned block (`ApplyRet::return_codec`,
    /// ref-fvm 4.8).
    pub fn reports_return_codec(self) -> bool {
        self == Self::V4
    }

    /// The circulating supply a machine context defaults to: the total FIL supply in ref-fvm 3,
    /// zero in ref-fvm 4.
    pub fn default_circ_supply(self) -> TokenAmount {
        match self {
            Self::V2 | Self::V3 => TokenAmount::from_whole(crate::machine::TOTAL_FILECOIN),
            Self::V4 => TokenAmount::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_versions_map_to_abis() {
        for nv in 0..40u32 {
            let expected = match nv {
                17 => Some(Abi::V2),
                18..=20 => Some(Abi::V3),
                21..=29 => Some(Abi::V4),
                _ => None,
            };
            assert_eq!(
                Abi::for_network(NetworkVersion::new(nv)),
                expected,
                "nv{nv}"
            );
        }
    }
}
