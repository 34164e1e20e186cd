// One transaction on a pooled client: committed when fn resolves, rolled back when it throws.
import type { Pool, PoolClient } from 'pg';

/** A pool or a client inside a transaction: the table-owning modules write through either. */
export type Queryable = Pick<Pool, 'query'>;

export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
