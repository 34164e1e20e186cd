// The `smpp` package (farhadi/node-smpp) ships no types; the gateway and the SMSC emulator use this much of it.
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  export interface Pdu {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(fields?: Record<string, unknown>): Pdu;
  }
  export class Session extends EventEmitter {
    send(pdu: Pdu): boolean;
    close(cb?: () => void): void;
    destroy(cb?: () => void): void;
    pause(): void;
    resume(): void;
    [command: string]: unknown;
  }
  export class Server extends EventEmitter {
    listen(port: number, host: string, cb?: () => void): this;
    close(cb?: () => void): void;
    address(): { port: number; address: string };
  }
  export function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;
  export function connect(options: Record<string, unknown>, listener?: (session: Session) => void): Session;
  export const ESME_ROK: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVDSTADR: number;
}
