// PostgreSQL plumbing: migrations (applied in order, once, under an advisory lock) and transactions.
export { migrate } from './migrate';
export { inTransaction, type Queryable } from './transaction';
