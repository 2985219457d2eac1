//! Checked access to guest memory from host functions.

/// A guest pointer and length that do not lie within guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("buffer {offset} (length {len}) out of bounds")]
pub struct OutOfBounds {
    /// The guest pointer.
    pub offset: u32,
    /// The length requested at that pointer.
    pub len: u32,
}

/// The calling instance's linear memory, for the duration of one host call.
///
/// Every access is bounds-checked in 64-bit arithmetic; nothing a guest passes can make the host
/// read or write outside the memory or panic.
pub struct GuestMemory<'a>(&'a mut [u8]);

impl<'a> GuestMemory<'a> {
    /// Wraps a memory's bytes.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        Self(bytes)
    }

    /// The memory's size in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for a memory of size zero.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks that `len` bytes at `offset` are in bounds.
    #[inline]
    pub fn check_bounds(&self, offset: u32, len: u32) -> Result<(), OutOfBounds> {
        if u64::from(offset) + u64::from(len) <= self.0.len() as u64 {
            Ok(())
        } else {
            Err(OutOfBounds { offset, len })
        }
    }

    /// The `len` bytes at `offset`.
    #[inline]
    pub fn slice(&self, offset: u32, len: u32) -> Result<&[u8], OutOfBounds> {
        self.check_bounds(offset, len)?;
        Ok(&self.0[offset as usize..offset as usize + len as usize])
    }

    /// The `len` bytes at `offset`, writable.
    #[inline]
    pub fn slice_mut(&mut self, offset: u32, len: u32) -> Result<&mut [u8], OutOfBounds> {
        self.check_bounds(offset, len)?;
        Ok(&mut self.0[offset as usize..offset as usize + len as usize])
    }

    /// Everything from `offset` to the end of memory (for self-delimiting encodings).
    #[inline]
    pub fn tail(&self, offset: u32) -> Result<&[u8], OutOfBounds> {
        self.0
            .get(offset as usize..)
            .ok_or(OutOfBounds { offset, len: 0 })
    }

    /// The `len` bytes at `offset` as `len / S` arrays of `S` bytes; `len` must be a multiple of
    /// `S`.
    pub fn chunks<const S: usize>(&self, offset: u32, len: u32) -> Result<&[[u8; S]], OutOfBounds> {
        if S == 0 || !(len as usize).is_multiple_of(S) {
            return Err(OutOfBounds { offset, len });
        }
        let bytes = self.slice(offset, len)?;
        let (chunks, rest) = bytes.as_chunks::<S>();
        debug_assert!(rest.is_empty());
        Ok(chunks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let mut bytes = [1u8, 2, 3, 4];
        let mut m = GuestMemory::new(&mut bytes);
        assert_eq!(m.slice(0, 4).unwrap(), &[1, 2, 3, 4]);
        assert_eq!(m.slice(4, 0).unwrap(), &[] as &[u8]);
        assert!(m.slice(5, 0).is_err());
        assert!(m.slice(1, 4).is_err());
        assert!(m.slice(u32::MAX, u32::MAX).is_err());
        assert!(m.slice_mut(3, 2).is_err());
        m.slice_mut(3, 1).unwrap()[0] = 9;
        assert_eq!(m.tail(2).unwrap(), &[3, 9]);
        assert!(m.tail(5).is_err());
        assert_eq!(m.chunks::<2>(0, 4).unwrap(), &[[1, 2], [3, 9]]);
        assert!(m.chunks::<3>(0, 4).is_err());
        let mut empty = [];
        let e = GuestMemory::new(&mut empty);
        assert!(e.slice(0, 0).is_ok());
        assert!(e.slice(10, 0).is_err());
    }
}
