// Heartbeats while one long call is in flight (an HTTP send, a PDF render, a slow query): the server learns
// within the activity's heartbeat timeout that a worker died, instead of waiting for the whole start-to-close,
// and a live attempt that is merely slow is never declared dead and overlapped by a retry.
import { Context } from '@temporalio/activity';

/** Heartbeat period: well inside the shortest heartbeat timeout (10 s) even on a loaded event loop. */
export const HEARTBEAT_EVERY_MS = 2_000;

export async function heartbeatingWhile<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined; // called outside an activity (unit tests of the factories): nothing to report to
  }
  if (!ctx) return typeof work === 'function' ? work() : work;
  const context = ctx;
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await (typeof work === 'function' ? work() : work);
  } finally {
    clearInterval(timer);
  }
}
