import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

const DIR = new URL("../schemas/", import.meta.url);

/** Every schema in schemas/, compiled strictly, so $refs between them resolve. */
const ajv = new Ajv2020({ strict: true, allErrors: true });
for (const file of readdirSync(DIR)) ajv.addSchema(JSON.parse(readFileSync(new URL(file, DIR), "utf8")));

/** Validates `value` against `schemas/<name>.schema.json`; returns the errors as text ("" when valid). */
export function schemaErrors(name: string, value: unknown): string {
  const validate = ajv.getSchema(`tensorplug/${name}.schema.json`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) ? "" : ajv.errorsText(validate.errors, { separator: "\n" });
}
