// The allowed origins, as rows of an embedded SQLite database (better-sqlite3). One row per exact
// origin, as browsers send it (`https://tenant.example`, `http://localhost:5173`); the application
// checks values before they get here (see app.ts), the table only stores and answers.
import Database from 'better-sqlite3';

/** Where the allowed origins live. The SQLite store below is one; tests inject others. */
export interface OriginStore {
  /** Is this exact origin allowed? May answer later (a network database would). */
  isAllowed(origin: string): boolean | Promise<boolean>;
  /** Adds an origin; false when it was already there. */
  add(origin: string): boolean;
  /** Removes an origin; false when it was not there. */
  remove(origin: string): boolean;
  /** Every allowed origin, in alphabetical order. */
  list(): string[];
  /** Releases the database. */
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS allowed_origins (
    origin   TEXT PRIMARY KEY NOT NULL,
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) WITHOUT ROWID
`;

export interface SqliteStoreOptions {
  /**
   * Milliseconds a statement waits for a lock held by another connection before it throws
   * `SQLITE_BUSY`. better-sqlite3 is synchronous: a waiting query blocks the event loop, so
   * corsguard's `originTimeout` (a timer) cannot interrupt it. This bound is the one that counts for
   * this driver; keep it short. Default 1000.
   */
  busyTimeout?: number;
}

/** Opens (or creates) the database file and its table, and prepares every statement once. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): OriginStore {
  const db = new Database(file, { timeout: options.busyTimeout ?? 1000 });
  try {
    // WAL: readers (the CORS lookups) never wait for a writer (an admin change, or another process).
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }
  const has = db.prepare<[string], 1>('SELECT 1 FROM allowed_origins WHERE origin = ?').pluck();
  const insert = db.prepare<[string]>(
    'INSERT INTO allowed_origins (origin) VALUES (?) ON CONFLICT (origin) DO NOTHING',
  );
  const remove = db.prepare<[string]>('DELETE FROM allowed_origins WHERE origin = ?');
  const list = db.prepare<[], string>('SELECT origin FROM allowed_origins ORDER BY origin').pluck();
  return {
    isAllowed: (origin) => has.get(origin) !== undefined,
    add: (origin) => insert.run(origin).changes === 1,
    remove: (origin) => remove.run(origin).changes === 1,
    list: () => list.all(),
    close: () => {
      db.close();
    },
  };
}
