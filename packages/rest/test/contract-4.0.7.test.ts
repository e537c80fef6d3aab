/** OpenAPI contract of the REST API on a real Patroni 4.0.7 lab (127.0.7.0/24). */
import { contractSuite } from './contract.js';

contractSuite('4.0.7', 7);
