// moved to @patroni-kit/rest; the lead removes this shim at merge
/** The lean read path now lives in `@patroni-kit/rest/lean`; these are its old names here. */
export {
  type LeanRequest as HttpRequest,
  type LeanResponse as HttpResponse,
  type LeanTls as HttpTls,
  leanRequest as httpRequest,
  parseJsonBody,
} from '@patroni-kit/rest/lean';
