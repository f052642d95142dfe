/**
 * Seeded fuzzing of both payload types: valid payloads mutated at random (fields dropped,
 * retyped, NaN/±Infinity, huge and negative shapes, length mismatches, bad base64, deep
 * nesting, __proto__/toString/constructor keys, markup in every string). Every outcome
 * must be a payload that draws (validated, decoded, laid out or turned into a spec) or a
 * PayloadError naming a path; anything else (TypeError, RangeError, a hang) fails.
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/random.js';
import {
  decodePanel,
  encodeFloat32,
  lossPlotSpec,
  PAYLOAD_LIMITS,
  PayloadError,
  validateLossPlotFields,
  validateTensorPayload,
} from '@losslens/protocol';
import { gridLayout } from '../../extension/src/tensorLayout.js';

const CASES_PER_TYPE = 1500;
/** For the whole run of both types; a few hundred ms is typical, so this only catches pathologies. */
const BUDGET_MS = 30_000;

function tensorBase(): unknown {
  const values = (n: number) => Array.from({ length: n }, (_, i) => (i % 7) / 7);
  return {
    version: 1,
    captions: ['#0', '#1', '#2'],
    panels: [
      {
        title: 'noisy input',
        shape: [3, 4, 5],
        values: encodeFloat32(new Float32Array(values(60))),
        range: [0, 1],
        colormap: 'grey',
        border: { top: 1, bottom: 1, left: 1, right: 1 },
      },
      {
        title: 'loss map',
        shape: [3, 2, 2],
        values: encodeFloat32(new Float32Array(values(12))),
        range: [0, 0.5],
        colormap: 'viridis',
        loss: encodeFloat32(new Float32Array(values(12))),
      },
    ],
    truncatedFrom: 10,
  };
}

function lossPlotBase(): unknown {
  const point = (run: string, epoch: number, split: string, perPixel: number, pixels: number) => ({
    run,
    epoch,
    split,
    perPixel,
    pixels,
    perImage: perPixel * pixels,
  });
  return {
    version: 1,
    title: 'Padding lowers the mean, not the total',
    measure: 'perPixel',
    points: [
      point('28×28', 1, 'train', 0.12, 784),
      point('28×28', 1, 'test', 0.11, 784),
      point('32×32', 1, 'train', 0.09, 1024),
      point('32×32', 2, 'test', 0.075, 1024),
    ],
    annotations: [{ run: '28×28', perPixel: 0.099, pixels: 784, perImage: 0.099 * 784 }],
    spec: { data: { url: 'https://example.org/steal' } },
  };
}

const MARKUP = [
  '<img src=x onerror="window.__fuzzed=1">',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '{{constructor.constructor("x")()}}',
];
const HOSTILE_KEYS = ['__proto__', 'toString', 'constructor', 'valueOf', 'hasOwnProperty'];

/** Set when a case holds deep nesting, which the harness then neither copies nor sends through JSON. */
let nestedDeep = false;

