/** The operation suite on Patroni 4.0.7 + etcd 3.5 (addresses 127.0.10.0/24). */
import { clusterSuite } from './suite.js';

clusterSuite({
  patroni: '4.0.7',
  etcd: '3.5',
  hosts: ['127.0.10.21', '127.0.10.22', '127.0.10.23'],
  haproxyHost: '127.0.10.2',
});
