import { benchmarks } from './import.js';
for (const r of await benchmarks()) console.log(`${r.name}: ${r.value} (${r.target}) ${r.status}`);
