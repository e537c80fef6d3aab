/** Public types of @patroni-kit/config. */

/** How bad a finding is: `error` makes `patroni-kit lint` exit 1. */
export type Severity = 'error' | 'warning' | 'info';

/** Patroni release lines the linter knows; each stands for the release our facts describe. */
export type PatroniVersion = '3.0' | '4.0' | '4.1';

/** The exact release each {@link PatroniVersion} is checked against. */
export const PATRONI_RELEASES: Record<PatroniVersion, string> = {
  '3.0': '3.0.2',
  '4.0': '4.0.7',
  '4.1': '4.1.4',
};

/** One text replacement: `length` UTF-16 units at `offset` become `text`. */
export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

/** A mechanical fix: applying all edits resolves the finding. */
export interface Fix {
  description: string;
  edits: TextEdit[];
}

/** A problem found in a configuration. Lines and columns are 1-based; `endColumn` is exclusive. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** Dotted config path, e.g. `postgresql.parameters.max_wal_senders`; list items as `pg_hba[2]`. */
  path: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix?: Fix;
}

/** Options of {@link lintText} and friends. */
export interface LintOptions {
  /** Patroni release line to check for. Default `4.1`. */
  patroniVersion?: PatroniVersion;
  /**
   * Environment variables Patroni will see (only `PATRONI_*` ones are used). Keys they set count as
   * present; their values are checked like file values.
   */
  env?: Record<string, string | undefined>;
  /** Lint as the dynamic configuration (DCS `/config`, `patronictl edit-config`) instead of patroni.yml. */
  dynamic?: boolean;
  /** Largest input accepted, in bytes. Default 256 KiB. */
  maxBytes?: number;
  /** Rule ids not to report (like `# patroni-kit: ignore-file[...]` for every file). */
  ignore?: readonly string[];
  /** Cancels file reads in {@link lintFile} (CLI: SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/** The result of linting one file. */
export interface FileResult {
  file: string;
  findings: Finding[];
}
