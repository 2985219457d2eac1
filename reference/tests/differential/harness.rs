//! The differential harness of these tests, parameterised by ABI: the network each ABI is
//! tested at, its bundle and engine, genesis states with WAT test actors, and a setup run on
//! ifvm and on ref-fvm (3.14 for [`Abi::V3`], 4.8 for [`Abi::V4`]) with every result compared.

use std::sync::OnceLock;

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_interp::Engine;
use ifvm_kernel::Abi;
use ifvm_vectors::{
    data, first_difference, run_ifvm, threads, BundleSet, Genesis, MessageResult, Setup,
    SharedBlocks,
};

/// The network an ABI is tested at.
pub struct Net {
    /// The ABI.
    pub abi: Abi,
    /// Its network version.
    pub nv: u32,
}

/// The first network version of `abi` (nv18, actors v10, for ref-fvm 3's ABI; nv21, actors
/// v12, for ref-fvm 4's).
pub fn net(abi: Abi) -> Net {
    let nv = (0u32..)
        .find(|&nv| Abi::for_network(NetworkVersion::from(nv)) == Some(abi))
        .expect("every ABI runs some network version");
    Net { abi, nv }
}

impl Net {
    /// The mainnet bundle and its root, or `None` (after saying `SKIPPED`) without bundles.
    pub fn bundle(&self) -> Option<(SharedBlocks, Cid)> {
        bundle(self.nv)
    }

    /// ifvm's engine for this network, shared by every test.
    pub fn engine(&self) -> &'static Engine {
        static V2: OnceLock<Engine> = OnceLock::new();
        static V3: OnceLock<Engine> = OnceLock::new();
        static V4: OnceLock<Engine> = OnceLock::new();
        let cell = match self.abi {
            Abi::V2 => &V2,
            Abi::V3 => &V3,
            Abi::V4 => &V4,
        };
        cell.get_or_init(|| ifvm_vectors::engine(self.nv).expect("a supported version"))
    }

    /// A setup around `genesis` with `messages`, on the scenarios' machine ([`Setup::new`]).
    pub fn setup(&self, genesis: Genesis, messages: Vec<Message>) -> Setup {
        Setup::new(genesis.finish().expect("genesis"), self.nv, messages)
    }

    /// Runs `setup` on ifvm alone.
    pub fn run_ours(&self, setup: &Setup) -> Vec<MessageResult> {
        let engine = self.engine();
        threads::with_stack(|| run_ifvm(setup, engine)).unwrap_or_else(|e| panic!("ifvm: {e}"))
    }

    /// Runs `setup` on ifvm and on ref-fvm; panics (naming `what`) if anything differs.
    /// Returns the (identical) results.
    pub fn assert_same(&self, what: &str, setup: Setup) -> Vec<MessageResult> {
        let ours = self.run_ours(&setup);
        let theirs = threads::with_stack(|| {
            ifvm_reference::run_ref_fvm(&setup).map_err(|e| format!("{e:#}"))
        })
        .unwrap_or_else(|e| panic!("{what}: ref-fvm: {e}"));
        if let Some(difference) = first_difference(&ours, &theirs) {
            panic!("{what}: ifvm and ref-fvm differ, {difference}\nifvm: {ours:#?}\nref-fvm: {theirs:#?}");
        }
        ours
    }
}

/// The builtin-actors bundles of `IFVM_ACTORS`, loaded once for every test.
pub fn bundles() -> &'static BundleSet {
    static BUNDLES: OnceLock<BundleSet> = OnceLock::new();
    BUNDLES.get_or_init(|| BundleSet::new(data::actors_dir()))
}

/// The mainnet bundle of network version `nv` and its root, or `None` (after saying `SKIPPED`)
/// if it is not available.
pub fn bundle(nv: u32) -> Option<(SharedBlocks, Cid)> {
    bundles()
        .with_root(nv)
        .map_err(|e| eprintln!("SKIPPED: {e} (set {})", data::ACTORS_VAR))
        .ok()
}

/// The account test messages come from (secp256k1, seed 1).
pub fn sender() -> Address {
    secp_address(1)
}

/// A genesis state on `bundle` with [`sender`] holding 1,000,000 FIL.
pub fn funded_genesis(bundle: &SharedBlocks, root: &Cid) -> Genesis {
    let mut g = Genesis::new(bundle.clone(), root).expect("genesis");
    g.account(sender(), TokenAmount::from_whole(1_000_000))
        .expect("sender account");
    g
}

/// Messages from [`sender`] to `to`, one per (method, value in attoFIL) with nonces from 0.
pub fn calls(to: Address, calls: &[(u64, u64)]) -> Vec<Message> {
    calls
        .iter()
        .enumerate()
        .map(|(seq, &(method, value))| {
            message(
                sender(),
                to,
                seq as u64,
                method,
                TokenAmount::from_atto(value),
                vec![],
            )
        })
        .collect()
}

/// A message from `from` to `to` with a generous gas limit.
pub fn message(
    from: Address,
    to: Address,
    seq: u64,
    method: u64,
    value: TokenAmount,
    params: Vec<u8>,
) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence: seq,
        value,
        method_num: method,
        params: params.into(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(1000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

/// A deterministic secp256k1 account address.
pub fn secp_address(seed: u8) -> Address {
    Address::new_secp256k1(&[seed; 65]).unwrap()
}

/// `bytes` as a WAT string literal body.
pub fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}
