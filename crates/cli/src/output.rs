//! What the commands share: default inputs, progress bars, and writing to stdout.

use std::path::PathBuf;

use ifvm_vectors::data;

/// `paths`, or the conformance corpus ($IFVM_VECTORS, else ../shared/fvm-test-vectors/corpus).
pub fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![data::vectors_dir()]
    } else {
        paths
    }
}

/// `paths`, or the conformance corpus and the repository's generated vectors.
pub fn default_run_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if !paths.is_empty() {
        return paths;
    }
    let mut paths = vec![data::vectors_dir()];
    let generated = data::generated_dir();
    if generated.is_dir() {
        paths.push(generated);
    }
    paths
}

/// A progress bar over `len` vectors.
pub fn vector_bar(len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} vectors {elapsed}")
            .expect("valid template"),
    );
    bar
}

/// Writes `text` to stdout; a closed pipe (e.g. `| head`) ends the output quietly.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
