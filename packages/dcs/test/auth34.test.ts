import { authSuite } from './auth-suite.js';

authSuite('3.4', ['127.0.4.31', '127.0.4.32', '127.0.4.33'], '127.0.4.34');
