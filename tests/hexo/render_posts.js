// Render every post of a Hexo site through Hexo's own post pipeline, in one process.
//
// Usage: node render_posts.js SITE_DIR
// SITE_DIR holds _config.yml, package.json, node_modules and source/_posts/*.md. Prints one JSON
// object: {"posts": {"<file name>": {"title": ..., "html": ...} or {"error": ...}},
//          "error": null or why no post could be read}.
// Each post is rendered alone (the way `hexo generate` renders them, with before_post_render
// filters, the Nunjucks tag pass and the Markdown renderer), so one post's template error is
// reported for that post instead of failing the others; `hexo generate` would fail the whole
// site on it.
'use strict';

const path = require('path');

async function main() {
  const site = path.resolve(process.argv[2]);
  const Hexo = require(require.resolve('hexo', { paths: [site] }));
  const hexo = new Hexo(site, { silent: true });
  hexo.env.init = true; // what hexo-cli sets in a site folder: it makes Hexo load the plugins
  const result = { posts: {}, error: null };
  // A file Hexo cannot read (front matter that does not parse) is only logged, as
  // "Process failed: <path>"; keep the reason for that post.
  const failed = {};
  const logError = hexo.log.error.bind(hexo.log);
  hexo.log.error = (...args) => {
    const [first, message, file] = args;
    if (first && first.err && typeof message === 'string' && message.startsWith('Process failed')) {
      failed[path.basename(String(file).replace(/\x1b\[[0-9;]*m/g, ''))] = String(first.err.message || first.err);
    }
    return logError(...args);
  };
  try {
    await hexo.init();
    await hexo.source.process();
    const posts = hexo.model('Post').toArray();
    for (const post of posts) {
      const name = path.basename(post.source);
      try {
        post.content = post._content;
        await hexo.post.render(post.full_source, post);
        result.posts[name] = { title: post.title, html: post.content };
      } catch (err) {
        result.posts[name] = { error: String((err && err.message) || err) };
      }
    }
    for (const [name, why] of Object.entries(failed)) {
      if (!(name in result.posts)) result.posts[name] = { error: `Hexo could not read the post: ${why}` };
    }
  } catch (err) {
    result.error = String((err && err.stack) || err);
  }
  process.stdout.write(JSON.stringify(result));
  await hexo.exit();
}

main().catch(err => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
});
