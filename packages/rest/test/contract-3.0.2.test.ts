/** OpenAPI contract of the REST API on a real Patroni 3.0.2 lab (127.0.6.0/24). */
import { contractSuite } from './contract.js';

contractSuite('3.0.2', 6);
