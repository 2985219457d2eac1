//! How a run came out on ifvm and on ref-fvm, for the fuzzers ([`crate::syscall_fuzz`],
//! [`crate::mutation`]): identical results, both failed, or a difference.

use ifvm_vectors::{first_difference, MessageResult};

/// How a run came out on the two engines.
pub enum Outcome {
    /// Identical results (ifvm's).
    Same(Vec<MessageResult>),
    /// Both failed at the same point (e.g. both could not load a state block, or both refuse
    /// to flush a state root that links a CID of a codec state may not hold): the same outcome
    /// for a node. The errors' texts differ between implementations, so they are only kept.
    BothFailed {
        /// Where: `None` loading the state (before any message), else the index of the message
        /// whose application (or flush) failed.
        at: Option<usize>,
        /// ifvm's error.
        ifvm: String,
        /// ref-fvm's error.
        reference: String,
    },
    /// A difference: the first one found.
    Mismatch(String),
}

impl Outcome {
    /// Compares the runs of `messages` messages on ifvm (`ours(k)` applies the first `k`) and on
    /// ref-fvm (`theirs(k)`). When both fail, shorter runs find where each failed, and the
    /// places must be the same.
    pub fn compare(
        messages: usize,
        ours: impl Fn(usize) -> Result<Vec<MessageResult>, String>,
        theirs: impl Fn(usize) -> anyhow::Result<Vec<MessageResult>>,
    ) -> Self {
        match (ours(messages), theirs(messages)) {
            (Ok(ours), Ok(theirs)) => match first_difference(&ours, &theirs) {
                None => Outcome::Same(ours),
                Some(difference) => Outcome::Mismatch(difference),
            },
            (Err(ifvm), Err(reference)) => {
                // The shortest failing run: 0 messages is loading the state.
                let shortest = |fails: &dyn Fn(usize) -> bool| {
                    (0..messages).find(|&k| fails(k)).unwrap_or(messages)
                };
                let (a, b) = (
                    shortest(&|k| ours(k).is_err()),
                    shortest(&|k| theirs(k).is_err()),
                );
                let at = |k: usize| k.checked_sub(1);
                if a == b {
                    Outcome::BothFailed {
                        at: at(a),
                        ifvm,
                        reference: format!("{reference:#}"),
                    }
                } else {
                    Outcome::Mismatch(format!(
                        "both failed, ifvm at {:?} ({ifvm}), ref-fvm at {:?} ({reference:#}) \
                         (None: loading the state; else the message index)",
                        at(a),
                        at(b)
                    ))
                }
            }
            (Err(e), Ok(_)) => Outcome::Mismatch(format!("only ifvm failed: {e}")),
            (Ok(_), Err(e)) => Outcome::Mismatch(format!("only ref-fvm failed: {e:#}")),
        }
    }
}
