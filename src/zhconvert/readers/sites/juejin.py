"""掘金 (juejin.cn): Markdown-rendered articles, highlight.js code with a copy button, 沸点."""

from __future__ import annotations

from typing import ClassVar

from . import SiteFixture, SiteRule

__all__ = ["Juejin"]


class Juejin(SiteRule):
    """掘金's articles (``div.markdown-body``) and 沸点 (short posts)."""

    name = "juejin"
    sites = frozenset({"掘金", "juejin"})
    hosts = ("juejin.cn", "juejin.im")
    markers = ("copy-code-btn",)
    drop = (".copy-code-btn",)
    redirects: ClassVar[dict[str, str]] = {"link.juejin.cn": "target"}
    tests = (
        SiteFixture(
            '<div class="markdown-body"><style>.markdown-body&#123;color:#333&#125;</style>'
            '<h2 data-id="heading-0"><a href="#heading-0"></a>标题</h2>'
            '<pre><code class="hljs language-go copyable" lang="go">m := map[string]int{}\n'
            'if a < b && <-done {\n}\n<span class="copy-code-btn">复制代码</span></code></pre>'
            '<p><a href="https://link.juejin.cn/?target=https%3A%2F%2Fgo.dev%2F">Go</a></p></div>',
            "## 标题\n\n```go\nm := map[string]int{}\nif a < b && <-done {\n}\n```\n\n[Go](https://go.dev/)",
            ("编程", "掘金", "标签"),
            absent=("复制代码", "color:#333"),
        ),
    )
