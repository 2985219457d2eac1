//! Edge inputs, as bit patterns: NaNs with payloads and both signs (quiet and signalling),
//! infinities, signed zeros, subnormals, rounding ties, and the boundaries of every integer range
//! a float converts to or from.

/// `f32` operands.
pub fn f32s() -> Vec<u64> {
    let values = [
        0.0f32,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        2.5,
        -2.5,
        3.5,
        0.1,
        1.0 / 3.0,
        3.0,
        1e38,
        f32::EPSILON,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::MAX,
        f32::MIN,
        8_388_607.5,     // 2^23 - 0.5
        8_388_608.0,     // 2^23
        16_777_215.0,    // 2^24 - 1
        16_777_216.0,    // 2^24
        2_147_483_520.0, // the largest float below 2^31
        2_147_483_648.0,
        -2_147_483_648.0,
        -2_147_483_904.0, // the next float below -2^31
        4_294_967_040.0,  // the largest float below 2^32
        4_294_967_296.0,
        9_223_371_487_098_961_920.0, // the largest float below 2^63
        9_223_372_036_854_775_808.0,
        -9_223_372_036_854_775_808.0,
        -9_223_373_136_366_403_584.0, // the next float below -2^63
        18_446_742_974_197_923_840.0, // the largest float below 2^64
        18_446_744_073_709_551_616.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    let bits: [u32; 13] = [
        0x3eff_ffff, // the largest float below 0.5
        0x0000_0001, // the smallest subnormal
        0x8000_0001,
        0x007f_ffff, // the largest subnormal
        0x7fc0_0000, // the canonical NaN
        0xffc0_0000,
        0x7fc0_0001, // quiet NaNs with payloads
        0xffe5_a5a5,
        0x7fff_ffff,
        0xffff_ffff,
        0x7f80_0001, // signalling NaNs
        0xff80_0001,
        0x7fa0_0000,
    ];
    values
        .iter()
        .map(|v| u64::from(v.to_bits()))
        .chain(bits.map(u64::from))
        .collect()
}

/// `f64` operands.
pub fn f64s() -> Vec<u64> {
    let f32_max = f64::from(f32::MAX);
    let values = [
        0.0f64,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        2.5,
        -2.5,
        3.5,
        0.1,
        1.0 / 3.0,
        -0.9,
        1e308,
        f64::EPSILON,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        4_503_599_627_370_495.5, // 2^52 - 0.5
        4_503_599_627_370_496.0, // 2^52
        9_007_199_254_740_991.0, // 2^53 - 1
        9_007_199_254_740_992.0, // 2^53
        9_007_199_254_740_994.0, // 2^53 + 2
        2_147_483_647.0,
        2_147_483_647.5,
        2_147_483_648.0,
        -2_147_483_648.0,
        -2_147_483_648.5,
        -2_147_483_649.0,
        4_294_967_295.0,
        4_294_967_295.5,
        4_294_967_296.0,
        9_223_372_036_854_774_784.0, // the largest double below 2^63
        9_223_372_036_854_775_808.0,
        -9_223_372_036_854_775_808.0,
        -9_223_372_036_854_777_856.0, // the next double below -2^63
        18_446_744_073_709_549_568.0, // the largest double below 2^64
        18_446_744_073_709_551_616.0,
        // Demotion: overflow, ties to even, the f32 subnormal range.
        f32_max,
        f32_max + 2f64.powi(103), // half an f32 ulp above f32::MAX: a tie
        f32_max + 2f64.powi(102),
        1.0 + 2f64.powi(-24),       // a tie, rounds down to even
        1.0 + 3.0 * 2f64.powi(-24), // a tie, rounds up to even
        2f64.powi(-149),            // the smallest f32 subnormal
        2f64.powi(-150),            // half of it: a tie
        3.0 * 2f64.powi(-150),
        1e-40,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let bits: [u64; 13] = [
        0x3fdf_ffff_ffff_ffff, // the largest double below 0.5
        0x0000_0000_0000_0001, // the smallest subnormal
        0x8000_0000_0000_0001,
        0x000f_ffff_ffff_ffff, // the largest subnormal
        0x7ff8_0000_0000_0000, // the canonical NaN
        0xfff8_0000_0000_0000,
        0x7ff8_0000_0000_0001, // quiet NaNs with payloads
        0x7ffa_5a5a_5a5a_5a5a, // a payload whose high bits survive demotion
        0xfffc_0000_2000_0000,
        0x7fff_ffff_ffff_ffff,
        0x7ff0_0000_0000_0001, // signalling NaNs
        0xfff0_0000_0000_0001,
        0x7ff4_0000_0000_0000,
    ];
    values.iter().map(|v| v.to_bits()).chain(bits).collect()
}

/// `i32` operands (as their two's-complement bits).
pub fn i32s() -> Vec<u64> {
    [
        0u32,
        1,
        u32::MAX, // -1
        0x8000_0000,
        0x7fff_ffff,
        0x8000_0001,
        0x0100_0001, // 2^24 + 1: a tie in f32
        0x0100_0003,
        0xfeff_ffff, // -(2^24 + 1)
        0x7fff_ffc0,
        0x7fff_ff80,
        0xffff_ff7f,
    ]
    .map(u64::from)
    .to_vec()
}

/// `i64` operands (as their two's-complement bits).
pub fn i64s() -> Vec<u64> {
    let mut v = vec![
        0u64,
        1,
        u64::MAX, // -1
        0x8000_0000_0000_0000,
        0x7fff_ffff_ffff_ffff,
        0x8000_0000_0000_0001,
        0x0020_0000_0000_0001, // 2^53 + 1: a tie in f64
        0x0020_0000_0000_0003,
        0xffdf_ffff_ffff_ffff, // -(2^53 + 1)
        0x7fff_ffff_ffff_fc00, // ties near 2^63
        0x7fff_ffff_ffff_fdff,
        0x7fff_ffff_ffff_fe00,
        0xffff_ffff_ffff_fc00,
        0x8000_0080_0000_0001, // sticky bits below f32 precision
        0x8000_0000_0000_0401, // sticky bits below f64 precision
        0x0000_0000_0100_0001,
    ];
    v.extend(i32s().iter().map(|&x| x as u32 as i32 as i64 as u64)); // sign-extended
    v.sort_unstable();
    v.dedup();
    v
}

/// A WAT literal for the `f32` with these bits, exact for every value (hexadecimal floats,
/// `nan:0x...` payloads).
pub fn wat_f32(bits: u32) -> String {
    wat_float(u64::from(bits), 23, 8)
}

/// A WAT literal for the `f64` with these bits.
pub fn wat_f64(bits: u64) -> String {
    wat_float(bits, 52, 11)
}

fn wat_float(bits: u64, mantissa_bits: u32, exponent_bits: u32) -> String {
    let sign = if (bits >> (mantissa_bits + exponent_bits)) & 1 == 1 {
        "-"
    } else {
        ""
    };
    let exponent_max = (1u64 << exponent_bits) - 1;
    let exponent = (bits >> mantissa_bits) & exponent_max;
    let mantissa = bits & ((1u64 << mantissa_bits) - 1);
    let bias = (1i64 << (exponent_bits - 1)) - 1;
    let subnormal_exponent = 1 - bias - i64::from(mantissa_bits);
    match (exponent, mantissa) {
        (e, 0) if e == exponent_max => format!("{sign}inf"),
        (e, m) if e == exponent_max => format!("{sign}nan:{m:#x}"),
        (0, m) => format!("{sign}0x{m:x}p{subnormal_exponent}"),
        (e, m) => format!(
            "{sign}0x{:x}p{}",
            m | 1 << mantissa_bits,
            e as i64 - 1 + subnormal_exponent
        ),
    }
}
