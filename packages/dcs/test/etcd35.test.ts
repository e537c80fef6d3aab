import { etcdSuite } from './suite.js';

etcdSuite('3.5', ['127.0.4.21', '127.0.4.22', '127.0.4.23']);
