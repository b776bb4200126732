// A Node https client for captures/clients/record.sh: GET URL with a client
// certificate. Prints "STATUS n" or "ERROR text"; exit 0/1.
const https = require('https');
const fs = require('fs');
const [url, ca, cert, key] = process.argv.slice(2);
const req = https.get(url, { ca: fs.readFileSync(ca), cert: fs.readFileSync(cert), key: fs.readFileSync(key), agent: false }, (res) => {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => { console.log('STATUS ' + res.statusCode); console.log('BODY ' + body.trim()); process.exit(0); });
  res.on('error', (e) => { console.log('ERROR ' + e.message); process.exit(1); });
});
if (process.env.SSLKEYLOGFILE) {
  req.on('socket', (s) => s.on('keylog', (line) => fs.appendFileSync(process.env.SSLKEYLOGFILE, line)));
}
req.on('error', (e) => { console.log('ERROR ' + e.message); process.exit(1); });
req.setTimeout(8000, () => { console.log('ERROR timeout'); process.exit(1); });
