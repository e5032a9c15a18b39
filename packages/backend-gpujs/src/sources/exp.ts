// `Math.exp` in gpu.js's WebAssembly is an import: every lane of every SIMD step calls out to
// JavaScript, about 30 ns a value, 90% of a softmax kernel's time. For the arguments the softmax
// kernels take, `z - max` and `(z - max) - lse`, which are never positive, `expStatements` writes
// exp as float32 arithmetic gpu.js keeps in SIMD: a Cody-Waite reduction to r = x - n ln2 with
// |r| <= ln2/2, the degree-7 Taylor polynomial of exp(r) (truncation error 5e-9, far below float32
// rounding), and 2^-n as a product of the powers 2^-128 ... 2^-1 that n's binary digits select.

/** How a kernel computes `exp`: gpu.js's `Math.exp`, or float32 arithmetic (`expStatements`). */
export type ExpForm = "import" | "arithmetic";

/** Below this exp is 0 in float32 (less than half the smallest subnormal); keeps n finite for -inf. */
const LOWEST = -104;
const LOG2E = Math.LOG2E;
/** ln 2 split in two: the high part has 9 significant bits, so n * LN2_HI is exact for |n| < 2^15. */
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444005469057e-4;
/** 1/k! for k = 2..7, Horner order from the highest. */
const TAYLOR = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2];
/** The binary digits of n that `expStatements` tests, highest first: n is at most 151. */
const DIGITS = [128, 64, 32, 16, 8, 4, 2, 1];

/**
 * Statements that declare `name` as `exp(x)`, for an `x` that is at most 0 or NaN (a NaN gives
 * NaN, -Infinity gives 0). `x` is evaluated once. Locals are named from `name`, so several
 * expansions can share a function. With `form` "import" a plain `Math.exp(x)`.
 */
export function expStatements(name: string, x: string, form: ExpForm): string {
  if (form === "import") return `const ${name} = Math.exp(${x});`;
  const r = `${name}R`;
  const n = `${name}N`;
  const t = `${name}T`;
  const poly = TAYLOR.reduce((acc, c) => `${literal(c)} + ${r} * (${acc})`, literal(1 / 40320));
  return [
    `let ${r} = Math.max(${x}, ${LOWEST});`,
    `const ${n} = Math.floor(${r} * ${LOG2E} + 0.5);`,
    `${r} = (${r} - ${n} * ${LN2_HI}) - ${n} * ${LN2_LO};`,
    `let ${name} = 1 + ${r} * (1 + ${r} * (${poly}));`,
    `let ${t} = 0 - ${n};`,
    // Selects, not ifs: an if on a per-lane condition is a branch on whether any lane takes it,
    // which mispredicts on real data; a select costs the same every time.
    ...DIGITS.map(
      (d) => `${name} *= ${t} >= ${d} ? ${literal(2 ** -d)} : 1.0; ${t} -= ${t} >= ${d} ? ${d}.0 : 0.0;`,
    ),
  ].join(" ");
}

/** A number as gpu.js source: always with a decimal point or exponent, so it is read as a float. */
function literal(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
