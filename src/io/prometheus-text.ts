/**
 * Reads the Prometheus text exposition format (version 0.0.4), as `/metrics` writes it:
 * `# HELP` and `# TYPE` lines, and samples `name{label="value",...} value [timestamp]`
 * with `\\`, `\"` and `\n` escaped in label values. For `datalogd top` and the tests.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  /** The `# TYPE` of each family: counter, gauge, histogram, summary, untyped. */
  readonly types: ReadonlyMap<string, string>;
}

/** Parses `text`; throws an Error naming the line that is not in the format. */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (type?.[1] !== undefined && type[2] !== undefined) types.set(type[1], type[2]);
      return;
    }
    const sample = parseSample(line);
    if (sample === undefined) {
      throw new Error(`line ${index + 1} is not a Prometheus sample: ${line.slice(0, 200)}`);
    }
    samples.push(sample);
  });
  return { samples, types };
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseSample(line: string): Sample | undefined {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) return undefined;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.trimStart();
      if (rest.startsWith('}')) {
        rest = rest.slice(1);
        break;
      }
      const label = LABEL_NAME.exec(rest)?.[0];
      if (label === undefined) return undefined;
      rest = rest.slice(label.length).trimStart();
      if (!rest.startsWith('="')) return undefined;
      const value = readQuoted(rest.slice(1));
      if (value === undefined) return undefined;
      labels[label] = value.text;
      rest = rest.slice(1 + value.length).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) return undefined;
    }
  }
  const fields = rest.trim().split(/\s+/);
  const valueText = fields[0];
  if (valueText === undefined || valueText === '' || fields.length > 2) return undefined;
  const value = parseValue(valueText);
  if (value === undefined) return undefined;
  return { name, labels, value };
}

/** A quoted label value from its opening quote: the text and how many characters it took. */
function readQuoted(text: string): { text: string; length: number } | undefined {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return { text: out, length: i + 1 };
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return undefined;
      out += next === 'n' ? '\n' : next;
      i += 1;
    } else {
      out += ch ?? '';
    }
  }
  return undefined;
}

/** Like Prometheus (Go's ParseFloat): `NaN`, `+Inf`, `-Inf` in any case (prom-client writes `Nan`). */
function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** The samples of one family, optionally only those whose labels include `match`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  match: Readonly<Record<string, string>> = {},
): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}
