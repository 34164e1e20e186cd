// SMS to applicants through an SMPP 3.4 SMSC (the operator's or the department's SMS centre), with the real
// `smpp` client: one bound transceiver session, submit_sm with a delivery receipt requested, deliver_sm
// receipts handed to a callback (the activity records them). Text goes in message_payload, so a Russian
// answer longer than one SMS (70 UCS-2 characters) is one submit; the SMSC segments it.
import * as smpp from 'smpp';

export interface DeliveryReceipt {
  messageId: string;
  /** SMPP receipt state: DELIVRD, UNDELIV, EXPIRED, REJECTD, … */
  stat: string;
}

export interface SmsGateway {
  /** Submits one SMS; resolves with the SMSC's message id once the SMSC has accepted it. */
  submit(to: string, text: string): Promise<{ messageId: string }>;
  onReceipt(handler: (receipt: DeliveryReceipt) => void | Promise<void>): void;
  close(): Promise<void>;
}

export interface SmppGatewayOptions {
  url: string;
  systemId: string;
  password: string;
  /** Sender: the department's alphanumeric name or short number (seed 002 names 0919 for the rating SMS). */
  sourceAddr: string;
  timeoutMs?: number;
}

/** Reads "id:… stat:DELIVRD …" (SMPP 3.4 Appendix B) or the receipted_message_id/message_state TLVs. */
export function parseReceipt(pdu: smpp.Pdu): DeliveryReceipt | null {
  const raw = pdu.short_message as { message?: unknown } | string | Buffer | undefined;
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('latin1') : typeof raw?.message === 'string' ? raw.message : '';
  const id = typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : /(?:^|\s)id:(\S{1,65})/.exec(text.slice(0, 512))?.[1];
  const stat = /(?:^|\s)stat:(\w{1,10})/.exec(text.slice(0, 512))?.[1];
  return id && stat ? { messageId: id, stat } : null;
}

export class SmppSmsGateway implements SmsGateway {
  private session: smpp.Session | null = null;
  private binding: Promise<smpp.Session> | null = null;
  private readonly handlers: ((r: DeliveryReceipt) => void | Promise<void>)[] = [];
  constructor(private readonly opts: SmppGatewayOptions) {}

  onReceipt(handler: (receipt: DeliveryReceipt) => void | Promise<void>): void {
    this.handlers.push(handler);
  }

  private bound(): Promise<smpp.Session> {
    // The session is dropped on 'close' (below): the stable smpp 0.5.1 has no `closed` flag of its own.
    if (this.session) return Promise.resolve(this.session);
    if (this.binding) return this.binding;
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    this.binding = new Promise<smpp.Session>((resolve, reject) => {
      // Host, port and TLS given explicitly: the library reads TLS only from its own `ssmpp:` scheme, and 0.5.1
      // has no connect timeout, so the bind is bounded here (a blackholed SMSC would otherwise hold the activity).
      const u = new URL(this.opts.url);
      const tls = u.protocol === 'smpps:';
      const session = smpp.connect({ host: u.hostname, port: Number(u.port) || (tls ? 3550 : 2775), tls, auto_enquire_link_period: 30_000 });
      const timer = setTimeout(() => {
        session.destroy();
        fail(new Error(`SMPP: no bind within ${timeoutMs} ms`));
      }, timeoutMs);
      let settled = false;
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.binding = null;
        this.session = null;
        if (!settled) {
          settled = true;
          reject(err);
        }
      };
      session.on('error', (err: Error) => fail(new Error(`SMPP: ${err.message}`)));
      session.on('close', () => {
        if (this.session === session) this.session = null;
      });
      session.on('deliver_sm', (pdu: smpp.Pdu) => {
        session.send(pdu.response());
        const receipt = parseReceipt(pdu);
        if (receipt) for (const h of this.handlers) void Promise.resolve(h(receipt)).catch(() => undefined);
      });
      session.on('connect', () => {
        (session.bind_transceiver as (o: object, cb: (pdu: smpp.Pdu) => void) => void)({ system_id: this.opts.systemId, password: this.opts.password }, (pdu) => {
          if (pdu.command_status !== 0) {
            session.close();
            return fail(new Error(`SMPP: bind refused (status ${pdu.command_status})`));
          }
          clearTimeout(timer);
          settled = true;
          this.session = session;
          this.binding = null;
          resolve(session);
        });
      });
    });
    return this.binding;
  }

  async submit(to: string, text: string): Promise<{ messageId: string }> {
    const session = await this.bound();
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMPP: no submit_sm_resp within ${timeoutMs} ms`)), timeoutMs);
      (session.submit_sm as (o: object, cb: (pdu: smpp.Pdu) => void) => void)(
        {
          source_addr: this.opts.sourceAddr,
          source_addr_ton: /^\d+$/.test(this.opts.sourceAddr) ? 3 : 5,
          destination_addr: to.replace(/^\+/, ''),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          registered_delivery: 1,
          message_payload: text,
        },
        (pdu) => {
          clearTimeout(timer);
          if (pdu.command_status !== 0) return reject(new Error(`SMPP: submit_sm refused (status ${pdu.command_status})`));
          resolve({ messageId: String(pdu.message_id) });
        },
      );
    });
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          s.destroy();
          r();
        }, 2000);
        (s.unbind as (cb: () => void) => void)(() => {
          clearTimeout(t);
          s.close(() => r());
        });
      });
    }
  }
}

/** Without an SMSC nothing can be sent: the survey is skipped and an answer by SMS fails with this reason. */
export const NO_SMSC: SmsGateway = {
  submit: async () => {
    throw new Error('SMSC не настроен (SMPP_URL) / no SMSC configured');
  },
  onReceipt: () => undefined,
  close: async () => undefined,
};
