import './src/faults/index.ts';
import { formatJsonSchema } from './src/spec/json-schema.ts';
const s = JSON.stringify(formatJsonSchema(), null, 1);
console.log(s.length); console.log(s.includes('process.pause'), s.includes('"http"'), s.includes('pause'));
