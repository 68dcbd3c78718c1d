// Domains under which anyone can get a name of their own: a wildcard right above one of them
// (`https://*.co.uk`, `https://*.vercel.app`) trusts strangers. This is a curated subset of the Public
// Suffix List (its ICANN part for common second-level registries, its private part for hosting
// platforms); a suffix with no dot (`*.com`, `*.dev`) is refused without needing a list.
// prettier-ignore
export const PUBLIC_SUFFIXES: ReadonlySet<string> = new Set([
  // second-level registries
  'ac.uk', 'co.uk', 'gov.uk', 'ltd.uk', 'me.uk', 'net.uk', 'org.uk', 'plc.uk', 'sch.uk',
  'com.au', 'edu.au', 'gov.au', 'net.au', 'org.au', 'id.au', 'asn.au',
  'co.nz', 'net.nz', 'org.nz', 'ac.nz', 'govt.nz',
  'ac.jp', 'co.jp', 'go.jp', 'ne.jp', 'or.jp', 'ac.kr', 'co.kr', 'or.kr', 'go.kr',
  'com.br', 'net.br', 'org.br', 'gov.br', 'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn',
  'com.hk', 'org.hk', 'com.tw', 'org.tw', 'com.sg', 'edu.sg', 'com.my', 'com.ph', 'com.vn',
  'co.id', 'co.il', 'org.il', 'co.in', 'net.in', 'org.in', 'firm.in', 'gen.in', 'ind.in',
  'co.th', 'in.th', 'co.za', 'org.za', 'web.za', 'com.mx', 'org.mx', 'com.ar', 'com.co',
  'com.pe', 'com.tr', 'com.pl', 'net.pl', 'org.pl', 'com.ua', 'co.ua', 'com.ru', 'org.ru',
  'com.eg', 'com.sa', 'com.pk', 'com.ng', 'co.ke',
  // hosting platforms where anyone can claim a subdomain
  'amazonaws.com', 's3.amazonaws.com', 'cloudfront.net', 'elasticbeanstalk.com',
  'appspot.com', 'web.app', 'firebaseapp.com', 'cloudfunctions.net', 'run.app',
  'azurewebsites.net', 'azurestaticapps.net', 'azureedge.net', 'cloudapp.net',
  'github.io', 'githubusercontent.com', 'gitlab.io', 'bitbucket.io',
  'herokuapp.com', 'vercel.app', 'now.sh', 'netlify.app', 'netlify.com', 'pages.dev',
  'workers.dev', 'trycloudflare.com', 'fly.dev', 'onrender.com', 'railway.app',
  'up.railway.app', 'deno.dev', 'glitch.me', 'repl.co', 'replit.dev', 'surge.sh',
  'ngrok.io', 'ngrok.app', 'ngrok-free.app', 'loca.lt', 'localtunnel.me',
  'codesandbox.io', 'csb.app', 'stackblitz.io', 'webcontainer.io', 'blogspot.com',
  'pythonanywhere.com', 'readthedocs.io', 'wordpress.com',
]);
