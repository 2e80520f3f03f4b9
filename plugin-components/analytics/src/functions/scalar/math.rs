//! Math functions, typed as DuckDB types them: `abs`, `round`, `trunc` keep their argument's
//! type (an integer `abs` that does not fit is an error, not a wrap); `round`, `floor`, `ceil` and
//! `trunc` of a decimal give a decimal of the new scale; `floor` and `ceil` of an integer give a
//! `DOUBLE`; `sign` is a `TINYINT`; everything transcendental is `DOUBLE` and answers NaN or an
//! infinity where the C library does (`sqrt(-1)` is NaN, `ln(0)` is `-inf`), as DuckDB does.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, PrimitiveArray};
use arrow_schema::DataType;

use super::{Arg, Resolved, ScalarFunc, arg, integerish, is_null_literal, literal_int, no_signature, unify};
use crate::error::{AnalyticsError, Result};
use crate::types::coerce::{MAX_DECIMAL_PRECISION, arithmetic_result, decimal_parts, is_float, is_numeric};

/// A math function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MathFunc {
    /// `abs(x)`.
    Abs,
    /// `sign(x)`: -1, 0 or 1 (0 for NaN).
    Sign,
    /// `round(x[, digits])`, half away from zero.
    Round(Digits),
    /// `trunc(x[, digits])`, toward zero.
    Trunc(Digits),
    /// `floor(x)`.
    Floor,
    /// `ceil(x)`, `ceiling(x)`.
    Ceil,
    /// A function of one `DOUBLE`.
    Float(FloatFn),
    /// `log(base, x)`.
    LogBase,
    /// `power(x, y)`, `pow(x, y)`.
    Power,
    /// `atan2(y, x)`.
    Atan2,
    /// `mod(a, b)`: the `%` operator as a function.
    Mod,
    /// `pi()`.
    Pi,
    /// `isnan(x)`.
    IsNan,
    /// `isinf(x)`.
    IsInf,
    /// `isfinite(x)`.
    IsFinite,
    /// `gcd(a, b)`.
    Gcd,
    /// `lcm(a, b)`.
    Lcm,
}

/// The digits `round` or `trunc` keep: fixed when the call is bound (a constant, or none: 0), or a
/// column (floats only, as DuckDB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digits {
    /// A constant number of digits after the point (negative: before it).
    Fixed(i32),
    /// The second argument, row by row.
    Column,
}

/// A function of one `DOUBLE` giving a `DOUBLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatFn {
    /// `sqrt`.
    Sqrt,
    /// `cbrt`.
    Cbrt,
    /// `ln`.
    Ln,
    /// `log10`, and `log` of one argument.
    Log10,
    /// `log2`.
    Log2,
    /// `exp`.
    Exp,
    /// `degrees`.
    Degrees,
    /// `radians`.
    Radians,
    /// `sin`.
    Sin,
    /// `cos`.
    Cos,
    /// `tan`.
    Tan,
    /// `cot`.
    Cot,
    /// `asin`.
    Asin,
    /// `acos`.
    Acos,
    /// `atan`.
    Atan,
    /// `even`: away from zero to the nearest even integer.
    Even,
}

impl FloatFn {
    fn apply(self, x: f64) -> f64 {
        match self {
            FloatFn::Sqrt => x.sqrt(),
            FloatFn::Cbrt => cbrt(x),
            FloatFn::Ln => x.ln(),
            FloatFn::Log10 => x.log10(),
            FloatFn::Log2 => x.log2(),
            FloatFn::Exp => x.exp(),
            FloatFn::Degrees => x.to_degrees(),
            FloatFn::Radians => x.to_radians(),
            FloatFn::Sin => x.sin(),
            FloatFn::Cos => x.cos(),
            FloatFn::Tan => x.tan(),
            FloatFn::Cot => 1.0 / x.tan(),
            FloatFn::Asin => x.asin(),
            FloatFn::Acos => x.acos(),
            FloatFn::Atan => x.atan(),
            FloatFn::Even => {
                let whole = if x >= 0.0 { x.ceil() } else { x.floor() };
                // NaN and infinities fall through the odd branch unchanged (`inf + 1` is `inf`).
                if whole % 2.0 == 0.0 { whole } else { whole + x.signum() }
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            FloatFn::Sqrt => "sqrt",
            FloatFn::Cbrt => "cbrt",
            FloatFn::Ln => "ln",
            FloatFn::Log10 => "log10",
            FloatFn::Log2 => "log2",
            FloatFn::Exp => "exp",
            FloatFn::Degrees => "degrees",
            FloatFn::Radians => "radians",
            FloatFn::Sin => "sin",
            FloatFn::Cos => "cos",
            FloatFn::Tan => "tan",
            FloatFn::Cot => "cot",
            FloatFn::Asin => "asin",
            FloatFn::Acos => "acos",
            FloatFn::Atan => "atan",
            FloatFn::Even => "even",
        }
    }
}

impl MathFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            MathFunc::Abs => "abs",
            MathFunc::Sign => "sign",
            MathFunc::Round(_) => "round",
            MathFunc::Trunc(_) => "trunc",
            MathFunc::Floor => "floor",
            MathFunc::Ceil => "ceil",
            MathFunc::Float(f) => f.name(),
            MathFunc::LogBase => "log",
            MathFunc::Power => "power",
            MathFunc::Atan2 => "atan2",
            MathFunc::Mod => "mod",
            MathFunc::Pi => "pi",
            MathFunc::IsNan => "isnan",
            MathFunc::IsInf => "isinf",
            MathFunc::IsFinite => "isfinite",
            MathFunc::Gcd => "gcd",
            MathFunc::Lcm => "lcm",
        }
        .into()
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &[
    "abs", "sign", "round", "trunc", "floor", "ceil", "ceiling", "sqrt", "cbrt", "ln", "log", "log10", "log2", "exp",
    "power", "pow", "mod", "pi", "degrees", "radians", "sin", "cos", "tan", "cot", "asin", "acos", "atan", "atan2",
    "isnan", "isinf", "isfinite", "gcd", "lcm", "even",
];

