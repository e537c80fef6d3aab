import { lifecycleSuite } from './lifecycle.js';

lifecycleSuite('lab on Patroni 4.0.7 + etcd 3.5', {
  patroni: '4.0.7',
  etcd: '3.5',
  hosts: ['127.0.0.11', '127.0.0.12', '127.0.0.13'],
  haproxyHost: '127.0.0.1',
});
