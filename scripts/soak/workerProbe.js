// Preloaded into each soak worker (node -r): every 10 s appends the process's RSS and event-loop delay
// (p50/p99/max since the last sample) to CASE_SOAK_PROBE_DIR/probe-<pid>.jsonl. Plain JS so it loads before
// ts-node; numbers only, no case data.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const dir = process.env.CASE_SOAK_PROBE_DIR;
if (dir) {
  const file = path.join(dir, `probe-${process.pid}.jsonl`);
  const h = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  setInterval(() => {
    const line = {
      t: Date.now(),
      pid: process.pid,
      rssMb: Math.round(process.memoryUsage.rss() / 1048576),
      lagP50Ms: ms(h.percentile(50)),
      lagP99Ms: ms(h.percentile(99)),
      lagMaxMs: ms(h.max),
    };
    h.reset();
    fs.appendFile(file, `${JSON.stringify(line)}\n`, () => undefined);
  }, 10_000).unref();
}
