// The HelloWorld source from the Python datalogd docs, ported line for line.
import { DataSource } from 'datalogd';

export class HelloWorldDataSource extends DataSource {
  constructor(sinks = []) {
    super(sinks);
    // Queue the first call of the update routine, as the Python example does.
    setImmediate(() => this.sayHello());
  }

  sayHello() {
    this.send('Hello, World!');
    setTimeout(() => this.sayHello(), 10_000);
  }
}