fn numberish(t: &DataType) -> bool {
    is_numeric(t) || *t == DataType::Null
}

/// The type a numeric argument is computed in: itself, except that untyped NULLs become `DOUBLE`
/// and 256-bit decimals `DOUBLE` (the decimal kernels here are 128-bit).
fn computed(t: &DataType) -> DataType {
    match t {
        DataType::Null | DataType::Decimal256(..) | DataType::Float16 => DataType::Float64,
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => DataType::Decimal128(*p, *s),
        other => other.clone(),
    }
}

/// An integer, or a `DECIMAL(38,0)`, which stands for DuckDB's HUGEINT (a UBIGINT met with a
/// signed integer becomes one).
fn hugeintish(t: &DataType) -> bool {
    integerish(t) || *t == DataType::Decimal128(MAX_DECIMAL_PRECISION, 0)
}

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    let done = |func: MathFunc, arg_types: Vec<DataType>, return_type: DataType| {
        Ok(Some(Resolved { func: ScalarFunc::Math(func), arg_types, return_type }))
    };
    let f64t = DataType::Float64;
    let float_fn = match name {
        "sqrt" => Some(FloatFn::Sqrt),
        "cbrt" => Some(FloatFn::Cbrt),
        "ln" => Some(FloatFn::Ln),
        "log10" => Some(FloatFn::Log10),
        "log2" => Some(FloatFn::Log2),
        "log" if args.len() == 1 => Some(FloatFn::Log10),
        "exp" => Some(FloatFn::Exp),
        "degrees" => Some(FloatFn::Degrees),
        "radians" => Some(FloatFn::Radians),
        "sin" => Some(FloatFn::Sin),
        "cos" => Some(FloatFn::Cos),
        "tan" => Some(FloatFn::Tan),
        "cot" => Some(FloatFn::Cot),
        "asin" => Some(FloatFn::Asin),
        "acos" => Some(FloatFn::Acos),
        "atan" => Some(FloatFn::Atan),
        "even" => Some(FloatFn::Even),
        _ => None,
    };
    if let Some(f) = float_fn {
        return match args {
            [a] if numberish(a.data_type) => done(MathFunc::Float(f), vec![f64t.clone()], f64t),
            _ => Err(no_signature(name, args, "one number")),
        };
    }
    match name {
        "abs" | "trunc" | "round" | "floor" | "ceil" | "ceiling" | "sign" | "isnan" | "isinf" | "isfinite" => {
            let digits = matches!(name, "round" | "trunc");
            let (x, d) = match args {
                [x] if numberish(x.data_type) => (x, None),
                [x, d]
                    if digits
                        && numberish(x.data_type)
                        && integerish(d.data_type)
                        && !matches!(d.data_type, DataType::Int64 | DataType::UInt32 | DataType::UInt64) =>
                {
                    (x, Some(d))
                }
                _ => {
                    let what = if digits { "(number[, digits integer])" } else { "one number" };
                    return Err(no_signature(name, args, what));
                }
            };
            let t = computed(x.data_type);
            // DuckDB has no unsigned `round`: it rounds them as BIGINT (UBIGINT as HUGEINT, a
            // `DECIMAL(38,0)` here), so `-round(u16)` is a signed value.
            let t = match t {
                DataType::UInt8 | DataType::UInt16 | DataType::UInt32 if name == "round" => DataType::Int64,
                DataType::UInt64 if name == "round" => DataType::Decimal128(MAX_DECIMAL_PRECISION, 0),
                other => other,
            };
            match name {
                "abs" => done(MathFunc::Abs, vec![t.clone()], t),
                "sign" => done(MathFunc::Sign, vec![f64t], DataType::Int8),
                "isnan" => done(MathFunc::IsNan, vec![f64t], DataType::Boolean),
                "isinf" => done(MathFunc::IsInf, vec![f64t], DataType::Boolean),
                "isfinite" => done(MathFunc::IsFinite, vec![f64t], DataType::Boolean),
                "floor" | "ceil" | "ceiling" => {
                    let func = if name == "floor" { MathFunc::Floor } else { MathFunc::Ceil };
                    let ret = match decimal_parts(&t) {
                        Some((p, _)) => DataType::Decimal128(p, 0),
                        None if is_float(&t) => t.clone(),
                        None => f64t,
                    };
                    let arg_t = if is_float(&ret) && !is_float(&t) { ret.clone() } else { t };
                    done(func, vec![arg_t], ret)
                }
                _ => {
                    let fixed = match d {
                        None => Some(0),
                        Some(d) if is_null_literal(d) => None,
                        Some(d) => literal_int(d).map(|v| v.clamp(-1000, 1000) as i32),
                    };
                    let digits = match (fixed, d) {
                        (Some(v), _) => Digits::Fixed(v),
                        (None, Some(d)) if is_null_literal(d) => Digits::Column,
                        (None, _) if is_float(&t) => Digits::Column,
                        (None, _) => {
                            return Err(AnalyticsError::unsupported(format!(
                                "{name} of a {t} with digits that are not a constant"
                            )));
                        }
                    };
                    let ret = match (decimal_parts(&t), digits) {
                        (Some((p, s)), Digits::Fixed(n)) if n < 0 => {
                            let int_digits = i16::from(p) - i16::from(s) + 1;
                            DataType::Decimal128(
                                int_digits.max(i16::from(p)).min(i16::from(MAX_DECIMAL_PRECISION)) as u8,
                                0,
                            )
                        }
                        (Some((p, s)), Digits::Fixed(n)) => DataType::Decimal128(p, (n.min(i32::from(s))) as i8),
                        _ => t.clone(),
                    };
                    let func = if name == "round" { MathFunc::Round(digits) } else { MathFunc::Trunc(digits) };
                    let mut arg_types = vec![t];
                    if d.is_some() {
                        arg_types.push(DataType::Int32);
                    }
                    done(func, arg_types, ret)
                }
            }
        }
        "log" | "power" | "pow" | "atan2" => match args {
            [a, b] if numberish(a.data_type) && numberish(b.data_type) => {
                let func = match name {
                    "log" => MathFunc::LogBase,
                    "atan2" => MathFunc::Atan2,
                    _ => MathFunc::Power,
                };
                done(func, vec![f64t.clone(), f64t.clone()], f64t)
            }
            _ => Err(no_signature(name, args, if name == "log" { "(x) or (base, x)" } else { "two numbers" })),
        },
        "mod" => match args {
            [a, b] if numberish(a.data_type) && numberish(b.data_type) => {
                let t = unify(args).ok_or_else(|| no_signature(name, args, "two numbers"))?;
                let t = computed(&t);
                let ret = arithmetic_result(crate::types::BinaryOp::Mod, &t, &t, &t);
                done(MathFunc::Mod, vec![t.clone(), t], ret)
            }
            _ => Err(no_signature(name, args, "two numbers")),
        },
        "gcd" | "lcm" => match args {
            [a, b] if hugeintish(a.data_type) && hugeintish(b.data_type) => {
                let func = if name == "gcd" { MathFunc::Gcd } else { MathFunc::Lcm };
                // DuckDB takes a UBIGINT as a HUGEINT (a `DECIMAL(38,0)` here), other integers
                // as BIGINT.
                let t = if [a, b].iter().any(|x| *x.data_type == DataType::UInt64 || !integerish(x.data_type)) {
                    DataType::Decimal128(MAX_DECIMAL_PRECISION, 0)
                } else {
                    DataType::Int64
                };
                done(func, vec![t.clone(), t.clone()], t)
            }
            _ => Err(no_signature(name, args, "two integers")),
        },
        "pi" => match args {
            [] => done(MathFunc::Pi, vec![], f64t),
            _ => Err(no_signature(name, args, "no arguments")),
        },
        _ => Ok(None),
    }
}

