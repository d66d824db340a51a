import { haproxyConf } from '../contenders/haproxy.ts';
import { scenarioByName } from '../scenarios.ts';
console.log(haproxyConf(40001, { portA: 40002, portB: 40003 }, scenarioByName('split')));
