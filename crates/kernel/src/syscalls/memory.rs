//! Reading and writing Filecoin values in guest memory.

use cid::Cid;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::error::ErrorNumber;
use ifvm_interp::GuestMemory;
use serde::de::DeserializeOwned;

use crate::abi::Abi;
use crate::error::{Classify, ExecutionError, Result};
use crate::syscall_error;

impl From<ifvm_interp::OutOfBounds> for ExecutionError {
    fn from(e: ifvm_interp::OutOfBounds) -> Self {
        syscall_error!(IllegalArgument; "{e}")
    }
}

/// Filecoin values in guest memory; every failure is `IllegalArgument`, except a CID too large
/// for its buffer (`BufferTooSmall`).
pub(crate) trait FilecoinMemory {
    /// The CID at `offset`: read up to the end of memory, as it is self-delimiting.
    fn read_cid(&self, offset: u32) -> Result<Cid>;
    /// Writes `cid` into the `len` bytes at `offset`; returns its length.
    fn write_cid(&mut self, cid: &Cid, offset: u32, len: u32) -> Result<u32>;
    /// The address in the `len` bytes at `offset`, of a protocol `abi` knows (ref-fvm 2's
    /// addresses have no f4: it reads one as an unknown protocol).
    fn read_address(&self, offset: u32, len: u32, abi: Abi) -> Result<Address>;
    /// The CBOR value in the `len` bytes at `offset`.
    fn read_cbor<T: DeserializeOwned>(&self, offset: u32, len: u32) -> Result<T>;
}

impl FilecoinMemory for GuestMemory<'_> {
    fn read_cid(&self, offset: u32) -> Result<Cid> {
        let bytes = self.tail(offset).map_err(
            |_| syscall_error!(IllegalArgument; "cid at offset {offset} is out of bounds"),
        )?;
        Cid::read_bytes(bytes).or_error(ErrorNumber::IllegalArgument)
    }

    fn write_cid(&mut self, cid: &Cid, offset: u32, len: u32) -> Result<u32> {
        let out = self.slice_mut(offset, len)?;
        // Written straight into guest memory: no buffer on the syscall path.
        let n = cid.encoded_len();
        let Some(out) = out.get_mut(..n) else {
            return Err(syscall_error!(BufferTooSmall; "cid output buffer is too small"));
        };
        cid.write_bytes(out).or_fatal("failed to format a cid")?;
        Ok(n as u32)
    }

    fn read_address(&self, offset: u32, len: u32, abi: Abi) -> Result<Address> {
        let bytes = self.slice(offset, len)?;
        // As ref-fvm 2's address parser: the length first, then the protocol byte.
        if bytes.len() >= 2
            && bytes[0] == Protocol::Delegated as u8
            && !abi.has_delegated_addresses()
        {
            return Err(syscall_error!(IllegalArgument; "Unknown address protocol"));
        }
        Address::from_bytes(bytes).or_illegal_argument()
    }

    fn read_cbor<T: DeserializeOwned>(&self, offset: u32, len: u32) -> Result<T> {
        let bytes = self.slice(offset, len)?;
        std::panic::catch_unwind(|| fvm_ipld_encoding::from_slice(bytes))
            .map_err(|_| syscall_error!(IllegalArgument; "panic when decoding cbor from actor"))?
            .or_illegal_argument()
    }
}
