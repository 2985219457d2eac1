//! A process that cannot map executable memory: `no_new_privs`, a seccomp filter on every
//! thread that fails `mmap`, `mprotect` and `pkey_mprotect` with `PROT_EXEC` (`EPERM`), and,
//! where the kernel has it (6.3+), memory-deny-write-execute (`PR_SET_MDWE`).

use std::io;

/// `AUDIT_ARCH_*` of `linux/audit.h`: the ELF machine, 64-bit, little-endian.
const fn audit_arch(machine: u16) -> u32 {
    const AUDIT_ARCH_64BIT: u32 = 0x8000_0000;
    const AUDIT_ARCH_LE: u32 = 0x4000_0000;
    machine as u32 | AUDIT_ARCH_64BIT | AUDIT_ARCH_LE
}

/// The audit architecture of this build's syscalls, where the filter's constants are known.
fn this_audit_arch() -> Option<u32> {
    if cfg!(target_arch = "x86_64") {
        Some(audit_arch(libc::EM_X86_64))
    } else if cfg!(target_arch = "aarch64") {
        Some(audit_arch(libc::EM_AARCH64))
    } else if cfg!(target_arch = "riscv64") {
        Some(audit_arch(libc::EM_RISCV))
    } else {
        None
    }
}

/// x86-64's x32 ABI: syscall numbers with this bit share x86-64's audit architecture.
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// Why the process could not be restricted.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The filter's constants are unknown for this architecture.
    #[error("no seccomp constants for this architecture")]
    UnknownArchitecture,
    /// The kernel (or an emulator, such as qemu user-mode) does not take seccomp filters.
    #[error("{0}: seccomp filters are unavailable here")]
    Unsupported(&'static str, #[source] io::Error),
    /// A call failed for another reason.
    #[error("{0}")]
    Failed(&'static str, #[source] io::Error),
}

/// What [`deny_exec_mappings`] put in place.
#[derive(Debug)]
pub struct Restrictions {
    /// Whether memory-deny-write-execute is on too (the seccomp filter always is).
    pub mdwe: bool,
}

fn unsupported_or_failed(what: &'static str) -> SandboxError {
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOSYS | libc::EINVAL) => SandboxError::Unsupported(what, e),
        _ => SandboxError::Failed(what, e),
    }
}

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    jump(code, k, 0, 0)
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// The filter: syscalls of another ABI fail; `mmap`, `mprotect` and `pkey_mprotect` whose
/// protection (argument 2) has `PROT_EXEC` fail with `EPERM`; everything else is allowed.
fn filter(arch: u32) -> Vec<libc::sock_filter> {
    use libc::{BPF_ABS, BPF_JEQ, BPF_JGE, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W};
    let deny = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
    let allow = libc::SECCOMP_RET_ALLOW;
    let nr = std::mem::offset_of!(libc::seccomp_data, nr) as u32;
    let arch_offset = std::mem::offset_of!(libc::seccomp_data, arch) as u32;
    let args = std::mem::offset_of!(libc::seccomp_data, args) as u32;
    // The low 32 bits of the 64-bit argument 2.
    let prot = args + 2 * 8 + if cfg!(target_endian = "big") { 4 } else { 0 };
    let mut program = vec![
        stmt(BPF_LD | BPF_W | BPF_ABS, arch_offset),
        jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
        stmt(BPF_RET | BPF_K, deny),
        stmt(BPF_LD | BPF_W | BPF_ABS, nr),
    ];
    if cfg!(target_arch = "x86_64") {
        program.push(jump(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1));
        program.push(stmt(BPF_RET | BPF_K, deny));
    }
    program.extend([
        jump(BPF_JMP | BPF_JEQ | BPF_K, libc::SYS_mmap as u32, 3, 0),
        jump(BPF_JMP | BPF_JEQ | BPF_K, libc::SYS_mprotect as u32, 2, 0),
        jump(
            BPF_JMP | BPF_JEQ | BPF_K,
            libc::SYS_pkey_mprotect as u32,
            1,
            0,
        ),
        stmt(BPF_RET | BPF_K, allow),
        stmt(BPF_LD | BPF_W | BPF_ABS, prot),
        jump(BPF_JMP | BPF_JSET | BPF_K, libc::PROT_EXEC as u32, 0, 1),
        stmt(BPF_RET | BPF_K, deny),
        stmt(BPF_RET | BPF_K, allow),
    ]);
    program
}

/// Restricts every thread of this process, and every thread it starts from now on.
pub fn deny_exec_mappings() -> Result<Restrictions, SandboxError> {
    let arch = this_audit_arch().ok_or(SandboxError::UnknownArchitecture)?;
    let program = filter(arch);
    let fprog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(unsupported_or_failed("prctl(PR_SET_NO_NEW_PRIVS)"));
    }
    // SAFETY: `fprog` points to `program`, both alive during the call; the kernel copies the
    // filter.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_TSYNC,
            &fprog as *const libc::sock_fprog,
        )
    };
    match ret {
        0 => {}
        -1 => return Err(unsupported_or_failed("seccomp(SECCOMP_SET_MODE_FILTER)")),
        tid => {
            return Err(SandboxError::Failed(
                "seccomp: a thread could not be synchronized",
                io::Error::other(format!("thread {tid}")),
            ))
        }
    }
    // SAFETY: prctl with integer arguments only.
    let mdwe = unsafe {
        libc::prctl(
            libc::PR_SET_MDWE,
            libc::PR_MDWE_REFUSE_EXEC_GAIN as libc::c_ulong,
            0,
            0,
            0,
        )
    } == 0;
    Ok(Restrictions { mdwe })
}

/// How an attempt to get executable memory ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The kernel refused, with this errno.
    Refused(i32),
    /// The memory was mapped executable.
    Granted,
}

fn attempt(ret: bool) -> Attempt {
    if ret {
        Attempt::Granted
    } else {
        Attempt::Refused(io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }
}

const PAGE: usize = 4096;

/// Tries `mmap` with `prot`, unmapping what it got.
pub fn try_mmap(prot: i32) -> Attempt {
    // SAFETY: a fresh anonymous private mapping, unmapped before returning.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            PAGE,
            prot,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        let granted = p != libc::MAP_FAILED;
        let result = attempt(granted);
        if granted {
            libc::munmap(p, PAGE);
        }
        result
    }
}

/// Maps a writable page, then tries to make it executable with `mprotect`.
pub fn try_mprotect_exec() -> Result<Attempt, io::Error> {
    // SAFETY: a fresh anonymous private mapping, unmapped before returning.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let result = attempt(libc::mprotect(p, PAGE, libc::PROT_READ | libc::PROT_EXEC) == 0);
        libc::munmap(p, PAGE);
        Ok(result)
    }
}
