// The baseline relay: about 20 lines of plain Node.js that split on 0x17, parse and
// re-serialise each message, and write once per chunk. No bounds, no options, no logging.
import net from 'node:net';

const [inPort, outPort] = process.argv.slice(2).map(Number);
const out = net.connect({ host: '127.0.0.1', port: outPort });
out.setNoDelay(true);
const server = net.createServer((socket) => {
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    const parts = (rest + chunk).split('\x17');
    rest = parts.pop();
    let batch = '';
    for (const part of parts) if (part !== '') batch += JSON.stringify(JSON.parse(part)) + '\x17';
    if (batch !== '') out.write(batch);
  });
});
server.listen(inPort, '127.0.0.1', () => console.log('ready'));
