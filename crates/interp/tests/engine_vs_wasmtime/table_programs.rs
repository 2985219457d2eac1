//! Table programs: `table.grow` (which preparation turns into a call to an internal host
//! function, against a native stack overflow in wasmi 2.0.0's handler; `tests/native_stack.rs`)
//! with the other table instructions and `memory.grow`, on ifvm and on ref-fvm's Wasmtime.
//! wasm-smith's modules never exercise it: every one it generates with `table.grow` also uses a
//! reference type FVM rejects.
//!
//! `IFVM_TABLE_DIFF_PROGRAMS` sets how many random programs must execute (default 300), from the
//! seed `IFVM_TABLE_DIFF_SEED` (default 0); a mismatch names both and the program's index.

use super::*;

/// `table.grow`, which preparation turns into a call to an internal host function (against a
/// native stack overflow in wasmi 2.0.0's handler; `tests/native_stack.rs`): growth within and
/// beyond the declared maximum and the engine's element limit, by zero, by a negative delta, in a
/// loop, with a null and a function initial element, then `table.size` and calls through the
/// new elements; the table exported as `table` (charged at instantiation) or not.
#[test]
fn table_growth_matches_wasmtime() {
    with_both_engines(|ours, theirs| {
        let grow = |init: u32| format!("(table.grow (table.get (i32.const {init})) (local.get 0))");
        let bodies = [
            grow(0),
            grow(1),
            format!(
                "(drop {}) (call_indirect (type $leaf) (i32.sub (table.size) (i32.const 1)))",
                grow(0)
            ),
            format!(
                "(drop {}) (call_indirect (type $leaf) (i32.sub (table.size) (i32.const 1)))",
                grow(1)
            ),
            "(local i32) (block $done (loop $again
               (br_if $done (i32.eqz (local.get 0)))
               (local.set 1 (i32.add (local.get 1)
                 (table.grow (table.get (i32.const 0)) (i32.const 1))))
               (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
               (br $again)))
             (i32.add (local.get 1) (table.size))"
                .to_string(),
        ];
        let mut returned = 0;
        for table in ["2 8", "2", "(export \"table\") 2 8", "(export \"table\") 2"] {
            for body in &bodies {
                let wat = table_module(table, "(elem (i32.const 0) $leaf0)", body);
                let wasm = wat::parse_str(&wat).unwrap();
                let calls: Vec<_> = [1u64, 3, 0, 20, 100_000, 0xffff_ffff, 2]
                    .into_iter()
                    .map(|arg| ("a", vec![('i', arg)]))
                    .collect();
                let a = run_ifvm(ours, &wasm, &calls).expect("ifvm runs it");
                let b = theirs.run(&wasm, &calls).expect("ref-fvm runs it");
                assert_eq!(a.0, b.0, "table {table}, body {body}");
                assert!(a.1 == b.1, "memory differs: table {table}, body {body}");
                // Instantiated, and more than the first call ran.
                assert!(a.0.len() > 1, "table {table}, body {body}: {:?}", a.0);
                returned +=
                    a.0.iter()
                        .filter(|o| matches!(o, Outcome::Returned { .. }))
                        .count();
            }
        }
        assert!(
            returned > bodies.len(),
            "too few calls returned: {returned}"
        );
    });
}

/// A random table: its declaration (minimum, maximum, exported as `table` or not), and its
/// active element segment (up to three functions from index 0).
fn random_table(rng: &mut impl Rng) -> (String, String) {
    let min = [0u32, 1, 2, 5][rng.gen_range(0..4)];
    let max = match rng.gen_range(0..5) {
        0 => String::new(),
        1 => min.to_string(),
        2 => (min + 3).to_string(),
        3 => "16".to_string(),
        _ => "100000".to_string(),
    };
    let export = if rng.gen_bool(0.5) {
        "(export \"table\")"
    } else {
        ""
    };
    let leaves: Vec<String> = (0..min.min(3)).map(|i| format!("$leaf{i}")).collect();
    let elem = if leaves.is_empty() {
        String::new()
    } else {
        format!("(elem (i32.const 0) {})", leaves.join(" "))
    };
    (format!("{export} {min} {max}"), elem)
}

/// A random table index: mostly a small constant, else the last element or the argument.
fn random_index(rng: &mut impl Rng) -> String {
    match rng.gen_range(0..6) {
        0..=2 => format!("(i32.const {})", rng.gen_range(0..3)),
        3 => "(i32.sub (table.size) (i32.const 1))".to_string(),
        4 => "(local.get 0)".to_string(),
        _ => "(i32.and (local.get 0) (i32.const 7))".to_string(),
    }
}

/// A random element, read from the table: FVM's stack limiter refuses `ref.func` and
/// `ref.null`, so a table's elements are the only references an actor has.
fn random_element(rng: &mut impl Rng) -> String {
    format!("(table.get {})", random_index(rng))
}

