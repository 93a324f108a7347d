"""Static blogs: Hexo (Next, Yilia...), Jekyll, Hugo, WordPress themes' markup."""

from __future__ import annotations

from . import SiteFixture, SiteRule

__all__ = ["Blog"]


class Blog(SiteRule):
    """The chrome static-site themes add around a post: heading anchors, copyright boxes."""

    name = "blog"
    sites = frozenset({"Hexo", "Jekyll", "Hugo", "WordPress", "Google Sites"})
    markers = ("headerlink", "header-anchor", "post-copyright")
    drop = (
        ".headerlink",
        ".header-anchor",
        ".anchorjs-link",
        ".post-copyright",
        ".reward-container",
        ".post-widgets",
    )
    tests = (
        SiteFixture(
            '<h2><a href="http://blog.example/p/#结构" class="headerlink" title="结构"></a>'
            "结构</h2>"
            '<figure class="highlight python"><table><tr><td class="gutter"><pre>'
            '<span class="line">1</span><br><span class="line">2</span></pre></td>'
            '<td class="code"><pre><span class="line">x = 1</span><br>'
            '<span class="line">print(x &lt; 2)</span></pre></td></tr></table></figure>',
            "## 结构\n\n```python\nx = 1\nprint(x < 2)\n```",
            ("博客", "Hexo", "Next 主题博客"),
            absent=("headerlink",),
        ),
    )