/// Run it.
pub fn invoke(func: &MathFunc, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    match func {
        MathFunc::Pi => Ok(Arc::new(Float64Array::from(vec![std::f64::consts::PI; len]))),
        MathFunc::Abs => abs(arg(args, 0)?),
        MathFunc::Sign => {
            let x = f64s(arg(args, 0)?)?;
            let out: PrimitiveArray<Int8Type> = x.unary(|v| {
                if v.is_nan() || v == 0.0 {
                    0
                } else if v > 0.0 {
                    1
                } else {
                    -1
                }
            });
            Ok(Arc::new(out))
        }
        MathFunc::IsNan | MathFunc::IsInf | MathFunc::IsFinite => {
            let x = f64s(arg(args, 0)?)?;
            let test = |v: f64| match func {
                MathFunc::IsNan => v.is_nan(),
                MathFunc::IsInf => v.is_infinite(),
                _ => v.is_finite(),
            };
            let values: Vec<bool> = x.values().iter().map(|v| test(*v)).collect();
            Ok(Arc::new(BooleanArray::new(values.into(), x.nulls().cloned())))
        }
        MathFunc::Float(f) => {
            let f = *f;
            Ok(Arc::new(f64s(arg(args, 0)?)?.unary::<_, Float64Type>(|v| f.apply(v))))
        }
        MathFunc::LogBase | MathFunc::Power | MathFunc::Atan2 => {
            let (a, b) = (f64s(arg(args, 0)?)?, f64s(arg(args, 1)?)?);
            let op = |x: f64, y: f64| match func {
                MathFunc::LogBase => y.ln() / x.ln(),
                MathFunc::Atan2 => x.atan2(y),
                _ => x.powf(y),
            };
            Ok(Arc::new(arrow_arith::arity::binary::<_, _, _, Float64Type>(a, b, op)?))
        }
        MathFunc::Mod => {
            let out = arrow_arith::numeric::rem(arg(args, 0)?, arg(args, 1)?).map_err(|e| match e {
                arrow_schema::ArrowError::DivideByZero => AnalyticsError::execution("division by zero in mod"),
                other => AnalyticsError::from_arrow(other),
            })?;
            if out.data_type() == return_type { Ok(out) } else { crate::types::cast::cast(&out, return_type, false) }
        }
        MathFunc::Gcd | MathFunc::Lcm => {
            let lcm = *func == MathFunc::Lcm;
            let name = if lcm { "lcm" } else { "gcd" };
            let apply = |x: i128, y: i128| -> Option<i128> {
                let g = gcd(x, y);
                if !lcm {
                    Some(g)
                } else if g == 0 {
                    Some(0)
                } else {
                    (x / g).checked_mul(y).map(i128::abs)
                }
            };
            let overflow = |x: &dyn std::fmt::Display, y: &dyn std::fmt::Display| {
                arrow_schema::ArrowError::ArithmeticOverflow(format!("{name}({x}, {y})"))
            };
            let (a, b) = (arg(args, 0)?, arg(args, 1)?);
            if let (Some(a), Some(b)) = (a.as_primitive_opt::<Decimal128Type>(), b.as_primitive_opt::<Decimal128Type>())
            {
                const LIMIT: i128 = 10i128.pow(MAX_DECIMAL_PRECISION as u32);
                let out = arrow_arith::arity::try_binary::<_, _, _, Decimal128Type>(a, b, |x, y| {
                    apply(x, y).filter(|r| *r < LIMIT).ok_or_else(|| overflow(&x, &y))
                })?;
                return Ok(Arc::new(out.with_precision_and_scale(MAX_DECIMAL_PRECISION, 0)?));
            }
            let (a, b) = a
                .as_primitive_opt::<Int64Type>()
                .zip(b.as_primitive_opt::<Int64Type>())
                .ok_or_else(|| AnalyticsError::internal(format!("{name} of a non-integer")))?;
            let out = arrow_arith::arity::try_binary::<_, _, _, Int64Type>(a, b, |x, y| {
                apply(i128::from(x), i128::from(y)).and_then(|r| i64::try_from(r).ok()).ok_or_else(|| overflow(&x, &y))
            })?;
            Ok(Arc::new(out))
        }
        MathFunc::Floor | MathFunc::Ceil => {
            let x = arg(args, 0)?;
            let floor = *func == MathFunc::Floor;
            match x.data_type() {
                DataType::Float64 => Ok(Arc::new(
                    x.as_primitive::<Float64Type>()
                        .unary::<_, Float64Type>(|v| if floor { v.floor() } else { v.ceil() }),
                )),
                DataType::Float32 => Ok(Arc::new(
                    x.as_primitive::<Float32Type>()
                        .unary::<_, Float32Type>(|v| if floor { v.floor() } else { v.ceil() }),
                )),
                DataType::Decimal128(_, s) => {
                    let mode = if floor { Mode::Floor } else { Mode::Ceil };
                    rescale(x, *s, 0, mode, return_type)
                }
                other => Err(AnalyticsError::internal(format!("floor of {other}"))),
            }
        }
        MathFunc::Round(digits) | MathFunc::Trunc(digits) => {
            let mode = if matches!(func, MathFunc::Round(_)) { Mode::Round } else { Mode::Trunc };
            let x = arg(args, 0)?;
            match (x.data_type(), digits) {
                (DataType::Float64, _) => {
                    let v = x.as_primitive::<Float64Type>();
                    Ok(Arc::new(match digits {
                        Digits::Fixed(d) => v.unary::<_, Float64Type>(|v| round_f64(v, *d, mode)),
                        Digits::Column => {
                            let d = arg(args, 1)?.as_primitive::<Int32Type>();
                            arrow_arith::arity::binary::<_, _, _, Float64Type>(v, d, |v, d| round_f64(v, d, mode))?
                        }
                    }))
                }
                (DataType::Float32, _) => {
                    let v = x.as_primitive::<Float32Type>();
                    Ok(Arc::new(match digits {
                        Digits::Fixed(d) => v.unary::<_, Float32Type>(|v| round_f32(v, *d, mode)),
                        Digits::Column => {
                            let d = arg(args, 1)?.as_primitive::<Int32Type>();
                            arrow_arith::arity::binary::<_, _, _, Float32Type>(v, d, |v, d| round_f32(v, d, mode))?
                        }
                    }))
                }
                (_, Digits::Column) => Ok(arrow_array::new_null_array(return_type, len)),
                (DataType::Decimal128(_, s), Digits::Fixed(d)) => rescale(x, *s, *d, mode, return_type),
                (t, Digits::Fixed(d)) if t.is_integer() => {
                    if *d >= 0 {
                        return Ok(x.clone());
                    }
                    let wide = crate::types::cast::cast(x, &DataType::Decimal128(38, 0), false)?;
                    let r = rescale(&wide, 0, *d, mode, &DataType::Decimal128(38, 0))?;
                    crate::types::cast::cast(&r, t, false).map_err(|_| {
                        AnalyticsError::execution(format!("overflow in {} of integer", func.name().to_uppercase()))
                    })
                }
                (other, _) => Err(AnalyticsError::internal(format!("round of {other}"))),
            }
        }
    }
}

