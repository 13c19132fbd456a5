import ts from 'typescript';
import fs from 'node:fs';
import path from 'node:path';
const root = '/work/wt-7/src';
const files = [];
const walk = (d) => { for (const n of fs.readdirSync(d)) { const p = path.join(d, n); if (fs.statSync(p).isDirectory()) walk(p); else if (p.endsWith('.ts')) files.push(p); } };
walk(root);
const out = [];
for (const f of files) {
  const text = fs.readFileSync(f, 'utf8');
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments) {
      n.arguments.forEach((a, i) => {
        if (ts.isStringLiteral(a) && /^IMC\d{3}$/.test(a.text)) {
          const msg = n.arguments.find((b, j) => j > i && (ts.isTemplateExpression(b) || ts.isNoSubstitutionTemplateLiteral(b) || ts.isStringLiteral(b) || ts.isBinaryExpression(b)));
          out.push({ file: path.relative('/work/wt-7', f), line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1, callee: n.expression.getText().slice(-30), code: a.text, argIndex: i, nargs: n.arguments.length, msg: msg ? msg.getText() : null });
        }
      });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
fs.writeFileSync('/tmp/h7/sites.json', JSON.stringify(out, null, 1));
console.log(out.length);
const byCode = {}; for (const o of out) (byCode[o.code] ??= []).push(o);
console.log(Object.entries(byCode).map(([c, l]) => `${c}:${l.length}`).sort((a,b)=>+b.split(':')[1]-+a.split(':')[1]).join(' '));
const callees = {}; for (const o of out) callees[o.callee.split('.').pop()] = (callees[o.callee.split('.').pop()]??0)+1; console.log(callees);
console.log(out.filter(o=>!o.msg).map(o=>`${o.file}:${o.line} ${o.callee} ${o.code}`).join('\n'));
