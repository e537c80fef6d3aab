/** The operation suite on Patroni 3.0.2 + etcd 3.4, Debian bookworm's versions (addresses 127.0.11.0/24). */
import { clusterSuite } from './suite.js';

clusterSuite({
  patroni: '3.0.2',
  etcd: '3.4',
  hosts: ['127.0.11.21', '127.0.11.22', '127.0.11.23'],
  haproxyHost: '127.0.11.2',
});
