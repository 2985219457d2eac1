//! A persistent cache of prepared modules: the instrumented Wasm of each actor, in a directory,
//! so a new process skips validation and instrumentation (nearly all of a cold start's time).
//!
//! - **Keyed** by the code CID, the engine settings preparation depends on (stack limit, Wasm
//!   prices and with them the metering generation, instance limits, instruction profiling), the
//!   crate version, [`FORMAT`], and what preparation makes of a probe module under those
//!   settings (so an instrumenter update changes the keys): an engine never finds another
//!   configuration's or another build's entry. Engines that differ only in when functions are
//!   translated, or in their in-memory cache size, share entries.
//! - **Written atomically**: into a temporary file in the same directory, then renamed over the
//!   entry, so a reader sees a whole entry or none, whichever process wrote it.
//! - **Verified on load**: the header names the key it was written for, the payload's length and
//!   its Blake2b-256 digest. An entry that fails any check (truncated, corrupted, another key's,
//!   another format's) is reported ([`DiskCache::take_problems`]), never executed, and rebuilt
//!   from the actor's code; the rebuilt module is written over it. The payload is Wasm, so wasmi
//!   validates it again when it is loaded.
//! - **Bounded on request**: [`DiskCache::prune`] removes entries until the rest fit a byte
//!   budget: first those no build of this format can load (another [`FORMAT`]'s, headerless,
//!   or naming another key than their file name), then the least recently written or loaded,
//!   and temporary files abandoned by writers that died. Entries of other ifvm versions or
//!   configurations age out by the second rule.
//!
//! A cache problem never fails preparation: an unreadable or unwritable directory only costs the
//! time the cache would have saved, and is reported.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use cid::Cid;

use crate::{Engine, EngineConfig, PreparedModule};

/// The entry layout and the preparation pipeline's generation: bump it whenever preparation
/// would produce different Wasm for the same code and settings without a crate version change.
pub const FORMAT: u32 = 6;

/// The first bytes of every entry.
const MAGIC: &[u8; 8] = b"IFVMPREP";

/// Magic, format, key, payload length, payload digest.
const HEADER_LEN: usize = 8 + 4 + 32 + 8 + 32;

/// The file name ending of every entry.
const ENTRY_SUFFIX: &str = ".wasm-prepared";

/// The file name ending of a temporary file being written (renamed over its entry when whole).
const TEMPORARY_SUFFIX: &str = ".tmp";

/// A temporary file not modified for this long was abandoned by a writer that died before
/// renaming it (a live writer finishes an entry in milliseconds); [`DiskCache::prune`] removes
/// it.
const ABANDONED_TEMPORARY_AGE: Duration = Duration::from_secs(3600);

/// A cache key: Blake2b-256 over everything the prepared Wasm depends on.
type Key = [u8; 32];

/// A directory of prepared modules shared by every engine (and process) given it. Cheap to
/// clone; clones share the statistics and the problem list.
#[derive(Clone, Debug)]
pub struct DiskCache(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    dir: PathBuf,
    hits: AtomicU64,
    misses: AtomicU64,
    written: AtomicU64,
    /// How many problems were reported, and those not yet taken.
    problems: Mutex<(u64, Vec<DiskCacheError>)>,
    /// Makes temporary file names unique within the process.
    next_temp: AtomicU64,
}

/// What a [`DiskCache`] has done since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskCacheStats {
    /// Modules loaded from verified entries.
    pub hits: u64,
    /// Modules without an entry (prepared from code, then written).
    pub misses: u64,
    /// Entries written.
    pub written: u64,
    /// Problems reported (rejected entries; failed reads, writes, removals and listings), taken
    /// or not.
    pub problems: u64,
}

/// What one [`DiskCache::prune`] kept and removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Entries left: at most the budget's bytes together, unless a removal failed.
    pub kept: u64,
    /// The bytes of the entries left.
    pub kept_bytes: u64,
    /// Entries removed: those no build of this format can load, then the least recently used.
    pub removed: u64,
    /// The bytes of the entries removed.
    pub removed_bytes: u64,
    /// Abandoned temporary files removed.
    pub abandoned_removed: u64,
}

