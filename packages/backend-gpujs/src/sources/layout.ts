import type { Axis, Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";

/** The identity on a host array: how GL mode turns an upload into a texture. */
export function uploadSpec(shape: Shape): KernelSpec {
  const key = `upload|${dims(shape)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) { return a[${ROW}][${COL}]; }`,
    output: shape,
    args: ["host"],
  }));
}

/**
 * Parts joined along `axis`. Each thread finds the part its row (axis 0) or column (axis 1)
 * falls in by comparing against the running offsets, written in as literals.
 */
export function concatSpec(parts: readonly Shape[], axis: Axis, out: Shape): KernelSpec {
  const names = parts.map((_, i) => `p${i}`);
  const index = axis === 0 ? ROW : COL;
  const lines: string[] = [];
  let offset = 0;
  parts.forEach((shape, i) => {
    const local = offset === 0 ? index : `${index} - ${offset}`;
    const read = axis === 0 ? `p${i}[${local}][${COL}]` : `p${i}[${ROW}][${local}]`;
    offset += shape[axis];
    lines.push(i === parts.length - 1 ? `return ${read};` : `if (${index} < ${offset}) { return ${read}; }`);
  });
  const key = `concat${axis}|${parts.map(dims).join(",")}`;
  return memoized(key, () => ({
    key,
    source: `function(${names.join(", ")}) { ${lines.join(" ")} }`,
    output: out,
    args: parts.map(() => "tensor"),
  }));
}
