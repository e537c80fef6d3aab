import { authSuite } from './auth-suite.js';

authSuite('3.5', ['127.0.4.41', '127.0.4.42', '127.0.4.43'], '127.0.4.44');
