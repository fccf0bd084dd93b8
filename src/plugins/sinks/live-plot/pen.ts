/**
 * Pens and colours as pyqtgraph's `mkPen` and `mkColor` read them, turned into what the
 * page's chart draws with (a CSS colour, a width in pixels, a dash pattern). Every
 * spelling pyqtgraph accepts is accepted; anything else is a configuration error.
 */

/** How a trace is drawn on the page. */
export interface Pen {
  /** A CSS colour. */
  readonly color: string;
  readonly width: number;
  /** Dash and gap lengths in pixels; empty for a solid line. */
  readonly dash: readonly number[];
  /** False for `pen=None`: pyqtgraph draws no line; the page then draws the points. */
  readonly line: boolean;
}

type Rgba = readonly [number, number, number, number];

/** pyqtgraph's one-letter colours (functions.py `Colors`). */
const LETTERS: Readonly<Record<string, Rgba>> = {
  b: [0, 0, 255, 255],
  g: [0, 255, 0, 255],
  r: [255, 0, 0, 255],
  c: [0, 255, 255, 255],
  m: [255, 0, 255, 255],
  y: [255, 255, 0, 255],
  k: [0, 0, 0, 255],
  w: [255, 255, 255, 255],
  d: [150, 150, 150, 255],
  l: [200, 200, 200, 255],
  s: [100, 100, 150, 255],
};

/** The SVG colour keywords, which Qt's QColor (and so pyqtgraph) and every browser know. */
const SVG_NAMES = new Set(
  (
    'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue ' +
    'blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk ' +
    'crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki ' +
    'darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen ' +
    'darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue ' +
    'dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite ' +
    'gold goldenrod gray grey green greenyellow honeydew hotpink indianred indigo ivory khaki ' +
    'lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan ' +
    'lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen ' +
    'lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen ' +
    'magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen ' +
    'mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream ' +
    'mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid ' +
    'palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum ' +
    'powderblue purple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell ' +
    'sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal ' +
    'thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen transparent'
  ).split(' '),
);

/** Qt's pen styles, by number and by name, as dash patterns (in units of the pen width). */
const STYLES: Readonly<Record<string, readonly number[] | null>> = {
  NoPen: null,
  SolidLine: [],
  DashLine: [4, 2],
  DotLine: [1, 2],
  DashDotLine: [4, 2, 1, 2],
  DashDotDotLine: [4, 2, 1, 2, 1, 2],
};
const STYLE_BY_NUMBER = [
  'NoPen',
  'SolidLine',
  'DashLine',
  'DotLine',
  'DashDotLine',
  'DashDotDotLine',
];

/** pyqtgraph's default pen colour for a trace without one: (200, 200, 200). */
const DEFAULT_GREY: Rgba = [200, 200, 200, 255];

const PEN_KEYS = new Set(['color', 'width', 'style', 'cosmetic', 'hsv']);

export type Parsed<T> = { readonly ok: T } | { readonly error: string };

/**
 * A trace's pen. `undefined` (no `pen` key) takes pyqtgraph's `intColor(index)`, so that
 * traces without a pen differ, where pyqtgraph would draw them all the same grey.
 */
export function parsePen(spec: unknown, index: number): Parsed<Pen> {
  if (spec === undefined) return { ok: solid(css(intColor(index, 9))) };
  if (spec === null) return { ok: { ...solid(css(DEFAULT_GREY)), line: false } };
  if (isPlainObject(spec)) return penFromDict(spec);
  const color = parseColor(spec);
  return 'error' in color ? color : { ok: solid(color.ok) };
}

function penFromDict(spec: Record<string, unknown>): Parsed<Pen> {
  const unknown = Object.keys(spec).filter((k) => !PEN_KEYS.has(k));
  if (unknown.length > 0) {
    return { error: `a pen has no "${unknown.join('", "')}" (it takes color, width, style, hsv)` };
  }
  let color = css(DEFAULT_GREY);
  if (spec.hsv !== undefined) {
    const hsv = spec.hsv;
    if (!Array.isArray(hsv) || hsv.length < 1 || hsv.length > 4 || !hsv.every(isUnit)) {
      return {
        error: `a pen's hsv must be [h, s, v, a] with values from 0 to 1, not ${show(hsv)}`,
      };
    }
    const [h = 0, s = 1, v = 1, a = 1] = hsv as number[];
    const [r, g, b] = hsvToRgb(h * 360, s, v);
    color = css([r, g, b, Math.round(a * 255)]);
  } else if (spec.color !== undefined && spec.color !== null) {
    const parsed = parseColor(spec.color);
    if ('error' in parsed) return parsed;
    color = parsed.ok;
  }
  const width = spec.width ?? 1;
  if (typeof width !== 'number' || !Number.isFinite(width) || width < 0 || width > 50) {
    return { error: `a pen's width must be a number of pixels from 0 to 50, not ${show(width)}` };
  }
  const style = parseStyle(spec.style);
  if ('error' in style) return style;
  const line = style.ok !== null;
  return {
    ok: {
      color,
      width: width === 0 ? 1 : width,
      dash: (style.ok ?? []).map((d) => d * Math.max(1, width)),
      line,
    },
  };
}