function deepArray(depth: number): unknown {
  nestedDeep = true;
  let value: unknown = [1];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deepObject(depth: number): unknown {
  nestedDeep = true;
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Replacement values of every JSON type and then some (NaN, ±Infinity only survive in memory). */
function anyValue(rng: Rng): unknown {
  const choices: (() => unknown)[] = [
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1.5,
    () => NaN,
    () => Infinity,
    () => -Infinity,
    () => 1e308,
    () => -1.7e308,
    () => 2 ** 53,
    () => 2 ** 31,
    () => 1e9,
    () => '',
    () => 'x',
    () => MARKUP[rng.integer(MARKUP.length)],
    () => 'A'.repeat(1 + rng.integer(2000)),
    () => [],
    () => [NaN, 1, Infinity],
    () => ({}),
    () => ({ toString: 1 }),
    () => ({ toString: 1, valueOf: 1 }),
    () => JSON.parse('{"__proto__": {"panels": 1}}') as unknown,
    () => deepArray(1000 + rng.integer(9000)),
    () => deepObject(1000 + rng.integer(9000)),
  ];
  return choices[rng.integer(choices.length)]();
}

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

/** Every place in `value` that holds something, to pick a mutation site from. */
function slots(value: unknown, out: Slot[] = [], depth = 0): Slot[] {
  if (depth > 6 || typeof value !== 'object' || value === null) return out;
  const container = value as Container;
  for (const key of Array.isArray(container) ? container.keys() : Object.keys(container)) {
    out.push({ parent: container, key });
    slots((container as Record<string | number, unknown>)[key], out, depth + 1);
  }
  return out;
}

function get(slot: Slot): unknown {
  return (slot.parent as Record<string | number, unknown>)[slot.key];
}

function set(slot: Slot, value: unknown): void {
  // defineProperty makes an own "__proto__" key, as JSON.parse does, rather than a prototype.
  Object.defineProperty(slot.parent, slot.key, { value, writable: true, enumerable: true, configurable: true });
}

function everyString(value: unknown, change: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return change(value);
  if (depth > 50) return value; // a deeply nested mutation: no label lives down there
  if (Array.isArray(value)) return value.map((v) => everyString(v, change, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, everyString(v, change, depth + 1)]));
  }
  return value;
}

/** A copy, except of deep nesting, which is shared (copying it thousands of times would only slow the harness). */
function copy<T>(value: T): T {
  return nestedDeep ? value : structuredClone(value);
}

/** One random mutation of `payload` in place (or a replacement, returned). */
function mutate(payload: unknown, rng: Rng): unknown {
  const sites = slots(payload);
  if (sites.length === 0) return anyValue(rng);
  const site = sites[rng.integer(sites.length)];
  const current = get(site);
  switch (rng.integer(10)) {
    case 0: // drop the field or element
      if (Array.isArray(site.parent)) site.parent.splice(site.key as number, 1);
      else delete site.parent[site.key as string];
      return payload;
    case 1: // retype
      set(site, anyValue(rng));
      return payload;
    case 2: // numbers: non-finite, negative, huge, fractional
      set(
        site,
        typeof current === 'number'
          ? [NaN, Infinity, -Infinity, -current, current * 1e6, current + 0.5, 1e308, -1][rng.integer(8)]
          : anyValue(rng),
      );
      return payload;
    case 3: // length mismatches: duplicate or drop array items, shorten or lengthen strings
      if (Array.isArray(current)) {
        if (rng.uniform() < 0.5) current.push(...(current as unknown[]).slice(0, 1 + rng.integer(3)));
        else current.pop();
      } else if (typeof current === 'string') {
        set(site, rng.uniform() < 0.5 ? current.slice(0, rng.integer(current.length + 1)) : current + current.slice(0, 4));
      } else set(site, anyValue(rng));
      return payload;
    case 4: // bad base64
      if (typeof current === 'string') {
        const at = rng.integer(current.length + 1);
        set(
          site,
          [
            `${current.slice(0, at)}!${current.slice(at + 1)}`,
            `${current}=`,
            `${current}AAAA`,
            current.replace(/=/g, ''),
            'é'.repeat(8),
            ' '.repeat(4),
          ][rng.integer(6)],
        );
      } else set(site, anyValue(rng));
      return payload;
    case 5: // hostile keys on the object that holds this field, or on the payload itself
      set(
        { parent: (Array.isArray(site.parent) ? payload : site.parent) as Container, key: HOSTILE_KEYS[rng.integer(HOSTILE_KEYS.length)] },
        anyValue(rng),
      );
      return payload;
    case 6: // huge or negative shapes and counts
      set(site, [-1, -3, 0, 1e6, 2 ** 32, 1e15, 2 ** 53 + 2, 5000][rng.integer(8)]);
      return payload;
    case 7: // deep nesting
      set(site, rng.uniform() < 0.5 ? deepArray(4000 + rng.integer(6000)) : deepObject(4000 + rng.integer(6000)));
      return payload;
    case 8: // markup in every string
      return everyString(payload, (s) =>
        s.length > 0 && /^[A-Za-z0-9+/]+=*$/.test(s) && s.length % 4 === 0 ? s : `${MARKUP[rng.integer(MARKUP.length)]}${s}`,
      );
    default: // many copies of an array's first item (panels, points, annotations, captions)
      if (Array.isArray(current) && current.length > 0) {
        const copies = [PAYLOAD_LIMITS.tensorPanels, PAYLOAD_LIMITS.lossPoints, PAYLOAD_LIMITS.lossAnnotations, 5000][rng.integer(4)];
        set(
          site,
          Array.from({ length: copies + rng.integer(2) }, () => copy<unknown>(current[0])),
        );
      } else set(site, anyValue(rng));
      return payload;
  }
}

