//! The `ifvm` command end to end, on one of the project's generated vectors (the repository's
//! own data; only the bundles come from `IFVM_ACTORS`): each command's exit status and the
//! content of its output, for a passing vector, one whose expectation is broken on purpose and
//! one that lacks what the schema requires. Expected values come from the vector itself, never from this file.

use std::path::{Path, PathBuf};
use std::process::Output;

use ifvm_vectors::data;
use serde_json::Value;

/// Runs the `ifvm` binary built with this package.
fn ifvm(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ifvm"))
        .args(args)
        .output()
        .expect("ifvm runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A generated nv21 vector (a multi-message multisig flow), or `None` after saying `SKIPPED`
/// without bundles.
fn vector() -> Option<PathBuf> {
    data::actors()?;
    let path = data::generated_dir().join("nv21/multisig_propose_approve.json");
    assert!(
        path.is_file(),
        "{} is part of the repository",
        path.display()
    );
    Some(path)
}

/// `vector` with the first receipt's gas raised by one, written to a file of its own. (The edit
/// is textual: the vector's amounts exceed what `serde_json::Value` holds exactly.)
fn broken_copy(vector: &Path) -> (PathBuf, u64) {
    let text = std::fs::read_to_string(vector).unwrap();
    let receipts = text
        .find("\"receipts\"")
        .expect("postconditions list receipts");
    let key = receipts + text[receipts..].find("\"gas_used\": ").expect("a gas_used") + 12;
    let end = key + text[key..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let expected = text[key..end].parse::<u64>().unwrap() + 1;
    let edited = format!("{}{expected}{}", &text[..key], &text[end..]);
    (temp_copy("broken", &edited), expected)
}

/// `vector` without `_meta.gen` (its last field), written to a file of its own.
fn copy_without_gen(vector: &Path) -> PathBuf {
    let text = std::fs::read_to_string(vector).unwrap();
    let start = text
        .find("\"gen\": [")
        .expect("the vector names what generated it");
    let end = start + text[start..].find(']').expect("a list") + 1;
    let before = text[..start]
        .trim_end()
        .strip_suffix(',')
        .expect("`gen` follows another field");
    temp_copy("no-gen", &format!("{before}{}", &text[end..]))
}

/// `contents` in a file of the temporary directory named after this process and `tag`.
fn temp_copy(tag: &str, contents: &str) -> PathBuf {
    let name = format!("ifvm-cli-test-{}-{tag}.json", std::process::id());
    let path = std::env::temp_dir().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The tests, under one name (`ifvm_command::`) so that a run that cannot execute the built
/// binary, such as the cross-architecture suite under qemu user-mode, can skip them all.
mod ifvm_command {
    use super::*;

    #[test]
    fn vectors_run_passes_a_vector_and_fails_a_broken_one() {
        let Some(good) = vector() else { return };
        let out = ifvm(&["vectors", "run", path_str(&good), "--jobs", "1"]);
        assert!(out.status.success(), "{}", stdout(&out));
        assert!(stdout(&out).ends_with("1 passed, 0 failed, 0 skipped\n"));

        let (bad, expected) = broken_copy(&good);
        let out = ifvm(&["vectors", "run", path_str(&bad), "--jobs", "1"]);
        assert!(!out.status.success(), "a failed vector fails the run");
        let text = stdout(&out);
        assert!(text.contains(&format!("FAIL {}", bad.display())), "{text}");
        assert!(
            text.contains(&format!(
                "gas_used expected {expected} but was {}",
                expected - 1
            )),
            "{text}"
        );
        assert!(text.contains("execution trace of the first differing message"));

        let out = ifvm(&["vectors", "run", path_str(&bad), "--json"]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        std::fs::remove_file(&bad).unwrap();
        assert_eq!(
            (report["passed"].as_u64(), report["failed"].as_u64()),
            (Some(0), Some(1))
        );
        let detail = &report["results"][0]["detail"];
        assert_eq!(detail["receipts"][0]["field"], "gas_used");
        assert!(!detail["exec_trace"].as_array().unwrap().is_empty());
    }

    #[test]
    fn vectors_run_warns_about_an_incomplete_vector_and_still_runs_it() {
        let Some(good) = vector() else { return };
        let incomplete = copy_without_gen(&good);
        let out = ifvm(&["vectors", "run", path_str(&incomplete), "--jobs", "1"]);
        let json = ifvm(&["vectors", "run", path_str(&incomplete), "--json"]);
        std::fs::remove_file(&incomplete).unwrap();
        assert!(out.status.success(), "{}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!(
                "WARN {}: `_meta.gen` is missing",
                incomplete.display()
            )),
            "{text}"
        );
        assert!(text.ends_with("1 passed, 0 failed, 0 skipped\n"), "{text}");

        let report: Value = serde_json::from_slice(&json.stdout).expect("JSON on stdout");
        assert_eq!(report["warned"], 1);
        assert_eq!(report["warnings"][0]["path"], path_str(&incomplete));
        assert_eq!(report["passed"], 1);

        let out = ifvm(&["vectors", "run", path_str(&good), "--json"]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        assert_eq!(report["warned"], 0, "the generated vector is complete");
    }

    /// The module cache line's counts: loaded, prepared, written, problems.
    fn cache_counts(out: &Output) -> [u64; 4] {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .find(|l| l.starts_with("module cache ") && l.ends_with(" problems"))
            .unwrap_or_else(|| panic!("no module cache line in {err}"));
        let (_, counts) = line.rsplit_once(": ").unwrap();
        let numbers: Vec<u64> = counts
            .split(", ")
            .map(|c| c.split(' ').next().unwrap().parse().unwrap())
            .collect();
        numbers.try_into().unwrap()
    }

    /// A directory for one test, removed when dropped (a failing test leaves nothing behind).
    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn vectors_run_fills_reuses_and_prunes_its_module_cache() {
        let Some(good) = vector() else { return };
        let dir = TempDir(
            std::env::temp_dir().join(format!("ifvm-cli-test-{}-cache", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&dir.0);
        let run = |extra: &[&str]| {
            let mut args = vec!["vectors", "run", path_str(&good), "--jobs", "1"];
            args.extend_from_slice(&["--module-cache", path_str(&dir.0)]);
            args.extend_from_slice(extra);
            let out = ifvm(&args);
            assert!(out.status.success(), "{}", stdout(&out));
            out
        };
        let entries = || std::fs::read_dir(&dir.0).unwrap().count() as u64;

        let [loaded, prepared, written, problems] = cache_counts(&run(&[]));
        assert_eq!((loaded, problems), (0, 0));
        assert!(prepared > 0 && written == prepared);
        assert_eq!(
            entries(),
            written,
            "one entry per module, under the default budget"
        );

        let [loaded, again, _, problems] = cache_counts(&run(&["--module-cache-max-mib", "0"]));
        assert_eq!((loaded, again, problems), (prepared, 0, 0));
        assert_eq!(
            entries(),
            0,
            "a zero budget empties the cache after the run"
        );

        let out = ifvm(&[
            "vectors",
            "run",
            path_str(&good),
            "--module-cache-max-mib",
            "0",
        ]);
        assert!(!out.status.success(), "a budget needs a cache");
    }

    #[test]
    fn show_trace_and_reprice_describe_the_vector() {
        let Some(path) = vector() else { return };
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let receipts = v["postconditions"]["receipts"].as_array().unwrap();

        let out = ifvm(&["vectors", "show", path_str(&path)]);
        assert!(out.status.success());
        let text = stdout(&out);
        assert_eq!(
            text.matches("expect exit code").count(),
            receipts.len(),
            "{text}"
        );

        let out = ifvm(&["trace", path_str(&path), "--json"]);
        assert!(out.status.success());
        let trace: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        assert_eq!(trace["consensus"], true);
        let messages = trace["messages"].as_array().unwrap();
        assert_eq!(messages.len(), receipts.len());
        for (m, r) in messages.iter().zip(receipts) {
            assert_eq!(
                m["gas_used"], r["gas_used"],
                "a trace is of the vector's own run"
            );
            let trace = m["trace"].as_array().unwrap();
            assert_eq!(
                trace[0]["name"], "OnChainMessage",
                "the inclusion charge comes first"
            );
            let call = trace
                .iter()
                .find(|e| e["kind"] == "call")
                .expect("the message's call");
            if call["end"]["kind"] == "call_return" {
                assert_eq!(call["end"]["exit_code"], r["exit_code"]);
            }
            assert!(!call["events"].as_array().unwrap().is_empty());
        }

        let out = ifvm(&["gas", "reprice", path_str(&path), "--nv", "25"]);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(text.starts_with("*** RE-PRICED"), "{text}");
        assert!(
            text.contains(&format!("{} messages", receipts.len())),
            "{text}"
        );
    }
}