/// Why an entry was not used, written or removed, or the directory not listed.
#[derive(Debug, thiserror::Error)]
pub enum DiskCacheError {
    /// The cache's directory could not be listed by [`DiskCache::prune`].
    #[error("cannot list prepared-module cache directory {dir}")]
    List {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The entry exists but could not be read.
    #[error("cannot read prepared-module cache entry {path}")]
    Read {
        /// The entry.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The entry could not be written (it is rebuilt next time).
    #[error("cannot write prepared-module cache entry {path}")]
    Write {
        /// The entry, or its directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The entry, or an abandoned temporary file, could not be removed by
    /// [`DiskCache::prune`] (it counts as kept).
    #[error("cannot remove prepared-module cache file {path}")]
    Remove {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The entry failed verification; it was not used, and is rebuilt.
    #[error("rejected prepared-module cache entry {path}: {reason}")]
    Rejected {
        /// The entry.
        path: PathBuf,
        /// Which check it failed.
        reason: Rejection,
    },
}

/// The check a rejected entry failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Shorter than its header, or than the payload its header announces.
    #[error("truncated")]
    Truncated,
    /// Not an ifvm prepared-module entry.
    #[error("not a prepared-module entry")]
    BadMagic,
    /// Written by another entry format.
    #[error("written in format {0}")]
    Format(u32),
    /// Written for another key (another code, configuration or ifvm version).
    #[error("written for another module or configuration")]
    ForeignKey,
    /// Longer than its header announces.
    #[error("trailing bytes")]
    TrailingBytes,
    /// The payload's digest does not match the header's.
    #[error("checksum mismatch")]
    Checksum,
    /// Verified, yet wasmi refused the payload.
    #[error("payload does not load")]
    Unloadable,
}

impl DiskCache {
    /// A cache in `dir`, created (with its parents) if missing.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, DiskCacheError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| DiskCacheError::Write {
            path: dir.clone(),
            source,
        })?;
        Ok(Self(Arc::new(Shared {
            dir,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            written: AtomicU64::new(0),
            problems: Mutex::new((0, Vec::new())),
            next_temp: AtomicU64::new(0),
        })))
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.0.dir
    }

    /// Counters since the cache was opened.
    pub fn stats(&self) -> DiskCacheStats {
        DiskCacheStats {
            hits: self.0.hits.load(Ordering::Relaxed),
            misses: self.0.misses.load(Ordering::Relaxed),
            written: self.0.written.load(Ordering::Relaxed),
            problems: self.problem_count(),
        }
    }

    /// The problems reported since the last call, oldest first.
    pub fn take_problems(&self) -> Vec<DiskCacheError> {
        core::mem::take(&mut self.problems().1)
    }

    /// The entry file of `code` under `config`.
    pub fn entry_path(&self, code: &Cid, config: &EngineConfig) -> PathBuf {
        self.path_of(&key(code, config, &preparation_fingerprint(config)))
    }

