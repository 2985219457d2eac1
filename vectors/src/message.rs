//! Messages as vectors carry them: CBOR bytes, decoded with the length they had on chain.

use fvm_ipld_encoding::from_slice;
use fvm_shared::address::Protocol;
use fvm_shared::crypto::signature::SECP_SIG_LEN;
use fvm_shared::message::Message;

/// The message, and its length on chain: secp256k1 messages were signed, so ref-fvm's runner
/// adds the signature (65 bytes), its type byte and 3 bytes of framing.
pub fn decode_message(bytes: &[u8]) -> Result<(Message, usize), String> {
    let msg: Message = from_slice(bytes).map_err(|e| format!("invalid message: {e}"))?;
    let mut raw_length = bytes.len();
    if msg.from.protocol() == Protocol::Secp256k1 {
        raw_length += SECP_SIG_LEN + 4;
    }
    Ok((msg, raw_length))
}
