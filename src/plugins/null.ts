import { DataFilter, DataSink, DataSource } from '../core/node.js';
import { z } from './options.js';

/** Produces nothing. */
export class NullDataSource extends DataSource {
  static readonly description = 'Produces nothing; a placeholder source.';
  static readonly optionsSchema = z.object({});
}

/** Passes data through unchanged. */
export class NullDataFilter extends DataFilter {
  static readonly description = 'Passes data through unchanged.';
  static readonly optionsSchema = z.object({});
}

/** Discards everything it receives. */
export class NullDataSink extends DataSink {
  static readonly description = 'Discards everything it receives.';
  static readonly optionsSchema = z.object({});
}
