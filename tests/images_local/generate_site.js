// Build a Hexo site the way `hexo generate` does, into its public/ folder.
//
// Usage: node generate_site.js SITE_DIR
// SITE_DIR holds _config.yml, package.json, node_modules, source/ and a theme. Exits 1 with the
// error on stderr when the build fails.
'use strict';

const path = require('path');

async function main() {
  const site = path.resolve(process.argv[2]);
  const Hexo = require(require.resolve('hexo', { paths: [site] }));
  const hexo = new Hexo(site, { silent: true });
  hexo.env.init = true; // what hexo-cli sets in a site folder: it makes Hexo load the plugins
  await hexo.init();
  await hexo.call('generate', {});
  await hexo.exit();
}

main().catch(err => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
});
