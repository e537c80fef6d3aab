import { lifecycleSuite } from './lifecycle.js';

lifecycleSuite('lab on Patroni 3.0.2 + etcd 3.4', {
  patroni: '3.0.2',
  etcd: '3.4',
  hosts: ['127.0.1.11', '127.0.1.12', '127.0.1.13'],
  haproxyHost: '127.0.1.1',
});
