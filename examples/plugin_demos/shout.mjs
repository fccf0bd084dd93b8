// The Shout sink from the Python datalogd docs, ported line for line.
import { DataSink } from 'datalogd';

export class ShoutDataSink extends DataSink {
  receive(data) {
    console.log(String(data).toUpperCase());
  }
}