/** The payload as the browser gets it (through JSON) half the time; as the kernel has it otherwise. */
function deliver(payload: unknown, rng: Rng): unknown {
  // Deep nesting is the same in memory and after JSON; stringifying thousands of copies of it only costs time.
  if (rng.uniform() < 0.5 || nestedDeep) return payload;
  const text = JSON.stringify(payload);
  return text === undefined ? payload : (JSON.parse(text) as unknown);
}

const PATH = /^(tensor payload|loss-plot payload|[a-zA-Z]+)(\[\d+\]|\.[a-zA-Z]+)*$/;

/** Runs `draw`; returns 'valid' or 'rejected', and fails the test on any other outcome. */
function outcome(draw: () => void, seed: number): 'valid' | 'rejected' {
  try {
    draw();
    return 'valid';
  } catch (error) {
    if (!(error instanceof PayloadError)) {
      throw new Error(`case ${seed}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    expect(error.path, `case ${seed}: ${error.message}`).toMatch(PATH);
    expect(error.message.startsWith(`${error.path} `), `case ${seed}: ${error.message}`).toBe(true);
    return 'rejected';
  }
}

function drawTensor(value: unknown): void {
  const payload = validateTensorPayload(value);
  const decoded = payload.panels.map((p, i) => decodePanel(p, i));
  const layout = gridLayout(
    payload.captions.length,
    payload.panels.map((p) => [p.shape[1], p.shape[2]] as const),
  );
  expect(layout.pageSize).toBeGreaterThan(0);
  expect(decoded.every((d, i) => d.values.length === payload.panels[i].shape.reduce((a, b) => a * b, 1))).toBe(true);
  for (const p of payload.panels) expect(Number.isFinite(p.range[1] - p.range[0])).toBe(true);
}

function drawLossPlot(value: unknown): void {
  const fields = validateLossPlotFields(value);
  for (const measure of ['perPixel', 'perImage'] as const) {
    const spec = JSON.stringify(lossPlotSpec(fields, measure));
    expect(spec).not.toContain('"url"');
  }
}

describe('seeded fuzzing of payloads', () => {
  let elapsed = 0;
  it.each([
    ['tensor', tensorBase, drawTensor, 11],
    ['loss plot', lossPlotBase, drawLossPlot, 12],
  ] as const)('%s: %#', (_name, base, draw, seed) => {
    const started = performance.now();
    const rng = createRng(seed);
    const counts = { valid: 0, rejected: 0 };
    for (let i = 0; i < CASES_PER_TYPE; i++) {
      nestedDeep = false;
      let payload = structuredClone(base());
      const mutations = 1 + rng.integer(3);
      for (let m = 0; m < mutations; m++) payload = mutate(payload, rng);
      counts[outcome(() => draw(deliver(payload, rng)), i)]++;
    }
    elapsed += performance.now() - started;
    console.log(
      `[fuzz] ${_name}: ${CASES_PER_TYPE} mutated payloads, ${counts.valid} drawable, ${counts.rejected} rejected with a PayloadError`,
    );
    // Both outcomes occur, so the mutations reach past the first check and the test can fail either way.
    expect(counts.valid).toBeGreaterThan(CASES_PER_TYPE / 50);
    expect(counts.rejected).toBeGreaterThan(CASES_PER_TYPE / 2);
    expect(elapsed).toBeLessThan(BUDGET_MS);
  });
});
