import { appYaml, scaleApp } from '../ingress-gen.ts';
import { parseAllDocuments } from 'yaml';
const y = appYaml(scaleApp(7, 1000, 1001));
console.log(y);
console.log(JSON.stringify(parseAllDocuments(y).map(d => d.toJS()).map(d => d.kind)));
console.log(JSON.stringify(parseAllDocuments(y)[0].toJS().spec.rules[0].http.paths[3]));
