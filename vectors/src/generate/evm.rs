//! Hand-assembled EVM contracts for the FEVM scenarios, and the CBOR framing of EAM deployments
//! and EVM invocations.

/// EVM opcodes used here.
#[allow(missing_docs)]
pub mod op {
    pub const STOP: u8 = 0x00;
    pub const ADD: u8 = 0x01;
    pub const SUB: u8 = 0x03;
    pub const ADDRESS: u8 = 0x30;
    pub const CALLER: u8 = 0x33;
    pub const CALLVALUE: u8 = 0x34;
    pub const CALLDATALOAD: u8 = 0x35;
    pub const CALLDATASIZE: u8 = 0x36;
    pub const CALLDATACOPY: u8 = 0x37;
    pub const CODECOPY: u8 = 0x39;
    pub const RETURNDATASIZE: u8 = 0x3d;
    pub const RETURNDATACOPY: u8 = 0x3e;
    pub const PREVRANDAO: u8 = 0x44;
    pub const POP: u8 = 0x50;
    pub const MSTORE: u8 = 0x52;
    pub const SLOAD: u8 = 0x54;
    pub const SSTORE: u8 = 0x55;
    pub const GAS: u8 = 0x5a;
    pub const DUP1: u8 = 0x80;
    pub const LOG0: u8 = 0xa0;
    pub const CREATE: u8 = 0xf0;
    pub const CALL: u8 = 0xf1;
    pub const RETURN: u8 = 0xf3;
    pub const CREATE2: u8 = 0xf5;
    pub const REVERT: u8 = 0xfd;
    pub const SELFDESTRUCT: u8 = 0xff;
}

/// An EVM program under construction.
#[derive(Default, Clone)]
pub struct Asm(Vec<u8>);

impl Asm {
    /// An empty program.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends opcodes.
    pub fn ops(mut self, ops: &[u8]) -> Self {
        self.0.extend_from_slice(ops);
        self
    }

    /// Appends the shortest `PUSHn` of `value` (big-endian, leading zeros dropped; `PUSH1 0` for
    /// zero).
    pub fn push(mut self, value: &[u8]) -> Self {
        let start = value.iter().position(|&b| b != 0).unwrap_or(value.len());
        let bytes = if start == value.len() {
            &[0u8][..]
        } else {
            &value[start..]
        };
        assert!(bytes.len() <= 32, "PUSH takes at most 32 bytes");
        self.0.push(0x5f + bytes.len() as u8);
        self.0.extend_from_slice(bytes);
        self
    }

    /// Appends `PUSH` of a number.
    pub fn push_u64(self, value: u64) -> Self {
        self.push(&value.to_be_bytes())
    }

    /// Returns the 32-byte word on top of the stack: `MSTORE` at 0, `RETURN 0..32`.
    pub fn return_top(self) -> Self {
        self.push_u64(0)
            .ops(&[op::MSTORE])
            .push_u64(32)
            .push_u64(0)
            .ops(&[op::RETURN])
    }

    /// The bytecode.
    pub fn code(self) -> Vec<u8> {
        self.0
    }
}

/// Init code that deploys `runtime`: copies it to memory and returns it.
pub fn deploy(runtime: &[u8]) -> Vec<u8> {
    let len = runtime.len() as u64;
    let prefix_len = 13u64; // the length of the prefix below (PUSH2 len, ..., RETURN)
    let mut code = Asm::new()
        .ops(&[0x61])
        .ops(&(len as u16).to_be_bytes())
        .ops(&[op::DUP1, 0x61])
        .ops(&(prefix_len as u16).to_be_bytes())
        .push_u64(0)
        .ops(&[op::CODECOPY])
        .push_u64(0)
        .ops(&[op::RETURN])
        .code();
    assert_eq!(code.len() as u64, prefix_len, "prefix length");
    code.extend_from_slice(runtime);
    code
}

/// Returns `PREVRANDAO`: the FEVM draws it from the chain's beacon randomness of the current
/// epoch.
pub fn prevrandao() -> Vec<u8> {
    Asm::new().ops(&[op::PREVRANDAO]).return_top().code()
}

/// Stores calldata word 0 in slot 0 (if there is calldata), then returns slot 0.
pub fn storage() -> Vec<u8> {
    // CALLDATASIZE ISZERO would need a jump; instead store only when word 0 is non-zero by
    // adding it to the current value: slot0 += calldata[0].
    Asm::new()
        .push_u64(0)
        .ops(&[op::SLOAD])
        .push_u64(0)
        .ops(&[op::CALLDATALOAD, op::ADD])
        .push_u64(0)
        .ops(&[op::SSTORE])
        .push_u64(0)
        .ops(&[op::SLOAD])
        .return_top()
        .code()
}

