// JSON schema validation (ajv) for every JSON imcc prints or writes. Schemas live in schemas/<name>.schema.json.
// Below every phase (it imports none), so mapping and dataflow validate their JSON with the same code as emit.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { formatJson, roundJsonNumbers } from './json.js';

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
const ajv = new Ajv({ allErrors: true, strict: true });
const compiled = new Map<string, ValidateFunction>();

export function schemaPath(name: string): string {
  return join(schemaDir, `${name}.schema.json`);
}

/** Throws (an internal error: our own output broke its contract) when `value` does not match schemas/<name>. */
export function validateJson(name: string, value: unknown): void {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object);
    compiled.set(name, validate);
  }
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new Error(`output does not match schemas/${name}.schema.json: ${problems}`);
  }
}

/** Validated, deterministic JSON text (2-space indent, trailing newline; key order as built; numbers rounded as
 * support/json.ts says, and validated as rounded). */
export function jsonText(name: string, value: unknown): string {
  const rounded = roundJsonNumbers(value);
  validateJson(name, rounded);
  return formatJson(rounded);
}

/** Validated JSON text with every number exact: for simulator inputs (CrossSim's ADC ranges and steps), where
 * rounding would move the levels the simulator computes and break its match with the reference model. */
export function exactJsonText(name: string, value: unknown): string {
  validateJson(name, value);
  return JSON.stringify(value, null, 2) + '\n';
}