    /// The module of `code` built from its verified entry, if there is one. A missing entry is
    /// a miss; a bad one (failing verification, or not loading) is reported and treated as
    /// missing.
    pub(crate) fn load(&self, engine: &Engine, code: &Cid) -> Option<PreparedModule> {
        let key = key(code, engine.config(), engine.preparation_fingerprint());
        let path = self.path_of(&key);
        let loaded = match fs::read(&path) {
            Ok(bytes) => verify(&bytes, &key)
                .and_then(|()| {
                    PreparedModule::from_instrumented(engine, &bytes[HEADER_LEN..])
                        .map_err(|_| Rejection::Unloadable)
                })
                .inspect(|_| mark_used(&path))
                .map_err(|reason| DiskCacheError::Rejected {
                    path: path.clone(),
                    reason,
                }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.0.misses.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            Err(source) => Err(DiskCacheError::Read { path, source }),
        };
        match loaded {
            Ok(module) => {
                self.0.hits.fetch_add(1, Ordering::Relaxed);
                Some(module)
            }
            Err(problem) => {
                self.0.misses.fetch_add(1, Ordering::Relaxed);
                self.report(problem);
                None
            }
        }
    }

    /// Writes the entry of `code` as prepared by `engine` (replacing any), atomically; a
    /// failure is reported.
    pub(crate) fn store(&self, engine: &Engine, code: &Cid, instrumented: &[u8]) {
        let key = key(code, engine.config(), engine.preparation_fingerprint());
        let path = self.path_of(&key);
        let temp = self.0.dir.join(temporary_name(
            &key,
            std::process::id(),
            self.0.next_temp.fetch_add(1, Ordering::Relaxed),
        ));
        let written =
            write_entry(&temp, &key, instrumented).and_then(|()| fs::rename(&temp, &path));
        match written {
            Ok(()) => {
                self.0.written.fetch_add(1, Ordering::Relaxed);
            }
            Err(source) => {
                let _ = fs::remove_file(&temp);
                self.report(DiskCacheError::Write { path, source });
            }
        }
    }

    /// Removes entries until those left take at most `max_bytes`, and abandoned temporary
    /// files. Entries go in this order, and only while the rest exceed the budget:
    /// - those no build of this [`FORMAT`] can load: another format's, those without an entry
    ///   header, and those whose header names another key than their file name;
    /// - then the least recently used: oldest modification time first, ties by file name.
    ///   Writing an entry or loading it from disk refreshes its time. A module an engine
    ///   serves from memory does not, so prune when no long-running engine relies on the
    ///   directory (at start-up, say); and a process that does not own an entry's file cannot
    ///   refresh it (setting a file's time needs ownership on Unix).
    ///
    /// Entries of other ifvm versions and configurations have this format, and age out by the
    /// second rule. Only regular files named as entries or as this cache's temporary files are
    /// considered; anything else (other files, directories, symbolic links) is left alone. A
    /// temporary file unmodified for an hour was abandoned by a writer that died before
    /// renaming it, and is removed; one whose age cannot be read is kept.
    ///
    /// Problems (an unlistable directory, an unreadable file, a file that cannot be removed)
    /// are reported ([`DiskCache::take_problems`]) and pruning goes on: an entry that cannot be
    /// removed is kept, and may leave the rest over budget. Safe while other processes use the
    /// cache: one that loses an entry prepares the code again, and a file another process
    /// removes meanwhile is not counted.
    pub fn prune(&self, max_bytes: u64) -> PruneReport {
        let mut report = PruneReport::default();
        let mut entries = self.prune_candidates(&mut report);
        entries.sort_by(|a, b| {
            (a.loadable, a.modified, &a.name).cmp(&(b.loadable, b.modified, &b.name))
        });
        let mut total = entries
            .iter()
            .fold(0u64, |total, e| total.saturating_add(e.bytes));
        for entry in entries {
            let removal = if total <= max_bytes {
                Removal::Failed
            } else {
                self.remove(&entry.path)
            };
            match removal {
                Removal::Removed => {
                    total = total.saturating_sub(entry.bytes);
                    report.removed += 1;
                    report.removed_bytes = report.removed_bytes.saturating_add(entry.bytes);
                }
                Removal::AlreadyGone => total = total.saturating_sub(entry.bytes),
                Removal::Failed => {
                    report.kept += 1;
                    report.kept_bytes = report.kept_bytes.saturating_add(entry.bytes);
                }
            }
        }
        report
    }

    /// The directory's entries, unsorted; abandoned temporary files are removed on the way
    /// (counted in `report`).
    fn prune_candidates(&self, report: &mut PruneReport) -> Vec<PruneCandidate> {
        let listing = match fs::read_dir(&self.0.dir) {
            Ok(listing) => listing,
            Err(source) => {
                self.report(DiskCacheError::List {
                    dir: self.0.dir.clone(),
                    source,
                });
                return Vec::new();
            }
        };
        let now = SystemTime::now();
        let mut entries = Vec::new();
        for file in listing {
            let file = match file {
                Ok(file) => file,
                Err(source) => {
                    self.report(DiskCacheError::List {
                        dir: self.0.dir.clone(),
                        source,
                    });
                    continue;
                }
            };
            let file_name = file.file_name();
            let Some(name) = file_name.to_str() else {
                continue;
            };
            let named_key = entry_name_key(name);
            if named_key.is_none() && !is_temporary_name(name) {
                continue;
            }
            let path = file.path();
            // Not following symbolic links.
            let metadata = match file.metadata() {
                Ok(metadata) if metadata.is_file() => metadata,
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => {
                    self.report(DiskCacheError::Read { path, source });
                    continue;
                }
            };
            let Some(named_key) = named_key else {
                let abandoned = metadata
                    .modified()
                    .ok()
                    .and_then(|modified| now.duration_since(modified).ok())
                    .is_some_and(|age| age >= ABANDONED_TEMPORARY_AGE);
                if abandoned && self.remove(&path) == Removal::Removed {
                    report.abandoned_removed += 1;
                }
                continue;
            };
            let loadable = match has_header_of(&path, named_key) {
                Ok(loadable) => loadable,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => {
                    // Ranked by age: an unreadable file is not known to be unloadable.
                    self.report(DiskCacheError::Read {
                        path: path.clone(),
                        source,
                    });
                    true
                }
            };
            entries.push(PruneCandidate {
                loadable,
                modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                name: name.to_owned(),
                path,
                bytes: metadata.len(),
            });
        }
        entries
    }

    /// Removes `path`, reporting a failure.
    fn remove(&self, path: &Path) -> Removal {
        match fs::remove_file(path) {
            Ok(()) => Removal::Removed,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Removal::AlreadyGone,
            Err(source) => {
                self.report(DiskCacheError::Remove {
                    path: path.to_path_buf(),
                    source,
                });
                Removal::Failed
            }
        }
    }

    fn path_of(&self, key: &Key) -> PathBuf {
        self.0.dir.join(entry_name(key))
    }

    fn report(&self, problem: DiskCacheError) {
        let mut problems = self.problems();
        problems.0 += 1;
        problems.1.push(problem);
    }

    fn problem_count(&self) -> u64 {
        self.problems().0
    }

    /// The problem counter and the untaken problems.
    fn problems(&self) -> std::sync::MutexGuard<'_, (u64, Vec<DiskCacheError>)> {
        self.0
            .problems
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// An entry [`DiskCache::prune`] may remove.
struct PruneCandidate {
    /// Has an entry header of this format naming the file's key (so possibly loadable).
    loadable: bool,
    modified: SystemTime,
    name: String,
    path: PathBuf,
    bytes: u64,
}

/// What became of a file [`DiskCache::prune`] meant to remove (or keep).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Removal {
    Removed,
    /// Another process removed it first.
    AlreadyGone,
    /// Kept: within the budget, or the removal failed (reported).
    Failed,
}

/// The file name of `key`'s entry.
fn entry_name(key: &Key) -> String {
    format!("{}{ENTRY_SUFFIX}", hex(key))
}

/// The key's hex digits, if `name` is an entry's file name.
fn entry_name_key(name: &str) -> Option<&str> {
    name.strip_suffix(ENTRY_SUFFIX)
        .filter(|key| is_hex_key(key))
}

/// The name of the temporary file the process `pid` writes as its `n`th entry, `key`'s.
fn temporary_name(key: &Key, pid: u32, n: u64) -> String {
    format!(".{}.{pid}.{n}{TEMPORARY_SUFFIX}", hex(key))
}

/// Whether `name` is one [`temporary_name`] gives.
fn is_temporary_name(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(TEMPORARY_SUFFIX))
    else {
        return false;
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    matches!(parts[..], [key, pid, n] if is_hex_key(key) && is_number(pid) && is_number(n))
}

/// Whether `s` is a key in [`hex`].
fn is_hex_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether the file at `path` starts with an entry header of this [`FORMAT`] for the key whose
/// hex digits are `named_key` (false for a shorter file).
fn has_header_of(path: &Path, named_key: &str) -> io::Result<bool> {
    let mut start = [0; 8 + 4 + 32];
    match io::Read::read_exact(&mut fs::File::open(path)?, &mut start) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let (magic, rest) = start.split_at(8);
    let (format, key) = rest.split_at(4);
    Ok(magic == MAGIC && format == FORMAT.to_le_bytes() && hex(key) == named_key)
}

/// Marks a loaded entry as just used, so [`DiskCache::prune`] keeps it over older ones. A
/// failure (a read-only cache, say) only makes the entry look older than it is.
fn mark_used(path: &Path) {
    let _ = fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(SystemTime::now()));
}