fn f64s(a: &ArrayRef) -> Result<&PrimitiveArray<Float64Type>> {
    a.as_primitive_opt::<Float64Type>()
        .ok_or_else(|| AnalyticsError::internal(format!("expected a double, got {}", a.data_type())))
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The cube root as DuckDB computes it on Linux, through glibc's `cbrt`: a degree-6 polynomial
/// guess for the mantissa in [0.5, 1), one Halley step, the exponent divided by three with the
/// remainder's factor. It is within an ulp of the true root, like Rust's `f64::cbrt`, but not
/// always the same double (`cbrt(16)` is 2.519842099789747 here and in DuckDB,
/// 2.5198420997897464 in Rust), which a cast to text or a `%` then shows.
fn cbrt(x: f64) -> f64 {
    // 2^(k/3) for k = -2..=2, each one division as the C source computes it; the constants are
    // glibc's, written as the doubles they round to.
    const CBRT2: f64 = 1.259_921_049_894_873_2;
    const SQR_CBRT2: f64 = 1.587_401_051_968_199_6;
    const FACTOR: [f64; 5] = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
    if x == 0.0 || !x.is_finite() {
        return x + x;
    }
    let (xm, xe) = frexp(x.abs());
    let u = 0.354_895_765_043_919_84
        + ((1.508_191_937_815_849
            + ((-2.114_994_941_673_713
                + ((2.446_931_225_635_344_4
                    + ((-1.834_692_774_836_130_8
                        + (0.784_932_344_976_639_2 - 0.145_263_899_385_486_37 * xm) * xm)
                        * xm))
                    * xm))
                * xm))
            * xm);
    let t2 = u * u * u;
    // `xe % 3` is in -2..=2 (Rust's `%` truncates, as C's does).
    let factor = FACTOR.get((2 + xe % 3) as usize).copied().unwrap_or(1.0);
    let ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * factor;
    // The root of a finite double is a normal double, so scaling by a power of two is exact.
    let scale = f64::from_bits(((xe / 3 + 1023) as u64) << 52);
    (if x > 0.0 { ym } else { -ym }) * scale
}

/// `x = m·2^e` with `m` in [0.5, 1), for a finite positive `x` (subnormals too).
fn frexp(x: f64) -> (f64, i32) {
    let (x, shift) = if x < f64::MIN_POSITIVE { (x * 2f64.powi(54), -54) } else { (x, 0) };
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent - 1022 + shift)
}