/// A random growth delta, in elements or pages.
fn random_delta(rng: &mut impl Rng) -> String {
    match rng.gen_range(0..4) {
        0 => format!(
            "(i32.const {})",
            [0u32, 1, 2, 7, 100_000, u32::MAX][rng.gen_range(0..6)] as i32
        ),
        1 => "(local.get 0)".to_string(),
        2 => "(i32.and (local.get 0) (i32.const 15))".to_string(),
        _ => "(i32.const 1)".to_string(),
    }
}

/// A random statement, adding what it yields to local 1.
fn random_statement(rng: &mut impl Rng) -> String {
    let add = |value: String| format!("(local.set 1 (i32.add (local.get 1) {value}))");
    match rng.gen_range(0..8) {
        0 | 1 => add(format!(
            "(table.grow {} {})",
            random_element(rng),
            random_delta(rng)
        )),
        2 => add("(table.size)".to_string()),
        3 => add(format!(
            "(call_indirect (type $leaf) {})",
            random_index(rng)
        )),
        4 => format!("(table.set {} {})", random_index(rng), random_element(rng)),
        5 => format!(
            "(table.fill {} {} {})",
            random_index(rng),
            random_element(rng),
            random_delta(rng)
        ),
        6 => add(format!("(memory.grow {})", random_delta(rng))),
        // Growth by one in a loop, the argument (bounded) times.
        _ => format!(
            "(local.set 2 (i32.and (local.get 0) (i32.const 63)))
             (block $done (loop $again
               (br_if $done (i32.eqz (local.get 2)))
               {}
               (local.set 2 (i32.sub (local.get 2) (i32.const 1)))
               (br $again)))",
            add(format!(
                "(table.grow {} (i32.const 1))",
                random_element(rng)
            ))
        ),
    }
}

/// A module with a memory, `table` (its declaration) filled by `elem`, three functions of type
/// `$leaf` (`$leaf0` to `$leaf2`, returning 41 to 43), and `a` running `body` with two i32
/// locals.
fn table_module(table: &str, elem: &str, body: &str) -> String {
    format!(
        "(module (memory (export \"memory\") 1 4)
           (type $leaf (func (result i32)))
           (table {table} funcref)
           {elem}
           (func $leaf0 (type $leaf) (i32.const 41))
           (func $leaf1 (type $leaf) (i32.const 42))
           (func $leaf2 (type $leaf) (i32.const 43))
           (func (export \"a\") (param i32) (result i32) {body}))"
    )
}

/// A random program: a table, up to three functions in it, and `a` running 1 to 8 statements,
/// adding up what they yield in local 1.
fn random_program(rng: &mut impl Rng) -> String {
    let (table, elem) = random_table(rng);
    let statements: Vec<String> = (0..rng.gen_range(1..=8))
        .map(|_| random_statement(rng))
        .collect();
    let body = format!("(local i32 i32) {} (local.get 1)", statements.join(" "));
    table_module(&table, &elem, &body)
}

#[test]
fn random_table_programs_match_wasmtime() {
    let target: usize = env_or("IFVM_TABLE_DIFF_PROGRAMS", 300);
    let seed: u64 = env_or("IFVM_TABLE_DIFF_SEED", 0);
    with_both_engines(move |ours, theirs| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let (mut executed, mut calls, mut returned) = (0usize, 0usize, 0usize);
        for i in 0..target * 2 {
            if executed == target {
                break;
            }
            let wat = random_program(&mut rng);
            let wasm = wat::parse_str(&wat).unwrap();
            let args: Vec<_> = (0..rng.gen_range(2..6))
                .map(|_| {
                    let arg = match rng.gen_range(0..3) {
                        0 => [0u64, 1, 2, 5, 20, 0xffff_ffff][rng.gen_range(0..6)],
                        1 => rng.gen_range(0..64),
                        _ => rng.next_u64(),
                    };
                    ("a", vec![('i', arg)])
                })
                .collect();
            let context = || format!("seed {seed}, program {i}:\n{wat}\ncalls {args:?}");
            match (run_ifvm(ours, &wasm, &args), theirs.run(&wasm, &args)) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.0, b.0, "outcomes differ: {}", context());
                    assert!(a.1 == b.1, "memory differs: {}", context());
                    executed += 1;
                    calls += a.0.len();
                    returned +=
                        a.0.iter()
                            .filter(|o| matches!(o, Outcome::Returned { .. }))
                            .count();
                }
                (Err(_), Err(_)) => {}
                (a, b) => panic!(
                    "acceptance differs: ifvm {a:?}, ref-fvm {b:?}: {}",
                    context()
                ),
            }
        }
        println!("seed {seed}: executed: {executed}, calls: {calls}, returned: {returned}");
        assert_eq!(executed, target, "seed {seed}: too few programs executed");
        // Most calls trap somewhere (an index out of bounds, a null element); enough return
        // (about 0.7 per program: a quarter is the floor, for counts as small as qemu's 50).
        assert!(
            returned >= target / 4,
            "seed {seed}: too few calls returned ({returned})"
        );
    });
}
