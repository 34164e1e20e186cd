// Emulator of the rating system ИАС МКГУ over HTTP, as strict as the project knows the real one to be: it
// checks every events document (required fields, a contact for the invitation, ISO dates), keeps one package
// per request id, and serves rates in pages with a cursor. Tests and the demo read what it stored and queue the
// rates citizens "give"; injected faults are counted so a fault test can prove they happened.
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { buildEventsAnswer, buildRatesXml, parseEventsXml, RateXml, ServedEventXml } from '../mkguXml';

export interface MkguEmulatorOptions {
  port?: number;
  host?: string;
  pageSize?: number;
}

export interface MkguEmulator {
  url: string;
  /** Events as stored, by request id (one per request id however often it was sent). */
  events(): ServedEventXml[];
  /** How many events documents arrived (retries included). */
  eventPosts(): number;
  /** Rates citizens give: served on the next pulls, in order. */
  queueRates(rates: RateXml[]): void;
  /** A raw page (malformed or hostile) served on the next pull in place of queued rates. */
  queueRawPage(xml: string): void;
  /** The next n events posts fail with 503 after storing nothing. */
  failNextEvents(n: number): void;
  injectedFaults(): number;
  stop(): Promise<void>;
}

export async function startMkguEmulator(opts: MkguEmulatorOptions = {}): Promise<MkguEmulator> {
  const byRequest = new Map<string, { packageId: string; event: ServedEventXml }>();
  const pages: ({ kind: 'rates'; rate: RateXml } | { kind: 'raw'; xml: string })[] = [];
  const pageSize = opts.pageSize ?? 100;
  let posts = 0;
  let failEvents = 0;
  let injected = 0;
  let packageSeq = 0;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > 256 * 1024) {
        res.writeHead(413).end('events document too large');
        req.destroy();
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST' && url.pathname === '/events') {
        posts++;
        if (failEvents > 0) {
          failEvents--;
          injected++;
          res.writeHead(503).end('temporarily unavailable');
          return;
        }
        let events: ServedEventXml[];
        try {
          events = parseEventsXml(body);
          if (events.length === 0) throw new Error('events: at least one <event> is required');
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end((err as Error).message);
          return;
        }
        // One package per document; a document whose every event was seen answers with the first package.
        const known = events.map((e) => byRequest.get(e.requestId)).filter(Boolean);
        const packageId = known.length === events.length ? known[0]!.packageId : `PKG-${++packageSeq}`;
        for (const e of events) if (!byRequest.has(e.requestId)) byRequest.set(e.requestId, { packageId, event: e });
        res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' }).end(buildEventsAnswer(packageId));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/rates') {
        const after = Number(url.searchParams.get('after') ?? '0');
        if (!Number.isInteger(after) || after < 0) {
          res.writeHead(400).end('after must be a non-negative integer cursor');
          return;
        }
        const first = pages[after];
        if (first?.kind === 'raw') {
          res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' }).end(first.xml);
          return;
        }
        const rates: RateXml[] = [];
        let i = after;
        while (i < pages.length && rates.length < pageSize && pages[i]!.kind === 'rates') rates.push((pages[i++] as { rate: RateXml }).rate);
        res
          .writeHead(200, { 'content-type': 'application/xml; charset=utf-8' })
          .end(buildRatesXml(rates, { batchId: `B-${after}-${i}`, next: String(i) }));
        return;
      }
      res.writeHead(404).end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address}:${addr.port}`,
    events: () => [...byRequest.values()].map((v) => v.event),
    eventPosts: () => posts,
    queueRates: (rates) => pages.push(...rates.map((rate) => ({ kind: 'rates' as const, rate }))),
    queueRawPage: (xml) => pages.push({ kind: 'raw', xml }),
    failNextEvents: (n) => (failEvents += n),
    injectedFaults: () => injected,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
