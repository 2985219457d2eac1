//! The structures syscalls write through out-pointers, in ref-fvm's packed C layout
//! (little-endian, no padding).

use fvm_shared::econ::TokenAmount;
use ifvm_interp::GuestValue;

use crate::error::{Fatal, Result};

/// Writes fields in order.
struct Writer<'a>(&'a mut [u8]);

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let (head, tail) = std::mem::take(&mut self.0).split_at_mut(bytes.len());
        head.copy_from_slice(bytes);
        self.0 = tail;
    }
}

/// `fvm_shared::sys::TokenAmount`: a u128 as `lo`, `hi`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SysTokenAmount(u128);

impl SysTokenAmount {
    /// The amount, or a fatal error if it does not fit in 128 bits (or is negative).
    pub fn new(amount: &TokenAmount, what: &str) -> Result<Self> {
        let atto = amount.atto();
        u128::try_from(atto)
            .map(Self)
            .map_err(|_| Fatal::msg(format!("{what} exceeds u128")).into())
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.put(&(self.0 as u64).to_le_bytes());
        w.put(&((self.0 >> 64) as u64).to_le_bytes());
    }
}

impl GuestValue for SysTokenAmount {
    const SIZE: usize = 16;
    fn write_le(&self, out: &mut [u8]) {
        self.write(&mut Writer(out))
    }
}

/// `sys::out::ipld::IpldOpen`.
pub(crate) struct IpldOpen {
    pub codec: u64,
    pub id: u32,
    pub size: u32,
}

impl GuestValue for IpldOpen {
    const SIZE: usize = 16;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        w.put(&self.codec.to_le_bytes());
        w.put(&self.id.to_le_bytes());
        w.put(&self.size.to_le_bytes());
    }
}

/// `sys::out::ipld::IpldStat`.
pub(crate) struct IpldStat {
    pub codec: u64,
    pub size: u32,
}

impl GuestValue for IpldStat {
    const SIZE: usize = 12;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        w.put(&self.codec.to_le_bytes());
        w.put(&self.size.to_le_bytes());
    }
}

/// `sys::out::send::Send`.
pub(crate) struct SendOut {
    pub exit_code: u32,
    pub return_id: u32,
    pub return_codec: u64,
    pub return_size: u32,
}

impl GuestValue for SendOut {
    const SIZE: usize = 20;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        w.put(&self.exit_code.to_le_bytes());
        w.put(&self.return_id.to_le_bytes());
        w.put(&self.return_codec.to_le_bytes());
        w.put(&self.return_size.to_le_bytes());
    }
}

/// `sys::out::crypto::VerifyConsensusFault`.
pub(crate) struct VerifyConsensusFault {
    pub epoch: i64,
    pub target: u64,
    pub fault: u32,
}

impl GuestValue for VerifyConsensusFault {
    const SIZE: usize = 20;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        w.put(&self.epoch.to_le_bytes());
        w.put(&self.target.to_le_bytes());
        w.put(&self.fault.to_le_bytes());
    }
}

/// ref-fvm 2's `sys::out::vm::InvocationContext` (52 bytes).
pub(crate) struct InvocationContextV2 {
    pub value_received: SysTokenAmount,
    pub caller: u64,
    pub receiver: u64,
    pub method_number: u64,
    pub network_curr_epoch: i64,
    pub network_version: u32,
}

impl GuestValue for InvocationContextV2 {
    const SIZE: usize = 52;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        self.value_received.write(&mut w);
        for v in [self.caller, self.receiver, self.method_number] {
            w.put(&v.to_le_bytes());
        }
        w.put(&self.network_curr_epoch.to_le_bytes());
        w.put(&self.network_version.to_le_bytes());
    }
}

/// `sys::out::vm::MessageContext`.
pub(crate) struct MessageContext {
    pub origin: u64,
    pub nonce: u64,
    pub caller: u64,
    pub receiver: u64,
    pub method_number: u64,
    pub value_received: SysTokenAmount,
    pub gas_premium: SysTokenAmount,
    pub flags: u64,
}

impl GuestValue for MessageContext {
    const SIZE: usize = 80;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        for v in [
            self.origin,
            self.nonce,
            self.caller,
            self.receiver,
            self.method_number,
        ] {
            w.put(&v.to_le_bytes());
        }
        self.value_received.write(&mut w);
        self.gas_premium.write(&mut w);
        w.put(&self.flags.to_le_bytes());
    }
}

/// `sys::out::network::NetworkContext`.
pub(crate) struct NetworkContext {
    pub epoch: i64,
    pub timestamp: u64,
    pub base_fee: SysTokenAmount,
    pub chain_id: u64,
    pub network_version: u32,
}

impl GuestValue for NetworkContext {
    const SIZE: usize = 44;
    fn write_le(&self, out: &mut [u8]) {
        let mut w = Writer(out);
        w.put(&self.epoch.to_le_bytes());
        w.put(&self.timestamp.to_le_bytes());
        self.base_fee.write(&mut w);
        w.put(&self.chain_id.to_le_bytes());
        w.put(&self.network_version.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layouts must be those of `fvm_shared::sys` (`repr(packed, C)`).
    #[test]
    fn sizes_match_fvm_shared() {
        use fvm_shared::sys::out;
        assert_eq!(IpldOpen::SIZE, std::mem::size_of::<out::ipld::IpldOpen>());
        assert_eq!(IpldStat::SIZE, std::mem::size_of::<out::ipld::IpldStat>());
        assert_eq!(SendOut::SIZE, std::mem::size_of::<out::send::Send>());
        assert_eq!(
            VerifyConsensusFault::SIZE,
            std::mem::size_of::<out::crypto::VerifyConsensusFault>()
        );
        assert_eq!(
            MessageContext::SIZE,
            std::mem::size_of::<out::vm::MessageContext>()
        );
        assert_eq!(
            NetworkContext::SIZE,
            std::mem::size_of::<out::network::NetworkContext>()
        );
        assert_eq!(
            SysTokenAmount::SIZE,
            std::mem::size_of::<fvm_shared::sys::TokenAmount>()
        );
    }

    #[test]
    fn token_amounts_are_lo_then_hi() {
        let mut out = [0u8; 16];
        let v = SysTokenAmount::new(&TokenAmount::from_atto((7u128 << 64) | 9), "x").unwrap();
        v.write_le(&mut out);
        assert_eq!(&out[..8], &9u64.to_le_bytes());
        assert_eq!(&out[8..], &7u64.to_le_bytes());
        assert!(SysTokenAmount::new(&TokenAmount::from_atto(-1), "x").is_err());
    }
}
