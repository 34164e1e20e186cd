// Whose bucket a request counts against. A known caller's bucket is their token's, whether the token comes in the
// API's Authorization header or in the inbox's session cookie: clerks behind one department proxy (one address)
// do not share a bucket, and a clerk's page and API calls share one. A missing, made-up or expired token counts
// against its address, so inventing tokens cannot open fresh buckets.
import type { FastifyRequest } from 'fastify';
import { bearerToken, type TokenRegistry } from './auth';

/** Longest Cookie header read for a session token (browsers cap a cookie at 4 KiB; Node caps all headers at 16). */
const MAX_COOKIE_HEADER = 8192;

export function rateLimitKey(auth: TokenRegistry, sessionCookies: readonly string[]): (req: FastifyRequest) => string {
  return (req) => {
    for (const token of presentedTokens(req, sessionCookies)) {
      const id = auth.knownTokenId(token);
      if (id) return `t:${id}`;
    }
    return `a:${req.ip}`;
  };
}

function presentedTokens(req: FastifyRequest, sessionCookies: readonly string[]): string[] {
  const tokens: string[] = [];
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.length <= 300) {
    const token = bearerToken(header);
    if (token !== null) tokens.push(token);
  }
  const cookie = req.headers.cookie;
  if (sessionCookies.length > 0 && typeof cookie === 'string' && cookie.length <= MAX_COOKIE_HEADER) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || !sessionCookies.includes(part.slice(0, eq).trim())) continue;
      try {
        tokens.push(decodeURIComponent(part.slice(eq + 1).trim()));
      } catch {
        /* a malformed value is no token */
      }
    }
  }
  return tokens;
}
