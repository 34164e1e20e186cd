// An SMPP 3.4 SMS centre for tests and the demo, built on the same `smpp` package: it authenticates the bind,
// accepts submit_sm, keeps every message (recipient, text, id) for tests to check, and sends a delivery
// receipt (deliver_sm, esm_class 0x04) for each message that asked for one.
import * as smpp from 'smpp';

export interface SmscMessage {
  messageId: string;
  to: string;
  from: string;
  text: string;
}

export interface SmscEmulator {
  url: string;
  messages(): SmscMessage[];
  /** Receipts sent back so far. */
  receiptsSent(): number;
  stop(): Promise<void>;
}

function textOf(pdu: smpp.Pdu): string {
  for (const field of ['message_payload', 'short_message']) {
    const v = pdu[field] as { message?: unknown } | string | undefined;
    const text = typeof v === 'string' ? v : typeof v?.message === 'string' ? v.message : '';
    if (text) return text;
  }
  return '';
}

export async function startSmscEmulator(opts: { systemId: string; password: string; port?: number }): Promise<SmscEmulator> {
  const messages: SmscMessage[] = [];
  let receipts = 0;
  let seq = 0;
  const sessions = new Set<smpp.Session>();
  const server = smpp.createServer({}, (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
    let bound = false;
    session.on('bind_transceiver', (pdu: smpp.Pdu) => {
      bound = pdu.system_id === opts.systemId && pdu.password === opts.password;
      session.send(pdu.response(bound ? {} : { command_status: smpp.ESME_RBINDFAIL }));
    });
    session.on('enquire_link', (pdu: smpp.Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.Pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: smpp.Pdu) => {
      const to = String(pdu.destination_addr ?? '');
      if (!bound) return session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      if (!/^\d{11,15}$/.test(to)) return session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      const messageId = `SMSC${++seq}`;
      messages.push({ messageId, to, from: String(pdu.source_addr ?? ''), text: textOf(pdu) });
      session.send(pdu.response({ message_id: messageId }));
      if (Number(pdu.registered_delivery ?? 0) & 1) {
        const stamp = '2601010000';
        (session.deliver_sm as (o: object, cb?: () => void) => void)(
          {
            source_addr: to,
            destination_addr: String(pdu.source_addr ?? ''),
            esm_class: 0x04,
            short_message: `id:${messageId} sub:001 dlvrd:001 submit date:${stamp} done date:${stamp} stat:DELIVRD err:000 text:`,
            receipted_message_id: messageId,
            message_state: 2,
          },
          () => receipts++,
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `smpp://127.0.0.1:${port}`,
    messages: () => [...messages],
    receiptsSent: () => receipts,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        server.close(() => r());
      }),
  };
}