/// Emits LOG0 to LOG4 (data: the caller's address word; topics: constants and the call value).
pub fn logger() -> Vec<u8> {
    let mut asm = Asm::new().ops(&[op::CALLER]).push_u64(0).ops(&[op::MSTORE]);
    for n in 0..=4u8 {
        for t in 0..n {
            asm = if t == 0 {
                asm.ops(&[op::CALLVALUE])
            } else {
                asm.push_u64(0x1000 + u64::from(t))
            };
        }
        asm = asm.push_u64(32).push_u64(0).ops(&[op::LOG0 + n]);
    }
    asm.ops(&[op::STOP]).code()
}

/// Reverts with a 32-byte reason (42).
pub fn reverter() -> Vec<u8> {
    Asm::new()
        .push_u64(42)
        .push_u64(0)
        .ops(&[op::MSTORE])
        .push_u64(32)
        .push_u64(0)
        .ops(&[op::REVERT])
        .code()
}

/// Self-destructs, sending its balance to the caller.
pub fn self_destructing() -> Vec<u8> {
    Asm::new().ops(&[op::CALLER, op::SELFDESTRUCT]).code()
}

/// A proxy: calldata is a 32-byte word holding the target address, then the input; it CALLs the
/// target with the call value, all gas and the input, and returns `success` followed by the
/// target's return data.
pub fn proxy() -> Vec<u8> {
    Asm::new()
        // memory[0..n-32] = calldata[32..]
        .push_u64(32)
        .ops(&[op::CALLDATASIZE])
        .ops(&[op::SUB]) // calldatasize - 32
        .push_u64(32)
        .push_u64(0)
        .ops(&[op::CALLDATACOPY])
        // CALL(gas, addr, value, in_off, in_size, out_off, out_size)
        .push_u64(0)
        .push_u64(0)
        .push_u64(32)
        .ops(&[op::CALLDATASIZE, op::SUB]) // in_size = calldatasize - 32
        .push_u64(0)
        .ops(&[op::CALLVALUE])
        .push_u64(0)
        .ops(&[op::CALLDATALOAD, op::GAS, op::CALL])
        // memory[0..32] = success; memory[32..] = return data
        .push_u64(0)
        .ops(&[op::MSTORE])
        .ops(&[op::RETURNDATASIZE])
        .push_u64(0)
        .push_u64(32)
        .ops(&[op::RETURNDATACOPY])
        .ops(&[op::RETURNDATASIZE])
        .push_u64(32)
        .ops(&[op::ADD])
        .push_u64(0)
        .ops(&[op::RETURN])
        .code()
}

/// A factory: creates a contract from the init code in its calldata (CREATE, or CREATE2 with
/// salt 7 when called with value), returning the new address word (zero on failure).
pub fn factory(create2: bool) -> Vec<u8> {
    let asm = Asm::new()
        .ops(&[op::CALLDATASIZE])
        .push_u64(0)
        .push_u64(0)
        .ops(&[op::CALLDATACOPY]);
    let asm = if create2 {
        asm.push_u64(7)
            .ops(&[op::CALLDATASIZE])
            .push_u64(0)
            .push_u64(0)
            .ops(&[op::CREATE2])
    } else {
        asm.ops(&[op::CALLDATASIZE])
            .push_u64(0)
            .push_u64(0)
            .ops(&[op::CREATE])
    };
    asm.return_top().code()
}

/// Calls itself with all its gas, forever: the call depth limit (or gas) ends it.
pub fn recursive() -> Vec<u8> {
    Asm::new()
        .push_u64(0)
        .push_u64(0)
        .push_u64(0)
        .push_u64(0)
        .push_u64(0)
        .ops(&[op::ADDRESS, op::GAS, op::CALL])
        .return_top()
        .code()
}

/// The 32-byte word holding a 20-byte address.
pub fn address_word(addr: &[u8; 20]) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(addr);
    w
}

/// The Ethereum address of the precompile `n` (0x00..0n).
pub fn precompile(n: u8) -> [u8; 20] {
    let mut a = [0u8; 20];
    a[19] = n;
    a
}

/// The Ethereum address that names Filecoin actor `id` (0xff, zeros, the ID big-endian).
pub fn id_address(id: u64) -> [u8; 20] {
    let mut a = [0u8; 20];
    a[0] = 0xff;
    a[12..].copy_from_slice(&id.to_be_bytes());
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_prefix_copies_exactly_the_runtime() {
        let runtime = storage();
        let init = deploy(&runtime);
        assert_eq!(&init[13..], runtime.as_slice());
        // PUSH2 len, DUP1, PUSH2 13, PUSH1 0, CODECOPY, PUSH1 0, RETURN
        assert_eq!(init[0], 0x61);
        assert_eq!(
            u16::from_be_bytes([init[1], init[2]]) as usize,
            runtime.len()
        );
        assert_eq!(u16::from_be_bytes([init[5], init[6]]), 13);
    }

    #[test]
    fn pushes_are_minimal() {
        assert_eq!(Asm::new().push_u64(0).code(), vec![0x60, 0]);
        assert_eq!(Asm::new().push_u64(0x1234).code(), vec![0x61, 0x12, 0x34]);
    }
}
