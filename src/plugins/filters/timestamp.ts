import { listify } from '../../python/values.js';
import { DataFilter, type Data } from '../../core/node.js';
import { isRecord } from '../../python/records.js';
import { z } from '../options.js';

const schema = z.object({});

/**
 * Stamps every record of a receipt with the same time. Records are copied, never changed,
 * so a sibling branch of the graph does not see the stamp.
 */
export class TimeStampDataFilter extends DataFilter {
  static readonly description =
    'Adds a timestamp (a Date, the same for every record of one receipt) to copies of the records; items that are not records become {value: item, timestamp}.';
  static readonly optionsSchema = schema;

  constructor(_options: z.output<typeof schema> = {}) {
    super();
  }

  override receive(data: Data): undefined {
    const timestamp = new Date();
    this.send(
      listify(data).map((item) =>
        isRecord(item) ? { ...item, timestamp } : { value: item, timestamp },
      ),
    );
    return undefined;
  }
}
