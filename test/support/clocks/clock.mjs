// Node under time.skew: prints `timer EPOCH_MS` from setInterval and `sleep EPOCH_MS` from a setTimeout chain,
// and answers GET / with its clock on 127.0.0.1:PORT (argv[2]). Ends after 120 s.
import { createServer } from 'node:http';

createServer((_req, res) => res.end(String(Date.now()))).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
setInterval(() => console.log(`timer ${Date.now()}`), 100);
const sleep = () =>
  setTimeout(() => {
    console.log(`sleep ${Date.now()}`);
    sleep();
  }, 100);
sleep();
setTimeout(() => process.exit(0), 120_000);
