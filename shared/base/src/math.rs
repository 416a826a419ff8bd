//! Numerical helpers shared by the steps (generation, the guard's noise, scoring). Transcendental functions come from `libm`,
//! not the platform's maths library, so results are bit-identical natively and in
//! WebAssembly (glibc's `log` and the wasm one may differ in the last bit).

/// The inverse of the standard normal CDF (Acklam's rational approximation, relative
/// error < 1.2e-9). Hand-written: it is twenty lines, and a statistics crate for it
/// would pull a linear-algebra library into the wasm build.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let plow = 0.02425;
    if p < plow {
        let q = (-2.0 * libm::log(p)).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * libm::log(1.0 - p)).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// `x` rounded half away from zero, like `f64::round`, without a libm call: on
/// baseline x86-64 `f64::round` is a function call, and generation and CSV output
/// round every value. Exact: below 2⁵², `x − trunc(x)` has no rounding error.
#[inline]
pub fn round(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x; // already whole, infinite or NaN
    }
    let t = x as i64 as f64;
    let d = x - t;
    let r = if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    };
    r.copysign(x) // −0.4 rounds to −0.0, as in std
}

/// The standard normal CDF Φ(x).
#[cfg(test)]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_equals_the_standard_library() {
        let cases = [
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            1e300,
            -0.0,
            4503599627370495.5,
            123.456,
            f64::INFINITY,
            2.675 * 100.0,
        ];
        for x in cases {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x}");
        }
        assert!(round(f64::NAN).is_nan());
        let mut v = 0.1f64;
        for _ in 0..100_000 {
            v = v * 1.37 % 1e7 - 3e6;
            assert_eq!(round(v).to_bits(), v.round().to_bits(), "{v}");
        }
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!(normal_quantile(0.5).abs() < 1e-12);
        for x in [-3.0, -1.0, 0.0, 0.5, 2.5] {
            assert!((normal_quantile(normal_cdf(x)) - x).abs() < 1e-7, "{x}");
        }
    }
}
