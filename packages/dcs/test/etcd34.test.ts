import { etcdSuite } from './suite.js';

etcdSuite('3.4', ['127.0.4.11', '127.0.4.12', '127.0.4.13']);