/// The key of `code` prepared by an engine with `config`.
fn key(code: &Cid, config: &EngineConfig, fingerprint: &[u8; 32]) -> Key {
    let mut hasher = DigestHasher(blake2b_simd::Params::new().hash_length(32).to_state());
    hasher.write(b"ifvm prepared module");
    FORMAT.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    code.to_bytes().hash(&mut hasher);
    config.max_wasm_stack.hash(&mut hasher);
    config.max_instance_memory_bytes.hash(&mut hasher);
    config.max_table_elements.hash(&mut hasher);
    config.wasm_prices.hash(&mut hasher);
    config.instruction_profile.hash(&mut hasher);
    hasher.write(fingerprint);
    let mut key = [0; 32];
    key.copy_from_slice(hasher.0.finalize().as_bytes());
    key
}

/// What preparation makes of [`PROBE`] under `config` (or why it failed): a dependency update
/// that changes the instrumenters' output (a new `fvm-wasm-instrument` patch release, say)
/// changes the keys even when neither the crate version nor [`FORMAT`] changes.
/// An engine computes it once ([`Engine::preparation_fingerprint`]).
pub(crate) fn preparation_fingerprint(config: &EngineConfig) -> [u8; 32] {
    match crate::prepare::instrument(PROBE, config) {
        Ok(wasm) => digest(&wasm),
        Err(e) => digest(e.to_string().as_bytes()),
    }
}

