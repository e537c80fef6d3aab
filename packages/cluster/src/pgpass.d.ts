// Types for npm `pgpass` (the libpq password-file reader that `pg` itself uses); it ships none.
declare module 'pgpass' {
  function pgpass(
    connInfo: { host?: string; port?: number; user?: string; database?: string },
    cb: (password: string | undefined) => void,
  ): void;
  export default pgpass;
}
