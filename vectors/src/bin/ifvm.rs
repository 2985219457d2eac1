use std::path::PathBuf;
use ifvm_vectors::runner::{Outcome, Runner};
fn main() {
    let runner = Runner::new(ifvm_vectors::bundles::BundleSet::new("/work/shared/actors"));
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let files = ifvm_vectors::collect_vectors(&paths).unwrap();
    let (mut p, mut f, mut s) = (0, 0, 0);
    for file in files {
        let reports = std::thread::Builder::new().stack_size(256 << 20).spawn({ let file = file.clone(); let runner = unsafe { &*(&runner as *const Runner) }; move || runner.run_file(&file, false) }).unwrap().join().unwrap();
        match reports {
            Err(e) => { f += 1; println!("ERROR {}: {e}", file.display()); }
            Ok(rs) => for r in rs { match r.outcome { Outcome::Passed => p += 1, Outcome::Skipped(why) => { s += 1; println!("SKIP {}: {why}", file.display()); } Outcome::Failed(m) => { f += 1; println!("FAIL {}: {:?} {:?} {:?} {:?}", file.display(), m.receipts, m.error, m.state_root, m.actors); } } }
        }
    }
    println!("{p} passed, {f} failed, {s} skipped");
}