/// A module exercising what preparation rewrites: metered blocks (a loop, `if`/`else`,
/// `br_table`), direct and indirect calls (the stack limiter), a function with locals (its stack
/// cost), `memory.grow`, `memory.fill` and `memory.copy`. Compiled from the WAT in this module's
/// tests (`the_probe_is_its_wat`); valid under both metering generations.
const PROBE: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x03, 0x04, 0x03, 0x00, 0x00, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x69, 0x6e,
    0x76, 0x6f, 0x6b, 0x65, 0x00, 0x02, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01,
    0x0a, 0x60, 0x03, 0x09, 0x01, 0x03, 0x7e, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x28, 0x01, 0x01,
    0x7f, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x10, 0x00, 0x6a, 0x21, 0x01, 0x20, 0x01, 0x41, 0xe4,
    0x00, 0x49, 0x0d, 0x00, 0x0b, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x20, 0x01, 0x41, 0x00, 0x11, 0x00,
    0x00, 0x05, 0x20, 0x01, 0x0b, 0x0b, 0x2b, 0x00, 0x20, 0x00, 0x40, 0x00, 0x1a, 0x41, 0x00, 0x41,
    0x07, 0x20, 0x00, 0xfc, 0x0b, 0x00, 0x41, 0xc0, 0x00, 0x41, 0x00, 0x20, 0x00, 0xfc, 0x0a, 0x00,
    0x00, 0x02, 0x40, 0x20, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x0b, 0x20, 0x00, 0x28, 0x02, 0x00, 0x10,
    0x01, 0x0b, 0x00, 0x26, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x0c, 0x02, 0x00, 0x04, 0x6c, 0x65,
    0x61, 0x66, 0x01, 0x03, 0x73, 0x75, 0x6d, 0x03, 0x0b, 0x02, 0x01, 0x01, 0x00, 0x01, 0x6c, 0x02,
    0x01, 0x00, 0x01, 0x62, 0x04, 0x04, 0x01, 0x00, 0x01, 0x74,
];

/// Feeds `Hash` implementations into a Blake2b state (their byte stream is fixed for a given
/// build, which the crate version and [`FORMAT`] in the key stand for).
struct DigestHasher(blake2b_simd::State);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0; 8];
        first.copy_from_slice(&digest.as_bytes()[..8]);
        u64::from_le_bytes(first)
    }
}

fn digest(payload: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(
        blake2b_simd::Params::new()
            .hash_length(32)
            .hash(payload)
            .as_bytes(),
    );
    out
}

fn write_entry(temp: &Path, key: &Key, payload: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(temp)?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT.to_le_bytes());
    header.extend_from_slice(key);
    header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    header.extend_from_slice(&digest(payload));
    file.write_all(&header)?;
    file.write_all(payload)?;
    file.sync_data()
}