function parseStyle(style: unknown): Parsed<readonly number[] | null> {
  if (style === undefined || style === null) return { ok: [] };
  const name =
    typeof style === 'number'
      ? STYLE_BY_NUMBER[style]
      : typeof style === 'string'
        ? style.replace(/^(QtCore\.)?Qt\.(PenStyle\.)?/, '')
        : undefined;
  if (name !== undefined && Object.hasOwn(STYLES, name)) return { ok: STYLES[name] ?? null };
  return {
    error: `a pen's style must be one of ${Object.keys(STYLES).join(', ')} (or 0 to 5), not ${show(style)}`,
  };
}

/** A colour as `mkColor` reads one argument, as a CSS colour. */
export function parseColor(spec: unknown): Parsed<string> {
  if (typeof spec === 'string') return colorFromText(spec);
  if (typeof spec === 'number') {
    if (Number.isInteger(spec)) return { ok: css(intColor(spec, 9)) };
    if (spec >= 0 && spec <= 1) {
      const grey = Math.trunc(spec * 255);
      return { ok: css([grey, grey, grey, 255]) };
    }
    return {
      error: `a colour number must be an integer (a colour index) or from 0.0 to 1.0 (a grey), not ${spec}`,
    };
  }
  if (Array.isArray(spec)) {
    if (spec.length === 2 && spec.every((v) => Number.isInteger(v))) {
      const [index, hues] = spec as [number, number];
      if (hues > 0) return { ok: css(intColor(index, hues)) };
    }
    if ((spec.length === 3 || spec.length === 4) && spec.every(isByte)) {
      const [r, g, b, a = 255] = spec as number[];
      return { ok: css([r, g, b, a] as unknown as Rgba) };
    }
    return {
      error: `a colour list must be (R, G, B) or (R, G, B, A) with integers from 0 to 255, or (index, hues); not ${show(spec)}`,
    };
  }
  return { error: `${show(spec)} is not a pen or colour pyqtgraph knows` };
}

function colorFromText(text: string): Parsed<string> {
  if (text.length === 1) {
    const letter = LETTERS[text];
    return letter === undefined
      ? {
          error: `no colour is named "${text}" (one-letter colours: ${Object.keys(LETTERS).join(' ')})`,
        }
      : { ok: css(letter) };
  }
  const hex = /^#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text)?.[1];
  if (hex !== undefined) return { ok: css(fromHex(hex)) };
  if (SVG_NAMES.has(text.toLowerCase())) return { ok: text.toLowerCase() };
  return {
    error: `"${text}" is not a colour pyqtgraph knows (a letter such as 'r', '#ff0000', (255, 0, 0), or an SVG colour name)`,
  };
}

function fromHex(hex: string): Rgba {
  const digits = hex.length <= 4 ? Array.from(hex, (d) => d + d) : (hex.match(/../g) ?? []);
  const [r = 0, g = 0, b = 0, a = 255] = digits.map((d) => parseInt(d, 16));
  return [r, g, b, a];
}

/** pyqtgraph's `intColor(index, hues)`, with its defaults (values=1, sat=255, value=255). */
export function intColor(index: number, hues: number): Rgba {
  const ind = ((Math.trunc(index) % hues) + hues) % hues;
  const h = Math.floor((ind * 360) / hues);
  const [r, g, b] = hsvToRgb(h, 1, 1);
  return [r, g, b, 255];
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number): number => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

function solid(color: string): Pen {
  return { color, width: 1, dash: [], line: true };
}

function css(rgba: Rgba): string {
  const [r, g, b, a] = rgba;
  return a === 255
    ? `rgb(${r}, ${g}, ${b})`
    : `rgba(${r}, ${g}, ${b}, ${Math.round((a / 255) * 1000) / 1000})`;
}

function isByte(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;
}

function isUnit(v: unknown): boolean {
  return typeof v === 'number' && v >= 0 && v <= 1;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  // JSON.stringify gives undefined for undefined and functions, whatever its type says.
  const json = JSON.stringify(v) as string | undefined;
  return json ?? String(v);
}