/// `abs`, in the argument's own type; the most negative integer has no absolute value there and
/// is an error, as in DuckDB.
fn abs(x: &ArrayRef) -> Result<ArrayRef> {
    macro_rules! checked {
        ($t:ty) => {{
            let out = x.as_primitive::<$t>().try_unary::<_, $t, arrow_schema::ArrowError>(|v| {
                v.checked_abs().ok_or_else(|| arrow_schema::ArrowError::ArithmeticOverflow(format!("abs({v})")))
            })?;
            Ok(Arc::new(out) as ArrayRef)
        }};
    }
    match x.data_type() {
        DataType::Int8 => checked!(Int8Type),
        DataType::Int16 => checked!(Int16Type),
        DataType::Int32 => checked!(Int32Type),
        DataType::Int64 => checked!(Int64Type),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => Ok(x.clone()),
        DataType::Float64 => Ok(Arc::new(x.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::abs))),
        DataType::Float32 => Ok(Arc::new(x.as_primitive::<Float32Type>().unary::<_, Float32Type>(f32::abs))),
        DataType::Decimal128(p, s) => {
            let out = x.as_primitive::<Decimal128Type>().unary::<_, Decimal128Type>(|v| v.saturating_abs());
            Ok(Arc::new(out.with_precision_and_scale(*p, *s)?))
        }
        other => Err(AnalyticsError::internal(format!("abs of {other}"))),
    }
}

/// How a value loses digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Half away from zero.
    Round,
    /// Toward zero.
    Trunc,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceil,
}