/// Checks an entry's header against `key` and its payload against the header.
fn verify(bytes: &[u8], key: &Key) -> Result<(), Rejection> {
    let Some((header, payload)) = bytes.split_at_checked(HEADER_LEN) else {
        return Err(if bytes.starts_with(MAGIC) || MAGIC.starts_with(bytes) {
            Rejection::Truncated
        } else {
            Rejection::BadMagic
        });
    };
    let (magic, rest) = header.split_at(8);
    let (format, rest) = rest.split_at(4);
    let (entry_key, rest) = rest.split_at(32);
    let (length, entry_digest) = rest.split_at(8);
    if magic != MAGIC {
        return Err(Rejection::BadMagic);
    }
    let format = u32::from_le_bytes(format.try_into().map_err(|_| Rejection::Truncated)?);
    if format != FORMAT {
        return Err(Rejection::Format(format));
    }
    if entry_key != key {
        return Err(Rejection::ForeignKey);
    }
    let length = u64::from_le_bytes(length.try_into().map_err(|_| Rejection::Truncated)?);
    match (payload.len() as u64).cmp(&length) {
        core::cmp::Ordering::Less => return Err(Rejection::Truncated),
        core::cmp::Ordering::Greater => return Err(Rejection::TrailingBytes),
        core::cmp::Ordering::Equal => {}
    }
    if digest(payload) != entry_digest {
        return Err(Rejection::Checksum);
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use multihash_codetable::{Code, MultihashDigest};

    use super::*;

    /// A fresh directory for one test, removed when dropped.
    struct TestDir(PathBuf);

    impl TestDir {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("ifvm-disk-cache-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            Self(dir)
        }
    }

    impl Drop for TestDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    const ACTOR: &str = r#"(module (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32)
          (local i32)
          (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                (br_if 0 (i32.lt_u (local.get 1) (i32.const 10))))
          (local.get 1)))"#;

    fn config(nv: u32) -> EngineConfig {
        EngineConfig::new(ifvm_gas::price_list_for(nv).unwrap().wasm_rules().clone())
    }

    fn code_of(wasm: &[u8]) -> Cid {
        Cid::new_v1(0x55, Code::Blake2b256.digest(wasm))
    }

    /// Prepares ACTOR through a fresh engine on `disk`, as a new process would.
    fn prepare(disk: &DiskCache, config: EngineConfig) -> PreparedModule {
        let raw = wat::parse_str(ACTOR).unwrap();
        Engine::with_disk_cache(config, disk.clone())
            .prepare_code(&code_of(&raw), &raw)
            .expect("prepares")
    }

    fn entry(disk: &DiskCache, config: &EngineConfig) -> PathBuf {
        disk.entry_path(&code_of(&wat::parse_str(ACTOR).unwrap()), config)
    }

    fn rejections(disk: &DiskCache) -> Vec<Rejection> {
        disk.take_problems()
            .into_iter()
            .map(|p| match p {
                DiskCacheError::Rejected { reason, .. } => reason,
                other => panic!("unexpected problem: {other}"),
            })
            .collect()
    }

    #[test]
    fn the_probe_is_its_wat() {
        let wat = r#"(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $leaf $sum)
  (memory (export "memory") 1)
  (func $leaf (type $t) (local i64 i64 i64) (i32.add (local.get 0) (i32.const 1)))
  (func $sum (type $t) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (call $leaf (local.get 0))))
      (br_if $l (i32.lt_u (local.get 1) (i32.const 100))))
    (if (result i32) (i32.eqz (local.get 0))
      (then (call_indirect (type $t) (local.get 1) (i32.const 0)))
      (else (local.get 1))))
  (func (export "invoke") (param i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (memory.fill (i32.const 0) (i32.const 7) (local.get 0))
    (memory.copy (i32.const 64) (i32.const 0) (local.get 0))
    (block $b (br_table $b $b (local.get 0)))
    (call $sum (i32.load (local.get 0)))))"#;
        assert_eq!(PROBE, wat::parse_str(wat).unwrap().as_slice());
        for nv in [17, 21] {
            let prepared = crate::prepare::instrument(PROBE, &config(nv)).expect("it prepares");
            assert_ne!(prepared, PROBE, "nv{nv}: preparation rewrote the probe");
            assert_eq!(preparation_fingerprint(&config(nv)), digest(&prepared));
        }
    }

    #[test]
    fn a_new_engine_loads_what_an_earlier_one_wrote() {
        let dir = TestDir::new("roundtrip");
        let disk = DiskCache::open(&dir.0).unwrap();
        let first = prepare(&disk, config(21));
        assert_eq!(
            disk.stats(),
            DiskCacheStats {
                misses: 1,
                written: 1,
                ..DiskCacheStats::default()
            }
        );
        let second = prepare(&disk, config(21));
        assert_eq!(disk.stats().hits, 1);
        assert_eq!(first.size(), second.size());
        // The entry holds exactly what preparation produces.
        let bytes = fs::read(entry(&disk, &config(21))).unwrap();
        let instrumented =
            crate::prepare::instrument(&wat::parse_str(ACTOR).unwrap(), &config(21)).unwrap();
        assert_eq!(&bytes[HEADER_LEN..], instrumented.as_slice());
        assert!(disk.take_problems().is_empty());
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 1);
    }

    #[test]
    fn configurations_preparing_differently_do_not_share_entries() {
        let dir = TestDir::new("keys");
        let disk = DiskCache::open(&dir.0).unwrap();
        let (nv17, nv21) = (config(17), config(21));
        assert_ne!(entry(&disk, &nv17), entry(&disk, &nv21));
        let mut smaller_stack = nv21.clone();
        smaller_stack.max_wasm_stack /= 2;
        assert_ne!(entry(&disk, &smaller_stack), entry(&disk, &nv21));
        let mut profiled = nv21.clone();
        profiled.instruction_profile = true;
        assert_ne!(entry(&disk, &profiled), entry(&disk, &nv21));
        // When functions are translated, or how many modules memory keeps, changes nothing.
        let mut eager = nv21.clone();
        eager.compilation = crate::Compilation::Eager;
        eager.module_cache_capacity = 1;
        assert_eq!(entry(&disk, &eager), entry(&disk, &nv21));
    }

    /// Every way an entry can be damaged is detected, reported, never loaded, and the entry is
    /// rebuilt so the next engine loads it again.
    #[test]
    fn damaged_entries_are_rejected_and_rebuilt() {
        let dir = TestDir::new("damaged");
        let disk = DiskCache::open(&dir.0).unwrap();
        let config = config(21);
        prepare(&disk, config.clone());
        let path = entry(&disk, &config);
        let good = fs::read(&path).unwrap();

        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let mut longer = good.clone();
        longer.push(0);
        let mut other_format = good.clone();
        other_format[8..12].copy_from_slice(&(FORMAT + 1).to_le_bytes());
        let mut other_key = good.clone();
        other_key[12] ^= 1;
        let mut junk = good.clone();
        junk[0] = b'X';
        // A payload that passes its checksum but is not Wasm (e.g. written by a broken build).
        let mut not_wasm = good[..HEADER_LEN].to_vec();
        not_wasm.extend_from_slice(b"not wasm");
        not_wasm[44..52].copy_from_slice(&8u64.to_le_bytes());
        not_wasm[52..84].copy_from_slice(&digest(b"not wasm"));
        let cases = [
            (flipped, Rejection::Checksum),
            (good[..good.len() - 1].to_vec(), Rejection::Truncated),
            (good[..10].to_vec(), Rejection::Truncated),
            (longer, Rejection::TrailingBytes),
            (other_format, Rejection::Format(FORMAT + 1)),
            (other_key, Rejection::ForeignKey),
            (junk, Rejection::BadMagic),
            (not_wasm, Rejection::Unloadable),
        ];
        for (damaged, reason) in cases {
            fs::write(&path, &damaged).unwrap();
            let before = disk.stats();
            prepare(&disk, config.clone());
            assert_eq!(rejections(&disk), [reason]);
            let after = disk.stats();
            assert_eq!(after.hits, before.hits, "{reason}: not loaded");
            assert_eq!(after.written, before.written + 1, "{reason}: rebuilt");
            assert_eq!(fs::read(&path).unwrap(), good, "{reason}: rewritten whole");
        }
        // Another module's entry copied over this one is another key's.
        let other = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "invoke") (param i32) (result i32) (i32.const 7)))"#).unwrap();
        Engine::with_disk_cache(config.clone(), disk.clone())
            .prepare_code(&code_of(&other), &other)
            .unwrap();
        fs::copy(disk.entry_path(&code_of(&other), &config), &path).unwrap();
        prepare(&disk, config.clone());
        assert_eq!(rejections(&disk), [Rejection::ForeignKey]);
        assert_eq!(fs::read(&path).unwrap(), good);
    }

    /// A small actor module of its own for each `n` (its `invoke` returns `n`).
    fn actor_returning(n: u32) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module (memory (export "memory") 1)
                 (func (export "invoke") (param i32) (result i32) (i32.const {n})))"#
        ))
        .unwrap()
    }

    /// Prepares `raw` through a fresh engine on `disk`; its entry's path.
    fn prepare_raw(disk: &DiskCache, raw: &[u8]) -> PathBuf {
        Engine::with_disk_cache(config(21), disk.clone())
            .prepare_code(&code_of(raw), raw)
            .expect("prepares");
        disk.entry_path(&code_of(raw), &config(21))
    }

    /// Sets the modification time of the file at `path` to `seconds_ago` before now.
    fn set_modified(path: &Path, seconds_ago: u64) {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(seconds_ago))
            .unwrap();
    }

    /// The files' sizes together.
    fn bytes_of(paths: &[&PathBuf]) -> u64 {
        paths.iter().map(|p| fs::metadata(p).unwrap().len()).sum()
    }

    #[test]
    fn prune_removes_the_least_recently_used_until_the_rest_fit() {
        let dir = TestDir::new("prune-lru");
        let disk = DiskCache::open(&dir.0).unwrap();
        let (first, second, third) = (actor_returning(1), actor_returning(2), actor_returning(3));
        let paths = [&first, &second, &third].map(|raw| prepare_raw(&disk, raw));
        for (path, age) in paths.iter().zip([300, 200, 100]) {
            set_modified(path, age);
        }
        // Loading the oldest entry makes it the most recently used.
        prepare_raw(&disk, &first);
        assert_eq!(disk.stats().hits, 1);

        // A budget that fits everything removes nothing.
        let all = bytes_of(&paths.iter().collect::<Vec<_>>());
        let report = disk.prune(all);
        assert_eq!(
            (report.kept, report.kept_bytes, report.removed),
            (3, all, 0)
        );

        // One byte less removes exactly the least recently used: the second.
        let removed = bytes_of(&[&paths[1]]);
        let report = disk.prune(all - 1);
        assert_eq!(
            report,
            PruneReport {
                kept: 2,
                kept_bytes: all - removed,
                removed: 1,
                removed_bytes: removed,
                abandoned_removed: 0,
            }
        );
        assert!(paths[0].exists() && !paths[1].exists() && paths[2].exists());
        assert!(disk.take_problems().is_empty());
        // A removed entry is prepared and written again when next needed.
        prepare_raw(&disk, &second);
        assert!(paths[1].exists());

        // A zero budget empties the cache.
        assert_eq!(disk.prune(0).kept, 0);
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 0);
    }

    #[test]
    fn prune_removes_unloadable_entries_first_and_leaves_other_files_alone() {
        let dir = TestDir::new("prune-order");
        let disk = DiskCache::open(&dir.0).unwrap();
        let current = prepare_raw(&disk, &actor_returning(1));
        set_modified(&current, 1000);
        let good = fs::read(&current).unwrap();
        let named = |key: &str| dir.0.join(format!("{}{ENTRY_SUFFIX}", key.repeat(32)));
        // Newer than the current entry, but unloadable by any build of this format: another
        // format's (its header naming its file's key), another key's, a bad magic, a header
        // cut short.
        let mut other_format = good.clone();
        other_format[8..12].copy_from_slice(&(FORMAT + 1).to_le_bytes());
        other_format[12..44].copy_from_slice(&[0xab; 32]);
        let unloadable = [
            (named("ab"), other_format),
            (named("12"), good.clone()),
            (named("cd"), b"X".repeat(64)),
            (named("ce"), b"IFVM".to_vec()),
        ];
        for (path, contents) in &unloadable {
            fs::write(path, contents).unwrap();
        }
        // Temporary files: one a writer abandoned two hours ago, one being written.
        let abandoned = dir.0.join(temporary_name(&[0xef; 32], 1, 0));
        fs::write(&abandoned, b"partial").unwrap();
        set_modified(&abandoned, 2 * ABANDONED_TEMPORARY_AGE.as_secs());
        let in_progress = dir.0.join(temporary_name(&[0xef; 32], 1, 1));
        fs::write(&in_progress, b"partial").unwrap();
        // Not the cache's: other files (old ones named like temporary files), a directory
        // named like an entry.
        let others = [
            dir.0.join("notes.txt"),
            dir.0.join(".notes.tmp"),
            dir.0.join(format!(".{}.1.tmp", "ef".repeat(32))),
        ];
        for path in &others {
            fs::write(path, b"x".repeat(1 << 20)).unwrap();
            set_modified(path, 2 * ABANDONED_TEMPORARY_AGE.as_secs());
        }
        let directory = named("de");
        fs::create_dir(&directory).unwrap();

        // Everything fits: only the abandoned temporary file goes.
        let unloadable_bytes: u64 = unloadable.iter().map(|(_, c)| c.len() as u64).sum();
        let report = disk.prune(good.len() as u64 + unloadable_bytes);
        assert_eq!(
            (report.kept, report.removed, report.abandoned_removed),
            (5, 0, 1)
        );
        assert!(!abandoned.exists() && in_progress.exists());

        // A budget of the current entry alone removes the unloadable ones, though newer.
        let report = disk.prune(good.len() as u64);
        assert_eq!(
            report,
            PruneReport {
                kept: 1,
                kept_bytes: good.len() as u64,
                removed: 4,
                removed_bytes: unloadable_bytes,
                abandoned_removed: 0,
            }
        );
        assert!(current.exists() && unloadable.iter().all(|(path, _)| !path.exists()));
        assert!(in_progress.exists() && directory.is_dir());
        assert!(others.iter().all(|path| path.exists()));
        assert!(disk.take_problems().is_empty());
    }

    #[test]
    fn prune_reports_a_missing_directory() {
        let dir = TestDir::new("prune-missing");
        let disk = DiskCache::open(&dir.0).unwrap();
        fs::remove_dir_all(&dir.0).unwrap();
        assert_eq!(disk.prune(0), PruneReport::default());
        let problems = disk.take_problems();
        assert!(
            matches!(problems[..], [DiskCacheError::List { .. }]),
            "{problems:?}"
        );
    }

    #[test]
    fn an_unusable_directory_only_costs_time() {
        let dir = TestDir::new("unusable");
        let disk = DiskCache::open(&dir.0).unwrap();
        // The entry's path is a directory: it can neither be read nor replaced.
        fs::create_dir_all(entry(&disk, &config(21))).unwrap();
        let module = prepare(&disk, config(21));
        assert!(module.size() > 0);
        let problems = disk.take_problems();
        assert!(
            matches!(problems[0], DiskCacheError::Read { .. }),
            "{problems:?}"
        );
        assert!(
            matches!(problems[1], DiskCacheError::Write { .. }),
            "{problems:?}"
        );
        assert_eq!(disk.stats().written, 0);
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 1);
    }
}
