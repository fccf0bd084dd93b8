import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ping } from './influxd.js';
import { freePort, ServerProcess } from './server-process.js';

/** One series from `/api/v1/export`: labels (with `__name__`), values, ms timestamps. */
export interface ExportedSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamps: readonly number[];
}

/**
 * A real VictoriaMetrics on 127.0.0.1 with its data in a temp dir. It accepts InfluxDB 2.x
 * writes on `/api/v2/write` (stored as `<measurement>_<field>` with the tags as labels,
 * numbers and booleans only) and reads back through `/api/v1/export`.
 */
export class VictoriaServer extends ServerProcess {
  readonly port: number;

  private constructor(port: number, dir: string, ownsDir: boolean) {
    super(dir, ownsDir);
    this.port = port;
  }

  /** Allocates a port and a directory without starting. */
  static async prepare(options: { port?: number; dir?: string } = {}): Promise<VictoriaServer> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'datalogd-victoria-')));
    return new VictoriaServer(options.port ?? (await freePort()), dir, options.dir === undefined);
  }

  static async start(options: { port?: number; dir?: string } = {}): Promise<VictoriaServer> {
    return ServerProcess.startPrepared(await VictoriaServer.prepare(options));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  override async start(): Promise<void> {
    await this.launch(
      'victoria-metrics',
      [
        `-storageDataPath=${join(this.dir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${this.port}`,
        '-loggerLevel=ERROR',
        // Identical samples written twice (a retried batch) are kept once.
        '-dedup.minScrapeInterval=1ms',
        '-retentionPeriod=100y',
      ],
      async () => (await ping(this.url, '/health')) === 200,
      `victoria-metrics on port ${this.port}`,
    );
  }

  /** Every series matching `match` (a series selector), after making recent writes searchable. */
  async export(match: string): Promise<ExportedSeries[]> {
    await fetch(`${this.url}/internal/force_flush`);
    const params = new URLSearchParams({ 'match[]': match, start: '0' });
    const response = await fetch(`${this.url}/api/v1/export`, { method: 'POST', body: params });
    const text = await response.text();
    if (!response.ok) throw new Error(`export ${match}: ${response.status} ${text}`);
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ExportedSeries);
  }
}