/// DuckDB's `round(double, digits)` and `trunc(double, digits)`: scale by a power of ten, round,
/// scale back. NaN and infinities stay themselves; a result that overflows to an infinity or NaN
/// gives the input, except `round` to negative digits, which gives 0 (`round(1e300, -400)` is 0,
/// `trunc(1e300, -400)` 1e300).
fn round_f64(v: f64, digits: i32, mode: Mode) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let op = |x: f64| if mode == Mode::Round { x.round() } else { x.trunc() };
    let (r, overflow) = if digits < 0 {
        let m = 10f64.powi(-digits);
        (op(v / m) * m, if mode == Mode::Round { 0.0 } else { v })
    } else {
        let m = 10f64.powi(digits);
        (op(v * m) / m, v)
    };
    if r.is_finite() { r } else { overflow }
}

fn round_f32(v: f32, digits: i32, mode: Mode) -> f32 {
    if !v.is_finite() {
        return v;
    }
    let op = |x: f32| if mode == Mode::Round { x.round() } else { x.trunc() };
    let (r, overflow) = if digits < 0 {
        let m = 10f32.powi(-digits);
        (op(v / m) * m, if mode == Mode::Round { 0.0 } else { v })
    } else {
        let m = 10f32.powi(digits);
        (op(v * m) / m, v)
    };
    if r.is_finite() { r } else { overflow }
}

/// A decimal of scale `scale` with `digits` digits kept after the point (negative: zeros before
/// it), as a decimal of `return_type` (scale `max(min(digits, scale), 0)`).
fn rescale(x: &ArrayRef, scale: i8, digits: i32, mode: Mode, return_type: &DataType) -> Result<ArrayRef> {
    let (p, rs) = decimal_parts(return_type).ok_or_else(|| AnalyticsError::internal("rescale to a non-decimal"))?;
    let v = x.as_primitive::<Decimal128Type>();
    let scale = i32::from(scale);
    if digits >= scale {
        return Ok(Arc::new(v.clone().with_precision_and_scale(p, rs)?));
    }
    let drop = (scale - digits) as u32;
    let zeros = if digits < 0 { (-digits) as u32 } else { 0 };
    let factor = 10i128.checked_pow(drop);
    let out = v.try_unary::<_, Decimal128Type, arrow_schema::ArrowError>(|v| {
        let Some(factor) = factor else {
            return Ok(0);
        };
        let (q, r) = (v / factor, v % factor);
        let q = match mode {
            Mode::Round if r.abs() >= factor - r.abs() => q + v.signum(),
            Mode::Floor if r < 0 => q - 1,
            Mode::Ceil if r > 0 => q + 1,
            _ => q,
        };
        if zeros == 0 {
            return Ok(q);
        }
        10i128
            .checked_pow(zeros)
            .and_then(|z| q.checked_mul(z))
            .ok_or_else(|| arrow_schema::ArrowError::ArithmeticOverflow("round of a decimal".into()))
    })?;
    Ok(Arc::new(out.with_precision_and_scale(p, rs)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use arrow_array::{Decimal128Array, Int8Array as I8, Int32Array};

    use super::*;
    use crate::types::Literal;

    fn a(t: &DataType) -> Arg<'_> {
        Arg { data_type: t, literal: None }
    }

    fn run(name: &str, types: &[DataType], literals: &[Option<Literal>], args: Vec<ArrayRef>) -> Result<ArrayRef> {
        let infos: Vec<Arg<'_>> =
            types.iter().zip(literals).map(|(t, l)| Arg { data_type: t, literal: l.as_ref() }).collect();
        let r = resolve(name, &infos)?.unwrap();
        let args: Vec<ArrayRef> =
            args.iter().zip(&r.arg_types).map(|(a, t)| crate::types::cast::cast(a, t, false).unwrap()).collect();
        let len = args.first().map_or(1, |a| a.len());
        let out = super::super::invoke(&r.func, &args, len, &r.return_type)?;
        assert_eq!(out.data_type(), &r.return_type, "{name}");
        Ok(out)
    }

    fn dec(v: i128, p: u8, s: i8) -> ArrayRef {
        Arc::new(Decimal128Array::from(vec![v]).with_precision_and_scale(p, s).unwrap())
    }

    fn int_lit(v: i32) -> Option<Literal> {
        Some(Literal(Arc::new(Int32Array::from(vec![v]))))
    }

    fn dec_value(a: &ArrayRef) -> (i128, DataType) {
        (a.as_primitive::<Decimal128Type>().value(0), a.data_type().clone())
    }

    #[test]
    fn abs_overflows_like_duckdb() {
        // DuckDB 2.0.1: abs((-128)::tinyint) is "Overflow on abs(-128)"; abs(-5::tinyint) = 5 TINYINT.
        let x: ArrayRef = Arc::new(I8::from(vec![-128i8]));
        assert!(run("abs", &[DataType::Int8], &[None], vec![x]).is_err());
        let x: ArrayRef = Arc::new(I8::from(vec![Some(-5i8), None]));
        let out = run("abs", &[DataType::Int8], &[None], vec![x]).unwrap();
        assert_eq!(out.as_primitive::<Int8Type>().iter().collect::<Vec<_>>(), vec![Some(5), None]);
        let out = run("abs", &[DataType::Decimal128(2, 1)], &[None], vec![dec(-55, 2, 1)]).unwrap();
        assert_eq!(dec_value(&out), (55, DataType::Decimal128(2, 1)));
    }

    #[test]
    fn round_decimals_change_scale_as_duckdb() {
        // DuckDB 2.0.1: round(2.555::decimal(15,3), 2) = 2.56 DECIMAL(15,2); round(2.5) = 3 DECIMAL(2,0);
        // round(-2.5) = -3; round(1234.5678, -2) = 1200 DECIMAL(8,0); round(9::decimal(1,0), -1) = 10
        // DECIMAL(2,0); round(2.555::decimal(15,3), 5) = 2.555 DECIMAL(15,3);
        // round(2.555::decimal(38,3), -40) = 0 DECIMAL(38,0).
        let r = |v, p, s, d: Option<i32>| {
            let (types, lits, args) = match d {
                None => (vec![DataType::Decimal128(p, s)], vec![None], vec![dec(v, p, s)]),
                Some(d) => (
                    vec![DataType::Decimal128(p, s), DataType::Int32],
                    vec![None, int_lit(d)],
                    vec![dec(v, p, s), Arc::new(Int32Array::from(vec![d])) as ArrayRef],
                ),
            };
            dec_value(&run("round", &types, &lits, args).unwrap())
        };
        assert_eq!(r(2555, 15, 3, Some(2)), (256, DataType::Decimal128(15, 2)));
        assert_eq!(r(25, 2, 1, None), (3, DataType::Decimal128(2, 0)));
        assert_eq!(r(-25, 2, 1, None), (-3, DataType::Decimal128(2, 0)));
        assert_eq!(r(12345678, 8, 4, Some(-2)), (1200, DataType::Decimal128(8, 0)));
        assert_eq!(r(9, 1, 0, Some(-1)), (10, DataType::Decimal128(2, 0)));
        assert_eq!(r(2555, 15, 3, Some(5)), (2555, DataType::Decimal128(15, 3)));
        assert_eq!(r(2555, 38, 3, Some(-40)), (0, DataType::Decimal128(38, 0)));
        // DuckDB 2.0.1: floor(-2.5) = -3, ceil(-2.5) = -2 (DECIMAL(2,0)); trunc(-2.7) = -2.
        let f =
            |name: &str, v| dec_value(&run(name, &[DataType::Decimal128(2, 1)], &[None], vec![dec(v, 2, 1)]).unwrap());
        assert_eq!(f("floor", -25), (-3, DataType::Decimal128(2, 0)));
        assert_eq!(f("ceil", -25), (-2, DataType::Decimal128(2, 0)));
        assert_eq!(f("trunc", -27), (-2, DataType::Decimal128(2, 0)));
    }

    #[test]
    fn round_floats_and_integers() {
        // DuckDB 2.0.1: round(2.555::double, 2) = 2.56, round(1.005::double, 2) = 1.0,
        // round(2.5::double, 400) = 2.5, round(2.5::double, -400) = 0.0, round(-5::double, -1) = -10;
        // round(15, -1) = 20 INTEGER; round(125::tinyint, -1) is an overflow error.
        assert_eq!(round_f64(2.555, 2, Mode::Round), 2.56);
        assert_eq!(round_f64(1.005, 2, Mode::Round), 1.0);
        assert_eq!(round_f64(2.5, 400, Mode::Round), 2.5);
        assert_eq!(round_f64(2.5, -400, Mode::Round), 0.0);
        // DuckDB 2.0.1 (glibc): cbrt(16) 2.519842099789747, cbrt(27) 3.0000000000000004,
        // cbrt(2) 1.2599210498948734, cbrt(-2.5) -1.3572088082974532, cbrt(0.001) 0.1; glibc's
        // cbrt(5e-324) 1.7031839360032601e-108, cbrt(1.7e308) 5.539658256754465e102.
        assert_eq!(cbrt(16.0), 2.519842099789747);
        assert_eq!(cbrt(27.0), 3.0000000000000004);
        assert_eq!(cbrt(2.0), 1.2599210498948734);
        assert_eq!(cbrt(-2.5), -1.3572088082974532);
        assert_eq!(cbrt(0.001), 0.1);
        assert_eq!(cbrt(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(cbrt(f64::NAN).is_nan());
        assert_eq!(cbrt(f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(cbrt(5e-324), 1.7031839360032601e-108);
        assert_eq!(cbrt(1.7e308), 5.539658256754465e102);
        // DuckDB 2.0.1: round('nan', -2) NaN, round('-inf', -2) -inf, trunc(1e300, -400) 1e300.
        assert!(round_f64(f64::NAN, -2, Mode::Round).is_nan());
        assert_eq!(round_f64(f64::NEG_INFINITY, -2, Mode::Round), f64::NEG_INFINITY);
        assert_eq!(round_f64(1e300, -400, Mode::Trunc), 1e300);
        assert_eq!(round_f32(f32::INFINITY, -2, Mode::Round), f32::INFINITY);
        assert_eq!(round_f64(-5.0, -1, Mode::Round), -10.0);
        assert_eq!(round_f64(2.789, 2, Mode::Trunc), 2.78);
        let i = |v: i32| Arc::new(Int32Array::from(vec![v])) as ArrayRef;
        let out = run("round", &[DataType::Int32, DataType::Int32], &[None, int_lit(-1)], vec![i(15), i(-1)]).unwrap();
        assert_eq!(out.as_primitive::<Int32Type>().value(0), 20);
        let x: ArrayRef = Arc::new(I8::from(vec![125i8]));
        assert!(run("round", &[DataType::Int8, DataType::Int32], &[None, int_lit(-1)], vec![x, i(-1)]).is_err());
        // DuckDB 2.0.1: floor(5) is 5.0 DOUBLE.
        let out = run("floor", &[DataType::Int32], &[None], vec![i(5)]).unwrap();
        assert_eq!(out.as_primitive::<Float64Type>().value(0), 5.0);
        // round(x, BIGINT) is not a signature in DuckDB either.
        assert!(resolve("round", &[a(&DataType::Float64), a(&DataType::Int64)]).is_err());
    }

    #[test]
    fn transcendental_functions_follow_the_c_library() {
        // DuckDB 2.0.1: sqrt(-1) = nan, ln(0) = -inf, log(100) = 2, log(2, 8) = 3, log(0, 8) = -0.0,
        // power(0, -1) = inf, sign(nan) = 0, sign(-0.0) = 0.
        let d = |v: f64| Arc::new(Float64Array::from(vec![v])) as ArrayRef;
        let f = |name: &str, args: Vec<ArrayRef>| {
            let types = vec![DataType::Float64; args.len()];
            let lits = vec![None; args.len()];
            run(name, &types, &lits, args).unwrap().as_primitive::<Float64Type>().value(0)
        };
        assert!(f("sqrt", vec![d(-1.0)]).is_nan());
        assert_eq!(f("ln", vec![d(0.0)]), f64::NEG_INFINITY);
        assert_eq!(f("log", vec![d(100.0)]), 2.0);
        assert_eq!(f("log", vec![d(2.0), d(8.0)]), 3.0);
        assert_eq!(f("log", vec![d(0.0), d(8.0)]), 0.0);
        assert_eq!(f("power", vec![d(0.0), d(-1.0)]), f64::INFINITY);
        assert_eq!(f("atan2", vec![d(1.0), d(1.0)]), std::f64::consts::FRAC_PI_4);
        let s = run(
            "sign",
            &[DataType::Float64],
            &[None],
            vec![Arc::new(Float64Array::from(vec![f64::NAN, -0.0, -3.0, 2.0]))],
        )
        .unwrap();
        assert_eq!(s.as_primitive::<Int8Type>().values().to_vec(), vec![0, 0, -1, 1]);
    }

    #[test]
    fn mod_gcd_lcm() {
        // DuckDB 2.0.1: mod(-7, 3) = -1; mod(7, 0) is a division-by-zero error; mod(7::double, 0) = nan;
        // gcd(-12, 18) = 6; lcm(4, 6) = 12; lcm(0, 5) = 0; gcd(-9223372036854775808, 0) is an overflow.
        let i = |v: i32| Arc::new(Int32Array::from(vec![v])) as ArrayRef;
        let m = run("mod", &[DataType::Int32, DataType::Int32], &[None, None], vec![i(-7), i(3)]).unwrap();
        assert_eq!(m.as_primitive::<Int32Type>().value(0), -1);
        assert!(run("mod", &[DataType::Int32, DataType::Int32], &[None, None], vec![i(7), i(0)]).is_err());
        let d = |v: f64| Arc::new(Float64Array::from(vec![v])) as ArrayRef;
        let m = run("mod", &[DataType::Float64, DataType::Float64], &[None, None], vec![d(7.0), d(0.0)]).unwrap();
        assert!(m.as_primitive::<Float64Type>().value(0).is_nan());
        let l = |v: i64| Arc::new(arrow_array::Int64Array::from(vec![v])) as ArrayRef;
        let g = |name: &str, x, y| {
            run(name, &[DataType::Int64, DataType::Int64], &[None, None], vec![l(x), l(y)])
                .map(|a| a.as_primitive::<Int64Type>().value(0))
        };
        assert_eq!(g("gcd", -12, 18).unwrap(), 6);
        assert_eq!(g("lcm", 4, 6).unwrap(), 12);
        assert_eq!(g("lcm", 0, 5).unwrap(), 0);
        assert!(g("gcd", i64::MIN, 0).is_err());
        assert!(g("lcm", i64::MAX, 2).is_err());
    }
}
